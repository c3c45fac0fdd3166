"""One canonical Turtle serialization for the project's files, and ``adkg fmt`` on top of it.

The form: the project's prefixes (only those used), sorted; the ``owl:Ontology`` header and
concept schemes first, then one block per subject sorted by IRI, then blank nodes that cannot be
written inline; in each block ``a`` first, then ``rdfs:label``, ``skos:prefLabel`` and
``skos:definition``, then the other predicates sorted by IRI; one object per line;
blank-node labels derived from the graph's content (rdflib's RGDA1 canonicalization), so the text
depends only on the graph, never on the order of the input, the run, or ``PYTHONHASHSEED``.

Comments in a source file are not part of its graph and do not survive formatting: documentation
belongs in ``rdfs:comment``, ``skos:definition`` or ``skos:editorialNote``.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer
from rdflib.term import IdentifiedNode, Node

from adkg.errors import CommentDropError, LosslessFormatError, SourceSyntaxError
from adkg.namespaces import PREFIXES, new_graph
from adkg.turtle_files import parse_turtle
from adkg.vocab import parse_text_fragment


class _CanonicalSerializer(LongTurtleSerializer):
    """rdflib's long-form Turtle with subjects in IRI order rather than by reference count.

    Text fragment IRIs (quote anchors, ``<doc#char=start,end>``) come after the other named
    subjects, in the order of their words in the text, so a file's quotes read like its source.
    """

    # rdflib's RecursiveSerializer declares these as plain (not ClassVar) class attributes.
    topClasses = [OWL.Ontology, SKOS.ConceptScheme]  # noqa: RUF012
    predicateOrder = [RDF.type, RDFS.label, SKOS.prefLabel, SKOS.definition]  # noqa: RUF012

    def get_pname(self, uri: Node, gen_prefix: bool = True) -> str | None:
        # Never invent prefixes (ns1, ns2, ...): an IRI no declared prefix covers is written whole.
        # rdflib's LongTurtleSerializer is unannotated, so the call is untyped.
        pname: str | None = super().get_pname(uri, gen_prefix=False)  # type: ignore[no-untyped-call]
        return pname

    def sortProperties(self, properties: Mapping[Node, list[Node]]) -> list[Node]:  # rdflib's method name
        # Objects in an order that depends on content only: blank nodes by what they hold,
        # so that inline blank nodes need no canonical labels.
        for objects in properties.values():
            objects.sort(key=self._content_key)
        first: list[Node] = [predicate for predicate in self.predicateOrder if predicate in properties]
        # A predicate is always an IRI.
        rest = sorted(cast(URIRef, predicate) for predicate in properties if predicate not in first)
        return first + rest

    def _content_key(self, node: Node) -> tuple[int, Node | str]:
        if not isinstance(node, BNode):
            return (0, node)
        return (1, _blank_node_signature(self.store, node, frozenset()))

    def orderSubjects(self) -> list[Node]:  # rdflib's method name
        headers: list[Node] = []
        for cls in self.topClasses:
            # A subject is always an IRI or a blank node.
            members = sorted(
                cast(IdentifiedNode, s) for s in self.store.subjects(RDF.type, cls) if s not in headers
            )
            headers.extend(members)
        for header in headers:
            self._topLevels[header] = True
        rest = sorted((s for s in self._subjects if s not in headers), key=_subject_key)
        return headers + rest


def _subject_key(subject: Node) -> tuple[int, str, int, int]:
    """Order named subjects by IRI, then text fragments by document and position, then blank nodes."""
    if isinstance(subject, BNode):
        return (2, str(subject), 0, 0)
    fragment = parse_text_fragment(str(subject))
    if fragment is not None:
        return (1, *fragment)
    return (0, str(subject), 0, 0)


def _blank_node_signature(graph: Graph, node: BNode, seen: frozenset[BNode]) -> str:
    """Describe a blank node by its triples, nested blank nodes included, never by its label."""
    if node in seen:
        return "(cycle)"
    parts = sorted(
        f"{predicate.n3()} "
        + (
            f"[{_blank_node_signature(graph, value, seen | {node})}]"
            if isinstance(value, BNode)
            else value.n3()
        )
        for predicate, value in graph.predicate_objects(node)
    )
    return " ; ".join(parts)


def _blank_nodes_form_trees(graph: Graph) -> bool:
    """Whether every blank node is the object of exactly one triple and lies on no cycle.

    Such blank nodes are all written inline (``[ ... ]``) and need no labels at all.
    """
    blank_nodes = {n for triple in graph for n in triple if isinstance(n, BNode)}
    for node in blank_nodes:
        if len(list(graph.subject_predicates(node))) != 1:
            return False
    for node in blank_nodes:  # follow each chain of single parents up to a named node
        seen = {node}
        parent = next(graph.subjects(None, node))
        while isinstance(parent, BNode):
            if parent in seen:
                return False
            seen.add(parent)
            parent = next(graph.subjects(None, parent))
    return True


def canonical_turtle(graph: Graph) -> str:
    """Return the canonical Turtle text of ``graph``.

    >>> g = new_graph().parse(format="turtle", data='''
    ...   @prefix ex: <http://example.org/> .
    ...   ex:b ex:p ex:c, ex:a ; a ex:K .
    ...   ex:a ex:p [ ex:q "x"@en ] .''')
    >>> print(canonical_turtle(g), end="")
    PREFIX ex: <http://example.org/>
    <BLANKLINE>
    ex:a
        ex:p
            [
                ex:q "x"@en ;
            ] ;
    .
    <BLANKLINE>
    ex:b
        a ex:K ;
        ex:p
            ex:a ,
            ex:c ;
    .
    """
    target = new_graph()
    taken = {str(namespace) for namespace in PREFIXES.values()}
    for prefix, namespace in sorted(graph.namespaces()):
        if prefix and prefix not in PREFIXES and str(namespace) not in taken:
            target.bind(prefix, namespace)
            taken.add(str(namespace))
    for triple in graph:
        target.add(triple)
    stream = io.BytesIO()
    # Blank nodes that all nest inline are ordered by content; others get RGDA1 labels (slow).
    canon = not _blank_nodes_form_trees(target)
    # rdflib's LongTurtleSerializer.__init__ is unannotated, so constructing one is an untyped call.
    serializer = _CanonicalSerializer(target)  # type: ignore[no-untyped-call]
    serializer.serialize(stream, encoding="utf-8", canon=canon)
    return stream.getvalue().decode("utf-8").rstrip("\n") + "\n"


@dataclass(frozen=True, slots=True)
class FormatResult:
    """What formatting one file found: its path and whether its text was already canonical."""

    path: Path
    canonical: bool


def _graph_changes(before: str, after: str) -> tuple[set[str], set[str]]:
    """Return the triples (as N-Triples) that ``after`` drops from ``before`` and that it adds.

    Compared with Oxigraph, which keeps every literal's lexical form as written, after
    canonicalizing blank nodes.

    >>> _graph_changes("<urn:a> <urn:b> 1.0e3 .", "<urn:a> <urn:b> 1e+03 .")[0]
    {'<urn:a> <urn:b> "1.0e3"^^<http://www.w3.org/2001/XMLSchema#double>'}
    >>> _graph_changes("<urn:a> <urn:b> [ <urn:c> 1 ] .", "<urn:a> <urn:b> _:x . _:x <urn:c> 1 .")
    (set(), set())

    Raises:
        SyntaxError: Oxigraph rejects one of the texts.
    """
    datasets = []
    for text in (before, after):
        dataset = pyoxigraph.Dataset(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE))
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
        datasets.append({str(quad.triple) for quad in dataset})
    return datasets[0] - datasets[1], datasets[1] - datasets[0]


def check_lossless(path: Path, graph: Graph) -> str:
    """Check that the canonical text of ``graph``, just parsed from ``path``, keeps the file's graph.

    rdflib's Turtle parser rewrites some literals (``1.0e3`` becomes ``1e+03``, a different RDF
    term); writing such a graph back would change the file's data. This compares the file and the
    canonical text term for term.

    Returns:
        the canonical text.

    Raises:
        LosslessFormatError: the canonical text would drop, change or add a triple.
        SourceSyntaxError: Oxigraph rejects the file although rdflib parsed it.
    """
    text = canonical_turtle(graph)
    original = path.read_bytes().decode("utf-8")
    if original == text:
        return text
    try:
        dropped, added = _graph_changes(original, text)
    except SyntaxError as error:  # Oxigraph rejects what rdflib accepted
        raise SourceSyntaxError(path, error.lineno, error.msg) from error
    if dropped or added:
        change = f"drops {min(dropped)}" if dropped else f"adds {min(added)}"
        raise LosslessFormatError(path, change.removesuffix(" ."))
    return text


def first_comment(text: str) -> tuple[int, str] | None:
    r"""Return the line and words of the first comment of the Turtle ``text``, if it has one.

    A ``#`` starts a comment only outside IRIs and string literals (short or long, with escapes).

    >>> first_comment("<urn:a#b> <urn:p> '#1' , '''a\n#2''' .\n<urn:a> <urn:p> 3 . # why three")
    (3, '# why three')
    >>> first_comment("<urn:a> <urn:p> '\\'#' .") is None
    True
    """
    position, length = 0, len(text)
    while position < length:
        character = text[position]
        if character == "#":
            end = text.find("\n", position)
            return text.count("\n", 0, position) + 1, text[position : end if end >= 0 else length].rstrip()
        if character == "<":
            closing = text.find(">", position)
            position = closing + 1 if closing >= 0 else length
        elif character in "\"'":
            delimiter = character * 3 if text.startswith(character * 3, position) else character
            position += len(delimiter)
            while position < length and not text.startswith(delimiter, position):
                position += 2 if text[position] == "\\" else 1
            position += len(delimiter)
        else:
            position += 1
    return None


def refuse_dropping_comments(path: Path, original: str) -> None:
    """Raise if ``original``, the text of ``path`` about to be rewritten, holds a comment.

    Raises:
        CommentDropError: naming the first comment's line and words.
    """
    comment = first_comment(original)
    if comment is not None:
        raise CommentDropError(path, *comment)


def write_text(path: Path, text: str) -> bool:
    """Replace the file at ``path`` with ``text`` through a temporary file and a rename.

    Returns:
        whether the file changed (it is left alone when it already holds ``text``, byte for byte).
    """
    if path.read_bytes() == text.encode("utf-8"):
        return False
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(text.encode("utf-8"))
    os.replace(temporary, path)
    return True


def format_file(path: Path, *, check: bool) -> FormatResult:
    """Bring the Turtle file at ``path`` into canonical form, or with ``check`` only compare.

    The comparison is byte for byte: a file with CRLF line ends is not canonical.

    Returns:
        whether the file was already canonical; without ``check`` it has been rewritten if not.

    Raises:
        SourceSyntaxError: the file does not parse (with rdflib, or with Oxigraph).
        LosslessFormatError: the canonical text would not keep the file's graph term for term.
        CommentDropError: the file is not canonical and holds a comment, which rewriting would
            drop (with ``check`` too: the file cannot be made canonical as it is).
    """
    text = check_lossless(path, parse_turtle(path))
    original = path.read_bytes().decode("utf-8")
    if original == text:
        return FormatResult(path, canonical=True)
    refuse_dropping_comments(path, original)
    if check:
        return FormatResult(path, canonical=False)
    return FormatResult(path, canonical=not write_text(path, text))
