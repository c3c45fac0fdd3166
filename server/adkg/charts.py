"""Charts of competing figures, drawn server-side as SVG by matplotlib (no JavaScript needed).

One chart per statistical variable with two or more figures: each claim is one mark, a group
whose id is ``claim-NAME``:
- a value is a point;
- a range is a vertical bar from its low to its high figure;
- a bound is an open-ended bar, with an arrow to the edge of the chart: up for "at least",
  down for "at most".

Each mark stands on a common time axis over the days the claim may hold (rule 030's earliest and
latest day, drawn as a horizontal span). A claim the text does not date stands apart, right of the
axis, under "no date". Colours tell claimants apart and marker shapes sources (the legend names
both), and each disagreement the rules found is a dashed line between its two claims. Figures
given in different currencies get a chart each: one axis never mixes units.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import replace
from datetime import date
from typing import Final

import matplotlib as mpl
from matplotlib.figure import Figure as ChartFigure
from matplotlib.ticker import FuncFormatter

from adkg.estimates import Figure, VariableFigures

mpl.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, read by screen readers
mpl.rcParams["svg.hashsalt"] = "adkg"  # the same chart gives the same SVG
#: A colour-blind-safe palette (Okabe and Ito), one colour per claimant.
PALETTE: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
#: Marker shapes, one per source.
MARKERS: Final = ("o", "s", "^", "D", "v", "P", "X", "*")
#: The ids of the marks adkg names (kept as they are in the page).
_MARK_IDS: Final = ("claim-", "time-claim-", "disagreement-")


def _day(text: str | None) -> float | None:
    """A day as a number on the chart's time axis (its proleptic Gregorian ordinal)."""
    return float(date.fromisoformat(text).toordinal()) if text else None


def _span(figure: Figure) -> tuple[float, float] | None:
    """The days the claim may hold on the chart's time axis, or None for a claim not dated."""
    earliest, latest = _day(figure.earliest), _day(figure.latest)
    if earliest is None and latest is None:
        return None
    return (earliest if earliest is not None else latest or 0.0, latest if latest is not None else earliest or 0.0)


def mark_id(figure: Figure) -> str:
    """The id of a claim's mark in the SVG.

    >>> from adkg.resource_page import ClaimRow, Term
    >>> row = ClaimRow(Term("c"), None, "1", (), "", (), (), (), ())
    >>> mark_id(Figure("https://w3id.org/adkg/id/claim-a", row, 1.0, None, None, None, None, ()))
    'claim-claim-a'
    """
    return "claim-" + re.sub(r"[^A-Za-z0-9_-]", "-", figure.iri.rsplit("/", 1)[-1])


def describe_chart(variable: VariableFigures) -> str:
    """The chart's text alternative: what it shows, figure by figure (with its unit, claimant,
    time and source), and the disagreements it draws."""
    parts = [f"{f.row.figure} ({', '.join(t.text for t in f.row.claimants) or 'no claimant'}"
             f"{', ' + f.row.when if f.row.when else ''}"
             f"{', reported in ' + '; '.join(t.text for t in f.row.sources) if f.row.sources else ''})"
             for f in variable.figures]
    disagreements = [f.record.text for f in variable.findings if f.kind.text == "disagreement"]
    return (f"{variable.variable.text}: {len(parts)} figures side by side: " + "; ".join(parts) + "."
            + (" Disagreements: " + "; ".join(disagreements) + "." if disagreements else ""))


def chart_svg(variable: VariableFigures) -> str:
    """Return the charts of ``variable``'s figures as SVG elements (text, no XML declaration): one
    per unit its figures are given in (a fee given in dollars and in pounds is two charts, never
    one axis), each an image (``role="img"``) whose ``aria-label`` is :func:`describe_chart`.

    Raises:
        ValueError: the variable has no figure with a number to draw.
    """
    figures = [f for f in variable.figures if f.value is not None or f.low is not None or f.high is not None]
    if not figures:
        raise ValueError(f"{variable.iri}: no figure with a number to draw")
    units = sorted({f.unit for f in figures})
    charts = []
    for unit in units:
        in_unit = replace(variable, figures=tuple(f for f in figures if f.unit == unit))
        charts.append(_chart(in_unit, unit=unit if len(units) > 1 else ""))
    return "\n".join(charts)


def _chart(variable: VariableFigures, *, unit: str) -> str:
    """One SVG chart of ``variable``'s figures, all in one unit (named in the title if given)."""
    figures = list(variable.figures)
    numbers = [n for f in figures for n in (f.value, f.low, f.high) if n is not None]
    top, bottom = max(numbers), min(0.0, *numbers)
    ceiling = top + (top - bottom) * 0.15 or 1.0
    spans = [s for s in map(_span, figures) if s is not None]
    first, last = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else (0.0, 1.0)
    width = max(last - first, 30.0)
    undated_x = last + width * 0.25

    claimants = sorted({", ".join(t.text for t in f.row.claimants) or "no claimant" for f in figures})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(claimants)}
    sources = sorted({"; ".join(t.text for t in f.row.sources) or "no source" for f in figures})
    shape = {name: MARKERS[i % len(MARKERS)] for i, name in enumerate(sources)}
    chart = ChartFigure(figsize=(8.0, 3.6), layout="constrained")
    axes = chart.subplots()
    position: dict[str, tuple[float, float]] = {}
    undated = 0
    for figure in figures:
        claimant = ", ".join(t.text for t in figure.row.claimants) or "no claimant"
        source = "; ".join(t.text for t in figure.row.sources) or "no source"
        span = _span(figure)
        nudged = 0
        if span is None:
            x, x_span = undated_x + undated * width * 0.04, None
            undated += 1
        else:
            x, x_span = (span[0] + span[1]) / 2, span
            while any(abs(x - other) < width * 0.01 for other, _ in position.values()):
                x += width * 0.03  # marks at one time side by side, not on top of each other
                nudged += 1
        low = figure.low if figure.value is None else figure.value
        high = figure.high if figure.value is None else figure.value
        group, hue = mark_id(figure), colour[claimant]
        y: float
        if figure.value is not None:
            axes.plot([x], [figure.value], marker=shape[source], markersize=7, linestyle="none", color=hue, gid=group)
            y = figure.value
        elif low is not None and high is not None:
            axes.plot([x, x], [low, high], linewidth=6, solid_capstyle="butt", color=hue, gid=group)
            y = (low + high) / 2
        else:  # a bound: open upward from "at least", downward from "at most"
            bound = low if low is not None else high
            assert bound is not None  # a figure without a number is not drawn
            y = bound
            arrow = axes.annotate("", xy=(x, ceiling if low is not None else bottom), xytext=(x, y),
                                  arrowprops={"arrowstyle": "-|>", "color": colour[claimant], "linewidth": 3})
            if arrow.arrow_patch is not None:
                arrow.arrow_patch.set_gid(group)
        axes.annotate(figure.row.figure, (x, y), xytext=(6, 4 + 9 * nudged), textcoords="offset points", fontsize=7,
                      color=colour[claimant])
        if x_span is not None and x_span[1] > x_span[0]:
            axes.plot(list(x_span), [y, y], linewidth=1.5, alpha=0.6, color=colour[claimant], gid="time-" + group)
        position[figure.iri] = (x, y)
    for finding in variable.findings:
        if finding.kind.text == "disagreement" and all(c in position for c in finding.claim_iris):
            (x1, y1), (x2, y2) = (position[c] for c in finding.claim_iris[:2])
            axes.plot([x1, x2], [y1, y2], linestyle="--", linewidth=1, color="#555555",
                      gid=finding.record.link.rsplit("/", 1)[-1] if finding.record.link else None)
    for name in claimants:  # the legend: a colour per claimant, a marker shape per source
        axes.plot([], [], marker="s", linestyle="none", color=colour[name], label=name)
    for name in sources:
        axes.plot([], [], marker=shape[name], linestyle="none", color="#555555", label=f"reported in {name}")
    axes.set_ylim(bottom, ceiling)
    right = (undated_x + undated * width * 0.04 + width * 0.1) if undated else last + width * 0.1
    axes.set_xlim(first - width * 0.1, right)
    if undated and spans:  # the claims the text does not date stand apart, right of a line
        axes.axvline(last + width * 0.15, color="#999999", linewidth=0.8)
    if undated:
        axes.text(undated_x, bottom, "no date", ha="left", va="bottom", fontsize=8, color="#555555")
    if not spans:  # no claim dated: no time axis to label
        axes.set_xticks([])
    day_format = "%Y-%m-%d" if width < 120 else "%Y-%m"

    def day_label(value: float, _: object) -> str:
        return "" if value > last + width * 0.15 or value < 1 else date.fromordinal(int(value)).strftime(day_format)

    axes.xaxis.set_major_formatter(FuncFormatter(day_label))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.set_title(f"{variable.variable.text} ({unit})" if unit else variable.variable.text, fontsize=10)
    axes.grid(axis="y", alpha=0.3)
    chart.legend(fontsize=7, loc="outside lower center", frameon=False)
    output = io.StringIO()
    chart.savefig(output, format="svg", metadata={"Date": None})
    svg = _own_ids(output.getvalue(), prefix=re.sub(r"[^A-Za-z0-9-]", "-", f"{variable.iri.rsplit('/', 1)[-1]}-{unit}"))
    # the chart is an image whose text alternative says every figure it draws
    alternative = html.escape(describe_chart(variable), quote=True)
    return svg[svg.index("<svg"):].replace("<svg ", f'<svg role="img" aria-label="{alternative}" ', 1)


def _own_ids(svg: str, *, prefix: str) -> str:
    """``svg`` with the ids matplotlib gives (``figure_1``, ``line2d_3``, marker definitions) made
    its own by ``prefix``, and every reference to them, so that charts in one page repeat no id;
    the marks' ids (``claim-…``, ``time-claim-…``, a disagreement's) are kept.

    >>> _own_ids('<g id="line2d_1"><use xlink:href="#m1"/></g><path id="m1"/><g id="claim-a"/>', prefix="v")
    '<g id="v-line2d_1"><use xlink:href="#v-m1"/></g><path id="v-m1"/><g id="claim-a"/>'
    """
    generated = {i for i in re.findall(r' id="([^"]+)"', svg) if not i.startswith(_MARK_IDS)}
    if not generated:
        return svg
    pattern = "|".join(sorted(map(re.escape, generated), key=len, reverse=True))
    svg = re.sub(rf' id="({pattern})"', rf' id="{prefix}-\1"', svg)
    return re.sub(rf'(href="#|url\(#)({pattern})([")])', rf"\1{prefix}-\2\3", svg)
