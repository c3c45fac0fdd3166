"""``adkg anchor``: quotes are located in the seed, offsets written and checked."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from rdflib import Graph, URIRef

from adkg.anchors import anchor_file, anchor_graphs
from adkg.errors import CommentDropError, LosslessFormatError
from adkg.namespaces import ADKGR, OA, PROV
from adkg.seed_texts import seed_texts
from adkg.turtle_files import parse_turtle
from conftest import DATA, PROJECT_ROOT, copy_fixture

SOURCE = ADKGR["source-wikipedia-extract"]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    metadata = parse_turtle(PROJECT_ROOT / "graph" / "source" / "wikipedia-extract" / "source.ttl")
    return seed_texts(metadata, PROJECT_ROOT / "seeds")


def test_anchor_never_drops_a_comment(texts: dict[str, str], tmp_path: Path) -> None:
    """A file anchor must rewrite is refused, naming its comment; one it need not rewrite keeps it."""
    first, second = tmp_path / "first.ttl", tmp_path / "second.ttl"
    copy_fixture(DATA / "valid" / "anchor" / "quote-only.ttl", first)
    copy_fixture(DATA / "valid" / "anchor" / "quote-only.ttl", second)
    second.write_text(second.read_text(encoding="utf-8") + "# to check with the editor\n", encoding="utf-8")
    before = {path: path.read_bytes() for path in (first, second)}
    graphs = {path: parse_turtle(path) for path in (PROJECT_ROOT / "graph" / "source" / "wikipedia-extract"
                                                    / "source.ttl", first, second)}
    with pytest.raises(CommentDropError, match=r"second\.ttl:\d+: .* '# to check with the editor'"):
        anchor_graphs(graphs, PROJECT_ROOT / "seeds", check=False)
    assert {path: path.read_bytes() for path in (first, second)} == before  # neither file written
    assert anchor_file(first, texts, check=False) == []  # anchored, canonical, no comment
    first.write_text(first.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    commented = first.read_bytes()
    assert anchor_file(first, texts, check=False) == []
    assert first.read_bytes() == commented  # nothing to rewrite: the comment stays


@pytest.mark.parametrize("name", ["quote-only.ttl", "repeated-quote-with-prefix.ttl"])
def test_anchor_writes_prefix_suffix_and_offsets_that_check_clean(
    name: str, texts: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / name
    copy_fixture(DATA / "valid" / "anchor" / name, path)
    assert [str(p) for p in anchor_file(path, texts, check=True)] != []
    assert anchor_file(path, texts, check=False) == []
    assert anchor_file(path, texts, check=True) == []
    graph = parse_turtle(path)
    [quote] = graph.subjects(OA.exact, None)
    [position] = graph.subjects(OA.start, None)
    start, end = graph.value(position, OA.start).toPython(), graph.value(position, OA.end).toPython()
    text = texts[str(SOURCE)]
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
    "anchor-unnamed.ttl": "is a blank node; the IRI of its words is <" + SOURCE + "#char=526,529>",
    "name-wrong.ttl": f"is named <{SOURCE}#char=527,530>; the IRI of its words is <{SOURCE}#char=526,529>",
}


def test_every_invalid_anchor_file_is_listed() -> None:
    assert {p.name for p in (DATA / "invalid" / "anchor").iterdir()} == set(INVALID)


@pytest.mark.parametrize(("name", "expected"), INVALID.items(), ids=list(INVALID))
def test_invalid_anchor_is_reported_naming_its_node(
    name: str, expected: str, texts: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / name
    copy_fixture(DATA / "invalid" / "anchor" / name, path)
    problems = anchor_file(path, texts, check=True)
    assert len(problems) == 1
    assert problems[0].node.startswith("adkgr:")
    assert expected in problems[0].problem
    before = path.read_bytes()
    anchor_file(path, texts, check=False)
    if name in LOCATED:
        assert anchor_file(path, texts, check=True) == []  # adkg anchor mends what it reported
    else:
        assert path.read_bytes() == before  # an anchor that cannot be located is left alone


LOCATED = {"offsets-wrong.ttl", "offsets-missing.ttl", "anchor-unnamed.ttl", "name-wrong.ttl"}


def test_anchor_names_an_anchor_by_its_words_and_merges_anchors_of_the_same_words(
    texts: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "two-claims.ttl"
    path.write_text("""
        @prefix adkgr: <https://w3id.org/adkg/id/> .
        @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        adkgr:claim-a prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource adkgr:source-wikipedia-extract ;
            oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "98% of the foreign nationals" ] ] .
        adkgr:claim-b prov:wasDerivedFrom [ a oa:SpecificResource ; oa:hasSource adkgr:source-wikipedia-extract ;
            oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "98% of the foreign nationals" ; oa:suffix " in" ] ] .
    """, encoding="utf-8")
    assert anchor_file(path, texts, check=False) == []
    graph = parse_turtle(path)
    anchor = URIRef(f"{SOURCE}#char=526,554")
    assert set(graph.objects(None, PROV.wasDerivedFrom)) == {anchor}
    assert len(list(graph.objects(anchor, OA.hasSelector))) == 2  # one quote, one position: not four
    assert anchor_file(path, texts, check=True) == []


def test_an_anchor_is_described_in_one_file_and_referred_to_from_others(
    texts: dict[str, str], tmp_path: Path
) -> None:
    anchor = DATA / "invalid" / "anchor" / "anchor-unnamed.ttl"
    for name in ("a.ttl", "b.ttl"):
        copy_fixture(anchor, tmp_path / name)
    seeds = PROJECT_ROOT / "seeds"
    metadata = PROJECT_ROOT / "graph" / "source" / "wikipedia-extract" / "source.ttl"

    def graphs() -> dict[Path, Graph]:
        return {path: parse_turtle(path) for path in (metadata, tmp_path / "a.ttl", tmp_path / "b.ttl")}

    assert [p.problem for p in anchor_graphs(graphs(), seeds, check=False)] == []
    problems = anchor_graphs(graphs(), seeds, check=True)
    assert problems == []
    a, b = parse_turtle(tmp_path / "a.ttl"), parse_turtle(tmp_path / "b.ttl")
    iri = URIRef(f"{SOURCE}#char=526,529")
    assert (iri, OA.hasSelector, None) in a
    assert (iri, OA.hasSelector, None) not in b
    assert (None, PROV.wasDerivedFrom, iri) in b
    shutil.copy(tmp_path / "a.ttl", tmp_path / "b.ttl")
    [problem] = anchor_graphs(graphs(), seeds, check=True)
    assert problem.path == tmp_path / "b.ttl"
    assert problem.problem == f"<{iri}> is also described in {tmp_path / 'a.ttl'}; describe it in one file"


def test_project_anchors_check_clean(run_adkg: Callable[..., Result]) -> None:
    result = run_adkg("anchor", "--check")
    assert result.exit_code == 0, result.output
    assert "anchor: 0 problems, 0 files rewritten" in result.output


def test_anchor_names_the_files_it_rewrote(run_adkg: Callable[..., Result], project: Path) -> None:
    """Regression: adkg anchor printed only '0 problems', not which files it had rewritten."""
    new = copy_fixture(DATA / "valid" / "anchor" / "quote-only.ttl",
                       project / "graph" / "source" / "wikipedia-extract" / "new.ttl")
    result = run_adkg("anchor", root=project)
    assert result.exit_code == 0, result.output
    # Its quote is one the seed's graph anchors already: the two anchors become one, described in
    # the first file by name, so the file that described it before is rewritten too.
    assert result.output.splitlines() == [
        f"rewrote: {new}", f"rewrote: {new.with_name('s01-s22.ttl')}", "anchor: 0 problems, 2 files rewritten",
    ]


def test_anchor_refuses_to_rewrite_a_literal_it_would_change(texts: dict[str, str], tmp_path: Path) -> None:
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
