"""``adkg anchor``: quotes are located in the seed, offsets written and checked."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from rdflib import URIRef

from adkg.anchors import anchor_file
from adkg.errors import LosslessFormatError
from adkg.namespaces import ADKGR, OA
from adkg.seed_texts import seed_texts
from adkg.turtle_files import parse_turtle
from conftest import DATA, PROJECT_ROOT

SOURCE = ADKGR["source-wikipedia-extract"]


@pytest.fixture(scope="module")
def texts() -> dict[URIRef, str]:
    metadata = parse_turtle(PROJECT_ROOT / "graph" / "source" / "wikipedia-extract" / "source.ttl")
    return seed_texts(metadata, PROJECT_ROOT / "seeds")


@pytest.mark.parametrize("name", ["quote-only.ttl", "repeated-quote-with-prefix.ttl"])
def test_anchor_writes_prefix_suffix_and_offsets_that_check_clean(
    name: str, texts: dict[URIRef, str], tmp_path: Path
) -> None:
    path = tmp_path / name
    shutil.copy(DATA / "valid" / "anchor" / name, path)
    assert [str(p) for p in anchor_file(path, texts, check=True)] != []
    assert anchor_file(path, texts, check=False) == []
    assert anchor_file(path, texts, check=True) == []
    graph = parse_turtle(path)
    [quote] = graph.subjects(OA.exact, None)
    [position] = graph.subjects(OA.start, None)
    start, end = graph.value(position, OA.start).toPython(), graph.value(position, OA.end).toPython()
    text = texts[SOURCE]
    assert text[start:end] == str(graph.value(quote, OA.exact))
    assert text[:start].endswith(str(graph.value(quote, OA.prefix)))
    assert text[end:].startswith(str(graph.value(quote, OA.suffix)))
    written = path.read_text(encoding="utf-8")
    assert anchor_file(path, texts, check=False) == []
    assert path.read_text(encoding="utf-8") == written


INVALID = {
    "quote-absent.ttl": "quote 'an estimated 3.9 million Afghans in Pakistan' does not occur",
    "quote-ambiguous.ttl": "quote '31 October' occurs 2 times",
    "offsets-wrong.ttl": "offsets are (527, 530), the quote lies at (526, 529)",
    "prefix-mismatch.ttl": "oa:prefix or oa:suffix does not match the text around '98%'",
    "offsets-missing.ttl": "no oa:TextPositionSelector",
    "source-unknown.ttl": "its source adkgr:source-that-does-not-exist names no seed file",
}


def test_every_invalid_anchor_file_is_listed() -> None:
    assert {p.name for p in (DATA / "invalid" / "anchor").iterdir()} == set(INVALID)


@pytest.mark.parametrize(("name", "expected"), INVALID.items(), ids=list(INVALID))
def test_invalid_anchor_is_reported_naming_its_node(
    name: str, expected: str, texts: dict[URIRef, str], tmp_path: Path
) -> None:
    path = tmp_path / name
    shutil.copy(DATA / "invalid" / "anchor" / name, path)
    problems = anchor_file(path, texts, check=True)
    assert len(problems) == 1
    assert problems[0].node.startswith("adkgr:")
    assert expected in problems[0].problem
    before = path.read_bytes()
    anchor_file(path, texts, check=False)
    if name not in {"offsets-wrong.ttl", "offsets-missing.ttl"}:
        assert path.read_bytes() == before  # an anchor that cannot be located is left alone


def test_project_anchors_check_clean(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("anchor", "--check")
    assert result.exit_code == 0, result.output
    assert "anchor: 0 problems" in result.output


def test_anchor_refuses_to_rewrite_a_literal_it_would_change(texts: dict[URIRef, str], tmp_path: Path) -> None:
    """Regression: adkg anchor wrote 1.0e3 back as 1e+03, a different term, where fmt refused."""
    path = tmp_path / "claim.ttl"
    source = (DATA / "valid" / "anchor" / "quote-only.ttl").read_text(encoding="utf-8")
    path.write_text(source.replace(
        "adkgr:claim-share a adkg:QuantityClaim ;",
        "adkgr:claim-share a adkg:QuantityClaim ;\n    <https://schema.org/value> 1.0e3 ;",
    ), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(LosslessFormatError, match=r"1\.0e3"):
        anchor_file(path, texts, check=False)
    assert path.read_bytes() == before
