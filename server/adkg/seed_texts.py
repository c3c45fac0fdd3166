"""The texts of the source documents, found through the graph's metadata.

A source node names its file with ``schema:encoding`` → ``schema:name``; the file lies in the
project's ``seeds/`` folder.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from adkg.namespaces import SCHEMA


def seed_texts(graph: Graph, seeds_folder: Path) -> dict[URIRef, str]:
    """Return the text of every source node in ``graph`` that names a seed file, by node."""
    texts = {}
    for source, file_node in graph.subject_objects(SCHEMA.encoding):
        name = graph.value(file_node, SCHEMA.name)
        if isinstance(source, URIRef) and name is not None:
            texts[source] = (seeds_folder / str(name)).read_text(encoding="utf-8")
    return texts
