"""The named graphs of the dataset, and an in-memory Oxigraph store holding them.

Which graph a file goes to follows from its folder (the README):

- ``ontology/**``               → ``https://w3id.org/adkg/graph/ontology``
- ``graph/entities/**``         → ``https://w3id.org/adkg/graph/entities``
- ``graph/source/SLUG/**``      → ``https://w3id.org/adkg/graph/source/SLUG``

>>> graph_name(Path("graph/source/wikipedia-extract/claims.ttl"))
<NamedNode value=https://w3id.org/adkg/graph/source/wikipedia-extract>
>>> graph_name(Path("ontology/concepts.ttl"))
<NamedNode value=https://w3id.org/adkg/graph/ontology>
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pyoxigraph import NamedNode, RdfFormat, Store

from adkg.errors import LayoutError, SourceSyntaxError
from adkg.turtle_files import turtle_files

GRAPH_BASE: Final = "https://w3id.org/adkg/graph/"


def graph_name(relative_path: Path) -> NamedNode:
    """Return the named graph of the source file at ``relative_path`` (relative to the root).

    Raises:
        LayoutError: the path lies in no folder that maps to a named graph.
    """
    parts = relative_path.parts
    match parts:
        case ("ontology", *_):
            return NamedNode(GRAPH_BASE + "ontology")
        case ("graph", "entities", *_):
            return NamedNode(GRAPH_BASE + "entities")
        case ("graph", "source", slug, _, *_):
            return NamedNode(f"{GRAPH_BASE}source/{slug}")
    raise LayoutError(
        f"{relative_path} lies in no folder that maps to a named graph: put it under "
        "graph/entities/ or graph/source/SLUG/"
    )


def load_files(store: Store, files: list[Path], root: Path, *, bulk: bool = False) -> None:
    """Load each Turtle file of ``files`` (below ``root``) into its named graph of ``store``.

    ``bulk`` uses Oxigraph's bulk loader, for a new on-disk store.

    Raises:
        SourceSyntaxError: Oxigraph rejects a file; the error names its line.
        LayoutError: a file lies in no folder that maps to a named graph.
    """
    for path in files:
        to_graph = graph_name(path.relative_to(root))
        try:
            if bulk:
                store.bulk_load(path=path, format=RdfFormat.TURTLE, to_graph=to_graph)
            else:
                store.load(path=path, format=RdfFormat.TURTLE, to_graph=to_graph)
        except SyntaxError as error:
            raise SourceSyntaxError(path, error.lineno, str(error)) from error


def dataset_files(root: Path) -> list[Path]:
    """Return the files of the dataset: every Turtle file of ``ontology/`` and ``graph/``.

    Raises:
        LayoutError: one of the two folders does not exist.
    """
    return list(turtle_files([root / "ontology", root / "graph"]))


def load_dataset(root: Path) -> Store:
    """Return an in-memory store with the ontology and graph files in their named graphs.

    Raises:
        SourceSyntaxError: a file does not parse.
        LayoutError: a file lies in no folder that maps to a named graph.
    """
    store = Store()
    load_files(store, dataset_files(root), root)
    return store
