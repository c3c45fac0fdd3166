"""The query UI: YASGUI from npm served at / and /sparql, with the example queries, driven in
Debian's headless Chromium; and the same pages where YASGUI is not installed."""

from __future__ import annotations

import html
import os
import re
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adkg.errors import UiInstallError
from adkg.query_ui import PACKAGE, examples, find_yasgui, install_yasgui, pinned_version
from adkg.settings import Settings
from browsers import chromium
from conftest import PROJECT_ROOT
from servers import adkg_serve

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
UI = Settings().ui_folder
EXAMPLES = PROJECT_ROOT / "queries" / "examples"


@pytest.fixture(scope="module")
def server(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``adkg serve`` over the shared build, with YASGUI as ``adkg ui`` installed it."""
    if find_yasgui(UI) is None:
        raise RuntimeError(f"{PACKAGE} is not installed in {UI}: run `adkg ui` (the README's test command does)")
    with adkg_serve(built_project, log=tmp_path_factory.mktemp("ui") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def server_without_ui(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``adkg serve`` over the shared build where npm never ran: the UI's folder has its
    package.json and no node_modules."""
    folder = tmp_path_factory.mktemp("no-ui")
    (folder / "package.json").write_bytes((UI / "package.json").read_bytes())
    with adkg_serve(built_project, log=folder / "serve.log", ADKG_UI_DIR=str(folder)) as url:
        yield url


def test_the_pinned_yasgui_is_the_one_installed() -> None:
    installed = find_yasgui(UI)
    assert installed is not None
    assert installed.version == pinned_version(UI) == "4.6.2"


def _fake_npm(folder: Path, script: str) -> str:
    program = folder / "npm"
    program.write_text(f"#!/bin/sh\n{script}\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return str(program)


def test_install_runs_npm_ci_only_when_needed_and_reports_its_failure(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_bytes((UI / "package.json").read_bytes())
    # npm fails: its words reach the user
    failing = _fake_npm(tmp_path, 'echo "npm error network unreachable" >&2; exit 1')
    with pytest.raises(UiInstallError, match="network unreachable"):
        install_yasgui(tmp_path, npm=failing)
    # npm succeeds but installs another version than the pin
    build = tmp_path / "node_modules" / PACKAGE / "build"
    wrong = _fake_npm(tmp_path, f"mkdir -p {build} && touch {build}/yasgui.min.js {build}/yasgui.min.css && "
                                f"echo '{{\"version\": \"4.0.0\"}}' > {build.parent}/package.json")
    with pytest.raises(UiInstallError, match=r"installed 4\.0\.0, not @zazuko/yasgui 4\.6\.2"):
        install_yasgui(tmp_path, npm=wrong)
    # the pinned version in place: npm is not run (this one would fail)
    (build.parent / "package.json").write_text('{"version": "4.6.2"}')
    installed = install_yasgui(tmp_path, npm=failing)
    assert installed is not None
    assert installed.version == "4.6.2"


def test_install_without_npm_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "package.json").write_bytes((UI / "package.json").read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-folder"))
    assert install_yasgui(tmp_path) is None
    assert not (tmp_path / "node_modules").exists()


def test_a_pin_that_is_not_one_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(f'{{"dependencies": {{"{PACKAGE}": "^4.6.2"}}}}')
    with pytest.raises(UiInstallError, match="pinned to one version"):
        pinned_version(tmp_path)


def _example_links(page: str) -> dict[str, str]:
    """The example links of a page: name -> the query the link carries."""
    links = {}
    for href, name in re.findall(r'<a href="([^"]+)" data-example="([^"]+)">', page):
        links[name] = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(href)).query)["query"][0]
    return links


@pytest.mark.parametrize("path", ["/", "/sparql"])
def test_a_browser_gets_the_ui_with_every_example(server: str, path: str) -> None:
    response = httpx.get(server + path, headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"].split(", ")
    assert '<script src="/ui/yasgui.min.js?v=4.6.2">' in response.text
    assert '<link rel="stylesheet" href="/ui/yasgui.min.css?v=4.6.2">' in response.text
    assert _example_links(response.text) == {e.name: e.text for e in examples(EXAMPLES)}
    assert len(_example_links(response.text)) == len(list(EXAMPLES.glob("*.rq")))


def test_the_same_address_gives_a_client_results_and_a_person_the_ui(server: str) -> None:
    url = server + "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }", "tabTitle": "t"})
    assert httpx.get(url).json() == {"head": {}, "boolean": True}
    assert httpx.get(url, headers={"accept": "application/sparql-results+json"}).json()["boolean"] is True
    page = httpx.get(url, headers={"accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert "ASK { ?s ?p ?o }</textarea>" in page.text  # the form holds the query, for a page without scripts
    # a browser that names a format gets the results
    assert httpx.get(url + "&format=json", headers={"accept": BROWSER}).json()["boolean"] is True
    # a browser's POST is a query like any other
    posted = httpx.post(server + "/sparql", data={"query": "ASK {}"}, headers={"accept": BROWSER})
    assert posted.headers["content-type"].startswith("application/sparql-results+xml")


def test_yasgui_files_and_prefixes_are_served_from_this_server(server: str) -> None:
    script = httpx.get(server + "/ui/yasgui.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.content == (find_yasgui(UI).build / "yasgui.min.js").read_bytes()  # type: ignore[union-attr]
    assert httpx.get(server + "/ui/yasgui.min.css").headers["content-type"].startswith("text/css")
    assert httpx.get(server + "/ui/yasgui.esm.js").status_code == 404  # only the two files are served
    assert httpx.get(server + "/ui/..%2Fpackage.json").status_code == 404
    prefixes = httpx.get(server + "/ui/prefixes.json").json()
    assert prefixes["adkgr"] == "https://w3id.org/adkg/id/"


def test_without_yasgui_the_page_says_how_to_get_it_and_all_else_works(server_without_ui: str) -> None:
    page = httpx.get(server_without_ui + "/sparql", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert "The query editor is not installed" in page.text
    assert "install Node.js and npm" in page.text
    assert "<script" not in page.text
    assert '<form action="/sparql" method="get">' in page.text
    assert len(_example_links(page.text)) == len(list(EXAMPLES.glob("*.rq")))
    missing = httpx.get(server_without_ui + "/ui/yasgui.min.js")
    assert missing.status_code == 404
    assert "is not installed" in missing.text
    assert httpx.get(server_without_ui + "/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
    assert httpx.get(server_without_ui + "/id/united-nations", headers={"accept": BROWSER}).status_code == 200


def test_chromium_runs_an_example_query_in_yasgui(server: str, test_output: Path) -> None:
    """Open the UI, open an example in its tab, run it; its figures appear in the results table."""
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto(server + "/sparql")
        page.locator(".yasqe .CodeMirror").first.wait_for()
        page.click("a[data-example='competing-population-estimates']")
        tab = page.locator(".tabPanel.active")
        assert "competing-population-estimates" in page.locator(".tabsList .tab.active").inner_text()
        tab.locator(".yasqe_queryButton").click()
        rows = tab.locator(".yasr table tbody tr")
        rows.first.wait_for()
        table = tab.locator(".yasr table tbody").inner_text()
        page.screenshot(path=test_output / "query-ui.png", full_page=True)
        # an adkg IRI in the results opens its page on this server (YASGUI opens it in a new window)
        hrefs = tab.locator(".yasr table tbody a.iri").evaluate_all("links => links.map(a => a.href)")
        tab.get_by_label("Ellipse").uncheck()  # cells cut short cover their links
        with browser.expect_page() as opened:
            tab.locator(".yasr table tbody a", has_text="adkgr:claim-un-afghans-in-pakistan-2023").click()
        claim_page = opened.value
        claim_page.wait_for_load_state()
        claim_url, claim_heading = claim_page.url, claim_page.locator("h1").inner_text()
    assert "3800000" in table
    assert "4400000" in table
    assert "an estimated 3.8 million" in table
    assert all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
    assert (test_output / "query-ui.png").stat().st_size > 10_000
    assert claim_url == server + "/id/claim-un-afghans-in-pakistan-2023"
    adkg = [href for href in hrefs if "/id/" in href]  # the others are datatypes' IRIs
    assert adkg
    assert all(href.startswith(server + "/id/") for href in adkg), adkg  # rewritten as drawn, not on click
    assert "3.8 million" in claim_heading


def test_chromium_opens_a_link_to_a_query_with_its_results(server: str, test_output: Path) -> None:
    query = (EXAMPLES / "claims-per-claimant.rq").read_text(encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(server + "/sparql?" + urllib.parse.urlencode({"query": query, "tabTitle": "claims"}))
        tab = page.locator(".tabPanel.active")
        tab.locator(".yasr table tbody tr").first.wait_for()
        assert page.locator(".tabsList .tab.active").inner_text().splitlines()[0] == "claims"
        assert "United Nations" in tab.locator(".yasr table tbody").inner_text()
        page.screenshot(path=test_output / "query-ui-link.png")
    assert os.path.getsize(test_output / "query-ui-link.png") > 10_000


def test_behind_a_proxy_every_page_links_under_the_root_path(built_project: Path, tmp_path: Path) -> None:
    """ADKG_ROOT_PATH=/adkg: a proxy serves adkg at https://host/adkg/ and strips /adkg."""
    with adkg_serve(built_project, log=tmp_path / "serve.log", ADKG_ROOT_PATH="/adkg") as url:
        page = httpx.get(url + "/id/united-nations", headers={"accept": BROWSER}).text
        ui = httpx.get(url + "/sparql", headers={"accept": BROWSER}).text
        assert httpx.get(url + "/sparql", params={"query": "ASK {}"}).json()["boolean"] is True
        assert httpx.get(url + "/ui/yasgui.min.css").status_code == 200
    links = re.findall(r'(?:href|src)="(/[^"]*)"', page + ui)
    assert links
    assert all(link.startswith("/adkg/") for link in links), [link for link in links if not link.startswith("/adkg/")]
    assert '<a href="/adkg/id/claim-un-afghans-in-pakistan-2023">' in page
    assert '<script src="/adkg/ui/yasgui.min.js?v=4.6.2">' in ui
    assert '"endpoint": "http://127.0.0.1:' in ui
    assert '/adkg/sparql"' in ui


def test_a_ui_folder_without_its_package_file_still_gives_the_page(built_project: Path, tmp_path: Path) -> None:
    """Regression: the page read the pinned version unguarded and answered 500."""
    with adkg_serve(built_project, log=tmp_path / "serve.log", ADKG_UI_DIR=str(tmp_path / "nothing")) as url:
        page = httpx.get(url + "/", headers={"accept": BROWSER})
    assert page.status_code == 200
    assert "cannot be read" in page.text
    assert len(_example_links(page.text)) == len(list(EXAMPLES.glob("*.rq")))
