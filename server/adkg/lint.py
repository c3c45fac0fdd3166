"""``adkg lint``: the ontology's quality checks, kept as SPARQL files and run with Oxigraph.

Every ``*-violation.rq`` file in ``queries/checks/`` is a check: a SELECT of ``?term`` and
``?problem`` that must return no rows. The checks run over the *lint dataset*:

- the default graph: the ontology, every Turtle file under ``ontology/``;
- a named graph ``<urn:adkg:file:PATH>`` for every file linted (ontology, graph, shapes), holding
  its triples, and ``<urn:adkg:file:PATH> dcterms:references <iri>`` for each adkg or adkgr name
  its literals mention (an editorial note's ``adkgr:united-nations``); for a SPARQL file,
  ``<urn:adkg:file:PATH> dcterms:references <iri>`` for each IRI the query mentions;
- the named graph ``<urn:adkg:vocabularies>``: ``<namespace> a owl:Ontology`` for each reused
  vocabulary with a known term list and ``<term> rdfs:isDefinedBy <namespace>`` for its terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyoxigraph
from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store

from adkg.errors import LayoutError, SourceSyntaxError
from adkg.namespaces import compact
from adkg.query_terms import sparql_file_iris
from adkg.sources import folder_files
from adkg.turtle_files import project_turtle_files, turtle_files
from adkg.vocab import BASE, PREFIXES
from adkg.vocabularies import known_vocabularies

FILE_GRAPH_PREFIX: Final = "urn:adkg:file:"
VOCABULARIES_GRAPH: Final = NamedNode("urn:adkg:vocabularies")

_RDF_TYPE: Final = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_OWL_ONTOLOGY: Final = NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_IS_DEFINED_BY: Final = NamedNode("http://www.w3.org/2000/01/rdf-schema#isDefinedBy")
_REFERENCES: Final = NamedNode("http://purl.org/dc/terms/references")


@dataclass(frozen=True, slots=True)
class LintInputs:
    """The files one lint run reads, and the folder their names are shown relative to."""

    root: Path
    ontology: tuple[Path, ...]
    sources: tuple[Path, ...]
    queries: tuple[Path, ...]

    @classmethod
    def of_project(cls, root: Path) -> LintInputs:
        """Return the inputs of the project at ``root``: ontology/, graph/, shapes/, queries/."""
        ontology = tuple(turtle_files([root / "ontology"]))
        sources = tuple(path for path in project_turtle_files(root) if path not in ontology)
        queries = tuple(folder_files(root / "queries", "**/*.rq"))
        return cls(root, ontology, sources, queries)


@dataclass(frozen=True, slots=True)
class Violation:
    """One row of a failing check: which check, which term, what is wrong."""

    check: str
    term: str
    problem: str

    def __str__(self) -> str:
        return f"{self.check}: {self.term}: {self.problem}"


def _display_path(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` where it lies below it, else as given."""
    resolved, base = path.resolve(), root.resolve()
    return resolved.relative_to(base).as_posix() if resolved.is_relative_to(base) else str(path)


def _load_turtle(store: Store, path: Path, graph: NamedNode | DefaultGraph) -> None:
    try:
        store.load(path=path, format=RdfFormat.TURTLE, to_graph=graph)
    except SyntaxError as error:
        raise SourceSyntaxError(path, error.lineno, error.msg) from error


def _vocabulary_quads() -> Iterable[Quad]:
    for namespace, terms in known_vocabularies().items():
        namespace_node = NamedNode(namespace)
        yield Quad(namespace_node, _RDF_TYPE, _OWL_ONTOLOGY, VOCABULARIES_GRAPH)
        for term in terms:
            yield Quad(NamedNode(term), _IS_DEFINED_BY, namespace_node, VOCABULARIES_GRAPH)


#: An adkg or adkgr name written in a literal (``adkgr:united-nations``), or an adkg IRI in full.
_MENTION: Final = re.compile(
    r"(?<![\w/#:@])(?:(?P<prefix>adkgr?):(?P<local>[A-Za-z0-9_](?:[\w.-]*\w)?)"
    r"|(?P<iri>" + re.escape(BASE) + r"(?:ontology#|id/)\w(?:[\w.-]*\w)?))"
)


def mentions(text: str) -> list[str]:
    """Return the adkg and adkgr IRIs that ``text`` (a note, a definition) names, in order.

    >>> mentions("A claim separate from S11's (adkgr:claim-x-2023-10). adkg:hedge-as-high-as keeps it.")
    ['https://w3id.org/adkg/id/claim-x-2023-10', 'https://w3id.org/adkg/ontology#hedge-as-high-as']
    >>> mentions("See https://w3id.org/adkg/id/united-nations, not schema:adkg:x or e-mail@adkg:y")
    ['https://w3id.org/adkg/id/united-nations']
    """
    found = []
    for match in _MENTION.finditer(text):
        prefix = match.group("prefix")
        found.append(PREFIXES[prefix] + match.group("local") if prefix else match.group("iri"))
    return found


def _mention_quads(store: Store, graph: NamedNode) -> list[Quad]:
    """Return ``<graph> dcterms:references <iri>`` for each adkg name the literals of ``graph`` mention."""
    iris = {
        iri
        for quad in store.quads_for_pattern(None, None, None, graph)
        if isinstance(quad.object, pyoxigraph.Literal)
        for iri in mentions(quad.object.value)
    }
    return [Quad(graph, _REFERENCES, NamedNode(iri), graph) for iri in sorted(iris)]


def lint_dataset(inputs: LintInputs) -> Store:
    """Return an in-memory Oxigraph store holding the lint dataset of ``inputs``.

    Raises:
        SourceSyntaxError: a Turtle or SPARQL file does not parse.
    """
    store = Store()
    for path in inputs.ontology:
        _load_turtle(store, path, DefaultGraph())
    for path in (*inputs.ontology, *inputs.sources):
        file_node = NamedNode(FILE_GRAPH_PREFIX + _display_path(path, inputs.root))
        _load_turtle(store, path, file_node)
        store.extend(_mention_quads(store, file_node))
    for path in inputs.queries:
        file_node = NamedNode(FILE_GRAPH_PREFIX + _display_path(path, inputs.root))
        store.extend(
            Quad(file_node, _REFERENCES, NamedNode(iri), file_node)
            for iri in sorted(sparql_file_iris(path))
        )
    store.extend(_vocabulary_quads())
    return store


def check_files(checks_folder: Path) -> list[Path]:
    """Return the check queries (``*-violation.rq``) in ``checks_folder``, sorted by name.

    Raises:
        LayoutError: there is none (a lint that checks nothing must not pass).
    """
    checks = folder_files(checks_folder, "*-violation.rq")
    if not checks:
        raise LayoutError(f"no *-violation.rq check in {checks_folder}")
    return checks


def run_checks(store: Store, checks: Sequence[Path]) -> list[Violation]:
    """Run each check query over ``store``; return every row as a violation, check by check.

    Raises:
        SourceSyntaxError: a check query does not parse.
    """
    violations = []
    for check in checks:
        name = check.name.removesuffix("-violation.rq")
        try:
            solutions = store.query(check.read_text(encoding="utf-8"))
        except SyntaxError as error:
            raise SourceSyntaxError(check, error.lineno, error.msg) from error
        variables = {variable.value for variable in getattr(solutions, "variables", [])}
        if not isinstance(solutions, pyoxigraph.QuerySolutions) or not {"term", "problem"} <= variables:
            raise SourceSyntaxError(check, None, "a check must be a SELECT of ?term and ?problem")
        for row in solutions:
            term, problem = row["term"], row["problem"]
            shown = compact(term.value) if isinstance(term, NamedNode) else str(term)
            violations.append(Violation(name, shown, problem.value if problem else ""))
    return violations
