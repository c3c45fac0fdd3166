"""The ``adkg`` command line: a thin layer that parses arguments and calls the typed core.

Exit status: 0 when all is well, 1 when a check fails (a file not canonical, a lint violation),
2 when adkg cannot do its work (a file that does not parse, named with its line).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from contextlib import aclosing
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from pyoxigraph import Store

from adkg.build import BuildReport, build
from adkg.dataset import load_dataset
from adkg.dumps import write_atomically
from adkg.errors import AdkgError, LayoutError, QuerySyntaxError, UiInstallError
from adkg.examples import regenerate
from adkg.find import find
from adkg.query_text import read_query
from adkg.query_ui import HOW_TO_INSTALL, PACKAGE, install_yasgui
from adkg.reports import term_counts
from adkg.settings import Settings, get_settings
from adkg.sources import project_turtle_files, turtle_files
from adkg.sparql import FormatChoice, Policy, check_query, negotiate
from adkg.store import DataFolder, open_read_only
from adkg.validation import Engine, ReportFormat, format_report, parse_shapes, validate_store
from adkg.vocab import compact, source_document
from adkg.workers import Job, Worker, answer

if TYPE_CHECKING:  # the contributor's tools import rdflib: only the commands that use them load them
    from adkg.lint import LintInputs

app = typer.Typer(
    help="adkg, the Afghan Deportation Knowledge Graph: check, format and lint its sources.",
    no_args_is_help=True,
    add_completion=False,
)

P = ParamSpec("P")
R = TypeVar("R")


def _reporting_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn an ``AdkgError`` into its message on standard error and exit status 2."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AdkgError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error

    return run


def _format(settings: Settings, paths: list[Path], *, check: bool) -> bool:
    from adkg.canonical_turtle import format_file

    if not paths:
        settings.require(settings.ontology_folder, settings.graph_folder, settings.shapes_folder)
    files = list(turtle_files(paths)) if paths else project_turtle_files(settings.project_root)
    results = [format_file(path, check=check) for path in files]
    changed = [result.path for result in results if not result.canonical]
    for path in changed:
        typer.echo(f"{'not canonical' if check else 'reformatted'}: {path}")
    verb = "would be reformatted" if check else "reformatted"
    typer.echo(f"fmt: {len(files)} Turtle files, {len(changed)} {verb}")
    return not (check and changed)


def _lint(settings: Settings, inputs: LintInputs, store: Store) -> bool:
    from adkg.lint import check_files, run_checks

    checks = check_files(settings.checks_folder)
    violations = run_checks(store, checks)
    for violation in violations:
        typer.echo(str(violation))
    files = len(inputs.ontology) + len(inputs.sources) + len(inputs.queries)
    typer.echo(f"lint: {len(checks)} checks over {files} files, {len(violations)} violations")
    return not violations


def _anchor(settings: Settings, *, check: bool) -> bool:
    from adkg.anchors import anchor_graph_folder

    settings.require(settings.graph_folder, settings.seeds_folder)
    run = anchor_graph_folder(settings.graph_folder, settings.seeds_folder, check=check)
    for path in run.rewritten:
        typer.echo(f"rewrote: {path}")
    for problem in run.problems:
        typer.echo(str(problem))
    typer.echo(f"anchor: {len(run.problems)} problems, {len(run.rewritten)} files rewritten")
    return not run.problems


def _coverage(settings: Settings, slug: str | None) -> bool:
    from rdflib import URIRef

    from adkg.coverage import CoverageSummary, source_coverage
    from adkg.seed_texts import seed_texts
    from adkg.turtle_files import parse_folder

    settings.require(settings.graph_folder, settings.seeds_folder)
    graph = parse_folder(settings.graph_folder)
    texts = seed_texts(graph, settings.seeds_folder)
    if slug is not None:
        wanted = source_document(slug)
        if wanted not in texts:
            known = ", ".join(sorted(compact(source) for source in texts))
            raise LayoutError(f"no source {compact(wanted)} with a seed text; the sources are: {known}")
        texts = {wanted: texts[wanted]}
    gaps = 0
    for source, text in sorted(texts.items()):
        report = source_coverage(graph, URIRef(source), text)
        typer.echo(f"source {compact(source)}")
        for sentence in report:
            span = sentence.sentence
            shown = ", ".join(sentence.nodes) or "; ".join(f"excluded: {e}" for e in sentence.exclusions)
            typer.echo(f"S{sentence.number:02d} [{span.start},{span.end}) {shown}")
            for figure in sentence.figures:
                by = ", ".join(figure.nodes) or "; ".join(f"excluded: {e}" for e in figure.exclusions)
                typer.echo(f"    {figure.figure.text!r}: {by or '-'}")
            if sentence.cited_footnotes:
                typer.echo("    footnotes: " + " ".join(f"[{n}]" for n in sentence.cited_footnotes))
            for gap in sentence.gaps():
                typer.echo(f"    GAP: {gap}")
        summary = CoverageSummary.of(report)
        typer.echo(f"coverage of {compact(source)}: {summary}")
        gaps += summary.gaps
    return gaps == 0


@app.command()
@_reporting_errors
def fmt(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Turtle files or folders; default: ontology/, graph/ and shapes/."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 listing files not canonical.")
    ] = False,
) -> None:
    """Rewrite Turtle files into the project's one canonical serialization."""
    if not _format(get_settings(), paths or [], check=check):
        raise typer.Exit(1)


@app.command()
@_reporting_errors
def lint() -> None:
    """Run the ontology quality checks in queries/checks/; exit 1 on any violation."""
    from adkg.lint import LintInputs, lint_dataset

    settings = get_settings()
    settings.require(
        settings.ontology_folder, settings.graph_folder, settings.shapes_folder, settings.checks_folder
    )
    inputs = LintInputs.of_project(settings.project_root)
    if not _lint(settings, inputs, lint_dataset(inputs)):
        raise typer.Exit(1)


@app.command()
@_reporting_errors
def anchor(
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 naming every wrong anchor.")
    ] = False,
) -> None:
    """Locate every quote anchor in graph/ in its seed text and write its offsets."""
    if not _anchor(get_settings(), check=check):
        raise typer.Exit(1)


@app.command()
@_reporting_errors
def coverage(
    slug: Annotated[
        str | None,
        typer.Argument(help="Only the source of graph/source/SLUG/ (its node adkgr:source-SLUG); default: all."),
    ] = None,
) -> None:
    """Print, sentence by sentence, the nodes anchored there and the figures they cover; exit 1
    on any gap. Headings, datelines and bylines are excluded with an oa:Annotation (README)."""
    if not _coverage(get_settings(), slug):
        raise typer.Exit(1)


source_app = typer.Typer(help="Add a source document to the project.", no_args_is_help=True)
app.add_typer(source_app, name="source")


@source_app.command("new")
@_reporting_errors
def source_new(
    slug: Annotated[str, typer.Argument(help="The source's short name: graph/source/SLUG/, adkgr:source-SLUG.")],
    document: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="The document's text, a UTF-8 text file.")
    ],
    *,
    title: Annotated[str, typer.Option(help="The document's title, in English.")],
    creator: Annotated[
        str | None,
        typer.Option(help="Its author, the claimant of what it says in its own voice: an adkgr: name or an IRI."),
    ] = None,
    publisher: Annotated[
        str | None, typer.Option(help="Who published it: an adkgr: name of graph/entities/ or an IRI.")
    ] = None,
    date: Annotated[str | None, typer.Option(help="The date of its text: YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    licence: Annotated[
        str | None, typer.Option(help="Its licence's IRI; left empty, which validation refuses until filled in.")
    ] = None,
) -> None:
    """Copy DOCUMENT into seeds/ and write graph/source/SLUG/source.ttl with its metadata."""
    from adkg.new_source import SourceMetadata, new_source

    settings = get_settings()
    settings.require(settings.graph_folder, settings.seeds_folder)
    written = new_source(
        settings.graph_folder, settings.seeds_folder, slug, document,
        SourceMetadata(title=title, creator=creator, publisher=publisher, date=date, licence=licence),
    )
    typer.echo(f"copied {document} to {written.seed}")
    typer.echo(f"wrote {written.metadata}: {compact(written.node)}")
    if licence is None:
        typer.echo("next: fill in its dcterms:license (validation refuses the empty one)")
    for role, name in (("author", creator), ("publisher", publisher)):
        if name is not None:
            typer.echo(f"next: describe the {role} {name} in graph/entities/ if it is new (lint names it if not)")
    typer.echo("next: add its claims, as the README's 'Adding a source' says")


@app.command()
@_reporting_errors
def examples(
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if any example's results changed.")
    ] = False,
) -> None:
    """Regenerate queries/examples/*.tsv from the built store, printing what changed in each."""
    settings = get_settings()
    settings.require(settings.examples_folder)
    with open_read_only(DataFolder(settings.data_folder).require_current()) as handle:
        changes = regenerate(handle.store, settings.examples_folder, check=check)
    for change in changes:
        for line in change.diff:
            typer.echo(line)
    verb = "would change" if check else "changed"
    typer.echo(f"examples: {len(changes)} {verb}")
    if check and changes:
        raise typer.Exit(1)


@app.command("find")
@_reporting_errors
def find_command(
    words: Annotated[str, typer.Argument(help="Words that must all occur in a label, in any case.")],
) -> None:
    """List the entities, statistical variables and ontology concepts whose labels hold WORDS:
    the nodes a new source's claims can link to."""
    settings = get_settings()
    settings.require(settings.ontology_folder, settings.graph_folder, settings.reports_folder)
    found = find(load_dataset(settings.project_root), words, settings.reports_folder)
    for match in found:
        typer.echo(str(match))
    typer.echo(f"find: {len(found)} nodes")


@app.command()
@_reporting_errors
def validate(
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="How to print the report.")
    ] = ReportFormat.TEXT,
    engine: Annotated[
        Engine, typer.Option("--engine", help="sparql: the shapes compiled to SPARQL; pyshacl: the reference.")
    ] = Engine.SPARQL,
) -> None:
    """Validate ontology + graph against shapes/ with SHACL; exit 1 on any violation."""
    settings = get_settings()
    settings.require(settings.ontology_folder, settings.graph_folder, settings.shapes_folder)
    report = validate_store(
        load_dataset(settings.project_root),
        shapes=parse_shapes(turtle_files([settings.shapes_folder])),
        engine=engine,
    )
    typer.echo(format_report(report, report_format=report_format))
    if not report.conforms:
        raise typer.Exit(1)


def _build(settings: Settings) -> BuildReport:
    report = build(settings, progress=typer.echo)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo(f"store: {report.store}")
    typer.echo("triples by named graph:")
    for graph, count in report.graphs.items():
        typer.echo(f"  {count:>7}  {graph}")
    typer.echo("nodes by class:")
    for cls, count in report.classes.items():
        typer.echo(f"  {count:>7}  {cls}")
    typer.echo(
        f"build: {report.claims} claims, {sum(report.graphs.values())} triples, "
        f"{len(report.warnings)} warnings, {sum(report.steps.values()):.2f} s"
    )
    return report


@app.command("build")
@_reporting_errors
def build_command() -> None:
    """Check, validate and derive, then load a new store and swap it in atomically."""
    _build(get_settings())


@app.command()
@_reporting_errors
def query(
    text: Annotated[str | None, typer.Argument(help="The SPARQL query.")] = None,
    file: Annotated[
        Path | None,
        typer.Option("-f", "--file", allow_dash=True, dir_okay=False, help="Read the query from a file (- for stdin)."),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Result format: json, xml, csv, tsv (SELECT, ASK); turtle, ntriples, nquads, trig, jsonld, rdfxml"
            " (CONSTRUCT, DESCRIBE); or a media type. Default: json, or turtle for graphs.",
        ),
    ] = None,
) -> None:
    """Run a read-only SPARQL query against the built store; results stream to standard output.

    The same rules as the server's: the time limit (ADKG_QUERY_TIMEOUT), the SERVICE allowlist,
    FROM and FROM NAMED honoured (else the default graph is the union of the named graphs).
    """
    if (text is None) == (file is None):
        raise typer.BadParameter("give either a QUERY or -f FILE")
    settings = get_settings()
    sparql = read_query(text, file, max_bytes=settings.max_query_bytes)
    try:
        scan = check_query(sparql, policy=Policy(service_allowlist=settings.service_allowlist))
        job = Job(
            store=DataFolder(settings.data_folder).require_current(),
            query=sparql,
            scan=scan,
            choice=negotiate(None, format_name=output) if output else FormatChoice(),
            max_result_bytes=settings.max_result_bytes,
        )
        asyncio.run(_print_results(job, timeout=settings.time_limit(scan)))
    except QuerySyntaxError as error:
        raise (error.naming(file) if file is not None and str(file) != "-" else error) from None


async def _print_results(job: Job, *, timeout: float) -> None:
    """Run ``job`` on a worker of its own and write its results to standard output as they come."""
    worker = Worker()
    try:
        results = await answer(worker, job, timeout=timeout)
        async with aclosing(results):
            sys.stdout.buffer.write(results.first)
            async for chunk in results:
                sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
    finally:
        worker.close()


def _serve(*, host: str | None = None, port: int | None = None) -> None:
    """Replace this process with ``python -m adkg.web``, which holds only the serving path."""
    arguments = [sys.executable, "-m", "adkg.web"]
    arguments += ["--host", host] if host is not None else []
    arguments += ["--port", str(port)] if port is not None else []
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, arguments)


@app.command()
@_reporting_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (ADKG_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (ADKG_PORT, 8000).")] = None,
) -> None:
    """Serve the built store at /sparql (SPARQL 1.1 Protocol); never builds."""
    DataFolder(get_settings().data_folder).require_current()
    _serve(host=host, port=port)


@app.command()
@_reporting_errors
def report(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The HTML file to write (standard output if not given).")
    ] = None,
) -> None:
    """Write the estimates view (every figure side by side, by variable, with its charts and what
    the rules found) as one standalone HTML file, from the built store, for sharing without a server."""
    from adkg.report import estimates_report

    settings = get_settings()
    with open_read_only(DataFolder(settings.data_folder).require_current()) as handle:
        page = estimates_report(handle.store, settings.views_folder)
    if output is None:
        sys.stdout.write(page)
        return
    write_atomically(output, page.encode("utf-8"))
    output.chmod(0o644)  # a file to share: readable by others, as a file written by hand would be
    typer.echo(f"report: {output} ({len(page.encode('utf-8'))} bytes)", err=True)


def _install_ui(settings: Settings) -> bool:
    """Install the query UI unless it is installed; say what was done. Return whether it is there."""
    installed = install_yasgui(settings.ui_folder)
    if installed is None:
        typer.echo(f"ui: npm not found, so the query UI is not installed: {HOW_TO_INSTALL}; "
                   "the endpoint and every other page work without it")
        return False
    typer.echo(f"ui: {PACKAGE} {installed.version} in {installed.build}")
    return True


@app.command()
@_reporting_errors
def ui() -> None:
    """Install the query UI (YASGUI, pinned in server/ui/package.json) with npm ci, unless that
    version is installed; exit 1 where npm is absent."""
    if not _install_ui(get_settings()):
        raise typer.Exit(1)


@app.command()
@_reporting_errors
def up(
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="End by serving the store (the default).")
    ] = True,
) -> None:
    """The main job: check formatting, lint, report the ontology, build the store (anchors,
    SHACL, rules), report the graph, install the query UI where npm is found, then serve it all
    (/sparql, the query UI at /, pages)."""
    from adkg.lint import LintInputs, lint_dataset

    settings = get_settings()
    passed = _format(settings, [], check=True)
    settings.require(settings.checks_folder, settings.reports_folder)
    inputs = LintInputs.of_project(settings.project_root)
    store = lint_dataset(inputs)
    passed = _lint(settings, inputs, store) and passed
    typer.echo("ontology terms:")
    for kind, count in term_counts(store, settings.reports_folder):
        typer.echo(f"  {count:>5}  {kind}")
    if not passed:
        raise typer.Exit(1)
    _build(settings)
    try:
        _install_ui(settings)
    except UiInstallError as error:  # the UI is optional: the endpoint and pages are served anyway
        typer.echo(f"ui: not installed: {error}", err=True)
    if serve:
        _serve()
