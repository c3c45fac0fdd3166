"""Finding and parsing the project's Turtle sources.

The sources of truth are the ``*.ttl`` files under ``ontology/``, ``graph/`` and ``shapes/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from adkg.errors import LayoutError, SourceSyntaxError
from adkg.namespaces import new_graph

#: The folders, relative to the project root, that hold the Turtle sources.
SOURCE_FOLDERS: Final = ("ontology", "graph", "shapes")


def turtle_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield every ``*.ttl`` file named in ``paths`` or below a folder named there, sorted.

    Raises:
        LayoutError: a path does not exist.
    """
    for path in paths:
        if path.is_dir():
            yield from sorted(path.rglob("*.ttl"))
        elif path.is_file():
            yield path
        else:
            raise LayoutError(f"{path} does not exist")


def project_turtle_files(root: Path) -> list[Path]:
    """Return every Turtle source of the project at ``root``, folder by folder, sorted."""
    return list(turtle_files(root / folder for folder in SOURCE_FOLDERS))


def parse_turtle(path: Path, *, into: Graph | None = None) -> Graph:
    """Parse the Turtle file at ``path`` and return the graph (``into``, if given).

    Raises:
        SourceSyntaxError: the file is not valid UTF-8 Turtle; the error names its line.
    """
    graph = new_graph() if into is None else into
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceSyntaxError(path, None, f"not UTF-8: {error}") from error
    try:
        graph.parse(data=text, format="turtle")
    except BadSyntax as error:
        reason = getattr(error, "_why", None) or error.message  # rdflib keeps the short reason private
        raise SourceSyntaxError(path, error.lines + 1, reason) from error
    return graph


def parse_folder(folder: Path) -> Graph:
    """Parse every Turtle file under ``folder`` into one graph and return it.

    Raises:
        SourceSyntaxError: a file does not parse; the error names it and its line.
    """
    graph = new_graph()
    for path in turtle_files([folder]):
        parse_turtle(path, into=graph)
    return graph
