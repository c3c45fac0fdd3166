"""Reading a query's text from where a user gives it, within the size limit."""

from __future__ import annotations

import sys
from pathlib import Path

from adkg.errors import ProtocolError, QueryTooLargeError


def check_size(text: str, *, max_bytes: int) -> str:
    """Return ``text`` if its UTF-8 form is at most ``max_bytes`` long.

    >>> check_size("ASK {}", max_bytes=6)
    'ASK {}'

    Raises:
        QueryTooLargeError: it is longer.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryTooLargeError(f"the query is {size} bytes long; the limit is {max_bytes} (ADKG_MAX_QUERY_BYTES)")
    return text


def read_query(text: str | None, file: Path | None, *, max_bytes: int) -> str:
    """Return the query given as ``text``, or read from ``file`` (``-`` for standard input).

    Raises:
        ProtocolError: the file is not UTF-8.
        QueryTooLargeError: the query is longer than ``max_bytes``.
        OSError: the file cannot be read.
    """
    if file is None:
        return check_size(text or "", max_bytes=max_bytes)
    raw = sys.stdin.buffer.read(max_bytes + 1) if str(file) == "-" else file.read_bytes()
    try:
        return check_size(raw.decode("utf-8"), max_bytes=max_bytes)
    except UnicodeDecodeError as error:
        raise ProtocolError(f"{file}: the query is not UTF-8: {error}") from error
