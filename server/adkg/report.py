"""The estimates view as one standalone HTML page: what ``/estimates`` serves and ``adkg report``
writes for sharing without a server.

The page holds everything it shows: its style, and its charts as inline SVG. Written by
``adkg report``, its links are the IRIs themselves (``https://w3id.org/adkg/id/…``), which
resolve wherever adkg is published; served, they lead to the serving adkg.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pyoxigraph import Store

from adkg.estimates import VariableFigures, estimates_view
from adkg.vocab import BASE

#: The root of a standalone page's links: adkg's own IRIs, where it is published.
PUBLISHED: Final = BASE.removesuffix("/")


def charts_of(view: list[VariableFigures]) -> dict[str, str]:
    """The SVG chart of each variable of ``view`` with two or more figures, by variable IRI."""
    from adkg.charts import chart_svg  # matplotlib loads only when a chart is first drawn

    return {v.iri: chart_svg(v) for v in view if len(v.figures) >= 2}


def estimates_page(view: list[VariableFigures], *, query: str, root: str) -> str:
    """Return the estimates page of ``view`` (made by ``query``), its links under ``root``."""
    from adkg.web.html import templates  # the server's templates, shared

    context = {"view": view, "query": query, "claims": sum(len(v.figures) for v in view), "charts": charts_of(view)}
    return templates.get_template("estimates.html").render(root=root, **context)


def estimates_report(store: Store, views_folder: Path) -> str:
    """Return the standalone estimates page of the built ``store``, its links adkg's IRIs.

    Raises:
        OSError: ``views_folder/estimates.rq`` cannot be read.
    """
    query = (views_folder / "estimates.rq").read_text(encoding="utf-8")
    triples = store.query(query, use_default_graph_as_union=True)
    return estimates_page(estimates_view(triples, root=PUBLISHED), query=query, root=PUBLISHED)  # type: ignore[arg-type]
