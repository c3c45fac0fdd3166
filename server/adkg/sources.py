"""The project's inventory: every source file once, its role and its named graph (no rdflib).

The sources of truth are the ``*.ttl`` files under ``ontology/``, ``graph/`` and ``shapes/``;
which named graph a data file goes to follows from its folder (the README):

- ``ontology/**``               → ``https://w3id.org/adkg/graph/ontology``
- ``graph/entities/**``         → ``https://w3id.org/adkg/graph/entities``
- ``graph/source/SLUG/**``      → ``https://w3id.org/adkg/graph/source/SLUG``

Shapes are not data: they validate it and go to no named graph.

>>> graph_name(Path("graph/source/wikipedia-extract/claims.ttl"))
'https://w3id.org/adkg/graph/source/wikipedia-extract'
>>> graph_name(Path("ontology/concepts.ttl"))
'https://w3id.org/adkg/graph/ontology'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from adkg.errors import LayoutError
from adkg.vocab import ENTITIES_GRAPH, ONTOLOGY_GRAPH, source_graph

#: The folders, relative to the project root, that hold the Turtle sources.
SOURCE_FOLDERS: Final = ("ontology", "graph", "shapes")
#: The folders whose Turtle files are the dataset (shapes validate it and are not part of it).
DATASET_FOLDERS: Final = ("ontology", "graph")


def _is_editor_file(path: Path) -> bool:
    """Whether ``path`` is an editor's lock, autosave or hidden working file, never a source.

    Emacs locks a file it edits with a dangling link ``.#name.ttl`` and autosaves to
    ``#name.ttl#``; other editors keep hidden swap or backup files beside it.

    >>> [_is_editor_file(Path(n)) for n in (".#s01.ttl", "#s01.ttl#", ".s01.ttl.swp", "s01.ttl")]
    [True, True, True, False]
    """
    return path.name.startswith((".", "#"))


def folder_files(folder: Path, pattern: str) -> list[Path]:
    """Return the files of ``folder`` that match the glob ``pattern`` (``**/`` to descend), sorted,
    leaving out editors' lock and working files: every source, rule and check is found here.
    """
    return sorted(path for path in folder.glob(pattern) if not _is_editor_file(path))


def turtle_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield every ``*.ttl`` file named in ``paths`` or below a folder named there, sorted,
    leaving out editors' lock and working files (:func:`folder_files`).

    Raises:
        LayoutError: a path does not exist.
    """
    for path in paths:
        if path.is_dir():
            yield from folder_files(path, "**/*.ttl")
        elif path.is_file():
            yield path
        else:
            raise LayoutError(f"{path} does not exist")


def unread_files(root: Path) -> list[Path]:
    """Return the files under the project's source folders that no command reads as a source:
    any but ``*.ttl`` (``claims.turtle``, ``s01.ttl.bak``, ``notes.txt``), leaving out editors'
    lock and working files. A contributor who named a source so would otherwise lose it silently.
    """
    return sorted(
        path
        for folder in SOURCE_FOLDERS
        if (root / folder).is_dir()
        for path in folder_files(root / folder, "**/*")
        if path.is_file()
        and path.suffix != ".ttl"
        and not any(_is_editor_file(Path(part)) for part in path.relative_to(root).parts)
    )


def project_turtle_files(root: Path) -> list[Path]:
    """Return every Turtle source of the project at ``root``, folder by folder, sorted.

    Raises:
        LayoutError: one of the source folders does not exist.
    """
    return list(turtle_files(root / folder for folder in SOURCE_FOLDERS))


def dataset_files(root: Path) -> list[Path]:
    """Return the files of the dataset: every Turtle file of ``ontology/`` and ``graph/``.

    Raises:
        LayoutError: one of the two folders does not exist.
    """
    return list(turtle_files(root / folder for folder in DATASET_FOLDERS))


def graph_name(relative_path: Path) -> str:
    """Return the named graph IRI of the data file at ``relative_path`` (relative to the root).

    Raises:
        LayoutError: the path lies in no folder that maps to a named graph.
    """
    match relative_path.parts:
        case ("ontology", *_):
            return ONTOLOGY_GRAPH
        case ("graph", "entities", *_):
            return ENTITIES_GRAPH
        case ("graph", "source", slug, _, *_):
            return source_graph(slug)
    raise LayoutError(
        f"{relative_path} lies in no folder that maps to a named graph: put it under "
        "graph/entities/ or graph/source/SLUG/"
    )
