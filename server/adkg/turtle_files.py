"""Parsing the project's Turtle sources with rdflib (``adkg.sources`` finds them)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from adkg.errors import SourceSyntaxError
from adkg.namespaces import new_graph
from adkg.sources import project_turtle_files, turtle_files

__all__ = ["parse_folder", "parse_turtle", "project_turtle_files", "turtle_files"]

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
