"""``adkg coverage``: does the graph cover every sentence, figure and footnote of its sources?

For each source document with a seed text, sentence by sentence:

- the nodes anchored there: subjects of ``prov:wasDerivedFrom`` an anchor on that source whose
  ``oa:TextPositionSelector`` overlaps the sentence (claims, events, policies, office holdings);
- each figure (see :func:`adkg.text_spans.figures`): covered when an anchor's span contains it,
  or excluded when the target of an ``oa:Annotation`` in the source's exclusions file contains it
  (the annotation's ``oa:bodyValue`` says why it is not a figure to model);
- each footnote marker ``[n]``: covered when a node anchored in the sentence cites reference n
  of that source (``adkg:citesReference``).

A sentence without nodes, an uncovered figure or an uncited footnote marker is a gap, except that
a sentence inside the target of an exclusion (a heading, a dateline on its own line, a byline)
needs no node: the exclusion's reason is reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from adkg.anchors import selector_of
from adkg.namespaces import ADKG, OA, PROV, RDF, compact
from adkg.text_spans import Span, figures, footnote_markers, sentences


@dataclass(frozen=True, slots=True)
class Anchored:
    """A node or an exclusion, and the span of the source its anchor or target covers."""

    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class FigureCoverage:
    """A figure and what covers it: the nodes whose anchors contain it, or exclusions."""

    figure: Span
    nodes: tuple[str, ...]
    exclusions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SentenceCoverage:
    """What the graph anchors in one sentence of a source."""

    number: int
    sentence: Span
    nodes: tuple[str, ...]
    figures: tuple[FigureCoverage, ...]
    uncited_footnotes: tuple[int, ...]
    cited_footnotes: tuple[int, ...]
    exclusions: tuple[str, ...] = ()

    def gaps(self) -> list[str]:
        """Return a sentence for each gap: no node (unless the sentence is excluded), an
        uncovered figure, an uncited marker."""
        gaps = [] if self.nodes or self.exclusions else ["no node is anchored in this sentence"]
        gaps += [
            f"figure {f.figure.text!r} at {f.figure.start} is in no anchor and not excluded"
            for f in self.figures
            if not f.nodes and not f.exclusions
        ]
        gaps += [f"footnote [{n}] is cited by no node anchored here" for n in self.uncited_footnotes]
        return gaps


@dataclass(frozen=True, slots=True)
class CoverageSummary:
    """The totals of one source's coverage report."""

    sentences: int
    sentences_with_nodes: int
    sentences_excluded: int
    figures: int
    figures_anchored: int
    figures_excluded: int
    footnotes: int
    footnotes_cited: int
    gaps: int

    @classmethod
    def of(cls, report: list[SentenceCoverage]) -> CoverageSummary:
        """Return the totals of ``report``."""
        all_figures = [f for s in report for f in s.figures]
        return cls(
            sentences=len(report),
            sentences_with_nodes=sum(1 for s in report if s.nodes),
            sentences_excluded=sum(1 for s in report if s.exclusions and not s.nodes),
            figures=len(all_figures),
            figures_anchored=sum(1 for f in all_figures if f.nodes),
            figures_excluded=sum(1 for f in all_figures if f.exclusions and not f.nodes),
            footnotes=sum(len(s.cited_footnotes) + len(s.uncited_footnotes) for s in report),
            footnotes_cited=sum(len(s.cited_footnotes) for s in report),
            gaps=sum(len(s.gaps()) for s in report),
        )

    def __str__(self) -> str:
        return (
            f"{self.sentences_with_nodes}/{self.sentences} sentences with nodes and "
            f"{self.sentences_excluded} excluded, "
            f"{self.figures_anchored}/{self.figures} figures anchored and "
            f"{self.figures_excluded} excluded, "
            f"{self.footnotes_cited}/{self.footnotes} footnote markers cited, {self.gaps} gaps"
        )


def _position(graph: Graph, anchor: Node) -> tuple[int, int] | None:
    selector = selector_of(graph, anchor, OA.TextPositionSelector)
    if selector is None:
        return None
    start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
    if start is None or end is None:
        return None
    # Offsets are integer literals (adkg anchor writes them, and the shapes require them).
    return cast(Literal, start).toPython(), cast(Literal, end).toPython()


def _anchored(graph: Graph, source: URIRef, text: str, link: URIRef) -> list[Anchored]:
    """Spans on ``source`` of the anchors that subjects reach by ``link``, by subject."""
    found = []
    for subject, anchor in graph.subject_objects(link):
        position = _position(graph, anchor)
        if graph.value(anchor, OA.hasSource) == source and position is not None:
            start, end = position
            found.append(Anchored(compact(str(subject)), Span(start, end, text[start:end])))
    return sorted(found, key=lambda a: (a.span.start, a.name))


def _cited_numbers(graph: Graph, source: URIRef) -> dict[str, set[int]]:
    """For each node (by name), the numbers of the references of ``source`` it cites."""
    cited: dict[str, set[int]] = {}
    for node, reference in graph.subject_objects(ADKG.citesReference):
        number = graph.value(reference, ADKG.referenceNumber)
        if number is not None and graph.value(reference, ADKG.referenceIn) == source:
            # A reference number is an integer literal (the shapes require it).
            cited.setdefault(compact(str(node)), set()).add(cast(Literal, number).toPython())
    return cited


def source_coverage(graph: Graph, source: URIRef, text: str) -> list[SentenceCoverage]:
    """Return the coverage of every sentence of ``source``, whose text is ``text``."""
    nodes = _anchored(graph, source, text, PROV.wasDerivedFrom)
    exclusions = [
        Anchored(str(graph.value(annotation, OA.bodyValue)), target.span)
        for annotation in graph.subjects(RDF.type, OA.Annotation)
        for target in _anchored(graph, source, text, OA.hasTarget)
        if target.name == compact(str(annotation))
    ]
    cited = _cited_numbers(graph, source)
    markers = footnote_markers(text)
    all_figures = figures(text)
    report = []
    for number, sentence in enumerate(sentences(text), start=1):
        here = sorted({n.name for n in nodes if sentence.overlaps(n.span.start, n.span.end)})
        in_sentence = [f for f in all_figures if sentence.contains(f.start, f.end)]
        figure_coverage = tuple(
            FigureCoverage(
                figure,
                tuple(sorted({n.name for n in nodes if n.span.contains(figure.start, figure.end)})),
                tuple(e.name for e in exclusions if e.span.contains(figure.start, figure.end)),
            )
            for figure in in_sentence
        )
        citing = set().union(*(cited.get(name, set()) for name in here))
        numbers = [n for span, n in markers if sentence.contains(span.start, span.end)]
        report.append(
            SentenceCoverage(
                number,
                sentence,
                tuple(here),
                figure_coverage,
                tuple(n for n in numbers if n not in citing),
                tuple(n for n in numbers if n in citing),
                tuple(e.name for e in exclusions if e.span.contains(sentence.start, sentence.end)),
            )
        )
    return report
