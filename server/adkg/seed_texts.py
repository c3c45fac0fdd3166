"""The texts of the source documents, found through the graph's metadata, and checked against it.

A source node names its file with ``schema:encoding`` → ``schema:name``; the file lies in the
project's ``seeds/`` folder. What the metadata records of the file (``schema:sha256``,
``schema:contentSize`` as ``"N bytes"``, and the source's ``adkg:characterCount``) must hold of
it: a seed edited after its anchors were written is refused, whatever its anchors say.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Final

from rdflib import Graph, URIRef
from rdflib.term import Node

from adkg.errors import LayoutError, SeedChangedError
from adkg.namespaces import ADKG, SCHEMA, compact

_SIZE: Final = re.compile(r"([0-9]+) bytes")


def recorded_differences(graph: Graph, source: Node, file_node: Node, data: bytes, text: str) -> list[str]:
    """Return how the seed ``data`` (decoded: ``text``) differs from what ``graph`` records of it.

    >>> from adkg.namespaces import new_graph
    >>> g = new_graph().parse(format="turtle", data='''
    ...   @prefix schema: <https://schema.org/> . @prefix adkg: <https://w3id.org/adkg/ontology#> .
    ...   <urn:s> adkg:characterCount 2 ; schema:encoding <urn:f> .
    ...   <urn:f> schema:contentSize "3 bytes" .''')
    >>> recorded_differences(g, URIRef("urn:s"), URIRef("urn:f"), "é!".encode(), "é!")
    []
    >>> recorded_differences(g, URIRef("urn:s"), URIRef("urn:f"), b"ab!", "ab!")
    ['3 characters, the metadata records 2']
    """
    differences = []
    recorded_sha256 = graph.value(file_node, SCHEMA.sha256)
    sha256 = hashlib.sha256(data).hexdigest()
    if recorded_sha256 is not None and sha256 != str(recorded_sha256):
        differences.append(f"SHA-256 {sha256}, the metadata records {recorded_sha256}")
    size = graph.value(file_node, SCHEMA.contentSize)
    if size is not None:
        match = _SIZE.fullmatch(str(size))
        if match is None:
            differences.append(f"schema:contentSize {str(size)!r} is not written 'N bytes'")
        elif int(match[1]) != len(data):
            differences.append(f"{len(data)} bytes, the metadata records {match[1]}")
    count = graph.value(source, ADKG.characterCount)
    if count is not None and str(count) != str(len(text)):
        differences.append(f"{len(text)} characters, the metadata records {count}")
    return differences


def seed_texts(graph: Graph, seeds_folder: Path) -> dict[URIRef, str]:
    """Return the text of every source node in ``graph`` that names a seed file, by node.

    Raises:
        LayoutError: a named seed file is missing or is not UTF-8 text.
        SeedChangedError: a seed file's SHA-256, byte size or character count is not what the
            metadata records.
    """
    texts = {}
    for source, file_node in graph.subject_objects(SCHEMA.encoding):
        name = graph.value(file_node, SCHEMA.name)
        if isinstance(source, URIRef) and name is not None:
            path = seeds_folder / str(name)
            try:
                data = path.read_bytes()
                text = data.decode("utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise LayoutError(f"{path}, the text of {compact(source)}, cannot be read: {error}") from error
            differences = recorded_differences(graph, source, file_node, data, text)
            if differences:
                raise SeedChangedError(path, differences)
            texts[source] = text
    return texts
