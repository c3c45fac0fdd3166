"""The data folder: only adkg's stores are removed, never one that is read, abandoned ones are."""

from __future__ import annotations

from pathlib import Path

import pytest

from adkg.build import build
from adkg.errors import StoreNotFoundError
from adkg.settings import Settings
from adkg.sparql import check_query
from adkg.store import REPORT, DataFolder, open_read_only
from adkg.workers import Job, Worker, answer


def test_a_build_never_removes_a_folder_adkg_did_not_make(project: Path) -> None:
    """Regression: a build deleted any folder under stores/ that sorted before the new one."""
    settings = Settings(project_root=project)
    mine = settings.data_folder / "stores" / "00-my-backup"
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    for _ in range(3):
        build(settings)
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_a_build_clears_stores_abandoned_by_killed_builds(project: Path) -> None:
    settings = Settings(project_root=project)
    data = DataFolder(settings.data_folder)
    data.stores.mkdir(parents=True)
    abandoned = data.stores / "20200101T000000000000Z-1"
    abandoned.mkdir()  # what a build killed before its report leaves
    (abandoned / "000001.sst").write_bytes(b"half written")
    build(settings)
    assert not abandoned.exists()


@pytest.mark.anyio
async def test_a_store_a_running_worker_reads_is_never_pruned(project: Path) -> None:
    settings = Settings(project_root=project)
    data = DataFolder(settings.data_folder)
    build(settings)
    first = data.require_current()
    worker = Worker()
    ask = Job(first, "ASK { ?s ?p ?o }", check_query("ASK { ?s ?p ?o }"))
    try:
        assert b"true" in (await answer(worker, ask, timeout=30)).first
        build(settings)
        report = build(settings)  # the first store is now two builds old
        assert first.is_dir()
        assert any("still read" in warning for warning in report.warnings)
        assert b"true" in (await answer(worker, ask, timeout=30)).first
    finally:
        worker.close()
    build(settings)
    assert not first.exists()
    assert len(list(data.stores.iterdir())) == 2


def test_opening_a_store_that_is_not_one_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError, match="not a store"):
        open_read_only(tmp_path / "missing")
    (tmp_path / "half").mkdir()
    with pytest.raises(StoreNotFoundError, match=f"no {REPORT}"):
        open_read_only(tmp_path / "half")
    with pytest.raises(StoreNotFoundError, match="run adkg build"):
        DataFolder(tmp_path).require_current()
