"""The seed documents are kept byte for byte, and their metadata in graph/ describes them truly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal

from adkg.namespaces import ADKG, ADKGR, PREFIXES, SCHEMA, new_graph
from adkg.turtle_files import parse_turtle, turtle_files


@pytest.fixture(scope="module")
def graph(project_root: Path) -> Graph:
    graph = new_graph()
    for path in turtle_files([project_root / "graph"]):
        parse_turtle(path, into=graph)
    return graph


def _seed_files(graph: Graph) -> dict[str, tuple[Literal, Literal]]:
    """Map each seed file name the graph describes to its recorded (sha256, contentSize)."""
    return {
        str(graph.value(node, SCHEMA.name)): (
            graph.value(node, SCHEMA.sha256),
            graph.value(node, SCHEMA.contentSize),
        )
        for node in graph.objects(None, SCHEMA.encoding)
    }


def test_every_seed_file_is_described_and_only_those(graph: Graph, project_root: Path) -> None:
    on_disk = sorted(path.name for path in (project_root / "seeds").iterdir())
    assert sorted(_seed_files(graph)) == on_disk


def test_every_seed_file_has_the_hash_and_size_recorded_in_the_graph(
    graph: Graph, project_root: Path
) -> None:
    for name, (sha256, size) in _seed_files(graph).items():
        data = (project_root / "seeds" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == str(sha256), f"seeds/{name} changed"
        assert str(size) == f"{len(data)} bytes"


def test_every_source_records_its_length_in_code_points(graph: Graph, project_root: Path) -> None:
    for source, file_node in graph.subject_objects(SCHEMA.encoding):
        text = (project_root / "seeds" / str(graph.value(file_node, SCHEMA.name))).read_text(
            encoding="utf-8"
        )
        assert graph.value(source, ADKG.characterCount).toPython() == len(text)


def test_the_wikipedia_extract_is_one_line_of_10817_characters(
    graph: Graph, project_root: Path
) -> None:
    source = ADKGR["source-wikipedia-extract"]
    name = graph.value(graph.value(source, SCHEMA.encoding), SCHEMA.name)
    text = (project_root / "seeds" / str(name)).read_text(encoding="utf-8")
    assert (len(text), text.count("\n")) == (10817, 0)
    assert str(graph.value(source, PREFIXES["dcterms"].license)) == (
        "https://creativecommons.org/licenses/by-sa/4.0/"
    )
