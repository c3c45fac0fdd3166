"""Shared fixtures: where the project and the test data are."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from adkg.cli import app
from adkg.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA = PROJECT_ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The checkout under test."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def test_output() -> Path:
    """Where tests keep what a person reviews after the run (browser screenshots):
    ``build/test-output/`` of the checkout, made anew each run."""
    folder = PROJECT_ROOT / "build" / "test-output"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def copy_fixture(source: Path, destination: Path) -> Path:
    """Copy the Turtle fixture ``source`` to ``destination`` without the comment lines that open it.

    A fixture opens with a comment saying what it is for; ``adkg fmt`` and ``adkg anchor`` refuse to
    rewrite a file whose comment they would drop, so a test that lets them rewrite a fixture gives
    them a copy without it.
    """
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    destination.write_text("".join(lines), encoding="utf-8")
    return destination


def add_second_source(project: Path) -> None:
    """Put the test's second source (``tests/data/second-source``: its seed, its graph file and the
    variables it adds) into the project copy ``project``, as a contributor would; anchors and
    build are the caller's."""
    second = DATA / "second-source"
    shutil.copy(second / "001_test_second_source.txt", project / "seeds")
    (project / "graph" / "source" / "test-second").mkdir()
    copy_fixture(second / "source.ttl", project / "graph" / "source" / "test-second" / "source.ttl")
    copy_fixture(second / "variables.ttl", project / "graph" / "entities" / "test-variables.ttl")


def copy_project(destination: Path) -> Path:
    """Copy the project's sources (ontology, graph, shapes, queries, seeds) into ``destination``."""
    for folder in ("ontology", "graph", "shapes", "queries", "seeds"):
        shutil.copytree(PROJECT_ROOT / folder, destination / folder)
    return destination


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's sources that a test may build in or break."""
    return copy_project(tmp_path)


@pytest.fixture
def run_adkg(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Run the ``adkg`` command line in-process over a project root; return its result."""
    runner = CliRunner()

    def run(*args: str, root: Path = PROJECT_ROOT) -> Result:
        monkeypatch.setenv("ADKG_PROJECT_ROOT", str(root))
        get_settings.cache_clear()
        return runner.invoke(app, list(args))

    yield run
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project built once per test run, for tests that only read its store."""
    from adkg.build import build
    from adkg.settings import Settings

    root = copy_project(tmp_path_factory.mktemp("built"))
    build(Settings(project_root=root))
    return root


@pytest.fixture(scope="session")
def served_store(built_project: Path) -> Path:
    """The folder of the store the shared build serves."""
    from adkg.store import DataFolder

    return DataFolder(built_project / ".adkg").require_current()
