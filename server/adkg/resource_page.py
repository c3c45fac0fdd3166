"""What a resource's Linked Data page shows, made from its description (no rdflib, no web).

The description is what ``queries/pages/resource.rq`` returns for the resource: its triples, its
blank nodes', its quote anchors', those of the claims that concern it (pointing at it, or
measuring a statistical variable that does), and the labels of the nodes they point at.
:func:`resource_view` turns it into what the page's template needs: the resource's labels and
types, every statement about it (a blank node's own statements nested under it), and the claims
side by side, each named node by its label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from adkg.claim_text import Description, figure_text, time_text
from adkg.vocab import ADKG, BASE, PREFIXES, compact

_RDF_TYPE: Final = PREFIXES["rdf"] + "type"
_LABEL: Final = PREFIXES["rdfs"] + "label"
_SCHEMA: Final = PREFIXES["schema"]
_OA: Final = PREFIXES["oa"]
_PROV: Final = PREFIXES["prov"]
#: An empty description: predicates are shown by their compact IRIs, not their labels.
_NO_LABELS: Final = Description(())


@dataclass(frozen=True, slots=True)
class Term:
    """A term as a page shows it: its text (a named node's label where the description has one,
    else its compact IRI), the link it goes to (None for a literal or a blank node), and a note:
    a literal's language or datatype, a labelled node's compact IRI."""

    text: str
    link: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Statement:
    """One predicate and value of a node; a blank node's statements nested under it."""

    predicate: Term
    value: Term
    nested: list[Statement] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim that points at the resource, as a row of the page's table."""

    claim: Term
    measures: Term | None
    #: the value, range or bound, with its unit (:func:`adkg.claim_text.figure_text`)
    figure: str
    #: how the text qualifies it ("approximately", "more than": the bound excludes the figure)
    hedges: tuple[Term, ...]
    #: its time at the text's precision (:func:`adkg.claim_text.time_text`)
    when: str
    claimants: tuple[Term, ...]
    sources: tuple[Term, ...]
    footnotes: tuple[Term, ...]
    #: the exact words, each linked to its quote anchor (the passage of the source's page)
    quotes: tuple[Term, ...]
    #: whether the claim is the page's own resource
    this: bool = False


@dataclass(frozen=True, slots=True)
class ResourceView:
    """A resource's page: its IRI and where it is looked up here, labels, types, statements, the
    statements of named nodes that point at it, and the claims that concern it (itself included,
    for a claim)."""

    iri: str
    link: str
    labels: tuple[str, ...]
    types: tuple[Term, ...]
    statements: tuple[Statement, ...]
    referrers: tuple[Statement, ...]
    claims: tuple[ClaimRow, ...]


def link(iri: str, *, root: str = "") -> str:
    """Where an IRI is looked up: an adkg IRI on this server (under ``root``), any other as it is.

    >>> link("https://w3id.org/adkg/id/unhcr", root="/adkg"), link("http://www.wikidata.org/entity/Q1")
    ('/adkg/id/unhcr', 'http://www.wikidata.org/entity/Q1')
    """
    return root + "/" + iri.removeprefix(BASE) if iri.startswith(BASE) else iri


def search_words(name: str) -> str:
    """The ``?words`` of ``queries/pages/label-search.rq`` for a name that names nothing: a string
    literal of its words of three letters or more, as a regular expression of alternatives.

    >>> search_words("united-natins"), search_words("x-1")
    ('"natins|united"', '""')
    """
    return '"' + "|".join(sorted({w for w in re.split(r"[^a-z0-9]+", name.lower()) if len(w) >= 3})) + '"'


def term_of(description: Description, node: object, *, root: str) -> Term:
    """``node`` as a page shows it: a named node by its label in ``description`` (its compact IRI
    in the note) and linked, a literal with its language or datatype in the note."""
    if isinstance(node, NamedNode):
        label = description.label(node)
        if label is not None:
            return Term(label, link(node.value, root=root), compact(node.value))
        return Term(compact(node.value), link(node.value, root=root))
    if isinstance(node, Literal):
        note = f"@{node.language}" if node.language else (
            None if node.datatype.value == PREFIXES["xsd"] + "string" else compact(node.datatype.value)
        )
        return Term(node.value, None, note)
    return Term("(a node without a name)")


def resource_view(iri: str, triples: Iterable[Triple], *, root: str = "") -> ResourceView | None:
    """Return the page of ``iri`` from its description ``triples``, or None if they say nothing of it.

    >>> from pyoxigraph import parse, RdfFormat
    >>> view = resource_view("urn:r", parse(b'''
    ...   <urn:r> <http://www.w3.org/2000/01/rdf-schema#label> "R"@en ; <urn:p> [ <urn:q> 1 ] .
    ...   <urn:s> <urn:t> <urn:r> .''', format=RdfFormat.TURTLE))
    >>> view.labels, [(s.predicate.text, s.value.text, [n.value.text for n in s.nested]) for s in view.statements]
    (('R',), [('<urn:p>', '(a node without a name)', ['1']), ('rdfs:label', 'R', [])])
    >>> [(s.value.text, s.predicate.text) for s in view.referrers]
    [('<urn:s>', '<urn:t>')]
    """
    description = Description(triples)
    about, values = description.about, description.values
    subject = NamedNode(iri)
    if subject not in about:
        return None

    def term(node: object) -> Term:
        return term_of(description, node, root=root)

    def statements(node: object, depth: int = 0) -> list[Statement]:
        rows = []
        for predicate, value in sorted(about.get(node, []), key=lambda pv: (compact(pv[0].value), str(pv[1]))):
            # a blank node's statements, and a quote anchor's (its words), are shown under it
            held = isinstance(value, BlankNode) or (isinstance(value, NamedNode) and values(value, _OA + "hasSelector"))
            nested = statements(value, depth + 1) if held and depth < 4 else []
            rows.append(Statement(term_of(_NO_LABELS, predicate, root=root), term(value), nested))
        return rows

    referrers = sorted(
        (Statement(term_of(_NO_LABELS, predicate, root=root), term(node)) for node, said in about.items()
         if isinstance(node, NamedNode) and node != subject for predicate, value in said if value == subject),
        key=lambda s: (s.predicate.text, s.value.text),
    )

    claims = [
        claim_row(description, claim, root=root, this=claim == subject)
        for claim in about if isinstance(claim, NamedNode) and is_claim(description, claim)
    ]
    # side by side: the figures of one variable together, in time order
    claims.sort(key=lambda row: (row.measures.text if row.measures else "", row.when, row.claim.text))
    return ResourceView(
        iri=iri,
        link=link(iri, root=root),
        labels=tuple(sorted(str(getattr(v, "value", "")) for v in values(subject, _LABEL))),
        types=tuple(term(v) for v in sorted(values(subject, _RDF_TYPE), key=str)),
        statements=tuple(statements(subject)),
        referrers=tuple(referrers),
        claims=tuple(claims),
    )


def is_claim(description: Description, node: object) -> bool:
    """Whether ``node`` is described as a claim (it has a claimant or a source that reports it)."""
    return bool(description.values(node, _PROV + "wasAttributedTo") or description.values(node, ADKG + "reportedIn"))


def claim_row(description: Description, claim: NamedNode, *, root: str, this: bool = False) -> ClaimRow:
    """The row of ``claim`` in a table of claims side by side, from ``description``."""
    values = description.values

    def term(node: object) -> Term:
        return term_of(description, node, root=root)

    label = description.label(claim)
    measures = values(claim, _SCHEMA + "variableMeasured")
    times = [time_text(description, t) for t in values(claim, ADKG + "asOf")]
    return ClaimRow(
        claim=Term(label, link(claim.value, root=root)) if label is not None else term(claim),
        measures=term(measures[0]) if measures else None,
        figure=figure_text(description, claim),
        hedges=tuple(term(v) for v in sorted(values(claim, ADKG + "hedge"), key=str)),
        when="; ".join(t for t in times if t),
        claimants=tuple(term(v) for v in values(claim, _PROV + "wasAttributedTo")),
        sources=tuple(term(v) for v in values(claim, ADKG + "reportedIn")),
        footnotes=tuple(sorted((term(v) for v in values(claim, ADKG + "citesReference")), key=_natural)),
        quotes=quotes_of(description, claim, root=root),
        this=this,
    )


def anchors_of(description: Description, node: object) -> tuple[NamedNode, ...]:
    """The quote anchors ``node`` was derived from (``prov:wasDerivedFrom``), in order."""
    return tuple(a for a in description.values(node, _PROV + "wasDerivedFrom") if isinstance(a, NamedNode))


def quotes_of(description: Description, node: object, *, root: str) -> tuple[Term, ...]:
    """The exact words of each quote anchor of ``node``, each linked to its anchor."""
    return tuple(
        Term(str(getattr(exact, "value", "")), link(anchor.value, root=root))
        for anchor in anchors_of(description, node)
        for selector in description.values(anchor, _OA + "hasSelector")
        for exact in description.values(selector, _OA + "exact")
    )


def _natural(term: Term) -> tuple[object, ...]:
    """A sort key that puts "reference [2]" before "reference [10]"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", term.text))
