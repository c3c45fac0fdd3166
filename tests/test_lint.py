"""``adkg lint``: every check passes on valid data, and each fires on the file named for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from adkg.errors import SourceSyntaxError
from adkg.lint import LintInputs, Violation, check_files, lint_dataset, run_checks
from conftest import DATA, PROJECT_ROOT

CHECKS = check_files(PROJECT_ROOT / "queries" / "checks")
VALID = DATA / "valid" / "lint"
INVALID = DATA / "invalid" / "lint"


def _lint(*, ontology: tuple[Path, ...] = (), sources: tuple[Path, ...] = (),
          queries: tuple[Path, ...] = ()) -> list[Violation]:
    inputs = LintInputs(
        DATA,
        ontology=(VALID / "ontology.ttl", *ontology),
        sources=sources,
        queries=(VALID / "query.rq", *queries),
    )
    return run_checks(lint_dataset(inputs), CHECKS)


def test_valid_ontology_and_query_pass_every_check() -> None:
    assert _lint() == []


# (invalid file, how it is linted, the term the violation must name)
CASES = [
    ("class-naming.ttl", "ontology", "adkg:holdingCentre"),
    ("property-naming.ttl", "ontology", "adkg:ReportedIn"),
    ("missing-label.ttl", "ontology", "adkg:Place"),
    ("missing-definition.ttl", "ontology", "adkg:Place"),
    ("missing-defined-by.ttl", "ontology", "adkg:statistic-arrivals"),
    ("property-domain-range.ttl", "ontology", "adkg:population"),
    ("concept-scheme.ttl", "ontology", "adkg:statistic-departures"),
    ("concept-naming.ttl", "ontology", "adkg:Alleged"),
    ("undefined-term.ttl", "sources", "adkg:reportedBy"),
    ("undefined-term.rq", "queries", "adkg:statedBy"),
    ("unknown-external-term.ttl", "sources", "prov:wasAttributedBy"),
    ("unknown-external-term.rq", "queries", "oa:hasSelecter"),
    ("dangling-link.ttl", "sources", "adkgr:unted-nations"),
]


def test_every_check_has_an_invalid_file() -> None:
    checked = {name.split(".")[0] for name, _, _ in CASES}
    assert checked == {check.name.removesuffix("-violation.rq") for check in CHECKS}
    assert {path.name for path in INVALID.iterdir()} == {name for name, _, _ in CASES}


@pytest.mark.parametrize(("name", "role", "term"), CASES, ids=[case[0] for case in CASES])
def test_invalid_file_fires_exactly_its_check(name: str, role: str, term: str) -> None:
    violations = _lint(**{role: (INVALID / name,)})
    assert [(v.check, v.term) for v in violations] == [(name.split(".", maxsplit=1)[0], term)]
    if role != "ontology":
        assert f"used in invalid/lint/{name}" in violations[0].problem


def test_a_misspelt_link_as_an_object_is_a_dangling_link(tmp_path: Path) -> None:
    data = tmp_path / "misspelt.ttl"
    data.write_text(
        "@prefix adkg: <https://w3id.org/adkg/ontology#> .\n@prefix adkgr: <https://w3id.org/adkg/id/> .\n"
        "adkgr:claim-1 a adkg:Claim ; adkg:about adkgr:afghans-in-pakistn .\n",
        encoding="utf-8",
    )
    assert [(v.check, v.term) for v in _lint(sources=(data,))] == [("dangling-link", "adkgr:afghans-in-pakistn")]


def test_domain_range_check_names_the_missing_axiom() -> None:
    [violation] = _lint(ontology=(INVALID / "property-domain-range.ttl",))
    assert str(violation) == (
        "property-domain-range: adkg:population: "
        "no rdfs:range and no English skos:scopeNote saying why"
    )


def test_a_query_that_does_not_parse_is_named_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?x WHERE {\n  ?x ?y\n", encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as raised:
        _lint(queries=(broken,))
    assert (raised.value.path, raised.value.line) == (broken, 3)


def test_project_lints_clean(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("lint")
    assert result.exit_code == 0, result.output
    assert f"lint: {len(CHECKS)} checks over" in result.output
    assert "0 violations" in result.output


def test_violations_are_printed_and_exit_1(run_adkg: Callable[..., Result], tmp_path: Path) -> None:
    for folder in ("ontology", "queries", "graph", "shapes"):
        (tmp_path / folder).mkdir()
    (tmp_path / "ontology" / "adkg.ttl").write_bytes((VALID / "ontology.ttl").read_bytes())
    (tmp_path / "ontology" / "extra.ttl").write_bytes((INVALID / "missing-label.ttl").read_bytes())
    (tmp_path / "queries" / "checks").symlink_to(PROJECT_ROOT / "queries" / "checks")
    result = run_adkg("lint", root=tmp_path)
    assert result.exit_code == 1
    assert "missing-label: adkg:Place: no English rdfs:label" in result.output


def test_a_turtle_file_that_does_not_parse_is_named_with_its_line() -> None:
    broken = DATA / "invalid" / "fmt" / "syntax-error.ttl"
    with pytest.raises(SourceSyntaxError) as raised:
        _lint(sources=(broken,))
    assert (raised.value.path, raised.value.line) == (broken, 4)


def test_claims_written_as_design_sketches_them_use_only_defined_terms() -> None:
    inputs = LintInputs.of_project(PROJECT_ROOT)
    inputs = LintInputs(
        inputs.root,
        ontology=inputs.ontology,
        sources=(*inputs.sources, VALID / "example-claims.ttl"),  # the graph holds what they link to
        queries=(),
    )
    assert run_checks(lint_dataset(inputs), CHECKS) == []


def test_a_check_that_does_not_select_term_and_problem_is_refused(tmp_path: Path) -> None:
    """Regression: a check without ?term printed its rows as 'None'."""
    check = tmp_path / "no-term-violation.rq"
    check.write_text("# Forbids nothing useful.\nSELECT ?x WHERE { ?x a ?y }\n", encoding="utf-8")
    inputs = LintInputs(DATA, ontology=(VALID / "ontology.ttl",), sources=(), queries=())
    with pytest.raises(SourceSyntaxError, match="SELECT of \\?term and \\?problem"):
        run_checks(lint_dataset(inputs), [check])
