"""The namespaces adkg uses, and the one prefix table every Turtle file is written with.

The table is the project's convention: whatever prefixes a file declares, ``adkg fmt`` writes it
with these (only those the file uses), so the same IRI reads the same in every file.

>>> str(ADKG.QuantityClaim)
'https://w3id.org/adkg/ontology#QuantityClaim'
>>> compact(ADKGR["united-nations"])
'adkgr:united-nations'
>>> compact(URIRef("http://example.org/x"))
'<http://example.org/x>'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from rdflib import Graph, Namespace, URIRef

ADKG: Final = Namespace("https://w3id.org/adkg/ontology#")
ADKGR: Final = Namespace("https://w3id.org/adkg/id/")
ADKGSH: Final = Namespace("https://w3id.org/adkg/shapes#")
OA: Final = Namespace("http://www.w3.org/ns/oa#")
SEM: Final = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
WD: Final = Namespace("http://www.wikidata.org/entity/")

#: The ontology's own IRI (its namespace without the trailing ``#``).
ONTOLOGY_IRI: Final = URIRef("https://w3id.org/adkg/ontology")

PREFIXES: Final = MappingProxyType(
    {
        "adkg": ADKG,
        "adkgr": ADKGR,
        "adkgsh": ADKGSH,
        "dcat": Namespace("http://www.w3.org/ns/dcat#"),
        "dcterms": Namespace("http://purl.org/dc/terms/"),
        "geo": Namespace("http://www.opengis.net/ont/geosparql#"),
        "oa": OA,
        "org": Namespace("http://www.w3.org/ns/org#"),
        "owl": Namespace("http://www.w3.org/2002/07/owl#"),
        "prov": Namespace("http://www.w3.org/ns/prov#"),
        "rdf": Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
        "rdfs": Namespace("http://www.w3.org/2000/01/rdf-schema#"),
        "schema": Namespace("https://schema.org/"),
        "sem": SEM,
        "sh": Namespace("http://www.w3.org/ns/shacl#"),
        "skos": Namespace("http://www.w3.org/2004/02/skos/core#"),
        "time": Namespace("http://www.w3.org/2006/time#"),
        "vann": Namespace("http://purl.org/vocab/vann/"),
        "wd": WD,
        "xsd": Namespace("http://www.w3.org/2001/XMLSchema#"),
    }
)

PROV: Final = PREFIXES["prov"]
SH: Final = PREFIXES["sh"]
RDF: Final = PREFIXES["rdf"]
SCHEMA: Final = PREFIXES["schema"]
XSD: Final = PREFIXES["xsd"]


def new_graph() -> Graph:
    """Return an empty rdflib graph bound to exactly the project's prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def compact(iri: URIRef | str) -> str:
    """Return ``iri`` as a prefixed name when a project prefix covers it, else as ``<iri>``."""
    text = str(iri)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = text.removeprefix(str(namespace))
        if local != text and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    return f"<{text}>"
