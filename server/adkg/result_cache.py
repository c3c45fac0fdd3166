"""Answers to repeated queries, kept in the server's memory: a bounded cache of complete results.

A result is kept under everything that decides its bytes (:class:`ResultKey`): the store folder
that answered it (each build and each accepted update makes a new folder, so a changed store
never answers from another's results), the query text as sent, the dataset the request names
(``default-graph-uri``, ``named-graph-uri``), the formats negotiated, and the base IRI relative
IRIs resolve against (the endpoint's address as the client called it). The key also makes the
answer's entity tag (:meth:`ResultKey.etag`), so a client can revalidate a result the cache no
longer holds, or never held, without the query being run.

The cache holds at most ``max_bytes`` of results and query texts, dropping the least recently used
first, and keeps no result larger than ``max_entry_bytes`` (such results are still answered, and
streamed as before). Only complete, successful results are kept: an error, a time limit reached,
a result cut short or a client gone before the end leaves nothing behind. A query is never kept
(nor given an entity tag) when its answer can differ from one run to the next on the same store
(:func:`reusable`): one calling ``RAND``, ``NOW``, ``UUID`` or ``STRUUID``, or a ``SERVICE``, whose
endpoint changes without any build of ours. Blank nodes do not count: ``BNODE()`` and CONSTRUCT
templates make new blank nodes at each run, but a blank node's label is scoped to one result
document, so a kept answer is as true as a new one.

When a key names another store than the last one looked up, the server has picked up a new build
or update: every result is dropped. The cache is used from the server's event loop only; it holds
no lock.

Nothing here imports rdflib or the web framework.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from adkg.sparql import DatasetSpec, Format, FormatChoice
from adkg.sparql_scan import SparqlScan
from adkg.workers import Job, Results

#: The functions whose value differs from one evaluation to the next (upper case, as scanned).
VOLATILE_FUNCTIONS: Final = frozenset({"RAND", "NOW", "UUID", "STRUUID"})
#: Bytes counted for each entry besides its texts and results: the key, entry and dict slot.
ENTRY_OVERHEAD: Final = 512


def reusable(scan: SparqlScan) -> bool:
    """Return whether the answer to the query ``scan`` was made of may be given again, on the
    same store: False when it calls SERVICE or a function whose value changes at each call.

    >>> from adkg.sparql_scan import scan_sparql
    >>> reusable(scan_sparql('SELECT ?s (BNODE() AS ?b) WHERE { ?s <urn:now> "RAND()" }'))
    True
    >>> reusable(scan_sparql("SELECT (now() AS ?t) {}")), reusable(scan_sparql("ASK { SERVICE <urn:s> {} }"))
    (False, False)
    """
    return not scan.services and not scan.keywords & VOLATILE_FUNCTIONS


@dataclass(frozen=True, slots=True)
class ResultKey:
    """What decides the bytes of a query's answer."""

    #: The store folder the query runs on (a new one for each build and each accepted update).
    store: Path
    query: str
    dataset: DatasetSpec
    choice: FormatChoice
    #: The IRI relative IRIs in the query resolve against.
    base_iri: str | None

    def etag(self) -> str:
        """Return the entity tag of the answer: weak, the store folder's name and a digest of
        the rest of the key.

        Weak, because two runs of a query on one store answer the same results but not always
        the same bytes (blank node labels, the order of solutions the query does not order).

        >>> key = ResultKey(Path("/d/stores/20260101T000000000000Z-1"), "ASK {}", DatasetSpec(), FormatChoice(), None)
        >>> key.etag()
        'W/"20260101T000000000000Z-1-ea051c8b62fbf306d7c62399e1148f08"'
        """
        choice = self.choice
        request = [
            self.query, self.dataset.default_graphs, self.dataset.named_graphs,
            choice.results, choice.graph, self.base_iri,
        ]
        digest = hashlib.blake2b(json.dumps(request).encode(), digest_size=16).hexdigest()
        return f'W/"{self.store.name}-{digest}"'

    def cost(self) -> int:
        """Return the bytes the key's texts are counted for in the cache (characters as bytes)."""
        graphs = (*self.dataset.default_graphs, *self.dataset.named_graphs)
        return len(self.query) + sum(map(len, graphs)) + len(self.base_iri or "") + ENTRY_OVERHEAD


def result_key(job: Job) -> ResultKey | None:
    """Return the key ``job``'s results are kept under, or None if they are not to be kept
    (:func:`reusable`)."""
    if not reusable(job.scan):
        return None
    return ResultKey(job.store, job.query, job.dataset, job.choice, job.base_iri)


@dataclass(frozen=True, slots=True)
class CachedResult:
    """A complete answer: its format and its bytes."""

    format: Format
    body: bytes


class ResultCache:
    """At most ``max_bytes`` of complete results, the least recently used dropped first; none
    larger than ``max_entry_bytes``. ``max_bytes`` 0 keeps nothing.

    >>> cache = ResultCache(max_bytes=0, max_entry_bytes=1024)
    >>> cache.max_entry_bytes, len(cache), cache.bytes
    (0, 0, 0)
    """

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[ResultKey, CachedResult] = OrderedDict()
        self._bytes = 0
        #: The store of the last key looked up: the one being served.
        self._store: Path | None = None

    @property
    def bytes(self) -> int:
        """The bytes the kept results and their keys are counted for."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: ResultKey) -> CachedResult | None:
        """Return the result kept under ``key`` (now the most recently used), or None.

        A key on another store than the last one looked up first drops every result: the server
        has picked up a new build or update.
        """
        if key.store != self._store:
            self._entries.clear()
            self._bytes = 0
            self._store = key.store
            return None
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def record(self, key: ResultKey | None, results: Results) -> Results | Recording | None:
        """Return what to send of ``results`` after their first chunk (None if that is all), and
        keep them under ``key`` (None: not to be kept) once complete, if they fit in an entry."""
        if results.finished:
            if key is not None:
                self.put(key, CachedResult(results.format, results.first))
            return None
        if key is None or len(results.first) > self.max_entry_bytes:
            return results
        return Recording(self, key, results)

    def put(self, key: ResultKey, result: CachedResult) -> None:
        """Keep ``result`` under ``key`` and drop the least recently used results beyond the bound;
        nothing is kept that is larger than an entry may be, or comes from a store no longer served."""
        cost = key.cost() + len(result.body)
        if len(result.body) > self.max_entry_bytes or cost > self.max_bytes or key.store != self._store:
            return
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self._bytes -= key.cost() + len(replaced.body)
        self._entries[key] = result
        self._bytes += cost
        while self._bytes > self.max_bytes:
            old_key, old = self._entries.popitem(last=False)
            self._bytes -= old_key.cost() + len(old.body)


class Recording:
    """The chunks of a streamed result after its first, passed on as they come and gathered while
    they fit in an entry; kept in the cache once the last one has come."""

    def __init__(self, cache: ResultCache, key: ResultKey, results: Results) -> None:
        self._cache, self._key, self._results = cache, key, results
        self._parts: list[bytes] | None = [results.first]
        self._size = len(results.first)

    def __aiter__(self) -> Recording:
        return self

    async def __anext__(self) -> bytes:
        """Return the next chunk.

        Raises:
            StopAsyncIteration: the results are complete.
            AdkgError, RuntimeError: as :meth:`adkg.workers.Results.__anext__`; nothing is kept.
        """
        chunk = await anext(self._results)
        if self._parts is not None:
            self._size += len(chunk)
            if self._size > self._cache.max_entry_bytes:
                self._parts = None
            else:
                self._parts.append(chunk)
                if self._results.finished:
                    self._cache.put(self._key, CachedResult(self._results.format, b"".join(self._parts)))
        return chunk

    async def aclose(self) -> None:
        """Stop reading the results (the worker is killed if they were not all read)."""
        await self._results.aclose()
