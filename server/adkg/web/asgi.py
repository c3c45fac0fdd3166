"""The little of ASGI that the bare ``/sparql`` application needs: its types, request headers,
and a response written whole or streamed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from adkg.errors import AdkgError

logger = logging.getLogger("adkg.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PLAIN_TEXT = "text/plain; charset=utf-8"
#: Statuses whose responses have no content, and so no Content-Length (RFC 9110, section 8.6).
NO_CONTENT: Final = frozenset({204, 304})


class Stream(Protocol):
    """Chunks of a body that arrive after its first, and must be closed if not read to the end."""

    def __aiter__(self) -> Stream: ...

    async def __anext__(self) -> bytes: ...

    async def aclose(self) -> None: ...


def header(scope: Scope, name: bytes) -> str | None:
    """Return the value of the request header ``name`` (lower case), or None.

    >>> header({"headers": [(b"accept", b"text/csv")]}, b"accept")
    'text/csv'
    """
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def header_list(scope: Scope, name: bytes) -> str | None:
    """Return every value of the list-valued request header ``name`` (lower case) as one list,
    as several lines of one field combine (RFC 9110, section 5.3); None if it is absent.

    >>> header_list({"headers": [(b"if-none-match", b'"a"'), (b"if-none-match", b'"b"')]}, b"if-none-match")
    '"a", "b"'
    """
    values = [value.decode("latin-1") for key, value in scope["headers"] if key == name]
    return ", ".join(values) if values else None


def content_type(media_type: str) -> str:
    """Return the Content-Type of a body in ``media_type``: text types say they are UTF-8.

    >>> content_type("text/csv"), content_type("text/csv; charset=utf-8"), content_type("application/json")
    ('text/csv; charset=utf-8', 'text/csv; charset=utf-8', 'application/json')
    """
    if media_type.startswith("text/") and "charset=" not in media_type:
        return f"{media_type}; charset=utf-8"
    return media_type


@dataclass(slots=True)
class Response:
    """A status, headers and a body: whole (``body``), or ``body`` then the chunks of ``rest``.

    A whole body is sent with its Content-Length, except in a 204 or 304, which have none.
    """

    status: int
    headers: dict[str, str]
    body: bytes = b""
    rest: Stream | None = None

    async def send(self, send: Send) -> None:
        """Write the response; ``rest`` is closed however the writing ends.

        A failure while streaming ends the response unfinished (the client sees a truncated
        body, never a complete-looking one) and is logged in one line.

        Raises:
            OSError: the client went away.
        """
        try:
            await self._send(send)
        finally:
            if self.rest is not None:
                await self.rest.aclose()

    async def _send(self, send: Send) -> None:
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in self.headers.items()]
        if self.rest is None and self.status not in NO_CONTENT:
            headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        if self.rest is None:
            await send({"type": "http.response.body", "body": self.body})
            return
        await send({"type": "http.response.body", "body": self.body, "more_body": True})
        try:
            async for chunk in self.rest:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except AdkgError as error:
            logger.warning("results cut short while streaming: %s: %s", type(error).__name__, error)
            return
        await send({"type": "http.response.body", "body": b""})
