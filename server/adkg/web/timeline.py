"""``/timeline``: everything the graph dates, in time order, each at the text's precision (HTML,
JSON and CSV).

Made from ``queries/views/timeline.rq`` (:mod:`adkg.timeline`), rendered once per build
(:mod:`adkg.web.views`). The page draws each entry as a bar on one axis: a day a sliver, a month
a month, a year a year, an open period to the edge it is open toward; an entry dated to no day,
month or year (a day and month without a year) comes last, flagged. Each links to its page and
its words to their anchor.
"""

from __future__ import annotations

import json
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pyoxigraph import Triple

from adkg.timeline import Entry, bars, timeline, year_ticks
from adkg.web.deps import get_services
from adkg.web.html import templates
from adkg.web.services import Services
from adkg.web.views import ViewFormat, csv_bytes, view_response

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: The fields of an entry for JSON and CSV.
COLUMNS: Final = ("node", "label", "kinds", "when", "first_day", "last_day", "precision", "status", "quote", "anchor")


def _rows(entries: list[Entry]) -> list[dict[str, str]]:
    return [{
        "node": e.iri,
        "label": e.node.text,
        "kinds": "; ".join(k.text for k in e.kinds),
        "when": e.when,
        "first_day": e.first.isoformat() if e.first else "",
        "last_day": e.last.isoformat() if e.last else "",
        "precision": e.precision,
        "status": "; ".join(s.text for s in e.status),
        "quote": "; ".join(q.text for q in e.quotes),
        "anchor": "; ".join(e.anchors),
    } for e in entries]


@router.api_route("/timeline", methods=["GET", "HEAD"])
async def timeline_view(request: Request, services: ServicesDep) -> Response:
    """The timeline, as a page, JSON or CSV.

    Raises:
        ProtocolError: the ``format`` parameter names no format of the view (400).
        NotAcceptableError: the Accept header names none of them (406).
    """

    async def render(chosen: ViewFormat, prefix: str, query: str, triples: list[Triple]) -> bytes:
        entries = timeline(triples, root=prefix)
        if chosen is ViewFormat.JSON:
            return json.dumps({"columns": list(COLUMNS), "entries": _rows(entries)}, ensure_ascii=False,
                              indent=1).encode("utf-8")
        if chosen is ViewFormat.CSV:
            return csv_bytes(COLUMNS, _rows(entries))
        context = {"entries": entries, "bars": bars(entries), "ticks": year_ticks(entries), "query": query}
        return templates.get_template("timeline.html").render(root=prefix, **context).encode("utf-8")

    return await view_response(request, services, name="timeline", render=render)
