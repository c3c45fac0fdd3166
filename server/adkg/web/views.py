"""What the views of the graph (``/estimates``, ``/timeline``) share: the formats they are served
in, chosen by a ``format`` parameter or the Accept header, and one rendering per build.

A view is rendered once for each store, root path and format, and kept in the server's
:class:`~adkg.web.services.Services`; every answer carries an ETag and Last-Modified from the
build, and a client holding the answer gets 304.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Iterable, Sequence
from enum import StrEnum
from typing import Final

from fastapi import Request
from fastapi.responses import Response
from pyoxigraph import Triple

from adkg.errors import NotAcceptableError, ProtocolError
from adkg.sparql import ResultFormat, negotiate, prefers
from adkg.web.downloads import not_modified, validators
from adkg.web.html import root
from adkg.web.page_queries import described
from adkg.web.services import Services

#: How many rendered views the server keeps (by store, root path, view and format).
KEPT: Final = 24


class ViewFormat(StrEnum):
    """What a view is served as."""

    HTML = "html"
    CSV = "csv"
    JSON = "json"

    @property
    def media_type(self) -> str:
        """The media type the view is served with in this format."""
        return {"html": "text/html; charset=utf-8", "csv": "text/csv; charset=utf-8", "json": "application/json"}[
            self.value
        ]

    @classmethod
    def asked(cls, accept: str | None, format_name: str | None) -> ViewFormat:
        """The format a ``format`` parameter names, else the one an Accept header prefers (HTML
        for a browser, for no Accept and for any wildcard).

        >>> ViewFormat.asked("text/csv", None), ViewFormat.asked("*/*", None), ViewFormat.asked(None, "json")
        (<ViewFormat.CSV: 'csv'>, <ViewFormat.HTML: 'html'>, <ViewFormat.JSON: 'json'>)

        Raises:
            ProtocolError: ``format_name`` names no format of the views.
            NotAcceptableError: the Accept header names none of them.
        """
        if format_name is not None:
            try:
                return cls(format_name.strip().lower())
            except ValueError:
                raise ProtocolError(f"format={format_name!r}: views are served as html, csv or json") from None
        if accept is None or prefers(accept, "text/html", "application/xhtml+xml") or accept.strip() in {"", "*/*"}:
            return cls.HTML
        try:
            results = negotiate(accept).results
        except NotAcceptableError:
            results = None
        if results is ResultFormat.CSV:
            return cls.CSV
        if results is ResultFormat.JSON:
            return cls.JSON
        raise NotAcceptableError("views are served as text/html, text/csv or application/json",
                                 ["text/html", "text/csv", "application/json"])


def csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    """Rows as CSV (RFC 4180: a header, CRLF line ends), UTF-8.

    >>> csv_bytes(("a", "b"), [{"a": "1", "b": "x, y"}])
    b'a,b\\r\\n1,"x, y"\\r\\n'
    """
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue().encode("utf-8")


#: How a view is made: from the format asked for, the root path, the view's query
#: (``queries/views/NAME.rq``) and the triples it answers.
Render = Callable[[ViewFormat, str, str, list[Triple]], Awaitable[bytes]]


async def view_response(request: Request, services: Services, *, name: str, render: Render) -> Response:
    """Answer a request for the view ``name``: 304 to a client holding it, else the view in the
    format asked for, made by ``render`` from ``queries/views/NAME.rq`` and its triples once per
    build and kept.

    Raises:
        ProtocolError: the ``format`` parameter names no format of the views (400).
        NotAcceptableError: the Accept header names none of them (406).
    """
    chosen = ViewFormat.asked(request.headers.get("accept"), request.query_params.get("format"))
    store = services.data.require_current()
    prefix = root(request)
    # the root path is in the tag: the page's links differ with it
    headers = {**validators(store, f"{name}-{chosen.value}{prefix.replace('/', '~')}"), "vary": "Accept"}
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    key = (store, prefix, f"{name}.{chosen.value}")
    kept = services.views
    body = kept.get(key)
    if body is None:
        query = (services.settings.views_folder / f"{name}.rq").read_text(encoding="utf-8")
        body = await render(chosen, prefix, query, await described(services, query))
        kept[key] = body
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return Response(body, media_type=chosen.media_type, headers=headers)
