"""Benchmark the SPARQL endpoint ``adkg serve`` against three other ways of serving the same data.

What it measures: throughput (requests/s) and p50/p99 latency of four queries, at concurrency 1
and 8, on two datasets, for four systems, all in one run and one process tree on 127.0.0.1:

- queries: ``lookup`` (one resource's label by IRI), ``join`` (quantity claims with their
  claimant's label, three patterns over the whole graph), ``aggregate`` (GROUP BY class + COUNT
  over every ``rdf:type``) and ``construct`` (the claims of one claimant with all their triples,
  404 triples on both datasets). SELECT answers are SPARQL JSON, CONSTRUCT answers N-Triples.
  Each request's text ends with a comment of its own (``# request N``), so no cache of results
  answers it and the query is evaluated every time: ``aggregate cold``. The aggregate is
  measured once more as ``aggregate warm``, the same text at every request, which adkg answers
  from its cache of results after the first (the other systems keep no results);
- datasets: ``seed``, the project's built store (~7k triples) copied into a scratch data folder,
  and ``synthetic``, the seed plus ``--factor - 1`` renamed copies of everything but the ontology
  (every ``adkgr:`` IRI gets the suffix ``-xK`` and each copy's graphs ``-xK`` too, as
  ``generate.py`` does), ~1M triples at the default factor; both are bulk-loaded with pyoxigraph
  into adkg store folders with a minimal ``build-report.json`` (no SHACL, no rules run);
- systems: ``adkg`` (``adkg serve`` as a real process), ``in-process`` (pyoxigraph's
  ``Store.read_only(...).query(...)`` serialized in this process, one thread per client: the
  floor), ``oxigraph`` (Oxigraph's own server, ``oxigraph serve-read-only --union-default-graph``)
  and ``rdflib`` (``rdflib-endpoint serve`` over the N-Quads file, loaded into rdflib's memory
  store; its load time is reported).

The load generator is closed-loop: each of C threads holds one persistent HTTP/1.1 connection
(``http.client``) and sends the next request when the previous answer is read. Each cell warms up
for ``--warmup`` seconds (at least one request per thread), then counts every request started in
the next ``--seconds`` seconds; throughput is those requests over the time until the last one
ended. Before timing, each system's first answer to each query is counted (rows or triples) and
compared with in-process. The client's own ceiling (Oxigraph's server answering ``ASK {}``) is
measured first. Client and servers share this machine (and others may too), so each cell first
waits (up to 15 s) for the machine to be idle, and reads from /proc the CPU used while it runs by
the client, by the server's main process and its other processes (adkg's query workers), by
everything else, and stolen by the host: CPU milliseconds per request are printed per system. A
cell during which others used (or the host stole) over 0.3 cores is measured again, up to three
times; the quietest try is kept, and noted if it was still disturbed. Requests the server drops on
a kept-alive connection are sent once more (as HTTP clients do) and noted.

Run it from the project root with the project's venv (the comparators are installed into
``bench/.venv`` from ``bench/requirements-serve.txt`` on the first run)::

    .venv/bin/python bench/serve.py                       # the full run (about 10 minutes)
    .venv/bin/python bench/serve.py --factor 10 --seconds 2 --systems adkg in-process

It is a benchmark, not a test: pytest never collects ``bench/``.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Protocol
from urllib.parse import quote

from pyoxigraph import BlankNode, NamedNode, Quad, QueryResultsFormat, QueryTriples, RdfFormat, Store, serialize

BENCH: Final = Path(__file__).resolve().parent
PROJECT: Final = BENCH.parent
VENV: Final = BENCH / ".venv"
REQUIREMENTS: Final = BENCH / "requirements-serve.txt"
HOST: Final = "127.0.0.1"
#: Seconds an HTTP client waits for one answer.
REQUEST_TIMEOUT: Final = 300.0
#: Errors after which a client thread gives up on its cell.
MAX_ERRORS: Final = 5
#: Seconds a cell waits for the machine to be idle before it starts anyway.
QUIET_WAIT: Final = 15.0
HZ: Final = os.sysconf("SC_CLK_TCK")
ID: Final = "https://w3id.org/adkg/id/"
ONTOLOGY_GRAPH: Final = NamedNode("https://w3id.org/adkg/graph/ontology")
SPARQL_JSON: Final = "application/sparql-results+json"
N_TRIPLES: Final = "application/n-triples"
PREFIXES: Final = """PREFIX adkg: <https://w3id.org/adkg/ontology#>
PREFIX adkgr: <https://w3id.org/adkg/id/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


#: Numbers the requests whose text is made unique.
_REQUESTS: Final = itertools.count()


@dataclass(frozen=True, slots=True)
class Query:
    """One benchmark query; CONSTRUCT answers are asked for as N-Triples, SELECT ones as JSON.

    Unless ``repeated``, every request sends the text with a comment of its own at the end, so
    that no cache of results can answer it; a ``repeated`` query is the same text every time.
    """

    name: str
    text: str
    construct: bool = False
    repeated: bool = False

    @property
    def accept(self) -> str:
        return N_TRIPLES if self.construct else SPARQL_JSON

    def request_text(self) -> str:
        """The text to send in one request: unique unless the query is ``repeated``."""
        return self.text if self.repeated else f"{self.text}\n# request {next(_REQUESTS)}"


AGGREGATE: Final = PREFIXES + "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
QUERIES: Final = (
    Query("lookup", PREFIXES + "SELECT ?label WHERE { adkgr:afghans-in-pakistan rdfs:label ?label }"),
    Query("join", PREFIXES + "SELECT ?claim ?claimant WHERE {\n"
          "  ?claim a adkg:QuantityClaim ; prov:wasAttributedTo ?who .\n  ?who rdfs:label ?claimant\n}"),
    Query("aggregate cold", AGGREGATE),
    Query("aggregate warm", AGGREGATE, repeated=True),
    Query("construct", PREFIXES + "CONSTRUCT { ?claim ?p ?o } WHERE {\n"
          "  ?claim prov:wasAttributedTo adkgr:wikipedia-contributors ; ?p ?o\n}", construct=True),
)
#: The trivial query the client's ceiling is measured with.
TRIVIAL: Final = Query("ASK {}", "ASK {}", repeated=True)
SYSTEMS: Final = ("adkg", "in-process", "oxigraph", "rdflib")


# --- datasets -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset as every system reads it: an N-Quads file and an adkg data folder holding it."""

    name: str
    nquads: Path
    data_dir: Path
    store: Path
    quads: int
    seconds: float


def seed_quads(data_dir: Path | None) -> list[Quad]:
    """Return every quad of the store adkg serves from ``data_dir`` (the project's by default)."""
    if data_dir is None:
        from adkg.settings import get_settings

        data_dir = get_settings().data_folder
    from adkg.store import DataFolder

    store = Store.read_only(str(DataFolder(data_dir).require_current()))
    return list(store.quads_for_pattern(None, None, None, None))


def _renamed(term: object, copy: int) -> object:
    """Return ``term`` as it is in copy ``copy``: adkgr: IRIs and blank nodes get a suffix."""
    if isinstance(term, NamedNode) and term.value.startswith(ID):
        return NamedNode(f"{term.value}-x{copy}")
    if isinstance(term, BlankNode):
        return BlankNode(f"{term.value}x{copy}")
    return term


def copies(quads: Sequence[Quad], factor: int) -> Iterator[Quad]:
    """Yield ``quads``, then ``factor - 1`` renamed copies of those outside the ontology graph."""
    yield from quads
    for copy in range(2, factor + 1):
        for quad in quads:
            if quad.graph_name == ONTOLOGY_GRAPH:
                continue
            graph = NamedNode(f"{quad.graph_name.value}-x{copy}")  # type: ignore[union-attr]
            yield Quad(_renamed(quad.subject, copy), quad.predicate, _renamed(quad.object, copy), graph)  # type: ignore[arg-type]


def _counted(quads: Iterable[Quad], graphs: Counter[str]) -> Iterator[Quad]:
    for quad in quads:
        graphs[str(getattr(quad.graph_name, "value", ""))] += 1
        yield quad


def make_dataset(name: str, quads: Iterable[Quad], scratch: Path) -> Dataset:
    """Write ``quads`` as N-Quads and bulk-load them into a new adkg data folder under ``scratch``."""
    started = time.perf_counter()
    nquads = scratch / f"{name}.nq"
    graphs: Counter[str] = Counter()
    serialize(_counted(quads, graphs), str(nquads), RdfFormat.N_QUADS)
    data_dir = scratch / f"{name}-data"
    store = data_dir / "stores" / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}"
    store.mkdir(parents=True)
    loader = Store(str(store))
    loader.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
    loader.flush()
    del loader  # closes the store, so the read-only readers below see it whole
    report = {
        "store": str(store),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "steps": {"load": round(time.perf_counter() - started, 3)},
        "graphs": dict(sorted(graphs.items())),
        "classes": {},
        "claims": 0,
        "derived": {},
        "warnings": ["made by bench/serve.py: bulk-loaded N-Quads, neither validated nor derived"],
    }
    text = json.dumps(report, indent=2)
    (store / "build-report.json").write_text(text, encoding="utf-8")
    (data_dir / "build-report.json").write_text(text, encoding="utf-8")
    (data_dir / "store").symlink_to(store.relative_to(data_dir))
    return Dataset(name, nquads, data_dir, store, graphs.total(), time.perf_counter() - started)


# --- systems --------------------------------------------------------------------------------


class Caller(Protocol):
    """Sends one query and returns the answer's body; one per client thread."""

    @property
    def retries(self) -> int:
        """Requests sent again on a new connection."""

    def __call__(self) -> bytes: ...

    def close(self) -> None: ...


class Target(Protocol):
    """A system serving one dataset; ``pgid`` is its server's process group (None in-process)."""

    @property
    def ready_seconds(self) -> float:
        """Seconds from start to the first answer."""

    @property
    def pgid(self) -> int | None:
        """The server's process group, whose CPU is counted as the server's (None in-process)."""

    def caller(self, query: Query) -> Caller: ...


@dataclass(slots=True)
class HttpCaller:
    """GET ``query`` from ``endpoint`` on one persistent connection; a non-200 answer raises."""

    port: int
    endpoint: str
    query: Query
    retries: int = 0
    connection: http.client.HTTPConnection = field(init=False)
    #: The path of every request of a repeated query (None: a new one for each request).
    path: str | None = field(init=False)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        self.path = self._path() if self.query.repeated else None

    def _path(self) -> str:
        return f"{self.endpoint}?query={quote(self.query.request_text(), safe='')}"

    def __call__(self) -> bytes:
        """Send the request; once more on a new connection if the server closed the kept-alive one."""
        try:
            return self._exchange()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.retries += 1
            return self._exchange()

    def _exchange(self) -> bytes:
        try:
            path = self.path or self._path()
            self.connection.request("GET", path, headers={"Accept": self.query.accept})
            response = self.connection.getresponse()
            body = response.read()
        except Exception:
            self.connection.close()  # the next request reconnects
            raise
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:300].decode('utf-8', 'replace')}")
        return body

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True, slots=True)
class HttpTarget:
    """A SPARQL endpoint at ``http://127.0.0.1:port/endpoint``."""

    port: int
    endpoint: str
    ready_seconds: float
    pgid: int | None

    def caller(self, query: Query) -> Caller:
        return HttpCaller(self.port, self.endpoint, query)


@dataclass(frozen=True, slots=True)
class InProcessCaller:
    """Runs the query on a shared read-only store and serializes it as the servers would."""

    store: Store
    query: Query
    retries: int = 0

    def __call__(self) -> bytes:
        results = self.store.query(self.query.request_text(), use_default_graph_as_union=True)
        if isinstance(results, QueryTriples):
            output = results.serialize(format=RdfFormat.N_TRIPLES)
        else:
            output = results.serialize(format=QueryResultsFormat.JSON)
        assert output is not None
        return output

    def close(self) -> None:
        """Nothing to close: the store is shared."""


@dataclass(frozen=True, slots=True)
class InProcessTarget:
    store: Store
    ready_seconds: float
    pgid: int | None = None

    def caller(self, query: Query) -> Caller:
        return InProcessCaller(self.store, query)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-1500:] if log.exists() else ""


def _wait_ready(process: subprocess.Popen[bytes], port: int, endpoint: str, log: Path, timeout: float) -> None:
    """Wait until the server answers ``ASK {}``; raise if it exits or ``timeout`` passes."""
    deadline = time.perf_counter() + timeout
    probe = HttpCaller(port, endpoint, TRIVIAL)
    try:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}:\n{_tail(log)}")
            try:
                probe()
                return
            except (OSError, http.client.HTTPException):  # not listening yet; an HTTP error status raises
                time.sleep(0.1)
    finally:
        probe.close()
    raise TimeoutError(f"the server did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and every process it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    with suppress(ProcessLookupError):  # children (adkg's query workers) left behind by their parent
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def _server(argv: list[str], endpoint: str, port: int, log: Path, *, timeout: float,
            env: dict[str, str] | None = None) -> Iterator[HttpTarget]:
    """Start a server (a process group of its own), yield it once it answers, then end it."""
    started = time.perf_counter()
    with log.open("ab") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        _wait_ready(process, port, endpoint, log, timeout)
        yield HttpTarget(port, endpoint, time.perf_counter() - started, process.pid)
    finally:
        _stop(process)


def serve_adkg(dataset: Dataset, log: Path, timeout: float) -> AbstractContextManager[Target]:
    port = _free_port()
    env = {**os.environ, "ADKG_PROJECT_ROOT": str(PROJECT), "ADKG_DATA_DIR": str(dataset.data_dir)}
    adkg = Path(sys.executable).with_name("adkg")
    return _server([str(adkg), "serve", "--host", HOST, "--port", str(port)], "/sparql", port, log,
                   timeout=timeout, env=env)


def serve_oxigraph(dataset: Dataset, log: Path, timeout: float) -> AbstractContextManager[Target]:
    port = _free_port()
    argv = [str(VENV / "bin" / "oxigraph"), "serve-read-only", "--location", str(dataset.store),
            "--bind", f"{HOST}:{port}", "--union-default-graph"]
    return _server(argv, "/query", port, log, timeout=timeout)


def serve_rdflib(dataset: Dataset, log: Path, timeout: float) -> AbstractContextManager[Target]:
    port = _free_port()
    argv = [str(VENV / "bin" / "rdflib-endpoint"), "serve", str(dataset.nquads), "--host", HOST, "--port", str(port)]
    return _server(argv, "/", port, log, timeout=timeout)


@contextmanager
def in_process(dataset: Dataset, _log: Path, _timeout: float) -> Iterator[Target]:
    started = time.perf_counter()
    yield InProcessTarget(Store.read_only(str(dataset.store)), time.perf_counter() - started)


Opener = Callable[[Dataset, Path, float], AbstractContextManager[Target]]
OPENERS: Final[dict[str, Opener]] = {
    "adkg": serve_adkg, "in-process": in_process, "oxigraph": serve_oxigraph, "rdflib": serve_rdflib,
}


# --- load generator -------------------------------------------------------------------------


@dataclass(slots=True)
class Samples:
    """What one client thread saw while measuring."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_end: float = 0.0
    size: int = 0


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the machine has been busy (all cores) and has had stolen by its host."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks[:8]
    return (user + nice + system + irq + softirq) / HZ, steal / HZ


def group_cpu(pgid: int) -> tuple[float, float]:
    """CPU seconds used by process group ``pgid``: by its leader, and by the rest (reaped ones too)."""
    leader = rest = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[2]) != pgid:
            continue
        own, reaped = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
        if int(entry.name) == pgid:
            leader, rest = leader + own, rest + reaped
        else:
            rest += own + reaped
    return leader / HZ, rest / HZ


@dataclass(frozen=True, slots=True)
class CpuUse:
    """Cores used over an interval: this process (the client), the server's main process and its
    other processes, everything else on the machine, and what the host stole."""

    client: float = 0.0
    server_main: float = 0.0
    server_rest: float = 0.0
    others: float = 0.0
    steal: float = 0.0


@dataclass(frozen=True, slots=True)
class CpuSnapshot:
    wall: float
    client: float
    server: tuple[float, float]
    machine: tuple[float, float]

    @classmethod
    def take(cls, pgid: int | None) -> CpuSnapshot:
        server = group_cpu(pgid) if pgid is not None else (0.0, 0.0)
        return cls(time.perf_counter(), time.process_time(), server, machine_cpu())

    def since(self, start: CpuSnapshot) -> CpuUse:
        seconds = max(self.wall - start.wall, 1e-9)
        client = (self.client - start.client) / seconds
        main, rest = ((now - then) / seconds for now, then in zip(self.server, start.server, strict=True))
        busy, steal = ((now - then) / seconds for now, then in zip(self.machine, start.machine, strict=True))
        return CpuUse(client, main, rest, max(0.0, busy - client - main - rest), steal)


def wait_until_quiet(limit: float, *, threshold: float = 0.25) -> float:
    """Wait up to ``limit`` seconds for the machine to be idle (others on this machine share it);
    return the cores busy in the last half second looked at."""
    deadline = time.perf_counter() + limit
    while True:
        before = machine_cpu()[0]
        time.sleep(0.5)
        busy = (machine_cpu()[0] - before) / 0.5
        if busy < threshold or time.perf_counter() >= deadline:
            return busy


@dataclass(slots=True)
class Clock:
    """When measuring started (set by the last thread to finish warming up), and the CPU used."""

    pgid: int | None
    start_cpu: CpuSnapshot | None = None
    wall: float = 0.0

    def start(self) -> None:
        self.start_cpu = CpuSnapshot.take(self.pgid)
        self.wall = time.perf_counter()


@dataclass(frozen=True, slots=True)
class Cell:
    """The measurement of one (system, dataset, query, concurrency)."""

    latencies: list[float]
    seconds: float
    errors: list[str]
    cpu: CpuUse
    size: int
    retries: int
    busy_before: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        """The nearest-rank percentile of latency, in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else math.nan


def _loop(caller: Caller, deadline: float, samples: Samples, *, record: bool) -> None:
    """Send requests until ``deadline`` (at least one); record latencies when ``record``."""
    while len(samples.errors) < MAX_ERRORS:
        began = time.perf_counter()
        try:
            body = caller()
        except Exception as error:
            samples.errors.append(f"{type(error).__name__}: {error}"[:300])
        else:
            ended = time.perf_counter()
            samples.size = len(body)
            if record:
                samples.latencies.append(ended - began)
                samples.last_end = ended
        if time.perf_counter() >= deadline:
            return


def _drive(caller: Caller, barrier: threading.Barrier, clock: Clock, *, warmup: float, seconds: float,
           samples: Samples) -> None:
    _loop(caller, time.perf_counter() + warmup, Samples(), record=False)
    barrier.wait()
    _loop(caller, clock.wall + seconds, samples, record=True)


def run_cell(target: Target, query: Query, concurrency: int, *, warmup: float, seconds: float) -> Cell:
    """Run ``concurrency`` closed-loop clients of ``query`` on ``target``, warmed up, then timed."""
    busy_before = wait_until_quiet(QUIET_WAIT)
    callers = [target.caller(query) for _ in range(concurrency)]
    clock = Clock(target.pgid)
    barrier = threading.Barrier(concurrency, action=clock.start)
    samples = [Samples() for _ in callers]
    threads = [threading.Thread(target=_drive, args=(caller, barrier, clock),
                                kwargs={"warmup": warmup, "seconds": seconds, "samples": mine})
               for caller, mine in zip(callers, samples, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clock.start_cpu is not None
    cpu = CpuSnapshot.take(target.pgid).since(clock.start_cpu)
    for caller in callers:
        caller.close()
    ended = max((s.last_end for s in samples), default=clock.wall)
    return Cell(
        latencies=[latency for s in samples for latency in s.latencies],
        seconds=max(ended - clock.wall, 1e-9),
        errors=[error for s in samples for error in s.errors],
        cpu=cpu,
        size=max(s.size for s in samples),
        retries=sum(caller.retries for caller in callers),
        busy_before=busy_before,
    )


def count_answer(body: bytes, query: Query) -> int:
    """Rows of a SPARQL JSON answer, triples of an N-Triples one."""
    if query.construct:
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    return len(json.loads(body)["results"]["bindings"])


# --- the run --------------------------------------------------------------------------------

Key = tuple[str, str, int, str]  # dataset, query, concurrency, system


@dataclass(slots=True)
class Run:
    """Everything measured, and everything odd seen on the way."""

    cells: dict[Key, Cell | str] = field(default_factory=dict)
    ready: dict[tuple[str, str], float] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ceiling: dict[int, Cell] = field(default_factory=dict)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ensure_comparators() -> None:
    """Make ``bench/.venv`` with the pinned comparators unless it has them."""
    if (VENV / "bin" / "oxigraph").exists() and (VENV / "bin" / "rdflib-endpoint").exists():
        return
    progress(f"installing the comparators into {VENV} ...")
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)], check=True)


def _check_answer(run: Run, dataset: str, system: str, target: Target, query: Query) -> None:
    caller = target.caller(query)
    try:
        count = count_answer(caller(), query)
    finally:
        caller.close()
    run.answers[(dataset, query.name, system)] = count


def compare_answers(run: Run) -> None:
    """Note every answer whose size differs from in-process's."""
    for (dataset, query, system), count in run.answers.items():
        expected = run.answers.get((dataset, query, "in-process"))
        if expected is not None and expected != count:
            run.notes.append(f"{system} answers {query} on {dataset} with {count} results, in-process {expected}")


def measure_system(run: Run, dataset: Dataset, system: str, arguments: argparse.Namespace, logs: Path) -> None:
    """Start ``system`` on ``dataset``, check and time every query at every concurrency, stop it."""
    timeout = arguments.rdflib_timeout if system == "rdflib" else 120.0
    try:
        with OPENERS[system](dataset, logs / f"{system}-{dataset.name}.log", timeout) as target:
            run.ready[(dataset.name, system)] = target.ready_seconds
            progress(f"{system} on {dataset.name}: ready in {target.ready_seconds:.1f} s")
            for query in QUERIES:
                _measure_query(run, dataset.name, system, target, query, arguments=arguments)
    except (RuntimeError, TimeoutError, OSError) as error:
        run.notes.append(f"{system} on {dataset.name} failed to serve: {error}")
        for query in QUERIES:
            for concurrency in arguments.concurrency:
                run.cells.setdefault((dataset.name, query.name, concurrency, system), "not served")


def _measure_query(run: Run, dataset: str, system: str, target: Target, query: Query, *,
                   arguments: argparse.Namespace) -> None:
    try:
        _check_answer(run, dataset, system, target, query)
    except Exception as error:
        run.notes.append(f"{system} failed {query.name} on {dataset}: {type(error).__name__}: {error}"[:500])
        for concurrency in arguments.concurrency:
            run.cells[(dataset, query.name, concurrency, system)] = "failed"
        return
    for concurrency in arguments.concurrency:
        cell = _least_disturbed(target, query, concurrency, arguments)
        run.cells[(dataset, query.name, concurrency, system)] = cell
        _note_cell(run, f"{system}, {query.name} on {dataset}, c={concurrency}", cell)
        cpu = cell.cpu
        progress(f"  {query.name:<14} c={concurrency}: {cell.rate:8.1f} req/s  p50 {cell.percentile(0.5):8.2f} ms"
                 f"  p99 {cell.percentile(0.99):8.2f} ms  {len(cell.latencies):6d} requests;  cores: client"
                 f" {cpu.client:.2f}, server {cpu.server_main:.2f}+{cpu.server_rest:.2f}, others {cpu.others:.2f},"
                 f" steal {cpu.steal:.2f}")


#: Cores used by others (or stolen) during a cell above which it is measured again, then noted.
DISTURBED: Final = 0.3
#: How many times a cell is measured at most while it is disturbed.
TRIES: Final = 3


def _noise(cell: Cell) -> float:
    return cell.cpu.others + cell.cpu.steal


def _least_disturbed(target: Target, query: Query, concurrency: int, arguments: argparse.Namespace) -> Cell:
    """Measure a cell, again (up to :data:`TRIES` times) while others disturbed it; keep the quietest."""
    cells: list[Cell] = []
    while len(cells) < TRIES and (not cells or _noise(cells[-1]) > DISTURBED):
        cells.append(run_cell(target, query, concurrency, warmup=arguments.warmup, seconds=arguments.seconds))
    return min(cells, key=_noise)


def _note_cell(run: Run, name: str, cell: Cell) -> None:
    if cell.errors:
        run.notes.append(f"{name}: {len(cell.errors)} errors, first: {cell.errors[0]}")
    if cell.retries:
        run.notes.append(f"{name}: {cell.retries} requests sent again after the server closed a kept-alive"
                         " connection (counted once, latency from the first try)")
    if _noise(cell) > DISTURBED:
        run.notes.append(f"{name}: disturbed in each of {TRIES} tries; in the quietest, other processes used"
                         f" {cell.cpu.others:.2f} cores and the host stole {cell.cpu.steal:.2f} while it ran"
                         f" (the machine was {cell.busy_before:.2f} cores busy just before)")


def measure_ceiling(run: Run, dataset: Dataset, arguments: argparse.Namespace, logs: Path) -> None:
    """Time the client against Oxigraph's server answering ``ASK {}``: the most it can measure."""
    with serve_oxigraph(dataset, logs / "oxigraph-ceiling.log", 60.0) as target:
        for concurrency in arguments.concurrency:
            run.ceiling[concurrency] = run_cell(target, TRIVIAL, concurrency, warmup=arguments.warmup,
                                                seconds=arguments.seconds)


# --- the report -----------------------------------------------------------------------------


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _system_cells(cell: Cell | str | None) -> list[str]:
    if cell is None:
        return ["-", "-", "-"]
    if isinstance(cell, str):
        return [cell, "-", "-"]
    if not cell.latencies:
        return ["failed", "-", "-"]
    return [_number(cell.rate), _number(cell.percentile(0.5)), _number(cell.percentile(0.99))]


def _ratio(adkg: Cell | str | None, other: Cell | str | None) -> str:
    if not isinstance(adkg, Cell) or not isinstance(other, Cell) or not other.latencies or not adkg.latencies:
        return "-"
    return f"{adkg.rate / other.rate:.2f}x"


def results_table(run: Run, datasets: Sequence[Dataset], systems: Sequence[str], levels: Sequence[int]) -> str:
    others = [s for s in systems if s != "adkg"]
    header = ["dataset", "query", "c"]
    for system in systems:
        header += [f"{system} req/s", f"{system} p50 ms", f"{system} p99 ms"]
    header += [f"adkg/{s}" for s in others] if "adkg" in systems else []
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for dataset in datasets:
        for query in QUERIES:
            for concurrency in levels:
                row = [dataset.name, query.name, str(concurrency)]
                cells = {s: run.cells.get((dataset.name, query.name, concurrency, s)) for s in systems}
                for system in systems:
                    row += _system_cells(cells[system])
                if "adkg" in systems:
                    row += [_ratio(cells["adkg"], cells[s]) for s in others]
                lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _p50(cell: Cell | str | None) -> float:
    return cell.percentile(0.5) if isinstance(cell, Cell) and cell.latencies else math.nan


def hop_table(run: Run, datasets: Sequence[Dataset], levels: Sequence[int]) -> str:
    """adkg's and Oxigraph's server's p50 minus in-process p50: what serving over HTTP adds (for
    the queries evaluated at every request: a repeated one adkg answers from its cache)."""
    lines = ["| dataset | query | c | adkg p50 - in-process p50 ms | oxigraph p50 - in-process p50 ms |",
             "|---|---|---|---|---|"]
    for dataset in datasets:
        for query in (q for q in QUERIES if not q.repeated):
            for concurrency in levels:
                floor = _p50(run.cells.get((dataset.name, query.name, concurrency, "in-process")))
                hops = [_p50(run.cells.get((dataset.name, query.name, concurrency, s))) - floor
                        for s in ("adkg", "oxigraph")]
                lines.append(f"| {dataset.name} | {query.name} | {concurrency} | "
                             + " | ".join("-" if math.isnan(h) else f"{h:.2f}" for h in hops) + " |")
    return "\n".join(lines)


def _cpu_cell(cell: Cell | str | None, system: str) -> str:
    if not isinstance(cell, Cell) or not cell.latencies:
        return "-"
    per_request = 1000 / cell.rate
    if system == "in-process":
        return f"{cell.cpu.client * per_request:.2f}"
    return f"{cell.cpu.server_main * per_request:.2f} + {cell.cpu.server_rest * per_request:.2f}"


def cpu_table(run: Run, datasets: Sequence[Dataset], systems: Sequence[str], levels: Sequence[int]) -> str:
    """CPU milliseconds per request of each system, and the most others used (or the host stole)."""
    lines = ["| dataset | query | c | " + " | ".join(systems) + " | others + steal, cores (max) |",
             "|---|---|---|" + "---|" * (len(systems) + 1)]
    for dataset in datasets:
        for query in QUERIES:
            for concurrency in levels:
                cells = [run.cells.get((dataset.name, query.name, concurrency, s)) for s in systems]
                noise = max((c.cpu.others + c.cpu.steal for c in cells if isinstance(c, Cell)), default=0.0)
                lines.append(f"| {dataset.name} | {query.name} | {concurrency} | "
                             + " | ".join(_cpu_cell(c, s) for c, s in zip(cells, systems, strict=True))
                             + f" | {noise:.2f} |")
    return "\n".join(lines)


def _versions() -> str:
    import pyoxigraph

    done = subprocess.run([str(VENV / "bin" / "pip"), "freeze"], capture_output=True, text=True, check=False)
    pins = [line for line in done.stdout.splitlines() if line.split("==")[0].lower() in {"oxigraph", "rdflib",
                                                                                           "rdflib-endpoint"}]
    return f"pyoxigraph=={pyoxigraph.__version__}, " + ", ".join(pins)


def print_report(run: Run, datasets: Sequence[Dataset], arguments: argparse.Namespace, wall: float) -> None:
    systems, levels = arguments.systems, arguments.concurrency
    print(f"\n## adkg serve benchmark ({platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()};"
          f" {_versions()})\n")
    print(f"Each cell: {arguments.warmup:g} s warm-up, then requests started within {arguments.seconds:g} s;"
          " closed loop, one persistent connection per client. Ratios are adkg's throughput over the other's."
          " Every query is cold (each request's text ends with a comment of its own, so no cache answers it)"
          " but aggregate warm: the same text each time, which adkg answers from its cache of results.\n")
    for dataset in datasets:
        sizes = ", ".join(f"{q.name} {run.answers.get((dataset.name, q.name, 'in-process'), '?')}" for q in QUERIES)
        print(f"- {dataset.name}: {dataset.quads:,} quads, made and bulk-loaded in {dataset.seconds:.1f} s;"
              f" answers (rows/triples): {sizes}")
    print()
    print(results_table(run, datasets, systems, levels))
    print("\nWorker hop (p50 over in-process p50; Oxigraph's server shows what HTTP alone costs):\n")
    print(hop_table(run, datasets, levels))
    print("\nReady (start to first answer; for rdflib this is the load of the N-Quads into memory):")
    for (name, system), seconds in sorted(run.ready.items()):
        print(f"- {system} on {name}: {seconds:.1f} s")
    print("\nCPU per request, ms (server main process + its other processes; in-process: the client's):\n")
    print(cpu_table(run, datasets, systems, levels))
    if run.ceiling:
        print("\nClient ceiling (Oxigraph's server, ASK {}): " + "; ".join(
            f"c={c}: {cell.rate:.0f} req/s, p50 {cell.percentile(0.5):.2f} ms, client {cell.cpu.client:.2f} cores"
            for c, cell in sorted(run.ceiling.items())))
    busiest = {s: max((c.cpu.client for k, c in run.cells.items() if k[3] == s and isinstance(c, Cell)), default=0.0)
               for s in systems}
    print("Most client CPU in a cell (cores): " + ", ".join(f"{s} {cpu:.2f}" for s, cpu in busiest.items()))
    if run.notes:
        print("\nNotes:")
        for note in run.notes:
            print(f"- {note}")
    print(f"\nWall time: {wall:.0f} s")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--factor", type=int, default=170, help="copies of the seed graph in the synthetic dataset")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per cell")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--rdflib-timeout", type=float, default=600.0, help="seconds rdflib-endpoint may load")
    parser.add_argument("--seed-data-dir", type=Path, help="an adkg data folder to take the seed from")
    parser.add_argument("--logs", type=Path, help="keep the servers' logs here (default: discarded)")
    arguments = parser.parse_args()
    if "in-process" not in arguments.systems:  # answers are checked against it
        arguments.systems.insert(0, "in-process")
    arguments.systems.sort(key=SYSTEMS.index)
    return arguments


def main() -> None:
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are ended on the way out
    started = time.perf_counter()
    ensure_comparators()
    run = Run()
    with tempfile.TemporaryDirectory(prefix="adkg-bench-serve-") as scratch:
        logs = arguments.logs or Path(scratch)
        logs.mkdir(parents=True, exist_ok=True)
        seed = seed_quads(arguments.seed_data_dir)
        datasets = [make_dataset("seed", seed, Path(scratch))]
        progress(f"seed: {datasets[0].quads:,} quads")
        datasets.append(make_dataset("synthetic", copies(seed, arguments.factor), Path(scratch)))
        progress(f"synthetic: {datasets[1].quads:,} quads in {datasets[1].seconds:.1f} s")
        measure_ceiling(run, datasets[0], arguments, logs)
        for dataset in datasets:
            for system in arguments.systems:
                measure_system(run, dataset, system, arguments, logs)
    compare_answers(run)
    print_report(run, datasets, arguments, time.perf_counter() - started)


if __name__ == "__main__":
    main()
