"""Spans of a source text that the coverage check looks at: sentences, figures, footnote markers.

Offsets are Unicode code points from 0, as in ``oa:TextPositionSelector``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

#: A sentence ends at ``.``, ``!`` or ``?`` (and a closing quotation mark), after any footnote
#: markers, where white space and a capital letter, digit or opening quotation mark follow.
_SENTENCE_END: Final = re.compile(r"[.!?][\"”]?(?:\[\d+\])*(?=\s+[\"“A-Z0-9])")
#: Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS: Final = frozenset({"Dr.", "Mr.", "Mrs.", "Ms.", "St.", "U.S.", "U.K.", "e.g.", "i.e."})

_FOOTNOTE: Final = re.compile(r"\[(\d+)\]")
_NUMBER: Final = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER_WORD: Final = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozens|hundreds|thousands|millions"
)
_SCALE: Final = r"(?:\s(?:thousand|million|billion))?"
_FIGURE: Final = re.compile(
    rf"(?:US\$|\$|£|€)?(?:{_NUMBER})(?:\s?[–-]\s?(?:{_NUMBER}))?{_SCALE}%?"
    rf"|\b(?:{_NUMBER_WORD})\b{_SCALE}",
    flags=re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A span ``[start, end)`` of a text, with its words."""

    start: int
    end: int
    text: str

    def contains(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies within this span."""
        return self.start <= start and end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares at least one code point with this span."""
        return start < self.end and end > self.start


def sentences(text: str) -> list[Span]:
    """Return the sentences of ``text``; footnote markers stay with the sentence they end.

    A line break also ends one, so a heading or a dateline on a line of its own is a sentence of
    its own; blank lines and the white space around a sentence belong to none.

    >>> [s.text for s in sentences("It rose.[1] Dr. Anwar left in 2023. The U.S. agreed.")]
    ['It rose.[1]', 'Dr. Anwar left in 2023.', 'The U.S. agreed.']
    >>> [(s.start, s.text) for s in sentences("Returns\\n\\nISLAMABAD, 3 May\\nMany left. Some stayed.\\n")]
    [(0, 'Returns'), (9, 'ISLAMABAD, 3 May'), (26, 'Many left.'), (37, 'Some stayed.')]
    """
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        offset, words = line.start(), line.group()
        start = 0
        for match in _SENTENCE_END.finditer(words):
            if words[start : match.start() + 1].rsplit(maxsplit=1)[-1] in _ABBREVIATIONS:
                continue
            spans.append(_trimmed(words, start, match.end(), offset))
            start = match.end() + 1
        if words[start:].strip():
            spans.append(_trimmed(words, start, len(words), offset))
    return spans


def _trimmed(words: str, start: int, end: int, offset: int) -> Span:
    """The span of ``words[start:end]`` without the white space around it, at ``offset``."""
    stripped = words[start:end].strip()
    begin = start + words[start:end].index(stripped[:1]) if stripped else start
    return Span(offset + begin, offset + begin + len(stripped), stripped)


def footnote_markers(text: str) -> list[tuple[Span, int]]:
    """Return each footnote marker ``[n]`` with its number.

    >>> [(s.start, n) for s, n in footnote_markers("Rose.[1][12] Fell.[3]")]
    [(5, 1), (8, 12), (18, 3)]
    """
    return [
        (Span(m.start(), m.end(), m.group()), int(m.group(1))) for m in _FOOTNOTE.finditer(text)
    ]


def figures(text: str) -> list[Span]:
    """Return every figure in ``text``: numbers with their currency, scale and per cent signs,
    ranges, and number words; digits inside footnote markers are not figures.

    >>> [f.text for f in figures("over 813,300 left;[5] US$4 billion, $830 (£660), 98%.")]
    ['813,300', 'US$4 billion', '$830', '£660', '98%']
    >>> [f.text for f in figures("100,000–165,000 Afghans; Eight of the 11; over three million")]
    ['100,000–165,000', 'Eight', '11', 'three million']
    """
    masked = _FOOTNOTE.sub(lambda m: " " * len(m.group()), text)
    return [Span(m.start(), m.end(), m.group()) for m in _FIGURE.finditer(masked)]
