"""Query workers: time limits that hold, crashes that cost one process, streamed results."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adkg.errors import QueryCrashedError, QueryTimeout, ResultTooLargeError
from adkg.sparql import Format, FormatChoice, GraphFormat, check_query, prepare
from adkg.store import open_read_only
from adkg.workers import BACKLOG, CHUNK, Chunk, Job, Worker, WorkerPool, _encode, _Frames, answer

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: pyoxigraph 0.5.13's parser overflows its stack on an expression nested this deep.
DEEP = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
EVERYTHING = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.fixture
def worker() -> Iterator[Worker]:
    started = Worker()
    yield started
    started.close()


def job(store: Path, query: str, **options: Any) -> Job:
    """Return the job of ``query`` on ``store``, checked as the server checks it."""
    return Job(store, query, check_query(query), **options)


async def collect(worker: Worker, job: Job, *, timeout: float = 30) -> tuple[Format, list[bytes]]:
    """Return the format and every chunk of ``job``'s results."""
    results = await answer(worker, job, timeout=timeout)
    return results.format, [results.first] + [chunk async for chunk in results]


@pytest.mark.anyio
async def test_a_query_past_its_time_limit_is_stopped_and_its_worker_ended(served_store: Path, worker: Worker) -> None:
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        await collect(worker, job(served_store, RUNAWAY), timeout=1)
    assert not worker.alive
    fresh = Worker()
    try:
        _, chunks = await collect(fresh, job(served_store, "ASK {}", choice=FormatChoice()), timeout=10)
        assert b"true" in b"".join(chunks)
    finally:
        fresh.close()


@pytest.mark.anyio
async def test_a_worker_closed_on_the_event_loop_it_served_ends_on_its_own(served_store: Path) -> None:
    # Regression: close() left closing the socket to the event loop, then blocked that loop waiting
    # for the process to see it closed, so a worker that had served a job was killed 5 s later
    # (a server's shutdown waited 5 s for each such worker).
    used = Worker()
    _, chunks = await collect(used, job(served_store, "ASK {}"))
    assert b"true" in b"".join(chunks)
    used.close()
    assert used._process.exitcode == 0  # ended by itself, not killed


@pytest.mark.anyio
async def test_a_query_that_crashes_the_engine_costs_only_its_worker(served_store: Path, worker: Worker) -> None:
    with pytest.raises(QueryCrashedError, match="crashed"):
        await collect(worker, job(served_store, DEEP))
    assert not worker.alive


@pytest.mark.anyio
async def test_large_results_arrive_in_chunks_equal_to_oxigraphs_serialization(
    served_store: Path, worker: Worker
) -> None:
    choice = FormatChoice(None, GraphFormat.NTRIPLES)
    format, chunks = await collect(worker, job(served_store, EVERYTHING, choice=choice))
    assert format == GraphFormat.NTRIPLES
    assert len(chunks) > 1
    assert all(len(chunk) >= CHUNK for chunk in chunks[:-1])
    with open_read_only(served_store) as handle:
        expected = io.BytesIO()
        prepare(handle.store, EVERYTHING, choice=choice).write(expected)
    assert sorted(b"".join(chunks).splitlines()) == sorted(expected.getvalue().splitlines())
    _, chunks = await collect(worker, job(served_store, "ASK {}"))
    assert b"true" in b"".join(chunks)  # the worker goes on


@pytest.mark.anyio
async def test_results_read_slowly_hold_the_worker_back_not_the_servers_memory(
    served_store: Path, worker: Worker
) -> None:
    choice = FormatChoice(None, GraphFormat.NTRIPLES)
    results = await answer(worker, job(served_store, EVERYTHING, choice=choice), timeout=30)
    try:
        await asyncio.sleep(1)  # the worker would have sent everything by now, were it not held back
        assert len(worker._frames.messages) <= BACKLOG  # type: ignore[union-attr]
    finally:
        await results.aclose()
    assert not worker.alive  # cut short: killed


@pytest.mark.anyio
async def test_frames_that_arrive_in_one_read_never_exceed_the_backlog() -> None:
    # Regression: every whole frame of a read was decoded, so a read that brought several frames
    # left more than BACKLOG messages waiting (seen as 5 > 4 in a run on a busy machine).
    frames = _Frames()
    sent = [Chunk(bytes([n]) * 10, finished=False) for n in range(BACKLOG + 3)]
    frames.data_received(b"".join(_encode(chunk) for chunk in sent))
    assert len(frames.messages) == BACKLOG
    loop = asyncio.get_running_loop()
    received = [await frames.next_message(loop.time() + 1) for _ in sent]
    assert received == sent
    assert await frames.next_message(loop.time()) is None


@pytest.mark.anyio
async def test_a_message_that_arrives_in_pieces_is_waited_for_whole() -> None:
    # Regression: a piece of a frame woke the reader, which took "no message yet" for the time limit.
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    loop = asyncio.get_running_loop()
    _, frames = await loop.connect_accepted_socket(_Frames, sock=ours)
    frame = _encode(Chunk(b"x" * 1000, finished=True))
    try:
        theirs.sendall(frame[:10])
        loop.call_later(0.3, theirs.sendall, frame[10:])
        message = await frames.next_message(loop.time() + 5)
        assert message == Chunk(b"x" * 1000, finished=True)
    finally:
        theirs.close()
        assert frames.transport is not None
        frames.transport.close()


@pytest.mark.anyio
async def test_a_query_longer_than_a_socket_buffer_reaches_the_worker_whole(served_store: Path, worker: Worker) -> None:
    # Regression: the worker read a job with one recv, so a long query arrived cut and ended it.
    long_query = "ASK { ?s ?p ?o }\n#" + "x" * 900_000
    _, chunks = await collect(worker, job(served_store, long_query))
    assert b"true" in b"".join(chunks)


@pytest.mark.anyio
async def test_results_past_the_size_limit_are_refused(served_store: Path, worker: Worker) -> None:
    with pytest.raises(ResultTooLargeError, match="larger than 1000 bytes"):
        await collect(worker, job(served_store, EVERYTHING, max_result_bytes=1000))


def test_the_serving_path_imports_no_rdflib() -> None:
    code = (
        "import sys, adkg.workers, adkg.store, adkg.sparql, adkg.sources, adkg.vocab, adkg.settings, adkg.updates\n"
        "import adkg.web.__main__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'rdflib', 'pyshacl', 'adkg'}))"
    )
    modules = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "rdflib" not in modules
    assert "pyshacl" not in modules
    assert "adkg.build" not in modules


def _default_ctrl_c() -> None:
    """Let Ctrl-C (SIGINT) reach the child as it does from a terminal, even when the test run was
    started with SIGINT ignored (``pytest &`` from a shell without job control)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _adkg(project: Path, *args: str, timeout: str = "30", stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "adkg", "query", *args],
        env={**os.environ, "ADKG_PROJECT_ROOT": str(project), "ADKG_QUERY_TIMEOUT": timeout},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_ctrl_c,  # noqa: PLW1509 (single-threaded test process)
    )


def _descendants(pid: int) -> set[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout.split()
    return {int(child) for child in children} | {d for child in children for d in _descendants(int(child))}


def test_adkg_query_has_the_time_limit_and_reads_standard_input(built_project: Path) -> None:
    timed = _adkg(built_project, RUNAWAY, timeout="1")
    _, err = timed.communicate(timeout=60)
    assert timed.returncode == 2
    assert b"time limit of 1 s" in err
    piped = _adkg(built_project, "-f", "-", "--format", "tsv", stdin=subprocess.PIPE)
    out, err = piped.communicate(b"ASK { ?s ?p ?o }", timeout=60)
    assert piped.returncode == 0, err
    assert out == b"true"


def _running_runaway(project: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """Start ``adkg query`` on a runaway query; return it and its helper processes (fork server,
    worker) once the query runs."""
    running = _adkg(project, RUNAWAY, timeout="600")
    deadline = time.monotonic() + 20
    while len(_descendants(running.pid)) < 2 and time.monotonic() < deadline:  # fork server and worker
        time.sleep(0.1)
    time.sleep(1)  # the query is running
    helpers = _descendants(running.pid)
    assert len(helpers) >= 2
    return running, helpers


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def _assert_gone(helpers: set[int]) -> None:
    deadline = time.monotonic() + 10
    while _alive(helpers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(helpers)


def _end(running: subprocess.Popen[bytes], helpers: set[int]) -> None:
    """After a test, leave nothing running whatever it found: a runaway query burns a core."""
    for pid in (running.pid, *helpers):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    running.communicate()


def test_adkg_query_stops_on_ctrl_c_and_ends_its_worker(built_project: Path) -> None:
    running, helpers = _running_runaway(built_project)
    try:
        running.send_signal(signal.SIGINT)
        running.communicate(timeout=20)
        assert running.returncode == 130
        _assert_gone(helpers)
    finally:
        _end(running, helpers)


def test_adkg_query_stops_on_ctrl_c_even_in_a_run_that_ignores_it(built_project: Path) -> None:
    """Regression: a test run started with SIGINT ignored passed that on, and the Ctrl-C test hung."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        test_adkg_query_stops_on_ctrl_c_and_ends_its_worker(built_project)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_killed_adkg_query_leaves_no_query_running(built_project: Path) -> None:
    """Regression: a worker went on with its query, at full CPU, after its adkg query was killed."""
    running, helpers = _running_runaway(built_project)
    try:
        running.kill()
        running.wait(timeout=10)
        _assert_gone(helpers)
    finally:
        _end(running, helpers)


@pytest.mark.anyio
async def test_the_pool_prefers_a_warm_worker_and_ends_idle_ones_on_an_old_store(
    served_store: Path, tmp_path: Path
) -> None:
    pool = WorkerPool(4, spare=1)
    try:
        first = pool.acquire(served_store)
        _, chunks = await collect(first, job(served_store, "ASK {}"))
        assert b"true" in b"".join(chunks)
        pool.release(first)
        assert pool.acquire(served_store) is first
        pool.release(first)
        newer = tmp_path / "newer-store"
        other = pool.acquire(newer)
        assert other is not first
        deadline = time.monotonic() + 10
        while first.alive and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not first.alive  # it held the old store open; ended so the store can be pruned
        pool.release(other)
    finally:
        pool.close()


def test_the_pool_never_holds_more_processes_than_its_size(served_store: Path) -> None:
    pool = WorkerPool(3, spare=2)
    try:
        pool.start()
        for _ in range(5):  # take every worker, give them back: spares must not pile up on top
            taken = [pool.acquire(served_store) for _ in range(3)]
            assert pool.processes <= 3
            for worker in taken:
                pool.release(worker)
            time.sleep(0.2)  # refills run in a thread
            assert pool.processes <= 3
    finally:
        pool.close()
