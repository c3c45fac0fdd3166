"""What a resource's Linked Data page shows, made from its description (no rdflib, no web).

The description is what ``queries/pages/resource.rq`` returns for the resource: its triples, its
blank nodes', its quote anchors', and those of the claims that point at it. :func:`resource_view`
turns it into what the page's template needs: the resource's labels and types, every statement
about it (a blank node's own statements nested under it), and the claims side by side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from adkg.vocab import BASE, PREFIXES, compact

_RDF_TYPE: Final = PREFIXES["rdf"] + "type"
_LABEL: Final = PREFIXES["rdfs"] + "label"
_SCHEMA: Final = PREFIXES["schema"]
_TIME: Final = PREFIXES["time"]
_ADKG: Final = PREFIXES["adkg"]
_OA: Final = PREFIXES["oa"]
_PROV: Final = PREFIXES["prov"]


@dataclass(frozen=True, slots=True)
class Term:
    """A term as a page shows it: its text, the link it goes to (None for a literal or a blank
    node), and a literal's language or datatype."""

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
    figure: str
    when: str
    claimants: tuple[Term, ...]
    sources: tuple[Term, ...]
    footnotes: tuple[Term, ...]
    quotes: tuple[str, ...]


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


def _term(node: object, *, root: str) -> Term:
    if isinstance(node, NamedNode):
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

    def statements(node: object, depth: int = 0) -> list[Statement]:
        rows = []
        for predicate, value in sorted(about.get(node, []), key=lambda pv: (compact(pv[0].value), str(pv[1]))):
            nested = statements(value, depth + 1) if isinstance(value, BlankNode) and depth < 4 else []
            rows.append(Statement(_term(predicate, root=root), _term(value, root=root), nested))
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
        value = [getattr(v, "value", "") for v in values(claim, _SCHEMA + "value")]
        low = [getattr(v, "value", "") for v in values(claim, _SCHEMA + "minValue")]
        high = [getattr(v, "value", "") for v in values(claim, _SCHEMA + "maxValue")]
        if value:
            return ", ".join(value)
        if low or high:
            return f"{low[0] if low else ''} – {high[0] if high else ''}".strip()
        return ""

    claims = []
    for claim in sorted((s for s in about if isinstance(s, NamedNode) and s != subject), key=lambda n: n.value):
        if not values(claim, _PROV + "wasAttributedTo") and not values(claim, _ADKG + "reportedIn"):
            continue  # an anchor, not a claim
        quotes = tuple(
            str(getattr(exact, "value", ""))
            for anchor in values(claim, _PROV + "wasDerivedFrom")
            for selector in values(anchor, _OA + "hasSelector")
            for exact in values(selector, _OA + "exact")
        )
        labels = sorted(str(getattr(v, "value", "")) for v in values(claim, _LABEL))
        claims.append(ClaimRow(
            claim=Term(labels[0], link(claim.value, root=root)) if labels else _term(claim, root=root),
            figure=figure(claim),
            when=when(claim),
            claimants=tuple(_term(v, root=root) for v in values(claim, _PROV + "wasAttributedTo")),
            sources=tuple(_term(v, root=root) for v in values(claim, _ADKG + "reportedIn")),
            footnotes=tuple(_term(v, root=root) for v in values(claim, _ADKG + "citesReference")),
            quotes=quotes,
        ))
    return ResourceView(
        iri=iri,
        labels=tuple(sorted(str(getattr(v, "value", "")) for v in values(subject, _LABEL))),
        types=tuple(_term(v, root=root) for v in sorted(values(subject, _RDF_TYPE), key=str)),
        statements=tuple(statements(subject)),
        claims=tuple(claims),
    )
