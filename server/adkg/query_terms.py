"""The IRIs a SPARQL query file mentions, found by parsing it (never by matching its text).

>>> sorted(sparql_iris('''
...     PREFIX schema: <https://schema.org/>
...     SELECT ?c WHERE { ?c a/schema:about* ?x ; schema:value ?v FILTER(DATATYPE(?v) = <urn:x:t>) }'''))
['http://www.w3.org/1999/02/22-rdf-syntax-ns#type', 'https://schema.org/about', 'https://schema.org/value', 'urn:x:t']
>>> sorted(sparql_iris('ASK { <urn:x:a> <urn:x:b> "1"^^<urn:x:t> }'))
['urn:x:a', 'urn:x:b', 'urn:x:t']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
from pyparsing import ParseException
from rdflib import Literal, URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery

from adkg.errors import SourceSyntaxError

#: How Oxigraph's SPARQL parser begins its error messages: ``error at LINE:COLUMN: ...``.
_OXIGRAPH_POSITION = re.compile(r"error at (?P<line>\d+):(?P<column>\d+)")


def _iris(node: object) -> Iterator[str]:
    """Yield every IRI in an rdflib SPARQL algebra tree, in paths and literal datatypes too."""
    match node:
        case URIRef():
            yield str(node)
        case Literal(datatype=datatype) if datatype is not None:
            yield str(datatype)
        case SequencePath() | AlternativePath() | NegatedPath():
            yield from _iris(node.args)
        case MulPath():
            yield from _iris(node.path)
        case InvPath():
            yield from _iris(node.arg)
        case dict():
            yield from _iris(list(node.values()))
        case list() | tuple() | set() | frozenset():
            for value in node:
                yield from _iris(value)


def sparql_iris(text: str) -> set[str]:
    """Return the IRIs a SPARQL query mentions.

    The query is parsed by rdflib, which collects the IRIs, and by Oxigraph, the engine adkg
    answers SPARQL with, without evaluating it: Oxigraph evaluates SELECT, CONSTRUCT and DESCRIBE
    lazily, and ASK queries (evaluated at once) are left to rdflib alone.

    Raises:
        SyntaxError: Oxigraph rejects the query; ``lineno`` is set where it reports a position.
        ParseException: rdflib rejects a query that Oxigraph accepts, or that is an update.
    """
    try:
        query = prepareQuery(text)
    except ParseException:
        pyoxigraph.Store().query(text)  # raises SyntaxError with a position where it can
        raise
    if query.algebra.name != "AskQuery":
        pyoxigraph.Store().query(text)
    return set(_iris(query.algebra))


def sparql_file_iris(path: Path) -> set[str]:
    """Return the IRIs the SPARQL file at ``path`` mentions.

    Raises:
        SourceSyntaxError: the file is not a SPARQL query both Oxigraph and rdflib accept.
    """
    text = path.read_text(encoding="utf-8")
    try:
        return sparql_iris(text)
    except SyntaxError as error:
        position = _OXIGRAPH_POSITION.match(str(error))
        line = error.lineno or (int(position["line"]) if position else None)
        raise SourceSyntaxError(path, line, str(error)) from error
    except ParseException as error:
        raise SourceSyntaxError(
            path, error.lineno, f"not a SPARQL query rdflib can parse: {error.msg}"
        ) from error
