"""Benchmark ``adkg build`` at several sizes of the graph: the old path against the new, step by step.

For each factor it generates a synthetic project (``generate.py``: the graph and N - 1 renamed
copies of it) and builds it, each path in a child process of this one, in the same run:

- ``old``: the build as it was before issue 11, rebuilt here from the project's own functions:
  rdflib parses every file, the anchors are checked on rdflib graphs, each file is bulk-loaded
  into a new on-disk store, pySHACL validates it, the rules run on the on-disk store (counting the
  store before and after each), pySHACL validates the derived nodes, the report queries run;
- ``new``: ``adkg.build.build`` itself (parse and anchors on an in-memory Oxigraph store, the
  shapes compiled to SPARQL, rules in memory, one bulk write at the end), its steps read from its
  report; and, as ``adkg build``, the whole command's wall time in a fresh process (imports
  included).

Each child reports its step times and its own peak resident memory (``ru_maxrss``). Times are
wall-clock seconds on this machine; the ratio is old over new at the same factor.

    .venv/bin/python bench/run.py                            # 1x, 10x and 100x (about 5 minutes)
    .venv/bin/python bench/run.py --factors 1 10 --skip old@100

It is a benchmark, not a test: pytest never collects ``bench/``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PATHS = ("old", "new")


def _old_build(root: Path, scratch: Path) -> dict[str, float]:
    """Build the project at ``root`` the way ``adkg build`` did before issue 11; return step times."""
    from pyoxigraph import NamedNode, Quad, Store

    from adkg.anchors import anchor_graphs
    from adkg.build import DERIVED_GRAPH, DERIVED_SHAPES
    from adkg.dataset import load_files
    from adkg.reports import claim_count, class_counts, graph_sizes
    from adkg.sources import dataset_files, folder_files, project_turtle_files, turtle_files
    from adkg.turtle_files import parse_turtle
    from adkg.validation import Engine, parse_shapes, validate_store

    steps: dict[str, float] = {}

    def step(name: str, started: float) -> float:
        now = time.perf_counter()
        steps[name] = round(now - started, 3)
        return now

    started = time.perf_counter()
    parsed = {path: parse_turtle(path) for path in project_turtle_files(root)}
    started = step("parse", started)
    graph_files = {path: parsed[path] for path in turtle_files([root / "graph"])}
    problems = anchor_graphs(graph_files, root / "seeds", check=True)
    assert not problems, problems[:3]
    started = step("anchors", started)
    store = Store(str(scratch / f"old-store-{root.name}"))
    load_files(store, dataset_files(root), root, bulk=True)
    started = step("load", started)
    shape_files = [p for p in turtle_files([root / "shapes"]) if p.name != DERIVED_SHAPES]
    assert validate_store(store, shapes=parse_shapes(shape_files), engine=Engine.PYSHACL).conforms
    started = step("validate", started)
    for rule in folder_files(root / "queries" / "rules", "*.rq"):
        triples = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        before = len(store)
        store.extend([Quad(t.subject, t.predicate, t.object, NamedNode(DERIVED_GRAPH.value)) for t in triples])
        assert len(store) >= before
    started = step("rules", started)
    derived = parse_shapes([root / "shapes" / DERIVED_SHAPES])
    assert validate_store(store, shapes=derived, engine=Engine.PYSHACL).conforms
    started = step("validate derived", started)
    graph_sizes(store, root / "queries" / "reports")
    class_counts(store, root / "queries" / "reports")
    claim_count(store, root / "queries" / "reports")
    store.flush()
    step("report", started)
    return steps


def _new_build(root: Path) -> dict[str, float]:
    """Build the project at ``root`` with ``adkg.build.build``; return its step times."""
    from adkg.build import build
    from adkg.settings import Settings

    return build(Settings(project_root=root)).steps


def _child(root: Path, path: str, scratch: Path) -> dict[str, object]:
    steps = _old_build(root, scratch) if path == "old" else _new_build(root)
    return {"steps": steps, "peak MiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--skip", nargs="*", default=[], help="PATH@FACTOR pairs not to run (old@100)")
    parser.add_argument("--child", nargs=3, metavar=("ROOT", "PATH", "SCRATCH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        root, path, scratch = arguments.child
        print(json.dumps(_child(Path(root), path, Path(scratch))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for factor in arguments.factors:
            root = Path(scratch) / f"x{factor}"
            _run([sys.executable, str(BENCH / "generate.py"), "--factor", str(factor), "--out", str(root)])
            for path in PATHS:
                if f"{path}@{factor}" in arguments.skip:
                    continue
                result = json.loads(_run([sys.executable, __file__, "--child", str(root), path, scratch]))
                row = {"factor": factor, "path": path, **result, "total": round(sum(result["steps"].values()), 2)}
                if path == "new":
                    env = {**os.environ, "ADKG_PROJECT_ROOT": str(root)}
                    started = time.perf_counter()
                    _run([str(Path(sys.executable).with_name("adkg")), "build"], env=env)
                    row["adkg build"] = round(time.perf_counter() - started, 2)
                    report = json.loads((root / ".adkg" / "build-report.json").read_text(encoding="utf-8"))
                    row["triples"] = sum(report["graphs"].values())
                rows.append(row)
                print(json.dumps(row), flush=True)
    _table(rows)


def _table(rows: list[dict[str, object]]) -> None:
    steps = list(dict.fromkeys(name for row in rows for name in row["steps"]))  # type: ignore[attr-defined]
    print()
    print(f"| factor | path | {' | '.join(steps)} | total s | `adkg build` s | peak MiB | old / new |")
    print("|---|---|" + "---|" * (len(steps) + 4))
    totals = {(row["factor"], row["path"]): row["total"] for row in rows}
    for row in rows:
        cells = [str(row["steps"].get(name, "-")) for name in steps]  # type: ignore[attr-defined]
        old, new = totals.get((row["factor"], "old")), totals.get((row["factor"], "new"))
        ratio = f"{old / new:.1f}x" if row["path"] == "new" and old and new else ""  # type: ignore[operator]
        print(f"| {row['factor']} | {row['path']} | {' | '.join(cells)} | {row['total']} "
              f"| {row.get('adkg build', '')} | {row['peak MiB']} | {ratio} |")


if __name__ == "__main__":
    main()
