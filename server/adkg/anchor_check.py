"""The rules a quote anchor is held to, and the build's check of them over a loaded store (no rdflib).

``adkg anchor`` (:mod:`adkg.anchors`) applies the same rules to rdflib graphs it may rewrite; the
build applies them to the in-memory Oxigraph store it loaded, where each file is still its own
graph, by one query. What an anchor is, and what each rule means, is in :mod:`adkg.anchors`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from adkg.errors import LayoutError, SeedChangedError
from adkg.vocab import PREFIXES, compact, text_fragment

#: How many code points of context ``adkg anchor`` writes as a missing prefix or suffix.
CONTEXT: Final = 32
_SIZE: Final = re.compile(r"([0-9]+) bytes")
_INTEGERS: Final = frozenset(
    PREFIXES["xsd"] + name
    for name in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long", "short", "unsignedInt")
)


@dataclass(frozen=True, slots=True)
class AnchorProblem:
    """An anchor that cannot be located, or whose recorded location is wrong."""

    path: Path
    node: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.node}: {self.problem}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a quote lies in its source's text, with the context around it."""

    source: str
    start: int
    end: int
    prefix: str
    suffix: str

    @property
    def iri(self) -> str:
        """The anchor's IRI: the source's with the RFC 5147 fragment of the quote's code points."""
        return text_fragment(self.source, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a file records of an anchor: its IRI (None for a blank node), its source, its quote
    selector's words (``exact`` None without a quote selector), and its position selector's
    offsets (``position`` None without one; an offset that is not an integer as written)."""

    iri: str | None
    source: str | None
    exact: str | None
    prefix: str | None
    suffix: str | None
    position: tuple[object, object] | None


def locate(text: str, exact: str, *, prefix: str | None, suffix: str | None) -> list[int]:
    """Return every start offset where ``exact`` occurs in ``text`` between ``prefix`` and ``suffix``.

    >>> locate("a cat, a cat.", "a cat", prefix=None, suffix=None)
    [0, 7]
    >>> locate("a cat, a cat.", "a cat", prefix=", ", suffix=None)
    [7]
    >>> locate("a cat, a cat.", "a dog", prefix=None, suffix=None)
    []
    """
    starts = []
    start = text.find(exact)
    while start != -1:
        end = start + len(exact)
        if (prefix is None or text[:start].endswith(prefix)) and (
            suffix is None or text.startswith(suffix, end)
        ):
            starts.append(start)
        start = text.find(exact, start + 1)
    return starts


def locate_anchor(anchor: Anchor, texts: Mapping[str, str]) -> Location | str:
    """Return where an anchor's quote lies, or a sentence saying why it cannot be located."""
    if anchor.source is None or anchor.source not in texts:
        return f"its source {compact(anchor.source) if anchor.source else '(none)'} names no seed file"
    if not anchor.exact:
        return "has no oa:TextQuoteSelector with an oa:exact quote"
    text, exact = texts[anchor.source], anchor.exact
    starts = locate(text, exact, prefix=anchor.prefix, suffix=anchor.suffix)
    if not starts:
        if locate(text, exact, prefix=None, suffix=None):
            return f"oa:prefix or oa:suffix does not match the text around {exact!r}"
        return f"quote {exact!r} does not occur in the seed text"
    if len(starts) > 1:
        return f"quote {exact!r} occurs {len(starts)} times; add an oa:prefix or oa:suffix to tell which"
    start, end = starts[0], starts[0] + len(exact)
    return Location(
        anchor.source,
        start,
        end,
        anchor.prefix if anchor.prefix is not None else text[max(0, start - CONTEXT) : start],
        anchor.suffix if anchor.suffix is not None else text[end : end + CONTEXT],
    )


def recorded_problems(anchor: Anchor, location: Location) -> list[str]:
    """What is missing or wrong in the anchor's recorded prefix, suffix, offsets and name."""
    problems = [f"no oa:{name}" for name in ("prefix", "suffix") if getattr(anchor, name) is None]
    if anchor.position is None:
        problems.append("no oa:TextPositionSelector")
        return problems
    expected = (location.start, location.end)
    if anchor.position != expected:
        problems.append(f"offsets are {anchor.position}, the quote lies at {expected}")
    elif anchor.iri != location.iri:  # a name is only checked against offsets that are right
        named = "is a blank node" if anchor.iri is None else f"is named <{anchor.iri}>"
        problems.append(f"{named}; the IRI of its words is <{location.iri}>")
    return problems


def also_described(anchor: str, first: Path) -> str:
    """The problem of an anchor that a second file describes too."""
    return f"<{anchor}> is also described in {first}; describe it in one file"


def recorded_differences(
    recorded: tuple[str | None, str | None, str | None], data: bytes, text: str
) -> list[str]:
    """Return how the seed ``data`` (decoded: ``text``) differs from what its metadata records:
    ``recorded`` is its ``schema:sha256``, ``schema:contentSize`` and ``adkg:characterCount``
    (None where the metadata records none).

    >>> recorded_differences((None, "3 bytes", "2"), "é!".encode(), "é!")
    []
    >>> recorded_differences((None, "3 bytes", "2"), b"ab!", "ab!")
    ['3 characters, the metadata records 2']
    """
    recorded_sha256, size, count = recorded
    differences = []
    sha256 = hashlib.sha256(data).hexdigest()
    if recorded_sha256 is not None and sha256 != recorded_sha256:
        differences.append(f"SHA-256 {sha256}, the metadata records {recorded_sha256}")
    if size is not None:
        match = _SIZE.fullmatch(size)
        if match is None:
            differences.append(f"schema:contentSize {size!r} is not written 'N bytes'")
        elif int(match[1]) != len(data):
            differences.append(f"{len(data)} bytes, the metadata records {match[1]}")
    if count is not None and count != str(len(text)):
        differences.append(f"{len(text)} characters, the metadata records {count}")
    return differences


def read_seed(path: Path, source: str, recorded: tuple[str | None, str | None, str | None]) -> str:
    """Return the text of the seed file at ``path``, the text of ``source``, checked against what
    its metadata records (see :func:`recorded_differences`).

    Raises:
        LayoutError: the file is missing or is not UTF-8 text.
        SeedChangedError: the file is not the text its metadata records.
    """
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LayoutError(f"{path}, the text of {compact(source)}, cannot be read: {error}") from error
    differences = recorded_differences(recorded, data, text)
    if differences:
        raise SeedChangedError(path, differences)
    return text


_PROLOGUE: Final = f"""
PREFIX adkg: <{PREFIXES['adkg']}>
PREFIX oa: <{PREFIXES['oa']}>
PREFIX prov: <{PREFIXES['prov']}>
PREFIX schema: <{PREFIXES['schema']}>
"""

_SEEDS: Final = _PROLOGUE + """
SELECT ?source (SAMPLE(?name) AS ?file) (SAMPLE(?sha) AS ?sha256) (SAMPLE(?size) AS ?bytes)
       (SAMPLE(?count) AS ?characters)
WHERE {
  ?source schema:encoding ?encoding . ?encoding schema:name ?name .
  FILTER(isIRI(?source))
  OPTIONAL { ?encoding schema:sha256 ?sha } OPTIONAL { ?encoding schema:contentSize ?size }
  OPTIONAL { ?source adkg:characterCount ?count }
}
GROUP BY ?source
"""

_ANCHORS: Final = _PROLOGUE + """
SELECT ?file ?anchor (SAMPLE(?src) AS ?source) (SAMPLE(?ex) AS ?exact) (SAMPLE(?pre) AS ?prefix)
       (SAMPLE(?suf) AS ?suffix) (SAMPLE(?s) AS ?start) (SAMPLE(?e) AS ?end)
       (SAMPLE(?p) AS ?position) (MIN(STR(?who)) AS ?owner)
WHERE {
  GRAPH ?file {
    ?anchor oa:hasSelector ?any .
    OPTIONAL { ?anchor oa:hasSource ?src }
    OPTIONAL { ?anchor oa:hasSelector ?q . ?q a oa:TextQuoteSelector .
               OPTIONAL { ?q oa:exact ?ex } OPTIONAL { ?q oa:prefix ?pre } OPTIONAL { ?q oa:suffix ?suf } }
    OPTIONAL { ?anchor oa:hasSelector ?p . ?p a oa:TextPositionSelector .
               OPTIONAL { ?p oa:start ?s } OPTIONAL { ?p oa:end ?e } }
    OPTIONAL { ?who prov:wasDerivedFrom|oa:hasTarget ?anchor }
  }
}
GROUP BY ?file ?anchor
"""


def _text(term: object) -> str | None:
    return None if term is None else cast("Literal | NamedNode", term).value


def _offset(term: object) -> object:
    """An offset as recorded: an int, or (ill-typed, or of another type) its words."""
    if term is None:
        return None
    literal = cast("Literal", term)
    try:
        return int(literal.value) if literal.datatype.value in _INTEGERS else literal.value
    except ValueError:  # Oxigraph keeps an ill-typed literal as written: "zero"^^xsd:integer
        return literal.value


def check_store_anchors(store: Store, files: Mapping[str, Path], seeds_folder: Path) -> list[AnchorProblem]:
    """Check every anchor of ``store``, where each graph file is its own named graph, against its seed.

    ``files`` maps each such graph's IRI to its file, in the order the files are read: an anchor is
    described in the first file that describes it, and a second description is a problem.

    Returns:
        the anchors that cannot be located, whose recorded prefix, suffix, offsets or name are
        missing or wrong, or that two files describe; in file order.

    Raises:
        LayoutError: a seed file named in the metadata cannot be read.
        SeedChangedError: a seed file is not the text its metadata records.
    """
    texts = {
        row["source"].value: read_seed(
            seeds_folder / row["file"].value, row["source"].value,
            (_text(row["sha256"]), _text(row["bytes"]), _text(row["characters"])),
        )
        for row in cast("QuerySolutions", store.query(_SEEDS, use_default_graph_as_union=True))
    }
    by_file: dict[str, list[tuple[str, Anchor]]] = {graph: [] for graph in files}
    for row in cast("QuerySolutions", store.query(_ANCHORS)):
        node = row["anchor"]
        iri = node.value if isinstance(node, NamedNode) else None
        owner = _text(row["owner"])
        name = compact(owner) if owner else (compact(iri) if iri else "an anchor")
        position = (_offset(row["start"]), _offset(row["end"])) if row["position"] is not None else None
        source = row["source"].value if isinstance(row["source"], NamedNode) else None
        anchor = Anchor(iri, source, _text(row["exact"]), _text(row["prefix"]), _text(row["suffix"]), position)
        by_file.setdefault(row["file"].value, []).append((name, anchor))
    problems = []
    described: dict[str, Path] = {}
    for graph, path in files.items():
        for name, anchor in sorted(by_file[graph], key=lambda item: (item[1].iri or "", item[0], item[1].exact or "")):
            location = locate_anchor(anchor, texts)
            found = [location] if isinstance(location, str) else recorded_problems(anchor, location)
            problems += [AnchorProblem(path, name, problem) for problem in found]
            if anchor.iri is not None and (first := described.setdefault(anchor.iri, path)) != path:
                problems.append(AnchorProblem(path, name, also_described(anchor.iri, first)))
    return problems
