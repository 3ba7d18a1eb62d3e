"""kg.cypher: the embedded Cypher database, read-only queries and the example .cypher files.

Answers are compared with the Python helpers (kg.query) on the seed graph and on
generated graphs, never with hand-written expected rows.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphs import random_graph  # tests/kg/graphs.py
from twins import same_as_python as twins_same  # tests/kg/twins.py
from twins import QUERIES, cypher_rows, twins
from kg import cypher
from kg.cli import main
from kg.cypher import (DB_NAME, engine_query_file, for_engine, load_query, parse_params,
                       property_graph, query_embedded, write_cypher_db, write_clauses)
from kg.errors import GraphNotFoundError, QueryError
from kg.graph import KnowledgeGraph
from kg.model import ENTITY_TYPES, Entity
from kg.query import placements


def q(name: str, engine: str = "ladybug") -> str:
    return load_query(QUERIES / f"{name}.cypher", engine)


def db_of(graph: KnowledgeGraph, path: Path) -> Path:
    write_cypher_db(graph, path)
    return path


def same_as_python(graph: KnowledgeGraph, out: Path) -> int:
    """Every twin's Cypher form on the embedded database gives the Python helper's rows."""
    return twins_same(graph, lambda twin, params: cypher_rows(out, twin, graph, params))


# -- write detection, parameters, dialect translation ------------------------------------------

@pytest.mark.parametrize("text", [
    "CREATE (n:Hospital {id: 'x'})", "match (n) detach delete n", "MATCH (n) SET n.x = 1",
    "MERGE (n:County {id: 'a'})", "MATCH (n) REMOVE n.name", "DROP TABLE Hospital",
    "COPY Hospital FROM 'x.csv'", "LOAD CSV FROM 'file:///x' AS r RETURN r",
    "// a comment\nMATCH (n) /* block */ WITH n SET n.a = 'RETURN'",
    "MATCH (n) WHERE n.name = 'it''s' DELETE n",
    # the Cypher lexers end a line comment at CR or LF only, and never nest block comments
    "MATCH (n) // c\rDETACH DELETE n", "MATCH (n) // c\r\nSET n.x = 1", "MATCH (n) /* a /* b */ SET n.x = 1 */",
    "MATCH (n) RETURN n.name // a\r/* b */ DELETE n", "MATCH (n) WITH n LIMIT 1DETACH DELETE n",
    "MATCH (n) RETURN 'a\\\\' DELETE n", "MATCH (n) RETURN n.`a``b` DELETE n",
])
def test_write_clauses_are_found(text):
    assert write_clauses(text)


@pytest.mark.parametrize("text", [
    "MATCH (n) RETURN n.created, n.setting, n.deleted_at",
    "MATCH (n) WHERE n.name = 'CREATE (x) SET x.a = 1' RETURN n",
    'MATCH (n) WHERE n.name = "MERGE \\" DELETE" RETURN n',
    "// CREATE in a comment\nMATCH (n) RETURN n /* DELETE */",
    "MATCH (n) RETURN n.`set`, $create AS p",
    "MATCH (n) RETURN n // c\u2028DETACH DELETE n", "MATCH (n) RETURN n // c\u0085SET n.x = 1",
    "MATCH (n) RETURN n.`a``DELETE` AS x", "MATCH (n) RETURN 'a\\' DELETE n' AS x",
])
def test_reads_are_not_mistaken_for_writes(text):
    assert write_clauses(text) == []


def test_parameters_parse_as_json_else_string():
    assert parse_params(["a=1", "b=[1, 2]", "c=阳山县", 'd="x"', "e=", "f=a=b", "g=null"]) == {
        "a": 1, "b": [1, 2], "c": "阳山县", "d": "x", "e": "", "f": "a=b", "g": None}
    with pytest.raises(QueryError, match="name=value"):
        parse_params(["novalue"])
    for deep in ("[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000):  # 10 KB of brackets
        with pytest.raises(QueryError, match="nests too deeply"):
            parse_params([f"x={deep}"])
    res = CliRunner().invoke(main, ["cypher", "-p", "x=" + "[" * 5000, "RETURN $x"])
    assert res.exit_code == 2 and len(res.output) < 300  # the argument is not echoed whole


def test_entity_label_becomes_the_entity_tables_for_ladybug():
    text = "MATCH (a:Entity)-[:SUPPORTS]->(b:Entity:Hospital), (c:County:Entity) WHERE a.name = ':Entity' RETURN a"
    out = for_engine(text, "ladybug")
    assert "(a:" + ":".join(ENTITY_TYPES) + ")" in out
    assert "(b:Hospital)" in out and "(c:County)" in out and "':Entity'" in out
    assert for_engine(text, "bolt") == text


def test_per_engine_variant_files_are_picked(tmp_path):
    (tmp_path / "x.cypher").write_text("RETURN 1")
    assert engine_query_file(tmp_path / "x.cypher", "ladybug") == tmp_path / "x.cypher"
    (tmp_path / "x.ladybug.cypher").write_text("RETURN 2")
    assert engine_query_file(tmp_path / "x.cypher", "ladybug") == tmp_path / "x.ladybug.cypher"
    assert engine_query_file(tmp_path / "x.cypher", "bolt") == tmp_path / "x.cypher"
    with pytest.raises(QueryError, match="cannot read"):
        load_query(tmp_path / "missing.cypher", "ladybug")


def test_every_question_has_a_cypher_file_that_says_what_it_asks():
    for name in twins():
        text = (QUERIES / f"{name}.cypher").read_text(encoding="utf-8")
        assert text.startswith("// "), name
    for variant in QUERIES.glob("*.ladybug.cypher"):
        assert (QUERIES / variant.name.replace(".ladybug", "")).exists(), variant.name


# -- the property graph ---------------------------------------------------------------------

def test_property_graph_keeps_every_fact(seed_graph):
    pg = property_graph(seed_graph)
    assert len(pg.entities) == len(seed_graph.entities)
    assert len(pg.relations) == sum(1 for r in seed_graph.relations.values()
                                    if r.source in seed_graph.entities and r.target in seed_graph.entities)
    assert len(pg.evidence) == len({(r.key, e.key()) for r in seed_graph.relations.values()
                                    for e in r.evidence})
    assert len(pg.found_in) == len(pg.evidence)
    places = placements(seed_graph)
    for e in pg.entities:
        at = places[e["id"]]
        assert (e["support_unit"], e["province"], e["city_unit"], e["county_unit"], e["within"]) == \
            (at.support_unit, at.province, at.city, at.county, at.within)
    assert any(e["city_unit"] for e in pg.entities)


def test_columns_have_one_type_each():
    g = KnowledgeGraph()
    g.add_entity(Entity("Hospital/a", "Hospital", "a", attrs={"beds": 10, "score": 1, "lon": "113.5",
                                                                "tags": ["x"], "meta": {"k": 1}}))
    g.add_entity(Entity("Hospital/b", "Hospital", "b", attrs={"beds": 20, "score": 2.5, "bad key": 1}))
    pg = property_graph(g)
    cols = pg.columns["Entity"]
    assert (cols["beds"], cols["score"], cols["lon"], cols["tags"], cols["meta"]) == (
        "INT64", "DOUBLE", "DOUBLE", "STRING[]", "STRING")
    assert "bad key" not in cols
    a = next(e for e in pg.entities if e["id"] == "Hospital/a")
    assert a["lon"] == 113.5 and a["score"] == 1.0 and json.loads(a["meta"]) == {"k": 1}


# -- the embedded database ------------------------------------------------------------------

def test_build_writes_the_embedded_database(seed_build):
    graph, out = seed_build
    assert (out / DB_NAME).is_file()
    n = query_embedded(out, "MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]
    assert n == len(graph.entities)
    rels = query_embedded(out, "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n")[0]["n"]
    assert rels == len(graph.relations)


def test_example_queries_equal_the_python_helpers_on_the_seed_graph(seed_build):
    graph, out = seed_build
    assert same_as_python(graph, out) > 20


@pytest.mark.parametrize("seed", range(3))
def test_example_queries_equal_the_python_helpers_on_random_graphs(seed, tmp_path):
    g = random_graph(seed)
    assert g.supports()
    assert same_as_python(g, db_of(g, tmp_path)) > 10


def test_example_queries_on_the_hand_made_graphs(tiny_graph, rdf_graph, tmp_path):
    for i, g in enumerate((tiny_graph, rdf_graph)):
        assert same_as_python(g, db_of(g, tmp_path / str(i)))


def test_values_keep_their_types(rdf_graph, tmp_path):
    out = db_of(rdf_graph, tmp_path)
    row = query_embedded(out, "MATCH (c:County {id: $id}) RETURN c.lon AS lon, c.code AS code, "
                              "c.aliases AS aliases, c", {"id": "County/445122"})[0]
    assert row["lon"] == 117.0039 and row["code"] == "445122" and row["aliases"] == ["饶平"]
    assert row["c"]["_label"] == "County" and row["c"]["name"] == "饶平县"
    rel = query_embedded(out, "MATCH ()-[r:MANAGES]->() RETURN r.since AS since, r.quantities AS q")[0]
    assert rel["since"] == "2019-05" and json.loads(rel["q"])[0]["value"] == 26
    nasty = query_embedded(out, "MATCH (h:Hospital) WHERE h.name STARTS WITH $p RETURN h.name AS n, h.aliases AS a",
                           {"p": "测试"})
    assert nasty[0]["n"] == rdf_graph.entities['Hospital/测试/"引号"医院'].name
    assert sorted(nasty[0]["a"]) == sorted(rdf_graph.entities['Hospital/测试/"引号"医院'].aliases)


def test_an_interrupted_write_leaves_the_previous_database(tiny_graph, rdf_graph, tmp_path, monkeypatch):
    db_of(tiny_graph, tmp_path)
    before = query_embedded(tmp_path, "MATCH (n:Entity) RETURN count(n) AS n")[0]["n"]

    def boom(*args):
        raise KeyboardInterrupt("interrupted half-way")

    monkeypatch.setattr(cypher, "_load_ladybug", boom)
    with pytest.raises(KeyboardInterrupt):
        write_cypher_db(rdf_graph, tmp_path)
    assert query_embedded(tmp_path, "MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]  # no temporary left behind
    monkeypatch.undo()
    write_cypher_db(rdf_graph, tmp_path)
    assert query_embedded(tmp_path, "MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == len(rdf_graph.entities)


def test_the_built_database_takes_no_writes(tiny_graph, tmp_path):
    """It is derived from graph.json: a write would disagree with `kg ask` and outlive an
    unchanged rebuild, so it is refused whatever the flags."""
    out = db_of(tiny_graph, tmp_path)
    before = query_embedded(out, "MATCH (n:Entity) RETURN n.id AS id, n.name AS name ORDER BY id")
    with pytest.raises(QueryError, match="--write"):
        query_embedded(out, "MATCH (n:Hospital) SET n.name = 'x'")
    res = CliRunner().invoke(main, ["cypher", "-g", str(out), "--write",
                                    "MATCH (n:Hospital) DETACH DELETE n RETURN count(*) AS gone"])
    assert res.exit_code == 2 and "kg push neo4j" in res.output and len(res.output.strip().splitlines()) == 1
    assert query_embedded(out, "MATCH (n:Entity) RETURN n.id AS id, n.name AS name ORDER BY id") == before


#: Statements ladybug's read-only mode would still run: they write files, fetch code, or hide a
#: second statement; with comment and string tricks that a text scan might misread.
FILE_WRITES = ["COPY (MATCH (n:Hospital) RETURN n.name) TO '{out}/a.csv'",
               "MATCH (n:Hospital) RETURN n.name // c\rCOPY (MATCH (n) RETURN n.id) TO '{out}/b.csv'",
               "MATCH (n:Hospital) RETURN n.name /* a /* b */ ; COPY (MATCH (n) RETURN n.id) TO '{out}/c.csv' //*/",
               "MATCH (n:Hospital) RETURN n.name; EXPORT DATABASE '{out}/d'",
               "MATCH (n:Hospital) RETURN 'it\\'s'; COPY (RETURN 1) TO '{out}/e.csv'",
               "EXPORT DATABASE '{out}/f'", "INSTALL json", "LOAD EXTENSION '{out}/x.so'"]


def test_reads_on_the_embedded_database_write_no_files(tiny_graph, tmp_path):
    out = db_of(tiny_graph, tmp_path / "db")
    side = tmp_path / "side"
    side.mkdir()
    for text in FILE_WRITES:
        with pytest.raises(QueryError, match="--write|statements"):
            query_embedded(out, text.format(out=side))
        res = CliRunner().invoke(main, ["cypher", "-g", str(out), text.format(out=side)])
        assert res.exit_code == 2, res.output
    assert list(side.iterdir()) == []
    # what the lexer reads as a comment or a string is not code: these are plain reads
    hospitals = sum(1 for e in tiny_graph.entities.values() if e.type == "Hospital")
    for text in ["MATCH (n:Hospital) RETURN n.name // COPY (RETURN 1) TO '{out}/g.csv'",
                 "MATCH (n:Hospital) WHERE n.name <> 'x; EXPORT DATABASE {out}/h' RETURN n.name",
                 "MATCH (n:Hospital) RETURN n.name /* ; COPY (RETURN 1) TO '{out}/i.csv' */"]:
        assert len(query_embedded(out, text.format(out=side))) == hospitals
    assert list(side.iterdir()) == []


def test_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(GraphNotFoundError, match="kg build"):
        query_embedded(tmp_path, "RETURN 1")


# -- the command ----------------------------------------------------------------------------

def test_cli_formats_match_the_rows(seed_build):
    _, out = seed_build
    runner = CliRunner()
    rows = query_embedded(out, q("supports_county"),
                          {"county": "", "province": "", "supporter": "", "level": ""})
    for fmt in ("table", "csv", "json"):
        res = runner.invoke(main, ["cypher", "-g", str(out), "-f", str(QUERIES / "supports_county.cypher"),
                                   "--format", fmt])
        assert res.exit_code == 0, res.output
        assert res.output.replace("\r\n", "\n") == rows.render(fmt).replace("\r\n", "\n") + "\n"
    res = runner.invoke(main, ["cypher", "-g", str(out), "--format", "json", "-p", "name=饶平县人民医院",
                               "-f", str(QUERIES / "partners_of.cypher")])
    assert res.exit_code == 0 and json.loads(res.output)


def test_cli_refuses_writes_and_bad_queries_with_one_line(tiny_graph, tmp_path):
    out = db_of(tiny_graph, tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["cypher", "-g", str(out), "MATCH (n:Hospital) DETACH DELETE n"])
    assert res.exit_code == 2 and "--write" in res.output and len(res.output.strip().splitlines()) == 1
    res = runner.invoke(main, ["cypher", "-g", str(out), "MATCH (n RETURN n"])
    assert res.exit_code == 2 and "Cypher query failed" in res.output
    res = runner.invoke(main, ["cypher", "-g", str(tmp_path / "none"), "RETURN 1"])
    assert res.exit_code == 2 and "kg build" in res.output
    res = runner.invoke(main, ["cypher", "-g", str(out)])
    assert res.exit_code == 2  # neither QUERY nor -f


def test_a_copied_database_folder_still_opens(tiny_graph, tmp_path):
    out = db_of(tiny_graph, tmp_path / "a")
    shutil.copytree(out, tmp_path / "b")
    assert query_embedded(tmp_path / "b", "MATCH (n:Entity) RETURN count(n) AS n")[0]["n"] == len(tiny_graph.entities)
