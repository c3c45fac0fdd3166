"""The ontology's HTML documentation, made by pyLODE from a built store (rdflib side).

The server never imports rdflib: it runs this module in a child process,
``python -m adkg.ontology_docs STORE OUTPUT``, once per store, and serves the file it writes. The
ontology is the store's named graph ``https://w3id.org/adkg/graph/ontology``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph
from pylode import OntPub
from rdflib import Graph

from adkg.dumps import write_atomically
from adkg.vocab import ONTOLOGY_GRAPH


def ontology_html(store: Path) -> str:
    """Return pyLODE's documentation of the ontology in the store folder ``store``, in English."""
    quads = pyoxigraph.Store.read_only(str(store)).quads_for_pattern(
        None, None, None, pyoxigraph.NamedNode(ONTOLOGY_GRAPH)
    )
    data = pyoxigraph.serialize([pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads],
                                format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph(bind_namespaces="none").parse(data=data, format="nt")
    html: str = OntPub(ontology=graph).make_html()
    return html.replace("<html>", '<html lang="en">', 1)  # pyLODE names no language


def main(arguments: list[str]) -> None:
    """Write the documentation of the ontology of store ``arguments[0]`` to ``arguments[1]``."""
    write_atomically(Path(arguments[1]), ontology_html(Path(arguments[0])).encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1:])
