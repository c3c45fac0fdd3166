"""What routes depend on: the settings, the data folder and the worker pool, kept on the application's state.

They are coroutines so that FastAPI calls them on the event loop, not in a thread.
"""

from __future__ import annotations

from fastapi import Request

from adkg.settings import Settings
from adkg.store import DataFolder
from adkg.workers import WorkerPool


async def get_settings(request: Request) -> Settings:
    """Return the settings the application was made with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> WorkerPool:
    """Return the application's pool of query workers."""
    pool: WorkerPool = request.app.state.pool
    return pool


async def get_data(request: Request) -> DataFolder:
    """Return the data folder the application serves from."""
    data: DataFolder = request.app.state.data
    return data
