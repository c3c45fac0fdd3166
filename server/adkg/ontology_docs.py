"""The ontology's HTML documentation, made by pyLODE from a built store (rdflib side).

The server never imports rdflib: it runs this module in a child process,
``python -m adkg.ontology_docs STORE OUTPUT``, once per store, and serves the file it writes. The
ontology is the store's named graph ``https://w3id.org/adkg/graph/ontology``.

pyLODE documents the classes and properties; every ``adkg:`` term's section has the term's own
name as its id, so that its IRI (``…/ontology#QuantityClaim``) opens on it. pyLODE takes every
concept scheme for the ontology itself (it would merge their titles and IRIs into the ontology's
metadata) and documents no concept, so the schemes are left out of what it is given, and a
section of their own lists each scheme with its concepts, each again under its own name.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Final

import pyoxigraph
from pylode import OntPub
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from adkg.dumps import write_atomically
from adkg.vocab import ADKG, ONTOLOGY_GRAPH, PREFIXES

#: Where the concept schemes' section goes: before pyLODE's namespaces, in the page and its contents.
_NAMESPACES: Final = '<div id="namespaces">'
_CONTENTS_ENTRY: Final = '<a href="#namespaces">Namespaces</a>'
_FUNCTIONAL: Final = '<div class="section" id="functionalproperties">'


def _text(graph: Graph, node: URIRef, *predicates: URIRef) -> str:
    """The English (else any) value of the first of ``predicates`` that ``node`` has, escaped."""
    for predicate in predicates:
        values = sorted(graph.objects(node, predicate), key=lambda v: (getattr(v, "language", None) != "en", str(v)))
        if values:
            return html.escape(str(values[0]))
    return ""


def _name(term: URIRef) -> str:
    return str(term).removeprefix(ADKG)


def concept_schemes_section(graph: Graph) -> tuple[str, str]:
    """Return the section documenting the concept schemes of ``graph`` and its entry in the
    page's contents (HTML; each scheme and concept under the id of its own name)."""
    blocks, entries = [], []
    for scheme in sorted(s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)):
        name = _name(scheme)
        rows = "".join(
            f'<tr id="{_name(c)}"><th scope="row"><code>adkg:{_name(c)}</code></th>'
            f"<td>{_text(graph, c, SKOS.prefLabel, RDFS.label)}</td><td>{_text(graph, c, SKOS.definition)}</td></tr>"
            for c in sorted(c for c in graph.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef))
        )
        label = _text(graph, scheme, SKOS.prefLabel, RDFS.label)
        blocks.append(
            f'<div class="entity" id="{name}"><h3>{label}</h3>'
            f"<p><code>{html.escape(str(scheme))}</code></p><p>{_text(graph, scheme, SKOS.definition)}</p>"
            f"<table><caption>The concepts of {label}</caption><thead><tr><th scope=\"col\">concept</th>"
            f'<th scope="col">label</th><th scope="col">definition</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
        entries.append(f'<li><a href="#{name}">{label}</a></li>')
    section = f'<div class="section" id="conceptschemes"><h2>Concept schemes</h2>{"".join(blocks)}</div>'
    entry = f'<li><h4><a href="#conceptschemes">Concept schemes</a></h4><ul class="second">{"".join(entries)}</ul></li>'
    return section, entry


def ontology_html(store: Path) -> str:
    """Return the documentation of the ontology in the store folder ``store``, in English.

    Raises:
        ValueError: pyLODE's page has no namespaces section to put the concept schemes before.
    """
    quads = pyoxigraph.Store.read_only(str(store)).quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(ONTOLOGY_GRAPH)
    )
    data = pyoxigraph.serialize([pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads],
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph(bind_namespaces="none").parse(data=data, format="nt")
    for prefix, namespace in sorted(PREFIXES.items()):
        graph.bind(prefix, namespace, override=True)
    section, entry = concept_schemes_section(graph)
    graph.remove((None, RDF.type, SKOS.ConceptScheme))
    # pyLODE reads the ontology's label as a second title and runs the two together in its heading
    for ontology in set(graph.subjects(RDF.type, OWL.Ontology)):
        if (ontology, DCTERMS.title, None) in graph:
            graph.remove((ontology, RDFS.label, None))
    publication = OntPub(ontology=graph)
    terms = {t for t in graph.subjects() if isinstance(t, URIRef) and t.startswith(ADKG)}
    publication.fids.update({str(t): _name(t) for t in terms})
    page: str = publication.make_html()
    if _NAMESPACES not in page or _CONTENTS_ENTRY not in page:
        raise ValueError("pyLODE's page has no namespaces section: the concept schemes have nowhere to go")
    page = page.replace(_NAMESPACES, section + _NAMESPACES, 1)
    # pyLODE lists a functional property a second time, under the same id: the second copy gets
    # ids of its own, so that the property's IRI opens on its first section and ids stay unique
    start = page.find(_FUNCTIONAL)
    if start >= 0:
        end = page.find('<div class="section"', start + len(_FUNCTIONAL))
        end = page.find(_NAMESPACES, start) if end < 0 else end
        page = page[:start] + _FUNCTIONAL + re.sub(
            r' id="([^"]+)"', r' id="functional-\1"', page[start + len(_FUNCTIONAL):end]
        ) + page[end:]
    contents = page.rfind("<li>", 0, page.find(_CONTENTS_ENTRY))
    page = page[:contents] + entry + page[contents:]
    return page.replace("<html>", '<html lang="en">', 1)  # pyLODE names no language


def main(arguments: list[str]) -> None:
    """Write the documentation of the ontology of store ``arguments[0]`` to ``arguments[1]``."""
    write_atomically(Path(arguments[1]), ontology_html(Path(arguments[0])).encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1:])
