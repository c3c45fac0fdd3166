"""The one mapping from adkg's exceptions to HTTP statuses, and the handlers that apply it.

Errors are answered as ``text/plain`` messages, as SPARQL endpoints do; anything that is not an
``AdkgError`` is a bug: logged with its traceback, answered 500.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import Request
from fastapi.responses import Response as StarletteResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
from adkg.sparql import prefers
from adkg.web.asgi import PLAIN_TEXT, Response
from adkg.web.html import templates

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


def error_response(error: AdkgError) -> Response:
    """Return the response for ``error``: its status and its message as plain text; one of
    status 500 or above is logged."""
    status = status_of(error)
    if status >= 500:
        logger.error("%s: %s", type(error).__name__, error)
    headers = {"content-type": PLAIN_TEXT}
    if isinstance(error, NotAcceptableError):  # the answer depends on the Accept header asked with
        headers["vary"] = "Accept"
    if isinstance(error, UnauthorizedError):
        headers["www-authenticate"] = 'Bearer realm="adkg"'
    return Response(status, headers, f"{error}\n".encode())


def unexpected_response() -> Response:
    """Return the response for a bug (which the caller logs with its traceback)."""
    return Response(500, {"content-type": PLAIN_TEXT}, b"internal server error: the server logged it\n")


def _starlette(response: Response) -> StarletteResponse:
    return StarletteResponse(response.body, status_code=response.status, headers=response.headers)


async def adkg_error(_: Request, error: Exception) -> StarletteResponse:
    """FastAPI's handler of an ``AdkgError``: :func:`error_response`."""
    assert isinstance(error, AdkgError)
    return _starlette(error_response(error))


async def http_error(request: Request, error: Exception) -> StarletteResponse:
    """FastAPI's handler of its own HTTP errors (no route, method not allowed): for a browser, a
    page saying where to go (404); for any other client, the reason as plain text."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404 and prefers(request.headers.get("accept"), "text/html", "application/xhtml+xml"):
        return templates.TemplateResponse(
            request, "no-page.html", {"path": request.url.path}, status_code=404, headers={"vary": "Accept"}
        )
    reason = "nothing is served here" if error.status_code == 404 else str(error.detail)
    return StarletteResponse(
        f"{error.status_code}: {reason} ({request.method} {request.url.path})\n".encode(),
        status_code=error.status_code, headers={**(error.headers or {}), "content-type": PLAIN_TEXT, "vary": "Accept"},
    )


async def unexpected_error(request: Request, error: Exception) -> StarletteResponse:
    """FastAPI's handler of a bug: logged with its traceback, answered 500."""
    logger.exception("unexpected error answering %s %s", request.method, request.url.path, exc_info=error)
    return _starlette(unexpected_response())
