"""Running SPARQL on a store: result formats, content negotiation, the dataset, the SERVICE policy.

Queries are answered by Oxigraph and serialized by Oxigraph's own serializers, written straight
to a binary stream. Unless the query (FROM, FROM NAMED) or the request (``default-graph-uri``,
``named-graph-uri``) says otherwise, the default graph is the union of the store's named graphs
and every named graph can be queried with GRAPH. FROM and GRAPH only ever name graphs of the
store: nothing is read from files or the Web. SERVICE calls go only to the endpoints allowed.

Nothing here imports rdflib.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, BinaryIO, Final, TypeVar

from pyoxigraph import NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from adkg.errors import (
    NotAcceptableError,
    ProtocolError,
    QueryRefusedError,
    QuerySyntaxError,
    ServiceNotAllowedError,
)
from adkg.sparql_scan import SparqlScan, scan_sparql


class ResultFormat(StrEnum):
    """The formats of SELECT and ASK results, by the short name ``format=`` accepts."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"

    @property
    def oxigraph(self) -> QueryResultsFormat:
        """Oxigraph's serializer for the format."""
        return _RESULT_FORMATS[self]

    @property
    def media_type(self) -> str:
        """The format's registered media type (Oxigraph's)."""
        return self.oxigraph.media_type


class GraphFormat(StrEnum):
    """The formats of CONSTRUCT and DESCRIBE results, by the short name ``format=`` accepts."""

    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    TRIG = "trig"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def oxigraph(self) -> RdfFormat:
        """Oxigraph's serializer for the format."""
        return _GRAPH_FORMATS[self]

    @property
    def media_type(self) -> str:
        """The format's registered media type (Oxigraph's)."""
        return self.oxigraph.media_type


_RESULT_FORMATS: Final = {
    ResultFormat.JSON: QueryResultsFormat.JSON,
    ResultFormat.XML: QueryResultsFormat.XML,
    ResultFormat.CSV: QueryResultsFormat.CSV,
    ResultFormat.TSV: QueryResultsFormat.TSV,
}
_GRAPH_FORMATS: Final = {
    GraphFormat.TURTLE: RdfFormat.TURTLE,
    GraphFormat.NTRIPLES: RdfFormat.N_TRIPLES,
    GraphFormat.NQUADS: RdfFormat.N_QUADS,
    GraphFormat.TRIG: RdfFormat.TRIG,
    GraphFormat.JSONLD: RdfFormat.JSON_LD,
    GraphFormat.RDFXML: RdfFormat.RDF_XML,
}

Format = ResultFormat | GraphFormat

#: The media types each format answers to in Accept, its registered one first. Generic types
#: (``application/json``, ``application/xml``, ``text/plain``) are what common clients send.
_MEDIA_TYPES: Final[dict[Format, tuple[str, ...]]] = {
    ResultFormat.JSON: ("application/sparql-results+json", "application/json"),
    ResultFormat.XML: ("application/sparql-results+xml", "application/xml", "text/xml"),
    ResultFormat.CSV: ("text/csv",),
    ResultFormat.TSV: ("text/tab-separated-values",),
    GraphFormat.TURTLE: ("text/turtle", "application/x-turtle"),
    GraphFormat.NTRIPLES: ("application/n-triples", "text/plain"),
    GraphFormat.NQUADS: ("application/n-quads",),
    GraphFormat.TRIG: ("application/trig",),
    GraphFormat.JSONLD: ("application/ld+json", "application/json"),
    GraphFormat.RDFXML: ("application/rdf+xml", "application/xml", "text/xml"),
}

#: What ``format=`` (and the ``output=`` / ``results=`` that clients send) may say, besides a
#: media type: a short name for the pair of formats it means for each query form.
_FORMAT_NAMES: Final[dict[str, tuple[ResultFormat | None, GraphFormat | None]]] = {
    "json": (ResultFormat.JSON, GraphFormat.JSONLD),
    "xml": (ResultFormat.XML, GraphFormat.RDFXML),
    "csv": (ResultFormat.CSV, None),
    "tsv": (ResultFormat.TSV, None),
    "turtle": (None, GraphFormat.TURTLE),
    "ttl": (None, GraphFormat.TURTLE),
    "ntriples": (None, GraphFormat.NTRIPLES),
    "nt": (None, GraphFormat.NTRIPLES),
    "nquads": (None, GraphFormat.NQUADS),
    "nq": (None, GraphFormat.NQUADS),
    "trig": (None, GraphFormat.TRIG),
    "jsonld": (None, GraphFormat.JSONLD),
    "json-ld": (None, GraphFormat.JSONLD),
    "rdfxml": (None, GraphFormat.RDFXML),
    "rdf": (None, GraphFormat.RDFXML),
}


@dataclass(frozen=True, slots=True)
class FormatChoice:
    """The format to answer in for each query form; None where nothing asked for fits it."""

    results: ResultFormat | None = ResultFormat.JSON
    graph: GraphFormat | None = GraphFormat.TURTLE

    def for_results(self) -> ResultFormat:
        """Return the format for SELECT and ASK results.

        Raises:
            NotAcceptableError: none asked for fits them.
        """
        if self.results is None:
            raise NotAcceptableError(
                "no format asked for fits SELECT or ASK results", [f.media_type for f in ResultFormat]
            )
        return self.results

    def for_graph(self) -> GraphFormat:
        """Return the format for CONSTRUCT and DESCRIBE results.

        Raises:
            NotAcceptableError: none asked for fits them.
        """
        if self.graph is None:
            raise NotAcceptableError(
                "no format asked for fits CONSTRUCT or DESCRIBE results", [f.media_type for f in GraphFormat]
            )
        return self.graph


_ACCEPT_ITEM: Final = re.compile(r"^\s*([^\s;/]+)/([^\s;]+)\s*(;.*)?$")


def _accept_ranges(accept: str) -> list[tuple[str, str, float]]:
    """Return ``(type, subtype, q)`` for each media range of an Accept header (q 0 kept)."""
    ranges = []
    for item in accept.split(","):
        match = _ACCEPT_ITEM.match(item)
        if not match:
            continue
        q = 1.0
        for parameter in (match.group(3) or "").split(";"):
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((match.group(1).lower(), match.group(2).lower(), q))
    return ranges


def _quality(ranges: list[tuple[str, str, float]], media_types: tuple[str, ...]) -> float:
    """Return the q the Accept ``ranges`` give a format with ``media_types``.

    The registered type (the first) matches ranges with wildcards, the most specific range
    deciding; the generic aliases after it match only when named exactly.
    """
    registered, *aliases = media_types
    kind, subtype = registered.split("/")
    matches = [
        (2 if (r_kind, r_subtype) == (kind, subtype) else 1 if r_subtype == "*" else 0, q)
        for r_kind, r_subtype, q in ranges
        if (r_kind, r_subtype) in ((kind, subtype), (kind, "*"), ("*", "*"))
    ]
    best = max(matches)[1] if matches else 0.0
    exact = [q for r_kind, r_subtype, q in ranges if f"{r_kind}/{r_subtype}" in aliases]
    return max([best, *exact])


_F = TypeVar("_F", ResultFormat, GraphFormat)


def _best(formats: Iterable[_F], ranges: list[tuple[str, str, float]]) -> _F | None:
    scored = [(_quality(ranges, _MEDIA_TYPES[f]), -rank, f) for rank, f in enumerate(formats)]
    q, _, chosen = max(scored)
    return chosen if q > 0 else None


@lru_cache(maxsize=256)
def prefers(accept: str | None, *media_types: str) -> bool:
    """Whether an Accept header asks for one of ``media_types`` (a page, a text) before any RDF
    format: one of them named with a q at least that of the best RDF format. A wildcard alone, or
    no Accept, asks for RDF.

    >>> browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    >>> prefers(browser, "text/html"), prefers("*/*", "text/html"), prefers(None, "text/html")
    (True, False, False)
    >>> prefers("text/turtle, text/html;q=0.5", "text/html"), prefers("text/plain", "text/plain")
    (False, True)
    """
    ranges = _accept_ranges(accept or "")
    named = max((q for kind, subtype, q in ranges if f"{kind}/{subtype}" in media_types), default=0.0)
    return named > 0 and named >= max(_quality(ranges, _MEDIA_TYPES[f]) for f in GraphFormat)


def negotiate(accept: str | None, *, format_name: str | None = None) -> FormatChoice:
    """Return the formats to answer in, from a ``format`` parameter or else an Accept header.

    Clients send the same few headers again and again: the last answers are remembered.

    ``format_name`` is a short name (``json``, ``xml``, ``csv``, ``tsv``, ``turtle``, ...) or a
    media type, and wins over ``accept``. Within Accept the highest q wins, a more specific
    range decides a format's q, and ties go to the defaults (JSON, Turtle). An absent or empty
    Accept means the defaults.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml")
    FormatChoice(results=<ResultFormat.XML: 'xml'>, graph=None)
    >>> negotiate("application/rdf+xml, application/sparql-results+xml")
    FormatChoice(results=<ResultFormat.XML: 'xml'>, graph=<GraphFormat.RDFXML: 'rdfxml'>)
    >>> negotiate("text/*;q=0.9, */*;q=0.1")
    FormatChoice(results=<ResultFormat.CSV: 'csv'>, graph=<GraphFormat.TURTLE: 'turtle'>)
    >>> negotiate(None, format_name="json")
    FormatChoice(results=<ResultFormat.JSON: 'json'>, graph=<GraphFormat.JSONLD: 'jsonld'>)

    Raises:
        ProtocolError: ``format_name`` names no format.
    """
    if format_name is not None:
        name = format_name.strip().lower()
        if name in _FORMAT_NAMES:
            results, graph = _FORMAT_NAMES[name]
            return FormatChoice(results, graph)
        accept = name
        if not _accept_ranges(accept) or negotiate(accept) == FormatChoice(None, None):
            names = ", ".join(sorted(_FORMAT_NAMES))
            raise ProtocolError(f"unknown format {format_name!r}: use one of {names}, or a media type")
    ranges = _accept_ranges(accept or "")
    if not ranges:
        return FormatChoice()
    return FormatChoice(_best(ResultFormat, ranges), _best(GraphFormat, ranges))


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """The RDF dataset a request names (``default-graph-uri``, ``named-graph-uri``), if any.

    When either is given, it replaces the query's FROM and FROM NAMED: the default graph is the
    merge of ``default_graphs`` (empty if none) and only ``named_graphs`` can be queried by name.
    """

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True, slots=True)
class Policy:
    """What queries may do beyond reading the store."""

    #: The SERVICE endpoints a query may call (exact IRIs); empty means none.
    service_allowlist: frozenset[str] = frozenset()

    def check(self, scan: SparqlScan) -> None:
        """Refuse a SERVICE call to an endpoint not allowed, before the query runs.

        Raises:
            ServiceNotAllowedError: a SERVICE names an endpoint not allowed, or none absolutely.
        """
        for endpoint in scan.services:
            if endpoint is None:
                raise ServiceNotAllowedError(
                    "SERVICE must name its endpoint by an absolute IRI (not a variable, a relative IRI"
                    " or an unknown prefix) so that it can be checked against ADKG_SERVICE_ALLOWLIST"
                )
            if endpoint not in self.service_allowlist:
                raise ServiceNotAllowedError(
                    f"SERVICE <{endpoint}> is not allowed: this endpoint calls only the endpoints in"
                    " ADKG_SERVICE_ALLOWLIST"
                    + (f" ({', '.join(sorted(self.service_allowlist))})" if self.service_allowlist else " (none)")
                )


_UPDATE_KEYWORDS: Final = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)


def _dataset_options(spec: DatasetSpec, scan: SparqlScan) -> dict[str, Any]:
    if spec:
        return {
            "default_graph": [NamedNode(iri) for iri in spec.default_graphs],
            "named_graphs": [NamedNode(iri) for iri in spec.named_graphs],
        }
    if scan.has_dataset_clause:
        return {}
    return {"use_default_graph_as_union": True}


@dataclass(frozen=True, slots=True)
class Answer:
    """A query that parsed, with the format chosen for its form; :meth:`write` evaluates it."""

    format: Format
    _serialize: Callable[[BinaryIO], object]

    def write(self, output: BinaryIO) -> None:
        """Serialize the results into ``output`` as they are computed.

        Raises:
            OSError: the store or ``output`` failed.
        """
        self._serialize(output)


def check_query(query: str, *, policy: Policy = Policy()) -> SparqlScan:
    """Return the scan of ``query`` once it is known to be one this endpoint may run.

    Raises:
        QueryRefusedError: the text is an update (this is read-only).
        ServiceNotAllowedError: it calls a SERVICE not allowed.
    """
    scan = scan_sparql(query)
    if scan.operation in _UPDATE_KEYWORDS:
        raise QueryRefusedError("this is a SPARQL update, and queries here are read-only")
    policy.check(scan)
    return scan


def prepare(
    store: Store,
    query: str,
    *,
    scan: SparqlScan | None = None,
    dataset: DatasetSpec = DatasetSpec(),
    choice: FormatChoice = FormatChoice(),
    policy: Policy = Policy(),
    base_iri: str | None = None,
) -> Answer:
    """Parse ``query`` and pick its result format; evaluation happens in :meth:`Answer.write`.

    ``scan`` is what :func:`check_query` returned for ``query`` (which then is not checked again,
    and ``policy`` not used); without it, the query is checked here. Relative IRIs in the query
    resolve against ``base_iri`` (the endpoint's address, as the protocol allows), unless the
    query says BASE.

    Raises:
        QueryRefusedError: the text is an update (this is read-only).
        ServiceNotAllowedError: it calls a SERVICE not allowed.
        QuerySyntaxError: the query does not parse; the error says where.
        NotAcceptableError: ``choice`` has no format for the query's form.
    """
    if scan is None:
        scan = check_query(query, policy=policy)
    try:
        results = store.query(query, base_iri=base_iri, **_dataset_options(dataset, scan))
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from error
    if isinstance(results, QuerySolutions | QueryBoolean):
        solutions, result_format = results, choice.for_results()
        return Answer(result_format, lambda output: solutions.serialize(output, format=result_format.oxigraph))
    triples, graph_format = results, choice.for_graph()
    return Answer(graph_format, lambda output: triples.serialize(output, format=graph_format.oxigraph))
