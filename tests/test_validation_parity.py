"""The SPARQL engine against pySHACL on a graph ten times the seed's, with a fault of every kind.

The graph is ``bench/generate.py``'s tenfold copy, built as the build builds it (rules included),
then broken by the updates below: each breaks some nodes of one copy in one way, and together they
make every constraint component that the shapes use directly (not only inside another shape)
report. Both engines must then give the same results, term for term; the test also checks that
every such component did report, so a fault that stops firing is noticed.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Final

import pyoxigraph
import pytest

from adkg.build import run_rules
from adkg.dataset import load_dataset
from adkg.shapes_model import Shape, read_shapes
from adkg.sources import folder_files
from adkg.turtle_files import turtle_files
from adkg.validation import Engine, ValidationReport, parse_shapes, validate_store
from conftest import PROJECT_ROOT

PREFIXES: Final = """
PREFIX adkg: <https://w3id.org/adkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _first(pattern: str, variables: str = "?x", copy: int = 2, graph: str = "?g") -> str:
    """A sub-SELECT of the first match of ``pattern`` (by its first variable of ``variables``, all
    projected) in the graph of copy ``copy``, bound to ``graph``."""
    return (f"{{ SELECT {variables} {graph} WHERE {{ GRAPH {graph} {{ {pattern} }} "
            f"FILTER(STRENDS(STR({graph}), \"/copy-{copy}\")) }} ORDER BY {variables.split(maxsplit=1)[0]} LIMIT 1 }}")


#: Each fault: what it breaks, and the SPARQL update that breaks it.
FAULTS: Final = {
    "class: an actor affiliated with a place": f"""
        INSERT {{ GRAPH ?g {{ ?x adkg:affiliatedWith ?place }} }}
        WHERE {{ {_first("?x a adkg:Person")}
                 {_first("?place adkg:administrativeLevel adkg:administrative-level-country", "?place", 3, "?g2")}
               }}""",
    "datatype: a date as a plain string": f"""
        DELETE {{ GRAPH ?g {{ ?x time:inXSDDate ?d }} }} INSERT {{ GRAPH ?g {{ ?x time:inXSDDate "7 March" }} }}
        WHERE {{ {_first("?x time:inXSDDate ?d")} GRAPH ?g {{ ?x time:inXSDDate ?d }} }}""",
    # (on an instant, not on an event: pySHACL fails comparing an ill-typed date with sh:lessThanOrEquals)
    "datatype: an ill-typed date": f"""
        DELETE {{ GRAPH ?g {{ ?x time:inXSDDate ?d }} }}
        INSERT {{ GRAPH ?g {{ ?x time:inXSDDate "2023-02-30"^^xsd:date }} }}
        WHERE {{ {_first("?x time:inXSDDate ?d", copy=3)} GRAPH ?g {{ ?x time:inXSDDate ?d }} }}""",
    "node kind: a licence as a literal": f"""
        DELETE {{ GRAPH ?g {{ ?x dcterms:license ?l }} }} INSERT {{ GRAPH ?g {{ ?x dcterms:license "CC BY-SA" }} }}
        WHERE {{ {_first("?x dcterms:license ?l")} GRAPH ?g {{ ?x dcterms:license ?l }} }}""",
    "node kind, qualified counts: a blank-node anchor with no selectors": f"""
        INSERT {{ GRAPH ?g {{ ?x prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource ?s ] }} }}
        WHERE {{ {_first("?x a adkg:QuantityClaim ; adkg:reportedIn ?s", "?x ?s", copy=4)} }}""",
    "pattern: a link out that is not Wikidata": f"""
        INSERT {{ GRAPH ?g {{ ?x skos:exactMatch <http://example.org/not-wikidata> }} }}
        WHERE {{ {_first("?x a adkg:Person")} }}""",
    "pattern: a currency that is no ISO 4217 code": f"""
        DELETE {{ GRAPH ?g {{ ?x schema:currency ?c }} }} INSERT {{ GRAPH ?g {{ ?x schema:currency "XYZ1" }} }}
        WHERE {{ {_first("?x schema:currency ?c")} GRAPH ?g {{ ?x schema:currency ?c }} }}""",
    "min length: an empty quote": f"""
        DELETE {{ GRAPH ?g {{ ?x oa:exact ?e }} }} INSERT {{ GRAPH ?g {{ ?x oa:exact "" }} }}
        WHERE {{ {_first("?a oa:hasSelector ?x . ?x oa:exact ?e", "?a", 5)}
                 GRAPH ?g {{ ?a oa:hasSelector ?x . ?x oa:exact ?e }} }}""",
    "min inclusive: footnote number 0": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:referenceNumber ?n }} }} INSERT {{ GRAPH ?g {{ ?x adkg:referenceNumber 0 }} }}
        WHERE {{ {_first("?x adkg:referenceNumber ?n")} GRAPH ?g {{ ?x adkg:referenceNumber ?n }} }}""",
    "in: a kind of measure outside the list": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:measureKind ?k }} }} INSERT {{ GRAPH ?g {{ ?x adkg:measureKind adkg:Person }} }}
        WHERE {{ {_first("?x adkg:measureKind ?k", copy=6)} GRAPH ?g {{ ?x adkg:measureKind ?k }} }}""",
    "language in: a definition in French only": f"""
        DELETE {{ GRAPH ?g {{ ?x skos:definition ?d }} }} INSERT {{ GRAPH ?g {{ ?x skos:definition "groupe"@fr }} }}
        WHERE {{ {_first("?x a adkg:PopulationGroup ; skos:definition ?d")} GRAPH ?g {{ ?x skos:definition ?d }} }}""",
    "qualified max count: two English labels": f"""
        INSERT {{ GRAPH ?g {{ ?x rdfs:label "another name"@en }} }}
        WHERE {{ {_first("?x a adkg:Organization")} }}""",
    "min count: a claim without claimant": f"""
        DELETE {{ GRAPH ?g {{ ?x prov:wasAttributedTo ?a }} }}
        WHERE {{ {_first("?x a adkg:QuantityClaim ; prov:wasAttributedTo ?a", copy=3)}
                 GRAPH ?g {{ ?x prov:wasAttributedTo ?a }} }}""",
    "max count, xone: a value beside a range": f"""
        INSERT {{ GRAPH ?g {{ ?x schema:value 1, 2 }} }}
        WHERE {{ {_first("?x a adkg:QuantityClaim ; schema:minValue ?m")} }}""",
    "less than: a position that starts after it ends": f"""
        DELETE {{ GRAPH ?g {{ ?x oa:start ?s }} }} INSERT {{ GRAPH ?g {{ ?x oa:start 999999 }} }}
        WHERE {{ {_first("?a oa:hasSelector ?x . ?x oa:start ?s", "?a", 6)}
                 GRAPH ?g {{ ?a oa:hasSelector ?x . ?x oa:start ?s }} }}""",
    "less than or equals: an event that begins after it ends": f"""
        DELETE {{ GRAPH ?g {{ ?x sem:hasEarliestBeginTimeStamp ?b }} }}
        INSERT {{ GRAPH ?g {{ ?x sem:hasEarliestBeginTimeStamp "2099-01-01"^^xsd:date }} }}
        WHERE {{ {_first("?x sem:hasEarliestBeginTimeStamp ?b ; sem:hasLatestEndTimeStamp ?e", copy=7)}
                 GRAPH ?g {{ ?x sem:hasEarliestBeginTimeStamp ?b }} }}""",
    "node: an administrative level from another scheme": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:administrativeLevel ?l }} }}
        INSERT {{ GRAPH ?g {{ ?x adkg:administrativeLevel adkg:measure-kind-stock }} }}
        WHERE {{ {_first("?x adkg:administrativeLevel ?l", copy=8)} GRAPH ?g {{ ?x adkg:administrativeLevel ?l }} }}""",
    "or: a claim's time that is no time": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:asOf ?t }} }} INSERT {{ GRAPH ?g {{ ?x adkg:asOf adkg:Person }} }}
        WHERE {{ {_first("?x a adkg:QualitativeClaim ; adkg:asOf ?t")} GRAPH ?g {{ ?x adkg:asOf ?t }} }}""",
    "or through not: a share without denominator": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:measureKind ?k }} }}
        INSERT {{ GRAPH ?g {{ ?x adkg:measureKind adkg:measure-kind-share }} }}
        WHERE {{ {_first("?x adkg:measureKind adkg:measure-kind-stock", copy=9)}
                 GRAPH ?g {{ ?x adkg:measureKind ?k }} }}""",
    "sparql: a place that reaches no country": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:locatedIn ?p }} }}
        WHERE {{ {_first("?x a adkg:Settlement ; adkg:locatedIn ?p")} GRAPH ?g {{ ?x adkg:locatedIn ?p }} }}""",
    "sparql: an anchor on a source the claim is not reported in": f"""
        DELETE {{ GRAPH ?g {{ ?x adkg:reportedIn ?s }} }} INSERT {{ GRAPH ?g {{ ?x adkg:reportedIn ?other }} }}
        WHERE {{ {_first("?x a adkg:QuantityClaim ; adkg:reportedIn ?s", copy=10)} GRAPH ?g {{ ?x adkg:reportedIn ?s }}
                 {_first("?other a adkg:SourceDocument", "?other", 9, "?g2")} }}""",
    "disjoint, in: a derived total equal to its sum, and a group of another mapping": """
        INSERT { GRAPH <https://w3id.org/adkg/graph/derived> { ?x adkg:sumOfParts ?t .
            ?c adkg:groupMapping adkg:Person } }
        WHERE { { SELECT ?x ?t WHERE { GRAPH ?d { ?x adkg:statedTotal ?t } } ORDER BY ?x LIMIT 1 }
                { SELECT ?c WHERE { GRAPH ?e { ?c a adkg:ComparableGroup } } ORDER BY ?c LIMIT 1 } }""",
}


def _components(shape: Shape) -> set[str]:
    """The constraint components of ``shape`` and its property shapes, by local name."""
    own = {
        *(test.component for test in shape.values), *(count.component for count in shape.counts),
        *("HasValue" for _ in shape.has_values), *(pair.component for pair in shape.pairs),
        *(test.logic.value for test in shape.logic), *("SPARQL" for _ in shape.sparql),
        *(name for q in shape.qualified for name, bound in (("QualifiedMinCount", q.minimum),
                                                             ("QualifiedMaxCount", q.maximum)) if bound is not None),
    }
    return own.union(*(_components(p) for p in shape.properties))


@pytest.fixture(scope="module")
def broken_tenfold(tmp_path_factory: pytest.TempPathFactory) -> pyoxigraph.Store:
    root = tmp_path_factory.mktemp("tenfold")
    subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "generate.py"), "--factor", "10", "--out", str(root)],
                   check=True)
    store = load_dataset(root)
    run_rules(store, folder_files(root / "queries" / "rules", "*.rq"))
    for name, update in FAULTS.items():
        before = len(store)
        store.update(PREFIXES + update)
        assert len(store) != before or "DELETE" in update, f"the fault {name!r} changed nothing"
    return store


@pytest.fixture(scope="module")
def shapes() -> list[pyoxigraph.Triple]:
    return parse_shapes(turtle_files([PROJECT_ROOT / "shapes"]))


@pytest.fixture(scope="module")
def reports(broken_tenfold: pyoxigraph.Store, shapes: list[pyoxigraph.Triple]) -> dict[Engine, ValidationReport]:
    return {engine: validate_store(broken_tenfold, shapes=shapes, engine=engine) for engine in Engine}


def test_both_engines_give_the_same_results_on_a_broken_tenfold_graph(
    reports: dict[Engine, ValidationReport],
) -> None:
    sparql, pyshacl = reports[Engine.SPARQL].results, reports[Engine.PYSHACL].results
    assert set(sparql) - set(pyshacl) == set()
    assert set(pyshacl) - set(sparql) == set()
    assert sparql == pyshacl


def test_every_constraint_component_the_shapes_use_directly_reported(
    reports: dict[Engine, ValidationReport], shapes: list[pyoxigraph.Triple]
) -> None:
    used = set().union(*(_components(shape) for shape in read_shapes(shapes) if shape.is_targeted))
    reported = {
        result.component.removeprefix("sh:").removesuffix("ConstraintComponent")
        for result in reports[Engine.SPARQL].results
    }
    assert used - {"HasValue"} <= reported, used - reported  # sh:hasValue is used only inside other shapes
    assert "HasValue" not in used
