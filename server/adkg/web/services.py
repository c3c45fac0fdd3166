"""What every part of the server shares: the settings, the data folder served and the worker pool."""

from __future__ import annotations

from dataclasses import dataclass

from adkg.settings import Settings
from adkg.store import DataFolder
from adkg.workers import WorkerPool


@dataclass(frozen=True, slots=True)
class Services:
    """The server's settings, its data folder and its pool of query workers (started and ended
    with the application)."""

    settings: Settings
    data: DataFolder
    pool: WorkerPool

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        """Return the services for ``settings``; the pool starts no process until started."""
        return cls(settings, DataFolder(settings.data_folder), WorkerPool(settings.workers))
