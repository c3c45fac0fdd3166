"""``adkg coverage``: every sentence, figure and footnote marker of a source is covered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from adkg.coverage import CoverageSummary, source_coverage
from adkg.namespaces import ADKGR
from adkg.turtle_files import parse_turtle
from conftest import DATA

TEXT = (DATA / "valid" / "coverage" / "text.txt").read_text(encoding="utf-8")
SOURCE = ADKGR["source-test"]


def _gaps(path: Path) -> list[str]:
    report = source_coverage(parse_turtle(path), SOURCE, TEXT)
    return [gap for sentence in report for gap in sentence.gaps()]


def test_full_coverage_has_no_gaps_and_counts_the_exclusion() -> None:
    report = source_coverage(parse_turtle(DATA / "valid" / "coverage" / "full-coverage.ttl"), SOURCE, TEXT)
    assert CoverageSummary.of(report) == CoverageSummary(
        sentences=2,
        sentences_with_nodes=2,
        sentences_excluded=0,
        figures=3,
        figures_anchored=2,
        figures_excluded=1,
        footnotes=2,
        footnotes_cited=2,
        gaps=0,
    )
    assert report[0].nodes == ("adkgr:claim-population",)
    assert [f.figure.text for f in report[0].figures] == ["2023", "3.8 million"]


INVALID = {
    "sentence-without-node.ttl": [
        "no node is anchored in this sentence",
        "figure 'One' at 62 is in no anchor and not excluded",
        "footnote [2] is cited by no node anchored here",
    ],
    "figure-not-anchored.ttl": [
        "figure '2023' at 3 is in no anchor and not excluded",
        "figure '3.8 million' at 16 is in no anchor and not excluded",
    ],
    "figure-not-excluded.ttl": ["figure 'One' at 62 is in no anchor and not excluded"],
    "footnote-not-cited.ttl": ["footnote [1] is cited by no node anchored here"],
}


def test_every_invalid_coverage_file_is_listed() -> None:
    assert {p.name for p in (DATA / "invalid" / "coverage").iterdir()} == set(INVALID)


@pytest.mark.parametrize(("name", "expected"), INVALID.items(), ids=list(INVALID))
def test_each_gap_is_reported(name: str, expected: list[str]) -> None:
    assert _gaps(DATA / "invalid" / "coverage" / name) == expected



def test_project_graph_covers_its_seed(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("coverage")
    assert result.exit_code == 0, result.output[-3000:]
    assert "GAP" not in result.output
