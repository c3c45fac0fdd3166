"""Adding a source is a routine: ``adkg source new``, ``adkg find``, ``adkg coverage SLUG`` and
``adkg examples``, as the README's "Adding a source" walks a contributor through them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from adkg.coverage import source_coverage
from adkg.namespaces import ADKGR
from adkg.turtle_files import parse_turtle
from conftest import DATA, copy_fixture

DOCUMENT = "Dawn, 20 November 2023\n\nISLAMABAD: Officials said 300,000 Afghans had returned.\n"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"


def _document(tmp_path: Path, data: bytes = DOCUMENT.encode(), name: str = "dawn-2023-11-20.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_source_new_copies_the_text_and_writes_metadata_the_build_holds_it_to(
    run_adkg: Callable[..., Result], project: Path, tmp_path: Path
) -> None:
    document = _document(tmp_path)
    result = run_adkg("source", "new", "dawn-returns", str(document), "--title", "Afghans returned",
                      "--creator", "adkgr:wikipedia-contributors", "--publisher", "adkgr:wikimedia-foundation",
                      "--date", "2023-11", root=project)
    assert result.exit_code == 0, result.output
    assert (project / "seeds" / document.name).read_bytes() == document.read_bytes()
    metadata = (project / "graph" / "source" / "dawn-returns" / "source.ttl").read_text(encoding="utf-8")
    for expected in ('adkg:characterCount 80 ;', 'dcterms:creator adkgr:wikipedia-contributors ;',
                     'schema:contentSize "80 bytes" ;', 'dcterms:license "" ;',
                     'time:inXSDgYearMonth "2023-11"^^xsd:gYearMonth ;', 'rdfs:label "Afghans returned"@en ;',
                     'schema:sha256 "'):
        assert expected in metadata
    assert run_adkg("fmt", "--check", root=project).exit_code == 0  # written canonical
    assert run_adkg("anchor", "--check", root=project).exit_code == 0  # its size and hash hold
    validated = run_adkg("validate", root=project)
    assert validated.exit_code == 1
    assert ("adkgr:source-dawn-returns dcterms:license = : needs exactly one dcterms:license IRI "
            "(adkg source new leaves it empty" in validated.output)


def test_source_new_with_a_licence_validates(run_adkg: Callable[..., Result], project: Path, tmp_path: Path) -> None:
    result = run_adkg("source", "new", "dawn-returns", str(_document(tmp_path)), "--title", "Afghans returned",
                      "--licence", LICENCE, root=project)
    assert result.exit_code == 0, result.output
    assert run_adkg("validate", root=project).exit_code == 0


def test_source_new_refuses_and_writes_nothing(run_adkg: Callable[..., Result], project: Path, tmp_path: Path) -> None:
    document = _document(tmp_path)
    refused = {
        ("Dawn_Returns", str(document)): "must be lower-case ASCII words and digits joined by hyphens",
        ("wikipedia-extract", str(document)): "already exists: a source with that slug is there already",
        ("latin-1", str(_document(tmp_path, "café".encode("latin-1"), "latin-1.txt"))): "is not UTF-8 text",
    }
    for (slug, path), message in refused.items():
        result = run_adkg("source", "new", slug, path, "--title", "x", root=project)
        assert result.exit_code == 2
        assert message in result.output
    dated = run_adkg("source", "new", "dated", str(document), "--title", "x", "--date", "20 Nov", root=project)
    assert "is not YYYY-MM-DD, YYYY-MM or YYYY" in dated.output
    assert not (project / "seeds" / document.name).exists()
    assert not (project / "graph" / "source" / "dated").exists()


def test_coverage_of_one_source_lets_a_heading_and_a_dateline_be_excluded(
    run_adkg: Callable[..., Result], project: Path, tmp_path: Path
) -> None:
    run_adkg("source", "new", "dawn-returns", str(_document(tmp_path)), "--title", "x", root=project)
    folder = project / "graph" / "source" / "dawn-returns"
    copy_fixture(DATA / "valid" / "coverage" / "dawn-exclusions.ttl", folder / "coverage-exclusions.ttl")
    assert run_adkg("anchor", root=project).exit_code == 0
    result = run_adkg("coverage", "dawn-returns", root=project)
    assert "source adkgr:source-wikipedia-extract" not in result.output
    assert "S01 [0,22) excluded: The dateline of the article, not part of its report." in result.output
    assert result.exit_code == 1  # the report's own sentence still needs its claim
    assert "GAP: figure '300,000' at 50 is in no anchor and not excluded" in result.output
    assert result.output.count("GAP: no node is anchored in this sentence") == 1  # S02's, not S01's
    assert "1 excluded" in result.output
    unknown = run_adkg("coverage", "no-such-source", root=project)
    assert unknown.exit_code == 2
    assert "no source adkgr:source-no-such-source with a seed text; the sources are:" in unknown.output


def test_a_sentence_inside_an_exclusion_needs_no_node() -> None:
    graph = parse_turtle(DATA / "valid" / "coverage" / "dawn-exclusions.ttl")
    report = source_coverage(graph, ADKGR["source-dawn-returns"], DOCUMENT)
    dateline, report_sentence = report
    assert (dateline.sentence.text, dateline.exclusions, dateline.gaps()) == (
        "Dawn, 20 November 2023", ("The dateline of the article, not part of its report.",), [],
    )
    assert "no node is anchored in this sentence" in report_sentence.gaps()


def test_find_lists_the_nodes_whose_labels_hold_every_word(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("find", "afghans LEAVING")
    assert result.exit_code == 0, result.output
    assert ("adkgr:variable-afghans-leaving-pakistan-for-afghanistan  adkg:StatisticalVariable  "
            "'Afghans leaving Pakistan for Afghanistan, running total'  (departures, cumulative flow, in Pakistan)"
            in result.output)
    assert "adkgr:afghans-in-pakistan " not in result.output  # 'leaving' is in none of its labels
    assert "adkg:statistic-departures  skos:Concept  'returns'" in run_adkg("find", "returns").output
    assert run_adkg("find", "no such words anywhere").output.strip() == "find: 0 nodes"


def test_examples_regenerates_the_expected_results_and_shows_what_changed(
    run_adkg: Callable[..., Result], built_project: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    expected = project / "queries" / "examples" / "money.tsv"
    original = expected.read_text(encoding="utf-8")
    expected.write_text(original.replace('"GBP"', '"EUR"'), encoding="utf-8")
    checked = run_adkg("examples", "--check", root=project)
    assert checked.exit_code == 1
    assert '-<https://w3id.org/adkg/id/claim-wikipedia-exit-fee-amount-gbp-2023-11>\t660\t\t"EUR"' in checked.output
    assert '+<https://w3id.org/adkg/id/claim-wikipedia-exit-fee-amount-gbp-2023-11>\t660\t\t"GBP"' in checked.output
    assert "examples: 1 would change" in checked.output
    assert run_adkg("examples", root=project).exit_code == 0
    assert expected.read_text(encoding="utf-8") == original
    assert run_adkg("examples", "--check", root=project).output.strip() == "examples: 0 would change"
