"""What routes depend on: the settings and the worker pool, kept on the application's state."""

from __future__ import annotations

from fastapi import Request

from adkg.settings import Settings
from adkg.workers import WorkerPool


def get_settings(request: Request) -> Settings:
    """Return the settings the application was made with."""
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> WorkerPool:
    """Return the application's pool of query workers."""
    pool: WorkerPool = request.app.state.pool
    return pool
