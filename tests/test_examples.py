"""The example queries in queries/examples/ answer their questions over the built store.

Each ``NAME.rq`` opens with a comment stating the question and has ``NAME.tsv`` beside it: the
SPARQL TSV results it must return from the store ``adkg build`` makes (the run's shared build),
the default graph being the union of the named graphs, as the endpoint and ``adkg query`` answer.
Every example orders its results, so the TSV text is compared whole. An expected file is written by
running the query and reading the result against the sources; ``adkg build && adkg examples``
regenerates them all and prints what changed in each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store
from rdflib.plugins.sparql import prepareQuery

from adkg.examples import example_results
from adkg.store import open_read_only

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = PROJECT_ROOT / "queries" / "examples"
QUERIES = sorted(EXAMPLES.glob("*.rq"))


@pytest.fixture(scope="module")
def store(served_store: Path) -> Iterator[Store]:
    with open_read_only(served_store) as handle:
        yield handle.store


def test_there_are_at_least_fifteen_examples() -> None:
    assert len(QUERIES) >= 15


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_opens_with_its_question_and_orders_its_results(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), f"{path.name} must open with a comment stating its question"
    algebra = prepareQuery(text).algebra
    assert algebra.name == "SelectQuery", f"{path.name} must be a SELECT query"
    assert "OrderBy_" in repr(algebra), f"{path.name} must order its results so they compare exactly"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_example_returns_its_expected_results(path: Path, store: Store) -> None:
    expected = path.with_suffix(".tsv").read_text(encoding="utf-8")
    assert example_results(store, path) == expected
