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

The parent's side is asynchronous: the event loop reads each worker's socket as it reads the
clients' (no thread, no blocking read), and stops reading a worker whose results pile up, so a
slow client holds back its worker, not the server's memory. Messages are frames of bytes (a
length, a kind, the data), so results are never pickled; only a job and a failure are.

Workers are forked from a fork server that has imported only this module (pyoxigraph and the
query core, no rdflib and no web framework), so starting one takes milliseconds; they run as
batch work (``SCHED_BATCH``), so the server that hands them jobs is not preempted by them.

Why not a library pool: pebble and concurrent.futures return a task's whole result at its end;
streaming a result of any size from a process that can be killed mid-way needs the socket here.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import traceback
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import BinaryIO, Final, TypeVar, cast

from adkg.errors import AdkgError, QueryCrashedError, QueryTimeout, ResultTooLargeError
from adkg.sparql import DatasetSpec, Format, FormatChoice, GraphFormat, ResultFormat, prepare
from adkg.sparql_scan import SparqlScan
from adkg.store import ReadHandle, open_read_only

T = TypeVar("T")

#: Bytes of serialized results a worker gathers before sending them on.
CHUNK: Final = 64 * 1024
#: Messages the parent holds unread from one worker before it stops reading its socket.
BACKLOG: Final = 4

_CONTEXT: Final = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])

#: A frame's header: the length of its data, and its kind.
_HEADER: Final = struct.Struct("!IB")
#: Every result format, numbered for the wire.
_FORMATS: Final[tuple[Format, ...]] = (*ResultFormat, *GraphFormat)


class _Kind(IntEnum):
    JOB = 1
    START = 2
    CHUNK = 3
    FAILED = 4


@dataclass(frozen=True, slots=True)
class Job:
    """One query for a worker: the store to read, the text, and how to answer."""

    store: Path
    query: str
    #: What :func:`adkg.sparql.check_query` returned for ``query``: it may run here.
    scan: SparqlScan
    dataset: DatasetSpec = field(default_factory=DatasetSpec)
    choice: FormatChoice = field(default_factory=FormatChoice)
    max_result_bytes: int | None = None
    #: The IRI relative IRIs in the query resolve against (the endpoint's address).
    base_iri: str | None = None

    def to_bytes(self) -> bytes:
        """Return the job as the worker reads it (:meth:`from_bytes`): a pickle of plain values,
        a fraction of the cost of pickling the dataclasses."""
        scan, choice = self.scan, self.choice
        return pickle.dumps((
            str(self.store), self.query,
            (scan.services, scan.has_dataset_clause, scan.keywords, scan.operation),
            self.dataset.default_graphs, self.dataset.named_graphs,
            choice.results.value if choice.results else None, choice.graph.value if choice.graph else None,
            self.max_result_bytes, self.base_iri,
        ), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def from_bytes(cls, data: bytes) -> Job:
        """Return the job :meth:`to_bytes` wrote.

        >>> job = Job(Path("/s"), "ASK {}", SparqlScan((), False, frozenset({"ASK"}), "ASK"), base_iri="http://a/")
        >>> Job.from_bytes(job.to_bytes()) == job
        True
        """
        store, query, scan, default_graphs, named_graphs, results, graph, limit, base_iri = pickle.loads(data)
        return cls(
            Path(store), query, SparqlScan(*scan), DatasetSpec(default_graphs, named_graphs),
            FormatChoice(ResultFormat(results) if results else None, GraphFormat(graph) if graph else None),
            limit, base_iri,
        )


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


def _frame(kind: _Kind, *parts: bytes) -> bytes:
    """Return a frame of ``kind`` whose data is ``parts`` joined (copied once)."""
    return b"".join((_HEADER.pack(sum(map(len, parts)), kind), *parts))


def _encode(message: Message) -> bytes:
    """Return ``message`` as a frame (:func:`_decode` reads it back).

    >>> frame = _encode(Start(ResultFormat.CSV, b"a,b", True))
    >>> _decode(frame[4], frame[_HEADER.size :])
    Start(format=<ResultFormat.CSV: 'csv'>, data=b'a,b', finished=True)
    """
    if isinstance(message, Start):
        return _frame(_Kind.START, bytes((_FORMATS.index(message.format), message.finished)), message.data)
    if isinstance(message, Chunk):
        return _frame(_Kind.CHUNK, bytes((message.finished,)), message.data)
    return _frame(_Kind.FAILED, pickle.dumps((message.error, message.detail)))


def _decode(kind: int, data: bytes) -> Message:
    """Return the message of a frame's kind and data.

    Raises:
        RuntimeError: the frame is of no kind a worker sends.
    """
    if kind == _Kind.START:
        return Start(_FORMATS[data[0]], data[2:], bool(data[1]))
    if kind == _Kind.CHUNK:
        return Chunk(data[1:], bool(data[0]))
    if kind == _Kind.FAILED:
        error, detail = pickle.loads(data)
        return Failed(error, detail)
    raise RuntimeError(f"a query worker sent a frame of unknown kind {kind}")


# --- the worker's side (blocking) -------------------------------------------------------------


@dataclass(slots=True)
class _ChunkWriter:
    """A binary output for Oxigraph's serializers that sends :data:`CHUNK`-sized messages."""

    connection: socket.socket
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
        message = Chunk(data, finished) if self.started else Start(self.format, data, finished)
        self.connection.sendall(_encode(message))
        self.started = True


def _answer(connection: socket.socket, handle: ReadHandle, job: Job) -> None:
    writer: _ChunkWriter | None = None
    try:
        answer = prepare(
            handle.store, job.query, scan=job.scan, dataset=job.dataset, choice=job.choice, base_iri=job.base_iri
        )
        writer = _ChunkWriter(connection, answer.format, job.max_result_bytes)
        answer.write(writer)  # type: ignore[arg-type]  # pyoxigraph needs only write()
        writer.finish()
    except AdkgError as error:
        connection.sendall(_encode(Failed(error)))
    except Exception:
        if writer is not None and writer.too_large:
            connection.sendall(_encode(Failed(ResultTooLargeError(
                f"the results are larger than {job.max_result_bytes} bytes (ADKG_MAX_RESULT_BYTES):"
                " add a LIMIT, or ask for fewer variables"
            ))))
        else:
            connection.sendall(_encode(Failed(None, traceback.format_exc())))


def _receive_job(reader: BinaryIO) -> Job | None:
    """Return the next job from the parent, or None once it has closed the socket."""
    header = reader.read(_HEADER.size)
    if not header or len(header) < _HEADER.size:
        return None
    size, kind = _HEADER.unpack(header)
    data = reader.read(size)
    if kind != _Kind.JOB or data is None or len(data) < size:
        return None
    return Job.from_bytes(data)


def _yield_to_the_server() -> None:
    """Schedule this process as batch work (Linux's ``SCHED_BATCH``): waking up with a job, it
    does not preempt the server that sent it, so the server answers other clients (and /health)
    first, however many queries run."""
    if hasattr(os, "sched_setscheduler"):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def _end_with_the_parent() -> None:
    """End this worker as soon as the process that started it ends, even mid-query.

    The worker reads its socket only between jobs, so without this a query keeps running after
    its ``adkg query`` or server process is killed (and the fork server cannot end it: the worker
    holds its pipe). A thread waits on the parent's sentinel; Oxigraph releases the GIL while it
    evaluates, so the thread runs during a query.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="adkg-parent-watch", daemon=True).start()


def _serve(connection: socket.socket) -> None:
    """The worker's loop: answer each job sent on ``connection`` until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    _end_with_the_parent()
    _yield_to_the_server()
    reader = connection.makefile("rb")  # buffered: read(n) returns n bytes, unless the socket closed
    handle: ReadHandle | None = None
    while (job := _receive_job(reader)) is not None:
        try:
            if handle is None or handle.path != job.store:
                if handle is not None:
                    handle.close()
                    handle = None
                handle = open_read_only(job.store)
        except AdkgError as error:
            connection.sendall(_encode(Failed(error)))
            continue
        _answer(connection, handle, job)


# --- the parent's side (asynchronous) ---------------------------------------------------------


class _Frames(asyncio.Protocol):
    """The parent's end of a worker's socket: frames in, decoded into messages as they come."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.messages: deque[Message] = deque()
        self.lost = False
        self._buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._decode()
        if len(self.messages) >= BACKLOG and self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def _decode(self) -> None:
        """Decode the whole frames of the buffer into messages, up to :data:`BACKLOG` of them;
        frames past it stay bytes, so one read that brought several frames cannot exceed it."""
        while len(self.messages) < BACKLOG and len(self._buffer) >= _HEADER.size:
            size, kind = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + size
            if len(self._buffer) < end:
                break
            self.messages.append(_decode(kind, bytes(self._buffer[_HEADER.size : end])))
            del self._buffer[:end]

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next_message(self, deadline: float) -> Message | None:
        """Return the next message, waiting until the loop's time ``deadline``; None if the time
        is up first or the worker is gone with nothing more to read."""
        loop = asyncio.get_running_loop()
        while not self.messages and not self.lost and loop.time() < deadline:
            self._waiter = waiter = loop.create_future()
            timer = loop.call_at(deadline, self._wake)
            try:
                await waiter  # woken by data (maybe not a whole frame yet), the end, or the time
            finally:
                timer.cancel()
                self._waiter = None
        if not self.messages:
            return None
        message = self.messages.popleft()
        self._decode()
        if self._paused and len(self.messages) < BACKLOG and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return message


class Worker:
    """One worker process, and the parent's end of its socket, read by the event loop it is
    first used on (and only that one)."""

    def __init__(self) -> None:
        #: The store of the last job, which the process holds open (None before the first).
        self.store: Path | None = None
        self._socket, child = socket.socketpair()
        self._process = _CONTEXT.Process(target=_serve, args=(child,), daemon=True, name="adkg-query-worker")
        self._process.start()
        child.close()
        self._frames: _Frames | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def alive(self) -> bool:
        """Whether the process runs and can take a job."""
        return self._process.is_alive() and not (self._frames is not None and self._frames.lost)

    async def _connected(self) -> _Frames:
        """Return the protocol reading the socket on this event loop (connected at first use).

        Raises:
            RuntimeError: the worker was first used on another event loop.
        """
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            raise RuntimeError("a query worker serves the event loop it was first used on, and no other")
        if self._frames is None:
            self._loop = asyncio.get_running_loop()
            self._socket.setblocking(False)
            _, self._frames = await self._loop.connect_accepted_socket(_Frames, sock=self._socket)
        return self._frames

    async def run(self, job: Job, *, timeout: float) -> AsyncGenerator[Message, None]:
        """Send ``job`` and yield what the worker answers, until the last message.

        A caller that stops early (its client went away) gets the worker killed, since it would
        otherwise go on sending.

        Raises:
            QueryTimeout: no answer came within ``timeout`` seconds; the worker was killed.
            QueryCrashedError: the worker died; it is gone.
        """
        frames = await self._connected()
        deadline = asyncio.get_running_loop().time() + timeout
        finished = False
        try:
            self.store = job.store
            assert frames.transport is not None
            frames.transport.write(_frame(_Kind.JOB, job.to_bytes()))
            while not finished:
                message = await frames.next_message(deadline)
                if message is None:
                    if frames.lost:
                        self._process.join(timeout=1)
                        raise QueryCrashedError(
                            f"the query engine crashed on this query (its worker process ended with status"
                            f" {self._process.exitcode}); only that process was lost"
                        )
                    raise QueryTimeout(timeout)
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
        self._close_socket()

    def close(self) -> None:
        """Let the process end on its own (its socket closes), and wait for it; from any thread."""
        # Shut the socket down at once: on the event loop, closing the transport takes effect only
        # once the loop runs again, which it does not while this waits for the process.
        with contextlib.suppress(OSError):  # already closed
            self._socket.shutdown(socket.SHUT_RDWR)
        self._close_socket()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self.kill()

    def _close_socket(self) -> None:
        frames, loop = self._frames, self._loop
        if frames is None or frames.transport is None or loop is None or loop.is_closed():
            self._socket.close()
        else:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                frames.transport.close()
            else:
                loop.call_soon_threadsafe(frames.transport.close)


class Results:
    """A query's answer as it arrives: its :attr:`format`, its :attr:`first` chunk, then the
    chunks after it by async iteration. Close it (:meth:`aclose`) if not read to the end."""

    def __init__(
        self, start: Start, rest: AsyncGenerator[Message, None], on_close: Callable[[], None] | None = None
    ) -> None:
        self.format, self.first, self.finished = start.format, start.data, start.finished
        self._rest, self._on_close = rest, on_close
        self._open = True
        if start.finished:
            self._end()

    def __aiter__(self) -> Results:
        return self

    async def __anext__(self) -> bytes:
        """Return the next chunk after the first.

        Raises:
            StopAsyncIteration: the results are complete.
            AdkgError: the time limit was reached while streaming (the worker was killed).
            QueryCrashedError: the worker died while streaming.
        """
        if not self._open:  # complete or closed
            raise StopAsyncIteration
        message = await anext(self._rest)
        if is_last(message):
            self.finished = True
            self._end()
        return chunk_data(message)

    async def aclose(self) -> None:
        """Stop: the worker is killed if its results were not all read; then ``on_close`` runs."""
        if self._open:
            await self._rest.aclose()
            self._end()

    def _end(self) -> None:
        if self._open:
            self._open = False
            if self._on_close is not None:
                self._on_close()


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


async def answer(
    worker: Worker, job: Job, *, timeout: float, on_close: Callable[[], None] | None = None
) -> Results:
    """Run ``job`` on ``worker``; return once its first chunk has arrived.

    ``on_close`` runs when the results are complete or closed, or when this raises: when the
    worker is done with the job.

    Raises:
        AdkgError: the query's own (syntax, refusal, not acceptable, too large, time limit...).
        RuntimeError: the worker failed unexpectedly (a bug); the message holds its traceback.
    """
    messages = worker.run(job, timeout=timeout)
    try:
        start = started(await anext(messages))
    except BaseException:
        await messages.aclose()
        if on_close is not None:
            on_close()
        raise
    return Results(start, messages, on_close)


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

    ``spare`` idle workers are kept ready while fewer than ``size`` run, so that a query arriving
    while others run (even runaway ones) does not wait for a process to start; the pool never
    holds more than ``size`` processes. Thread-safe; :meth:`acquire` blocks while ``size``
    queries run.
    """

    def __init__(self, size: int, *, spare: int = 2) -> None:
        self._size = size
        self._spare = min(spare, size)
        self._idle: list[Worker] = []
        #: Workers handed out and not yet given back.
        self._busy = 0
        #: Workers being started for the idle list.
        self._starting = 0
        self._slots = threading.BoundedSemaphore(size)
        #: Guards the counts and the idle list; notified when a started worker is put in it.
        self._lock = threading.Condition()
        self._closed = False

    @property
    def processes(self) -> int:
        """How many worker processes the pool holds: busy, idle and being started."""
        with self._lock:
            return self._busy + len(self._idle) + self._starting

    def start(self) -> None:
        """Start spare workers until ``spare`` are idle (or the pool holds ``size``)."""
        with self._lock:
            room = self._size - self._busy - len(self._idle)
            missing = max(0, min(self._spare - len(self._idle), room) - self._starting)
            self._starting += missing
        for _ in range(missing):
            started: Worker | None = None
            try:
                started = Worker()
            finally:
                with self._lock:
                    self._starting -= 1
                    kept = started is not None and self._keep(started)
                    self._lock.notify_all()
            if started is not None and not kept:
                started.close()

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
        worker = self._take(store, start=False)
        if worker is None:
            self._slots.release()
        return worker

    def _take(self, store: Path | None, *, start: bool = True) -> Worker | None:
        """Take an idle worker (holding a slot), counted busy; None if there is none, and then,
        when ``start``, the slot is counted busy for the process the caller starts. With
        ``start``, a spare being started is waited for rather than a process started beside it,
        so the pool never holds more than ``size``."""
        try:
            with self._lock:
                if start:
                    self._lock.wait_for(lambda: bool(self._idle) or not self._starting)
                ending = [w for w in self._idle if store is not None and w.store not in (None, store)]
                keep = [w for w in self._idle if w not in ending]
                warm = [w for w in keep if w.store == store]
                candidates = warm or keep
                worker = candidates[-1] if candidates else None
                self._idle = [w for w in keep if w is not worker]
                if worker is not None or start:
                    self._busy += 1
                refill = len(self._idle) + self._starting < self._spare and self._busy + len(self._idle) < self._size
            if refill or ending:
                threading.Thread(target=self._refill, args=(ending,), daemon=True).start()
        except BaseException:
            self._slots.release()
            raise
        if worker is not None and not worker.alive:  # ended from outside while idle: replace it
            worker.kill()
            return self._start_one()
        return worker

    def _start_one(self) -> Worker:
        """Start a worker for a slot already held and counted busy."""
        try:
            return Worker()
        except BaseException:
            with self._lock:
                self._busy -= 1
            self._slots.release()
            raise

    def _refill(self, ending: list[Worker]) -> None:
        for worker in ending:
            worker.close()
        self.start()

    def release(self, worker: Worker) -> None:
        """Take back ``worker`` after its job (a dead one is dropped)."""
        with self._lock:
            self._busy -= 1
        try:
            if worker.alive:
                self._put(worker)
            else:
                worker.kill()
        finally:
            self._slots.release()

    def _put(self, worker: Worker) -> None:
        with self._lock:
            kept = self._keep(worker)
        if not kept:
            worker.close()

    def _keep(self, worker: Worker) -> bool:
        """Add ``worker`` to the idle ones if the pool has room (the lock held); return whether."""
        if self._closed or self._busy + len(self._idle) >= self._size:
            return False
        self._idle.append(worker)
        self._lock.notify_all()
        return True

    def close(self) -> None:
        """End every idle worker; workers in use end when released."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.close()
