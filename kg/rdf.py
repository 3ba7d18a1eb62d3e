"""RDF: the graph as triples (Turtle), for SPARQL and for standard vocabularies."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from .graph import KnowledgeGraph, write_atomic

BASE = "https://health-kg.org/"


def iri(entity_id: str) -> str:
    return BASE + "id/" + quote(entity_id, safe="/")


def to_rdflib(graph: KnowledgeGraph):
    import rdflib
    from rdflib.namespace import RDF, RDFS, SKOS

    KG = rdflib.Namespace(BASE + "ontology#")
    g = rdflib.Graph()
    g.bind("kg", KG)
    g.bind("skos", SKOS)
    for e in graph.entities.values():
        s = rdflib.URIRef(iri(e.id))
        g.add((s, RDF.type, KG[e.type]))
        g.add((s, RDFS.label, rdflib.Literal(e.name, lang="zh")))
        for a in e.aliases:
            g.add((s, SKOS.altLabel, rdflib.Literal(a, lang="zh")))
    for r in graph.relations.values():
        g.add((rdflib.URIRef(iri(r.source)), KG[r.type], rdflib.URIRef(iri(r.target))))
    return g


def write_rdf(graph: KnowledgeGraph, out: Path) -> None:
    write_atomic(Path(out) / "graph.ttl", to_rdflib(graph).serialize(format="turtle"))
