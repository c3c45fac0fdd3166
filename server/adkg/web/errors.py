"""The one mapping from adkg's exceptions to HTTP statuses, and the handlers that apply it.

Errors are answered as ``text/plain`` messages, as SPARQL endpoints do; anything that is not an
``AdkgError`` is a bug: logged with its traceback, answered 500.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import Request
from fastapi.responses import PlainTextResponse

from adkg.errors import (
    AdkgError,
    NotAcceptableError,
    ProtocolError,
    QueryCrashedError,
    QueryError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeout,
    QueryTooLargeError,
    ResultTooLargeError,
    ServiceNotAllowedError,
    StoreError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)

logger = logging.getLogger("adkg.web")

#: HTTP status by exception class; a class not listed takes its nearest listed base's.
STATUS: Final[dict[type[AdkgError], int]] = {
    AdkgError: 500,
    QueryError: 400,
    QuerySyntaxError: 400,
    ProtocolError: 400,
    UnauthorizedError: 401,
    QueryRefusedError: 403,
    ServiceNotAllowedError: 400,
    NotAcceptableError: 406,
    QueryTooLargeError: 413,
    UnsupportedMediaTypeError: 415,
    QueryCrashedError: 500,
    QueryTimeout: 503,
    StoreError: 503,
    ResultTooLargeError: 507,
}


def status_of(error: AdkgError) -> int:
    """Return the HTTP status for ``error``.

    >>> status_of(QuerySyntaxError("error at 1:1: x")), status_of(QueryTimeout(30))
    (400, 503)
    """
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


async def adkg_error(_: Request, error: Exception) -> PlainTextResponse:
    """Answer an ``AdkgError`` with its status and message."""
    assert isinstance(error, AdkgError)
    status = status_of(error)
    if status >= 500:
        logger.error("%s: %s", type(error).__name__, error)
    headers = {"WWW-Authenticate": 'Bearer realm="adkg"'} if isinstance(error, UnauthorizedError) else {}
    return PlainTextResponse(f"{error}\n", status_code=status, headers=headers)


async def unexpected_error(request: Request, error: Exception) -> PlainTextResponse:
    """Log a bug with its traceback and answer 500."""
    logger.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=error)
    return PlainTextResponse("internal server error: the server logged it\n", status_code=500)
