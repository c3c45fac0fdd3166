"""The timeline: everything the graph dates (events, orders, deadlines, announcements, policies) in
time order, each at the text's precision (no rdflib, no web).

Made from what ``queries/views/timeline.rq`` returns. Each entry's time reads as the text fixes it
(:func:`adkg.claim_text.time_text`: a day, a month, a year, an open period, a date without a
year) and is placed by the first day it may begin; an entry the text does not date to a day,
month or year (a date without a year) comes after the dated ones, flagged, never given a year.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from pyoxigraph import NamedNode, Triple

from adkg.claim_text import Description, time_days, time_text
from adkg.resource_page import Term, anchors_of, quotes_of, term_of
from adkg.vocab import ADKG, PREFIXES

_TIME: Final = PREFIXES["time"]
_RDF_TYPE: Final = PREFIXES["rdf"] + "type"


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated node: what it is, when (as the text says, and as days), and its words."""

    iri: str
    node: Term
    kinds: tuple[Term, ...]
    when: str
    #: the first day it may begin and the last it may end (None: open, or not dated that far)
    first: date | None
    last: date | None
    #: how precisely the text dates it: "day", "month", "year", "period", "open period", "no year"
    #: (a day and month the text gives without a year) or "undated"
    precision: str
    status: tuple[Term, ...]
    quotes: tuple[Term, ...]
    #: the IRIs of its quote anchors
    anchors: tuple[str, ...]


def _precision(first: date | None, last: date | None, when: str) -> str:
    """How precisely a time with these days is dated.

    >>> _precision(date(2023, 11, 1), date(2023, 11, 30), "2023-11"), _precision(date(1979, 1, 1), None, "from 1979")
    ('month', 'open period')
    >>> _precision(None, None, "1 November, no year given")
    'no year'
    """
    if first is None and last is None:
        return "no year" if "no year" in when else "undated"
    if first is None or last is None:
        return "open period"
    if first == last:
        return "day"
    same_month = (first.year, first.month) == (last.year, last.month)
    if same_month and first.day == 1 and last.day == monthrange(last.year, last.month)[1]:
        return "month"
    if first.year == last.year and (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return "year"
    return "period"


def timeline(triples: Iterable[Triple], *, root: str = "") -> list[Entry]:
    """Return every dated node of the description ``triples``, in time order (by its first day,
    then its last, then its label), those dated to no day, month or year last."""
    description = Description(triples)
    values = description.values
    entries = []
    for node in description.about:
        times = values(node, _TIME + "hasTime")
        if not isinstance(node, NamedNode) or not times:
            continue
        when = "; ".join(t for t in (time_text(description, time) for time in times) if t)
        first, last = time_days(description, times[0])
        entries.append(Entry(
            iri=node.value,
            node=term_of(description, node, root=root),
            kinds=tuple(term_of(description, k, root=root) for k in sorted(values(node, _RDF_TYPE), key=str)
                        if isinstance(k, NamedNode) and k.value.startswith(ADKG)),
            when=when,
            first=first,
            last=last,
            precision=_precision(first, last, when),
            status=tuple(term_of(description, s, root=root) for s in values(node, ADKG + "status")),
            quotes=quotes_of(description, node, root=root),
            anchors=tuple(a.value for a in anchors_of(description, node)),
        ))
    entries.sort(key=lambda e: (e.first is None and e.last is None, e.first or e.last or date.max,
                                e.last or date.max, e.node.text))
    return entries


@dataclass(frozen=True, slots=True)
class Bar:
    """Where an entry is drawn on the timeline's axis: from ``left`` to ``left + width``, in
    percent of the axis; an open end reaches the edge of the axis and says so."""

    left: float
    width: float
    open_start: bool
    open_end: bool


def bars(entries: list[Entry]) -> dict[str, Bar]:
    """Return the bar of each entry dated at least at one end, by IRI, on an axis from the first
    day any entry may begin to the last day any may end: a day is a sliver, a month a month, a
    year a year; an open period is a short stub from its dated end, marked open toward the other.

    >>> day, month = date(2023, 10, 31), (date(2023, 11, 1), date(2023, 11, 30))
    >>> entry = lambda iri, first, last: Entry(iri, Term(iri), (), "", first, last, "", (), (), ())
    >>> found = bars([entry("a", day, day), entry("b", *month), entry("c", date(2023, 12, 1), None)])
    >>> found["b"].width > found["a"].width, found["c"].open_end, found["c"].width < found["b"].width
    (True, True, True)
    """
    days = [d for e in entries for d in (e.first, e.last) if d is not None]
    if not days:
        return {}
    start, end = min(days).toordinal(), max(days).toordinal() + 1
    span = max(end - start, 1)
    found = {}
    for e in entries:
        if e.first is None and e.last is None:
            continue
        # an open end is not drawn as known: a short stub, marked open, reaches toward it from the
        # dated end (a period "until 31 October" is not a bar from the axis's first day)
        stub = max(span // 50, 1)
        first = e.first.toordinal() if e.first is not None else max(start, e.last.toordinal() + 1 - stub)  # type: ignore[union-attr]
        last = (e.last.toordinal() if e.last is not None else min(end - 1, first + stub - 1)) + 1
        found[e.iri] = Bar(100 * (first - start) / span, 100 * (last - first) / span, e.first is None, e.last is None)
    return found


def year_ticks(entries: list[Entry]) -> list[tuple[float, str]]:
    """The years to label on the timeline's axis (as :func:`bars` lays it out), with where each
    begins in percent of the axis: every year far enough from the last one labelled to be read.

    >>> entry = lambda first, last: Entry("x", Term("x"), (), "", first, last, "", (), (), ())
    >>> [label for _, label in year_ticks([entry(date(2000, 1, 1), date(2025, 12, 31))])]
    ['2000', '2006', '2012', '2018', '2024']
    """
    days = [d for e in entries for d in (e.first, e.last) if d is not None]
    if not days:
        return []
    start, end = min(days).toordinal(), max(days).toordinal() + 1
    span = max(end - start, 1)
    ticks: list[tuple[float, str]] = []
    for year in range(min(days).year, max(days).year + 1):
        left = max(0.0, 100 * (date(year, 1, 1).toordinal() - start) / span)
        if not ticks or left - ticks[-1][0] >= 20:  # a label is about a fifth of the axis wide
            ticks.append((left, str(year)))
    return ticks
