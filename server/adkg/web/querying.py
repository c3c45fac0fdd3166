"""Running a query on a worker from the event loop: no thread per request or per message.

The event loop waits on the worker's pipe (``add_reader``), so a lookup costs the server one
pipe round trip; only when no idle worker is at hand does it wait for one in a thread.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator, AsyncIterator

import anyio.to_thread

from adkg.errors import QueryTimeout
from adkg.workers import Job, Message, Start, Worker, WorkerPool, chunk_data, is_last, started


async def _readable(worker: Worker, timeout: float) -> bool:
    """Return whether ``worker`` has a message for us within ``timeout`` seconds."""
    if worker.poll(0):
        return True
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    descriptor = worker.fileno()
    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(descriptor, wake)
    try:
        await asyncio.wait_for(ready, max(0.0, timeout))
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(descriptor)
        os.set_blocking(descriptor, True)  # uvloop's add_reader makes it non-blocking; recv needs it blocking
    return True


async def _messages(worker: Worker, job: Job, *, timeout: float) -> AsyncGenerator[Message, None]:
    """Send ``job`` and yield the worker's messages until the last; kill it if stopped early.

    Raises:
        QueryTimeout: no message came in time (the worker is killed).
        QueryCrashedError: the worker died.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    finished = False
    try:
        worker.send(job)
        while not finished:
            if not await _readable(worker, deadline - loop.time()):
                raise QueryTimeout(timeout)
            message = worker.receive()
            finished = is_last(message)
            yield message
    finally:
        if not finished:
            worker.kill()


class Running:
    """A query whose first chunk has arrived: its format and data, and the rest to stream."""

    def __init__(self, pool: WorkerPool, worker: Worker, start: Start, rest: AsyncGenerator[Message, None]) -> None:
        self.start = start
        self._pool, self._worker, self._rest = pool, worker, rest
        if start.finished:
            self._pool.release(worker)

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield every chunk of the results; then give the worker back (killed if cut short).

        Raises:
            AdkgError: the time limit was reached while streaming.
        """
        try:
            yield self.start.data
            if not self.start.finished:
                async for message in self._rest:
                    yield chunk_data(message)
        finally:
            if not self.start.finished:
                await self._rest.aclose()
                self._pool.release(self._worker)


async def run_query(pool: WorkerPool, job: Job, *, timeout: float) -> Running:
    """Run ``job`` on a worker of ``pool``; return once its first chunk has arrived.

    Raises:
        AdkgError: the query's own failure before its first chunk (syntax, refusal, time limit...).
        RuntimeError: a worker failed unexpectedly.
    """
    worker = pool.try_acquire(job.store)
    if worker is None:
        worker = await anyio.to_thread.run_sync(pool.acquire, job.store)
    messages = _messages(worker, job, timeout=timeout)
    try:
        start = started(await anext(messages))
    except BaseException:
        await messages.aclose()
        pool.release(worker)
        raise
    return Running(pool, worker, start, messages)
