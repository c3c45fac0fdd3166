"""``adkg find``: the nodes a new source's claims can link to, looked up by the words of a label.

A contributor modelling a figure or an actor looks for the node that already stands for it (an
actor, a place, a population group, a statistical variable of ``graph/entities/``, a concept of
the ontology) before minting a new one. The candidates and their labels come from the report
query ``queries/reports/linkable-nodes.rq`` over the project's Turtle files (so the lookup sees
what is written, built or not); a node matches when every word looked up occurs, ignoring case,
in one of its labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, QuerySolutions, Store

from adkg.vocab import compact


@dataclass(frozen=True, slots=True)
class Match:
    """A node whose label holds every word looked up: its compact name, types and labels."""

    node: str
    types: tuple[str, ...]
    labels: tuple[str, ...]
    measures: str | None

    def __str__(self) -> str:
        shown = f"{self.node}  {' '.join(self.types)}  {' | '.join(repr(label) for label in self.labels)}"
        return f"{shown}  ({self.measures})" if self.measures else shown


def matches(words: str, label: str) -> bool:
    """Whether every word of ``words`` occurs in ``label``, ignoring case.

    >>> matches("afghans PAKISTAN", "Afghans in Pakistan"), matches("undocumented visa", "Afghans without visas")
    (True, False)
    """
    folded = label.casefold()
    return all(word in folded for word in words.casefold().split())


def find(store: Store, words: str, reports_folder: Path) -> list[Match]:
    """Return the nodes of ``store`` (a dataset of the project's files) with a label matching ``words``.

    Returns:
        the matches in the order of their compact names; a node lists only its matching labels.
    """
    query = (reports_folder / "linkable-nodes.rq").read_text(encoding="utf-8")
    solutions = store.query(query)
    assert isinstance(solutions, QuerySolutions)
    found: dict[str, Match] = {}
    for row in solutions:
        label = row["label"]
        if not isinstance(label, Literal) or not matches(words, label.value):
            continue
        node = compact(row["node"].value)
        known = found.get(node)
        measures = row["measures"]
        found[node] = Match(
            node,
            tuple(compact(t) for t in row["types"].value.split()),
            (*known.labels, label.value) if known else (label.value,),
            measures.value if measures is not None else None,
        )
    return sorted(found.values(), key=lambda match: match.node)
