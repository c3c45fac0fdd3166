"""SHACL shapes read from a shapes graph into typed records, for :mod:`adkg.shacl_sparql` (no rdflib).

Only what adkg's shapes use is read; a shape that uses anything else in the ``sh:`` namespace (a
constraint component, a path form, a target kind) is refused with :class:`UnsupportedShapeError`
naming the shape and the term, so that ``adkg validate --engine pyshacl`` is the way to check it.

>>> shapes = read_shapes(pyoxigraph.parse(b'''
...   @prefix sh: <http://www.w3.org/ns/shacl#> .
...   <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property <urn:P> .
...   <urn:P> sh:path <urn:p> ; sh:minCount 1 ; sh:message "needs a p"@en .''',
...   format=pyoxigraph.RdfFormat.TURTLE))
>>> [(str(s.node), [str(p.node) for p in s.properties]) for s in shapes]
[('<urn:S>', ['<urn:P>'])]
>>> shapes[0].properties[0].counts, shapes[0].properties[0].messages
((Count(component='MinCount', limit=1),), ('needs a p',))

What it does not compile it refuses, naming the shape:

>>> read_shapes(pyoxigraph.parse(b'''
...   @prefix sh: <http://www.w3.org/ns/shacl#> .
...   <urn:S> sh:targetNode <urn:n> ; sh:node <urn:S> .''', format=pyoxigraph.RdfFormat.TURTLE))
Traceback (most recent call last):
...
adkg.errors.ShapeError: <urn:S>: uses a shape that refers to itself (a recursive shape), which ...
>>> read_shapes(pyoxigraph.parse(b'''
...   @prefix sh: <http://www.w3.org/ns/shacl#> .
...   <urn:S> sh:targetNode <urn:n> ; sh:equals <urn:p> .''', format=pyoxigraph.RdfFormat.TURTLE))
Traceback (most recent call last):
...
adkg.errors.ShapeError: <urn:S>: uses sh:equals, which adkg's SPARQL engine does not compile: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, cast

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Store

from adkg.errors import ShapeError
from adkg.sparql_scan import scan_sparql
from adkg.vocab import PREFIXES

SH: Final = PREFIXES["sh"]
RDF: Final = PREFIXES["rdf"]

Node = NamedNode | BlankNode
Term = NamedNode | BlankNode | Literal


def _unsupported(shape: str, term: str) -> ShapeError:
    """The error of a shape that uses ``term``, a part of SHACL this engine does not compile."""
    return ShapeError(
        shape, f"uses {term}, which adkg's SPARQL engine does not compile: validate with --engine pyshacl"
    )


class Severity(StrEnum):
    """SHACL's severities (the local names of ``sh:Violation``, ``sh:Warning`` and ``sh:Info``)."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"


class Logic(StrEnum):
    """The shape-based constraint components: a value must conform to the shape (``node``), to
    none of them (``not``), to at least one (``or``), or to exactly one (``xone``)."""

    NODE = "Node"
    NOT = "Not"
    OR = "Or"
    XONE = "Xone"


@dataclass(frozen=True, slots=True)
class ValueTest:
    """A test of each value node on its own: a SPARQL expression over ``?value`` that is true
    when the value fails (``sh:class`` is compiled later, once the data's subclasses are known)."""

    component: str
    failing: str
    cls: NamedNode | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """``sh:minCount`` or ``sh:maxCount``."""

    component: str
    limit: int


@dataclass(frozen=True, slots=True)
class HasValue:
    """``sh:hasValue`` on a property shape."""

    value: Term


@dataclass(frozen=True, slots=True)
class Pair:
    """``sh:lessThan``, ``sh:lessThanOrEquals`` or ``sh:disjoint``: the values compared with
    those of another property of the focus node."""

    component: str
    other: NamedNode


@dataclass(frozen=True, slots=True)
class ShapeTest:
    """``sh:node``, ``sh:not``, ``sh:or`` or ``sh:xone``: each value against other shapes."""

    logic: Logic
    shapes: tuple[Shape, ...]

    @property
    def component(self) -> str:
        """The constraint component's IRI."""
        return f"{SH}{self.logic.value}ConstraintComponent"


@dataclass(frozen=True, slots=True)
class Qualified:
    """``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` and/or ``sh:qualifiedMaxCount``."""

    shape: Shape
    minimum: int | None
    maximum: int | None


@dataclass(frozen=True, slots=True)
class SparqlConstraint:
    """An ``sh:SPARQLConstraint`` with its ``sh:select`` query, prefixes and messages."""

    node: Node
    select: str
    prefixes: str
    messages: tuple[str, ...]
    deactivated: bool = False


@dataclass(frozen=True, slots=True)
class Shape:
    """A node shape (``path`` None) or a property shape, with its targets and constraints."""

    node: Node
    path: NamedNode | None
    severity: Severity
    messages: tuple[str, ...]
    targets: tuple[str, ...] = ()  # SPARQL patterns binding ?this
    target_classes: tuple[NamedNode, ...] = ()
    values: tuple[ValueTest, ...] = ()
    counts: tuple[Count, ...] = ()
    has_values: tuple[HasValue, ...] = ()
    pairs: tuple[Pair, ...] = ()
    logic: tuple[ShapeTest, ...] = ()
    qualified: tuple[Qualified, ...] = ()
    sparql: tuple[SparqlConstraint, ...] = ()
    properties: tuple[Shape, ...] = field(default=())
    deactivated: bool = False

    @property
    def is_targeted(self) -> bool:
        """Whether the shape has focus nodes of its own (a target), not only through others."""
        return bool(self.targets or self.target_classes)


#: What a shape may state that does not constrain its values.
_DESCRIPTIVE: Final = frozenset(
    SH + name for name in ("name", "description", "message", "severity", "deactivated", "order", "group")
)
#: Classes whose instances a shape of that type would target implicitly (SHACL 2.1.3.1).
_CLASSES: Final = frozenset({f"<{PREFIXES['rdfs']}Class>", f"<{PREFIXES['owl']}Class>"})
_TARGETS: Final = frozenset(SH + name for name in ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode"))


def _literal_string(term: Term) -> str:
    return term.value


def _integer(shape: Node, term: Term) -> int:
    if not isinstance(term, Literal) or term.datatype != NamedNode(PREFIXES["xsd"] + "integer"):
        raise _unsupported(str(shape), f"the count {term}, not an xsd:integer")
    return int(term.value)


def _sparql_term(term: Term) -> str:
    """Write ``term`` in SPARQL (N-Triples syntax, which SPARQL reads)."""
    return str(term)


class _Reader:
    """Reads shapes from the shapes graph, each node once."""

    def __init__(self, graph: Store) -> None:
        self.graph = graph
        self.read: dict[Node, Shape] = {}
        self.reading: set[Node] = set()

    def objects(self, subject: Node, predicate: str) -> list[Term]:
        return sorted(
            (cast("Term", quad.object) for quad in self.graph.quads_for_pattern(subject, NamedNode(predicate), None)),
            key=str,
        )

    def one(self, subject: Node, predicate: str) -> Term | None:
        found = self.objects(subject, predicate)
        if len(found) > 1:
            raise _unsupported(str(subject), f"{len(found)} values of <{predicate}>")
        return found[0] if found else None

    def items(self, head: Term) -> list[Term]:
        """The members of the RDF list ``head``."""
        members = []
        nil = NamedNode(RDF + "nil")
        while head != nil:
            if isinstance(head, Literal):
                raise _unsupported(str(head), "a literal where an RDF list was expected")
            first = self.one(head, RDF + "first")
            rest = self.one(head, RDF + "rest")
            if first is None or rest is None:
                raise _unsupported(str(head), "a malformed RDF list")
            members.append(first)
            head = rest
        return members

    def shape(self, node: Term) -> Shape:
        if isinstance(node, Literal):
            raise _unsupported(str(node), "a literal where a shape was expected")
        if node in self.reading:
            raise _unsupported(str(node), "a shape that refers to itself (a recursive shape)")
        if node not in self.read:
            self.reading.add(node)
            self.read[node] = self._shape(node)
            self.reading.discard(node)
        return self.read[node]

    def _shape(self, node: Node) -> Shape:
        predicates = {quad.predicate.value for quad in self.graph.quads_for_pattern(node, None, None)}
        handled = set(_DESCRIPTIVE) | _TARGETS | {SH + "path", SH + "property", SH + "sparql", SH + "flags"}
        if SH + "qualifiedValueShape" in predicates:
            handled |= {SH + "qualifiedMinCount", SH + "qualifiedMaxCount"}
        if self.objects(node, RDF + "type") and {str(t) for t in self.objects(node, RDF + "type")} & _CLASSES:
            raise _unsupported(str(node), "a shape that is also a class (an implicit class target)")
        path = self.one(node, SH + "path")
        if path is not None and not isinstance(path, NamedNode):
            raise _unsupported(str(node), f"the path {path}, not an IRI")
        severity = self.one(node, SH + "severity")
        fields: dict[str, object] = {
            "node": node,
            "path": path,
            "severity": Severity(severity.value.removeprefix(SH)) if severity is not None else Severity.VIOLATION,
            "messages": tuple(_literal_string(m) for m in self.objects(node, SH + "message")),
        }
        targets, classes = [], []
        for target in self.objects(node, SH + "targetClass"):
            classes.append(cast("NamedNode", target))
        for target in self.objects(node, SH + "targetSubjectsOf"):
            targets.append(f"?this {_sparql_term(target)} ?_object .")
        for target in self.objects(node, SH + "targetObjectsOf"):
            targets.append(f"?_subject {_sparql_term(target)} ?this .")
        for target in self.objects(node, SH + "targetNode"):
            targets.append(f"BIND({_sparql_term(target)} AS ?this)")
        fields["targets"], fields["target_classes"] = tuple(targets), tuple(classes)
        values, counts, has_values, pairs, logic, qualified = [], [], [], [], [], []
        for predicate in sorted(predicates):
            if predicate in handled or not predicate.startswith(SH):
                continue
            name = predicate.removeprefix(SH)
            handled.add(predicate)
            parameters = self.objects(node, predicate)
            if len(parameters) > 1 and name in _VALUE_TESTS:  # each must hold: a test of its own
                values += [_VALUE_TESTS[name](self, node, parameter) for parameter in parameters]
                continue
            if len(parameters) > 1:
                raise _unsupported(str(node), f"{len(parameters)} values of sh:{name}")
            [parameter] = parameters
            if name in _VALUE_TESTS:
                values.append(_VALUE_TESTS[name](self, node, parameter))
            elif name in ("minCount", "maxCount") and path is not None:
                counts.append(Count(name[0].upper() + name[1:], _integer(node, parameter)))
            elif name == "hasValue" and path is not None:
                has_values.append(HasValue(parameter))
            elif name in ("lessThan", "lessThanOrEquals", "disjoint") and path is not None:
                pairs.append(Pair(name[0].upper() + name[1:], cast("NamedNode", parameter)))
            elif name == "node":
                logic.append(ShapeTest(Logic.NODE, (self.shape(parameter),)))
            elif name == "not":
                logic.append(ShapeTest(Logic.NOT, (self.shape(parameter),)))
            elif name in ("or", "xone"):
                members = tuple(self.shape(member) for member in self.items(parameter))
                logic.append(ShapeTest(Logic(name[0].upper() + name[1:]), members))
            elif name == "qualifiedValueShape" and path is not None:
                qualified.append(self._qualified(node, parameter))
            else:
                raise _unsupported(str(node), f"sh:{name}")
        fields |= {
            "values": tuple(values), "counts": tuple(counts), "has_values": tuple(has_values),
            "pairs": tuple(pairs), "logic": tuple(logic), "qualified": tuple(qualified),
            "sparql": tuple(self._sparql(node, constraint) for constraint in self.objects(node, SH + "sparql")),
            "properties": tuple(self.shape(p) for p in self.objects(node, SH + "property")),
            "deactivated": _is_true(self.one(node, SH + "deactivated")),
        }
        return Shape(**fields)  # type: ignore[arg-type]

    def _qualified(self, node: Node, parameter: Term) -> Qualified:
        minimum, maximum = self.one(node, SH + "qualifiedMinCount"), self.one(node, SH + "qualifiedMaxCount")
        if self.one(node, SH + "qualifiedValueShapesDisjoint") is not None:
            raise _unsupported(str(node), "sh:qualifiedValueShapesDisjoint")
        return Qualified(
            self.shape(parameter),
            None if minimum is None else _integer(node, minimum),
            None if maximum is None else _integer(node, maximum),
        )

    def _sparql(self, shape: Node, constraint: Term) -> SparqlConstraint:
        if isinstance(constraint, Literal):
            raise _unsupported(str(shape), "a literal sh:sparql")
        select = self.one(constraint, SH + "select")
        if select is None:
            raise _unsupported(str(constraint), "an sh:SPARQLConstraint without sh:select")
        # a solution modifier or these variables would not mean the same with all focus nodes joined
        scan = scan_sparql(select.value)
        for keyword in sorted(scan.keywords & {"LIMIT", "OFFSET"}) + [
            name for name in ("$currentShape", "$shapesGraph") if name in select.value
        ]:
            raise _unsupported(str(constraint), f"{keyword} in its sh:select")
        if self.one(shape, SH + "path") is not None:
            raise _unsupported(str(shape), "sh:sparql on a property shape")
        declarations = []
        for prefixes in self.objects(constraint, SH + "prefixes"):
            for declaration in self.objects(cast("Node", prefixes), SH + "declare"):
                prefix = self.one(cast("Node", declaration), SH + "prefix")
                namespace = self.one(cast("Node", declaration), SH + "namespace")
                if prefix is not None and namespace is not None:
                    declarations.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return SparqlConstraint(
            deactivated=_is_true(self.one(constraint, SH + "deactivated")),
            node=constraint,
            select=select.value,
            prefixes="\n".join(sorted(set(declarations))),
            messages=tuple(_literal_string(m) for m in self.objects(constraint, SH + "message")),
        )


#: xsd datatypes whose lexical forms pySHACL checks (through rdflib's ``ill_typed`` and its own
#: value types): a literal of these whose form is not a value of the type fails ``sh:datatype``;
#: others are checked for the datatype's IRI alone, as pySHACL does.
_CHECKED_FORMS: Final = frozenset(
    PREFIXES["xsd"] + name for name in ("integer", "decimal", "float", "double", "boolean", "date", "time", "dateTime")
)


def _datatype(_: _Reader, shape: Node, parameter: Term) -> ValueTest:
    datatype = _sparql_term(parameter)
    test = f"isLiteral(?value) && sameTerm(DATATYPE(?value), {datatype})"
    if parameter.value in _CHECKED_FORMS:
        test += f" && COALESCE(isLiteral({datatype}(?value)), false)"
    return ValueTest("Datatype", f"!({test})")


def _class(_: _Reader, shape: Node, parameter: Term) -> ValueTest:
    if not isinstance(parameter, NamedNode):
        raise _unsupported(str(shape), f"sh:class {parameter}, not an IRI")
    return ValueTest("Class", "", cls=parameter)


_NODE_KINDS: Final = {
    "IRI": "isIRI(?value)",
    "BlankNode": "isBlank(?value)",
    "Literal": "isLiteral(?value)",
    "BlankNodeOrIRI": "!isLiteral(?value)",
    "BlankNodeOrLiteral": "!isIRI(?value)",
    "IRIOrLiteral": "!isBlank(?value)",
}


def _node_kind(_: _Reader, shape: Node, parameter: Term) -> ValueTest:
    kind = parameter.value.removeprefix(SH)
    if kind not in _NODE_KINDS:
        raise _unsupported(str(shape), f"sh:nodeKind {parameter}")
    return ValueTest("NodeKind", f"!{_NODE_KINDS[kind]}")


def _pattern(reader: _Reader, shape: Node, parameter: Term) -> ValueTest:
    flags = reader.one(shape, SH + "flags")
    arguments = _sparql_term(Literal(parameter.value)) + (
        f", {_sparql_term(Literal(flags.value))}" if flags is not None else ""
    )
    # a pattern Oxigraph cannot compile (a lookahead, a back-reference) would fail no value at all
    [row] = cast("pyoxigraph.QuerySolutions", Store().query(f'SELECT (REGEX("", {arguments}) AS ?ok) {{}}'))
    if row["ok"] is None:
        raise _unsupported(str(shape), f"the sh:pattern {parameter}, which Oxigraph's regular expressions do not read")
    return ValueTest("Pattern", f"(isBlank(?value) || !REGEX(STR(?value), {arguments}))")


def _min_length(_: _Reader, shape: Node, parameter: Term) -> ValueTest:
    return ValueTest("MinLength", f"(isBlank(?value) || STRLEN(STR(?value)) < {_integer(shape, parameter)})")


def _min_inclusive(_: _Reader, shape: Node, parameter: Term) -> ValueTest:
    return ValueTest("MinInclusive", f"!COALESCE(?value >= {_sparql_term(parameter)}, false)")


def _in(reader: _Reader, shape: Node, parameter: Term) -> ValueTest:
    members = " || ".join(f"sameTerm(?value, {_sparql_term(m)})" for m in reader.items(parameter))
    return ValueTest("In", f"!({members or 'false'})")


def _language_in(reader: _Reader, shape: Node, parameter: Term) -> ValueTest:
    ranges = " || ".join(
        f"langMatches(LANG(?value), {_sparql_term(Literal(m.value))})" for m in reader.items(parameter)
    )
    return ValueTest("LanguageIn", f"!(isLiteral(?value) && ({ranges or 'false'}))")


_VALUE_TESTS: Final = {
    "class": _class,
    "datatype": _datatype,
    "nodeKind": _node_kind,
    "pattern": _pattern,
    "minLength": _min_length,
    "minInclusive": _min_inclusive,
    "in": _in,
    "languageIn": _language_in,
}


def _shape_nodes(graph: Store) -> Iterator[Node]:
    """The shapes with targets: explicit ones, or the implicit class target of a shape that is a class."""
    for target in sorted(_TARGETS):
        for quad in graph.quads_for_pattern(None, NamedNode(target), None):
            yield cast("Node", quad.subject)
    for cls in sorted(_CLASSES):
        for quad in graph.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(cls[1:-1])):
            if any(graph.quads_for_pattern(quad.subject, NamedNode(RDF + "type"), NamedNode(SH + kind))
                   for kind in ("NodeShape", "PropertyShape")):
                yield cast("Node", quad.subject)


def read_shapes(triples: Iterable[pyoxigraph.Triple | pyoxigraph.Quad]) -> list[Shape]:
    """Read the shapes graph of ``triples``.

    Returns:
        the shapes that have targets of their own (the others are reached through them), sorted
        by node, each with the shapes it refers to.

    Raises:
        ShapeError: a shape uses a part of SHACL this engine does not compile.
    """
    graph = Store()
    graph.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    reader = _Reader(graph)
    shapes = {node: reader.shape(node) for node in _shape_nodes(graph)}
    for shape in shapes.values():
        _check_reported(shape)
    return [shape for _, shape in sorted(shapes.items(), key=lambda item: str(item[0]))]


def _constrains(shape: Shape) -> bool:
    return bool(shape.values or shape.counts or shape.has_values or shape.pairs or shape.logic or shape.qualified)


def _check_reported(shape: Shape) -> None:
    """Refuse what the engine would word or weigh otherwise than pySHACL: a shape whose results are
    reported but that has no ``sh:message`` (pySHACL words its own), and a shape used inside
    another whose severity is not sh:Violation (pySHACL counts such a failure as conforming in some
    components, not in others)."""
    if _constrains(shape) and not shape.messages:
        raise _unsupported(str(shape.node), "no sh:message (its results would have no words)")
    if any(not c.messages for c in shape.sparql) and not shape.messages:
        raise _unsupported(str(shape.node), "an sh:SPARQLConstraint without sh:message")
    for nested in _nested(shape):
        if nested.severity is not Severity.VIOLATION:
            raise _unsupported(str(nested.node), f"sh:severity sh:{nested.severity.value} inside another shape")
    for property_shape in shape.properties:
        _check_reported(property_shape)


def _nested(shape: Shape) -> Iterator[Shape]:
    """The shapes used inside ``shape``'s shape-based constraints, at any depth."""
    for member in [m for test in shape.logic for m in test.shapes] + [q.shape for q in shape.qualified]:
        yield member
        yield from _nested(member)
        for property_shape in member.properties:
            yield property_shape
            yield from _nested(property_shape)


def _is_true(flag: Term | None) -> bool:
    return flag is not None and flag.value == "true"
