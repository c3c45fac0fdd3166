"""The application: ``create_app(settings)`` wires ``/sparql`` (a bare ASGI application), the
FastAPI routes and their error mapping, CORS around both, and the worker pool (started with the
application, ended with it). A browser opening ``/sparql`` gets the query UI's page instead
(:func:`adkg.web.query_ui.wants_page`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

from adkg.errors import AdkgError
from adkg.settings import Settings
from adkg.web import downloads, errors, estimates, graphs, health, ontology, query_ui, resources, timeline
from adkg.web.asgi import Receive, Scope, Send
from adkg.web.endpoint import SparqlEndpoint
from adkg.web.services import Services


class Application:
    """adkg's ASGI application: ``/sparql`` goes straight to the endpoint, everything else (and
    the lifespan, and a browser opening the query UI at ``/sparql``) to FastAPI."""

    def __init__(self, endpoint: ASGIApp, pages: FastAPI) -> None:
        self.endpoint, self.pages = endpoint, pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].removeprefix(scope.get("root_path", "")) if scope["type"] == "http" else None
        if path == "/sparql" and not query_ui.wants_page(scope):
            await self.endpoint(scope, receive, send)
        else:
            await self.pages(scope, receive, send)


def create_app(settings: Settings) -> ASGIApp:
    """Return the adkg web application serving the store of ``settings``' data folder."""
    services = Services.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.pool.start()
        try:
            yield
        finally:
            services.pool.close()

    pages = FastAPI(
        title="adkg SPARQL endpoint",
        summary="The Afghan Deportation Knowledge Graph over the SPARQL 1.1 Protocol.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    pages.state.services = services
    pages.add_exception_handler(AdkgError, errors.adkg_error)
    pages.add_exception_handler(StarletteHTTPException, errors.http_error)
    pages.add_exception_handler(Exception, errors.unexpected_error)
    pages.include_router(health.router)
    pages.include_router(query_ui.router)
    pages.include_router(downloads.router)
    pages.include_router(resources.router)
    pages.include_router(ontology.router)
    pages.include_router(graphs.router)
    pages.include_router(estimates.router)
    pages.include_router(timeline.router)
    # Cross-origin requests are welcome from anywhere: the data is public and no cookie is used.
    return CORSMiddleware(
        Application(SparqlEndpoint(services), pages),
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=[
            "ETag", "Last-Modified", "X-Adkg-Cache", "X-Adkg-Store", "X-Adkg-Build", "X-Adkg-Changed-Since-Build"
        ],
        max_age=86400,
    )
