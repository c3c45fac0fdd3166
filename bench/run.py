"""Benchmark ``adkg build`` and SHACL validation at several sizes of the graph.

For each factor it generates a synthetic project (``generate.py``), runs ``adkg build`` in a child
process and reads the step times from its build report, then times SHACL validation of the same
dataset three ways, each in a child process of this one:

- ``rdflib``: pySHACL over rdflib's in-memory graph of all the triples (the usual way; the baseline);
- ``oxigraph-count``: pySHACL over the Oxigraph store through pySHACL's own Oxigraph view, which
  runs a COUNT over the whole store each time it words a result;
- ``oxigraph``: adkg's ``validate_store``, the same view without that COUNT.

Times are wall-clock seconds on this machine; ratios are against ``rdflib`` at the same factor.

    python bench/run.py --factors 1 10 100 --skip oxigraph-count@100 rdflib@100
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VARIANTS = ("rdflib", "oxigraph-count", "oxigraph")


def _child(root: Path, variant: str) -> float:
    """Time one validation variant over the project at ``root``; return seconds."""
    from pyshacl import validate
    from pyshacl.graph_abstraction import OxigraphDataGraph
    from rdflib import Graph

    from adkg.dataset import load_dataset
    from adkg.turtle_files import parse_folder
    from adkg.validation import validate_store

    shapes = parse_folder(root / "shapes")
    store = load_dataset(root)
    if variant == "rdflib":
        graph = Graph()
        for quad in store:
            graph.add(tuple(_to_rdflib(term) for term in (quad.subject, quad.predicate, quad.object)))
        started = time.perf_counter()
        validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    elif variant == "oxigraph-count":
        data = OxigraphDataGraph(store)
        data._default_union = True
        started = time.perf_counter()
        validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    else:
        started = time.perf_counter()
        validate_store(store, shapes=shapes)
    return time.perf_counter() - started


def _to_rdflib(term):
    from oxrdflib._converter import from_ox

    return from_ox(term)


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--skip", nargs="*", default=[], help="VARIANT@FACTOR pairs not to run")
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "VARIANT"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(_child(Path(arguments.child[0]), arguments.child[1])))
        return
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for factor in arguments.factors:
            root = Path(scratch) / f"x{factor}"
            _run([sys.executable, str(BENCH / "generate.py"), "--factor", str(factor), "--out", str(root)])
            adkg = Path(sys.executable).with_name("adkg")
            _run([str(adkg), "build"], env={**os.environ, "ADKG_PROJECT_ROOT": str(root)})
            report = json.loads((root / ".adkg" / "build-report.json").read_text(encoding="utf-8"))
            row = {
                "factor": factor,
                "triples": sum(report["graphs"].values()),
                "build": round(sum(report["steps"].values()), 2),
                "build steps": report["steps"],
            }
            for variant in VARIANTS:
                if f"{variant}@{factor}" in arguments.skip:
                    row[variant] = None
                    continue
                seconds = json.loads(_run([sys.executable, __file__, "--child", str(root), variant]))
                row[variant] = round(seconds, 2)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| factor | triples | build s | validate: rdflib s | oxigraph-count s | oxigraph s (adkg) | adkg vs rdflib |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{row['rdflib'] / row['oxigraph']:.1f}x faster" if row["rdflib"] and row["oxigraph"] else "-"
        cells = [row[v] if row[v] is not None else "skipped" for v in VARIANTS]
        print(
            f"| {row['factor']} | {row['triples']} | {row['build']} "
            f"| {cells[0]} | {cells[1]} | {cells[2]} | {ratio} |"
        )


if __name__ == "__main__":
    main()
