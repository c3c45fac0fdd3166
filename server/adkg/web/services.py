"""What every part of the server shares: the settings, the data folder served, the worker pool,
the cache of results and the views rendered whole."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from adkg.result_cache import ResultCache
from adkg.settings import Settings
from adkg.store import DataFolder
from adkg.workers import WorkerPool


@dataclass(frozen=True, slots=True)
class Services:
    """The server's settings, its data folder, its pool of query workers (started and ended
    with the application) and the results it keeps for repeated queries."""

    settings: Settings
    data: DataFolder
    pool: WorkerPool
    cache: ResultCache
    #: Views rendered whole (``/estimates``), by store, root path and format, least recently made first.
    views: OrderedDict[tuple[Path, str, str], bytes] = field(default_factory=OrderedDict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        """Return the services for ``settings``; the pool starts no process until started."""
        return cls(
            settings, DataFolder(settings.data_folder), WorkerPool(settings.workers),
            ResultCache(settings.result_cache_bytes, settings.result_cache_entry_bytes),
        )
