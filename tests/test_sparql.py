"""Queries on the built store: the dataset (FROM, FROM NAMED, protocol graphs), formats, refusals."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Store

from adkg.errors import NotAcceptableError, ProtocolError, QueryRefusedError, QuerySyntaxError
from adkg.sparql import DatasetSpec, FormatChoice, GraphFormat, Policy, ResultFormat, negotiate, prepare
from adkg.sparql_scan import scan_sparql
from adkg.store import open_read_only
from servers import recording_listener

ENTITIES = "https://w3id.org/adkg/graph/entities"
SOURCE = "https://w3id.org/adkg/graph/source/wikipedia-extract"
UNHCR_LABEL = (
    "SELECT ?label WHERE { <https://w3id.org/adkg/id/unhcr> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)


@pytest.fixture(scope="module")
def store(served_store: Path) -> Iterator[Store]:
    with open_read_only(served_store) as handle:
        yield handle.store


def _rows(store: Store, query: str, **options: object) -> list[dict[str, str]]:
    output = io.BytesIO()
    prepare(store, query, **options).write(output)
    return [
        {name: term["value"] for name, term in row.items()}
        for row in json.loads(output.getvalue())["results"]["bindings"]
    ]


def test_the_default_graph_is_the_union_of_the_named_graphs(store: Store) -> None:
    assert _rows(store, UNHCR_LABEL) == [{"label": "UNHCR"}]
    graphs = _rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert {ENTITIES, SOURCE} <= {row["g"] for row in graphs}


def test_from_and_from_named_are_honoured(store: Store) -> None:
    """Regression: ``adkg query`` used the union as default graph whatever FROM said."""
    from_source = UNHCR_LABEL.replace("WHERE", f"FROM <{SOURCE}> WHERE")
    assert _rows(store, from_source) == []
    from_entities = UNHCR_LABEL.replace("WHERE", f"FROM <{ENTITIES}> WHERE")
    assert _rows(store, from_entities) == [{"label": "UNHCR"}]
    named = f"SELECT DISTINCT ?g FROM NAMED <{SOURCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert _rows(store, named) == [{"g": SOURCE}]
    only_named = f"SELECT * FROM NAMED <{SOURCE}> WHERE {{ ?s ?p ?o }} LIMIT 1"
    assert _rows(store, only_named) == []


def test_protocol_graphs_override_the_query_dataset(store: Store) -> None:
    from_source = UNHCR_LABEL.replace("WHERE", f"FROM <{SOURCE}> WHERE")
    assert _rows(store, from_source, dataset=DatasetSpec(default_graphs=(ENTITIES,))) == [{"label": "UNHCR"}]
    named_only = DatasetSpec(named_graphs=(SOURCE,))
    assert _rows(store, UNHCR_LABEL, dataset=named_only) == []
    graphs = _rows(store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=named_only)
    assert graphs == [{"g": SOURCE}]


def test_from_never_reads_files_or_urls(store: Store, tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    assert _rows(store, f"SELECT * FROM <{data.as_uri()}> WHERE {{ ?s ?p ?o }}") == []
    assert _rows(store, f"SELECT * WHERE {{ GRAPH <{data.as_uri()}> {{ ?s ?p ?o }} }}") == []


@pytest.mark.parametrize(
    ("query", "choice", "expected"),
    [
        (UNHCR_LABEL, FormatChoice(), ResultFormat.JSON),
        ("ASK {}", FormatChoice(ResultFormat.TSV, None), ResultFormat.TSV),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", FormatChoice(), GraphFormat.TURTLE),
        ("DESCRIBE <https://w3id.org/adkg/id/unhcr>", FormatChoice(None, GraphFormat.NQUADS), GraphFormat.NQUADS),
    ],
)
def test_the_result_format_follows_the_query_form(
    store: Store, query: str, choice: FormatChoice, expected: object
) -> None:
    assert prepare(store, query, choice=choice).format == expected


def test_a_format_that_does_not_fit_the_form_is_not_acceptable(store: Store) -> None:
    with pytest.raises(NotAcceptableError, match="available: text/turtle") as raised:
        prepare(store, "CONSTRUCT WHERE { ?s ?p ?o }", choice=FormatChoice(ResultFormat.CSV, None))
    assert "application/ld+json" in raised.value.available


def test_a_syntax_error_says_where(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as raised:
        prepare(store, "SELECT * WHERE {\n  ?s ?p\n}")
    assert (raised.value.line, raised.value.column) == (3, 2)


@pytest.mark.parametrize(
    "update", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "PREFIX a: <urn:a> LOAD <http://example.org/>", "CLEAR ALL"]
)
def test_an_update_is_refused_in_words(store: Store, update: str) -> None:
    with pytest.raises(QueryRefusedError, match="read-only"):
        prepare(store, update)


@pytest.mark.parametrize(
    ("accept", "results", "graph"),
    [
        (None, ResultFormat.JSON, GraphFormat.TURTLE),
        ("*/*", ResultFormat.JSON, GraphFormat.TURTLE),
        ("application/sparql-results+xml;q=0.8, text/csv", ResultFormat.CSV, None),
        ("application/rdf+xml, application/sparql-results+xml", ResultFormat.XML, GraphFormat.RDFXML),
        ("application/json", ResultFormat.JSON, GraphFormat.JSONLD),
        ("text/turtle;q=0.1, application/n-triples;q=0.9", None, GraphFormat.NTRIPLES),
        ("text/*", ResultFormat.CSV, GraphFormat.TURTLE),
        ("text/csv;q=0, */*;q=0.5", ResultFormat.JSON, GraphFormat.TURTLE),
        ("image/png", None, None),
    ],
)
def test_content_negotiation(accept: str | None, results: object, graph: object) -> None:
    assert negotiate(accept) == FormatChoice(results, graph)


def test_format_parameter_wins_and_unknown_names_are_errors() -> None:
    assert negotiate("text/csv", format_name="xml") == FormatChoice(ResultFormat.XML, GraphFormat.RDFXML)
    assert negotiate(None, format_name="text/tab-separated-values").results == ResultFormat.TSV
    with pytest.raises(ProtocolError, match="unknown format 'yaml'"):
        negotiate(None, format_name="yaml")


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""
    with recording_listener() as (endpoint, seen):
        yield endpoint, seen


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <{endpoint}> {{ ?s ?p ?o }} }}",
        "PREFIX e: <{base}> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        "BASE <{base}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ VALUES ?e {{ <{endpoint}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y '#' . SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
    ],
)
def test_a_service_not_allowed_is_refused_before_any_connection(
    store: Store, listener: tuple[str, list[bytes]], template: str
) -> None:
    endpoint, seen = listener
    query = template.format(
        endpoint=endpoint, base=endpoint.removesuffix("sparql"), escaped=endpoint.replace("sparql", "s\\u0070arql")
    )
    with pytest.raises(QueryRefusedError, match="SERVICE"):
        prepare(store, query, policy=Policy(frozenset({"http://example.org/allowed"})))
    assert seen == []


def test_an_allowed_service_is_called(store: Store, listener: tuple[str, list[bytes]]) -> None:
    endpoint, seen = listener
    answer = prepare(
        store, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}", policy=Policy(frozenset({endpoint}))
    )
    with pytest.raises(OSError):  # noqa: PT011  the listener is no SPARQL endpoint
        answer.write(io.BytesIO())
    assert seen
    assert seen[0].startswith(b"POST /sparql") or seen[0].startswith(b"GET /sparql")


def test_the_scanner_sees_keywords_only_outside_strings_iris_and_comments() -> None:
    scan = scan_sparql(
        'SELECT * WHERE { ?s ?p "SERVICE <x> FROM" . # SERVICE <y>\n ?s ?p """a\nSERVICE""" ; <urn:FROM> ?o }'
    )
    assert scan.services == ()
    assert not scan.has_dataset_clause
    assert scan.operation == "SELECT"
