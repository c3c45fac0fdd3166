"""The timeline on a real ``adkg serve`` over the run's shared build: everything the graph dates,
in time order, at the text's precision."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from browsers import chromium
from servers import adkg_serve, linked_query

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
DATED = """PREFIX adkg: <https://w3id.org/adkg/ontology#> PREFIX time: <http://www.w3.org/2006/time#>
SELECT DISTINCT ?node WHERE {
  ?node time:hasTime ?time .
  FILTER NOT EXISTS { ?node a ?kind . FILTER(?kind IN (adkg:Claim, adkg:SourceDocument)) }
}"""


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with adkg_serve(built_project, log=tmp_path_factory.mktemp("timeline") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def entries(server: str) -> list[dict[str, str]]:
    response = httpx.get(f"{server}/timeline", params={"format": "json"})
    assert response.headers["content-type"] == "application/json"
    found: list[dict[str, str]] = response.json()["entries"]
    return found


def test_everything_dated_is_on_the_timeline_in_time_order(
    entries: list[dict[str, str]], served_store: Path
) -> None:
    store = pyoxigraph.Store.read_only(str(served_store))
    dated = {row["node"].value for row in store.query(DATED, use_default_graph_as_union=True)}  # type: ignore[union-attr,index]
    assert {entry["node"] for entry in entries} == dated
    placed = [entry["first_day"] or entry["last_day"] for entry in entries]
    days = [day for day in placed if day]
    assert days == sorted(days)
    assert placed.index("") == len(days)  # the entries dated to no day, month or year come last
    assert all(not day for day in placed[len(days):])


def test_each_entry_keeps_the_texts_precision(entries: list[dict[str, str]]) -> None:
    by_node = {entry["node"].rsplit("/", 1)[-1]: entry for entry in entries}
    deadline = by_node["deadline-2023-10-31"]
    assert (deadline["when"], deadline["precision"], deadline["first_day"], deadline["last_day"]) == (
        "2023-10-31", "day", "2023-10-31", "2023-10-31"
    )
    months = [e for e in entries if e["precision"] == "month"]
    assert months
    assert all(e["first_day"].endswith("-01") and e["first_day"][:7] == e["last_day"][:7] for e in months)
    open_periods = [e for e in entries if e["precision"] == "open period"]
    assert any(e["when"].startswith("from ") and not e["last_day"] for e in open_periods)
    no_year = [e for e in entries if e["precision"] == "no year"]
    assert no_year
    assert all("no year given" in e["when"] and not e["first_day"] for e in no_year)  # never given a year
    assert all(e["anchor"].startswith("https://w3id.org/adkg/id/source-") for e in entries if e["quote"])


def test_the_page_links_each_entry_and_its_query(server: str, entries: list[dict[str, str]], test_output: Path) -> None:
    page = httpx.get(f"{server}/timeline", headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    for entry in entries:
        assert f'<a href="/id/{entry["node"].rsplit("/", 1)[-1]}">' in page.text
    assert page.text.count('class="bar') == sum(1 for e in entries if e["first_day"] or e["last_day"])
    assert page.text.count('<span class="tick"') >= 2  # the axis is labelled with years
    query = linked_query(page.text, "this query")
    described = httpx.get(f"{server}/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    assert described.status_code == 200
    with chromium() as browser:
        view = browser.new_page()
        view.goto(f"{server}/timeline")
        rows = view.locator("tbody tr").count()
        view.screenshot(path=test_output / "timeline.png", full_page=True)
    assert rows == len(entries)
