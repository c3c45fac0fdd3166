"""SHACL shapes: the valid graphs conform, each invalid file raises exactly its violation, and the
SPARQL engine gives what pySHACL, the reference, gives on every one of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pycountry
import pyoxigraph
import pytest
from click.testing import Result
from rdflib import Graph

from adkg.dataset import load_dataset
from adkg.errors import ShapeError
from adkg.namespaces import ADKGSH, RDF, RDFS, SH
from adkg.turtle_files import parse_folder, turtle_files
from adkg.validation import Engine, ValidationReport, parse_shapes, validate_store
from conftest import DATA, PROJECT_ROOT

INVALID = DATA / "invalid" / "shapes"
VALID = DATA / "valid" / "shapes"


@pytest.fixture(scope="module")
def shapes() -> list[pyoxigraph.Triple]:
    return parse_shapes(turtle_files([PROJECT_ROOT / "shapes"]))


@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return parse_folder(PROJECT_ROOT / "shapes")


def _store(path: Path) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for ontology_file in turtle_files([PROJECT_ROOT / "ontology"]):
        store.load(path=ontology_file, format=pyoxigraph.RdfFormat.TURTLE,
                   to_graph=pyoxigraph.NamedNode("urn:test:ontology"))
    store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("urn:test:data"))
    return store


def _validate(path: Path, shapes: list[pyoxigraph.Triple], engine: Engine = Engine.SPARQL) -> ValidationReport:
    return validate_store(_store(path), shapes=shapes, engine=engine)


def test_minimal_valid_graph_raises_nothing(shapes: list[pyoxigraph.Triple]) -> None:
    assert _validate(DATA / "valid" / "shapes" / "minimal-graph.ttl", shapes).results == ()


def test_claims_of_a_source_without_footnotes_are_not_warned_for_citing_none(shapes: list[pyoxigraph.Triple]) -> None:
    """Regression: every claim of a wire report was warned to cite no footnote, which it has none of."""
    assert _validate(DATA / "valid" / "shapes" / "source-without-footnotes.ttl", shapes).results == ()


V, W = "Violation", "Warning"
CASES: dict[str, set[tuple[str, str, str | None]]] = {
    "actor-with-two-english-labels.ttl": {(V, "adkgsh:EnglishLabelShape-label", "rdfs:label")},
    "anchor-blank-node.ttl": {(V, "adkgsh:AnchorShape", None)},
    "anchor-on-another-source.ttl": {(V, "adkgsh:AnchorOnReportingSourceShape", "prov:wasDerivedFrom")},
    "anchor-without-position.ttl": {(V, "adkgsh:AnchorShape-position", "oa:hasSelector")},
    "claim-dated-after-its-source.ttl": {(W, "adkgsh:ClaimDatedAfterSourceWarningShape", "adkg:asOf")},
    "claim-min-above-max.ttl": {(V, "adkgsh:QuantityClaimShape-minValue", "schema:minValue")},
    "claim-value-and-bound.ttl": {(V, "adkgsh:QuantityClaimShape", None)},
    "claim-without-about.ttl": {(V, "adkgsh:ClaimShape-about", "adkg:about")},
    "claim-without-variable.ttl": {(V, "adkgsh:QuantityClaimShape-variable", "schema:variableMeasured")},
    "claim-without-anchor.ttl": {(V, "adkgsh:ReportedShape-anchor", "prov:wasDerivedFrom")},
    "claim-without-claimant.ttl": {(V, "adkgsh:ClaimShape-claimant", "prov:wasAttributedTo")},
    "claim-without-references.ttl": {
        (W, "adkgsh:ClaimWithoutReferencesWarningShape", "adkg:citesReference")
    },
    # without adkg:reportedIn, the claim's anchor is also on a source it is not reported in
    "claim-without-source.ttl": {
        (V, "adkgsh:ReportedShape-reportedIn", "adkg:reportedIn"),
        (V, "adkgsh:AnchorOnReportingSourceShape", "prov:wasDerivedFrom"),
    },
    "date-of-wrong-datatype.ttl": {(V, "adkgsh:InstantShape-date", "time:inXSDDate")},
    "event-begins-after-it-ends.ttl": {
        (V, "adkgsh:EventShape-earliestBegin", "sem:hasEarliestBeginTimeStamp")
    },
    "money-not-iso-4217.ttl": {(V, "adkgsh:MonetaryClaimShape-currency", "schema:currency")},
    "money-without-currency.ttl": {(V, "adkgsh:MonetaryClaimShape-currency", "schema:currency")},
    "near-equivalent-of-another-kind.ttl": {
        (V, "adkgsh:NearEquivalentVariableShape", "skos:closeMatch")
    },
    "place-reaches-no-country.ttl": {(V, "adkgsh:PlaceShape", None)},
    "policy-without-english-label.ttl": {(V, "adkgsh:EnglishLabelShape-label", "rdfs:label")},
    "position-start-after-end.ttl": {(V, "adkgsh:TextPositionSelectorShape-start", "oa:start")},
    "qualitative-claim-with-value.ttl": {(V, "adkgsh:QualitativeClaimShape-noValue", "schema:value")},
    "share-variable-without-denominator.ttl": {(V, "adkgsh:ShareVariableShape", None)},
    "statistic-not-a-statistic.ttl": {(V, "adkgsh:StatisticalVariableShape-statistic", "adkg:statistic")},
    "target-variable-without-target-for.ttl": {(V, "adkgsh:TargetVariableShape", None)},
    "variable-without-kind.ttl": {(V, "adkgsh:StatisticalVariableShape-measureKind", "adkg:measureKind")},
}


def test_every_invalid_shapes_file_is_listed() -> None:
    assert {path.name for path in INVALID.iterdir()} == set(CASES)


@pytest.mark.parametrize(("name", "expected"), CASES.items(), ids=list(CASES))
def test_invalid_file_raises_exactly_its_shape_and_path(
    name: str, expected: set[tuple[str, str, str | None]], shapes: Graph
) -> None:
    report = _validate(INVALID / name, shapes)
    assert {(r.severity.value, r.shape, r.path) for r in report.results} == expected


@pytest.mark.parametrize("path", sorted([*INVALID.iterdir(), *VALID.iterdir()]), ids=lambda p: p.name)
def test_the_sparql_engine_gives_what_pyshacl_gives(path: Path, shapes: list[pyoxigraph.Triple]) -> None:
    store = _store(path)
    sparql = validate_store(store, shapes=shapes, engine=Engine.SPARQL)
    assert sparql.results == validate_store(store, shapes=shapes, engine=Engine.PYSHACL).results


def test_the_real_graph_conforms(shapes: list[pyoxigraph.Triple]) -> None:
    report = validate_store(load_dataset(PROJECT_ROOT), shapes=shapes)
    assert report.violations == (), report.violations[:5]


def test_every_typed_node_of_the_graph_is_a_target(shapes_graph: Graph) -> None:
    store = load_dataset(PROJECT_ROOT)
    targets = " ".join(f"<{t}>" for t in sorted({str(cls) for cls in shapes_graph.objects(None, SH.targetClass)}))
    # the target classes and their subclasses first: one closure, not one per typed node
    targeted = {
        row["class"] for row in store.query(
            f"SELECT DISTINCT ?class WHERE {{ ?class <{RDFS.subClassOf}>* ?target VALUES ?target {{ {targets} }} }}",
            use_default_graph_as_union=True,
        )
    }
    typed = store.query(
        "SELECT DISTINCT ?node ?class WHERE { GRAPH ?g { ?node a ?class } "
        "FILTER(?g != <https://w3id.org/adkg/graph/ontology>) }"
    )
    classes_of: dict[object, set[object]] = {}
    for row in typed:
        classes_of.setdefault(row["node"], set()).add(row["class"])
    assert [node for node, classes in classes_of.items() if not classes & targeted] == []


def test_currency_pattern_lists_exactly_the_iso_4217_codes(shapes_graph: Graph) -> None:
    pattern = str(shapes_graph.value(ADKGSH["MonetaryClaimShape-currency"], SH.pattern))
    listed = re.fullmatch(r"\^\((.*)\)\$", pattern).group(1).split("|")
    assert listed == sorted(currency.alpha_3 for currency in pycountry.currencies)


def test_every_property_shape_is_named_described_and_has_a_message(shapes_graph: Graph) -> None:
    for shape in shapes_graph.subjects(RDF.type, SH.PropertyShape):
        for predicate in (SH.name, SH.description, SH.message):
            assert shapes_graph.value(shape, predicate) is not None, (shape, predicate)


def _project_with(graph_file: Path, root: Path) -> Path:
    for folder in ("ontology", "shapes", "queries", "seeds"):
        (root / folder).symlink_to(PROJECT_ROOT / folder)
    (root / "graph" / "source" / "test").mkdir(parents=True)
    (root / "graph" / "source" / "test" / "graph.ttl").write_bytes(graph_file.read_bytes())
    return root


def test_validate_command_exits_1_and_groups_results_by_shape(
    run_adkg: Callable[..., Result], tmp_path: Path
) -> None:
    root = _project_with(INVALID / "claim-without-claimant.ttl", tmp_path)
    result = run_adkg("validate", root=root)
    assert result.exit_code == 1
    assert (
        "Violation: adkgsh:ClaimShape-claimant\n  adkgr:test-population-claim prov:wasAttributedTo: "
        in result.output
    )
    assert "validate: does not conform, 1 violations, 0 warnings" in result.output


def test_validate_command_names_a_broken_file_and_exits_2(
    run_adkg: Callable[..., Result], tmp_path: Path
) -> None:
    root = _project_with(DATA / "invalid" / "fmt" / "syntax-error.ttl", tmp_path)
    result = run_adkg("validate", root=root)
    assert result.exit_code == 2
    assert "graph/source/test/graph.ttl" in result.output
    assert ":4:" in result.output


INLINE_SHAPES = b"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ; sh:property <urn:P> , <urn:L> .
<urn:P> sh:path <urn:p> ; sh:message "p's values need a string q" ; sh:property <urn:PQ> .
<urn:PQ> sh:path <urn:q> ; sh:minCount 1 ; sh:datatype xsd:string ; sh:message "needs a string q" .
<urn:L> sh:path <urn:label> ; sh:pattern "^[a-z]+$" ; sh:flags "i" ; sh:class <urn:A> , <urn:B> ;
    sh:message "a label" .
"""
INLINE_DATA = b"""
<urn:a> a <urn:C> ; <urn:p> <urn:v> , [ <urn:q> "x" ] , [ <urn:q> 1 ] , [ <urn:q> 2 ] ; <urn:label> "ABC" .
<urn:v> <urn:q> 3 .
"""


@pytest.mark.parametrize("engine", list(Engine))
def test_a_property_shape_of_a_property_shape_checks_the_values_and_two_blank_nodes_count_twice(
    engine: Engine,
) -> None:
    """Regressions: a property shape's own property shapes were applied to its focus nodes, not to
    its values; two failing blank nodes reached by one path were reported once."""
    store = pyoxigraph.Store()
    store.load(INLINE_DATA, format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("urn:g"))
    shapes = list(pyoxigraph.parse(INLINE_SHAPES, format=pyoxigraph.RdfFormat.TURTLE))
    report = validate_store(store, shapes=shapes, engine=engine)
    results = [(r.shape, r.component, r.focus, r.value) for r in report.results]
    assert results == [  # the class tests of A and of B give one result; sh:flags "i" lets "ABC" match
        ("<urn:L>", "sh:ClassConstraintComponent", "<urn:a>", "ABC"),
        ("<urn:PQ>", "sh:DatatypeConstraintComponent", "<urn:a> <urn:p>", "1"),
        ("<urn:PQ>", "sh:DatatypeConstraintComponent", "<urn:a> <urn:p>", "2"),
        ("<urn:PQ>", "sh:DatatypeConstraintComponent", "<urn:v>", "3"),
    ]


@pytest.mark.parametrize(("shapes", "refused"), [
    (b"<urn:S> sh:targetNode <urn:n> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .", "no sh:message"),
    (b"<urn:S> sh:targetNode <urn:n> ; sh:message 'm' ; sh:or ( [ sh:class <urn:C> ; sh:severity sh:Warning ] ) .",
     "sh:severity sh:Warning inside another shape"),
    (b"<urn:S> sh:targetNode <urn:n> ; sh:sparql [ sh:message 'm' ; sh:select 'SELECT $this WHERE { } LIMIT 1' ] .",
     "LIMIT in its sh:select"),
    (b"<urn:S> a sh:NodeShape , <http://www.w3.org/2000/01/rdf-schema#Class> ; sh:message 'm' ; sh:nodeKind sh:IRI .",
     "an implicit class target"),
    (b"<urn:S> sh:targetNode <urn:n> ; sh:message 'm' ; sh:pattern '(?=a)' .", "do not read"),
], ids=["no message", "nested severity", "limit", "implicit target", "lookahead"])
def test_the_sparql_engine_refuses_what_it_would_not_run_as_pyshacl_does(shapes: bytes, refused: str) -> None:
    triples = list(pyoxigraph.parse(b"@prefix sh: <http://www.w3.org/ns/shacl#> .\n" + shapes,
                                    format=pyoxigraph.RdfFormat.TURTLE))
    with pytest.raises(ShapeError, match=refused):
        validate_store(pyoxigraph.Store(), shapes=triples)


@pytest.mark.parametrize("engine", list(Engine))
def test_plain_strings_of_a_shape_meet_the_datas(engine: Engine) -> None:
    """Regression: pySHACL, the reference, read the data's "a" as typed xsd:string and the shape's
    as untyped, so sh:in ("a") failed a value "a"."""
    store = pyoxigraph.Store()
    graph = pyoxigraph.NamedNode("urn:g")
    store.load(b'<urn:a> <urn:p> "a" , "c" .', format=pyoxigraph.RdfFormat.TURTLE, to_graph=graph)
    shapes = list(pyoxigraph.parse(b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:S> sh:targetNode <urn:a> ; sh:property [ sh:path <urn:p> ; sh:in ( "a" "b" ) ; sh:message "a or b" ] .""",
        format=pyoxigraph.RdfFormat.TURTLE))
    assert [r.value for r in validate_store(store, shapes=shapes, engine=engine).results] == ["c"]
