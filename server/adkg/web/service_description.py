"""The service description answered at ``GET /sparql`` without a query (SPARQL 1.1 SD, VoID).

It states the endpoint, the languages, every result format, the features (the default graph is
the union of the named graphs; SERVICE only when an allowlist is set) and the default dataset
with the triple count of each named graph, read from the served store's build report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize

from adkg.errors import NotAcceptableError
from adkg.sparql import GraphFormat, ResultFormat, negotiate
from adkg.store import store_report
from adkg.vocab import PREFIXES

SD: Final = "http://www.w3.org/ns/sparql-service-description#"
VOID: Final = "http://rdfs.org/ns/void#"
RDF_TYPE: Final = NamedNode(PREFIXES["rdf"] + "type")
RDFS_COMMENT: Final = NamedNode(PREFIXES["rdfs"] + "comment")
XSD_INTEGER: Final = NamedNode(PREFIXES["xsd"] + "integer")
VOID_TRIPLES: Final = NamedNode(VOID + "triples")
#: What the default graph holds: the regime is simple entailment, over RDFS entailments made ahead.
ENTAILMENTS: Final = (
    "The union of the named graphs of the dataset. The derived graph (…/graph/derived) holds the RDFS"
    " entailments a query relies on, made when the store was built: every node's types through"
    " rdfs:subClassOf, every statement through rdfs:subPropertyOf, and each statement of a property"
    " declared owl:inverseOf another the other way round; so `?x a adkg:Policy` finds every order and law."
)
#: The formats the description itself is offered in.
DESCRIPTION_FORMATS: Final = (GraphFormat.TURTLE, GraphFormat.JSONLD, GraphFormat.RDFXML, GraphFormat.NTRIPLES)


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def service_triples(store: Path, *, endpoint: str, federation: bool, updates: bool) -> list[Triple]:
    """Return the description of the endpoint at ``endpoint`` serving the store folder ``store``.

    ``federation`` says SERVICE calls are allowed (to some endpoints); ``updates`` that SPARQL
    Update is accepted (with the token).
    """
    report = store_report(store)
    service, dataset, default = NamedNode(endpoint), BlankNode(), BlankNode()
    triples = [
        Triple(service, RDF_TYPE, _sd("Service")),
        Triple(service, _sd("endpoint"), service),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, _sd("Graph")),
        Triple(default, RDFS_COMMENT, Literal(ENTAILMENTS, language="en")),
        Triple(default, VOID_TRIPLES, Literal(str(sum(report["graphs"].values())), datatype=XSD_INTEGER)),
    ]
    if federation:
        triples.append(Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    if updates:
        triples.append(Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    for result_format in [*ResultFormat, *GraphFormat]:
        triples.append(Triple(service, _sd("resultFormat"), NamedNode(result_format.oxigraph.iri)))
    for graph_iri, count in sorted(report["graphs"].items()):
        named, graph = BlankNode(), BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, RDF_TYPE, _sd("NamedGraph")),
            Triple(named, _sd("name"), NamedNode(graph_iri)),
            Triple(named, _sd("graph"), graph),
            Triple(graph, RDF_TYPE, _sd("Graph")),
            Triple(graph, VOID_TRIPLES, Literal(str(count), datatype=XSD_INTEGER)),
        ]
    return triples


def describe_service(
    store: Path,
    *,
    endpoint: str,
    accept: str | None,
    format_name: str | None,
    federation: bool = False,
    updates: bool = False,
) -> tuple[bytes, str]:
    """Return the service description serialized as negotiated, and its media type.

    Raises:
        NotAcceptableError: none of Turtle, JSON-LD, RDF/XML or N-Triples is acceptable.
        ProtocolError: ``format_name`` names no format.
    """
    chosen = negotiate(accept, format_name=format_name).graph
    if chosen not in DESCRIPTION_FORMATS:
        raise NotAcceptableError(
            "the service description is offered as RDF only", [f.media_type for f in DESCRIPTION_FORMATS]
        )
    prefixes = {"sd": SD, "void": VOID, "rdfs": PREFIXES["rdfs"], "xsd": PREFIXES["xsd"]}
    document = serialize(service_triples(store, endpoint=endpoint, federation=federation, updates=updates),
                         format=chosen.oxigraph, prefixes=prefixes)
    assert document is not None
    return document, chosen.media_type
