"""The cache of results and entity tags: what is kept, under which key, for how long, and what is not.

The cache itself is tested alone; the endpoint is tested as the ASGI application it is, in this
process, over a pool that counts the jobs its workers ran, so "answered from the cache" and "304
without running the query" are counted, never timed.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyoxigraph import Store

from adkg.errors import QueryTimeout
from adkg.result_cache import CachedResult, Recording, ResultCache, ResultKey, result_key
from adkg.settings import Settings
from adkg.sparql import DatasetSpec, FormatChoice, GraphFormat, Policy, ResultFormat, check_query
from adkg.store import REPORT, DataFolder
from adkg.web.endpoint import SparqlEndpoint
from adkg.web.page_queries import answer as page_answer
from adkg.web.page_queries import page_query
from adkg.web.services import Services
from adkg.workers import Job, Worker, WorkerPool, answer
from servers import recording_listener

STORE = Path("/data/stores/20260101T000000000000Z-1")
LABEL = "SELECT ?l WHERE { <https://w3id.org/adkg/id/unhcr> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
ENTITIES = "https://w3id.org/adkg/graph/entities"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"
ENDLESS = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f }"
N_TRIPLES = {"Accept": "application/n-triples"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def key(query: str = "ASK {}", store: Path = STORE, **changes: Any) -> ResultKey:
    fields: dict[str, Any] = {"dataset": DatasetSpec(), "choice": FormatChoice(), "base_iri": "http://a/sparql"}
    return ResultKey(store, query, **{**fields, **changes})


def result(size: int) -> CachedResult:
    return CachedResult(ResultFormat.JSON, b"x" * size)


# --- the cache alone ---------------------------------------------------------------------------


def test_the_least_recently_used_results_go_first_past_the_byte_bound() -> None:
    a, b, c = key("ASK { 1 }"), key("ASK { 2 }"), key("ASK { 3 }")
    cost = a.cost() + 1000
    cache = ResultCache(max_bytes=2 * cost + cost // 2, max_entry_bytes=10_000)
    assert cache.get(a) is None
    cache.put(a, result(1000))
    cache.put(b, result(1000))
    assert cache.get(a) == result(1000)  # a is now the most recently used
    cache.put(c, result(1000))
    assert (cache.get(a), cache.get(b), cache.get(c)) == (result(1000), None, result(1000))
    assert (len(cache), cache.bytes) == (2, 2 * cost)
    cache.put(c, result(10))  # replaced, counted once
    assert (len(cache), cache.bytes) == (2, cost + a.cost() + 10)


def test_a_result_larger_than_an_entry_may_be_is_not_kept() -> None:
    cache = ResultCache(max_bytes=100_000, max_entry_bytes=1000)
    cache.get(key())
    cache.put(key(), result(1001))
    assert (len(cache), cache.bytes) == (0, 0)
    cache.put(key(), result(1000))
    assert cache.get(key()) == result(1000)
    assert ResultCache(max_bytes=500, max_entry_bytes=1000).max_entry_bytes == 500
    disabled = ResultCache(max_bytes=0, max_entry_bytes=1000)
    disabled.get(key())
    disabled.put(key(), result(1))
    assert len(disabled) == 0


def test_a_key_on_another_store_empties_the_cache_and_the_old_store_is_not_kept() -> None:
    cache = ResultCache(max_bytes=100_000, max_entry_bytes=10_000)
    newer = STORE.with_name("20260102T000000000000Z-1")
    cache.get(key())
    cache.put(key(), result(10))
    assert cache.get(key(store=newer)) is None
    assert (len(cache), cache.bytes) == (0, 0)
    cache.put(key(), result(10))  # answered on the old store after the new one came: dropped
    assert len(cache) == 0
    assert cache.get(key()) is None  # (a swap back to the old store empties it again)


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", True),
        ("CONSTRUCT { [] <urn:p> ?o } WHERE { ?s ?p ?o }", True),
        ("SELECT (BNODE() AS ?b) (BNODE('x') AS ?c) WHERE {}", True),
        ('SELECT ?now WHERE { ?now <urn:rand> "NOW() RAND()" } # UUID()', True),
        ("SELECT (NOW() AS ?t) WHERE {}", False),
        ("SELECT * WHERE { ?s ?p ?o } ORDER BY rand()", False),
        ("SELECT (UUID() AS ?u) WHERE {}", False),
        ("SELECT (struuid() AS ?u) WHERE {}", False),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", False),
    ],
)
def test_answers_that_can_change_between_runs_are_not_kept(query: str, kept: bool) -> None:
    job = Job(STORE, query, check_query(query, policy=Policy(frozenset({"http://example.org/sparql"}))))
    assert (result_key(job) is not None) is kept


def test_the_entity_tag_follows_every_part_of_the_key() -> None:
    base = key()
    variants = [
        key("ASK { }"),
        key(store=STORE.with_name("20260102T000000000000Z-1")),
        key(dataset=DatasetSpec(("urn:g",))),
        key(dataset=DatasetSpec((), ("urn:g",))),
        key(choice=FormatChoice(ResultFormat.CSV, GraphFormat.TURTLE)),
        key(choice=FormatChoice(ResultFormat.JSON, GraphFormat.NTRIPLES)),
        key(base_iri="http://b/sparql"),
    ]
    tags = {base.etag(), *(variant.etag() for variant in variants)}
    assert len(tags) == len(variants) + 1
    assert base.etag() == key().etag()
    assert base.etag().startswith('W/"20260101T000000000000Z-1-')


# --- the endpoint, in this process ---------------------------------------------------------------


class CountingPool(WorkerPool):
    """A worker pool that counts the jobs its workers finished (each gives its worker back once)."""

    def __init__(self) -> None:
        super().__init__(2, spare=0)
        self.jobs = 0

    def release(self, worker: Worker) -> None:
        self.jobs += 1
        super().release(worker)


def serve_copy(folder: DataFolder, store: Path) -> Path:
    """Make a new store in ``folder`` holding what ``store`` holds and serve it, as a build does."""
    folder.stores.mkdir(parents=True, exist_ok=True)
    new = folder.new_store_path()
    Store.read_only(str(store)).backup(str(new))
    shutil.copy(store / REPORT, new / REPORT)
    folder.swap(new)
    return new


@pytest.fixture
def data_dir(served_store: Path, tmp_path: Path) -> Path:
    """A data folder of its own, serving a copy of the shared build's store."""
    folder = DataFolder(tmp_path / ".adkg")
    serve_copy(folder, served_store)
    return folder.path


Client = tuple[httpx.AsyncClient, Services]


@asynccontextmanager
async def endpoint(root: Path, data_dir: Path, **settings: Any) -> AsyncIterator[Client]:
    """An HTTP client of ``/sparql`` served in this process over ``data_dir``, and its services."""
    chosen = Settings(project_root=root, data_dir=data_dir, **settings)
    services = Services(
        chosen, DataFolder(chosen.data_folder), CountingPool(),
        ResultCache(chosen.result_cache_bytes, chosen.result_cache_entry_bytes),
    )
    transport = httpx.ASGITransport(app=SparqlEndpoint(services))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, services
    finally:
        services.pool.close()


def jobs(services: Services) -> int:
    pool = services.pool
    assert isinstance(pool, CountingPool)
    return pool.jobs


async def get(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.get("/sparql", params={"query": query}, headers=headers)


@pytest.mark.anyio
async def test_a_repeated_query_is_answered_from_the_cache(built_project: Path, data_dir: Path) -> None:
    async with endpoint(built_project, data_dir) as (client, services):
        first = await get(client, LABEL)
        assert (first.status_code, first.headers["x-adkg-cache"], jobs(services)) == (200, "miss", 1)
        again = await get(client, LABEL)
        assert (again.headers["x-adkg-cache"], jobs(services)) == ("hit", 1)
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["etag"] == first.headers["etag"]
        posted = await client.post("/sparql", data={"query": LABEL})
        assert (posted.headers["x-adkg-cache"], jobs(services)) == ("hit", 1)
        assert "etag" not in posted.headers  # a POST's results have no URL to validate
        for params, headers in [
            ({"query": LABEL}, {"Accept": "text/csv"}),
            ({"query": LABEL, "default-graph-uri": ENTITIES}, {}),
            ({"query": LABEL, "named-graph-uri": ENTITIES}, {}),
            ({"query": LABEL + " "}, {}),
        ]:
            other = await client.get("/sparql", params=params, headers=headers)
            assert other.headers["x-adkg-cache"] == "miss"
        assert jobs(services) == 5
        assert len(services.cache) == 5


@pytest.mark.anyio
async def test_if_none_match_is_answered_304_without_running_the_query(built_project: Path, data_dir: Path) -> None:
    async with endpoint(built_project, data_dir, result_cache_bytes=0) as (client, services):
        first = await get(client, LABEL)
        etag = first.headers["etag"]
        assert etag.startswith('W/"')
        assert first.headers["cache-control"] == "no-cache"
        for if_none_match in (etag, f'"other", {etag}', etag.removeprefix("W/")):
            revalidated = await get(client, LABEL, **{"If-None-Match": if_none_match})
            assert revalidated.status_code == 304
            assert revalidated.content == b""
            assert "content-length" not in revalidated.headers
            assert "content-type" not in revalidated.headers
            assert revalidated.headers["etag"] == etag
            assert revalidated.headers["vary"] == "Accept"
            assert revalidated.headers["cache-control"] == "no-cache"
        head = await client.head("/sparql", params={"query": LABEL}, headers={"If-None-Match": etag})
        assert head.status_code == 304
        assert jobs(services) == 1  # nothing was run again, and nothing was kept (the cache is off)
        stale = await get(client, LABEL, **{"If-None-Match": 'W/"20200101T000000000000Z-1-0"'})
        assert (stale.status_code, stale.headers["etag"], jobs(services)) == (200, etag, 2)
        anything = await get(client, LABEL, **{"If-None-Match": "*"})
        assert (anything.status_code, anything.headers["etag"]) == (304, etag)
        failing = await get(client, "SELECT * WHERE {", **{"If-None-Match": "*"})
        assert failing.status_code == 400  # "*" matches only results that exist
        posted = await client.post("/sparql", data={"query": LABEL}, headers={"If-None-Match": etag})
        assert posted.status_code == 200


@pytest.mark.anyio
async def test_errors_are_not_kept_and_carry_no_entity_tag(built_project: Path, data_dir: Path) -> None:
    async with endpoint(built_project, data_dir, query_timeout=1, max_result_bytes=10_000) as (client, services):
        for query, headers, status in [
            ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", {"Accept": "text/csv"}, 406),
            ("SELECT * WHERE { ?s ?p }", {}, 400),
            (EVERYTHING, N_TRIPLES, 507),
            (RUNAWAY, {}, 503),
        ]:
            before = jobs(services)
            for _ in range(2):
                response = await get(client, query, **headers)
                assert response.status_code == status, response.text
                assert "etag" not in response.headers
                assert "x-adkg-cache" not in response.headers
            assert jobs(services) == before + 2
        assert len(services.cache) == 0


@pytest.mark.anyio
async def test_results_that_can_change_between_runs_are_neither_kept_nor_tagged(
    built_project: Path, data_dir: Path
) -> None:
    with recording_listener() as (remote, seen):
        async with endpoint(built_project, data_dir, service_allowlist=remote) as (client, services):
            service = f"SELECT * WHERE {{ SERVICE SILENT <{remote}> {{ ?s ?p ?o }} }}"
            for query in ("SELECT (RAND() AS ?r) WHERE {}", service):
                for _ in range(2):
                    response = await get(client, query)
                    assert response.status_code == 200, response.text
                    assert response.headers["cache-control"] == "no-store"
                    assert "etag" not in response.headers
                    assert "x-adkg-cache" not in response.headers
            assert jobs(services) == 4
            assert len(services.cache) == 0
    assert len(seen) == 2  # the remote endpoint was asked each time


@pytest.mark.anyio
async def test_a_new_store_empties_the_cache_and_changes_the_entity_tag(built_project: Path, data_dir: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:cache-test> { ?s ?p ?o } }"
    async with endpoint(built_project, data_dir, update_token="t") as (client, services):
        await get(client, count)
        first = await get(client, count)
        assert first.headers["x-adkg-cache"] == "hit"
        assert first.json()["results"]["bindings"][0]["n"]["value"] == "0"

        folder = services.data
        current = folder.require_current()
        serve_copy(folder, current)  # as a new build is swapped in
        rebuilt = await get(client, count)
        assert (rebuilt.headers["x-adkg-cache"], len(services.cache)) == ("miss", 1)
        assert rebuilt.headers["etag"] != first.headers["etag"]
        revalidated = await get(client, count, **{"If-None-Match": first.headers["etag"]})
        assert revalidated.status_code == 200

        updated = await client.post(
            "/sparql", data={"update": "INSERT DATA { GRAPH <urn:cache-test> { <urn:a> <urn:b> <urn:c> } }"},
            headers={"Authorization": "Bearer t"},
        )
        assert updated.status_code == 204, updated.text
        after = await get(client, count)
        assert after.headers["x-adkg-cache"] == "miss"
        assert after.json()["results"]["bindings"][0]["n"]["value"] == "1"
        assert after.headers["etag"] not in (first.headers["etag"], rebuilt.headers["etag"])


@pytest.mark.anyio
async def test_the_byte_bound_drops_the_least_recently_used(built_project: Path, data_dir: Path) -> None:
    queries = [f"ASK {{ <urn:x{n}> ?p ?o }}" for n in range(3)]  # same lengths, same answers
    async with endpoint(built_project, data_dir) as (client, services):
        await get(client, queries[0])
        cost = services.cache.bytes
    async with endpoint(built_project, data_dir, result_cache_bytes=2 * cost + cost // 2) as (client, services):
        for query in queries:
            assert (await get(client, query)).headers["x-adkg-cache"] == "miss"
        assert (len(services.cache), services.cache.bytes) == (2, 2 * cost)
        assert (await get(client, queries[0])).headers["x-adkg-cache"] == "miss"  # the oldest went
        assert (await get(client, queries[2])).headers["x-adkg-cache"] == "hit"


@pytest.mark.anyio
async def test_a_result_over_the_entry_limit_is_answered_not_kept(built_project: Path, data_dir: Path) -> None:
    async with endpoint(built_project, data_dir, result_cache_entry_bytes=100_000) as (client, services):
        whole = await get(client, EVERYTHING, **N_TRIPLES)
        assert whole.status_code == 200
        assert len(whole.content) > 100_000
        assert whole.content.endswith(b" .\n")
        again = await get(client, EVERYTHING, **N_TRIPLES)
        assert again.headers["x-adkg-cache"] == "miss"
        assert sorted(again.content.splitlines()) == sorted(whole.content.splitlines())
        assert (len(services.cache), jobs(services)) == (0, 2)


@pytest.mark.anyio
async def test_a_streamed_result_that_fits_an_entry_is_kept_whole(built_project: Path, data_dir: Path) -> None:
    async with endpoint(built_project, data_dir) as (client, services):
        streamed = await get(client, EVERYTHING, **N_TRIPLES)
        assert "content-length" not in streamed.headers  # more than one chunk: streamed
        kept = await get(client, EVERYTHING, **N_TRIPLES)
        assert (kept.headers["x-adkg-cache"], jobs(services)) == ("hit", 1)
        assert kept.content == streamed.content
        assert kept.headers["content-length"] == str(len(streamed.content))


@pytest.mark.anyio
@pytest.mark.parametrize("client_leaves", [True, False])
async def test_results_cut_short_are_not_kept(served_store: Path, client_leaves: bool) -> None:
    query = EVERYTHING if client_leaves else ENDLESS  # else: the time limit is reached while streaming
    cache = ResultCache(max_bytes=10**9, max_entry_bytes=10**9)
    job = Job(served_store, query, check_query(query), choice=FormatChoice(None, GraphFormat.NTRIPLES))
    kept = result_key(job)
    assert kept is not None
    assert cache.get(kept) is None
    worker = Worker()
    try:
        rest = cache.record(kept, await answer(worker, job, timeout=2))
        assert isinstance(rest, Recording)
        if client_leaves:
            await anext(rest)
            await rest.aclose()
        else:
            with pytest.raises(QueryTimeout):
                async for _ in rest:
                    pass
    finally:
        worker.close()
    assert len(cache) == 0


@pytest.mark.anyio
async def test_the_queries_behind_pages_are_kept_too(built_project: Path, data_dir: Path) -> None:
    """A resource's page asked twice runs its query once; a new store runs it again."""
    query = page_query(built_project / "queries" / "pages", "resource", "resource", "https://w3id.org/adkg/id/unhcr")
    choice = FormatChoice(None, GraphFormat.NTRIPLES)
    async with endpoint(built_project, data_dir) as (_, services):
        first = await page_answer(services, query, choice)
        assert b"unhcr" in first
        assert jobs(services) == 1
        assert await page_answer(services, query, choice) == first
        assert jobs(services) == 1
        serve_copy(services.data, services.data.require_current())
        again = await page_answer(services, query, choice)  # the same triples, blank nodes named anew
        assert sorted(line for line in again.splitlines() if b"_:" not in line) == sorted(
            line for line in first.splitlines() if b"_:" not in line
        )
        assert jobs(services) == 2
