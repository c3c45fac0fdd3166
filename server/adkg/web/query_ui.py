"""The query UI: YASGUI at ``/`` and, for a browser, at ``/sparql``; its files under ``/ui/``.

A browser that opens ``/`` or ``/sparql`` (asking for HTML before any result format, and naming
no ``format``) gets the page: YASGUI pointed at the endpoint, with every example query of
``queries/examples`` in a list that opens it in a tab of its own. ``/sparql?query=...`` opens the
UI on that query, so the one address gives a person the query and a client its results. The
page lists the examples and offers a plain form whether or not YASGUI is installed, and says how
to install it where it is not (:mod:`adkg.query_ui`).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from adkg.errors import UiInstallError
from adkg.query_ui import ASSETS, HOW_TO_INSTALL, PACKAGE, examples, find_yasgui, pinned_version
from adkg.sparql import prefers
from adkg.vocab import BASE, PREFIXES
from adkg.web.asgi import Scope, header
from adkg.web.deps import get_services
from adkg.web.html import query_link, root, templates
from adkg.web.protocol import FORMAT_PARAMETERS
from adkg.web.services import Services

router = APIRouter()
ServicesDep = Annotated[Services, Depends(get_services)]
#: How long a browser may keep YASGUI's files without asking again (they change only with its
#: version, which their address carries).
ASSET_CACHE: Final = "public, max-age=86400"
_HTML: Final = ("text/html", "application/xhtml+xml")
#: The example the UI opens on (the graph's point: competing figures side by side), where it exists.
FIRST_EXAMPLE: Final = "competing-population-estimates"


def wants_page(scope: Scope) -> bool:
    """Whether a request to ``/sparql`` is a browser opening the query UI: a GET or HEAD that
    asks for HTML before any result format and names no ``format``.

    >>> browser = [(b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")]
    >>> wants_page({"method": "GET", "headers": browser, "query_string": b"query=ASK%7B%7D"})
    True
    >>> wants_page({"method": "GET", "headers": browser, "query_string": b"query=ASK%7B%7D&format=json"})
    False
    >>> wants_page({"method": "GET", "headers": [(b"accept", b"*/*")], "query_string": b""})
    False
    """
    if scope["method"] not in {"GET", "HEAD"} or not prefers(header(scope, b"accept"), *_HTML):
        return False
    names = {pair.partition(b"=")[0].decode("latin-1") for pair in scope["query_string"].split(b"&")}
    return names.isdisjoint(FORMAT_PARAMETERS)


async def _page(request: Request, services: Services) -> Response:
    settings = services.settings
    prefix = root(request)
    listed = [
        {"name": e.name, "question": e.question, "text": e.text, "link": query_link(prefix, e.text, title=e.name)}
        for e in examples(settings.examples_folder)
    ]
    first = next((e for e in listed if e["name"] == FIRST_EXAMPLE), listed[0] if listed else None)
    query = request.query_params.get("query")
    try:
        pinned: str | None = pinned_version(settings.ui_folder)
    except UiInstallError:  # the page still lists the examples and offers its form
        pinned = None
    context = {
        "endpoint": f"{request.base_url}".rstrip("/") + "/sparql",
        "base": BASE,
        "yasgui": find_yasgui(settings.ui_folder),
        "package": PACKAGE,
        "pinned": pinned,
        "how_to_install": HOW_TO_INSTALL,
        "examples": listed,
        "first": first,
        "query": query if query is not None else (first["text"] if first else ""),
        "title": request.query_params.get("tabTitle"),
    }
    return templates.TemplateResponse(request, "query.html", context, headers={"vary": "Accept"})


@router.api_route("/", methods=["GET", "HEAD"])
async def home(request: Request, services: ServicesDep) -> Response:
    """The query UI."""
    return await _page(request, services)


@router.api_route("/sparql", methods=["GET", "HEAD"])
async def query_page(request: Request, services: ServicesDep) -> Response:
    """The query UI, for a browser (see :func:`wants_page`; other requests go to the endpoint)."""
    return await _page(request, services)


@router.get("/ui/prefixes.json")
async def prefixes() -> Response:
    """The project's prefixes, in prefix.cc's form, for YASGUI's prefix completion."""
    return JSONResponse(dict(PREFIXES), headers={"cache-control": ASSET_CACHE})


@router.api_route("/ui/{name}", methods=["GET", "HEAD"])
async def asset(name: str, request: Request, services: ServicesDep) -> Response:
    """One of YASGUI's files; 404 for any other name, or where YASGUI is not installed."""
    installed = find_yasgui(services.settings.ui_folder)
    if name not in ASSETS or installed is None:
        what = f"{PACKAGE} is not installed: {HOW_TO_INSTALL}" if name in ASSETS else f"no file {name} here"
        return Response(f"{what}\n", status_code=404, media_type="text/plain; charset=utf-8")
    media_type = "text/javascript" if name.endswith(".js") else "text/css"
    return FileResponse(installed.build / name, media_type=media_type, headers={"cache-control": ASSET_CACHE})
