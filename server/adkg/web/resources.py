"""``/id/NAME``: every ``adkgr:`` IRI of the graph, looked up (Linked Data).

The description of the resource (``queries/pages/resource.rq``: its statements, its blank nodes',
its quote anchors', and those of the claims that point at it) runs on a query worker like any
query. A client that asks for HTML before RDF (a browser) gets a page
(:mod:`adkg.resource_page`); any other gets the description in the RDF format its Accept header
or a ``format`` parameter asks for (Turtle by default), serialized by Oxigraph. Either way with
``Vary: Accept``; an IRI the graph holds nothing of is 404, with a page saying where to look.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Final

import pyoxigraph
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from adkg.resource_page import resource_view
from adkg.sparql import FormatChoice, GraphFormat, Policy, check_query, negotiate, prefers_html
from adkg.vocab import ADKGR
from adkg.web.deps import get_services
from adkg.web.downloads import templates
from adkg.web.querying import run_query
from adkg.web.services import Services
from adkg.workers import Job

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: A resource's name: what follows ``adkgr:`` (readable ASCII slugs).
NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")


def describe_query(pages_folder: Path, iri: str) -> str:
    """The query describing ``iri``: ``resource.rq`` with the IRI in place of ``?resource``.

    >>> "<urn:x> prov:wasDerivedFrom" in describe_query(Path("queries/pages"), "urn:x")
    True
    """
    return (pages_folder / "resource.rq").read_text(encoding="utf-8").replace("?resource", f"<{iri}>")


@router.api_route("/id/{name}", methods=["GET", "HEAD"])
async def resource(name: str, request: Request, services: ServicesDep) -> Response:
    """The page or the RDF description of ``adkgr:NAME``.

    Raises:
        NotAcceptableError: neither HTML nor an RDF format fits the Accept header (406).
        ProtocolError: the ``format`` parameter names no format (400).
    """
    root = request.scope.get("root_path", "")
    iri = ADKGR + name
    format_name = request.query_params.get("format")
    html = format_name is None and prefers_html(request.headers.get("accept"))
    graph_format = GraphFormat.NTRIPLES if html else negotiate(
        request.headers.get("accept"), format_name=format_name
    ).for_graph()
    found, triples = b"", []
    if NAME.fullmatch(name):
        settings = services.settings
        query = describe_query(settings.pages_folder, iri)
        job = Job(
            store=services.data.require_current(), query=query, scan=check_query(query, policy=Policy()),
            choice=FormatChoice(None, graph_format), max_result_bytes=settings.max_result_bytes,
        )
        results = await run_query(services.pool, job, timeout=settings.time_limit(job.scan))
        found = results.first + b"".join([chunk async for chunk in results])
        triples = list(pyoxigraph.parse(found, format=graph_format.oxigraph))
    headers = {"vary": "Accept"}
    view = resource_view(iri, triples, root=root) if NAME.fullmatch(name) else None
    if view is None:
        return templates.TemplateResponse(
            request, "not-found.html", {"root": root, "iri": iri}, status_code=404, headers=headers
        )
    if html:
        return templates.TemplateResponse(request, "resource.html", {"root": root, "view": view}, headers=headers)
    return Response(found, media_type=graph_format.oxigraph.media_type, headers=headers)
