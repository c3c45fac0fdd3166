"""The namespaces adkg uses as rdflib terms, and the one prefix table every Turtle file is written with.

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

from adkg import vocab

ADKG: Final = Namespace(vocab.ADKG)
ADKGR: Final = Namespace(vocab.ADKGR)
ADKGSH: Final = Namespace(vocab.ADKGSH)
OA: Final = Namespace(vocab.PREFIXES["oa"])
SEM: Final = Namespace(vocab.PREFIXES["sem"])
WD: Final = Namespace(vocab.PREFIXES["wd"])

#: The ontology's own IRI (its namespace without the trailing ``#``).
ONTOLOGY_IRI: Final = URIRef(vocab.ONTOLOGY_IRI)

#: The project's prefix table (``adkg.vocab.PREFIXES``) as rdflib namespaces.
PREFIXES: Final = MappingProxyType({prefix: Namespace(iri) for prefix, iri in vocab.PREFIXES.items()})

DCTERMS: Final = PREFIXES["dcterms"]
PROV: Final = PREFIXES["prov"]
SH: Final = PREFIXES["sh"]
RDF: Final = PREFIXES["rdf"]
RDFS: Final = PREFIXES["rdfs"]
SCHEMA: Final = PREFIXES["schema"]
TIME: Final = PREFIXES["time"]
XSD: Final = PREFIXES["xsd"]


def new_graph() -> Graph:
    """Return an empty rdflib graph bound to exactly the project's prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def compact(iri: URIRef | str) -> str:
    """Return ``iri`` as a prefixed name when a project prefix covers it, else as ``<iri>``."""
    return vocab.compact(str(iri))
