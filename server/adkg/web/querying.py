"""Running a query on a worker of the pool from the event loop: no thread per request.

The event loop reads the worker's socket, so a lookup costs the server one round trip on it;
only when no idle worker is at hand does it wait for one in a thread.
"""

from __future__ import annotations

import anyio.to_thread

from adkg.workers import Job, Results, WorkerPool, answer


async def run_query(pool: WorkerPool, job: Job, *, timeout: float) -> Results:
    """Run ``job`` on a worker of ``pool``; return once its first chunk has arrived.

    The worker goes back to the pool when the results are complete or closed: close them
    however the response ends.

    Raises:
        AdkgError: the query's own failure before its first chunk (syntax, refusal, time limit...).
        RuntimeError: a worker failed unexpectedly.
    """
    worker = pool.try_acquire(job.store)
    if worker is None:
        worker = await anyio.to_thread.run_sync(pool.acquire, job.store)
    return await answer(worker, job, timeout=timeout, on_close=lambda: pool.release(worker))
