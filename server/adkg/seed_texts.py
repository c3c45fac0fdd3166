"""The texts of the source documents, found through the graph's metadata.

A source node names its file with ``schema:encoding`` → ``schema:name``; the file lies in the
project's ``seeds/`` folder.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from adkg.errors import LayoutError
from adkg.namespaces import SCHEMA, compact


def seed_texts(graph: Graph, seeds_folder: Path) -> dict[URIRef, str]:
    """Return the text of every source node in ``graph`` that names a seed file, by node.

    Raises:
        LayoutError: a named seed file is missing or is not UTF-8 text.
    """
    texts = {}
    for source, file_node in graph.subject_objects(SCHEMA.encoding):
        name = graph.value(file_node, SCHEMA.name)
        if isinstance(source, URIRef) and name is not None:
            path = seeds_folder / str(name)
            try:
                texts[source] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise LayoutError(f"{path}, the text of {compact(source)}, cannot be read: {error}") from error
    return texts
