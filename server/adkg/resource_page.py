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
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from adkg.vocab import BASE, PREFIXES, compact

_RDF_TYPE: Final = PREFIXES["rdf"] + "type"
_LABEL: Final = PREFIXES["rdfs"] + "label"
_PREF_LABEL: Final = PREFIXES["skos"] + "prefLabel"
_SCHEMA: Final = PREFIXES["schema"]
_TIME: Final = PREFIXES["time"]
_ADKG: Final = PREFIXES["adkg"]
_OA: Final = PREFIXES["oa"]
_PROV: Final = PREFIXES["prov"]
_XSD: Final = PREFIXES["xsd"]


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
    #: the value, range (low – high) or bound (≥ low, ≤ high), digits grouped, with its currency
    figure: str
    #: how the text qualifies it ("approximately", "more than": the bound excludes the figure)
    hedges: tuple[Term, ...]
    when: str
    claimants: tuple[Term, ...]
    sources: tuple[Term, ...]
    footnotes: tuple[Term, ...]
    #: the exact words, each linked to its quote anchor (the passage of the source's page)
    quotes: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class ResourceView:
    """A resource's page: its IRI, labels, types, statements and the claims pointing at it."""

    iri: str
    labels: tuple[str, ...]
    types: tuple[Term, ...]
    statements: tuple[Statement, ...]
    claims: tuple[ClaimRow, ...]


def link(iri: str, *, root: str = "") -> str:
    """Where an IRI is looked up: an adkg IRI on this server (under ``root``), any other as it is.

    >>> link("https://w3id.org/adkg/id/unhcr", root="/adkg"), link("http://www.wikidata.org/entity/Q1")
    ('/adkg/id/unhcr', 'http://www.wikidata.org/entity/Q1')
    """
    return root + "/" + iri.removeprefix(BASE) if iri.startswith(BASE) else iri


def number(literal: object) -> str:
    """A figure as a page shows it: an integer or decimal with its digits grouped by thousands,
    any other literal as it is.

    >>> from pyoxigraph import Literal, NamedNode
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> number(Literal("3800000", datatype=NamedNode(xsd + "integer")))
    '3,800,000'
    >>> number(Literal("1.5e3", datatype=NamedNode(xsd + "double")))
    '1.5e3'
    >>> number(Literal("12345.25", datatype=NamedNode(xsd + "decimal")))
    '12,345.25'
    """
    text = str(getattr(literal, "value", ""))
    datatype = getattr(getattr(literal, "datatype", None), "value", "")
    whole, point, fraction = text.partition(".")
    if datatype in {_XSD + "integer", _XSD + "decimal"} and whole.lstrip("-").isdigit():
        return f"{int(whole):,}" + point + fraction
    return text


def search_words(name: str) -> str:
    """The ``?words`` of ``queries/pages/label-search.rq`` for a name that names nothing: a string
    literal of its words of three letters or more, as a regular expression of alternatives.

    >>> search_words("united-natins"), search_words("x-1")
    ('"natins|united"', '""')
    """
    return '"' + "|".join(sorted({w for w in re.split(r"[^a-z0-9]+", name.lower()) if len(w) >= 3})) + '"'


def _term(node: object, *, root: str, labels: dict[NamedNode, str] | None = None) -> Term:
    if isinstance(node, NamedNode):
        label = (labels or {}).get(node)
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
    ...   <urn:r> <http://www.w3.org/2000/01/rdf-schema#label> "R"@en ; <urn:p> [ <urn:q> 1 ] .''',
    ...   format=RdfFormat.TURTLE))
    >>> view.labels, [(s.predicate.text, s.value.text, [n.value.text for n in s.nested]) for s in view.statements]
    (('R',), [('<urn:p>', '(a node without a name)', ['1']), ('rdfs:label', 'R', [])])
    """
    about: dict[object, list[tuple[NamedNode, object]]] = defaultdict(list)
    for triple in dict.fromkeys(triples):  # a description may repeat a triple
        about[triple.subject].append((triple.predicate, triple.object))
    subject = NamedNode(iri)
    if subject not in about:
        return None

    def values(node: object, predicate: str) -> list[object]:
        return [o for p, o in about.get(node, []) if p.value == predicate]

    labels: dict[NamedNode, str] = {}
    for node in about:
        if isinstance(node, NamedNode):
            named = sorted(
                (o.language != "en", o.value)
                for o in values(node, _LABEL) or values(node, _PREF_LABEL) if isinstance(o, Literal)
            )
            if named:
                labels[node] = named[0][1]

    def term(node: object) -> Term:
        return _term(node, root=root, labels=labels)

    def statements(node: object, depth: int = 0) -> list[Statement]:
        rows = []
        for predicate, value in sorted(about.get(node, []), key=lambda pv: (compact(pv[0].value), str(pv[1]))):
            nested = statements(value, depth + 1) if isinstance(value, BlankNode) and depth < 4 else []
            rows.append(Statement(_term(predicate, root=root), term(value), nested))
        return rows

    def when(claim: object) -> str:
        for time in values(claim, _ADKG + "asOf"):
            stated = [v for name in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear") for v in values(time, _TIME + name)]
            if stated:
                return str(getattr(stated[0], "value", ""))
            ends = [
                str(getattr(v, "value", ""))
                for edge in ("hasBeginning", "hasEnd") for point in values(time, _TIME + edge)
                for name in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear") for v in values(point, _TIME + name)
            ]
            if ends:
                return " – ".join(ends)
        return ""

    def figure(claim: object) -> str:
        value, low, high = (
            [number(v) for v in values(claim, _SCHEMA + name)] for name in ("value", "minValue", "maxValue")
        )
        currency = " ".join(str(getattr(v, "value", "")) for v in values(claim, _SCHEMA + "currency"))
        if value:
            stated = ", ".join(value)
        elif low and high:
            stated = f"{low[0]} – {high[0]}"
        elif low or high:
            stated = f"≥ {low[0]}" if low else f"≤ {high[0]}"
        else:
            return ""
        return f"{stated} {currency}".strip()

    claims = []
    for claim in (s for s in about if isinstance(s, NamedNode) and s != subject):
        if not values(claim, _PROV + "wasAttributedTo") and not values(claim, _ADKG + "reportedIn"):
            continue  # an anchor, not a claim
        quotes = tuple(
            Term(str(getattr(exact, "value", "")), link(anchor.value, root=root))
            for anchor in values(claim, _PROV + "wasDerivedFrom") if isinstance(anchor, NamedNode)
            for selector in values(anchor, _OA + "hasSelector")
            for exact in values(selector, _OA + "exact")
        )
        measures = values(claim, _SCHEMA + "variableMeasured")
        hedges = tuple(term(v) for v in sorted(values(claim, _ADKG + "hedge"), key=str))
        claims.append(ClaimRow(
            claim=Term(labels[claim], link(claim.value, root=root)) if claim in labels else term(claim),
            measures=term(measures[0]) if measures else None,
            figure=figure(claim),
            hedges=hedges,
            when=when(claim),
            claimants=tuple(term(v) for v in values(claim, _PROV + "wasAttributedTo")),
            sources=tuple(term(v) for v in values(claim, _ADKG + "reportedIn")),
            footnotes=tuple(term(v) for v in values(claim, _ADKG + "citesReference")),
            quotes=quotes,
        ))
    # side by side: the figures of one variable together, in time order
    claims.sort(key=lambda row: (row.measures.text if row.measures else "", row.when, row.claim.text))
    return ResourceView(
        iri=iri,
        labels=tuple(sorted(str(getattr(v, "value", "")) for v in values(subject, _LABEL))),
        types=tuple(term(v) for v in sorted(values(subject, _RDF_TYPE), key=str)),
        statements=tuple(statements(subject)),
        claims=tuple(claims),
    )
