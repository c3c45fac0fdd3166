"""adkg, the Afghan Deportation Knowledge Graph: ontology, graph, shapes and SPARQL tooling."""
