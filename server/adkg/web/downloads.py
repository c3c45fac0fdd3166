"""``/download/`` and ``/.well-known/void``: the dataset's dumps and its DCAT/VoID description.

``/download/`` lists the dumps (HTML); ``/download/NAME`` serves one (``dataset.trig``,
``dataset.nq``, ``dataset.ttl``, ``dataset.jsonld``), gzip-compressed when the client accepts
gzip, and ``/download/NAME.gz`` the compressed file itself. ``/.well-known/void`` serves the
description in the RDF format the Accept header asks for (Turtle by default). Each answer carries
an ETag and a Last-Modified from the build of the store it comes from, and a request whose
If-None-Match lists the tag, or whose If-Modified-Since is not before the build, gets 304.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Annotated, Final, cast

import anyio.to_thread
import pyoxigraph
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from adkg.dumps import DATASET, DESCRIPTION_GRAPH, DumpFormat, dump_path, store_description
from adkg.settings import Settings
from adkg.sparql import GraphFormat, negotiate, prefers
from adkg.store import DataFolder, build_id, store_report
from adkg.vocab import PREFIXES
from adkg.web.deps import get_data, get_settings
from adkg.web.html import templates

router = APIRouter()
DataDep = Annotated[DataFolder, Depends(get_data)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
_GZIP: Final = re.compile(r"^\s*(gzip|x-gzip|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def _built(store: Path) -> datetime:
    return datetime.fromisoformat(store_report(store)["built_at"])


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header accepts gzip.

    >>> accepts_gzip("br, gzip;q=0.5"), accepts_gzip("gzip;q=0"), accepts_gzip(None), accepts_gzip("*")
    (True, False, False, True)
    """
    for item in (accept_encoding or "").split(","):
        match = _GZIP.match(item)
        if match and float(match[2] or 1) > 0:
            return True
    return False


def not_modified(request: Request, etag: str, store: Path) -> bool:
    """Whether the request's validators say the client holds the answer from the store ``store``."""
    built = _built(store)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return if_none_match.strip() == "*" or etag.removeprefix("W/") in re.findall(r'"[^"]*"', if_none_match)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return built.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):  # an unreadable date is ignored, as RFC 9110 says
        return False


def validators(store: Path, tag: str) -> dict[str, str]:
    """The ETag and Last-Modified of the answer ``tag`` from the store ``store``."""
    return {"etag": f'"{store.name}-{tag}"', "last-modified": format_datetime(_built(store), usegmt=True)}


@router.api_route("/download/", methods=["GET", "HEAD"])
async def download_index(request: Request, data: DataDep, settings: SettingsDep) -> Response:
    """The list of the dumps of the store being served."""
    store = data.require_current()
    description = await anyio.to_thread.run_sync(store_description, store)
    licences = sorted({
        str(q.object)[1:-1] for q in description
        if q.subject == DATASET and q.predicate.value == PREFIXES["dcterms"] + "license"
    })
    report = store_report(store)
    return templates.TemplateResponse(request, "download.html", {
        "build_id": build_id(store),
        "built_at": report["built_at"],
        "triples": sum(report["graphs"].values()),
        "description_graph": DESCRIPTION_GRAPH.value,
        "licences": licences,
        "dumps": list(DumpFormat),
        "sizes_query": (settings.reports_folder / "graph-sizes.rq").read_text(encoding="utf-8"),
    }, headers={"vary": "Accept-Encoding"})


@router.api_route("/download/{name}", methods=["GET", "HEAD"])
async def download(name: str, request: Request, data: DataDep) -> Response:
    """One dump, gzip-compressed if the client accepts it (or asks for ``NAME.gz``)."""
    dump = DumpFormat.named(name.removesuffix(".gz"))
    if dump is None:
        context = {"name": name, "dumps": list(DumpFormat)}
        return templates.TemplateResponse(request, "no-dump.html", context, status_code=404)
    store = data.require_current()
    asked_gz = name.endswith(".gz")
    compressed = asked_gz or accepts_gzip(request.headers.get("accept-encoding"))
    headers = {**validators(store, name + (".gzip" if compressed and not asked_gz else "")), "vary": "Accept-Encoding"}
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    path = await anyio.to_thread.run_sync(lambda: dump_path(store, dump, compressed=compressed))
    if asked_gz:
        return FileResponse(path, media_type="application/gzip", headers=headers, filename=name)
    if compressed:
        headers["content-encoding"] = "gzip"
    return FileResponse(path, media_type=dump.media_type, headers=headers, filename=name)


@router.api_route("/.well-known/void", methods=["GET", "HEAD"])
async def void(request: Request, data: DataDep) -> Response:
    """The DCAT/VoID description of the dataset, in the RDF format asked for (Turtle by default;
    for a browser, the Turtle in a page).

    Raises:
        NotAcceptableError: no RDF format fits the Accept header (406).
    """
    store = data.require_current()
    accept, format_name = request.headers.get("accept"), request.query_params.get("format")
    html = format_name is None and prefers(accept, "text/html", "application/xhtml+xml")
    graph_format = GraphFormat.TURTLE if html else negotiate(accept, format_name=format_name).for_graph()
    headers = {**validators(store, "void-html" if html else f"void-{graph_format.value}"), "vary": "Accept"}
    if not_modified(request, headers["etag"], store):
        return Response(status_code=304, headers=headers)
    description = await anyio.to_thread.run_sync(store_description, store)
    rdf_format = graph_format.oxigraph
    quads = description if rdf_format.supports_datasets else [
        pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in description
    ]
    body = cast("bytes", pyoxigraph.serialize(quads, format=rdf_format, prefixes=dict(PREFIXES)))
    if html:  # a browser following the download page's link: the Turtle, in a page
        context = {"turtle": body.decode("utf-8")}
        return templates.TemplateResponse(request, "void.html", context, headers=headers)
    return Response(body, media_type=rdf_format.media_type, headers=headers)
