"""What a SPARQL text asks for before it runs: SERVICE calls, FROM clauses and operation keywords.

pyoxigraph parses and runs a query in one call, and it calls SERVICE endpoints over HTTP while it
runs, so the endpoint policy must be decided on the text before. This module tokenizes the text
the way SPARQL's grammar does (comments, IRIs with their ``\\u`` escapes, the four kinds of string,
language tags, variables, prefixed names, keywords) without building a syntax tree, and errs on
the side of refusal: every ``SERVICE`` keyword outside a string, IRI or comment is reported, with
its endpoint IRI where the text gives it absolutely (an IRI, or a prefixed name whose prefix is
absolute), and None where it does not (a variable, a relative IRI, an unknown prefix).

>>> scan = scan_sparql('''PREFIX ex: <http://example.org/>
... SELECT * FROM <urn:g> WHERE { SERVICE SILENT ex:sparql { ?s ?p "SERVICE <x>" } }''')
>>> scan.services, scan.has_dataset_clause
(('http://example.org/sparql',), True)
>>> scan_sparql("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }").services
(None,)
>>> update = scan_sparql("PREFIX a: <urn:a> LOAD <http://example.org/data> ; CLEAR ALL")
>>> update.operation, sorted(update.keywords)
('LOAD', ['ALL', 'CLEAR', 'LOAD', 'PREFIX'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

_TOKEN: Final = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<variable>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<pname>(?:[^\W\d_][\w\-.]*)?:(?:[\w:%\-.]|\\[-_~.!$&'()*+,;=/?\#@%])*)
    | (?P<word>[^\W\d][\w]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_ABSOLUTE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True, slots=True)
class SparqlScan:
    """What a query or update text asks for, as far as the endpoint's policies need to know."""

    #: The endpoint of each SERVICE call, in order; None where the text gives none absolutely.
    services: tuple[str | None, ...]
    #: Whether the text names its own dataset (FROM, FROM NAMED, USING, USING NAMED or WITH).
    has_dataset_clause: bool
    #: Every keyword of the text, upper-cased (``SELECT``, ``LOAD``, ``INSERT``, ...).
    keywords: frozenset[str]
    #: The first keyword after the prologue (``SELECT``, ``ASK``, ``INSERT``, ...), if any.
    operation: str | None


def _unescape(iri: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """Return the significant ``(kind, text, offset)`` tokens of ``text`` (no space, no comments)."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            tokens.append((kind, match.group(), match.start()))
    return tokens


def operations_where(update: str) -> list[int]:
    """Return the offsets of the WHERE keyword of each DELETE/INSERT ... WHERE operation.

    Those are where USING clauses go; INSERT DATA, DELETE DATA and DELETE WHERE take none.

    >>> operations_where("INSERT DATA { <a:b> <a:b> 1 } ; DELETE { ?s ?p 1 } WHERE { ?s ?p 1 }")
    [51]
    """
    tokens = _tokens(update)
    offsets = []
    depth, modify = 0, False
    for index, (kind, value, offset) in enumerate(tokens):
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        elif kind == "word" and depth == 0:
            word = value.upper()
            following = tokens[index + 1][1].upper() if index + 1 < len(tokens) else ""
            if word in ("DELETE", "INSERT") and following not in ("DATA", "WHERE"):
                modify = True
            elif word == "WHERE" and modify:
                offsets.append(offset)
                modify = False
    return offsets


def where_group_start(query: str) -> int | None:
    """Return the offset just inside the ``{`` that opens the WHERE clause of a SELECT query, or
    None if the text has none: the first ``{`` outside parentheses, strings, IRIs and comments.

    >>> text = 'SELECT ?s (EXISTS { ?s ?p "{" } AS ?e) WHERE { ?s ?p ?o }'
    >>> text[where_group_start(text):]
    ' ?s ?p ?o }'
    """
    parentheses = 0
    for kind, value, offset in _tokens(query):
        if kind == "other" and value in "()":
            parentheses += 1 if value == "(" else -1
        elif kind == "other" and value == "{" and parentheses == 0:
            return offset + 1
    return None


#: Texts up to this many characters have their scans remembered (the last :data:`_REMEMBERED`).
_REMEMBERED_LENGTH: Final = 8192
_REMEMBERED: Final = 256


def scan_sparql(text: str) -> SparqlScan:
    """Return what the SPARQL query or update ``text`` asks for (see the module docstring).

    The text need not be valid SPARQL: parsing it is the engine's job. Clients send the same
    queries again and again, so the scans of the last texts (short ones) are remembered.
    """
    return _remembered_scan(text) if len(text) <= _REMEMBERED_LENGTH else _scan(text)


@lru_cache(maxsize=_REMEMBERED)
def _remembered_scan(text: str) -> SparqlScan:
    return _scan(text)


def _scan(text: str) -> SparqlScan:
    tokens = _tokens(text)
    prefixes: dict[str, str | None] = {}
    services: list[str | None] = []
    keywords: set[str] = set()
    operation = None
    for index, (kind, value, _) in enumerate(tokens):
        if kind != "word":
            continue
        word = value.upper()
        keywords.add(word)
        if operation is None and word not in ("PREFIX", "BASE"):
            operation = word
        following = [(k, v) for k, v, _ in tokens[index + 1 : index + 3]]
        if word == "PREFIX" and len(following) == 2 and following[0][0] == "pname":
            prefixes[following[0][1][:-1]] = _absolute(following[1])
        elif word == "SERVICE":
            if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
                following = following[1:]
            services.append(_endpoint(following[0], prefixes) if following else None)
    return SparqlScan(
        services=tuple(services),
        has_dataset_clause=bool(keywords & {"FROM", "USING", "WITH"}),
        keywords=frozenset(keywords),
        operation=operation,
    )


def _absolute(token: tuple[str, str]) -> str | None:
    """Return the IRI an ``<...>`` token names if it is absolute, else None."""
    kind, value = token
    if kind != "iri":
        return None
    iri = _unescape(value[1:-1])
    return iri if _ABSOLUTE.match(iri) else None


def _endpoint(token: tuple[str, str], prefixes: dict[str, str | None]) -> str | None:
    """Return the absolute IRI a SERVICE names by ``token``, or None."""
    kind, value = token
    if kind == "pname":
        prefix, _, local = value.partition(":")
        namespace = prefixes.get(prefix)
        return namespace + re.sub(r"\\(.)", r"\1", local) if namespace else None
    return _absolute(token)
