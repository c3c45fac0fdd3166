"""SPARQL queries against the built store, answered by Oxigraph and serialized by Oxigraph.

The default graph of a query is the union of the store's named graphs (the README).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Final

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

from adkg.errors import NotAcceptableError, QuerySyntaxError, StoreNotFoundError


class OutputFormat(StrEnum):
    """The formats ``adkg query`` writes: results formats for SELECT and ASK, RDF for the rest."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"


_RESULTS: Final = {
    OutputFormat.JSON: QueryResultsFormat.JSON,
    OutputFormat.XML: QueryResultsFormat.XML,
    OutputFormat.CSV: QueryResultsFormat.CSV,
    OutputFormat.TSV: QueryResultsFormat.TSV,
}
_GRAPHS: Final = {OutputFormat.TURTLE: RdfFormat.TURTLE, OutputFormat.NTRIPLES: RdfFormat.N_TRIPLES}


def open_store(store_dir: Path | None) -> Store:
    """Open the built store read-only.

    Raises:
        StoreNotFoundError: no store has been built.
    """
    if store_dir is None or not store_dir.is_dir():
        raise StoreNotFoundError("no store has been built yet: run adkg build")
    return Store.read_only(str(store_dir))


def run_query(store: Store, query: str, *, output: OutputFormat | None = None) -> bytes:
    """Run ``query`` and return its results serialized by Oxigraph.

    ``output`` defaults to JSON for SELECT and ASK and to Turtle for CONSTRUCT and DESCRIBE.

    Raises:
        QuerySyntaxError: the query does not parse; the message says where.
        NotAcceptableError: ``output`` does not fit the query's form.
    """
    try:
        results = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from error
    if isinstance(results, QuerySolutions | QueryBoolean):
        output = output or OutputFormat.JSON
        if output not in _RESULTS:
            raise NotAcceptableError(f"{output} is for CONSTRUCT and DESCRIBE results; use json, xml, csv or tsv")
        return results.serialize(format=_RESULTS[output])
    output = output or OutputFormat.TURTLE
    if output not in _GRAPHS:
        raise NotAcceptableError(f"{output} is for SELECT and ASK results; use turtle or ntriples")
    return results.serialize(format=_GRAPHS[output])
