"""``adkg build``: from the Turtle sources to a validated on-disk Oxigraph store, swapped in atomically.

Every step but the last works on an in-memory Oxigraph store; rdflib is not used. Steps, in order,
under a lock so that two builds never run at once on one data folder; any failure before the swap
leaves the served store untouched, and nothing is written to disk before the store is complete:

1. parse: every Turtle file of ``ontology/``, ``graph/`` and ``shapes/`` parses (a syntax error
   names the file and line) and every graph file lies in a folder that maps to a named graph;
   the ontology goes to its named graph, each graph file to a graph of its own for the next step,
   the shapes aside;
2. anchors: every seed is the text its metadata records, and every quote anchor matches its seed
   text (``adkg anchor --check``; one query over the files' graphs); then each file's triples
   move to its named graph (the README);
3. validate: SHACL over the union of the graphs, the shapes compiled to SPARQL
   (:mod:`adkg.shacl_sparql`); a violation stops the build, warnings are reported;
4. rules: each ``queries/rules/*.rq`` CONSTRUCT, in file-name order, over the union of the graphs
   (earlier rules' output included), into ``https://w3id.org/adkg/graph/derived``; then the
   derived nodes are validated against ``shapes/adkg-derived-shapes.ttl``;
5. report: counts per named graph and per class;
6. write: one bulk write of the whole dataset into a new store under ``DATA/stores/``, with the
   report as ``build-report.json`` beside it;
7. swap: the link ``DATA/store`` is replaced, in one ``rename``, to point at the new store; then
   the report is saved and the stores nobody needs are removed (``adkg.store.DataFolder.prune``:
   never one a running server reads; a store that cannot be removed is a warning, not a failure,
   since the new store is already being served).

Readers open ``DATA/store`` and so see either the old store or the new one, never a mix.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import pyoxigraph
from pyoxigraph import NamedNode, Quad, Store, Triple

from adkg.anchor_check import check_store_anchors
from adkg.dataset import load_file
from adkg.errors import BuildError, LayoutError, SourceSyntaxError
from adkg.reports import claim_count, class_counts, graph_sizes
from adkg.settings import Settings
from adkg.sources import folder_files, graph_name, turtle_files, unread_files
from adkg.store import REPORT, DataFolder
from adkg.validation import parse_shapes, validate_store
from adkg.vocab import DERIVED_GRAPH as DERIVED_GRAPH_IRI
from adkg.vocab import compact

DERIVED_GRAPH: Final = NamedNode(DERIVED_GRAPH_IRI)
#: The shapes of what the rules derive, checked again once the rules have run.
DERIVED_SHAPES: Final = "adkg-derived-shapes.ttl"


@dataclass(slots=True)
class BuildReport:
    """What a build did and what the store holds, saved as JSON beside the store."""

    store: str
    built_at: str
    steps: dict[str, float] = field(default_factory=dict)
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    claims: int = 0
    derived: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """Return the report as indented JSON."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


Progress = Callable[[str], None]


@contextmanager
def _step(report: BuildReport, name: str, progress: Progress) -> Iterator[None]:
    progress(f"{name} ...")
    started = time.perf_counter()
    yield
    report.steps[name] = round(time.perf_counter() - started, 3)
    progress(f"{name}: done in {report.steps[name]:.2f} s")


@dataclass(frozen=True, slots=True)
class _Sources:
    """The parsed sources: the dataset in an in-memory store (each graph file in a graph named by
    the file's URI, until the anchors are checked), which named graph each file goes to, the shapes."""

    store: Store
    files: dict[str, Path]
    graphs: dict[str, str]
    shapes: list[Triple]
    derived_shapes: list[Triple]


def _parse_sources(settings: Settings) -> _Sources:
    """Parse every Turtle source (see the module docstring, step 1).

    Raises:
        SourceSyntaxError: a file does not parse.
        LayoutError: a graph file lies in no folder that maps to a named graph.
    """
    root = settings.project_root
    store = Store()
    for path in turtle_files([settings.ontology_folder]):
        load_file(store, path, graph_name(path.relative_to(root)))
    files, graphs = {}, {}
    for path in turtle_files([settings.graph_folder]):
        file = path.resolve().as_uri()
        graphs[file], files[file] = graph_name(path.relative_to(root)), path
        load_file(store, path, file)
    shape_files = list(turtle_files([settings.shapes_folder]))
    derived = settings.shapes_folder / DERIVED_SHAPES
    return _Sources(
        store, files, graphs,
        shapes=parse_shapes(path for path in shape_files if path != derived),
        derived_shapes=parse_shapes([derived]),
    )


def _group_files(store: Store, graphs: dict[str, str]) -> None:
    """Move each file's triples from the file's own graph to its named graph."""
    if graphs:  # SILENT: a file with no triple (only prefixes, or comments) made no graph
        store.update(" ;\n".join(
            f"ADD SILENT <{file}> TO <{graph}> ; DROP SILENT GRAPH <{file}>" for file, graph in graphs.items()
        ))


def run_rules(store: Store, rules: list[Path]) -> dict[str, int]:
    """Run each CONSTRUCT rule over the union of ``store``'s graphs into the derived graph.

    Returns:
        the number of new triples each rule added, by rule file name.

    Raises:
        SourceSyntaxError: a rule does not parse or is not a CONSTRUCT query.
    """
    added = {}
    for rule in rules:
        try:
            triples = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        except SyntaxError as error:
            raise SourceSyntaxError(rule, error.lineno, error.msg) from error
        if not isinstance(triples, pyoxigraph.QueryTriples):
            raise SourceSyntaxError(rule, None, "a rule must be a CONSTRUCT query")
        new = {Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH) for t in triples}
        new = {quad for quad in new if quad not in store}
        store.extend(new)
        added[rule.name] = len(new)
    return added


def _validate(store: Store, shapes: list[Triple], *, step: str) -> list[str]:
    """Validate ``store`` against ``shapes``; return the warnings.

    Raises:
        BuildError: a violation, named ``step``.
    """
    validation = validate_store(store, shapes=shapes)
    if not validation.conforms:
        findings = [f"{r.shape}: {r.focus} {r.path or ''}: {r.message}" for r in validation.violations]
        raise BuildError(step, findings)
    return [f"{r.shape}: {r.focus}: {r.message}" for r in validation.warnings]


def build(settings: Settings, *, progress: Progress = lambda _: None) -> BuildReport:
    """Build a new store from the sources and swap it in; see the module docstring.

    Returns:
        the build report (also saved as ``build-report.json`` in the data folder).

    Raises:
        SourceSyntaxError: a source, rule or shape file does not parse.
        LayoutError: a project folder or a seed file is missing, there is no rule, or a graph file
            lies in no folder that maps to a named graph.
        SeedChangedError: a seed file is not the text its metadata records.
        StoreBusyError: another build (or an update) holds the lock of the data folder.
        BuildError: anchors do not match the seed, or the graph or the derived nodes violate the
            shapes.
    """
    settings.require(
        settings.ontology_folder, settings.graph_folder, settings.shapes_folder, settings.seeds_folder,
        settings.rules_folder, settings.reports_folder,
    )
    rules = folder_files(settings.rules_folder, "*.rq")
    if not rules:
        raise LayoutError(f"no rule (*.rq) in {settings.rules_folder}")
    data = DataFolder(settings.data_folder)
    with data.exclusive():
        return _build(settings, data, rules, progress)


def _build(settings: Settings, data: DataFolder, rules: list[Path], progress: Progress) -> BuildReport:
    report = BuildReport(store="", built_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with _step(report, "parse", progress):
        sources = _parse_sources(settings)
        report.warnings = [
            f"{path.relative_to(settings.project_root)} is not read: only *.ttl files are sources"
            for path in unread_files(settings.project_root)
        ]
    store = sources.store
    with _step(report, "anchors", progress):
        problems = check_store_anchors(store, sources.files, settings.seeds_folder)
        if problems:
            raise BuildError("anchors", [str(problem) for problem in problems])
        _group_files(store, sources.graphs)
    with _step(report, "validate", progress):
        report.warnings += _validate(store, sources.shapes, step="validate")
    with _step(report, "rules", progress):
        report.derived = run_rules(store, rules)
    with _step(report, "validate derived", progress):
        _validate(store, sources.derived_shapes, step="validate derived")
    with _step(report, "report", progress):
        report.graphs = dict(graph_sizes(store, settings.reports_folder))
        report.classes = {compact(cls): count for cls, count in class_counts(store, settings.reports_folder)}
        report.claims = claim_count(store, settings.reports_folder)
    new_store = data.new_store_path()
    report.store = str(new_store)
    try:
        with _step(report, "write", progress):
            disk = Store(str(new_store))
            disk.bulk_extend(store)
            disk.flush()
            del disk
        (new_store / REPORT).write_text(report.to_json(), encoding="utf-8")
        previous = data.current()
        with _step(report, "swap", progress):
            data.swap(new_store)
    except BaseException:
        if data.current() != new_store.resolve():  # never remove the store being served
            shutil.rmtree(new_store, ignore_errors=True)
        raise
    data.save_report(report.to_json())
    report.warnings += data.prune(keep={new_store, *([previous] if previous else [])})
    return report
