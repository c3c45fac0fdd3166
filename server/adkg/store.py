"""The data folder: built stores, the link to the one being served, the build lock, and readers.

Layout of the data folder (``ADKG_DATA_DIR``, ``.adkg/`` by default)::

    stores/20261203T162610123456Z-4242/   one Oxigraph store per build (or per accepted update),
        build-report.json                 written when the store is complete
        adkg-readers.lock                 held shared by every process reading the store
    store -> stores/...                   the store being served, replaced by one atomic rename
    build.lock                            held by the one process writing stores
    build-report.json                     the report of the store being served

Only folders whose names have the form adkg gives its stores are ever removed, and only while
holding the build lock: complete stores other than the served one and the one before it, and
incomplete ones (left by a build that was killed). A store that some process reads (it holds the
readers lock shared) is never removed; a later prune removes it once nobody reads it.

Nothing here imports rdflib or the build modules.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Final

from pyoxigraph import Store

from adkg.errors import StoreError, StoreNotFoundError

#: The name adkg gives a store folder: a UTC time stamp and the id of the process that made it.
STORE_NAME: Final = re.compile(r"\d{8}T\d{12}Z-\d+")
#: The file, in a store folder, that marks it complete (and describes it).
REPORT: Final = "build-report.json"
#: The file, in a store folder, that readers hold a shared lock on.
READERS_LOCK: Final = "adkg-readers.lock"
#: How many complete stores a prune keeps: the one being served and the one before it.
KEEP_STORES: Final = 2


class StoreBusyError(StoreError):
    """Another process holds the build lock of the data folder."""


@dataclass(frozen=True, slots=True)
class DataFolder:
    """The data folder at ``path``: where stores are built, served from and removed.

    >>> folder = DataFolder(Path("/srv/adkg/.adkg"))
    >>> folder.stores
    PosixPath('/srv/adkg/.adkg/stores')
    >>> folder.current() is None
    True
    >>> folder.is_store_name("20261203T162610123456Z-4242"), folder.is_store_name("mine")
    (True, False)
    """

    path: Path

    @property
    def stores(self) -> Path:
        """The folder holding one folder per built store."""
        return self.path / "stores"

    @property
    def link(self) -> Path:
        """The symbolic link to the store being served."""
        return self.path / "store"

    @staticmethod
    def is_store_name(name: str) -> bool:
        """Return whether ``name`` has the form adkg gives the stores it makes."""
        return STORE_NAME.fullmatch(name) is not None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", self.path.resolve())  # once, so current() needs one readlink

    def current(self) -> Path | None:
        """Return the resolved folder of the store being served, or None if none was built.

        It takes one ``readlink`` (this runs on every request of the server): the link adkg
        writes is relative to the data folder, whose path is resolved when this is made.
        """
        try:
            target = Path(os.readlink(self.link))
        except FileNotFoundError:
            return None
        if target.is_absolute() or ".." in target.parts:
            return self.link.resolve()
        return self.path / target

    def require_current(self) -> Path:
        """Return the folder of the store being served.

        Raises:
            StoreNotFoundError: no store has been built.
        """
        current = self.current()
        if current is None or not current.is_dir():
            raise StoreNotFoundError(f"no store has been built yet in {self.path}: run adkg build")
        return current

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the build lock, so that one process at a time makes, swaps or removes stores.

        Raises:
            StoreBusyError: another process holds it.
        """
        self.stores.mkdir(parents=True, exist_ok=True)
        with (self.path / "build.lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise StoreBusyError(f"another adkg build or update is running on {self.path}") from error
            yield

    def new_store_path(self) -> Path:
        """Return the path of a store folder that does not exist yet (not created)."""
        while True:
            path = self.stores / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
            if not path.exists():
                return path

    def swap(self, new_store: Path) -> None:
        """Point the served-store link at ``new_store`` in one atomic rename."""
        temporary = self.path / f"store.{os.getpid()}.link"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(new_store.relative_to(self.path))
        os.replace(temporary, self.link)

    def save_report(self, text: str) -> None:
        """Write ``text`` as the served store's report, atomically."""
        temporary = self.path / f"{REPORT}.{os.getpid()}"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, self.path / REPORT)

    def prune(self, *, keep: set[Path]) -> list[str]:
        """Remove the stores adkg made that nobody needs; call it holding :meth:`exclusive`.

        Kept: the ``KEEP_STORES`` newest complete stores, every store in ``keep`` and the served
        one, every store a process reads, and every folder whose name adkg does not give.

        Returns:
            warnings: stores that could not be removed, or are kept because they are read.
        """
        current = self.current()
        ours = sorted(p for p in self.stores.iterdir() if p.is_dir() and self.is_store_name(p.name))
        complete = [p for p in ours if (p / REPORT).is_file()]
        keep = {p.resolve() for p in keep} | set(complete[-KEEP_STORES:]) | ({current} if current else set())
        warnings = []
        for old in ours:
            if old.resolve() in keep:
                continue
            try:
                with _unread(old) as unread:
                    if unread:
                        shutil.rmtree(old)
                    else:
                        warnings.append(f"the old store {old} is still read by a running process; kept")
            except OSError as error:
                warnings.append(f"could not remove the old store {old}: {error}")
        return warnings


@contextmanager
def _unread(store: Path) -> Iterator[bool]:
    """Yield whether no process reads ``store``; while True, no reader can start reading it."""
    with (store / READERS_LOCK).open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


@lru_cache(maxsize=32)
def store_report(store: Path) -> dict[str, Any]:
    """Return the report saved in the store folder ``store`` (it never changes once written).

    Raises:
        StoreNotFoundError: the folder has no report.
    """
    try:
        report: dict[str, Any] = json.loads((store / REPORT).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise StoreNotFoundError(f"{store} is not a complete store (it has no {REPORT})") from error
    return report


def build_id(store: Path) -> str:
    """Return the id of the build the store folder ``store`` comes from: a build's own store is
    named for it; a store an update made says in its report which build it changed.

    Raises:
        StoreNotFoundError: the folder has no report.
    """
    built: str = store_report(store).get("build_id", store.name)
    return built


@dataclass(slots=True)
class ReadHandle:
    """A read-only Oxigraph handle on one store, and the shared lock that keeps it from pruning.

    Close it (or use it as a context manager) to let the store be removed.
    """

    path: Path
    store: Store
    _lock: IO[str]

    def close(self) -> None:
        """Release the readers lock; the handle must not be used afterwards."""
        self._lock.close()

    def __enter__(self) -> ReadHandle:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_read_only(path: Path) -> ReadHandle:
    """Open the store folder ``path`` read-only, registered as read so no prune removes it.

    Raises:
        StoreNotFoundError: ``path`` is not a store (or was removed meanwhile).
    """
    try:
        lock = (path / READERS_LOCK).open("a")
    except OSError as error:
        raise StoreNotFoundError(f"{path} is not a store: {error}") from error
    try:
        fcntl.flock(lock, fcntl.LOCK_SH)
        if not (path / REPORT).is_file():
            raise StoreNotFoundError(f"{path} is not a complete store (it has no {REPORT})")
        return ReadHandle(path, Store.read_only(str(path)), lock)
    except BaseException:
        lock.close()
        raise
