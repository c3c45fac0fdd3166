"""Make a synthetic project N times the size of adkg's graph, for benchmarks.

The copy has the project's ontology, shapes, queries and seeds, and a graph/ with the real graph
plus N - 1 renamed copies of it: in copy k every ``adkgr:`` IRI (prefixed, or written in full like a
quote anchor's, before its fragment) gets the suffix ``-xk``, so claims,
events, places, actors, anchors and the source node itself are multiplied consistently with the
shapes (every copied place still reaches its copied country, every copied anchor quotes the same
seed, on its copied source). Each copy is its own named graph, ``graph/source/copy-k/``.

    python bench/generate.py --factor 100 --out /tmp/adkg-100x
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESOURCE = re.compile(r"\badkgr:([A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_-])")
#: A resource written as a full IRI (a quote anchor, ``<…/id/source-x#char=1,2>``): its name, not its fragment.
RESOURCE_IRI = re.compile(r"<https://w3id\.org/adkg/id/([A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_-])([#>])")


def generate(factor: int, out: Path) -> None:
    """Write a project of ``factor`` times the graph into ``out`` (replaced if it exists)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for folder in ("ontology", "shapes", "queries", "seeds"):
        shutil.copytree(PROJECT / folder, out / folder)
    shutil.copytree(PROJECT / "graph", out / "graph")
    files = sorted((PROJECT / "graph").rglob("*.ttl"))
    for copy in range(2, factor + 1):
        folder = out / "graph" / "source" / f"copy-{copy}"
        folder.mkdir(parents=True)
        for path in files:
            text = RESOURCE.sub(lambda m, k=copy: f"adkgr:{m.group(1)}-x{k}", path.read_text(encoding="utf-8"))
            text = RESOURCE_IRI.sub(lambda m, k=copy: f"<https://w3id.org/adkg/id/{m.group(1)}-x{k}{m.group(2)}", text)
            (folder / f"{path.parent.name}-{path.name}").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, required=True, help="how many times the graph")
    parser.add_argument("--out", type=Path, required=True, help="folder for the synthetic project")
    arguments = parser.parse_args()
    generate(arguments.factor, arguments.out)


if __name__ == "__main__":
    main()
