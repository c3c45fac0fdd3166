"""Files load into the named graphs the project layout gives their folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from adkg.dataset import load_dataset
from adkg.errors import LayoutError
from adkg.sources import graph_name
from conftest import PROJECT_ROOT


@pytest.mark.parametrize(
    ("path", "graph"),
    [
        ("ontology/adkg.ttl", "https://w3id.org/adkg/graph/ontology"),
        ("graph/entities/actors.ttl", "https://w3id.org/adkg/graph/entities"),
        ("graph/source/wikipedia-extract/references.ttl",
         "https://w3id.org/adkg/graph/source/wikipedia-extract"),
        ("graph/source/other/deeper/claims.ttl", "https://w3id.org/adkg/graph/source/other"),
    ],
)
def test_folder_decides_the_named_graph(path: str, graph: str) -> None:
    assert graph_name(Path(path)) == graph


@pytest.mark.parametrize("path", ["graph/stray.ttl", "shapes/adkg.ttl", "graph/source/x.ttl"])
def test_a_file_outside_the_mapped_folders_is_refused(path: str) -> None:
    with pytest.raises(LayoutError, match="maps to a named graph"):
        graph_name(Path(path))


def test_project_loads_every_file_into_its_graph() -> None:
    store = load_dataset(PROJECT_ROOT)
    graphs = {str(g.value) for g in store.named_graphs()}
    assert {
        "https://w3id.org/adkg/graph/ontology",
        "https://w3id.org/adkg/graph/entities",
        "https://w3id.org/adkg/graph/source/wikipedia-extract",
    } <= graphs
    assert all(g.startswith("https://w3id.org/adkg/graph/") for g in graphs)
