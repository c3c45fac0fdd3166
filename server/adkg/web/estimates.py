"""``/estimates``: every statistical variable with its figures side by side (HTML, CSV, JSON).

The view (:mod:`adkg.estimates`) is made from ``queries/views/estimates.rq``, run on a query worker
like any page's query, with a chart (:mod:`adkg.charts`, SVG) for each variable of two or more
figures; each format of it is rendered once per build and kept. A
browser gets the page; ``format=csv`` or ``format=json`` (or an Accept header naming
``text/csv`` or ``application/json`` before HTML) gets one row per claim for analysts. Every
answer carries an ETag and Last-Modified from the build.
"""

from __future__ import annotations

import json
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import Triple

from adkg.estimates import COLUMNS, VariableFigures, estimates_view, table
from adkg.report import estimates_page
from adkg.web.deps import get_services
from adkg.web.services import Services
from adkg.web.views import ViewFormat, csv_bytes, view_response

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]


def _typed(row: dict[str, str]) -> dict[str, object]:
    """A row for JSON: its numbers as numbers (null where the claim gives none).

    >>> _typed({"value": "3", "min_value": "", "max_value": "1.5", "claim": "c"})
    {'value': 3, 'min_value': None, 'max_value': 1.5, 'claim': 'c'}
    """
    numbers = {"value", "min_value", "max_value"}

    def number(text: str) -> int | float | None:
        return None if not text else (int(text) if text.lstrip("-").isdigit() else float(text))

    return {key: number(text) if key in numbers else text for key, text in row.items()}


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
                "figures": [_typed(row) for row in rows if row["variable"] == variable.iri],
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


@router.api_route("/estimates", methods=["GET", "HEAD"])
async def estimates(request: Request, services: ServicesDep) -> Response:
    """The estimates view, as a page, CSV or JSON (:func:`adkg.web.views.view_response`).

    Raises:
        ProtocolError: the ``format`` parameter names no format of the view (400).
        NotAcceptableError: the Accept header names none of them (406).
    """

    async def render(chosen: ViewFormat, prefix: str, query: str, triples: list[Triple]) -> bytes:
        view = estimates_view(triples, root=prefix)
        if chosen is ViewFormat.CSV:
            return csv_bytes(COLUMNS, table(view))
        if chosen is ViewFormat.JSON:
            return _json(view)
        page = await anyio.to_thread.run_sync(lambda: estimates_page(view, query=query, root=prefix))
        return page.encode("utf-8")

    return await view_response(request, services, name="estimates", render=render)
