"""The estimates view: every statistical variable with its figures side by side, and what the rules
derived about them (no rdflib, no web).

Made from what ``queries/views/estimates.rq`` returns: each quantity claim (with its time, quote
anchors and the labels of what it points at), each statistical variable, and each derived record
about figures (comparable groups, disagreements, arithmetic inconsistencies, cumulative series,
decreases, progress toward a target). :func:`estimates_view` groups the claims by the variable
they measure, each as the same row a resource's page shows (:func:`adkg.resource_page.claim_row`)
plus the numbers and days a chart or an analyst needs; :func:`table` flattens it for CSV and JSON.
Nothing is merged or preferred: every claim is its own row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from pyoxigraph import Literal, NamedNode, Triple

from adkg.claim_text import Description
from adkg.resource_page import ClaimRow, Term, anchors_of, claim_row, term_of
from adkg.vocab import ADKG, PREFIXES

_RDF_TYPE: Final = PREFIXES["rdf"] + "type"
_SCHEMA: Final = PREFIXES["schema"]
_SEM: Final = PREFIXES["sem"]
_DEFINITION: Final = PREFIXES["skos"] + "definition"
#: The classes of derived records about figures, and the properties that name their claims.
FINDINGS: Final = ("ComparableGroup", "Disagreement", "ArithmeticInconsistency", "CumulativeSeries", "Decrease",
                   "TargetProgress")
_CLAIM_LINKS: Final = (ADKG + "involves", ADKG + "groupClaim")


@dataclass(frozen=True, slots=True)
class Figure:
    """One claim's figure: its row as pages show it, its numbers, and the days it may hold."""

    iri: str
    row: ClaimRow
    value: float | None
    low: float | None
    high: float | None
    #: the earliest and latest day the claim may hold (rule 030), ISO dates, None where open
    earliest: str | None
    latest: str | None
    #: the IRIs of its quote anchors
    anchors: tuple[str, ...]
    #: the currency its figure is given in ("" for a count or a share)
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """A derived record about figures: what it is, its kind, and the claims it concerns."""

    record: Term
    #: the record's IRI
    iri: str
    kind: Term
    detail: tuple[Term, ...]
    claims: tuple[Term, ...]
    #: the IRIs of the claims
    claim_iris: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VariableFigures:
    """A statistical variable, its figures in time order, and the findings that concern them."""

    variable: Term
    iri: str
    definition: str
    measure_kind: Term | None
    figures: tuple[Figure, ...]
    findings: tuple[Finding, ...]


def _number(node: object) -> float | None:
    try:
        return float(node.value) if isinstance(node, Literal) else None
    except ValueError:
        return None


def _day(description: Description, claim: object, predicate: str) -> str | None:
    days = [v.value for v in description.values(claim, _SEM + predicate) if isinstance(v, Literal)]
    return min(days) if days else None


def estimates_view(triples: Iterable[Triple], *, root: str = "") -> list[VariableFigures]:
    """Return every statistical variable that a claim measures, by label, with its figures in
    time order and the findings about them.

    >>> from pyoxigraph import parse, RdfFormat
    >>> view = estimates_view(parse(b'''@prefix schema: <https://schema.org/> .
    ...   @prefix adkg: <https://w3id.org/adkg/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
    ...   <urn:v> a adkg:StatisticalVariable ; <http://www.w3.org/2000/01/rdf-schema#label> "V" .
    ...   <urn:a> a adkg:QuantityClaim ; schema:variableMeasured <urn:v> ; schema:value 3 .
    ...   <urn:b> a adkg:QuantityClaim ; schema:variableMeasured <urn:v> ; schema:minValue 1 .
    ...   ''', format=RdfFormat.TURTLE))
    >>> [(v.variable.text, [(f.iri, f.value, f.low, f.row.figure) for f in v.figures]) for v in view]
    [('V', [('urn:a', 3.0, None, '3'), ('urn:b', None, 1.0, '≥ 1')])]
    """
    description = Description(triples)
    values = description.values
    claims_of: dict[NamedNode, list[NamedNode]] = {}
    for node in description.about:
        if isinstance(node, NamedNode) and NamedNode(ADKG + "QuantityClaim") in values(node, _RDF_TYPE):
            for variable in values(node, _SCHEMA + "variableMeasured"):
                if isinstance(variable, NamedNode):
                    claims_of.setdefault(variable, []).append(node)
    findings_of: dict[NamedNode, list[Finding]] = {}
    for record in description.about:
        kinds = [k for k in values(record, _RDF_TYPE) if k in {NamedNode(ADKG + f) for f in FINDINGS}]
        if not isinstance(record, NamedNode) or not kinds:
            continue
        claims = sorted({c for p in _CLAIM_LINKS for c in values(record, p) if isinstance(c, NamedNode)}, key=str)
        finding = Finding(
            record=term_of(description, record, root=root),
            iri=record.value,
            kind=term_of(description, kinds[0], root=root),
            detail=tuple(term_of(description, k, root=root) for k in values(record, ADKG + "disagreementKind")),
            claims=tuple(term_of(description, c, root=root) for c in claims),
            claim_iris=tuple(c.value for c in claims),
        )
        measured = {v for c in claims for v in values(c, _SCHEMA + "variableMeasured") if isinstance(v, NamedNode)}
        for variable in measured:
            findings_of.setdefault(variable, []).append(finding)
    view = []
    for variable, claims in claims_of.items():
        figures = [
            Figure(
                iri=claim.value,
                row=claim_row(description, claim, root=root),
                value=next((n for n in map(_number, values(claim, _SCHEMA + "value")) if n is not None), None),
                low=next((n for n in map(_number, values(claim, _SCHEMA + "minValue")) if n is not None), None),
                high=next((n for n in map(_number, values(claim, _SCHEMA + "maxValue")) if n is not None), None),
                earliest=_day(description, claim, "hasEarliestBeginTimeStamp"),
                latest=_day(description, claim, "hasLatestEndTimeStamp"),
                anchors=tuple(a.value for a in anchors_of(description, claim)),
                unit=" ".join(c.value for c in values(claim, _SCHEMA + "currency") if isinstance(c, Literal)),
            )
            for claim in claims
        ]
        figures.sort(key=lambda f: (f.earliest or f.latest or "9999", f.latest or "9999", f.row.claim.text))
        kinds = values(variable, ADKG + "measureKind")
        definitions = [v.value for v in values(variable, _DEFINITION) if isinstance(v, Literal)]
        view.append(VariableFigures(
            variable=term_of(description, variable, root=root),
            iri=variable.value,
            definition=definitions[0] if definitions else "",
            measure_kind=term_of(description, kinds[0], root=root) if kinds else None,
            figures=tuple(figures),
            findings=tuple(sorted(findings_of.get(variable, []), key=lambda f: (f.kind.text, f.record.text))),
        ))
    view.sort(key=lambda v: v.variable.text.lower())
    return view


#: The columns of :func:`table`, for CSV (in this order) and JSON.
COLUMNS: Final = (
    "variable", "variable_label", "claim", "claim_label", "value", "min_value", "max_value", "unit", "figure", "hedges",
    "as_of", "earliest_day", "latest_day", "claimants", "sources", "footnotes", "quote", "anchor",
)


def table(view: list[VariableFigures]) -> list[dict[str, str]]:
    """Return one row per claim of ``view``: IRIs, numbers as the graph gives them, the figure and
    time as pages write them, and the claim's words with their anchor ("; " between several).

    >>> from pyoxigraph import parse, RdfFormat
    >>> view = estimates_view(parse(b'''@prefix schema: <https://schema.org/> .
    ...   @prefix adkg: <https://w3id.org/adkg/ontology#> .
    ...   <urn:a> a adkg:QuantityClaim ; schema:variableMeasured <urn:v> ; schema:value 3 .''',
    ...   format=RdfFormat.TURTLE))
    >>> [(row["variable"], row["claim"], row["value"], row["figure"]) for row in table(view)]
    [('urn:v', 'urn:a', '3', '3')]
    """

    def names(terms: tuple[Term, ...]) -> str:
        return "; ".join(t.text for t in terms)

    def number(found: float | None) -> str:
        return "" if found is None else (str(int(found)) if found.is_integer() else str(found))

    rows = []
    for variable in view:
        for figure in variable.figures:
            row = figure.row
            rows.append({
                "variable": variable.iri,
                "variable_label": variable.variable.text,
                "claim": figure.iri,
                "claim_label": row.claim.text,
                "value": number(figure.value),
                "min_value": number(figure.low),
                "max_value": number(figure.high),
                "unit": figure.unit,
                "figure": row.figure,
                "hedges": names(row.hedges),
                "as_of": row.when,
                "earliest_day": figure.earliest or "",
                "latest_day": figure.latest or "",
                "claimants": names(row.claimants),
                "sources": names(row.sources),
                "footnotes": names(row.footnotes),
                "quote": names(row.quotes),
                "anchor": "; ".join(figure.anchors),
            })
    return rows

