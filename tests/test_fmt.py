"""``adkg fmt``: one canonical Turtle form, deterministic, idempotent and lossless."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import Result

from adkg.canonical_turtle import canonical_turtle, format_file
from adkg.namespaces import new_graph
from adkg.turtle_files import parse_turtle, project_turtle_files
from conftest import DATA, PROJECT_ROOT, copy_fixture

#: Not canonical on purpose: unsorted subjects and predicates, prefixes the project spells otherwise
#: (sdo: for schema.org), an unused prefix, a prefix the project does not know (ex:), a shared
#: blank node, nested blank nodes, an RDF list and a multi-line string. (No comment: fmt refuses to
#: drop one, see test_a_comment_is_never_dropped.)
MESSY = DATA / "fmt" / "messy.ttl"
PROJECT_FILES = project_turtle_files(PROJECT_ROOT)


def _canonical_dataset(text: str) -> set[pyoxigraph.Triple]:
    """The triples of a Turtle text, blank nodes canonicalized, compared term for term."""
    dataset = pyoxigraph.Dataset(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.TURTLE))
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return {quad.triple for quad in dataset}


def test_messy_file_formats_to_the_documented_canonical_form(tmp_path: Path) -> None:
    copy = tmp_path / "messy.ttl"
    shutil.copy(MESSY, copy)
    assert format_file(copy, check=False).canonical is False
    assert copy.read_text(encoding="utf-8") == (DATA / "fmt" / "messy.canonical.ttl").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("path", [MESSY, *PROJECT_FILES], ids=lambda p: p.name)
def test_formatting_is_lossless_and_idempotent(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    format_file(copy, check=False)
    once = copy.read_text(encoding="utf-8")
    assert _canonical_dataset(once) == _canonical_dataset(path.read_text(encoding="utf-8"))
    assert format_file(copy, check=False).canonical is True
    assert copy.read_text(encoding="utf-8") == once


@pytest.mark.parametrize("path", [MESSY, *PROJECT_FILES], ids=lambda p: p.name)
def test_canonical_form_does_not_depend_on_triple_order_or_blank_node_labels(path: Path) -> None:
    graph = parse_turtle(path)
    lines = graph.serialize(format="nt").splitlines()
    for seed in (1, 2, 3):
        random.Random(seed).shuffle(lines)
        relabelled = "\n".join(lines).replace("_:", f"_:r{seed}x")
        shuffled_graph = new_graph().parse(data=relabelled, format="nt")
        for prefix, namespace in graph.namespaces():
            shuffled_graph.bind(prefix, namespace)
        assert canonical_turtle(shuffled_graph) == canonical_turtle(graph)


def test_canonical_form_does_not_depend_on_the_hash_seed() -> None:
    program = (
        "import sys; from pathlib import Path\n"
        "from adkg.canonical_turtle import canonical_turtle\n"
        "from adkg.turtle_files import parse_turtle\n"
        "for p in sys.argv[1:]: sys.stdout.write(canonical_turtle(parse_turtle(Path(p))))\n"
    )
    paths = [str(MESSY), *map(str, PROJECT_FILES)]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program, *paths],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "4242", "random")
    }
    assert len(outputs) == 1


def test_check_lists_files_that_are_not_canonical_and_changes_nothing(
    run_adkg: Callable[..., Result], tmp_path: Path
) -> None:
    copy = tmp_path / "messy.ttl"
    shutil.copy(MESSY, copy)
    result = run_adkg("fmt", "--check", str(copy), str(DATA / "fmt" / "messy.canonical.ttl"))
    assert result.exit_code == 1
    assert f"not canonical: {copy}" in result.output
    assert "messy.canonical.ttl" not in result.output
    assert copy.read_bytes() == MESSY.read_bytes()


def test_syntax_error_names_file_and_line(run_adkg: Callable[..., Result]) -> None:
    path = DATA / "invalid" / "fmt" / "syntax-error.ttl"
    result = run_adkg("fmt", "--check", str(path))
    assert result.exit_code == 2
    assert f"{path}:4: newline found in string literal" in result.output


def test_a_literal_rdflib_would_rewrite_is_refused_not_changed(
    run_adkg: Callable[..., Result], tmp_path: Path
) -> None:
    copy = tmp_path / "literal-rewritten.ttl"
    shutil.copy(DATA / "invalid" / "fmt" / "literal-rewritten.ttl", copy)
    result = run_adkg("fmt", str(copy))
    assert result.exit_code == 2
    assert '"1.0e3"^^<http://www.w3.org/2001/XMLSchema#double>' in result.output
    assert copy.read_bytes() == (DATA / "invalid" / "fmt" / "literal-rewritten.ttl").read_bytes()


def test_project_files_are_canonical(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("fmt", "--check")
    assert result.exit_code == 0, result.output
    assert f"fmt: {len(PROJECT_FILES)} Turtle files, 0 would be reformatted" in result.output


def test_crlf_line_ends_are_not_canonical_and_fmt_fixes_them(tmp_path: Path) -> None:
    """Regression: text-mode reading turned CRLF into LF, so --check passed a CRLF file."""
    path = tmp_path / "crlf.ttl"
    canonical = (PROJECT_ROOT / "ontology" / "concepts.ttl").read_bytes()  # no multi-line literal
    path.write_bytes(canonical.replace(b"\n", b"\r\n"))
    assert format_file(path, check=True).canonical is False
    assert format_file(path, check=False).canonical is False
    assert path.read_bytes() == canonical


def test_a_comment_is_never_dropped(run_adkg: Callable[..., Result], tmp_path: Path) -> None:
    """fmt refuses, naming the comment, to rewrite a file whose comment formatting would drop."""
    copy = copy_fixture(DATA / "invalid" / "fmt" / "comment-dropped.ttl", tmp_path / "comment-dropped.ttl")
    before = copy.read_bytes()
    for arguments in (["fmt", str(copy)], ["fmt", "--check", str(copy)]):
        result = run_adkg(*arguments)
        assert result.exit_code == 2
        assert f"{copy}:4: rewriting the file would drop the comment \"# the UN's figure\"" in result.output
        assert copy.read_bytes() == before
