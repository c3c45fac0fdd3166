"""SPARQL Update on the served store, copy on write: the Turtle sources never change.

An accepted update never writes to the store being read. Holding the data folder's build lock,
it copies the served store (Oxigraph's backup: hard links, so cheap), applies the update to the
copy in a worker process that is killed at the time limit, marks the copy's report as changed
since its build, and swaps it in like a build does. Queries in flight finish on the store they
started on; the next build replaces the changed store with one built from the sources.

LOAD is always refused (it would fetch from the Web), and SERVICE calls follow the same
allowlist as queries. ``using-graph-uri`` and ``using-named-graph-uri`` become USING and
USING NAMED clauses of each DELETE/INSERT operation, as the SPARQL 1.1 Protocol defines them.

Nothing here imports rdflib.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

from adkg.errors import ProtocolError, QueryRefusedError, QuerySyntaxError
from adkg.reports import graph_sizes
from adkg.sparql import DatasetSpec, Policy
from adkg.sparql_scan import operations_where, scan_sparql
from adkg.store import REPORT, DataFolder, build_id
from adkg.workers import run_killable


def with_using(update: str, dataset: DatasetSpec) -> str:
    """Return ``update`` with ``dataset``'s graphs as USING / USING NAMED before each WHERE of a
    DELETE/INSERT operation.

    >>> with_using("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", DatasetSpec(("urn:g",), ("urn:h",)))
    'DELETE { ?s ?p ?o } USING <urn:g> USING NAMED <urn:h> WHERE { ?s ?p ?o }'
    """
    clauses = " ".join(
        [f"USING <{iri}>" for iri in dataset.default_graphs] + [f"USING NAMED <{iri}>" for iri in dataset.named_graphs]
    )
    text = update
    for offset in sorted(operations_where(update), reverse=True):
        text = f"{text[:offset]}{clauses} {text[offset:]}"
    return text


def check_update(update: str, *, dataset: DatasetSpec, policy: Policy) -> str:
    """Return the update text to run, after the endpoint's rules.

    Raises:
        QueryRefusedError: the update has LOAD.
        ServiceNotAllowedError: it calls a SERVICE not allowed.
        ProtocolError: protocol graphs given with USING, USING NAMED or WITH in the text.
    """
    scan = scan_sparql(update)
    if "LOAD" in scan.keywords:
        raise QueryRefusedError("LOAD is never accepted here: it would read from the Web or from files")
    policy.check(scan)
    if dataset and scan.has_dataset_clause:
        raise ProtocolError(
            "using-graph-uri and using-named-graph-uri cannot be combined with USING, USING NAMED or WITH"
        )
    return with_using(update, dataset) if dataset else update


def _apply(store_path: str, update: str, base_iri: str | None, reports_folder: str) -> dict[str, int]:
    """Apply ``update`` to the store at ``store_path``; return its triples per named graph."""
    store = Store(store_path)
    try:
        store.update(update, base_iri=base_iri)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from error
    store.flush()
    return dict(graph_sizes(store, Path(reports_folder)))


def update_store(
    data: DataFolder,
    update: str,
    *,
    dataset: DatasetSpec,
    policy: Policy,
    reports_folder: Path,
    timeout: float,
    base_iri: str | None = None,
) -> Path:
    """Apply ``update`` to a copy of the served store and swap the copy in; return its folder.

    Relative IRIs in the update resolve against ``base_iri`` unless it says BASE.

    Raises:
        QueryRefusedError, ServiceNotAllowedError, ProtocolError: see :func:`check_update`.
        QuerySyntaxError: the update does not parse.
        QueryTimeout: it ran past ``timeout`` seconds (nothing changed).
        StoreBusyError: a build or another update is running.
        StoreNotFoundError: no store is served.
    """
    text = check_update(update, dataset=dataset, policy=policy)
    with data.exclusive():
        current = data.require_current()
        new = data.new_store_path()
        try:
            Store.read_only(str(current)).backup(str(new))
            graphs = run_killable(_apply, (str(new), text, base_iri, str(reports_folder)), timeout=timeout)
            report = json.loads((current / REPORT).read_text(encoding="utf-8"))
            report.update(
                store=str(new),
                build_id=build_id(current),
                graphs=graphs,
                changed_since_build=True,
                updates=report.get("updates", 0) + 1,
                updated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
            (new / REPORT).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
            data.swap(new)
        except BaseException:
            if data.current() != new.resolve():
                shutil.rmtree(new, ignore_errors=True)
            raise
        data.prune(keep={new, current})
    return new
