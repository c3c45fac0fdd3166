"""How a claim's figure and time read for a person, from the triples that describe it (no rdflib).

A figure is a value, a range or a one-sided bound, its digits grouped, with its unit where the
graph gives one (a currency, a percentage for a share, years for a duration); a time is what the
text fixes, at its own precision: a day, a month or a year as stated, an interval with its open
ends left open, a duration, a date without a year said to be one, and "(vague)" for a time the
text places loosely. Nothing is rounded, converted or guessed.
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Final

from pyoxigraph import Literal, NamedNode, Triple

from adkg.vocab import ADKG, PREFIXES

_LABEL: Final = PREFIXES["rdfs"] + "label"
_PREF_LABEL: Final = PREFIXES["skos"] + "prefLabel"
_SCHEMA: Final = PREFIXES["schema"]
_TIME: Final = PREFIXES["time"]
_XSD: Final = PREFIXES["xsd"]
#: The properties that state an instant, most precise first.
_STATED: Final = ("inXSDDate", "inXSDDateTimeStamp", "inXSDgYearMonth", "inXSDgYear")
_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)
#: A duration's designators (xsd:duration), as words.
_DESIGNATORS: Final = {"Y": "year", "M": "month", "D": "day", "W": "week"}


class Description:
    """Triples indexed by subject, for looking up what they say of a node.

    >>> from pyoxigraph import parse, RdfFormat
    >>> d = Description(parse(b'<urn:a> <urn:p> 1, 2 .', format=RdfFormat.TURTLE))
    >>> sorted(v.value for v in d.values(NamedNode("urn:a"), "urn:p"))
    ['1', '2']
    """

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.about: dict[object, list[tuple[NamedNode, object]]] = defaultdict(list)
        for triple in dict.fromkeys(triples):  # a description may repeat a triple
            self.about[triple.subject].append((triple.predicate, triple.object))

    def values(self, node: object, predicate: str) -> list[object]:
        """The objects of ``node``'s triples with ``predicate``, in the order given."""
        return [o for p, o in self.about.get(node, []) if p.value == predicate]

    def label(self, node: object) -> str | None:
        """``node``'s label: its ``rdfs:label`` (else ``skos:prefLabel``) in English if it has one,
        else any, the first in order; None for a node without one."""
        named = sorted(
            (o.language != "en", o.value)
            for o in self.values(node, _LABEL) or self.values(node, _PREF_LABEL) if isinstance(o, Literal)
        )
        return named[0][1] if named else None


def number(literal: object) -> str:
    """A figure as a page shows it: an integer or decimal with its digits grouped by thousands,
    any other literal as it is.

    >>> from pyoxigraph import Literal, NamedNode
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> number(Literal("3800000", datatype=NamedNode(xsd + "integer")))
    '3,800,000'
    >>> number(Literal("1.5e3", datatype=NamedNode(xsd + "double")))
    '1.5e3'
    >>> [number(Literal(n, datatype=NamedNode(xsd + "decimal"))) for n in ("-12345.25", "-0.5")]
    ['-12,345.25', '-0.5']
    """
    text = str(getattr(literal, "value", ""))
    datatype = getattr(getattr(literal, "datatype", None), "value", "")
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, point, fraction = digits.partition(".")
    if datatype in {_XSD + "integer", _XSD + "decimal"} and whole.isdigit():
        return f"{sign}{int(whole):,}{point}{fraction}"
    return text


def duration(text: str) -> str:
    """An xsd:duration in words (years, months, weeks, days), or as written when it has a time part.

    >>> duration("P40Y"), duration("P1Y6M"), duration("P1D"), duration("PT5H")
    ('40 years', '1 year 6 months', '1 day', 'PT5H')
    """
    if not text.startswith("P") or "T" in text:
        return text
    words, count = [], ""
    for character in text[1:]:
        if character.isdigit():
            count += character
        elif character in _DESIGNATORS and count:
            words.append(f"{count} {_DESIGNATORS[character]}{'' if count == '1' else 's'}")
            count = ""
        else:
            return text
    return " ".join(words) or text


def _no_year(description: Description, node: object) -> str:
    """A date the text gives without a year (time:inDateTime), as "1 November, no year given"."""
    month = [str(getattr(v, "value", "")) for v in description.values(node, _TIME + "month")]
    day = [str(getattr(v, "value", "")) for v in description.values(node, _TIME + "day")]
    year = [str(getattr(v, "value", "")) for v in description.values(node, _TIME + "year")]
    words = []
    if day and day[0].startswith("---"):
        words.append(str(int(day[0][3:5])))
    if month and month[0].startswith("--") and month[0][2:4].isdigit() and 1 <= int(month[0][2:4]) <= 12:
        words.append(_MONTHS[int(month[0][2:4]) - 1])
    if year:
        return " ".join([*words, year[0]])
    return (" ".join(words) + ", no year given") if words else "a date not given"


def time_text(description: Description, node: object) -> str:
    """What the time ``node`` (an OWL-Time instant, interval or duration) says, at its precision.

    >>> from pyoxigraph import parse, RdfFormat
    >>> d = Description(parse(b'''@prefix time: <http://www.w3.org/2006/time#> .
    ...   @prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix adkg: <https://w3id.org/adkg/ontology#> .
    ...   <urn:a> time:hasBeginning [ time:inXSDgYear "1979"^^xsd:gYear ] .
    ...   <urn:b> time:hasBeginning [ time:inXSDDate "2023-09-17"^^xsd:date ] ;
    ...           time:hasEnd [ time:inXSDDate "2023-11-05"^^xsd:date ] .
    ...   <urn:c> time:hasXSDDuration "P40Y"^^xsd:duration ;
    ...           time:hasEnd [ adkg:hedge adkg:hedge-vague-time ] .
    ...   <urn:d> time:inDateTime [ time:month "--01"^^xsd:gMonth ] .''', format=RdfFormat.TURTLE))
    >>> [time_text(d, NamedNode(f"urn:{n}")) for n in "abcd"]
    ['from 1979', '2023-09-17 – 2023-11-05', '40 years to an undated end', 'January, no year given']
    """
    vague = any(getattr(h, "value", "") == ADKG + "hedge-vague-time" for h in description.values(node, ADKG + "hedge"))
    for name in _STATED:
        stated = description.values(node, _TIME + name)
        if stated:
            text = str(getattr(stated[0], "value", ""))
            return f"{text} (vague)" if vague else text
    for when in description.values(node, _TIME + "inDateTime"):
        text = _no_year(description, when)
        return f"{text} (vague)" if vague else text
    begin = [time_text(description, b) for b in description.values(node, _TIME + "hasBeginning")]
    end = [time_text(description, e) for e in description.values(node, _TIME + "hasEnd")]
    length = [duration(str(getattr(v, "value", ""))) for v in description.values(node, _TIME + "hasXSDDuration")]
    begin_text, end_text = (begin[0] if begin else ""), (end[0] if end else "")
    if begin_text and end_text:
        span = f"{begin_text} – {end_text}"
    elif begin_text:
        span = f"from {begin_text}" + (", to an undated end" if end else "")
    elif end_text:
        span = f"until {end_text}" + (", from an undated start" if begin else "")
    else:
        span = "to an undated end" if end and length else ""
    text = " ".join(part for part in (length[0] if length else "", span) if part)
    return f"{text} (vague)" if vague and text else text


def _stated_days(text: str, datatype: str) -> tuple[date, date] | None:
    """The first and last day of a stated date, month or year."""
    if datatype == _XSD + "date":
        day = date.fromisoformat(text[:10])
        return day, day
    if datatype == _XSD + "gYearMonth":
        year, month = int(text[:4]), int(text[5:7])
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    if datatype == _XSD + "gYear":
        return date(int(text[:4]), 1, 1), date(int(text[:4]), 12, 31)
    return None


def time_days(description: Description, node: object) -> tuple[date | None, date | None]:
    """The first day the time ``node`` may begin and the last it may end, where the text dates
    them (None for an open or undated end; a date without a year gives none).

    >>> from pyoxigraph import parse, RdfFormat
    >>> d = Description(parse(b'''@prefix time: <http://www.w3.org/2006/time#> .
    ...   @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ...   <urn:a> time:inXSDgYearMonth "2023-11"^^xsd:gYearMonth .
    ...   <urn:b> time:hasBeginning [ time:inXSDgYear "1979"^^xsd:gYear ] .''', format=RdfFormat.TURTLE))
    >>> time_days(d, NamedNode("urn:a")), time_days(d, NamedNode("urn:b"))
    ((datetime.date(2023, 11, 1), datetime.date(2023, 11, 30)), (datetime.date(1979, 1, 1), None))
    """
    for name in _STATED:
        for stated in description.values(node, _TIME + name):
            if isinstance(stated, Literal):
                days = _stated_days(stated.value, stated.datatype.value)
                if days is not None:
                    return days
    begins = [time_days(description, b)[0] for b in description.values(node, _TIME + "hasBeginning")]
    ends = [time_days(description, e)[1] for e in description.values(node, _TIME + "hasEnd")]
    return (begins[0] if begins else None), (ends[0] if ends else None)


def figure_text(description: Description, claim: object) -> str:
    """A quantity claim's figure: its value, range (``100,000 – 165,000``) or bound (``> 4,000,000``
    where the text's bound excludes the figure, ``≥``/``≤`` where it does not), with its unit.

    >>> from pyoxigraph import parse, RdfFormat
    >>> d = Description(parse(b'''@prefix schema: <https://schema.org/> .
    ...   @prefix adkg: <https://w3id.org/adkg/ontology#> .
    ...   <urn:a> schema:minValue 4000000 ; adkg:hedge adkg:hedge-more-than .
    ...   <urn:b> schema:value 98 ; schema:variableMeasured <urn:v> .
    ...   <urn:v> adkg:measureKind adkg:measure-kind-share .
    ...   <urn:c> schema:value 830 ; schema:currency "USD" .
    ...   <urn:d> schema:minValue 100000 ; schema:maxValue 165000 .''', format=RdfFormat.TURTLE))
    >>> [figure_text(d, NamedNode(f"urn:{n}")) for n in "abcd"]
    ['> 4,000,000', '98%', '830 USD', '100,000 – 165,000']
    """
    value, low, high = (
        [number(v) for v in description.values(claim, _SCHEMA + name)] for name in ("value", "minValue", "maxValue")
    )
    hedges = {getattr(h, "value", "") for h in description.values(claim, ADKG + "hedge")}
    if value:
        stated = ", ".join(value)
    elif low and high:
        stated = f"{low[0]} – {high[0]}"
    elif low:
        stated = f"> {low[0]}" if ADKG + "hedge-more-than" in hedges else f"≥ {low[0]}"
    elif high:
        stated = f"≤ {high[0]}"
    else:
        return ""
    unit = _unit(description, claim)
    return stated + (unit.removesuffix("s") if stated in {"1", "-1"} and unit.endswith("s") else unit)


def _unit(description: Description, claim: object) -> str:
    """The unit a claim's figure is in, as it follows the number ("" for a plain count)."""
    currency = [str(getattr(v, "value", "")) for v in description.values(claim, _SCHEMA + "currency")]
    if currency:
        return " " + currency[0]
    unit_code = [str(getattr(v, "value", "")) for v in description.values(claim, _SCHEMA + "unitCode")]
    variables = description.values(claim, _SCHEMA + "variableMeasured")
    kinds = {getattr(k, "value", "") for v in variables for k in description.values(v, ADKG + "measureKind")}
    statistics = {getattr(s, "value", "") for v in variables for s in description.values(v, ADKG + "statistic")}
    if ADKG + "measure-kind-share" in kinds:
        return "%"
    if ADKG + "statistic-duration" in statistics:
        return {"MON": " months", "DAY": " days"}.get(unit_code[0], f" ({unit_code[0]})") if unit_code else " years"
    return f" ({unit_code[0]})" if unit_code else ""
