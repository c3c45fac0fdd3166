"""SHACL validation of an Oxigraph store of the dataset against ``shapes/``, by one of two engines.

``Engine.SPARQL`` (the default) compiles the shapes to SPARQL and lets Oxigraph run it
(:mod:`adkg.shacl_sparql`); ``Engine.PYSHACL`` runs pySHACL, the reference, over the same store.
Both give the same results, term for term, and the tests hold them to it.

The data graph is the union of the store's graphs. The ontology is one of them (its named graph),
so ``sh:targetClass`` and ``sh:class`` reach instances of subclasses through the ontology's
``rdfs:subClassOf`` axioms, and shapes can look up SKOS concepts (a hedge's scheme); no inference
runs. (pySHACL's ``ont_graph`` would mix in only RDFS and OWL axioms, not the concepts, and would
copy or change the store, so the ontology is validated as data instead.)

pySHACL reads an Oxigraph store natively. It tests the data graph's truth when it words each result
(``datagraph or shapes_graph``); a graph's truth is its length, and Oxigraph answers that with a
COUNT over the whole store. ``_StoreGraph`` is never empty, so it says so without counting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final, cast

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Store, Triple

from adkg import shacl_sparql
from adkg.errors import SourceSyntaxError
from adkg.shacl_sparql import RawResult
from adkg.shapes_model import SH, Node, Severity, Term, read_shapes
from adkg.vocab import PREFIXES, compact

__all__ = [
    "Engine",
    "ReportFormat",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "format_report",
    "parse_shapes",
    "validate_store",
]

_RDF_TYPE: Final = NamedNode(PREFIXES["rdf"] + "type")


class Engine(StrEnum):
    """Which validator runs the shapes."""

    SPARQL = "sparql"
    PYSHACL = "pyshacl"


class ReportFormat(StrEnum):
    """How ``adkg validate`` prints its report."""

    TEXT = "text"
    TURTLE = "turtle"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One SHACL validation result, its terms shown as prefixed names where possible.

    A blank node (a focus node, or a shape nested in another) is named by the path that reaches
    it from a named node; a result with several messages (an ``sh:SPARQLConstraint``'s and its
    shape's) joins them, sorted, one per line.
    """

    severity: Severity
    shape: str
    component: str
    focus: str
    path: str | None
    value: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The results of validating a graph, and the SHACL report graph that states them."""

    results: tuple[ValidationResult, ...]
    graph: tuple[Triple, ...]

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        """The results of severity sh:Violation, which stop a build."""
        return tuple(r for r in self.results if r.severity is Severity.VIOLATION)

    @property
    def warnings(self) -> tuple[ValidationResult, ...]:
        """The results of severity sh:Warning, which are reported but allowed."""
        return tuple(r for r in self.results if r.severity is Severity.WARNING)

    @property
    def conforms(self) -> bool:
        """Whether the graph has no violation (warnings allowed)."""
        return not self.violations


def parse_shapes(paths: Iterable[Path]) -> list[Triple]:
    """Parse the shapes files at ``paths`` into one list of triples.

    Raises:
        SourceSyntaxError: a file does not parse; the error names it and its line.
    """
    triples: list[Triple] = []
    for path in paths:
        try:
            triples += pyoxigraph.parse(path=path, format=RdfFormat.TURTLE)
        except SyntaxError as error:
            raise SourceSyntaxError(path, error.lineno, error.msg) from error
    return triples


Parent = Callable[[Term], tuple[Term, NamedNode] | None]


def _shown(node: Term | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return node.value
    return compact(node.value) if isinstance(node, NamedNode) else str(node)


def _located(node: Term, parent: Parent) -> str:
    """Name ``node``; a blank node by the path that reaches it from a named node.

    >>> store = Store()
    >>> store.extend(pyoxigraph.parse('<urn:c> <urn:p> [ <urn:q> [ <urn:r> 1 ] ] .', format=RdfFormat.TURTLE))
    >>> [inner] = [q.subject for q in store.quads_for_pattern(None, NamedNode("urn:r"), None)]
    >>> _located(inner, _parent_in(store))
    '<urn:c> <urn:p>/<urn:q>'
    """
    if not isinstance(node, BlankNode):
        return _shown(node) or ""
    steps: list[str] = []
    current: Term = node
    while isinstance(current, BlankNode) and len(steps) < 8:
        found = parent(current)
        if found is None:
            return str(node)
        current = found[0]
        steps.insert(0, compact(found[1].value))
    if isinstance(current, BlankNode):
        return str(node)
    return f"{_shown(current)} {'/'.join(steps)}"


def _parent_in(store: Store) -> Parent:
    def parent(node: Term) -> tuple[Term, NamedNode] | None:
        quad = next(iter(store.quads_for_pattern(None, None, node)), None)
        # RDF 1.2 allows a triple term only as an object, never as a subject.
        return None if quad is None else (cast("Term", quad.subject), quad.predicate)

    return parent


def _shown_result(result: RawResult, *, data: Parent, shapes: Parent) -> ValidationResult:
    return ValidationResult(
        severity=result.severity,
        shape=_located(result.shape, shapes),
        component=compact(result.component),
        focus=_located(result.focus, data),
        path=_shown(result.path),
        value=_shown(result.value),
        message="\n".join(sorted(set(result.messages))),
    )


def _report_graph(results: Sequence[RawResult], *, conforms: bool) -> tuple[Triple, ...]:
    """The SHACL validation report stating ``results`` (``sh:ValidationReport``)."""
    report = BlankNode()
    xsd_boolean = NamedNode(PREFIXES["xsd"] + "boolean")
    triples = [
        Triple(report, _RDF_TYPE, NamedNode(SH + "ValidationReport")),
        Triple(report, NamedNode(SH + "conforms"), Literal(str(conforms).lower(), datatype=xsd_boolean)),
    ]
    for result in results:
        node = BlankNode()
        triples += [
            Triple(report, NamedNode(SH + "result"), node),
            Triple(node, _RDF_TYPE, NamedNode(SH + "ValidationResult")),
        ]
        for predicate, value in (
            ("resultSeverity", NamedNode(SH + result.severity.value)),
            ("sourceShape", result.shape),
            ("sourceConstraintComponent", NamedNode(result.component)),
            ("focusNode", result.focus),
            ("resultPath", result.path),
            ("value", result.value),
        ):
            if value is not None:
                triples.append(Triple(node, NamedNode(SH + predicate), value))
        triples += [Triple(node, NamedNode(SH + "resultMessage"), Literal(m)) for m in sorted(set(result.messages))]
    return tuple(triples)


def _sorted(results: Iterable[ValidationResult]) -> tuple[ValidationResult, ...]:
    """Sort results; two results that read the same are both kept (two blank nodes named by one
    path are two nodes: repeats were dropped before, term for term)."""
    return tuple(sorted(
        results,
        key=lambda r: (list(Severity).index(r.severity), r.shape, r.focus, r.path or "", r.value or "",
                       r.component, r.message),
    ))


def validate_store(store: Store, *, shapes: Sequence[Triple], engine: Engine = Engine.SPARQL) -> ValidationReport:
    """Validate the union of the graphs in ``store`` against the shapes graph ``shapes``.

    Returns:
        the report, results sorted by severity (violations first), shape, focus node, path, value,
        component and message, each result once (term for term).

    Raises:
        ShapeError: with ``Engine.SPARQL``, a shape uses a part of SHACL it does not compile, or
            an ``sh:select`` query does not parse.
    """
    if engine is Engine.PYSHACL:
        raw, shapes_parent = _pyshacl_results(store, shapes)
        raw = list(dict.fromkeys(raw))  # a property shape of two node shapes reports a focus node twice
    else:
        raw = shacl_sparql.validate(store, read_shapes(shapes))
        shapes_store = Store()
        shapes_store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in shapes)
        shapes_parent = _parent_in(shapes_store)
    data_parent = _parent_in(store)
    results = _sorted(_shown_result(r, data=data_parent, shapes=shapes_parent) for r in raw)
    conforms = not any(r.severity is Severity.VIOLATION for r in results)
    return ValidationReport(results, _report_graph(raw, conforms=conforms))


_XSD_STRING: Final = NamedNode(PREFIXES["xsd"] + "string")


def _typed_line(triple: Triple) -> str:
    """``triple`` as an N-Triples line, a plain string typed ``xsd:string`` as it is in RDF 1.1.

    pySHACL's view of Oxigraph gives the data's plain strings that type, which rdflib keeps apart
    from an untyped literal: a shape's ``sh:in ("a")`` would then never meet the data's ``"a"``.

    >>> _typed_line(Triple(NamedNode("urn:s"), NamedNode("urn:p"), Literal("a")))
    '<urn:s> <urn:p> "a"^^<http://www.w3.org/2001/XMLSchema#string> .'
    """
    value = triple.object
    if isinstance(value, Literal) and value.datatype == _XSD_STRING and value.language is None:
        return f"{triple.subject} {triple.predicate} {value}^^{_XSD_STRING} ."
    return f"{triple} ."


def _pyshacl_results(store: Store, shapes: Sequence[Triple]) -> tuple[list[RawResult], Parent]:
    """Run pySHACL; return its top-level results (not the ``sh:detail`` of a failed ``sh:node``)
    and how to find a node's parent in the shapes graph it read."""
    from pyshacl import validate as shacl_validate
    from pyshacl.graph_abstraction import OxigraphDataGraph
    from rdflib import BNode, Graph, URIRef
    from rdflib import Literal as RdflibLiteral
    from rdflib.namespace import SH as RDFLIB_SH

    class _StoreGraph(OxigraphDataGraph):
        """pySHACL's view of an Oxigraph store: the union of its graphs, true without a COUNT."""

        def __init__(self, store: Store) -> None:
            super().__init__(store)
            self._default_union = True

        def __bool__(self) -> bool:
            return True

    shapes_graph = Graph(bind_namespaces="none")
    shapes_graph.parse(data="\n".join(_typed_line(t) for t in shapes), format="nt")
    _, report, _ = shacl_validate(
        _StoreGraph(store), shacl_graph=shapes_graph, inference="none", allow_warnings=True, abort_on_first=False
    )

    def term(node: object) -> Term:
        if isinstance(node, RdflibLiteral):
            datatype = NamedNode(str(node.datatype)) if node.datatype and not node.language else None
            return Literal(str(node), datatype=datatype, language=node.language)
        return NamedNode(str(node)) if isinstance(node, URIRef) else BlankNode(str(node))

    def optional(node: object) -> Term | None:
        return None if node is None else term(node)

    raw = []
    for result in report.objects(None, RDFLIB_SH.result):
        raw.append(RawResult(
            severity=Severity(str(report.value(result, RDFLIB_SH.resultSeverity)).removeprefix(SH)),
            shape=cast("Node", term(report.value(result, RDFLIB_SH.sourceShape))),
            component=str(report.value(result, RDFLIB_SH.sourceConstraintComponent)),
            focus=term(report.value(result, RDFLIB_SH.focusNode)),
            path=cast("NamedNode | None", optional(report.value(result, RDFLIB_SH.resultPath))),
            value=optional(report.value(result, RDFLIB_SH.value)),
            messages=tuple(str(m) for m in report.objects(result, RDFLIB_SH.resultMessage)),
        ))

    def parent(node: Term) -> tuple[Term, NamedNode] | None:
        found = next(iter(shapes_graph.subject_predicates(BNode(node.value))), None)
        return None if found is None else (term(found[0]), NamedNode(str(found[1])))

    return raw, parent


def format_report(report: ValidationReport, *, report_format: ReportFormat) -> str:
    """Return the report as text grouped by shape, as the SHACL report graph in Turtle, or as JSON."""
    if report_format is ReportFormat.TURTLE:
        prefixes = {"sh": SH, "xsd": PREFIXES["xsd"], "adkgsh": PREFIXES["adkgsh"], "adkgr": PREFIXES["adkgr"]}
        return cast("bytes", pyoxigraph.serialize(report.graph, format=RdfFormat.TURTLE, prefixes=prefixes)).decode()
    if report_format is ReportFormat.JSON:
        return json.dumps(
            {
                "conforms": report.conforms,
                "violations": len(report.violations),
                "warnings": len(report.warnings),
                "results": [asdict(result) for result in report.results],
            },
            indent=2,
        )
    lines = []
    shape = None
    for result in report.results:
        if result.shape != shape:
            shape = result.shape
            lines.append(f"{result.severity.value}: {shape}")
        where = f" {result.path}" if result.path else ""
        value = f" = {result.value}" if result.value is not None else ""
        lines.append(f"  {result.focus}{where}{value}: {result.message}")
    lines.append(
        f"validate: {'conforms' if report.conforms else 'does not conform'}, "
        f"{len(report.violations)} violations, {len(report.warnings)} warnings"
    )
    return "\n".join(lines)
