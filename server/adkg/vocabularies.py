"""The terms of the vocabularies adkg reuses, to check that every reused term really exists.

For vocabularies rdflib ships as closed namespaces (``DefinedNamespace``), the term list is
rdflib's. For those it lacks, a term list is committed beside this module
(``vocabularies/*.txt``: one IRI and its kind per line, with a header naming where it was read),
and so is the list of schema.org terms newer than rdflib's snapshot of schema.org, added to it.

>>> vocabularies = known_vocabularies()
>>> "http://www.w3.org/ns/oa#TextQuoteSelector" in vocabularies["http://www.w3.org/ns/oa#"]
True
>>> "https://schema.org/Claim" in vocabularies["https://schema.org/"]
True
>>> "https://schema.org/StatisticalVariable" in vocabularies["https://schema.org/"]
True
>>> "http://www.w3.org/ns/prov#wasAttributedBy" in vocabularies["http://www.w3.org/ns/prov#"]
False
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Final

from rdflib import namespace as rdflib_namespace

#: rdflib's closed namespaces for the vocabularies adkg reuses or may reuse.
_RDFLIB_VOCABULARIES: Final = (
    "DCAT",
    "DCTERMS",
    "GEO",
    "ORG",
    "OWL",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "SDO",
    "SH",
    "SKOS",
    "TIME",
    "VANN",
    "XSD",
)

#: Term lists committed in ``adkg/vocabularies/``, by namespace.
_LISTED_VOCABULARIES: Final = {
    "http://semanticweb.cs.vu.nl/2009/11/sem/": "sem.txt",
    "http://www.w3.org/ns/oa#": "oa.txt",
}

#: Term lists committed in ``adkg/vocabularies/`` that add to rdflib's list for a namespace.
_ADDED_TERMS: Final = {"https://schema.org/": "schema-additions.txt"}


def _listed_terms(filename: str) -> frozenset[str]:
    text = resources.files("adkg").joinpath("vocabularies", filename).read_text(encoding="utf-8")
    return frozenset(
        line.split("\t", 1)[0]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


@cache
def known_vocabularies() -> dict[str, frozenset[str]]:
    """Return, for each checked namespace IRI, the IRIs of every term it defines."""
    vocabularies: dict[str, frozenset[str]] = {}
    for name in _RDFLIB_VOCABULARIES:
        defined = getattr(rdflib_namespace, name)
        extras = {defined[extra] for extra in defined._extras}
        vocabularies[str(defined._NS)] = frozenset(str(term) for term in {*dir(defined), *extras})
    for namespace, filename in _LISTED_VOCABULARIES.items():
        vocabularies[namespace] = _listed_terms(filename)
    for namespace, filename in _ADDED_TERMS.items():
        vocabularies[namespace] |= _listed_terms(filename)
    return vocabularies
