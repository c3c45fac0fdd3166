"""``adkg examples``: the example queries' expected results, regenerated from the built store.

Each ``queries/examples/NAME.rq`` has ``NAME.tsv`` beside it: its SPARQL TSV results over the
store ``adkg build`` makes, the default graph being the union of the named graphs (as the endpoint
and ``adkg query`` answer). The test suite compares them; after a change to the graph, the rules
or a query, this regenerates them and shows, file by file, which rows went and which came, so a
contributor reads what the change did to each answer before committing it.
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import QueryResultsFormat, QuerySolutions, Store

from adkg.errors import LayoutError
from adkg.sources import folder_files


@dataclass(frozen=True, slots=True)
class ExampleChange:
    """An example whose expected results differ from what the store answers, as a unified diff."""

    name: str
    diff: tuple[str, ...]


def example_results(store: Store, query: Path) -> str:
    """Return the SPARQL TSV results of the example ``query`` over ``store``.

    Raises:
        LayoutError: the example is not a SELECT query.
    """
    solutions = store.query(query.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    if not isinstance(solutions, QuerySolutions):
        raise LayoutError(f"{query} is not a SELECT query; every example answers with a table")
    output = io.BytesIO()
    solutions.serialize(output, format=QueryResultsFormat.TSV)
    return output.getvalue().decode("utf-8")


def regenerate(store: Store, folder: Path, *, check: bool) -> list[ExampleChange]:
    """Compare every example of ``folder`` with its ``.tsv`` and, unless ``check``, rewrite those
    that differ (a missing ``.tsv`` is written whole).

    Returns:
        the examples whose results changed, in name order, each with the diff of its TSV.
    """
    changes = []
    for query in folder_files(folder, "*.rq"):
        expected_path = query.with_suffix(".tsv")
        expected = expected_path.read_text(encoding="utf-8") if expected_path.exists() else ""
        answered = example_results(store, query)
        if answered == expected:
            continue
        diff = difflib.unified_diff(
            expected.splitlines(), answered.splitlines(),
            f"{expected_path.name} (expected)", f"{expected_path.name} (answered)", lineterm="", n=0,
        )
        changes.append(ExampleChange(query.stem, tuple(diff)))
        if not check:
            expected_path.write_text(answered, encoding="utf-8")
    return changes
