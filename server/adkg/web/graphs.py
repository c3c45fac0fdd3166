"""``/graph/NAME``: each named graph's IRI looked up (Linked Data), and the dataset's own IRIs.

A browser gets a page: the graph, what it holds, its triple count and the query that returns it;
any other client gets the graph's triples in the RDF format it asks for (Turtle by default),
from ``queries/pages/graph.rq``. The description graph (``…/graph/void``), which only the dumps
hold, and the dataset's IRI (``…/dataset``) lead to the dataset's description,
``/.well-known/void`` (303 See Other). A graph the store does not hold is 404.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from adkg.sparql import negotiate, prefers
from adkg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, GRAPH_BASE, ONTOLOGY_GRAPH
from adkg.web.deps import get_services
from adkg.web.html import root, templates
from adkg.web.page_queries import described, page_query, rdf_response
from adkg.web.services import Services

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: A named graph's name: what follows ``…/graph/`` (``entities``, ``source/SLUG``).
NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*")
#: What each named graph holds, for its page (a source's graph is said by its prefix).
HOLDS: Final = {
    ONTOLOGY_GRAPH: "the OWL ontology and its concept schemes (ontology/)",
    ENTITIES_GRAPH: "the actors, places, population groups, policies and statistical variables that sources share "
                    "(graph/entities/)",
    DERIVED_GRAPH: "what the rules derive (queries/rules/): comparable groups, disagreements, inconsistencies, "
                   "series, and the RDFS entailments",
}


def _holds(iri: str) -> str:
    if iri.startswith(GRAPH_BASE + "source/"):
        return f"what the source {iri.removeprefix(GRAPH_BASE + 'source/')} reports (graph/source/…/)"
    return HOLDS.get(iri, "")


@router.api_route("/dataset", methods=["GET", "HEAD"])
@router.api_route("/graph/void", methods=["GET", "HEAD"])
async def description(request: Request) -> Response:
    """The dataset's IRI and its description graph's: see the description."""
    return RedirectResponse(f"{root(request)}/.well-known/void", status_code=303)


@router.api_route("/graph/{name:path}", methods=["GET", "HEAD"])
async def graph(name: str, request: Request, services: ServicesDep) -> Response:
    """A named graph: its page, or its triples in an RDF format.

    Raises:
        NotAcceptableError: neither HTML nor an RDF format fits the Accept header (406).
        ProtocolError: the ``format`` parameter names no format (400).
    """
    iri = GRAPH_BASE + name
    accept, format_name = request.headers.get("accept"), request.query_params.get("format")
    html = format_name is None and prefers(accept, "text/html", "application/xhtml+xml")
    query = page_query(services.settings.pages_folder, "graph", "graph", iri)
    triples = await described(services, query) if NAME.fullmatch(name) else []
    headers = {"vary": "Accept"}
    if not triples:
        missing = {"iri": iri, "search": None}
        return templates.TemplateResponse(request, "not-found.html", missing, status_code=404, headers=headers)
    if html:
        context = {"iri": iri, "holds": _holds(iri), "count": len(triples), "query": query, "name": name}
        return templates.TemplateResponse(request, "graph.html", context, headers=headers)
    graph_format = negotiate(accept, format_name=format_name).for_graph()
    return rdf_response(triples, graph_format, headers)
