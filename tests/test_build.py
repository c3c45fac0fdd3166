"""``adkg build`` and ``adkg query``: a validated store swapped in atomically, or nothing changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from adkg.store import DataFolder
from conftest import DATA, add_second_source


def _fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def current_store(settings) -> Path | None:  # the store the CLI's settings serve
    return DataFolder(settings.data_folder).current()


ID = "https://w3id.org/adkg/id/"


def _settings(root: Path):  # the settings the CLI reads
    from adkg.settings import Settings

    return Settings(project_root=root)


def test_build_loads_named_graphs_runs_rules_and_saves_a_report(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    result = run_adkg("build", root=project)
    assert result.exit_code == 0, result.output
    report = json.loads((project / ".adkg" / "build-report.json").read_text(encoding="utf-8"))
    sources = {f"https://w3id.org/adkg/graph/source/{folder.name}"
               for folder in (project / "graph" / "source").iterdir() if folder.is_dir()}
    assert "https://w3id.org/adkg/graph/source/wikipedia-extract" in sources
    assert set(report["graphs"]) == {
        "https://w3id.org/adkg/graph/ontology",
        "https://w3id.org/adkg/graph/entities",
        "https://w3id.org/adkg/graph/derived",
        *sources,
    }
    assert list(report["steps"]) == [
        "parse", "anchors", "validate", "rules", "validate derived", "report", "write", "swap"
    ]
    assert report["claims"] > 0
    assert report["classes"]["adkg:QuantityClaim"] > 0
    about = run_adkg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?c <https://w3id.org/adkg/ontology#about> ?x }",
                     "--format", "csv", root=project)
    assert about.exit_code == 0
    assert report["derived"]["010-subject-of.rq"] == int(about.output.split()[-1])


def test_a_failed_build_leaves_the_served_store_byte_for_byte(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    assert run_adkg("build", root=project).exit_code == 0
    served = current_store(_settings(project))
    assert served is not None
    before = _fingerprint(served)
    claims = project / "graph" / "source" / "wikipedia-extract" / "s01-s22.ttl"
    text = claims.read_text(encoding="utf-8")

    # a syntax error: exit 2 naming the file and line
    claims.write_text(text + '\nadkgr:broken adkgr:p "unterminated .\n', encoding="utf-8")
    broken = run_adkg("build", root=project)
    assert broken.exit_code == 2
    assert "s01-s22.ttl:" in broken.output

    # a SHACL violation: a claim with neither value nor bound
    claims.write_text(text.replace("    schema:value 3800000 ;\n", "", 1), encoding="utf-8")
    invalid = run_adkg("build", root=project)
    assert invalid.exit_code == 2
    assert "build failed at validate" in invalid.output
    assert "adkgsh:QuantityClaimShape" in invalid.output

    # an anchor that no longer matches the seed
    claims.write_text(text.replace("an estimated 3.8 million", "an estimated 3.9 million", 1), encoding="utf-8")
    moved = run_adkg("build", root=project)
    assert moved.exit_code == 2
    assert "build failed at anchors" in moved.output

    assert current_store(_settings(project)) == served
    assert _fingerprint(served) == before
    assert sorted(p.name for p in (project / ".adkg" / "stores").iterdir()) == [served.name]
    old = run_adkg("query", "ASK { ?c <https://schema.org/value> 3800000 }", "--format", "tsv", root=project)
    assert old.exit_code == 0
    assert "true" in old.output


def test_a_second_build_swaps_and_keeps_only_the_previous_store(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    served = []
    for _ in range(3):
        assert run_adkg("build", root=project).exit_code == 0
        served.append(current_store(_settings(project)))
    assert len(set(served)) == 3
    assert {p.resolve() for p in (project / ".adkg" / "stores").iterdir()} == {served[1], served[2]}


def test_a_query_before_any_build_says_to_build(run_adkg: Callable[..., Result], project: Path) -> None:
    missing = run_adkg("query", "ASK {}", root=project)
    assert missing.exit_code == 2
    assert "run adkg build" in missing.output


def test_query_formats_and_errors(run_adkg: Callable[..., Result], built_project: Path, tmp_path: Path) -> None:
    project = built_project
    select = (
        "SELECT ?label WHERE { <https://w3id.org/adkg/id/unhcr> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    )
    assert run_adkg("query", select, "--format", "tsv", root=project).output == '?label\n"UNHCR"@en\n'
    bindings = json.loads(run_adkg("query", select, root=project).output)["results"]["bindings"]
    assert bindings == [{"label": {"type": "literal", "value": "UNHCR", "xml:lang": "en"}}]
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    assert run_adkg("query", construct, "--format", "ntriples", root=project).output.endswith(" .\n")
    wrong = run_adkg("query", construct, "--format", "csv", root=project)
    assert wrong.exit_code == 2
    assert "no format asked for fits CONSTRUCT or DESCRIBE results; available: text/turtle" in wrong.output
    syntax = run_adkg("query", "SELECT * WHERE { ?s ?p }", root=project)
    assert syntax.exit_code == 2
    assert "error at 1:" in syntax.output
    broken_file = tmp_path / "broken.rq"
    broken_file.write_text("SELECT * WHERE {\n  ?s ?p\n", encoding="utf-8")
    broken = run_adkg("query", "-f", str(broken_file), root=project)
    assert broken.exit_code == 2
    assert f"{broken_file}: error at 3:" in broken.output
    query_file = tmp_path / "q.rq"
    query_file.write_text(select, encoding="utf-8")
    from_file = run_adkg("query", "-f", str(query_file), "--format", "csv", root=project)
    assert from_file.output.split() == ["label", "UNHCR"]


def test_a_graph_file_outside_the_mapped_folders_fails_the_build(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    shutil.copy(DATA / "valid" / "lint" / "example-claims.ttl", project / "graph" / "stray.ttl")
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert "graph/stray.ttl lies in no folder that maps to a named graph" in result.output


def test_a_source_file_with_another_extension_is_named_in_a_warning(project: Path) -> None:
    """Regression: a source saved as claims.turtle (or left as s01.ttl.bak) was skipped silently."""
    import adkg.build

    folder = project / "graph" / "source" / "wikipedia-extract"
    shutil.copy(folder / "s01-s22.ttl", folder / "claims.turtle")
    (project / "shapes" / "notes.txt").write_text("to do", encoding="utf-8")
    (folder / ".#s01-s22.ttl").symlink_to("nowhere")  # an editor's lock: not a source, no warning
    report = adkg.build.build(_settings(project))
    unread = [warning for warning in report.warnings if "is not read" in warning]
    assert unread == [
        "graph/source/wikipedia-extract/claims.turtle is not read: only *.ttl files are sources",
        "shapes/notes.txt is not read: only *.ttl files are sources",
    ]


def test_a_second_source_meets_the_seed_in_each_kind_of_comparison_without_code_changes(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    add_second_source(project)
    assert run_adkg("anchor", root=project).exit_code == 0
    result = run_adkg("build", root=project)
    assert result.exit_code == 0, result.output

    def select(query: str) -> list[str]:
        prefixes = ("PREFIX adkg: <https://w3id.org/adkg/ontology#> "
                    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
        output = run_adkg("query", prefixes + query, "--format", "tsv", root=project).output
        return [line.replace("https://w3id.org/adkg/id/", "") for line in output.splitlines()[1:]]

    # Whatever other sources the project holds, these must be derived and these must not.
    # A competing stock: the new figure joins the seed's group and disagrees with the UN's and the
    # government's figures; a near-equivalent figure meets the seed's in a group of its own kind.
    disagreements = select("SELECT ?label WHERE { ?d a adkg:Disagreement ; rdfs:label ?label }")
    for expected in (
        '"Afghans in Pakistan: approximately 4100000 (Pakistani officials) against 3800000 (United Nations)"@en',
        '"Afghans in Pakistan: approximately 4400000 (Government of Pakistan) '
        'against approximately 4100000 (Pakistani officials)"@en',
        '"Afghans in Pakistan: as high as 4400000 (Government of Pakistan) '
        'against approximately 4100000 (Pakistani officials)"@en',
        '"Afghans without visas in Pakistan: approximately 1700000 (Government of Pakistan) against '
        'undocumented Afghans in Pakistan: approximately 1300000 (Pakistani officials); near-equivalent '
        'variables (skos:closeMatch), a comparison with a caveat"@en',
    ):
        assert expected in disagreements
    # A running total from the seed's start continues the seed's series; the seed's total whose
    # start is not stated stays out of it; the new figure is in no fall.
    test_returns, seed_returns = ("<claim-test-border-officials-returns-2023-11-20>",
                                  "<claim-border-officials-afghan-departures-2023-11-05>")
    assert f"{test_returns}\t{seed_returns}" in select(
        "SELECT ?later ?earlier WHERE { ?s a adkg:CumulativeSeries ; adkg:groupClaim ?later . "
        "?later adkg:previousFigure ?earlier }")
    assert "<claim-wikipedia-repatriations-to-afghanistan-by-2025-01>" not in select(
        "SELECT ?c WHERE { ?s a adkg:CumulativeSeries ; adkg:groupClaim ?c }")
    assert select(f"SELECT ?d WHERE {{ ?d a adkg:Decrease ; adkg:involves <{ID}{test_returns[1:-1]}> }}") == []
    # A flow over another period is never compared with the seed's flow (whose period, open at its
    # start, is compared with none: the rule tests cover flows over the same period).
    voluntary = f"<{ID}claim-test-voluntary-departures-2023-10>"
    assert select(f"SELECT ?g WHERE {{ ?g adkg:groupClaim {voluntary} }}") == []
    # A target is set against the counts of its variable, from both sources, and compared with none.
    target = f"<{ID}claim-test-government-return-target>"
    progress = select(f"SELECT ?count ?share WHERE {{ ?p adkg:targetClaim {target} ; adkg:countClaim ?count ; "
                      "adkg:shareOfTarget ?share }")
    for expected in (f"{seed_returns}\t15.9", f"{test_returns}\t22.7",
                     "<claim-wikipedia-repatriations-to-afghanistan-by-2025-01>\t73.9"):
        assert expected in progress
    assert select(f"SELECT ?g WHERE {{ ?g adkg:groupClaim {target} }}") == []


def test_a_failure_after_the_swap_never_removes_the_store_being_served(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a failure after the swap (in pruning old stores) removed the new, served store."""
    import adkg.build
    import adkg.store

    def failing_prune(*_: object, **__: object) -> None:
        raise OSError("disk trouble while pruning")

    monkeypatch.setattr(adkg.store.DataFolder, "prune", failing_prune)
    with pytest.raises(OSError, match="pruning"):
        adkg.build.build(_settings(project))
    served = current_store(_settings(project))
    assert served is not None
    assert (served / "build-report.json").is_file()


def test_an_old_store_that_cannot_be_removed_is_a_warning(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adkg.build
    import adkg.store

    settings = _settings(project)
    adkg.build.build(settings)
    adkg.build.build(settings)

    def failing_rmtree(path: Path, **_: object) -> None:
        raise OSError(f"cannot remove {path}")

    monkeypatch.setattr(adkg.store.shutil, "rmtree", failing_rmtree)
    report = adkg.build.build(settings)
    assert current_store(settings) == Path(report.store).resolve()
    assert any(w.startswith("could not remove the old store") for w in report.warnings)
    saved = json.loads((project / ".adkg" / "build-report.json").read_text(encoding="utf-8"))
    assert saved["store"] == report.store


def test_a_second_build_while_one_runs_is_refused(project: Path) -> None:
    import fcntl

    import adkg.build
    from adkg.store import StoreBusyError

    settings = _settings(project)
    settings.data_folder.mkdir(parents=True)
    with (settings.data_folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(StoreBusyError, match="another adkg build or update is running"):
            adkg.build.build(settings)
    assert current_store(settings) is None


@pytest.mark.parametrize("missing", ["graph", "shapes", "queries/rules", "seeds"])
def test_a_missing_project_folder_is_named(run_adkg: Callable[..., Result], project: Path, missing: str) -> None:
    shutil.rmtree(project / missing)
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert f"{project / missing} does not exist" in result.output


def test_an_empty_rules_folder_fails_the_build(run_adkg: Callable[..., Result], project: Path) -> None:
    for rule in (project / "queries" / "rules").iterdir():
        rule.unlink()
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert "no rule (*.rq)" in result.output


def test_a_changed_seed_is_refused_by_the_build_and_the_anchor_check(
    run_adkg: Callable[..., Result], project: Path
) -> None:
    """Regression: a seed edited after its anchors were written built cleanly; only a test noticed."""
    seed = project / "seeds" / "000_fe3c9ec141ab1019.txt"  # the seed; other sources' files stay as they are
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("3.8 million", "3.9 million", 1), encoding="utf-8")  # same length
    for command in (("build",), ("anchor", "--check")):
        result = run_adkg(*command, root=project)
        assert result.exit_code == 2, result.output
        assert f"{seed.name} is not the text its metadata records (SHA-256 " in result.output
    seed.write_text(text + " ", encoding="utf-8")
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert "10821 bytes, the metadata records 10820; 10818 characters, the metadata records 10817" in result.output


def test_editor_lock_and_autosave_files_are_not_sources(run_adkg: Callable[..., Result], project: Path) -> None:
    """Regression: an Emacs lock file (a dangling link named .#FILE.ttl) broke every command."""
    folder = project / "graph" / "source" / "wikipedia-extract"
    (folder / ".#s01-s22.ttl").symlink_to("user@host.1234:1700000000")
    (folder / "#s01-s22.ttl#").write_text("not Turtle at all", encoding="utf-8")
    (project / "queries" / "rules" / ".#050-disagreements.rq").symlink_to("user@host.1234:1700000000")
    (project / "queries" / "checks" / ".#missing-label-violation.rq").symlink_to("user@host.1234:1700000000")
    for command in (("fmt", "--check"), ("anchor", "--check"), ("lint",), ("build",)):
        result = run_adkg(*command, root=project)
        assert result.exit_code == 0, (command, result.output)


def test_the_build_command_imports_neither_rdflib_nor_pyshacl() -> None:
    """Issue 11: rdflib is for the contributor's tools, not on the build's path; pySHACL only for
    ``adkg validate --engine pyshacl``."""
    code = (
        "import sys, adkg.cli, adkg.build, adkg.validation, adkg.anchor_check, adkg.shacl_sparql\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'rdflib', 'pyshacl'}))"
    )
    modules = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert modules.strip() == "[]"


def test_a_graph_file_without_triples_is_built(run_adkg: Callable[..., Result], project: Path) -> None:
    """Regression: a file of only prefixes made no graph, and moving its triples to their named
    graph failed with Oxigraph's "graph does not exist"."""
    (project / "graph" / "entities" / "empty.ttl").write_text("PREFIX adkg: <https://w3id.org/adkg/ontology#>\n")
    result = run_adkg("build", root=project)
    assert result.exit_code == 0, result.output


def test_an_ill_typed_offset_is_an_anchor_problem(run_adkg: Callable[..., Result], project: Path) -> None:
    """Regression: an offset that is no integer, though typed so, crashed the build's anchor check."""
    path = project / "graph" / "source" / "wikipedia-extract" / "s01-s22.ttl"
    text = path.read_text(encoding="utf-8")
    start = text.index("oa:start ")
    end = text.index(" ", start + len("oa:start "))
    path.write_text(text[:start] + 'oa:start "zero"^^xsd:integer' + text[end:], encoding="utf-8")
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert "build failed at anchors" in result.output
    assert "offsets are ('zero'," in result.output


def test_a_syntax_error_names_file_and_line_once(run_adkg: Callable[..., Result], project: Path) -> None:
    """Regression: the parser's message ended with Python's own "(file, line N)" after adkg's "file:N:"."""
    (project / "graph" / "entities" / "bad.ttl").write_text('<urn:a> <urn:p> "unterminated .\n', encoding="utf-8")
    result = run_adkg("build", root=project)
    assert result.exit_code == 2
    assert "bad.ttl:1: " in result.output
    assert "line 1)" not in result.output
