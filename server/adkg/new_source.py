"""``adkg source new``: add a source document to the project, its text and its metadata.

The document is copied byte for byte into ``seeds/`` and described in a new
``graph/source/SLUG/source.ttl``: the source node ``adkgr:source-SLUG`` (its title, author,
publisher, the date of its text, its licence, its character count) and its file (name, SHA-256, size in bytes),
the facts that ``adkg build`` and ``adkg anchor --check`` then hold the seed to. The licence is
left empty (``dcterms:license ""``) unless given: the shapes require an IRI, so validation refuses
the source until a contributor has looked the licence up and filled it in.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from rdflib import BNode, Graph, Literal, URIRef

from adkg.canonical_turtle import canonical_turtle
from adkg.errors import LayoutError
from adkg.namespaces import ADKG, DCTERMS, PROV, RDF, RDFS, SCHEMA, TIME, XSD, new_graph
from adkg.vocab import ADKGR, source_document

_SLUG: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATES: Final = (
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), TIME.inXSDDate, XSD.date),
    (re.compile(r"[0-9]{4}-[0-9]{2}"), TIME.inXSDgYearMonth, XSD.gYearMonth),
    (re.compile(r"[0-9]{4}"), TIME.inXSDgYear, XSD.gYear),
)


@dataclass(frozen=True, slots=True)
class SourceMetadata:
    """What a contributor says of a new source: its title, and where known its author, publisher
    (each an ``adkgr:`` name or an IRI), the date of its text and its licence's IRI."""

    title: str
    creator: str | None = None
    publisher: str | None = None
    date: str | None = None
    licence: str | None = None


@dataclass(frozen=True, slots=True)
class NewSource:
    """What ``adkg source new`` wrote: the copied seed and the metadata file, and the node."""

    seed: Path
    metadata: Path
    node: str


def resource(name: str) -> URIRef:
    """Return the IRI that ``name`` gives: a full IRI, ``adkgr:local`` or a bare adkgr: local name.

    >>> resource("adkgr:dawn"), resource("dawn")
    (rdflib.term.URIRef('https://w3id.org/adkg/id/dawn'), rdflib.term.URIRef('https://w3id.org/adkg/id/dawn'))
    >>> resource("https://creativecommons.org/licenses/by/4.0/")
    rdflib.term.URIRef('https://creativecommons.org/licenses/by/4.0/')
    """
    if "://" in name:
        return URIRef(name)
    return URIRef(ADKGR + name.removeprefix("adkgr:"))


def _text_date(date: str) -> tuple[URIRef, Literal]:
    """Return the OWL-Time property and literal of ``date`` at the precision it is written."""
    for pattern, predicate, datatype in _DATES:
        if pattern.fullmatch(date):
            return predicate, Literal(date, datatype=datatype)
    raise LayoutError(f"the date {date!r} is not YYYY-MM-DD, YYYY-MM or YYYY")


def metadata_graph(slug: str, name: str, data: bytes, metadata: SourceMetadata) -> Graph:
    """Return the metadata of the source ``slug`` whose text is the file ``name`` holding ``data``.

    Raises:
        LayoutError: ``data`` is not UTF-8 text, or the date is not a date, month or year.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LayoutError(f"{name} is not UTF-8 text ({error}); adkg quotes sources as plain text") from error
    graph = new_graph()
    source, file_node = URIRef(source_document(slug)), URIRef(f"{source_document(slug)}-file")
    graph.add((source, RDF.type, ADKG.SourceDocument))
    graph.add((source, RDFS.label, Literal(metadata.title, lang="en")))
    graph.add((source, DCTERMS.license, resource(metadata.licence) if metadata.licence else Literal("")))
    if metadata.creator:
        graph.add((source, DCTERMS.creator, resource(metadata.creator)))
    if metadata.publisher:
        graph.add((source, DCTERMS.publisher, resource(metadata.publisher)))
    if metadata.date:
        instant = BNode()
        predicate, value = _text_date(metadata.date)
        graph.add((source, ADKG.textDate, instant))
        graph.add((instant, RDF.type, TIME.Instant))
        graph.add((instant, predicate, value))
    graph.add((source, ADKG.characterCount, Literal(len(text))))
    graph.add((source, SCHEMA.encoding, file_node))
    graph.add((file_node, RDF.type, SCHEMA.MediaObject))
    graph.add((file_node, RDFS.label, Literal(f"seeds/{name}", lang="en")))
    graph.add((file_node, SCHEMA.name, Literal(name)))
    graph.add((file_node, SCHEMA.sha256, Literal(hashlib.sha256(data).hexdigest())))
    graph.add((file_node, SCHEMA.contentSize, Literal(f"{len(data)} bytes")))
    graph.add((file_node, SCHEMA.encodingFormat, Literal("text/plain; charset=utf-8")))
    graph.add((source, RDF.type, PROV.Entity))
    return graph


def new_source(
    graph_folder: Path,
    seeds_folder: Path,
    slug: str,
    document: Path,
    metadata: SourceMetadata,
) -> NewSource:
    """Copy ``document`` into ``seeds_folder`` and write ``source/SLUG/source.ttl`` in ``graph_folder``.

    Returns:
        the paths written and the source node's IRI.

    Raises:
        LayoutError: ``slug`` is not lower-case words joined by hyphens; the folder
            ``graph/source/SLUG/`` or a seed of the document's name already exists; the document
            cannot be read, is not UTF-8 text, or the date is malformed. Nothing is written then.
    """
    if not _SLUG.fullmatch(slug):
        raise LayoutError(f"the slug {slug!r} must be lower-case ASCII words and digits joined by hyphens")
    folder = graph_folder / "source" / slug
    seed = seeds_folder / document.name
    if folder.exists():
        raise LayoutError(f"{folder} already exists: a source with that slug is there already")
    if seed.exists():
        raise LayoutError(f"{seed} already exists: rename the document or remove the old seed first")
    try:
        data = document.read_bytes()
    except OSError as error:
        raise LayoutError(f"{document} cannot be read: {error}") from error
    graph = metadata_graph(slug, document.name, data, metadata)
    folder.mkdir(parents=True)
    written = folder / "source.ttl"
    written.write_text(canonical_turtle(graph), encoding="utf-8")
    shutil.copyfile(document, seed)
    return NewSource(seed=seed, metadata=written, node=source_document(slug))
