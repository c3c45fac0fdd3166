"""``/ontology``: the whole ontology, where every ``adkg:`` term's IRI (``…/ontology#Term``) leads.

A client that asks for HTML before RDF (a browser) gets its documentation, made by pyLODE in a
child process (:mod:`adkg.ontology_docs`: the server itself never imports rdflib) once per store
and kept in the store's folder, served with a line of links above it (home, formats, and the query
UI on the query behind the page); any other gets the ontology's named graph in the RDF format its
Accept header or a ``format`` parameter asks for (Turtle by default). Either way with
``Vary: Accept``, and an ETag and Last-Modified from the store's build.
"""

from __future__ import annotations

import sys
from typing import Annotated, Final

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adkg.sparql import FormatChoice, negotiate, prefers
from adkg.vocab import BASE
from adkg.web.deps import get_services
from adkg.web.downloads import not_modified, validators
from adkg.web.html import root, templates
from adkg.web.page_queries import answer
from adkg.web.services import Services

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: The store's folder that keeps its ontology's documentation.
DOCS: Final = "docs"
#: Where the line of links goes in pyLODE's page: at the top of its main column.
_CONTENT: Final = b'<div id="content">'


@router.api_route("/ontology", methods=["GET", "HEAD"])
async def ontology(request: Request, services: ServicesDep) -> Response:
    """The ontology's documentation, or the ontology in an RDF format.

    Raises:
        NotAcceptableError: neither HTML nor an RDF format fits the Accept header (406).
        ProtocolError: the ``format`` parameter names no format (400).
    """
    store = services.data.require_current()
    accept, format_name = request.headers.get("accept"), request.query_params.get("format")
    html = format_name is None and prefers(accept, "text/html", "application/xhtml+xml")
    graph_format = None if html else negotiate(accept, format_name=format_name).for_graph()
    headers = {**validators(store, f"ontology-{graph_format.value if graph_format else 'html'}"), "vary": "Accept"}
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    query = (services.settings.pages_folder / "ontology.rq").read_text(encoding="utf-8")
    if graph_format is None:
        page = store / DOCS / "ontology.html"
        if not page.exists():
            page.parent.mkdir(exist_ok=True)
            await anyio.run_process([sys.executable, "-m", "adkg.ontology_docs", str(store), str(page)], check=True)
        nav = templates.get_template("ontology-nav.html").render(root=root(request), query=query)
        document = (await anyio.Path(page).read_bytes()).replace(_CONTENT, _CONTENT + nav.encode(), 1)
        # adkg's own IRIs (the ontology's, its terms') are looked up on this server, as on every page
        document = document.replace(b'href="' + BASE.encode(), f'href="{root(request)}/'.encode())
        return Response(document, media_type="text/html; charset=utf-8", headers=headers)
    body = await answer(services, query, FormatChoice(None, graph_format))
    return Response(body, media_type=graph_format.oxigraph.media_type, headers=headers)
