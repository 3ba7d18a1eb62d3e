"""kg.rdf: ontology and shapes, N-Triples / Turtle / JSON-LD, the embedded store, SHACL validation."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import rdf
from kg.cli import main
from kg.graph import KnowledgeGraph
from kg.model import ENTITY_TYPES, RELATION_TYPES, Entity, Evidence, Relation
from kg.query import placements, support_unit
from schema import ONTOLOGY, SHAPES

ROOT = Path(__file__).resolve().parents[2]
KG = rdflib.Namespace(rdf.KG)
SCHEMA = rdflib.Namespace(rdf.SCHEMA)
PROV = rdflib.Namespace(rdf.PROV)


def triples(text: str, fmt=ox.RdfFormat.N_TRIPLES) -> set:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return {q.triple for q in ox.parse(data, format=fmt)}


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(ONTOLOGY, format="turtle")


# -- schema files ------------------------------------------------------------------------------

def test_every_node_and_edge_type_is_declared_with_labels_and_definition(ontology):
    for name, kind in [(t, OWL.Class) for t in ENTITY_TYPES] + [(t, OWL.ObjectProperty)
                                                                  for t in RELATION_TYPES]:
        term = KG[name]
        assert (term, RDF.type, kind) in ontology, name
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"zh", "en"} <= langs, name
        assert ontology.value(term, SKOS.definition) is not None, name


def test_classes_reuse_standard_vocabularies(ontology):
    def supers(cls):
        return set(ontology.transitive_objects(KG[cls], RDFS.subClassOf))

    assert SCHEMA.MedicalOrganization in supers("Hospital")
    assert SCHEMA.AdministrativeArea in supers("County")
    assert SCHEMA.GovernmentOrganization in supers("Agency")
    assert SCHEMA.CollegeOrUniversity in supers("University")
    assert rdflib.URIRef("http://www.w3.org/ns/org#OrganizationalCollaboration") in supers("Alliance")
    assert PROV.Entity in supers("Evidence")


def test_every_term_the_writer_uses_is_in_the_ontology(ontology, rdf_graph, tiny_graph):
    declared = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(rdf.KG)}
    used = set()
    for g in (rdf_graph, tiny_graph):
        for t in triples(rdf.to_ntriples(g)):
            for term in (t.predicate, t.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(rdf.KG):
                    used.add(rdflib.URIRef(term.value))
    assert used and used <= declared, used - declared


def test_shapes_and_context_parse():
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    assert len(shapes) > 50
    with open(ONTOLOGY.parent / "context.jsonld", encoding="utf-8") as fh:
        ctx = json.load(fh)["@context"]
    assert ctx["kg"] == rdf.KG and ctx["schema"] == rdf.SCHEMA


# -- IRIs and escaping ---------------------------------------------------------------------------

@pytest.mark.parametrize("eid", ["Hospital/441823/人民医院", "Agency/国家卫生健康委员会",
                                 'Hospital/x/"q" <a> {b} |c| ^d `e` \\f', "a b%20c#frag?x=1",
                                 "tab\tnew\nline\x00", "私用\ue000区", "emoji 🏥"])
def test_entity_iris_are_valid_readable_and_reversible(eid):
    u = rdf.iri(eid)
    ox.NamedNode(u)  # raises on an invalid IRI
    assert len(rdflib.Graph().parse(data=f'<{u}> <{rdf.KG}p> "1" .', format="nt")) == 1
    assert rdf.entity_id_of(u) == eid
    if eid == "Hospital/441823/人民医院":
        assert u == "https://health-kg.org/id/Hospital/441823/人民医院"  # readable, not %-encoded


def test_literal_escaping_round_trips_through_both_parsers():
    g = KnowledgeGraph()
    nasty = ['引号"} ; DROP ALL #', "反斜杠\\n不是换行", "换行\n回车\r制表\t", "控制\x01\x1f", "\ud800孤"]
    for i, name in enumerate(nasty):
        g.add_entity(Entity(f"Hospital/{i}", "Hospital", name, {name + "别名"}))
    nt = rdf.to_ntriples(g)
    names = {t.object.value for t in triples(nt) if t.predicate.value == rdf.SCHEMA + "name"}
    assert names == {n.replace("\ud800", "\ufffd") for n in nasty}
    assert len(rdflib.Graph().parse(data=nt, format="nt")) == len(triples(nt))


# -- the triples ---------------------------------------------------------------------------------

def test_every_edge_is_a_direct_triple_and_a_reified_statement_with_evidence(rdf_graph):
    ts = triples(rdf.to_ntriples(rdf_graph))
    for r in rdf_graph.relations.values():
        s, p, o = ox.NamedNode(rdf.iri(r.source)), ox.NamedNode(rdf.KG + r.type), ox.NamedNode(rdf.iri(r.target))
        assert ox.Triple(s, p, o) in ts
        st = ox.NamedNode(rdf.statement_iri(r.key))
        assert {ox.Triple(st, ox.NamedNode(rdf.RDF_NS + k), v) for k, v in
                (("subject", s), ("predicate", p), ("object", o))} <= ts
        for ev in r.evidence:
            e = ox.NamedNode(rdf.evidence_iri(r.key, ev))
            assert ox.Triple(st, ox.NamedNode(rdf.PROV + "wasDerivedFrom"), e) in ts
            assert ox.Triple(e, ox.NamedNode(rdf.RDF_NS + "type"), ox.NamedNode(rdf.PROV + "Entity")) in ts
            assert ox.Triple(e, ox.NamedNode(rdf.KG + "sentence"), ox.Literal(ev.sentence)) in ts


def test_no_blank_nodes_and_stable_output(rdf_graph):
    nt = rdf.to_ntriples(rdf_graph)
    assert "_:" not in nt
    again = KnowledgeGraph.from_json(json.loads(json.dumps(rdf_graph.to_json())))
    assert rdf.to_ntriples(again) == nt


def test_provenance_answers_which_article_says_a_manages_b(rdf_graph):
    """The question from the issue, asked of the store with plain SPARQL."""
    store = rdf.to_store(rdf_graph)
    q = """
    SELECT ?doc ?path ?sentence ?start ?end ?rule ?confidence WHERE {
      ?a schema:name "暨南大学附属第一医院" . ?b schema:name "饶平县人民医院" .
      ?a kg:MANAGES ?b .
      ?st rdf:subject ?a ; rdf:predicate kg:MANAGES ; rdf:object ?b ; prov:wasDerivedFrom ?ev .
      ?ev kg:sentence ?sentence ; kg:startOffset ?start ; kg:endOffset ?end ; kg:rule ?rule ;
          kg:confidence ?confidence ; prov:wasQuotedFrom ?d .
      ?d kg:docId ?doc ; kg:path ?path .
    }"""
    got = [tuple(sol[i] for i in range(7)) for sol in store.query(q, prefixes=rdf.PREFIXES)]
    r = rdf_graph.relations[("Hospital/暨南大学附属第一医院", "MANAGES", "Hospital/445122/人民医院")]
    ev = r.evidence[0]
    assert [tuple(t.value for t in row) for row in got] == [
        (ev.doc, ev.path, ev.sentence, str(ev.start), str(ev.end), ev.rule, str(ev.confidence))]


def test_edge_attributes_dates_and_quantities(rdf_graph):
    store = rdf.to_store(rdf_graph)
    q = """SELECT ?since ?value ?unit ?year WHERE {
      ?st rdf:predicate kg:MANAGES ; kg:since ?since ; kg:quantity ?q .
      ?q rdf:value ?value ; kg:unit ?unit ; kg:year ?year }"""
    (row,) = list(store.query(q, prefixes=rdf.PREFIXES))
    assert row["since"] == ox.Literal("2019-05", datatype=ox.NamedNode(rdf.XSD + "gYearMonth"))
    assert row["value"].value == "26" and row["unit"].value == "名" and row["year"].value == "2023"


def test_where_things_are_is_written_from_kg_query(rdf_graph, tiny_graph):
    """kg:supportUnit, kg:province, kg:cityUnit, kg:countyUnit and kg:within hold exactly what
    kg.query computes, so the example queries never re-implement the roll-ups."""
    for g in (rdf_graph, tiny_graph, _random_located_graph(7)):
        store = rdf.to_store(g)
        places = placements(g)
        for prop, pick in (("supportUnit", lambda p: [p.support_unit]), ("province", lambda p: [p.province]),
                           ("cityUnit", lambda p: [p.city]), ("countyUnit", lambda p: [p.county]),
                           ("within", lambda p: p.within)):
            got = {(rdf.entity_id_of(r["e"].value), rdf.entity_id_of(r["u"].value))
                   for r in store.query(f"SELECT ?e ?u WHERE {{ ?e kg:{prop} ?u }}", prefixes=rdf.PREFIXES)}
            want = {(eid, u) for eid, p in places.items() for u in pick(p) if u is not None}
            assert got == want, prop
        for eid in g.entities:
            u = support_unit(g, eid)
            assert places[eid].support_unit == (u.id if u is not None and u.id in g.entities else None)


def _random_located_graph(seed: int) -> KnowledgeGraph:
    rnd = random.Random(seed)
    g = KnowledgeGraph()
    types = ["Province", "City", "County", "Town", "Hospital", "Agency"]
    ids = [f"{rnd.choice(types)}/{i}" for i in range(60)]
    for eid in ids:
        g.add_entity(Entity(eid, eid.split("/")[0], eid))
    for _ in range(120):
        a, b = rnd.sample(ids, 2)
        g.add_relation(Relation(a, "LOCATED_IN", b, evidence=[Evidence("d", "s", 0, 1, "r")]))
    return g


# -- other serialisations ---------------------------------------------------------------------------

def test_turtle_holds_the_same_triples(rdf_graph):
    nt = rdf.to_ntriples(rdf_graph)
    ttl = rdf.to_turtle(rdf_graph)
    assert "@prefix kg: <https://health-kg.org/ontology#>" in ttl
    assert triples(ttl, ox.RdfFormat.TURTLE) == triples(nt)


def test_jsonld_uses_the_context_and_holds_the_same_triples(rdf_graph):
    nt = rdf.to_ntriples(rdf_graph)
    doc = rdf.to_jsonld(rdf_graph)
    assert doc["@context"] == rdf.load_context()
    hospital = next(n for n in doc["@graph"] if n["@id"] == rdf.iri("Hospital/445122/人民医院"))
    assert hospital["name"] == "饶平县人民医院" and hospital["@type"] == "kg:Hospital"
    text = json.dumps(doc, ensure_ascii=False)
    assert triples(text, ox.RdfFormat.JSON_LD) == triples(nt)
    assert len(rdflib.Graph().parse(data=text, format="json-ld")) == len(triples(nt))


# -- files and the store ---------------------------------------------------------------------------

def test_write_rdf_writes_every_format_and_the_store(tmp_path, rdf_graph):
    rdf.write_rdf(rdf_graph, tmp_path)
    nt = (tmp_path / "graph.nt").read_text(encoding="utf-8")
    assert triples((tmp_path / "graph.ttl").read_bytes(), ox.RdfFormat.TURTLE) == triples(nt)
    assert triples((tmp_path / "graph.jsonld").read_bytes(), ox.RdfFormat.JSON_LD) == triples(nt)
    store = rdf.open_store(tmp_path)
    assert len(store) == len(triples(nt))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".oxigraph")]


def test_an_interrupted_store_build_keeps_the_previous_store(tmp_path, rdf_graph, monkeypatch):
    rdf.write_rdf(rdf_graph, tmp_path)
    before = len(rdf.open_store(tmp_path))

    def boom(self, *a, **k):
        raise KeyboardInterrupt("killed mid-load")

    monkeypatch.setattr(ox.Store, "bulk_load", boom)
    with pytest.raises(KeyboardInterrupt):
        rdf.write_store("<http://a> <http://b> <http://c> .\n", tmp_path)
    monkeypatch.undo()
    assert len(rdf.open_store(tmp_path)) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".oxigraph")]


def test_a_crash_between_the_renames_is_repaired_on_open(tmp_path, rdf_graph):
    rdf.write_rdf(rdf_graph, tmp_path)
    n = len(rdf.open_store(tmp_path))
    os.replace(tmp_path / "oxigraph", tmp_path / ".oxigraph.old-x1")
    assert len(rdf.open_store(tmp_path)) == n
    assert (tmp_path / "oxigraph").is_dir()


def test_open_store_builds_a_missing_store_from_graph_json(tmp_path, rdf_graph):
    rdf_graph.save(tmp_path)
    assert len(rdf.open_store(tmp_path)) == len(triples(rdf.to_ntriples(rdf_graph)))


def test_kg_build_writes_the_store_and_rdf_files_only_when_asked(seed_build, tmp_path):
    graph, out = seed_build
    assert not any((out / name).exists() for name in ("graph.ttl", "graph.nt", "graph.jsonld"))
    expected = triples(rdf.to_ntriples(graph))
    assert {q.triple for q in rdf.open_store(out)} == expected
    from kg.pipeline import build

    asked = tmp_path / "asked"
    build([str(ROOT / "seeds"), str(ROOT / "tests" / "data" / "query")], out=asked, formats=["ttl", "nt", "jsonld"])
    assert triples((asked / "graph.nt").read_bytes()) == expected
    assert triples((asked / "graph.ttl").read_bytes(), ox.RdfFormat.TURTLE) == expected
    assert triples((asked / "graph.jsonld").read_bytes(), ox.RdfFormat.JSON_LD) == expected
    # kg export adds one to the folder's current build, from the store
    res = CliRunner().invoke(main, ["export", "--format", "ttl", "-g", str(out)])
    assert res.exit_code == 0, res.output
    assert triples((out / "graph.ttl").read_bytes(), ox.RdfFormat.TURTLE) == expected
    assert (out / "graph.ttl").resolve().parent == (out / "current").resolve()


# -- SHACL ---------------------------------------------------------------------------------

def test_valid_graph_conforms_and_unlocated_hospital_is_only_a_warning(rdf_graph):
    report = rdf.validate(rdf_graph)
    assert report.ok, report.summary()
    warned = {r["focus"] for r in report.results if r["severity"] == "Warning"}
    assert rdf.iri("Hospital/暨南大学附属第一医院") in warned
    assert rdf.iri("Hospital/445122/人民医院") not in warned


def test_violations_bad_code_and_partnership_without_evidence(rdf_graph):
    rdf_graph.entities["County/445122"].attrs["code"] = "44512"
    rdf_graph.relations[("Hospital/445103/人民医院", "PARTNERS_WITH",
                         "Hospital/440000/妇幼保健院")].evidence.clear()
    report = rdf.validate(rdf_graph)
    assert not report.ok
    bad = {(r["focus"], r["message"].split(" (")[0]) for r in report.results
           if r["severity"] == "Violation"}
    assert (rdf.iri("County/445122"), "a division code is 6 digits") in bad
    assert (rdf.iri("Hospital/445103/人民医院"), "partnership edge has no evidence") in bad
    assert "violations" in report.summary()


def test_kg_validate_exit_codes(tmp_path, rdf_graph):
    runner = CliRunner()
    rdf_graph.save(tmp_path / "ok")
    res = runner.invoke(main, ["validate", "-g", str(tmp_path / "ok")])
    assert res.exit_code == 0, res.output
    assert "0 violations" in res.output and "hospital has no LOCATED_IN" in res.output
    rdf_graph.entities["Town/445122/新丰镇"].attrs["division"] = "4451/新丰镇"
    rdf_graph.save(tmp_path / "bad")
    res = runner.invoke(main, ["validate", "-g", str(tmp_path / "bad"), "--format", "json"])
    assert res.exit_code == 1
    out = json.loads(res.output)
    assert out["conforms"] is False and out["violations"] >= 1
