"""What FastAPI routes depend on: the application's :class:`~adkg.web.services.Services`.

They are coroutines so that FastAPI calls them on the event loop, not in a thread.
"""

from __future__ import annotations

from fastapi import Request

from adkg.settings import Settings
from adkg.store import DataFolder
from adkg.web.services import Services


async def get_services(request: Request) -> Services:
    """Return what the application shares."""
    services: Services = request.app.state.services
    return services


async def get_settings(request: Request) -> Settings:
    """Return the settings the application was made with."""
    return (await get_services(request)).settings


async def get_data(request: Request) -> DataFolder:
    """Return the data folder the application serves from."""
    return (await get_services(request)).data
