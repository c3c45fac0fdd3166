"""The application: ``create_app(settings)`` wires the routers, the error mapping, CORS and the
worker pool (started with the application, ended with it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from adkg.errors import AdkgError
from adkg.settings import Settings
from adkg.store import DataFolder
from adkg.web import errors, protocol
from adkg.workers import WorkerPool


def create_app(settings: Settings) -> FastAPI:
    """Return the adkg web application serving the store of ``settings``' data folder."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(settings.workers)
        pool.start()
        app.state.pool = pool
        app.state.data = DataFolder(settings.data_folder)
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="adkg SPARQL endpoint",
        summary="The Afghan Deportation Knowledge Graph over the SPARQL 1.1 Protocol.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=False,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["X-Adkg-Store", "X-Adkg-Build", "X-Adkg-Changed-Since-Build"],
        max_age=86400,
    )
    app.add_exception_handler(AdkgError, errors.adkg_error)
    app.add_exception_handler(Exception, errors.unexpected_error)
    app.include_router(protocol.router)
    return app
