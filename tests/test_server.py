"""``adkg serve`` as a real process on 127.0.0.1: the SPARQL 1.1 Protocol, statuses, formats, limits."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from adkg.build import build
from adkg.settings import Settings
from conftest import copy_project
from servers import adkg_serve, recording_listener

SOURCE = "https://w3id.org/adkg/graph/source/wikipedia-extract"
ENTITIES = "https://w3id.org/adkg/graph/entities"
LABEL = (
    "SELECT ?label WHERE { <https://w3id.org/adkg/id/unhcr> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SD = "http://www.w3.org/ns/sparql-service-description#"
#: The time limit of the shared server, in seconds: long enough for lookups on a loaded machine.
TIME_LIMIT = 6


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of ``adkg serve`` over the shared build, with a short time limit and 6 workers."""
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with adkg_serve(built_project, log=log, ADKG_QUERY_TIMEOUT=str(TIME_LIMIT), ADKG_WORKERS="6") as url:
        yield url


def _labels(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["label"]["value"] for row in response.json()["results"]["bindings"]]


def test_query_by_get_post_form_and_post_direct(server: str) -> None:
    assert _labels(httpx.get(f"{server}/sparql", params={"query": LABEL})) == ["UNHCR"]
    assert _labels(httpx.post(f"{server}/sparql", data={"query": LABEL})) == ["UNHCR"]
    direct = httpx.post(f"{server}/sparql", content=LABEL, headers={"Content-Type": "application/sparql-query"})
    assert _labels(direct) == ["UNHCR"]
    assert direct.headers["content-type"] == "application/sparql-results+json"


def test_from_and_protocol_graphs(server: str) -> None:
    from_source = LABEL.replace("WHERE", f"FROM <{SOURCE}> WHERE")
    assert _labels(httpx.get(f"{server}/sparql", params={"query": from_source})) == []
    overridden = httpx.get(f"{server}/sparql", params={"query": from_source, "default-graph-uri": ENTITIES})
    assert _labels(overridden) == ["UNHCR"]
    named = httpx.get(f"{server}/sparql", params={"query": LABEL, "named-graph-uri": ENTITIES})
    assert _labels(named) == []


@pytest.mark.parametrize(
    ("query", "accept", "params", "content_type"),
    [
        (LABEL, "application/sparql-results+xml", {}, "application/sparql-results+xml"),
        (LABEL, "text/csv;q=0.9, text/tab-separated-values", {}, "text/tab-separated-values; charset=utf-8"),
        # HTML asked for after a wildcard: the default format (a browser asking HTML first gets the query UI)
        (LABEL, "text/html;q=0.5,application/xhtml+xml;q=0.5,*/*;q=0.8", {}, "application/sparql-results+json"),
        (LABEL, None, {"format": "csv"}, "text/csv; charset=utf-8"),
        (LABEL, None, {"output": "xml", "results": "xml"}, "application/sparql-results+xml"),
        ("ASK {}", "text/tab-separated-values", {}, "text/tab-separated-values; charset=utf-8"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", None, {}, "text/turtle; charset=utf-8"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "application/n-quads", {}, "application/n-quads"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "application/trig", {}, "application/trig"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "application/ld+json", {}, "application/ld+json"),
        ("DESCRIBE <https://w3id.org/adkg/id/unhcr>", "application/rdf+xml", {}, "application/rdf+xml"),
        ("DESCRIBE <https://w3id.org/adkg/id/unhcr>", None, {"format": "turtle"}, "text/turtle; charset=utf-8"),
    ],
)
def test_result_formats(server: str, query: str, accept: str | None, params: dict[str, str], content_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = httpx.get(f"{server}/sparql", params={"query": query, **params}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    if query.startswith(("CONSTRUCT", "DESCRIBE")):
        rdf_format = RdfFormat.from_media_type(content_type.split(";", maxsplit=1)[0])
        assert rdf_format is not None
        assert list(parse(response.content, format=rdf_format))


def test_a_large_result_streams(server: str) -> None:
    with httpx.stream("GET", f"{server}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                      headers={"Accept": "application/n-triples"}) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        body = b"".join(response.iter_bytes())
    health = httpx.get(f"{server}/health").json()
    assert len(body.splitlines()) == len(set(body.splitlines()))
    assert 0 < len(body.splitlines()) <= health["triples"]


@pytest.mark.parametrize(
    ("method", "params", "headers", "body", "status", "message"),
    [
        ("GET", {"query": "SELECT * WHERE {\n ?s ?p\n}"}, {}, None, 400, "error at 3:"),
        ("GET", [("query", "ASK {}"), ("query", "ASK {}")], {}, None, 400, "given 2 times"),
        ("POST", {}, {"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400, "not UTF-8"),
        ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded"}, b"x=1", 400, "no 'query'"),
        ("POST", {}, {"Content-Type": "text/plain"}, b"ASK {}", 415, "needs Content-Type"),
        ("POST", {}, {}, b"ASK {}", 415, "got none"),
        ("PUT", {}, {}, b"ASK {}", 405, ""),
        ("DELETE", {}, {}, None, 405, ""),
        ("GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"Accept": "text/csv"}, None, 406, "text/turtle"),
        ("GET", {"query": "ASK {}"}, {"Accept": "image/png"}, None, 406, "application/sparql-results+json"),
        ("GET", {"query": "ASK {}", "format": "yaml"}, {}, None, 400, "unknown format"),
        ("GET", {"update": "CLEAR ALL"}, {}, None, 400, "only by POST"),
        ("POST", {}, {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 403, "read-only"),
        ("POST", {}, {"Content-Type": "application/sparql-update"}, b"LOAD <http://example.org/>", 403, "read-only"),
        ("GET", {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, {}, None, 403, "read-only"),
        ("GET", {"query": "SELECT * { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }"}, {}, None, 400,
         "ADKG_SERVICE_ALLOWLIST"),
        ("POST", {}, {"Content-Type": "application/sparql-query"}, b"ASK {" + b" " * 1_000_001 + b"}", 413,
         "ADKG_MAX_QUERY_BYTES"),
        ("POST", {}, {"Content-Type": "application/sparql-query"}, b" " * 3_100_000, 413, "request body is longer"),
    ],
)
def test_statuses(  # noqa: PLR0917  one parameter per column of the table
    server: str, method: str, params: object, headers: dict[str, str], body: bytes | None, status: int, message: str
) -> None:
    response = httpx.request(method, f"{server}/sparql", params=params, headers=headers, content=body)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    assert message in response.text


def test_a_service_not_allowed_is_refused_before_any_connection(server: str) -> None:
    with recording_listener() as (endpoint, seen):
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
        for response in (
            httpx.get(f"{server}/sparql", params={"query": query}),
            httpx.post(f"{server}/sparql", data={"query": query}),
            httpx.post(f"{server}/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
        ):
            assert response.status_code == 400
            assert "ADKG_SERVICE_ALLOWLIST" in response.text
        time.sleep(0.5)
    assert seen == []


def test_repeated_queries_are_answered_from_the_cache_and_revalidated(server: str) -> None:
    query = LABEL + " # test_repeated_queries"
    first = httpx.get(f"{server}/sparql", params={"query": query})
    again = httpx.get(f"{server}/sparql", params={"query": query})
    assert (first.headers["x-adkg-cache"], again.headers["x-adkg-cache"]) == ("miss", "hit")
    assert _labels(again) == ["UNHCR"]
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == "no-cache"
    csv = httpx.get(f"{server}/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert (csv.headers["x-adkg-cache"], csv.text.split()) == ("miss", ["label", "UNHCR"])
    assert csv.headers["etag"] != first.headers["etag"]

    etag = first.headers["etag"]
    for method in ("GET", "HEAD"):
        revalidated = httpx.request(method, f"{server}/sparql", params={"query": query},
                                    headers={"If-None-Match": f'W/"other", {etag}'})
        assert revalidated.status_code == 304
        assert revalidated.content == b""
        assert "content-length" not in revalidated.headers
        assert (revalidated.headers["etag"], revalidated.headers["vary"]) == (etag, "Accept, Origin")
    stale = httpx.get(f"{server}/sparql", params={"query": query}, headers={"If-None-Match": 'W/"stale"'})
    assert (stale.status_code, _labels(stale)) == (200, ["UNHCR"])
    head = httpx.head(f"{server}/sparql", params={"query": query})
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", etag)
    assert head.headers["content-length"] == first.headers["content-length"]


def test_service_description_negotiated(server: str) -> None:
    for media_type, rdf_format in [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ]:
        response = httpx.get(f"{server}/sparql", headers={"Accept": media_type})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        triples = list(parse(response.content, format=rdf_format))
        objects = {t.object for t in triples}
        assert NamedNode(SD + "Service") in objects
        assert NamedNode(SD + "UnionDefaultGraph") in objects
        assert NamedNode(SD + "SPARQL11Query") in objects
        assert NamedNode(SD + "SPARQL11Update") not in objects  # read-only
        assert NamedNode(SOURCE) in objects
        assert any(t.predicate == NamedNode("http://rdfs.org/ns/void#triples") for t in triples)
        assert any("rdfs:subClassOf" in getattr(t.object, "value", "") for t in triples)  # says what it entails


def test_cors(server: str) -> None:
    preflight = httpx.options(f"{server}/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    simple = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert simple.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip().lower() for name in simple.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "x-adkg-cache", "x-adkg-store"} <= exposed


def test_runaway_queries_time_out_while_lookups_and_health_answer(server: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        runaways = [pool.submit(httpx.get, f"{server}/sparql", params={"query": RUNAWAY}, timeout=60)
                    for _ in range(4)]
        time.sleep(0.5)
        for _ in range(5):
            assert httpx.get(f"{server}/health", timeout=10).status_code == 200
            assert _labels(httpx.get(f"{server}/sparql", params={"query": LABEL}, timeout=10)) == ["UNHCR"]
        still_running = [not future.done() for future in runaways]
        statuses = [future.result() for future in runaways]
    assert all(still_running)  # the lookups were answered while the runaway queries ran
    assert [r.status_code for r in statuses] == [503] * 4
    assert all(f"time limit of {TIME_LIMIT} s" in r.text for r in statuses)


def test_a_time_limit_reached_while_streaming_cuts_the_response_short(server: str) -> None:
    """The status is sent with the first chunk; after it, a stopped query must not look complete."""
    endless = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }"
    with httpx.stream("GET", f"{server}/sparql", params={"query": endless},
                      headers={"Accept": "application/n-triples"}, timeout=60) as response:
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            for _ in response.iter_bytes():
                pass
    assert _labels(httpx.get(f"{server}/sparql", params={"query": LABEL})) == ["UNHCR"]


def test_a_query_that_crashes_the_engine_costs_only_its_worker(server: str) -> None:
    deep = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    crashed = httpx.post(f"{server}/sparql", content=deep, headers={"Content-Type": "application/sparql-query"})
    assert crashed.status_code == 500
    assert "crashed" in crashed.text
    assert _labels(httpx.get(f"{server}/sparql", params={"query": LABEL})) == ["UNHCR"]


def test_a_new_build_is_picked_up_without_restart(project: Path) -> None:
    settings = Settings(project_root=project)
    build(settings)
    with adkg_serve(project, log=project / "serve.log") as url:
        first = httpx.get(f"{url}/health").json()["build_id"]
        cached = [httpx.get(f"{url}/sparql", params={"query": "ASK {}"}) for _ in range(2)]
        assert [response.headers["x-adkg-cache"] for response in cached] == ["miss", "hit"]
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            in_flight = pool.submit(
                httpx.get, f"{url}/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, timeout=60)
            build(settings)
            assert in_flight.result().status_code == 200
        second = httpx.get(f"{url}/health").json()
        assert second["build_id"] != first
        answered = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, headers={
            "If-None-Match": cached[0].headers["etag"]})
        assert answered.status_code == 200  # the tag of the old build's answer is stale
        assert answered.headers["x-adkg-store"] == second["build_id"]
        assert answered.headers["x-adkg-cache"] == "miss"
        assert answered.headers["etag"] != cached[0].headers["etag"]
        assert json.loads(answered.text)["boolean"] is True


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``adkg serve`` with ADKG_UPDATE_TOKEN over a project of its own, and that project."""
    root = copy_project(tmp_path_factory.mktemp("writable"))
    build(Settings(project_root=root))
    with adkg_serve(root, log=root / "serve.log", ADKG_UPDATE_TOKEN="s3cret", ADKG_QUERY_TIMEOUT="5") as url:
        yield url, root


def _update(url: str, text: str, token: str | None = "s3cret", **params: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{url}/sparql", data={"update": text, **params}, headers=headers)


def _ask(url: str, query: str) -> bool:
    response = httpx.get(f"{url}/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


def test_updates_need_the_token_and_never_load(writable: tuple[str, Path]) -> None:
    url, _ = writable
    insert = 'INSERT DATA { GRAPH <urn:test> { <urn:a> <urn:b> "c" } }'
    missing = _update(url, insert, token=None)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert _update(url, insert, token="wrong").status_code == 401
    load = _update(url, "LOAD <http://127.0.0.1:9/data.ttl>")
    assert load.status_code == 403
    assert "LOAD is never accepted" in load.text
    assert not _ask(url, "ASK { <urn:a> ?p ?o }")


def test_an_accepted_update_changes_the_served_store_not_the_sources(writable: tuple[str, Path]) -> None:
    url, root = writable
    description = httpx.get(f"{url}/sparql", headers={"Accept": "application/n-triples"})
    assert f"<{SD}SPARQL11Update>" in description.text
    sources = {path: path.read_bytes() for path in (root / "graph").rglob("*.ttl")}
    before = httpx.get(f"{url}/health").json()
    insert = httpx.post(f"{url}/sparql", content='INSERT DATA { GRAPH <urn:test> { <urn:a> <urn:b> "c" } }',
                        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"})
    assert insert.status_code == 204, insert.text
    assert "content-length" not in insert.headers  # regression: a 204 carried Content-Length: 0
    assert insert.headers["x-adkg-changed-since-build"] == "true"
    assert _ask(url, "ASK { GRAPH <urn:test> { <urn:a> <urn:b> \"c\" } }")
    after = httpx.get(f"{url}/health").json()
    assert after["changed_since_build"] is True
    assert after["build_id"] == before["build_id"]
    assert after["triples"] == before["triples"] + 1
    query = httpx.get(f"{url}/sparql", params={"query": "ASK {}"})
    assert query.headers["x-adkg-changed-since-build"] == "true"
    assert {path: path.read_bytes() for path in (root / "graph").rglob("*.ttl")} == sources

    copy = "INSERT { GRAPH <urn:copy> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    moved = _update(url, copy, **{"using-graph-uri": "urn:test"})
    assert moved.status_code == 204, moved.text
    assert _ask(url, "ASK { GRAPH <urn:copy> { <urn:a> <urn:b> \"c\" } }")
    conflict = _update(url, "INSERT { ?s ?p ?o } USING <urn:test> WHERE { ?s ?p ?o }", **{"using-graph-uri": "urn:x"})
    assert conflict.status_code == 400

    build(Settings(project_root=root))  # the next build replaces the changed store
    rebuilt = httpx.get(f"{url}/health").json()
    assert rebuilt["changed_since_build"] is False
    assert not _ask(url, "ASK { GRAPH <urn:test> { ?s ?p ?o } }")


def test_an_update_is_never_answered_from_results_kept_before_it(writable: tuple[str, Path]) -> None:
    url, _ = writable
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:kept> { ?s ?p ?o } }"
    before = [httpx.get(f"{url}/sparql", params={"query": count}) for _ in range(2)]
    assert [response.headers["x-adkg-cache"] for response in before] == ["miss", "hit"]
    assert before[1].json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert _update(url, "INSERT DATA { GRAPH <urn:kept> { <urn:a> <urn:b> <urn:c> } }").status_code == 204
    after = httpx.get(f"{url}/sparql", params={"query": count}, headers={"If-None-Match": before[0].headers["etag"]})
    assert (after.status_code, after.headers["x-adkg-cache"]) == (200, "miss")
    assert after.json()["results"]["bindings"][0]["n"]["value"] == "1"
    assert after.headers["etag"] != before[0].headers["etag"]


def test_sparqlwrapper_in_every_format_it_asks_for(server: str) -> None:
    from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

    wrapper = SPARQLWrapper(f"{server}/sparql")
    wrapper.setQuery(LABEL)
    wrapper.setReturnFormat(JSON)
    assert wrapper.query().convert()["results"]["bindings"][0]["label"]["value"] == "UNHCR"
    wrapper.setReturnFormat(XML)
    assert wrapper.query().convert().getElementsByTagName("literal")[0].firstChild.data == "UNHCR"
    wrapper.setReturnFormat(CSV)
    assert wrapper.query().convert().decode().split() == ["label", "UNHCR"]
    wrapper.setMethod("POST")
    wrapper.setQuery("CONSTRUCT WHERE { <https://w3id.org/adkg/id/unhcr> ?p ?o }")
    wrapper.setReturnFormat(TURTLE)
    turtle = wrapper.query().convert()
    assert b"UNHCR" in turtle
    assert list(parse(turtle, format=RdfFormat.TURTLE))


def test_rdflib_service_clause_and_sparqlstore(server: str) -> None:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    local = Graph()
    rows = local.query(
        f"SELECT ?label WHERE {{ SERVICE <{server}/sparql> {{ <https://w3id.org/adkg/id/unhcr> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } }"
    )
    assert [str(row[0]) for row in rows] == ["UNHCR"]
    remote = Graph(store=SPARQLStore(f"{server}/sparql"))
    assert [str(row[0]) for row in remote.query(LABEL)] == ["UNHCR"]
    assert remote.query("ASK { ?s ?p ?o }").askAnswer is True
    labels = list(remote.objects(URIRef("https://w3id.org/adkg/id/unhcr"),
                                 URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert [str(label) for label in labels] == ["UNHCR"]
    described = remote.query("CONSTRUCT WHERE { <https://w3id.org/adkg/id/unhcr> ?p ?o }")
    assert len(described.graph) > 3  # type: ignore[arg-type]
