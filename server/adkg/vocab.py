"""The IRIs adkg names, as plain strings: namespaces, prefixes and named graphs (no rdflib).

The serving path (``sparql``, ``workers``, ``store``, ``web``) uses these; ``adkg.namespaces``
wraps the same strings as rdflib namespaces for the build and the contributor's tools.

>>> compact("https://w3id.org/adkg/id/united-nations")
'adkgr:united-nations'
>>> compact("http://example.org/x")
'<http://example.org/x>'
>>> source_graph("wikipedia-extract")
'https://w3id.org/adkg/graph/source/wikipedia-extract'
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

#: The base every adkg IRI starts with; the server maps it onto its own address.
BASE: Final = "https://w3id.org/adkg/"
ADKG: Final = BASE + "ontology#"
ADKGR: Final = BASE + "id/"
ADKGSH: Final = BASE + "shapes#"
#: The ontology's own IRI (its namespace without the trailing ``#``).
ONTOLOGY_IRI: Final = BASE + "ontology"

#: The project's prefixes: every Turtle file is written with these (only those it uses).
PREFIXES: Final = MappingProxyType(
    {
        "adkg": ADKG,
        "adkgr": ADKGR,
        "adkgsh": ADKGSH,
        "dcat": "http://www.w3.org/ns/dcat#",
        "dcterms": "http://purl.org/dc/terms/",
        "geo": "http://www.opengis.net/ont/geosparql#",
        "oa": "http://www.w3.org/ns/oa#",
        "org": "http://www.w3.org/ns/org#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "prov": "http://www.w3.org/ns/prov#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "schema": "https://schema.org/",
        "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
        "sh": "http://www.w3.org/ns/shacl#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "time": "http://www.w3.org/2006/time#",
        "vann": "http://purl.org/vocab/vann/",
        "wd": "http://www.wikidata.org/entity/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
)


#: The named graphs of the dataset (``../shared/DESIGN.md``).
GRAPH_BASE: Final = BASE + "graph/"
ONTOLOGY_GRAPH: Final = GRAPH_BASE + "ontology"
ENTITIES_GRAPH: Final = GRAPH_BASE + "entities"
DERIVED_GRAPH: Final = GRAPH_BASE + "derived"


def source_graph(slug: str) -> str:
    """Return the named graph of what the source document ``slug`` reports."""
    return f"{GRAPH_BASE}source/{slug}"


def source_document(slug: str) -> str:
    """Return the IRI of the source document whose folder is ``graph/source/SLUG/``.

    >>> source_document("wikipedia-extract")
    'https://w3id.org/adkg/id/source-wikipedia-extract'
    """
    return f"{ADKGR}source-{slug}"


def compact(iri: str) -> str:
    """Return ``iri`` as a prefixed name when a project prefix covers it, else as ``<iri>``."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = iri.removeprefix(namespace)
        if local != iri and local and all(c.isalnum() or c in "-_." for c in local):
            return f"{prefix}:{local}"
    return f"<{iri}>"


_TEXT_FRAGMENT: Final = re.compile(r"(?P<document>[^#]+)#char=(?P<start>[0-9]+),(?P<end>[0-9]+)")


def text_fragment(document: str, start: int, end: int) -> str:
    """Return the IRI of the code points ``start`` to ``end`` of ``document``'s text.

    The fragment is RFC 5147's for text/plain (``#char=start,end``, counted in code points from
    0, end exclusive), so a quote anchor's IRI names exactly the words it quotes.

    >>> text_fragment("https://w3id.org/adkg/id/source-x", 290, 415)
    'https://w3id.org/adkg/id/source-x#char=290,415'
    """
    return f"{document}#char={start},{end}"


def parse_text_fragment(iri: str) -> tuple[str, int, int] | None:
    """Return the document, start and end a :func:`text_fragment` IRI names, or ``None`` for
    any other IRI.

    >>> parse_text_fragment("https://w3id.org/adkg/id/source-x#char=290,415")
    ('https://w3id.org/adkg/id/source-x', 290, 415)
    >>> parse_text_fragment("https://w3id.org/adkg/id/source-x") is None
    True
    """
    match = _TEXT_FRAGMENT.fullmatch(iri)
    if match is None:
        return None
    return match["document"], int(match["start"]), int(match["end"])
