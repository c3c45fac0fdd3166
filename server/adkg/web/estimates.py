"""``/estimates``: every statistical variable with its figures side by side (HTML, CSV, JSON).

The view (:mod:`adkg.estimates`) is made from ``queries/views/estimates.rq``, run on a query worker
like any page's query, with a chart (:mod:`adkg.charts`, SVG) for each variable of two or more
figures; each format of it is rendered once per build and kept. A
browser gets the page; ``format=csv`` or ``format=json`` (or an Accept header naming
``text/csv`` or ``application/json`` before HTML) gets one row per claim for analysts. Every
answer carries an ETag and Last-Modified from the build.
"""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Annotated, Final

import anyio.to_thread
import pyoxigraph
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adkg.errors import NotAcceptableError, ProtocolError
from adkg.estimates import COLUMNS, VariableFigures, estimates_view, table
from adkg.report import estimates_page
from adkg.sparql import FormatChoice, GraphFormat, ResultFormat, negotiate, prefers
from adkg.web.deps import get_services
from adkg.web.downloads import not_modified, validators
from adkg.web.html import root
from adkg.web.page_queries import answer
from adkg.web.services import Services

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: How many rendered views the server keeps (by store, root path and format).
_KEPT: Final = 12


class ViewFormat(StrEnum):
    """What the estimates view is served as."""

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
            ProtocolError: ``format_name`` names no format of the view.
            NotAcceptableError: the Accept header names none of them.
        """
        if format_name is not None:
            try:
                return cls(format_name.strip().lower())
            except ValueError:
                raise ProtocolError(f"format={format_name!r}: the estimates are served as html, csv or json") from None
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
        raise NotAcceptableError("the estimates are served as text/html, text/csv or application/json",
                                 ["text/html", "text/csv", "application/json"])


def _json(view: list[VariableFigures]) -> bytes:
    """The view as JSON: each variable with its figures (the CSV's rows) and its findings."""
    rows = table(view)
    document = {
        "columns": list(COLUMNS),
        "variables": [
            {
                "variable": variable.iri,
                "label": variable.variable.text,
                "definition": variable.definition,
                "measure_kind": variable.measure_kind.text if variable.measure_kind else None,
                "figures": [row for row in rows if row["variable"] == variable.iri],
                "findings": [
                    {"record": f.iri, "label": f.record.text, "kind": f.kind.text,
                     "detail": [d.text for d in f.detail], "claims": list(f.claim_iris)}
                    for f in variable.findings
                ],
            }
            for variable in view
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _csv(view: list[VariableFigures]) -> bytes:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(table(view))
    return output.getvalue().encode("utf-8")


@router.api_route("/estimates", methods=["GET", "HEAD"])
async def estimates(request: Request, services: ServicesDep) -> Response:
    """The estimates view, as a page, CSV or JSON.

    Raises:
        ProtocolError: the ``format`` parameter names no format of the view (400).
        NotAcceptableError: the Accept header names none of them (406).
    """
    chosen = ViewFormat.asked(request.headers.get("accept"), request.query_params.get("format"))
    store = services.data.require_current()
    headers = {**validators(store, f"estimates-{chosen.value}"), "vary": "Accept"}
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    key = (store, root(request), chosen.value)
    rendered = services.views
    body = rendered.get(key)
    if body is None:
        query = (services.settings.views_folder / "estimates.rq").read_text(encoding="utf-8")
        found = await answer(services, query, FormatChoice(None, GraphFormat.NTRIPLES))
        view = estimates_view(pyoxigraph.parse(found, format=pyoxigraph.RdfFormat.N_TRIPLES), root=key[1])
        if chosen is ViewFormat.CSV:
            body = _csv(view)
        elif chosen is ViewFormat.JSON:
            body = _json(view)
        else:
            page = await anyio.to_thread.run_sync(lambda: estimates_page(view, query=query, root=key[1]))
            body = page.encode("utf-8")
        rendered[key] = body
        while len(rendered) > _KEPT:
            rendered.popitem(last=False)
    return Response(body, media_type=chosen.media_type, headers=headers)

