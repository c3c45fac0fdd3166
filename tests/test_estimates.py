"""The estimates view on a real ``adkg serve`` over the run's shared build: every figure of the
graph side by side, as a page, CSV and JSON, with what the rules found."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pyoxigraph
import pytest
from click.testing import Result

from adkg.charts import chart_svg
from adkg.estimates import COLUMNS, Figure, VariableFigures
from adkg.resource_page import ClaimRow, Term
from browsers import chromium
from conftest import add_second_source
from servers import adkg_serve, linked_query

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUANTITY_CLAIMS = """PREFIX adkg: <https://w3id.org/adkg/ontology#> PREFIX schema: <https://schema.org/>
SELECT ?claim ?variable ?value ?min ?max WHERE {
  ?claim a adkg:QuantityClaim ; schema:variableMeasured ?variable .
  OPTIONAL { ?claim schema:value ?value }
  OPTIONAL { ?claim schema:minValue ?min }
  OPTIONAL { ?claim schema:maxValue ?max }
}"""


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with adkg_serve(built_project, log=tmp_path_factory.mktemp("estimates") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def claims(served_store: Path) -> dict[str, dict[str, str]]:
    """Every quantity claim of the store: its variable and numbers as the graph gives them."""
    store = pyoxigraph.Store.read_only(str(served_store))
    solutions = store.query(QUANTITY_CLAIMS, use_default_graph_as_union=True)
    found: dict[str, dict[str, str]] = {}
    for row in solutions:  # type: ignore[union-attr]
        found[row["claim"].value] = {
            name: row[name].value if row[name] is not None else "" for name in ("variable", "value", "min", "max")
        }
    return found


def test_every_quantity_claim_is_on_the_page_under_its_variable(server: str, claims: dict[str, dict[str, str]]) -> None:
    page = httpx.get(f"{server}/estimates", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for claim, known in claims.items():
        section = page.text.split(f'<section id="{known["variable"].rsplit("/", 1)[-1]}"', 1)[1].split("</section>")[0]
        assert f'<a href="/id/{claim.rsplit("/", 1)[-1]}">' in section, claim
    assert f"{len(claims)} claims" in page.text


def test_the_csv_has_one_row_per_claim_with_the_graphs_numbers(server: str, claims: dict[str, dict[str, str]]) -> None:
    response = httpx.get(f"{server}/estimates", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == COLUMNS
    assert {row["claim"] for row in rows} == set(claims)
    assert len(rows) == len(claims)
    for row in rows:
        known = claims[row["claim"]]
        assert (row["variable"], row["value"], row["min_value"], row["max_value"]) == (
            known["variable"], known["value"], known["min"], known["max"]
        )
        assert row["quote"]
        assert row["anchor"].startswith("https://w3id.org/adkg/id/source-")
    # the same rows by the Accept header
    assert httpx.get(f"{server}/estimates", headers={"accept": "text/csv"}).text == response.text


def test_every_disagreement_is_between_figures_that_really_differ(server: str) -> None:
    document = httpx.get(f"{server}/estimates", headers={"accept": "application/json"}).json()
    figures = {row["claim"]: row for variable in document["variables"] for row in variable["figures"]}
    disagreements = [f for v in document["variables"] for f in v["findings"] if f["kind"] == "disagreement"]
    assert disagreements
    for finding in disagreements:
        first, second = (figures[claim] for claim in finding["claims"])
        assert (first["value"], first["min_value"], first["max_value"]) != (
            second["value"], second["min_value"], second["max_value"]
        )
    pakistan = next(v for v in document["variables"] if v["variable"].endswith("/variable-afghans-in-pakistan"))
    assert sorted(row["value"] for row in pakistan["figures"]) == [3800000, 4400000, 4400000]  # numbers in JSON


def test_the_page_links_its_query_and_refuses_what_it_cannot_serve(server: str) -> None:
    page = httpx.get(f"{server}/estimates", headers={"accept": BROWSER}).text
    query = linked_query(page, "this query")
    described = httpx.get(f"{server}/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    claims = {t.subject.value for t in pyoxigraph.parse(described.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
              if t.object.value == "https://w3id.org/adkg/ontology#QuantityClaim"}
    assert len(claims) > 20
    assert httpx.get(f"{server}/estimates", params={"format": "xml"}).status_code == 400
    refused = httpx.get(f"{server}/estimates", headers={"accept": "image/png"})
    assert refused.status_code == 406
    assert "Accept" in refused.headers["vary"]
    etag = httpx.get(f"{server}/estimates", headers={"accept": BROWSER}).headers["etag"]
    assert httpx.get(f"{server}/estimates", headers={"accept": BROWSER, "if-none-match": etag}).status_code == 304


def test_each_chart_is_valid_svg_with_one_mark_per_claim(server: str, test_output: Path) -> None:
    page = httpx.get(f"{server}/estimates", headers={"accept": BROWSER}).text
    document = httpx.get(f"{server}/estimates", params={"format": "json"}).json()
    charted = [v for v in document["variables"] if len(v["figures"]) >= 2]
    assert charted
    for variable in charted:
        section = page.split(f'<section id="{variable["variable"].rsplit("/", 1)[-1]}"', 1)[1].split("</section>")[0]
        marks = []
        for svg in re.findall(r"<svg .*?</svg>", section, flags=re.DOTALL):  # one chart per unit
            root = ElementTree.fromstring(svg)  # well-formed XML, or this raises
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert root.get("role") == "img"
            assert variable["label"] in (root.get("aria-label") or "")
            marks += [e.get("id") for e in root.iter() if (e.get("id") or "").startswith("claim-")]
        assert sorted(marks) == sorted("claim-" + row["claim"].rsplit("/", 1)[-1] for row in variable["figures"])
    # the text alternative names sources and the disagreements the chart draws
    pakistan = page.split('<section id="variable-afghans-in-pakistan"', 1)[1].split("</section>")[0]
    label = html.unescape(re.findall(r'aria-label="([^"]*)"', pakistan)[0])
    assert "reported in Pakistan's deportation of Afghans" in label
    assert "Disagreements: " in label
    # a fee given in dollars and in pounds: two charts, never one axis
    fee = page.split('<section id="variable-exit-fee-amount"', 1)[1].split("</section>")[0]
    assert fee.count("<svg ") == 2
    with chromium() as browser:
        view = browser.new_page()
        view.goto(f"{server}/estimates#variable-afghans-in-pakistan")
        drawn = view.locator("#variable-afghans-in-pakistan svg").bounding_box()
        view.screenshot(path=test_output / "estimates.png", full_page=True)
    assert drawn is not None
    assert drawn["width"] > 300


def test_the_report_is_one_standalone_page_with_every_figure_and_chart(
    built_project: Path, tmp_path: Path, claims: dict[str, dict[str, str]], run_adkg: Callable[..., Result]
) -> None:
    output = tmp_path / "report.html"
    result = run_adkg("report", "--output", str(output), root=built_project)
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    for claim in claims:
        assert f'<a href="{claim}">' in page  # links are the IRIs themselves
    variables = {known["variable"] for known in claims.values()}
    charted = [v for v in variables if sum(known["variable"] == v for known in claims.values()) >= 2]
    assert page.count("<svg ") == len(charted) + 1  # the exit fee's figures, in two currencies, are two charts
    assert "src=" not in page  # nothing is fetched: style and charts are in the page
    assert 'rel="stylesheet"' not in page


def test_a_second_sources_figures_join_the_seeds_in_their_charts(
    run_adkg: Callable[..., Result], project: Path, tmp_path: Path
) -> None:
    """The issue's check: an unseen source whose figures compete with the seed's, built with no
    code change, is found in the right charts and findings of the report."""
    add_second_source(project)
    assert run_adkg("anchor", root=project).exit_code == 0
    assert run_adkg("build", root=project).exit_code == 0
    output = tmp_path / "report.html"
    assert run_adkg("report", "--output", str(output), root=project).exit_code == 0
    page = output.read_text(encoding="utf-8")
    section = page.split('<section id="variable-afghans-in-pakistan"', 1)[1].split("</section>")[0]
    svg = ElementTree.fromstring(section[section.index("<svg"):section.index("</svg>") + len("</svg>")])
    marks = {e.get("id") for e in svg.iter() if (e.get("id") or "").startswith("claim-")}
    assert marks == {
        "claim-claim-un-afghans-in-pakistan-2023",
        "claim-claim-pakistan-government-figures-afghans-in-pakistan-2023-10",
        "claim-claim-pakistani-authorities-afghans-in-pakistan-2023",
        "claim-claim-test-officials-afghans-in-pakistan-2023-10-20",
    }
    assert "Pakistani officials" in (svg.get("aria-label") or "")
    # its disagreements with the UN's and the government's figures are among the findings
    assert section.count("approximately 4100000 (Pakistani officials)") >= 3


def test_regressions_of_the_second_reading(server: str, tmp_path: Path, built_project: Path,
                                            run_adkg: Callable[..., Result]) -> None:
    page = httpx.get(f"{server}/estimates", headers={"accept": BROWSER}).text
    # charts inlined in one page repeat no id (matplotlib's own ids made each chart's own)
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # every disagreement is listed at the top, where the figures disagree
    top = page.split("<h2>Where the figures disagree</h2>", 1)[1].split("<h2>", 1)[0]
    document = httpx.get(f"{server}/estimates", params={"format": "json"}).json()
    disagreements = {f["record"] for v in document["variables"] for f in v["findings"] if f["kind"] == "disagreement"}
    assert disagreements
    assert all(f'<a href="/id/{iri.rsplit("/", 1)[-1]}">' in top for iri in disagreements)
    # the CSV says each figure's currency
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{server}/estimates", params={"format": "csv"}).text)))
    assert sorted(r["unit"] for r in rows if r["variable"].endswith("/variable-exit-fee-amount")) == ["GBP", "USD"]
    # the report is a file to share: others may read it
    output = tmp_path / "report.html"
    assert run_adkg("report", "--output", str(output), root=built_project).exit_code == 0
    assert output.stat().st_mode & 0o044 == 0o044


def test_a_chart_of_undated_figures_labels_no_day() -> None:
    """Regression: with no claim dated, the time axis was labelled with days of the year 1."""
    def figure(name: str, value: float) -> Figure:
        row = ClaimRow(Term(name), None, str(value), (), "", (Term("someone"),), (Term("a source"),), (), ())
        return Figure(f"https://w3id.org/adkg/id/{name}", row, value, None, None, None, None, ())

    variable = VariableFigures(Term("a count"), "https://w3id.org/adkg/id/variable-x", "", None,
                               (figure("claim-a", 3), figure("claim-b", 5)), ())
    svg = chart_svg(variable)
    assert "no date" in svg
    assert not re.search(r">\s*\d{1,4}-\d{2}(-\d{2})?\s*<", svg)  # no day or month labels an empty axis
    assert sorted(re.findall(r'id="(claim-[^"]+)"', svg)) == ["claim-claim-a", "claim-claim-b"]
