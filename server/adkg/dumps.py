"""The dataset as files to download, and the DCAT/VoID description of it (no rdflib, no web).

Each store gets its dumps once, on first request, written by Oxigraph's serializers into the
store's folder (``dumps/``), each also gzip-compressed, and replaced atomically so that a reader
never sees half a file: TriG and N-Quads (every named graph), Turtle (the union of the graphs)
and JSON-LD (every named graph). A store never changes once built (an update makes a new one),
so its dumps never go stale.

Every dump also holds the description of the dataset (:func:`describe`), in its own named
graph ``https://w3id.org/adkg/graph/void`` (in the Turtle union, among the other triples): a
``void:Dataset`` and ``dcat:Dataset`` with its title, the licences of its sources (each source
document's ``dcterms:license``), its publisher, the build's date, its triples, an example
resource, its SPARQL endpoint and its dumps. Its IRIs are the dataset's public ones under
``https://w3id.org/adkg/``; the server maps them onto its own address.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Final, cast

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, RdfFormat, Store

from adkg.store import store_report
from adkg.vocab import BASE, PREFIXES

#: The named graph of the dataset's description, in the dumps.
DESCRIPTION_GRAPH: Final = NamedNode(BASE + "graph/void")
#: The dataset's IRI, the subject of its description.
DATASET: Final = NamedNode(BASE + "dataset")
#: Where the dumps are published, and the SPARQL endpoint, as public IRIs.
DOWNLOAD_BASE: Final = BASE + "download/"
ENDPOINT: Final = NamedNode(BASE + "sparql")
#: The folder of a store that holds its dumps.
DUMPS: Final = "dumps"


class DumpFormat(Enum):
    """A dump: its file name, its format, and whether it keeps the named graphs."""

    TRIG = ("dataset.trig", RdfFormat.TRIG)
    NQUADS = ("dataset.nq", RdfFormat.N_QUADS)
    TURTLE = ("dataset.ttl", RdfFormat.TURTLE)
    JSONLD = ("dataset.jsonld", RdfFormat.JSON_LD)

    def __init__(self, file_name: str, rdf_format: RdfFormat) -> None:
        self.file_name = file_name
        self.rdf_format = rdf_format

    @property
    def media_type(self) -> str:
        """The dump's media type."""
        return self.rdf_format.media_type

    @property
    def named_graphs(self) -> bool:
        """Whether the dump keeps the named graphs (Turtle holds their union)."""
        return self.rdf_format.supports_datasets

    @classmethod
    def named(cls, file_name: str) -> DumpFormat | None:
        """Return the dump of ``file_name``, or None.

        >>> DumpFormat.named("dataset.nq"), DumpFormat.named("other.nq")
        (<DumpFormat.NQUADS: ('dataset.nq', <RdfFormat N-Quads>)>, None)
        """
        return next((dump for dump in cls if dump.file_name == file_name), None)


_PROLOGUE: Final = "\n".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("adkg", "dcterms", "rdfs")) + "\n"


def _named(iri: str) -> NamedNode:
    return NamedNode(iri)


def describe(store: Store, *, built_at: str) -> list[Quad]:
    """Return the DCAT/VoID description of the dataset in ``store`` (a union of named graphs),
    built at ``built_at`` (ISO 8601), in :data:`DESCRIPTION_GRAPH`.

    >>> store = Store()
    >>> store.load(b'''@prefix adkg: <https://w3id.org/adkg/ontology#> .
    ...   <urn:s> a adkg:SourceDocument ; <http://purl.org/dc/terms/license> <urn:l> .''',
    ...   format=RdfFormat.TURTLE, to_graph=NamedNode("urn:g"))
    >>> description = describe(store, built_at="2026-12-04T04:00:00+00:00")
    >>> [q.object.value for q in description
    ...  if q.subject == DATASET and q.predicate.value.endswith(("license", "triples"))]
    ['2', 'urn:l']
    """
    dcat, dcterms, void = PREFIXES["dcat"], PREFIXES["dcterms"], "http://rdfs.org/ns/void#"
    xsd = PREFIXES["xsd"]
    rdf_type, label = _named(PREFIXES["rdf"] + "type"), _named(PREFIXES["rdfs"] + "label")

    def select(query: str) -> QuerySolutions:
        return cast("QuerySolutions", store.query(_PROLOGUE + query, use_default_graph_as_union=True))

    licences = [row["l"] for row in select(
        "SELECT DISTINCT ?l WHERE { ?s a adkg:SourceDocument ; dcterms:license ?l } ORDER BY ?l"
    )]
    [count] = select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    sizes = list(select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"))
    example = [row["c"] for row in select("SELECT ?c WHERE { ?c a adkg:QuantityClaim } ORDER BY ?c LIMIT 1")]
    publisher = _named(BASE)
    triples: list[tuple[NamedNode | BlankNode, NamedNode, NamedNode | BlankNode | Literal]] = [
        (DATASET, rdf_type, _named(void + "Dataset")),
        (DATASET, rdf_type, _named(dcat + "Dataset")),
        (DATASET, _named(dcterms + "title"), Literal("adkg, the Afghan Deportation Knowledge Graph", language="en")),
        (DATASET, _named(dcterms + "description"), Literal(
            "Claims about Pakistan's 2023-2025 mass deportation of Afghans, each with who claimed it, when, "
            "where it was reported and the exact words of its source; figures that disagree side by side.",
            language="en",
        )),
        (DATASET, _named(dcterms + "publisher"), publisher),
        (publisher, rdf_type, _named(PREFIXES["prov"] + "Agent")),
        (publisher, label, Literal("the adkg project", language="en")),
        (DATASET, _named(dcterms + "modified"), Literal(built_at, datatype=_named(xsd + "dateTime"))),
        (DATASET, _named(void + "triples"), Literal(count["n"].value, datatype=_named(xsd + "integer"))),
        (DATASET, _named(void + "sparqlEndpoint"), ENDPOINT),
        (DATASET, _named(void + "uriSpace"), Literal(PREFIXES["adkgr"])),
        *((DATASET, _named(dcterms + "license"), licence) for licence in licences),
        *((DATASET, _named(void + "exampleResource"), resource) for resource in example),
    ]
    for size in sizes:  # each named graph a subset, named by its IRI (which resolves, /graph/NAME)
        graph = cast("NamedNode", size["g"])  # GRAPH ?g binds only named graphs
        triples += [
            (DATASET, _named(void + "subset"), graph),
            (graph, rdf_type, _named(void + "Dataset")),
            (graph, _named(void + "triples"), Literal(size["n"].value, datatype=_named(xsd + "integer"))),
        ]
    for dump in DumpFormat:
        url = _named(DOWNLOAD_BASE + dump.file_name)
        distribution = BlankNode()
        triples += [
            (DATASET, _named(void + "dataDump"), url),
            (DATASET, _named(dcat + "distribution"), distribution),
            (distribution, rdf_type, _named(dcat + "Distribution")),
            (distribution, _named(dcat + "downloadURL"), url),
            (distribution, _named(dcat + "mediaType"), _named("https://www.iana.org/assignments/media-types/"
                                                             + dump.media_type)),
            *((distribution, _named(dcterms + "license"), licence) for licence in licences),
        ]
    return [Quad(s, p, o, DESCRIPTION_GRAPH) for s, p, o in triples]


@lru_cache(maxsize=4)
def store_description(store_folder: Path) -> tuple[Quad, ...]:
    """Return :func:`describe` of the store in ``store_folder`` (which never changes), once per store."""
    return tuple(describe(Store.read_only(str(store_folder)), built_at=store_report(store_folder)["built_at"]))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename: a reader sees
    the whole file or none, and two writers of the same file leave one whole copy."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dump_path(store_folder: Path, dump: DumpFormat, *, compressed: bool) -> Path:
    """Return the file of ``dump`` for the store in ``store_folder``, written on first call.

    Raises:
        OSError: the store's folder cannot be written.
    """
    folder = store_folder / DUMPS
    path = folder / dump.file_name
    zipped = path.with_name(path.name + ".gz")
    if not zipped.exists():
        folder.mkdir(exist_ok=True)
        quads = [*Store.read_only(str(store_folder)), *store_description(store_folder)]
        records = quads if dump.named_graphs else [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]
        data = cast("bytes", pyoxigraph.serialize(records, format=dump.rdf_format, prefixes=dict(PREFIXES)))
        write_atomically(path, data)
        write_atomically(zipped, gzip.compress(data, mtime=0))
    return zipped if compressed else path
