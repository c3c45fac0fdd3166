"""An Oxigraph store holding the dataset's files in their named graphs (``adkg.sources``)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from adkg.errors import SourceSyntaxError
from adkg.sources import dataset_files, graph_name


def load_file(store: Store, path: Path, graph: str, *, bulk: bool = False) -> None:
    """Load the Turtle file at ``path`` into the named graph ``graph`` of ``store``.

    ``bulk`` uses Oxigraph's bulk loader, for a new on-disk store.

    Raises:
        SourceSyntaxError: Oxigraph rejects the file; the error names its line.
    """
    try:
        if bulk:
            store.bulk_load(path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(graph))
        else:
            store.load(path=path, format=RdfFormat.TURTLE, to_graph=NamedNode(graph))
    except SyntaxError as error:
        raise SourceSyntaxError(path, error.lineno, error.msg) from error


def load_files(store: Store, files: list[Path], root: Path, *, bulk: bool = False) -> None:
    """Load each Turtle file of ``files`` (below ``root``) into its named graph of ``store``
    (:func:`load_file`).

    Raises:
        SourceSyntaxError: Oxigraph rejects a file; the error names its line.
        LayoutError: a file lies in no folder that maps to a named graph.
    """
    for path in files:
        load_file(store, path, graph_name(path.relative_to(root)), bulk=bulk)


def load_dataset(root: Path) -> Store:
    """Return an in-memory store with the ontology and graph files in their named graphs.

    Raises:
        SourceSyntaxError: a file does not parse.
        LayoutError: a file lies in no folder that maps to a named graph.
    """
    store = Store()
    load_files(store, dataset_files(root), root)
    return store
