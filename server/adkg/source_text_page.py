"""The page of a source document's text, each quote anchor's words marked in their sentence (no rdflib).

A quote anchor's IRI is its source's with RFC 5147's fragment, ``<source#char=290,415>``; a
browser asks for the source and looks for the element whose id is the fragment, ``char=290,415``.
The page gives each anchor a passage with that id: the sentence (or sentences) around the quoted
words, the words marked, and the nodes derived from them; then the whole text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from adkg.text_spans import sentences


@dataclass(frozen=True, slots=True)
class Passage:
    """One anchor's words in their sentence: the element id, the words around and the quote, and
    the nodes derived from it as ``(label, link)``."""

    fragment: str
    before: str
    quote: str
    after: str
    nodes: tuple[tuple[str, str], ...]


def passages(text: str, anchors: Iterable[tuple[str, int, int, tuple[str, str] | None]]) -> list[Passage]:
    """Return the passage of each anchor ``(IRI, start, end, derived node or None)`` of ``text``,
    in text order; an anchor listed with several nodes is one passage.

    >>> [(p.fragment, p.before, p.quote, p.after, p.nodes) for p in passages(
    ...     "One. Two words here. Three.", [("urn:s#char=9,14", 9, 14, ("a claim", "/id/c"))])]
    [('char=9,14', 'Two ', 'words', ' here.', (('a claim', '/id/c'),))]
    """
    spans = sentences(text)
    nodes: dict[tuple[str, int, int], list[tuple[str, str]]] = {}
    for iri, start, end, node in anchors:
        nodes.setdefault((iri, start, end), [])
        if node is not None and node not in nodes[(iri, start, end)]:
            nodes[(iri, start, end)].append(node)
    result = []
    for (iri, start, end), derived in sorted(nodes.items(), key=lambda item: (item[0][1], item[0][2], item[0][0])):
        if not 0 <= start <= end <= len(text):
            continue
        begins = max([span.start for span in spans if span.start <= start], default=0)
        ends = min([span.end for span in spans if span.end >= end], default=len(text))
        result.append(Passage(
            fragment=iri.partition("#")[2], before=text[begins:start], quote=text[start:end], after=text[end:ends],
            nodes=tuple(derived),
        ))
    return result
