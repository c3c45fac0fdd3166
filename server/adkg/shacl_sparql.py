"""SHACL validation compiled to SPARQL and run by Oxigraph: adkg's validation engine.

The shapes (read by :mod:`adkg.shapes_model`) become SPARQL queries over the union of the store's
graphs, one per shape and constraint, each asking for every focus node and value that fails it at
once; pySHACL instead asks the graph about each focus node in Python, and spends minutes where
Oxigraph spends seconds on a large graph. pySHACL stays the reference (``adkg validate --engine
pyshacl``), and the tests require the same results from both.

How each part of SHACL is compiled:

- a shape's focus nodes are a sub-SELECT binding ``?this``; ``sh:targetClass`` reaches the
  instances of the class's subclasses through the data's ``rdfs:subClassOf`` (the ontology is one
  of its graphs), their closure computed once per class and written out as ``VALUES``;
- the values of a property shape are ``?this <path> ?value``; of a node shape, ``?this`` itself;
- a test of each value on its own (``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
  ``sh:pattern``, ``sh:minLength``, ``sh:minInclusive``, ``sh:in``, ``sh:languageIn``) is a FILTER;
  ``sh:minCount`` and ``sh:maxCount`` count distinct values per focus node; ``sh:hasValue``,
  ``sh:lessThan``, ``sh:lessThanOrEquals`` and ``sh:disjoint`` are patterns on the focus node;
- a shape-based test (``sh:node``, ``sh:not``, ``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape``)
  validates the other shapes with the values as their focus nodes (a nested sub-SELECT), and a
  value conforms to a shape when that gives no result for it;
- an ``sh:SPARQLConstraint`` runs its own SELECT with the focus nodes joined in first, at the
  start of its WHERE clause, where SHACL would pre-bind ``$this``: the same, as long as the query
  uses ``$this`` in that group and not only in a sub-SELECT or MINUS.

A result carries what pySHACL's would: severity, source shape, constraint component, focus node,
result path, value and messages (``sh:message`` of the shape; of an ``sh:SPARQLConstraint``, its
own with ``{?var}`` filled in from the solution, then the shape's).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, cast

from pyoxigraph import NamedNode, QuerySolutions, Store

from adkg.errors import ShapeError
from adkg.shapes_model import SH, Count, Logic, Node, Severity, Shape, SparqlConstraint, Term
from adkg.sparql_scan import where_group_start
from adkg.vocab import PREFIXES

_TYPE: Final = f"<{PREFIXES['rdf']}type>"
_SUBCLASS: Final = f"<{PREFIXES['rdfs']}subClassOf>"


@dataclass(frozen=True, slots=True)
class RawResult:
    """One validation result, its terms as the data and shapes graphs hold them."""

    severity: Severity
    shape: Node
    component: str
    focus: Term
    path: NamedNode | None
    value: Term | None
    messages: tuple[str, ...]


def _message(template: str, bindings: dict[str, Term]) -> str:
    """Fill ``{?name}`` and ``{$name}`` in ``template`` with the values of ``bindings``, as pySHACL does.

    >>> _message("on {?source} and {$this}", {"source": NamedNode("urn:s"), "this": NamedNode("urn:t")})
    'on urn:s and urn:t'
    """
    for name, value in bindings.items():
        template = re.sub(r"\{[?$]" + re.escape(name) + r"\}", value.value.replace("\\", "\\\\"), template)
    return template


class _Validation:
    """One validation of a store: the queries, and the subclass closures they need."""

    def __init__(self, data: Store) -> None:
        self.data = data
        self._subclasses: dict[NamedNode, str] = {}

    def select(self, query: str, *, source: Node | None = None) -> QuerySolutions:
        """Run the SELECT ``query``, compiled from a shape or (``source``) an ``sh:select``.

        Raises:
            ShapeError: an ``sh:select`` does not parse.
        """
        try:
            solutions = self.data.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            if source is None:
                raise  # a compiled query that does not parse is a bug of this module
            raise ShapeError(str(source), f"its sh:select does not parse: {error}") from error
        return cast("QuerySolutions", solutions)

    def classes(self, cls: NamedNode) -> str:
        """The class and its subclasses in the data, written as SPARQL terms."""
        if cls not in self._subclasses:
            found = {cls} | {
                cast("NamedNode", row["c"])
                for row in self.select(f"SELECT DISTINCT ?c WHERE {{ ?c {_SUBCLASS}+ {cls} }}")
            }
            self._subclasses[cls] = " ".join(sorted(str(c) for c in found))
        return self._subclasses[cls]

    def focus(self, shape: Shape) -> str:
        """A group pattern binding ``?this`` to each of the shape's own focus nodes."""
        branches = [
            f"{{ ?this {_TYPE} ?_class VALUES ?_class {{ {self.classes(cls)} }} }}" for cls in shape.target_classes
        ] + [f"{{ {target} }}" for target in shape.targets]
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(branches)} }} }}"

    def results(self, shape: Shape, focus: str) -> Iterator[RawResult]:
        """Every result of ``shape`` with the focus nodes of the pattern ``focus``."""
        if shape.deactivated:
            return
        values = f"?this {shape.path} ?value ." if shape.path else "BIND(?this AS ?value)"
        value_focus = self._values_focus(shape, focus)  # the values, as focus nodes of nested shapes

        def result(component: str, this: Term, value: Term | None) -> RawResult:
            return RawResult(shape.severity, shape.node, f"{SH}{component}ConstraintComponent", this,
                             shape.path, value, shape.messages)

        for test in shape.values:
            failing = (
                f"NOT EXISTS {{ ?value {_TYPE} ?_class VALUES ?_class {{ {self.classes(test.cls)} }} }}"
                if test.cls is not None else test.failing
            )
            for row in self.select(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} FILTER({failing}) }}"):
                yield result(test.component, row["this"], row["value"])
        for count in shape.counts:
            for row in self.select(self._count(shape, focus, count)):
                yield result(count.component, row["this"], None)
        for has_value in shape.has_values:
            missing = f"FILTER NOT EXISTS {{ ?this {shape.path} {has_value.value} }}"
            for row in self.select(f"SELECT ?this WHERE {{ {focus} {missing} }}"):
                yield result("HasValue", row["this"], None)
        for pair in shape.pairs:
            if pair.component == "Disjoint":
                where = f"{values} ?this {pair.other} ?value ."
            else:
                operator = "<" if pair.component == "LessThan" else "<="
                where = f"{values} ?this {pair.other} ?_other FILTER(!COALESCE(?value {operator} ?_other, false))"
            for row in self.select(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {where} }}"):
                yield result(pair.component, row["this"], row["value"])
        if shape.logic or shape.qualified:
            pairs = [
                (row["this"], row["value"])
                for row in self.select(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} }}")
            ]
            for shape_test in shape.logic:
                failing_sets = [self.failing(member, value_focus) for member in shape_test.shapes]
                for this, value in pairs:
                    if _fails(shape_test.logic, [value in failing for failing in failing_sets]):
                        yield result(shape_test.logic.value, this, value)
            for qualified in shape.qualified:
                not_conforming = self.failing(qualified.shape, value_focus)
                conforming: dict[Term, int] = {}
                for this, value in pairs:
                    conforming[this] = conforming.get(this, 0) + (value not in not_conforming)
                for row in self.select(f"SELECT ?this WHERE {{ {focus} }}"):
                    number = conforming.get(row["this"], 0)
                    if qualified.minimum is not None and number < qualified.minimum:
                        yield result("QualifiedMinCount", row["this"], None)
                    if qualified.maximum is not None and number > qualified.maximum:
                        yield result("QualifiedMaxCount", row["this"], None)
        for constraint in shape.sparql:
            if not constraint.deactivated:
                yield from self._sparql(shape, constraint, focus)
        for property_shape in shape.properties:  # a property shape's own apply to its values
            yield from self.results(property_shape, value_focus)

    def failing(self, shape: Shape, focus: str) -> set[Term]:
        """The focus nodes of the pattern ``focus`` that do not conform to ``shape``."""
        return {result.focus for result in self.results(shape, focus)}

    @staticmethod
    def _values_focus(shape: Shape, focus: str) -> str:
        """A group pattern binding ``?this`` to each value of ``shape`` at the focus nodes of ``focus``."""
        if shape.path is None:
            return focus
        return (
            f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS ?_parent) WHERE {{ {focus} }} }} "
            f"?_parent {shape.path} ?this }} }}"
        )

    @staticmethod
    def _count(shape: Shape, focus: str, count: Count) -> str:
        """The query of the focus nodes with fewer (``sh:minCount``) or more (``sh:maxCount``) values."""
        if count.component == "MinCount" and count.limit == 1:
            return f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {shape.path} ?_value }} }}"
        if count.component == "MinCount":
            return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {shape.path} ?value }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {count.limit})")
        return (f"SELECT ?this WHERE {{ {focus} ?this {shape.path} ?value }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count.limit})")

    def _sparql(self, shape: Shape, constraint: SparqlConstraint, focus: str) -> Iterator[RawResult]:
        text = f"{constraint.prefixes}\n{constraint.select}"
        start = where_group_start(text)
        if start is None:
            raise ShapeError(str(constraint.node), "its sh:select has no WHERE clause")
        query = f"{text[:start]} {focus} {text[start:]}"
        seen = set()
        solutions = self.select(query, source=constraint.node)
        variables = [variable.value for variable in solutions.variables]
        for row in solutions:
            bindings = {name: cast("Term", row[name]) for name in variables if row[name] is not None}
            if "this" not in bindings:
                raise ShapeError(str(constraint.node), "its sh:select does not bind $this in every solution")
            this = bindings.pop("this")
            path = bindings.pop("path", None)
            value = bindings.pop("value", this if shape.path is None else None)
            key = (this, path, value, tuple(sorted(bindings.items(), key=lambda item: item[0])))
            if key in seen:
                continue
            seen.add(key)
            named = {"this": this, "path": path, "value": value}
            filled = {name: term for name, term in named.items() if term is not None} | bindings
            own = tuple(_message(m, filled) for m in constraint.messages)
            yield RawResult(
                shape.severity, shape.node, f"{SH}SPARQLConstraintComponent", this,
                cast("NamedNode | None", path), value,
                own + tuple(m for m in shape.messages if m not in own),
            )


def _fails(logic: Logic, fails_each: list[bool]) -> bool:
    """Whether a value fails a shape-based test, given whether it fails each of the test's shapes.

    >>> _fails(Logic.XONE, [False, False]), _fails(Logic.OR, [True, False]), _fails(Logic.NOT, [True])
    (True, False, False)
    """
    if logic is Logic.NODE:
        return fails_each[0]
    if logic is Logic.NOT:
        return not fails_each[0]
    if logic is Logic.OR:
        return all(fails_each)
    return fails_each.count(False) != 1


def validate(data: Store, shapes: list[Shape]) -> list[RawResult]:
    """Validate the union of the graphs of ``data`` against ``shapes`` (from :func:`read_shapes`).

    Returns:
        every result, without repeats (a property shape reached through two node shapes reports a
        failing focus node once).

    Raises:
        ShapeError: an ``sh:select`` does not parse.
    """
    validation = _Validation(data)
    results: dict[RawResult, None] = {}
    for shape in shapes:
        if shape.is_targeted:
            results.update(dict.fromkeys(validation.results(shape, validation.focus(shape))))
    return list(results)
