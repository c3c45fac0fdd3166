"""The ``adkg`` command line offers exactly the commands that work, and the main job runs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from click.testing import Result

from adkg.cli import app
from conftest import PROJECT_ROOT

COMMANDS = [
    "anchor", "build", "coverage", "examples", "find", "fmt", "lint", "query", "report", "serve", "source", "ui",
    "up", "validate",
]


def test_commands_are_exactly_those_that_work(run_adkg: Callable[..., Result]) -> None:
    assert sorted(typer.main.get_command(app).commands) == COMMANDS
    result = run_adkg("--help")
    assert result.exit_code == 0
    assert all(name in result.output for name in COMMANDS)


def test_up_checks_sources_and_prints_term_and_class_counts(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    result = run_adkg("up", "--no-serve", root=project)
    assert result.exit_code == 0, result.output
    assert re.search(r"\b0 would be reformatted", result.output)
    assert re.search(r"\b0 violations", result.output)
    ontology_part = result.output.split("ontology terms:")[1].split("parse ...")[0]
    counts = {
        kind: int(count)
        for count, kind in re.findall(r"^\s+(\d+)\s+(\S.*)$", ontology_part, flags=re.MULTILINE)
    }
    assert set(counts) == {
        "classes",
        "object properties",
        "datatype properties",
        "concept schemes",
        "concepts",
        "reused terms of other vocabularies",
    }
    assert all(count > 0 for count in counts.values())
    assert "anchors: done" in result.output
    assert "validate: done" in result.output
    sources = sum(1 for folder in (project / "graph" / "source").iterdir() if folder.is_dir())
    assert re.search(rf"^\s+{sources}\s+adkg:SourceDocument$", result.output, flags=re.MULTILINE)
    assert re.search(r"^build: \d+ claims", result.output, flags=re.MULTILINE)
    assert "ui: @zazuko/yasgui 4.6.2 in " in result.output


def test_up_goes_on_without_npm_and_says_how_to_get_the_ui(
    run_adkg: Callable[..., Result], project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "package.json").write_bytes((PROJECT_ROOT / "server" / "ui" / "package.json").read_bytes())
    monkeypatch.setenv("ADKG_UI_DIR", str(ui))
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    result = run_adkg("up", "--no-serve", root=project)
    assert result.exit_code == 0, result.output
    assert "ui: npm not found, so the query UI is not installed: install Node.js and npm" in result.output
    assert "the endpoint and every other page work without it" in result.output
    assert run_adkg("ui", root=project).exit_code == 1


@pytest.mark.parametrize("command", ["fmt", "lint", "anchor", "coverage", "validate", "up"])
def test_commands_on_a_folder_that_is_not_a_project_exit_2(
    run_adkg: Callable[..., Result], tmp_path: Path, command: str
) -> None:
    """Regression: on an empty folder these commands checked nothing and passed."""
    result = run_adkg(command, root=tmp_path)
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_fmt_of_a_path_that_does_not_exist_exits_2(run_adkg: Callable[..., Result], tmp_path: Path) -> None:
    result = run_adkg("fmt", "--check", str(tmp_path / "typo.ttl"))
    assert result.exit_code == 2
    assert "typo.ttl does not exist" in result.output
