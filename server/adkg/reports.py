"""What the ontology and the graph hold, counted by the report queries in ``queries/reports/``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from pyoxigraph import Store


def term_counts(store: Store, reports_folder: Path) -> list[tuple[str, int]]:
    """Return ``(kind, count)`` rows of ``term-counts.rq`` run over a lint dataset ``store``."""
    query = (reports_folder / "term-counts.rq").read_text(encoding="utf-8")
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return [(row["kind"].value, int(row["count"].value)) for row in solutions]


def class_counts(store: Store, reports_folder: Path) -> list[tuple[str, int]]:
    """Return ``(class IRI, count)`` rows of ``class-counts.rq`` run over a dataset ``store``."""
    query = (reports_folder / "class-counts.rq").read_text(encoding="utf-8")
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return [(row["class"].value, int(row["count"].value)) for row in solutions]
