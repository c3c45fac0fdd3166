"""Query worker processes: each holds the store read-only and can be ended at any moment.

pyoxigraph has no query time limit and crashes on some inputs, so every query runs in a worker
process of its own for the time it takes. A query past its time limit has its worker killed
(SIGKILL) and the caller gets :class:`~adkg.errors.QueryTimeout`; a worker that dies on a query
costs only that query (:class:`~adkg.errors.QueryCrashedError`). A worker reopens its read-only
handle when asked for another store (after a build or an update was swapped in), so queries in
flight finish on the store they started on.

Results stream: the worker sends what Oxigraph serializes in chunks of :data:`CHUNK` bytes, and
a result that fits in one chunk arrives in one message with its end, so the caller can still
answer with an error status for any failure that happens before the first chunk is complete.

Workers are forked from a fork server that has imported only this module (pyoxigraph and the
query core, no rdflib and no web framework), so starting one takes milliseconds.

Why not a library pool: pebble and concurrent.futures return a task's whole result at its end;
streaming a result of any size from a process that can be killed mid-way needs the pipe here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from time import monotonic
from typing import Final, TypeVar, cast

from adkg.errors import AdkgError, QueryCrashedError, QueryTimeout, ResultTooLargeError
from adkg.sparql import DatasetSpec, Format, FormatChoice, Policy, prepare
from adkg.store import ReadHandle, open_read_only

T = TypeVar("T")

#: Bytes of serialized results a worker gathers before sending them on.
CHUNK: Final = 64 * 1024

_CONTEXT: Final = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])


@dataclass(frozen=True, slots=True)
class Job:
    """One query for a worker: the store to read, the text, and how to answer."""

    store: Path
    query: str
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    choice: FormatChoice = field(default_factory=FormatChoice)
    policy: Policy = field(default_factory=Policy)
    max_result_bytes: int | None = None
    #: The IRI relative IRIs in the query resolve against (the endpoint's address).
    base_iri: str | None = None


@dataclass(frozen=True, slots=True)
class Start:
    """The query parsed and produced its first chunk (all of it when ``finished``)."""

    format: Format
    data: bytes
    finished: bool


@dataclass(frozen=True, slots=True)
class Chunk:
    """More serialized results; the last one has ``finished``."""

    data: bytes
    finished: bool


@dataclass(frozen=True, slots=True)
class Failed:
    """The query failed: an ``AdkgError`` (the client's to fix), or a bug (``error`` is None)."""

    error: AdkgError | None
    detail: str = ""


Message = Start | Chunk | Failed


@dataclass(slots=True)
class _ChunkWriter:
    """A binary output for Oxigraph's serializers that sends :data:`CHUNK`-sized messages."""

    connection: Connection
    format: Format
    limit: int | None
    buffer: bytearray = field(default_factory=bytearray)
    written: int = 0
    started: bool = False
    too_large: bool = False

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.limit is not None and self.written > self.limit:
            self.too_large = True
            raise OSError("result too large")
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self._send(finished=False)
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks go out when full, the last one at :meth:`finish`."""

    def finish(self) -> None:
        self._send(finished=True)

    def _send(self, *, finished: bool) -> None:
        data = bytes(self.buffer)
        self.buffer.clear()
        self.connection.send(Chunk(data, finished) if self.started else Start(self.format, data, finished))
        self.started = True


def _answer(connection: Connection, handle: ReadHandle, job: Job) -> None:
    writer: _ChunkWriter | None = None
    try:
        answer = prepare(
            handle.store, job.query, dataset=job.dataset, choice=job.choice, policy=job.policy, base_iri=job.base_iri
        )
        writer = _ChunkWriter(connection, answer.format, job.max_result_bytes)
        answer.write(writer)  # type: ignore[arg-type]  # pyoxigraph needs only write()
        writer.finish()
    except AdkgError as error:
        connection.send(Failed(error))
    except Exception:
        if writer is not None and writer.too_large:
            connection.send(Failed(ResultTooLargeError(
                f"the results are larger than {job.max_result_bytes} bytes (ADKG_MAX_RESULT_BYTES):"
                " add a LIMIT, or ask for fewer variables"
            )))
        else:
            connection.send(Failed(None, traceback.format_exc()))


def _serve(connection: Connection) -> None:
    """The worker's loop: answer each job sent on ``connection`` until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    handle: ReadHandle | None = None
    while True:
        try:
            job: Job = connection.recv()
        except EOFError:
            return
        try:
            if handle is None or handle.path != job.store:
                if handle is not None:
                    handle.close()
                    handle = None
                handle = open_read_only(job.store)
        except AdkgError as error:
            connection.send(Failed(error))
            continue
        _answer(connection, handle, job)


class Worker:
    """One worker process, and the parent's end of its pipe."""

    def __init__(self) -> None:
        #: The store of the last job, which the process holds open (None before the first).
        self.store: Path | None = None
        self._connection, child = _CONTEXT.Pipe()
        self._process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="adkg-query-worker")
        self._process.start()
        child.close()

    @property
    def alive(self) -> bool:
        """Whether the process runs and can take a job."""
        return self._process.is_alive()

    def fileno(self) -> int:
        """The file descriptor that becomes readable when the worker has sent a message."""
        return self._connection.fileno()

    def send(self, job: Job) -> None:
        """Give the worker ``job``; read its answer with :meth:`receive` until :func:`is_last`."""
        self.store = job.store
        self._connection.send(job)

    def poll(self, timeout: float) -> bool:
        """Return whether a message arrives within ``timeout`` seconds."""
        return self._connection.poll(max(0.0, timeout))

    def receive(self) -> Message:
        """Return the worker's next message (waiting for it).

        Raises:
            QueryCrashedError: the worker died; it is gone.
        """
        try:
            message: Message = self._connection.recv()
        except (EOFError, OSError) as error:
            self._process.join(timeout=1)
            raise QueryCrashedError(
                f"the query engine crashed on this query (its worker process ended with status"
                f" {self._process.exitcode}); only that process was lost"
            ) from error
        return message

    def run(self, job: Job, *, timeout: float) -> Iterator[Message]:
        """Send ``job`` and yield what the worker answers, until the last message.

        A caller that stops early (its client went away) gets the worker killed, since it would
        otherwise go on sending.

        Raises:
            QueryTimeout: no answer came within ``timeout`` seconds; the worker was killed.
            QueryCrashedError: the worker died; it is gone.
        """
        deadline = monotonic() + timeout
        finished = False
        try:
            self.send(job)
            while not finished:
                if not self.poll(deadline - monotonic()):
                    raise QueryTimeout(timeout)
                message = self.receive()
                finished = is_last(message)
                yield message
        finally:
            if not finished:
                self.kill()

    def kill(self) -> None:
        """End the process now and wait for it."""
        if self._process.pid is not None and self._process.is_alive():
            os.kill(self._process.pid, signal.SIGKILL)
        self._process.join()
        self._connection.close()

    def close(self) -> None:
        """Let the process end on its own (its pipe closes), and wait for it."""
        self._connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self.kill()


@dataclass(slots=True)
class Results:
    """A query's answer: its format, its first chunk and the rest."""

    format: Format
    first: bytes
    rest: Iterator[bytes]

    def __iter__(self) -> Iterator[bytes]:
        """Yield every chunk; raises what :meth:`Worker.run` raises after the first one."""
        yield self.first
        yield from self.rest


def is_last(message: Message) -> bool:
    """Return whether ``message`` is the last the worker sends for its job."""
    return isinstance(message, Failed) or message.finished


def started(message: Message) -> Start:
    """Return the first message of a job's answer, or raise the failure it reports.

    Raises:
        AdkgError: the query's own (syntax, refusal, not acceptable, too large...).
        RuntimeError: the worker failed unexpectedly (a bug), or broke the protocol.
    """
    if isinstance(message, Failed):
        raise _raised(message)
    if not isinstance(message, Start):
        raise RuntimeError(f"a query worker answered {message!r} before starting")
    return message


def chunk_data(message: Message) -> bytes:
    """Return the results a message after the first carries, or raise the failure it reports.

    Raises:
        AdkgError, RuntimeError: as :func:`started`.
    """
    if isinstance(message, Failed):
        raise _raised(message)
    return message.data


def answer(worker: Worker, job: Job, *, timeout: float) -> Results:
    """Run ``job`` on ``worker``; return the result format and the serialized results.

    Waits for the first chunk, so that every failure before it is raised here; one after it
    (a time limit reached while streaming) is raised while iterating.

    Raises:
        AdkgError: the query's own (syntax, refusal, not acceptable, too large, time limit...).
        RuntimeError: the worker failed unexpectedly (a bug); the message holds its traceback.
    """
    messages = worker.run(job, timeout=timeout)
    start = started(next(messages))
    return Results(start.format, start.data, (chunk_data(message) for message in messages))


def _raised(failed: Failed) -> Exception:
    return failed.error if failed.error is not None else RuntimeError(f"a query worker failed:\n{failed.detail}")


def _call(connection: Connection, function: Callable[..., object], args: tuple[object, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        result: tuple[bool, object] = (True, function(*args))
    except AdkgError as error:
        result = (False, error)
    except Exception:
        result = (False, RuntimeError(f"a worker process failed:\n{traceback.format_exc()}"))
    connection.send(result)


def run_killable(function: Callable[..., T], args: tuple[object, ...], *, timeout: float) -> T:
    """Return ``function(*args)`` computed in a new worker process, killed at ``timeout`` seconds.

    ``function`` must be importable by name (a module-level function of adkg).

    Raises:
        QueryTimeout: it ran past ``timeout``; the process was killed.
        QueryCrashedError: the process died.
        AdkgError: what ``function`` raised.
        RuntimeError: ``function`` failed unexpectedly (its traceback in the message).
    """
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_call, args=(sender, function, args), daemon=True, name="adkg-worker")
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(timeout)
        try:
            ok, value = receiver.recv()
        except EOFError as error:
            process.join(timeout=1)
            raise QueryCrashedError(f"the worker process died (exit status {process.exitcode})") from error
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if not ok:
        raise value
    return cast(T, value)


class WorkerPool:
    """Up to ``size`` worker processes, started when needed and reused while they live.

    ``spare`` idle workers are kept ready, so that a query arriving while others run (even
    runaway ones) does not wait for a process to start. Thread-safe; :meth:`acquire` blocks
    while ``size`` queries run.
    """

    def __init__(self, size: int, *, spare: int = 2) -> None:
        self._size = size
        self._spare = min(spare, size)
        self._idle: list[Worker] = []
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the spare workers."""
        with self._lock:
            missing = self._spare - len(self._idle)
        for _ in range(missing):
            self._put(Worker())

    def acquire(self, store: Path | None = None) -> Worker:
        """Return a live worker for one job on ``store``, waiting while ``size`` jobs run and
        starting a process if none is idle; give it back with :meth:`release`.

        One that already holds ``store`` open is preferred. Idle workers holding another store
        (the one before a build or update was swapped in) are ended, so that store can go.
        """
        self._slots.acquire()
        worker = self._take(store)
        return worker if worker is not None else self._start_one()

    def try_acquire(self, store: Path | None = None) -> Worker | None:
        """Return an idle worker for a job on ``store`` at once, or None (never waits, never
        starts a process: for an event loop, which calls :meth:`acquire` in a thread instead)."""
        if not self._slots.acquire(blocking=False):
            return None
        worker = self._take(store)
        if worker is None:
            self._slots.release()
        return worker

    def _take(self, store: Path | None) -> Worker | None:
        """Take an idle worker (holding a slot); None if there is none."""
        try:
            with self._lock:
                keep = [w for w in self._idle if w.alive and (store is None or w.store in (None, store))]
                ending = [w for w in self._idle if w not in keep]
                warm = [w for w in keep if w.store == store]
                candidates = warm or keep
                worker = candidates[-1] if candidates else None
                self._idle = [w for w in keep if w is not worker]
                refill = len(self._idle) < self._spare
            if refill or ending:
                threading.Thread(target=self._refill, args=(ending,), daemon=True).start()
        except BaseException:
            self._slots.release()
            raise
        return worker

    def _start_one(self) -> Worker:
        """Start a worker for a slot already held."""
        try:
            return Worker()
        except BaseException:
            self._slots.release()
            raise

    def _refill(self, ending: list[Worker]) -> None:
        for worker in ending:
            worker.close()
        self.start()

    def release(self, worker: Worker) -> None:
        """Take back ``worker`` after its job (a dead one is dropped)."""
        try:
            if worker.alive:
                self._put(worker)
            else:
                worker.kill()
        finally:
            self._slots.release()

    def _put(self, worker: Worker) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self._size:
                self._idle.append(worker)
                return
        worker.close()

    def close(self) -> None:
        """End every idle worker; workers in use end when released."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()
