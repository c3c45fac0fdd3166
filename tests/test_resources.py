"""Linked Data: every adkgr: IRI looked up on a real ``adkg serve`` over the run's shared build,
as an HTML page for a browser and as RDF in each format for any other client."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from adkg.web.page_queries import page_query
from browsers import chromium
from conftest import PROJECT_ROOT
from servers import adkg_serve, linked_query

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/adkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with adkg_serve(built_project, log=tmp_path_factory.mktemp("resources") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def store(served_store: Path) -> pyoxigraph.Store:
    return pyoxigraph.Store.read_only(str(served_store))


def _named(triples: list[pyoxigraph.Triple]) -> set[str]:
    """The triples without blank nodes (a parser names blank nodes anew)."""
    return {str(t) for t in triples if not isinstance(t.subject, pyoxigraph.BlankNode)
            and not isinstance(t.object, pyoxigraph.BlankNode)}


@pytest.mark.parametrize("name", ["united-nations", "balochistan", "deadline-2023-10-31",
                                  "claim-un-afghans-in-pakistan-2023"])
def test_each_rdf_format_holds_what_the_store_says_of_the_resource(
    server: str, store: pyoxigraph.Store, name: str
) -> None:
    own = [pyoxigraph.Triple(q.subject, q.predicate, q.object)
           for q in store.quads_for_pattern(pyoxigraph.NamedNode(ID + name), None, None)]
    assert own
    parsed = {}
    for media_type, rdf_format in FORMATS.items():
        response = httpx.get(f"{server}/id/{name}", headers={"accept": media_type})
        assert response.status_code == 200, (media_type, response.text)
        assert response.headers["content-type"].split(";")[0] == media_type
        assert response.headers["vary"].startswith("Accept")
        parsed[media_type] = list(pyoxigraph.parse(response.content, format=rdf_format))
        assert _named(own) <= _named(parsed[media_type])
    # every format says the same, and it is what the store answers to the page's query, blank nodes
    # and all (isomorphic graphs)
    held = store.query(page_query(PROJECT_ROOT / "queries" / "pages", "resource", "resource", ID + name),
                       use_default_graph_as_union=True)
    expected = _graph(held)  # type: ignore[arg-type]
    assert len(expected) > len(own)
    for media_type, triples in parsed.items():
        assert isomorphic(_graph(triples), expected), media_type
    # revalidation: the same answer is 304 to a client that holds it, another format is not
    turtle = httpx.get(f"{server}/id/{name}", headers={"accept": "text/turtle"})
    again = httpx.get(f"{server}/id/{name}", headers={"accept": "text/turtle", "if-none-match": turtle.headers["etag"]})
    assert again.status_code == 304
    other = httpx.get(f"{server}/id/{name}", headers={"accept": BROWSER, "if-none-match": turtle.headers["etag"]})
    assert other.status_code == 200
    default = httpx.get(f"{server}/id/{name}", headers={"accept": "*/*"})
    assert default.headers["content-type"].startswith("text/turtle")
    assert httpx.get(f"{server}/id/{name}", params={"format": "jsonld"}).headers["content-type"].startswith(
        "application/ld+json"
    )


def _graph(triples: Iterable[pyoxigraph.Triple]) -> rdflib.Graph:
    """The triples as an rdflib graph, for comparing graphs with blank nodes."""
    data = pyoxigraph.serialize(list(triples), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


@pytest.mark.parametrize("path", ["/id/united-nations", "/id/source-wikipedia-extract", "/ontology"])
def test_an_rdf_client_dereferences_an_iri(server: str, store: pyoxigraph.Store, path: str) -> None:
    """rdflib, as another dataset's tools would, loads the IRI's address with its own Accept header."""
    graph = rdflib.Graph().parse(server + path)
    subject = rdflib.URIRef("https://w3id.org/adkg" + path)  # the address stands for this IRI
    assert (subject, rdflib.RDF.type, None) in graph
    assert len(graph) > 20


def test_an_actors_page_shows_its_claims_side_by_side(server: str) -> None:
    page = httpx.get(f"{server}/id/united-nations", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert "<h1>United Nations</h1>" in page.text
    assert '<a href="/id/claim-un-afghans-in-pakistan-2023">' in page.text
    assert page.text.count("<q>an estimated 3.8 million Afghans in Pakistan") == 1
    assert "<td>3,800,000</td>" in page.text
    # the words link to their quote anchor, the passage of the source's page
    assert '<a href="/id/source-wikipedia-extract#char=290,415"><q>an estimated 3.8 million Afghans' in page.text
    # named nodes are named by their labels
    assert ('<a href="/id/source-wikipedia-extract">Pakistan&#39;s deportation of Afghans (extract of an English'
            " Wikipedia article)</a>") in page.text
    assert '<a href="/id/variable-afghans-in-pakistan">Afghans in Pakistan</a>' in page.text
    assert '<th scope="col">claimed by</th>' in page.text


def _claim_rows(page: str) -> list[str]:
    return re.findall(r'<tr><th scope="row">(.*?)</tr>', page, flags=re.DOTALL)


def test_a_places_page_sets_the_figures_measured_in_it_side_by_side(server: str, store: pyoxigraph.Store) -> None:
    """Pakistan: no claim points at it directly with a figure; the variables measured in it do."""
    page = httpx.get(f"{server}/id/pakistan", headers={"accept": BROWSER}).text
    rows = [row for row in _claim_rows(page) if ">Afghans in Pakistan</a>" in row]
    figures = sorted(re.findall(r"<td>([\d,]+)(?:</td>|<br>)", " ".join(rows)))
    held = store.query("""PREFIX schema: <https://schema.org/>
        SELECT ?value WHERE { ?claim schema:variableMeasured <https://w3id.org/adkg/id/variable-afghans-in-pakistan> ;
                                     schema:value ?value }""", use_default_graph_as_union=True)
    assert figures == sorted(f'{int(solution["value"].value):,}' for solution in held)  # type: ignore[union-attr]
    assert "3,800,000" in figures
    assert "4,400,000" in figures
    assert any("United Nations" in row for row in rows)
    assert any("Government of Pakistan" in row for row in rows)
    # the claims of one variable are together
    measures = [m for row in _claim_rows(page) for m in re.findall(r'<a href="/id/(variable-[^"]+)">', row)[:1]]
    # a bound reads as one, with the words that qualify it; an amount with its currency
    assert '<td>&gt; 4,000,000<br><small><a href="/ontology#hedge-more-than">more than</a></small></td>' in page
    assert "<td>830 USD</td>" in page
    assert "<td>98%</td>" in page  # a share
    assert "<td>1 year</td>" in page  # a duration
    # times at the text's precision: open ends left open, a duration, a date without a year
    assert "<td>from 1979</td>" in page
    assert "<td>until 2025-01</td>" in page
    assert "<td>40 years to an undated end</td>" in page
    assert "<td>from January, no year given (vague)</td>" in page
    assert "<td>2023-09-17 – 2023-11-05</td>" in page
    runs = [variable for variable, _ in itertools.groupby(measures)]
    assert len(runs) == len(set(runs)) > 1


def test_every_page_links_to_the_query_that_reproduces_it(server: str) -> None:
    page = httpx.get(f"{server}/id/deadline-2023-10-31", headers={"accept": BROWSER}).text
    query = linked_query(page, "this query")
    by_query = httpx.get(server + "/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    by_page = httpx.get(f"{server}/id/deadline-2023-10-31", headers={"accept": "application/n-triples"})
    assert _named(list(pyoxigraph.parse(by_query.content, format=pyoxigraph.RdfFormat.N_TRIPLES))) == _named(
        list(pyoxigraph.parse(by_page.content, format=pyoxigraph.RdfFormat.N_TRIPLES))
    )
    # a browser following the link gets the query UI on it
    ui = httpx.get(server + "/sparql", params={"query": query}, headers={"accept": BROWSER})
    assert ui.headers["content-type"].startswith("text/html")
    assert "Query the graph with SPARQL" in ui.text


@pytest.mark.parametrize(
    "name", ["anwarul-haq-kakar", "balochistan", "deadline-2023-10-31", "claim-un-afghans-in-pakistan-2023"]
)
def test_pages_of_a_person_a_place_a_policy_and_a_claim_link_every_iri(server: str, name: str) -> None:
    page = httpx.get(f"{server}/id/{name}", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert f"<code>{ID}{name}</code>" in page.text
    assert 'href="/ontology#' in page.text  # its types and predicates link to the ontology
    assert '<link rel="alternate" type="text/turtle" href="?format=turtle">' in page.text
    assert 'href="https://w3id.org/adkg/' not in page.text  # adkg's IRIs are looked up here


def test_an_unknown_iri_is_404_with_a_page_saying_where_to_look(server: str) -> None:
    page = httpx.get(f"{server}/id/no-such-thing", headers={"accept": BROWSER})
    assert page.status_code == 404
    assert "Nothing is known of" in page.text
    assert 'href="/sparql"' in page.text
    # the page offers a search of the labels for the name's words
    misspelt = httpx.get(f"{server}/id/united-natins", headers={"accept": BROWSER}).text
    query = linked_query(misspelt, "Search the labels")
    found = httpx.get(server + "/sparql", params={"query": query}).json()["results"]["bindings"]
    assert ID + "united-nations" in {row["resource"]["value"] for row in found}
    assert httpx.get(f"{server}/id/no-such-thing", headers={"accept": "text/turtle"}).status_code == 404
    assert httpx.get(f"{server}/id/%3Cbad%3E", headers={"accept": "text/turtle"}).status_code == 404
    assert httpx.get(f"{server}/id/united-nations", headers={"accept": "text/csv"}).status_code == 406


def test_a_source_serves_its_text_and_each_anchor_its_words_in_their_sentence(
    server: str, built_project: Path
) -> None:
    text = (built_project / "seeds" / "000_fe3c9ec141ab1019.txt").read_text(encoding="utf-8")
    plain = httpx.get(f"{server}/id/source-wikipedia-extract", headers={"accept": "text/plain"})
    assert plain.headers["content-type"] == "text/plain; charset=utf-8"
    assert plain.text == text
    page = httpx.get(f"{server}/id/source-wikipedia-extract", headers={"accept": BROWSER}).text
    anchors = httpx.get(server + "/sparql", params={"query": linked_query(page, "the anchors, by query")})
    assert len(anchors.json()["results"]["bindings"]) >= page.count('<p id="char=')
    # the anchor <…/source-wikipedia-extract#char=290,415> leads to its passage
    assert ('<p id="char=290,415">There were <mark>an estimated 3.8 million Afghans in Pakistan at the time the'
            " deportation order was announced, according to the United Nations</mark>, while Pakistani") in page
    assert '<a href="/id/claim-un-afghans-in-pakistan-2023">' in page
    assert page.count('<p id="char=') == len(set(re.findall(r'<p id="(char=\d+,\d+)"', page)))
    not_a_source = httpx.get(f"{server}/id/united-nations", headers={"accept": "text/plain"})
    assert not_a_source.headers["content-type"] == "application/n-triples"


def test_the_ontology_is_served_as_documentation_and_in_each_rdf_format(
    server: str, store: pyoxigraph.Store
) -> None:
    ontology = pyoxigraph.NamedNode("https://w3id.org/adkg/graph/ontology")
    held = len(list(store.quads_for_pattern(None, None, None, ontology)))
    for media_type, rdf_format in FORMATS.items():
        response = httpx.get(f"{server}/ontology", headers={"accept": media_type})
        assert response.status_code == 200
        assert response.headers["vary"].startswith("Accept")
        assert len(set(pyoxigraph.parse(response.content, format=rdf_format))) == held
    page = httpx.get(f"{server}/ontology", headers={"accept": BROWSER}, timeout=60)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    # every adkg: term's IRI, …/ontology#QuantityClaim, lands on its section (or a concept's row),
    # and no id is given twice
    terms = {str(q.subject.value).removeprefix("https://w3id.org/adkg/ontology#")
             for q in store.quads_for_pattern(None, None, None, ontology)
             if isinstance(q.subject, pyoxigraph.NamedNode) and "/ontology#" in q.subject.value}
    ids = re.findall(r' id="([^"]+)"', page.text)
    assert len(ids) == len(set(ids))
    assert terms <= set(ids), sorted(terms - set(ids))
    assert {"QuantityClaim", "measuredIn", "status-alleged", "hedge-scheme"} <= terms
    assert "<h1>Afghan Deportation Knowledge Graph ontology</h1>" in page.text  # the ontology's title alone
    assert 'href="https://w3id.org/adkg/' not in page.text  # adkg's IRIs are looked up here
    assert 'href="/ontology"' in page.text  # rdfs:isDefinedBy, the ontology's IRI
    # a line of links: home, and the query behind the page
    query = linked_query(page.text, "this query")
    by_query = httpx.get(server + "/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    assert len(set(pyoxigraph.parse(by_query.content, format=pyoxigraph.RdfFormat.N_TRIPLES))) == held
    assert "<script src=" not in page.text  # nothing fetched from elsewhere
    again = httpx.get(f"{server}/ontology", headers={"accept": BROWSER, "if-none-match": page.headers["etag"]})
    assert again.status_code == 304


def test_chromium_shows_a_places_figures_and_a_quote_in_its_sentence(server: str, test_output: Path) -> None:
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{server}/id/pakistan")
        caption = page.locator("table caption").first.inner_text()
        page.screenshot(path=test_output / "page-pakistan.png", full_page=True)
        page.goto(f"{server}/id/source-wikipedia-extract#char=290,415")
        marked = page.locator(":target mark").inner_text()
        in_view = page.locator(":target").is_visible() and page.evaluate("window.scrollY") > 0
        page.screenshot(path=test_output / "page-quote-anchor.png")
    assert caption.startswith("The claims that concern Pakistan")
    assert marked == ("an estimated 3.8 million Afghans in Pakistan at the time the deportation order was announced,"
                      " according to the United Nations")
    assert in_view


def test_a_claims_page_shows_its_own_figure_and_words_and_the_findings_that_point_at_it(server: str) -> None:
    page = httpx.get(f"{server}/id/claim-un-afghans-in-pakistan-2023", headers={"accept": BROWSER}).text
    own = [row for row in _claim_rows(page) if "(this claim)" in row]
    assert len(own) == 1
    assert "<td>3,800,000</td>" in own[0]
    assert '<a href="/id/source-wikipedia-extract#char=290,415"><q>an estimated 3.8 million' in own[0]
    # the anchor's words under prov:wasDerivedFrom
    assert "<dd>an estimated 3.8 million Afghans in Pakistan" in page
    # the derived disagreement with the government's 4.4 million points at it
    referrers = page.split("<h2>What points at it</h2>")[1]
    assert re.search(r'<a href="/id/disagreement-[0-9a-f]+">', referrers)
    assert re.search(r'<a href="/id/comparable-[0-9a-f]+">', referrers)
    own_iri = f"{ID}claim-un-afghans-in-pakistan-2023"
    assert f'<a href="/id/claim-un-afghans-in-pakistan-2023"><code>{own_iri}</code></a>' in page


def test_refusals_and_misses_say_so_in_the_clients_terms(server: str) -> None:
    # a 406 depends on the Accept header: it says so, for caches
    refused = httpx.get(f"{server}/id/pakistan", headers={"accept": "image/png"})
    assert refused.status_code == 406
    assert "Accept" in refused.headers["vary"]
    # an unknown resource is 404 whatever is asked for
    assert httpx.get(f"{server}/id/nope", headers={"accept": "image/png"}).status_code == 404
    # a path nothing is served at: a page for a browser, plain text for any other client
    page = httpx.get(f"{server}/nothing/here", headers={"accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<a href="/id/">/id/</a>' in page.text
    plain = httpx.get(f"{server}/nothing/here")
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")
    assert "/nothing/here" in plain.text
    assert httpx.post(f"{server}/download/").status_code == 405


def test_the_index_lists_every_resource_by_class(server: str, store: pyoxigraph.Store) -> None:
    page = httpx.get(f"{server}/id/", headers={"accept": BROWSER}).text
    typed = {
        q.subject.value for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF_TYPE), None)
        if isinstance(q.subject, pyoxigraph.NamedNode) and q.subject.value.startswith(ID) and "#" not in q.subject.value
    }
    linked = set(re.findall(r'<li><a href="/id/([^"#]+)">', page))
    assert {ID + name for name in linked} == typed
    assert '<h2 id="heading-QuantityClaim"><a href="/ontology#QuantityClaim">quantity claim</a>' in page
    rows = httpx.get(f"{server}/sparql", params={"query": linked_query(page, "by this query")}).json()
    assert {row["resource"]["value"] for row in rows["results"]["bindings"]} == typed
    # every page's header leads to it, and to the ontology
    home = httpx.get(f"{server}/", headers={"accept": BROWSER}).text
    assert '<a href="/id/">resources</a>' in home
    assert '<a href="/ontology">ontology</a>' in home


def test_a_browser_gets_the_datasets_description_as_a_page(server: str) -> None:
    page = httpx.get(f"{server}/.well-known/void", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "void#triples" in page.text
    turtle = httpx.get(f"{server}/.well-known/void", params={"format": "turtle"}, headers={"accept": BROWSER})
    assert turtle.headers["content-type"].startswith("text/turtle")
    text = httpx.get(f"{server}/id/source-wikipedia-extract", params={"format": "text"}, headers={"accept": BROWSER})
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
