"""The derivation rules, each on a case that must fire and a near miss that must not."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, Store
from rdflib.plugins.sparql import prepareQuery

from adkg.build import DERIVED_GRAPH, DERIVED_SHAPES, run_rules
from adkg.turtle_files import turtle_files
from adkg.validation import Engine, parse_shapes, validate_store
from conftest import DATA, PROJECT_ROOT

RULES = sorted((PROJECT_ROOT / "queries" / "rules").glob("*.rq"))
ID = "https://w3id.org/adkg/id/"


def _derive(fixture: str) -> Store:
    store = Store()
    for path in turtle_files([PROJECT_ROOT / "ontology"]):
        store.load(path=path, format=pyoxigraph.RdfFormat.TURTLE, to_graph=NamedNode("urn:test:ontology"))
    store.load(path=DATA / "rules" / fixture, format=pyoxigraph.RdfFormat.TURTLE,
               to_graph=NamedNode("urn:test:data"))
    run_rules(store, RULES)
    return store


def _select(store: Store, query: str) -> list[tuple[str, ...]]:
    prefixes = """PREFIX adkg: <https://w3id.org/adkg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"""
    rows = store.query(prefixes + query, default_graph=DERIVED_GRAPH,
                       named_graphs=[DERIVED_GRAPH, NamedNode("urn:test:ontology")])
    return sorted(tuple(term.value.removeprefix(ID) for term in row) for row in rows)


def test_time_bounds_fire_for_dates_months_years_and_intervals() -> None:
    store = _derive("time-bounds-fires.ttl")
    query = "SELECT ?c ?b ?e WHERE { ?c sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?e }"
    assert _select(store, query) == [
        ("claim-interval", "2023-10-03", "2023-12-31"),
        ("claim-month", "2024-02-01", "2024-02-29"),
        ("claim-year", "2023-01-01", "2023-12-31"),
    ]
    vague_start = f"""SELECT ?e WHERE {{ <{ID}claim-vague-period-exact-end> sem:hasLatestEndTimeStamp ?e
        FILTER NOT EXISTS {{ <{ID}claim-vague-period-exact-end> sem:hasEarliestBeginTimeStamp ?b }} }}"""
    assert _select(store, vague_start) == [("2023-10-31",)]  # the end kept; no beginning
    stated = f"SELECT ?b WHERE {{ <{ID}claim-after-2025> sem:hasEarliestBeginTimeStamp ?b }}"
    assert _select(store, stated) == [("2025-01-01",)]  # a vague time's stated bound is passed on


def test_time_bounds_near_miss_vague_or_yearless() -> None:
    store = _derive("time-bounds-near-miss.ttl")
    assert _select(store, "SELECT ?c WHERE { ?c sem:hasEarliestBeginTimeStamp|sem:hasLatestEndTimeStamp ?b }") == []


def test_disagreements_fire_for_values_and_bounds_in_one_group() -> None:
    store = _derive("disagreement-fires.ttl")
    groups = _select(store, "SELECT ?low ?high ?ratio ?ok (COUNT(?m) AS ?n) WHERE { ?g a adkg:ComparableGroup ; "
                            "adkg:lowestFigure ?low ; adkg:highestFigure ?high ; adkg:figureRatio ?ratio ; "
                            "adkg:allCanHold ?ok ; adkg:groupClaim ?m } GROUP BY ?low ?high ?ratio ?ok")
    assert groups == [("3800000", "5000000", "1.316", "false", "3")]
    assert _select(store, "SELECT ?a ?b ?kind WHERE { ?d a adkg:Disagreement ; adkg:involves ?a , ?b ; "
                          "adkg:disagreementKind ?kind FILTER(STR(?a) < STR(?b)) }") == [
        ("claim-a", "claim-b", "https://w3id.org/adkg/ontology#disagreement-kind-different-values"),
        ("claim-a", "claim-c", "https://w3id.org/adkg/ontology#disagreement-kind-outside-range"),
        ("claim-b", "claim-c", "https://w3id.org/adkg/ontology#disagreement-kind-outside-range"),
    ]
    assert _select(store, "SELECT ?l WHERE { ?d a adkg:Disagreement ; rdfs:label ?l }") == [
        ("people: 3800000 (Agency A) against as high as 4400000 (Agency B)",),
        ("people: 3800000 (Agency A) against more than 5000000 (Agency B)",),
        ("people: as high as 4400000 (Agency B) against more than 5000000 (Agency B)",),
    ]


def test_disagreement_near_miss_bounds_times_variables_and_currencies() -> None:
    store = _derive("disagreement-near-miss.ttl")
    assert _select(store, "SELECT ?d WHERE { ?d a adkg:Disagreement }") == []
    query = "SELECT ?m ?ok WHERE { ?g a adkg:ComparableGroup ; adkg:groupClaim ?m ; adkg:allCanHold ?ok }"
    assert _select(store, query) == [
        ("claim-a", "true"), ("claim-b", "true"),
    ]


def test_flows_over_the_same_period_are_compared() -> None:
    store = _derive("flow-fires.ttl")
    assert _select(store, "SELECT ?m WHERE { ?g a adkg:ComparableGroup ; adkg:groupClaim ?m }") == [
        ("claim-days",), ("claim-month",),
    ]
    assert _select(store, "SELECT ?l WHERE { ?d a adkg:Disagreement ; rdfs:label ?l }") == [
        ("people arriving: 1500 (Agency B) against 1000 (Agency A)",),
    ]


def test_flows_over_different_periods_are_never_compared() -> None:
    store = _derive("flow-near-miss.ttl")
    assert _select(store, "SELECT ?x WHERE { { ?x a adkg:ComparableGroup } UNION { ?x a adkg:Disagreement } }") == []


def test_figures_of_near_equivalent_variables_meet_in_a_group_naming_the_mapping() -> None:
    store = _derive("near-equivalent-fires.ttl")
    near = _select(store, "SELECT ?m ?mapping WHERE { ?g a adkg:ComparableGroup ; adkg:groupMapping ?mapping ; "
                          "adkg:groupClaim ?m }")
    closeMatch = "http://www.w3.org/2004/02/skos/core#closeMatch"
    assert near == [("claim-undocumented-a", closeMatch), ("claim-undocumented-b", closeMatch),
                    ("claim-without-visas", closeMatch)]
    assert _select(store, "SELECT ?a ?b ?kind WHERE { ?d a adkg:Disagreement ; adkg:involves ?a , ?b ; "
                          "adkg:disagreementKind ?kind FILTER(STR(?a) < STR(?b)) }") == [
        ("claim-undocumented-a", "claim-undocumented-b",
         "https://w3id.org/adkg/ontology#disagreement-kind-different-values"),
        ("claim-undocumented-b", "claim-without-visas",
         "https://w3id.org/adkg/ontology#disagreement-kind-near-equivalent"),
    ]
    labels = _select(store, "SELECT ?l WHERE { ?d adkg:disagreementKind adkg:disagreement-kind-near-equivalent ; "
                            "rdfs:label ?l }")
    assert labels == [("undocumented people: 1100000 (Agency B) against people without visas: 1700000 (Agency A); "
                       "near-equivalent variables (skos:closeMatch), a comparison with a caveat",)]


def test_a_target_is_set_against_its_counts_and_never_compared_with_them() -> None:
    store = _derive("target-progress-fires.ttl")
    assert _select(store, "SELECT ?t ?c ?share WHERE { ?p a adkg:TargetProgress ; adkg:targetClaim ?t ; "
                          "adkg:countClaim ?c ; adkg:shareOfTarget ?share }") == [
        ("claim-target", "claim-count-1", "17.4"),
        ("claim-target", "claim-count-2", "81.3"),
        ("claim-target-b", "claim-count-1", "19.4"),
        ("claim-target-b", "claim-count-2", "90.4"),
    ]
    assert ("people leaving: more than 813300 (Agency A) against the target of 900000 (Agency B), 90.4%",) in _select(
        store, "SELECT ?l WHERE { ?p a adkg:TargetProgress ; rdfs:label ?l }")
    # Targets are compared with targets, never with counts.
    assert _select(store, "SELECT ?a ?b WHERE { ?d a adkg:Disagreement ; adkg:involves ?a , ?b "
                          "FILTER(STR(?a) < STR(?b)) }") == [("claim-target", "claim-target-b")]
    assert _select(store, "SELECT ?m WHERE { ?g a adkg:ComparableGroup ; adkg:groupClaim ?m }") == [
        ("claim-target",), ("claim-target-b",),
    ]


def test_only_comparable_claims_disagree_though_a_group_holds_more() -> None:
    store = _derive("comparability-not-transitive.ttl")
    assert _select(store, "SELECT ?m ?ok WHERE { ?g a adkg:ComparableGroup ; adkg:groupClaim ?m ; "
                          "adkg:allCanHold ?ok }") == [
        ("claim-2023", "false"), ("claim-2025", "false"), ("claim-undated", "false"),
    ]
    assert _select(store, "SELECT ?a ?b WHERE { ?d a adkg:Disagreement ; adkg:involves ?a , ?b "
                          "FILTER(STR(?a) < STR(?b)) }") == [
        ("claim-2023", "claim-undated"), ("claim-2025", "claim-undated"),
    ]
    assert _select(store, "SELECT ?b WHERE { ?a adkg:comparableWith ?b FILTER(STRENDS(STR(?a), 'claim-2023')) }") == [
        ("claim-undated",),
    ]


def test_near_equivalent_figures_at_other_times_or_of_another_kind_never_meet() -> None:
    store = _derive("near-equivalent-near-miss.ttl")
    assert _select(store, "SELECT ?x WHERE { { ?x a adkg:ComparableGroup } UNION { ?x a adkg:Disagreement } }") == []


def test_arithmetic_inconsistency_fires_when_parts_do_not_add_up() -> None:
    store = _derive("arithmetic-fires.ttl")
    assert _select(store, "SELECT ?total ?sum ?label WHERE { ?i a adkg:ArithmeticInconsistency ; "
                          "adkg:statedTotal ?total ; adkg:sumOfParts ?sum ; rdfs:label ?label }") == [
        ("49", "46", "49 centres: the total is 49 but its 2 enumerated parts add up to 46"),
    ]


def test_an_arithmetic_inconsistency_says_when_a_part_is_a_reading() -> None:
    store = _derive("arithmetic-reading-fires.ttl")
    assert _select(store, "SELECT ?label WHERE { ?i a adkg:ArithmeticInconsistency ; rdfs:label ?label }") == [
        ("49 centres: the total is 49 but its 2 enumerated parts add up to 46 (1 of the parts' values is "
         "the graph's reading of the text, not a figure it states)",),
    ]


def test_arithmetic_near_miss_parts_add_up_or_give_bounds() -> None:
    assert _select(_derive("arithmetic-near-miss.ttl"), "SELECT ?i WHERE { ?i a adkg:ArithmeticInconsistency }") == []


def test_a_series_runs_across_claimants_from_one_start_and_flags_a_fall() -> None:
    store = _derive("series-fires.ttl")
    assert _select(store, "SELECT ?start ?m WHERE { ?s a adkg:CumulativeSeries ; adkg:seriesStart ?start ; "
                          "adkg:groupClaim ?m }") == [
        ("2023-09-01", "claim-december"), ("2023-09-01", "claim-late"), ("2023-09-01", "claim-november"),
        ("2023-09-01", "claim-november-b"), ("2023-09-01", "claim-september"),
    ]
    assert _select(store, "SELECT ?later ?earlier WHERE { ?later adkg:previousFigure ?earlier }") == [
        ("claim-december", "claim-late"), ("claim-december", "claim-november"),
        ("claim-december", "claim-november-b"), ("claim-late", "claim-september"),
        ("claim-november", "claim-september"), ("claim-november-b", "claim-september"),
    ]
    query = ("SELECT ?a ?b WHERE { ?d a adkg:Decrease ; adkg:inSeries ?s ; adkg:involves ?a , ?b "
             "FILTER(STR(?a) < STR(?b)) }")
    assert _select(store, query) == [
        ("claim-december", "claim-late"), ("claim-december", "claim-november"),
        ("claim-december", "claim-november-b"),
    ]
    # Totals to the same day conflict; a total to some day of that month may come before or after.
    assert _select(store, "SELECT ?a ?b WHERE { ?d a adkg:Disagreement ; adkg:involves ?a , ?b "
                          "FILTER(STR(?a) < STR(?b)) }") == [("claim-november", "claim-november-b")]
    assert _select(store, "SELECT ?m ?ok WHERE { ?g a adkg:ComparableGroup ; adkg:groupClaim ?m ; "
                          "adkg:allCanHold ?ok }") == [
        ("claim-late", "false"), ("claim-november", "false"), ("claim-november-b", "false"),
    ]


def test_series_near_miss_other_starts_other_people_or_not_cumulative() -> None:
    store = _derive("series-near-miss.ttl")
    query = """SELECT ?x WHERE { { ?x adkg:previousFigure ?y } UNION { ?x a adkg:Decrease }
        UNION { ?x a adkg:CumulativeSeries } UNION { ?x a adkg:ComparableGroup } }"""
    assert _select(store, query) == []


def test_rdfs_entailments_fire_for_subclasses_subproperties_and_inverses() -> None:
    store = _derive("rdfs-entailments-fires.ttl")
    assert ("order-1",) in _select(store, "SELECT ?x WHERE { ?x a adkg:Policy }")
    assert _select(store, "SELECT ?x ?y WHERE { ?x <https://schema.org/about> ?y }") == [("claim-1", "order-1")]
    assert _select(store, f"SELECT ?x ?y WHERE {{ ?x <{ID}part-of> ?y }}") == [("piece", "whole")]


def test_rdfs_entailments_near_miss_anonymous_superclass_or_already_stated() -> None:
    store = _derive("rdfs-entailments-near-miss.ttl")
    assert _select(store, f"SELECT ?t WHERE {{ <{ID}thing-1> a ?t }}") == []  # the derived graph alone
    assert _select(store, f"SELECT ?t WHERE {{ <{ID}order-2> a ?t FILTER(?t = adkg:Policy) }}") == []


@pytest.mark.parametrize("rule", RULES, ids=lambda p: p.name)
def test_every_rule_opens_with_what_it_derives(rule: Path) -> None:
    text = rule.read_text(encoding="utf-8")
    assert text.startswith("# Derives"), rule.name
    assert prepareQuery(text).algebra.name == "ConstructQuery", rule.name


@pytest.mark.parametrize("engine", list(Engine))
def test_derived_nodes_conform_to_the_derived_shapes(engine: Engine) -> None:
    shapes = parse_shapes([PROJECT_ROOT / "shapes" / DERIVED_SHAPES])
    for fixture in ("disagreement-fires.ttl", "arithmetic-fires.ttl", "series-fires.ttl", "flow-fires.ttl",
                    "near-equivalent-fires.ttl", "target-progress-fires.ttl", "comparability-not-transitive.ttl"):
        assert validate_store(_derive(fixture), shapes=shapes, engine=engine).results == (), fixture


@pytest.mark.parametrize("engine", list(Engine))
def test_a_malformed_derived_node_is_a_violation(engine: Engine) -> None:
    store = _derive("disagreement-fires.ttl")
    store.update("""PREFIX adkg: <https://w3id.org/adkg/ontology#>
        DELETE { GRAPH ?g { ?d adkg:involves ?b } } WHERE {
          GRAPH ?g { ?d a adkg:Disagreement ; adkg:involves ?b }
          FILTER(STRENDS(STR(?b), "claim-b"))
        }""")
    report = validate_store(store, shapes=parse_shapes([PROJECT_ROOT / "shapes" / DERIVED_SHAPES]), engine=engine)
    assert {(r.shape, r.path) for r in report.violations} == {
        ("adkgsh:DisagreementShape-involves", "adkg:involves")
    }
