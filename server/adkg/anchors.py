"""Quote anchors: locate each ``oa:TextQuoteSelector`` in its seed text, check its offsets, name it.

An anchor is an ``oa:SpecificResource`` whose ``oa:hasSource`` is a source node and whose
``oa:hasSelector`` includes a ``oa:TextQuoteSelector`` with ``oa:exact`` (and, to tell repeats
apart, ``oa:prefix`` / ``oa:suffix``). ``adkg anchor`` finds the one place the quote occurs, fills
in a prefix and suffix of up to ``CONTEXT`` code points where they are missing, writes an
``oa:TextPositionSelector`` with ``oa:start`` / ``oa:end`` in Unicode code points from 0, so that
``text[start:end] == exact``, and names the anchor by its words: the source's IRI with RFC 5147's
text/plain fragment, ``<source#char=start,end>`` (a contributor may write a new anchor as a blank
node). Two anchors of the same words become one node, described in one file only; the others
refer to it. Offsets are written as ``xsd:integer`` (what Oxigraph stores for any integer type,
``xsd:nonNegativeInteger`` included); the shapes check that they are not negative.
``adkg anchor --check`` changes nothing and reports every anchor whose quote is absent, ambiguous,
whose prefix, suffix, offsets or name are missing or wrong, or that two files describe.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import IdentifiedNode, Node

from adkg.anchor_check import (
    Anchor,
    AnchorProblem,
    Location,
    also_described,
    locate_anchor,
    recorded_problems,
)
from adkg.canonical_turtle import canonical_turtle, check_lossless, refuse_dropping_comments, write_text
from adkg.namespaces import OA, PROV, RDF, compact
from adkg.seed_texts import seed_texts
from adkg.turtle_files import parse_turtle, turtle_files


@dataclass(frozen=True, slots=True)
class AnchorRun:
    """What anchoring a set of files found and did: the problems, and the files it rewrote."""

    problems: list[AnchorProblem]
    rewritten: list[Path]


def selector_of(graph: Graph, anchor: Node, selector_class: URIRef) -> Node | None:
    """Return the anchor's selector of ``selector_class`` (a quote or a position selector), if any."""
    for selector in graph.objects(anchor, OA.hasSelector):
        if (selector, RDF.type, selector_class) in graph:
            return selector
    return None


def _python_value(node: Node | None) -> object:
    """Return ``node``'s Python value, or ``None`` for no node."""
    # An object in a parsed graph is a literal, an IRI or a blank node.
    return None if node is None else cast("Literal | IdentifiedNode", node).toPython()


def _anchor_name(graph: Graph, anchor: Node) -> str:
    """Name an anchor by the node that derives from or targets it, else by itself."""
    # A subject is always an IRI or a blank node.
    owners = sorted(
        cast(
            "set[IdentifiedNode]",
            {*graph.subjects(PROV.wasDerivedFrom, anchor), *graph.subjects(OA.hasTarget, anchor)},
        )
    )
    if owners:
        return compact(owners[0])
    return compact(anchor) if isinstance(anchor, URIRef) else "an anchor"


def _anchors(graph: Graph) -> Iterator[Node]:
    yield from sorted(set(graph.subjects(OA.hasSelector, None)), key=str)


def _recorded(graph: Graph, anchor: Node) -> Anchor:
    """What ``graph`` records of ``anchor``."""
    source = graph.value(anchor, OA.hasSource)
    quote = selector_of(graph, anchor, OA.TextQuoteSelector)
    position = selector_of(graph, anchor, OA.TextPositionSelector)

    def words(predicate: URIRef) -> str | None:
        value = None if quote is None else graph.value(quote, predicate)
        return None if value is None else str(value)

    return Anchor(
        iri=str(anchor) if isinstance(anchor, URIRef) else None,
        source=str(source) if isinstance(source, URIRef) else None,
        exact=words(OA.exact),
        prefix=words(OA.prefix),
        suffix=words(OA.suffix),
        position=None if position is None else (
            _python_value(graph.value(position, OA.start)), _python_value(graph.value(position, OA.end))
        ),
    )


def _remove_description(graph: Graph, node: Node) -> None:
    """Remove every triple about ``node`` and, recursively, about the blank nodes it holds."""
    for predicate, value in list(graph.predicate_objects(node)):
        graph.remove((node, predicate, value))
        if isinstance(value, BNode):
            _remove_description(graph, value)


def _is_described(graph: Graph, anchor: Node) -> bool:
    return (anchor, OA.hasSelector, None) in graph


def _rename(graph: Graph, anchor: Node, iri: URIRef) -> None:
    """Give ``anchor`` the IRI of its words; if an anchor of the same words is already described
    there, that one keeps its selectors and ``anchor``'s are dropped. References follow."""
    if _is_described(graph, iri):
        _remove_description(graph, anchor)
    else:
        for predicate, value in list(graph.predicate_objects(anchor)):
            graph.remove((anchor, predicate, value))
            graph.add((iri, predicate, value))
    for subject, predicate in list(graph.subject_predicates(anchor)):
        graph.remove((subject, predicate, anchor))
        graph.add((subject, predicate, iri))


def _record(graph: Graph, anchor: Node, location: Location) -> None:
    """Write the location into the anchor: missing prefix and suffix, and the offsets."""
    quote = selector_of(graph, anchor, OA.TextQuoteSelector)
    assert quote is not None, "only an anchor that could be located, so has a quote, is recorded"
    if graph.value(quote, OA.prefix) is None:
        graph.add((quote, OA.prefix, Literal(location.prefix)))
    if graph.value(quote, OA.suffix) is None:
        graph.add((quote, OA.suffix, Literal(location.suffix)))
    position = selector_of(graph, anchor, OA.TextPositionSelector)
    if position is None:
        position = BNode()
        graph.add((anchor, OA.hasSelector, position))
        graph.add((position, RDF.type, OA.TextPositionSelector))
    for predicate, value in ((OA.start, location.start), (OA.end, location.end)):
        graph.set((position, predicate, Literal(value)))
    if anchor != URIRef(location.iri):
        _rename(graph, anchor, URIRef(location.iri))


def anchor_graph(
    graph: Graph,
    path: Path,
    texts: dict[str, str],
    *,
    check: bool,
    described: MutableMapping[str, Path] | None = None,
) -> tuple[list[AnchorProblem], bool]:
    """Locate every anchor in ``graph`` (parsed from ``path``); unless ``check``, record locations
    and names.

    ``described`` maps the anchors other files describe to the first file that does; an anchor
    described there too is, unless ``check``, reduced here to references, and ``described``
    gains this file's anchors.

    Returns:
        the anchors that cannot be located and, with ``check``, those whose recorded prefix,
        suffix, offsets or name are missing or wrong or that another file describes; and whether
        ``graph`` was changed.
    """
    problems = []
    changed = False
    for anchor in _anchors(graph):
        name = _anchor_name(graph, anchor)
        record = _recorded(graph, anchor)
        location = locate_anchor(record, texts)
        if isinstance(location, str):
            problems.append(AnchorProblem(path, name, location))
            continue
        recorded = recorded_problems(record, location)
        if recorded and check:
            problems.extend(AnchorProblem(path, name, problem) for problem in recorded)
        elif recorded:
            _record(graph, anchor, location)
            changed = True
    if described is not None:
        for anchor in _anchors(graph):
            if not isinstance(anchor, URIRef):
                continue
            first = described.setdefault(str(anchor), path)
            if first == path:
                continue
            if check:
                problems.append(AnchorProblem(path, _anchor_name(graph, anchor), also_described(str(anchor), first)))
            else:
                _remove_description(graph, anchor)
                changed = True
    return problems, changed


def _anchor_parsed(
    path: Path,
    graph: Graph,
    texts: dict[str, str],
    *,
    check: bool,
    described: MutableMapping[str, Path] | None = None,
) -> tuple[list[AnchorProblem], bool]:
    """Run :func:`anchor_graph` on ``graph``, parsed from ``path``; return its problems and whether
    the graph changed (never with ``check``), checking first that rewriting the file loses no term."""
    if check:
        return anchor_graph(graph, path, texts, check=True, described=described)[0], False
    check_lossless(path, graph)
    return anchor_graph(graph, path, texts, check=False, described=described)


def _write_changed(changed: dict[Path, Graph]) -> list[Path]:
    """Write each changed graph back to its file, canonical; if any of the files holds a comment,
    which rewriting would drop, refuse before writing any.

    Returns:
        the files rewritten (a graph that changed but serializes as its file already reads is not).

    Raises:
        CommentDropError: naming the first such file, line and comment.
    """
    for path in changed:
        refuse_dropping_comments(path, path.read_bytes().decode("utf-8"))
    return [path for path, graph in changed.items() if write_text(path, canonical_turtle(graph))]


def anchor_file(path: Path, texts: dict[str, str], *, check: bool) -> list[AnchorProblem]:
    """Run :func:`anchor_graph` on the Turtle file at ``path``, rewriting it if it changed.

    The file is rewritten in canonical form only when an anchor that could be located needed an
    update (never with ``check``), and only if that keeps every triple it had, term for term.

    Raises:
        SourceSyntaxError: the file does not parse.
        LosslessFormatError: rewriting would change a triple of the file (a literal rdflib
            rewrites, such as ``1.0e3``).
        CommentDropError: the file must be rewritten but holds a comment, which would be lost.
    """
    graph = parse_turtle(path)
    problems, changed = _anchor_parsed(path, graph, texts, check=check)
    if changed:
        _write_changed({path: graph})
    return problems


def anchor_graphs(
    graphs: dict[Path, Graph], seeds_folder: Path, *, check: bool
) -> list[AnchorProblem]:
    """Run :func:`anchor_file`'s work on already parsed graph files; seed texts come from all of
    them, so an anchor may quote a source described in another file. An anchor is described in
    the first file (in the given order) that describes it; the others refer to it.

    Raises:
        LayoutError: a seed file named in the metadata cannot be read.
        SeedChangedError: a seed file is not the text its metadata records.
        LosslessFormatError: rewriting a file would change one of its triples.
        CommentDropError: a file must be rewritten but holds a comment; no file is written then.
    """
    return _anchor_all(graphs, seeds_folder, check=check).problems


def _anchor_all(graphs: dict[Path, Graph], seeds_folder: Path, *, check: bool) -> AnchorRun:
    """Do :func:`anchor_graphs`' work; return its problems and the files it rewrote."""
    texts = seed_texts(ReadOnlyGraphAggregate(list(graphs.values())), seeds_folder) if graphs else {}
    described: dict[str, Path] = {}
    problems, changed = [], {}
    for path, graph in graphs.items():
        found, graph_changed = _anchor_parsed(path, graph, texts, check=check, described=described)
        problems += found
        if graph_changed:
            changed[path] = graph
    return AnchorRun(problems, _write_changed(changed))


def anchor_graph_folder(graph_folder: Path, seeds_folder: Path, *, check: bool) -> AnchorRun:
    """Run :func:`anchor_graphs` over every Turtle file under ``graph_folder``, each parsed once.

    Returns:
        the problems found and the files rewritten (none with ``check``).

    Raises:
        SourceSyntaxError: a file does not parse.
        LayoutError: a seed file named in the metadata cannot be read.
        SeedChangedError: a seed file is not the text its metadata records.
        LosslessFormatError: rewriting a file would change one of its triples.
        CommentDropError: a file must be rewritten but holds a comment; no file is written then.
    """
    graphs = {path: parse_turtle(path) for path in turtle_files([graph_folder])}
    return _anchor_all(graphs, seeds_folder, check=check)
