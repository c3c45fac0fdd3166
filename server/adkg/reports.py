"""What the ontology and the graph hold, counted by the report queries in ``queries/reports/``."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
from pyoxigraph import Store

from adkg.errors import SourceSyntaxError


def _counts(store: Store, query_file: Path, key: str) -> list[tuple[str, int]]:
    """Return the ``(?key, ?count)`` rows of the report query in ``query_file``.

    Raises:
        SourceSyntaxError: the query does not parse or is not a SELECT.
    """
    try:
        solutions = store.query(query_file.read_text(encoding="utf-8"))
    except SyntaxError as error:
        raise SourceSyntaxError(query_file, error.lineno, error.msg) from error
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise SourceSyntaxError(query_file, None, "a report must be a SELECT query")
    return [(row[key].value, int(row["count"].value)) for row in solutions]


def term_counts(store: Store, reports_folder: Path) -> list[tuple[str, int]]:
    """Return ``(kind, count)`` rows of ``term-counts.rq`` run over a lint dataset ``store``."""
    return _counts(store, reports_folder / "term-counts.rq", "kind")


def class_counts(store: Store, reports_folder: Path) -> list[tuple[str, int]]:
    """Return ``(class IRI, count)`` rows of ``class-counts.rq`` run over a dataset ``store``."""
    return _counts(store, reports_folder / "class-counts.rq", "class")


def graph_sizes(store: Store, reports_folder: Path) -> list[tuple[str, int]]:
    """Return ``(named graph IRI, triples)`` rows of ``graph-sizes.rq`` run over a built store."""
    return _counts(store, reports_folder / "graph-sizes.rq", "graph")


def claim_count(store: Store, reports_folder: Path) -> int:
    """Return the number of claims ``claim-count.rq`` counts in a built store."""
    [(_, count)] = _counts(store, reports_folder / "claim-count.rq", "kind")
    return count
