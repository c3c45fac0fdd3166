"""Dumps of the dataset and its DCAT/VoID description, served by a real ``adkg serve`` over the
run's shared build: every dump parses back to exactly the store's quads plus the description."""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from adkg.dumps import DESCRIPTION_GRAPH, DumpFormat
from servers import adkg_serve, linked_query

VOID = "http://rdfs.org/ns/void#"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with adkg_serve(built_project, log=tmp_path_factory.mktemp("downloads") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def store_quads(served_store: Path) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.Store.read_only(str(served_store)))


def _shape(quads: list[pyoxigraph.Quad]) -> tuple[Counter[str], set[str]]:
    """Quads per graph, and the quads without blank nodes (a parser names blank nodes anew)."""
    per_graph = Counter(str(q.graph_name) for q in quads)
    named = {str(q) for q in quads if not any(isinstance(t, pyoxigraph.BlankNode) for t in (q.subject, q.object))}
    return per_graph, named


def test_the_index_lists_every_dump_with_its_licence(server: str) -> None:
    page = httpx.get(f"{server}/download/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert '<th scope="col">file</th>' in page.text
    assert f'<a href="{CC_BY_SA}">' in page.text
    for dump in DumpFormat:
        assert f'href="/download/{dump.file_name}"' in page.text
        assert f'href="/download/{dump.file_name}.gz"' in page.text
    # the triple count, counted again by the query the page links to
    sizes = httpx.get(f"{server}/sparql", params={"query": linked_query(page.text, "counted by named graph")})
    counted = sum(int(row["count"]["value"]) for row in sizes.json()["results"]["bindings"])
    assert f"{counted} triples" in page.text


@pytest.mark.parametrize("dump", list(DumpFormat), ids=lambda d: d.file_name)
def test_each_dump_parses_back_to_the_store_and_its_description(
    server: str, dump: DumpFormat, store_quads: list[pyoxigraph.Quad]
) -> None:
    response = httpx.get(f"{server}/download/{dump.file_name}", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == dump.media_type
    assert "content-encoding" not in response.headers
    parsed = list(pyoxigraph.parse(response.content, format=dump.rdf_format))
    description = [q for q in parsed if q.graph_name == DESCRIPTION_GRAPH]
    data = [q for q in parsed if q.graph_name != DESCRIPTION_GRAPH]
    if dump.named_graphs:
        assert _shape(data) == _shape(store_quads)
        assert len(description) > 20
    else:  # the union: every triple of the store, and of the description, in the default graph
        nquads = httpx.get(f"{server}/download/dataset.nq", headers={"accept-encoding": "identity"})
        described = [q for q in pyoxigraph.parse(nquads.content, format=pyoxigraph.RdfFormat.N_QUADS)
                     if q.graph_name == DESCRIPTION_GRAPH]

        def triples(quads: list[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
            return [pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in quads]

        assert {q.graph_name for q in parsed} == {pyoxigraph.DefaultGraph()}
        assert _shape(parsed)[1] == _shape(triples(store_quads))[1] | _shape(triples(described))[1]
        assert len(set(parsed)) == len(set(triples(store_quads))) + len(set(triples(described)))


@pytest.mark.parametrize("dump", [DumpFormat.TRIG, DumpFormat.NQUADS], ids=lambda d: d.file_name)
def test_a_dump_is_gzip_compressed_on_request_and_as_a_file(server: str, dump: DumpFormat) -> None:
    plain = httpx.get(f"{server}/download/{dump.file_name}", headers={"accept-encoding": "identity"})
    zipped = httpx.get(f"{server}/download/{dump.file_name}", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.content == plain.content  # httpx undoes the encoding
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.headers["etag"] != plain.headers["etag"]
    file = httpx.get(f"{server}/download/{dump.file_name}.gz", headers={"accept-encoding": "identity"})
    assert file.headers["content-type"] == "application/gzip"
    assert gzip.decompress(file.content) == plain.content


def test_dumps_carry_validators_from_the_build_and_answer_304(server: str) -> None:
    url = f"{server}/download/dataset.nq"
    first = httpx.get(url, headers={"accept-encoding": "identity"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert httpx.get(url, headers={"accept-encoding": "identity", "if-none-match": etag}).status_code == 304
    assert httpx.get(url, headers={"accept-encoding": "identity", "if-modified-since": modified}).status_code == 304
    stale = httpx.get(url, headers={"accept-encoding": "identity", "if-none-match": '"other"'})
    assert stale.status_code == 200
    assert stale.content == first.content
    head = httpx.head(url, headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.headers["content-length"] == first.headers["content-length"]
    missing = httpx.get(f"{server}/download/dataset.csv")
    assert missing.status_code == 404
    assert 'href="/download/dataset.trig"' in missing.text  # a page that says what there is


def test_the_void_description_counts_the_store_and_names_licence_endpoint_and_dumps(
    server: str, store_quads: list[pyoxigraph.Quad]
) -> None:
    turtle = httpx.get(f"{server}/.well-known/void")
    assert turtle.status_code == 200
    assert turtle.headers["content-type"].startswith("text/turtle")
    store = pyoxigraph.Store()
    store.load(turtle.content, format=pyoxigraph.RdfFormat.TURTLE)

    def values(predicate: str) -> list[str]:
        return sorted(q.object.value for q in store.quads_for_pattern(
            pyoxigraph.NamedNode("https://w3id.org/adkg/dataset"), pyoxigraph.NamedNode(predicate), None))

    assert values(VOID + "triples") == [str(len(store_quads))]
    assert values("http://purl.org/dc/terms/license") == [CC_BY_SA]
    assert values(VOID + "sparqlEndpoint") == ["https://w3id.org/adkg/sparql"]
    assert values(VOID + "dataDump") == sorted(f"https://w3id.org/adkg/download/{d.file_name}" for d in DumpFormat)
    assert len(values(VOID + "exampleResource")) == 1
    jsonld = httpx.get(f"{server}/.well-known/void", headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(list(pyoxigraph.parse(jsonld.content, format=pyoxigraph.RdfFormat.JSON_LD))) == len(store)
    assert httpx.get(f"{server}/.well-known/void", headers={"accept": "text/csv"}).status_code == 406


@pytest.mark.parametrize("graph", ["entities", "source/wikipedia-extract", "derived", "ontology"])
def test_each_named_graphs_iri_serves_its_triples_and_a_page(
    server: str, store_quads: list[pyoxigraph.Quad], graph: str
) -> None:
    iri = "https://w3id.org/adkg/graph/" + graph
    held = {pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in store_quads if q.graph_name.value == iri}
    assert held
    turtle = httpx.get(f"{server}/graph/{graph}", headers={"accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert len(set(pyoxigraph.parse(turtle.content, format=pyoxigraph.RdfFormat.TURTLE))) == len(held)
    page = httpx.get(f"{server}/graph/{graph}", headers={"accept": "text/html"}).text
    assert f"{len(held)} triples" in page
    by_query = httpx.get(f"{server}/sparql", params={"query": linked_query(page, "this query")},
                         headers={"accept": "application/n-triples"})
    assert len(set(pyoxigraph.parse(by_query.content, format=pyoxigraph.RdfFormat.N_TRIPLES))) == len(held)


def test_the_datasets_iris_lead_to_its_description(server: str) -> None:
    for path in ("/dataset", "/graph/void"):
        response = httpx.get(server + path)
        assert response.status_code == 303
        assert response.headers["location"] == "/.well-known/void"
    assert httpx.get(f"{server}/graph/nothing", headers={"accept": "text/turtle"}).status_code == 404
    assert httpx.get(f"{server}/graph/a%3Eb", headers={"accept": "text/turtle"}).status_code == 404
    assert 'href="/graph/void"' in httpx.get(f"{server}/download/").text


def test_the_description_counts_the_triples_of_each_named_graph(
    server: str, store_quads: list[pyoxigraph.Quad]
) -> None:
    turtle = httpx.get(f"{server}/.well-known/void", headers={"accept": "text/turtle"}).content
    description = list(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE))
    subsets = {t.object for t in description if t.predicate.value == VOID + "subset"}
    counted = {t.subject.value: int(t.object.value) for t in description
               if t.subject in subsets and t.predicate.value == VOID + "triples"}
    assert counted == dict(Counter(q.graph_name.value for q in store_quads))
