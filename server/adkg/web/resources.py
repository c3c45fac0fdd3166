"""``/id/NAME``: every ``adkgr:`` IRI of the graph, looked up (Linked Data).

The description of the resource (``queries/pages/resource.rq``: its statements, its blank nodes',
its quote anchors', and those of the claims that point at it) runs on a query worker like any
query. A client that asks for HTML before RDF (a browser) gets a page
(:mod:`adkg.resource_page`); any other gets the description in the RDF format its Accept header
or a ``format`` parameter asks for (Turtle by default), written by Oxigraph with the project's
prefixes. Either way with
``Vary: Accept``, and an ETag and Last-Modified from the store's build (304 to a client that holds
the answer); an IRI the graph holds nothing of is 404, with a page saying where to look.

A source document's IRI also serves its text: as ``text/plain`` to a client that asks for it
(or ``format=text``), and on its page, where each quote anchor (``<source#char=290,415>``) has a passage whose id is
its fragment, the quoted words marked in their sentence (:mod:`adkg.source_text_page`).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Final

import pyoxigraph
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adkg.resource_page import link, resource_view, search_words
from adkg.source_text_page import Passage, passages
from adkg.sparql import FormatChoice, GraphFormat, ResultFormat, negotiate, prefers
from adkg.vocab import ADKGR, PREFIXES, compact
from adkg.web.deps import get_services
from adkg.web.downloads import not_modified, validators
from adkg.web.html import root as root_of
from adkg.web.html import templates
from adkg.web.page_queries import answer, described, page_query, rdf_response
from adkg.web.services import Services

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: A resource's name: what follows ``adkgr:`` (readable ASCII slugs).
NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
#: A seed file's name as the metadata gives it: a plain file name in seeds/.
SEED_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_ENCODING, _NAME = PREFIXES["schema"] + "encoding", PREFIXES["schema"] + "name"


def _seed_name(iri: str, triples: list[pyoxigraph.Triple]) -> str | None:
    """The file name of the seed text of the source ``iri``, if its description names one."""
    files = {t.object for t in triples if t.subject == pyoxigraph.NamedNode(iri) and t.predicate.value == _ENCODING}
    names = [t.object.value for t in triples if t.subject in files and t.predicate.value == _NAME
             and isinstance(t.object, pyoxigraph.Literal)]
    return names[0] if len(names) == 1 and SEED_NAME.fullmatch(names[0]) else None


async def _source_passages(services: Services, query: str, text: str, root: str) -> list[Passage]:
    """The passages of a source whose text is ``text``, one per quote anchor that ``query``
    (``source-anchors.rq`` for the source) finds on it."""
    solutions = json.loads(await answer(services, query, FormatChoice(ResultFormat.JSON, None)))
    rows = []
    for row in solutions["results"]["bindings"]:
        node = row.get("node")
        label = row.get("label", node)
        rows.append((
            row["anchor"]["value"], int(row["start"]["value"]), int(row["end"]["value"]),
            (label["value"], link(node["value"], root=root)) if node else None,
        ))
    return passages(text, rows)


@router.api_route("/id/", methods=["GET", "HEAD"])
async def index(request: Request, services: ServicesDep) -> Response:
    """The index of the graph's resources by their most specific class (an HTML page)."""
    root = root_of(request)
    query = (services.settings.pages_folder / "resources.rq").read_text(encoding="utf-8")
    solutions = json.loads(await answer(services, query, FormatChoice(ResultFormat.JSON, None)))
    rows = solutions["results"]["bindings"]
    classes: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for row in rows:
        cls = row["class"]["value"]
        # the class's label, where and whose page, and its name as the id of its section
        key = (row.get("classLabel", {"value": compact(cls)})["value"], link(cls, root=root), re.split("[#/]", cls)[-1])
        named = (row.get("label", row["resource"])["value"], link(row["resource"]["value"], root=root))
        classes.setdefault(key, []).append(named)
    context = {"classes": classes, "query": query, "count": len({row["resource"]["value"] for row in rows})}
    return templates.TemplateResponse(request, "index.html", context)


@router.api_route("/id/{name}", methods=["GET", "HEAD"])
async def resource(name: str, request: Request, services: ServicesDep) -> Response:
    """The page or the RDF description of ``adkgr:NAME``.

    Raises:
        NotAcceptableError: neither HTML nor an RDF format fits the Accept header (406).
        ProtocolError: the ``format`` parameter names no format (400).
    """
    root = root_of(request)
    iri = ADKGR + name
    accept, format_name = request.headers.get("accept"), request.query_params.get("format")
    html = format_name is None and prefers(accept, "text/html", "application/xhtml+xml")
    plain = format_name == "text" or (format_name is None and not html and prefers(accept, "text/plain"))
    triples: list[pyoxigraph.Triple] = []
    query = page_query(services.settings.pages_folder, "resource", "resource", iri)
    if NAME.fullmatch(name):
        triples = await described(services, query)
    headers = {"vary": "Accept"}
    view = resource_view(iri, triples, root=root) if triples else None
    if view is None:
        search = page_query(services.settings.pages_folder, "label-search", "words", search_words(name))
        return templates.TemplateResponse(
            request, "not-found.html", {"iri": iri, "search": search}, status_code=404, headers=headers
        )
    # negotiated once the resource is known to exist: an unknown one is 404 whatever is asked
    graph_format = GraphFormat.NTRIPLES if html or plain else negotiate(accept, format_name=format_name).for_graph()
    store = services.data.require_current()
    headers |= validators(store, f"id-{name}-{'html' if html else 'text' if plain else graph_format.value}")
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    seed = _seed_name(iri, triples) if html or plain else None  # only a page or a text shows it
    text = (services.settings.seeds_folder / seed).read_text(encoding="utf-8") if seed else None
    if plain and text is not None:
        return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
    if html:
        anchors_query, passages = None, []
        if text is not None:
            anchors_query = page_query(services.settings.pages_folder, "source-anchors", "source", iri)
            passages = await _source_passages(services, anchors_query, text, root)
        context = {"view": view, "text": text, "passages": passages, "query": query, "name": name,
                   "anchors_query": anchors_query}
        return templates.TemplateResponse(request, "resource.html", context, headers=headers)
    return rdf_response(triples, graph_format, headers)  # with plain, not a source: N-Triples, the plainest RDF
