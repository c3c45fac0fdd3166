"""The texts of the source documents, found through an rdflib graph's metadata, and checked against it.

A source node names its file with ``schema:encoding`` → ``schema:name``; the file lies in the
project's ``seeds/`` folder. What the metadata records of the file (``schema:sha256``,
``schema:contentSize`` as ``"N bytes"``, and the source's ``adkg:characterCount``) must hold of
it: a seed edited after its anchors were written is refused, whatever its anchors say
(:func:`adkg.anchor_check.read_seed`; the build reads them from its store there too).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from adkg.anchor_check import read_seed
from adkg.namespaces import ADKG, SCHEMA


def _recorded(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = graph.value(subject, predicate)
    return None if value is None else str(value)


def seed_texts(graph: Graph, seeds_folder: Path) -> dict[str, str]:
    """Return the text of every source node in ``graph`` that names a seed file, by the node's IRI.

    Raises:
        LayoutError: a named seed file is missing or is not UTF-8 text.
        SeedChangedError: a seed file's SHA-256, byte size or character count is not what the
            metadata records.
    """
    texts = {}
    for source, file_node in graph.subject_objects(SCHEMA.encoding):
        name = graph.value(file_node, SCHEMA.name)
        if isinstance(source, URIRef) and name is not None:
            recorded = (
                _recorded(graph, file_node, SCHEMA.sha256),
                _recorded(graph, file_node, SCHEMA.contentSize),
                _recorded(graph, source, ADKG.characterCount),
            )
            texts[str(source)] = read_seed(seeds_folder / str(name), str(source), recorded)
    return texts
