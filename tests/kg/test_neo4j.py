"""kg.neo4j: pushes to real Bolt servers, queries over Bolt, and the neo4j-admin CSV export.

The server tests run against ArcadeDB (started from the arcadedb-embedded wheel on
127.0.0.1) and, when NEO4J_URI is set, against that Neo4j as well. Answers are compared
between the servers, the embedded database and the Python helpers; never with
hand-written rows.
"""
from __future__ import annotations

import csv
import json
import secrets

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.cypher import REL_TYPES, check_label, property_graph, query_embedded, write_cypher_db
from kg.errors import QueryError, StoreError
from kg.graph import KnowledgeGraph
from kg.model import Entity, Evidence, Relation
from kg.neo4j import (Dialect, LocalArcadeDB, export_neo4j_csv, free_port, import_command, node_query,
                      push_neo4j, push_plan, query_bolt, relationship_query)
from kg.params import prepare
from twins import same_as_python, text  # tests/kg/twins.py

NASTY = ["'})-[:X]->()", "引号\"双\"和'单'", "{花括号} $param `tick` // comment", "反\\斜杠\n换行",
         "; MATCH (n) DETACH DELETE n //", "分号;在中间"]


def hostile_graph() -> KnowledgeGraph:
    """Hospitals whose ids, names, aliases, attributes, documents and evidence are injection attempts."""
    g = KnowledgeGraph()
    g.add_entity(Entity("Province/440000", "Province", "广东省", attrs={"code": "440000"}, mentions={"d": 1}))
    g.add_entity(Entity("County/445122", "County", "饶平县", attrs={"code": "445122"}, mentions={"d": 1}))
    g.add_relation(Relation("County/445122", "LOCATED_IN", "Province/440000",
                            evidence=[Evidence("d", "位于", 0, 2, "r")]))
    for i, s in enumerate(NASTY):
        eid = f"Hospital/{s}"
        doc = f"doc {s}"
        g.add_entity(Entity(eid, "Hospital", f"{s}医院", {s, f"别名{i}"}, {"note": s}, {doc: 2}))
        g.add_relation(Relation(eid, "SUPPORTS", "County/445122", {"since": s},
                                [Evidence(doc, f"句子 {s}", i, i + 3, f"rule {s}", 0.7, f"{s}.txt")]))
        g.documents[doc] = {"id": doc, "path": f"{s}.txt", "title": s, "published": "2024-01-01"}
    return g


def expected_counts(graph: KnowledgeGraph) -> dict:
    pg = property_graph(graph)
    out = {"Entity": len(pg.entities), "Document": len(pg.documents), "Evidence": len(pg.evidence)}
    for t in REL_TYPES:
        out[t] = sum(1 for r in pg.relations + pg.mentions + pg.found_in if r["type"] == t)
    return out


def counts(bolt) -> dict:
    """Nodes per key label and relationships per type on a server (``bolt.run`` gives rows)."""
    out = {lab: bolt.run(f"MATCH (n:{lab}) RETURN count(n) AS n")[0]["n"]
           for lab in ("Entity", "Document", "Evidence")}
    for t in REL_TYPES:
        out[t] = bolt.run(f"MATCH ()-[r:{t}]->() RETURN count(r) AS n")[0]["n"]
    return out


class Server:
    """A LocalArcadeDB seen as a test target (``run`` a query, get rows)."""

    def __init__(self, server: LocalArcadeDB):
        self.s = server

    def run(self, query: str, **params):
        return query_bolt(self.s.uri, self.s.user, self.s.password, query, params, database=self.s.database)


def push(bolt, graph, **kw):
    return push_neo4j(graph, bolt.uri, bolt.user, bolt.password, database=bolt.database,
                      progress=False, **kw)


def ask(bolt, query: str, params=None):
    return query_bolt(bolt.uri, bolt.user, bolt.password, query, params, database=bolt.database)


def normal(rows) -> list:
    return sorted((tuple(r.values()) for r in rows), key=repr)


def twin(bolt, graph: KnowledgeGraph, name: str, params: dict, engine: str = "bolt", out=None):
    """A twin's Cypher form run on the server (or, with ``out``, the embedded database)."""
    q = text(name, "cypher", engine)
    values = prepare(q, params, "cypher", lambda: graph)
    return query_embedded(out, q, values) if out is not None else ask(bolt, q, values)


# -- no server needed ----------------------------------------------------------------------

def test_only_whitelisted_labels_reach_query_text():
    assert node_query("Entity", "Hospital").startswith("UNWIND $rows AS r MERGE (n:Entity:Hospital {id: r.id})")
    assert "MERGE (a)-[e:SUPPORTS]->(b)" in relationship_query("SUPPORTS", "Entity", "Entity")
    for bad in ("Hospital) DETACH DELETE (n", "hospital", "X`", "FOUND_IN]->() //"):
        with pytest.raises(ValueError):
            check_label(bad)
        with pytest.raises(ValueError):
            node_query("Entity", bad)


@pytest.mark.parametrize("dialect", ["neo4j", "arcadedb"])
def test_push_queries_carry_no_values(dialect):
    g = hostile_graph()
    pg = property_graph(g)
    plan = push_plan(pg, "run-1", dialect)
    assert sum(len(rows) for _, _, rows in plan) == pg.node_count + pg.relationship_count
    for _, query, rows in plan:
        assert query.startswith("UNWIND $rows AS r ")
        for s in NASTY:
            assert s not in query


def test_dialects_write_their_own_schema_syntax():
    neo5 = Dialect("neo4j").schema_statements()
    assert "CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE" in neo5
    assert "CREATE INDEX kg_evidence_edge_key IF NOT EXISTS FOR (n:Evidence) ON (n.edge_key)" in neo5
    assert any("ON (n:Entity) ASSERT n.id IS UNIQUE" in s for s in Dialect("neo4j4").schema_statements())
    assert "CREATE INDEX ON :Evidence(edge_key)" in Dialect("memgraph").schema_statements()
    arcade = Dialect("arcadedb").schema_statements()
    assert set(neo5) < set(arcade)
    assert "CREATE CONSTRAINT kg_hospital_id IF NOT EXISTS FOR (n:Hospital) REQUIRE n.id IS UNIQUE" in arcade


def test_neo4j_csv_export_reads_back_as_the_graph(tmp_path):
    g = hostile_graph()
    files = export_neo4j_csv(g, tmp_path)
    assert {f.name for f in files} >= {"entities.csv", "relations.csv", "README.md"}
    with open(tmp_path / "entities.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    assert head[:2] == ["id:ID(Entity)", ":LABEL"]
    assert "aliases:string[]" in head and "mentions:long" in head and "lon:double" in head
    got = {r[0]: dict(zip(head, r)) for r in rows[1:]}
    assert set(got) == set(g.entities)
    for eid, e in g.entities.items():
        assert got[eid][":LABEL"] == f"Entity;{e.type}"
        assert got[eid]["name"] == e.name
        aliases = got[eid]["aliases:string[]"].split(";") if got[eid]["aliases:string[]"] else []
        assert sorted(aliases) == sorted(a.replace(";", "；") for a in e.aliases)
    with open(tmp_path / "relations.csv", encoding="utf-8", newline="") as fh:
        rels = list(csv.reader(fh))
    assert rels[0][:3] == [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE"]
    assert {(r[0], r[2], r[1]) for r in rels[1:]} == set(g.relations)
    with open(tmp_path / "found_in.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == [":START_ID(Evidence)", ":END_ID(Document)", ":TYPE"]
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert import_command() in readme and "--nodes=entities.csv" in readme
    res = CliRunner().invoke(main, ["export", "--format", "neo4j-csv", "-g", str(g.save(tmp_path / "g").parent),
                                    "-o", str(tmp_path / "cli")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / "relations.csv").read_bytes() == (tmp_path / "relations.csv").read_bytes()


def test_a_dead_server_is_one_clear_line_and_exit_3(tmp_path, tiny_graph):
    tiny_graph.save(tmp_path)
    uri = f"bolt://127.0.0.1:{free_port()}"
    res = CliRunner().invoke(main, ["push", "neo4j", "-g", str(tmp_path), "--uri", uri, "--retries", "1"],
                             env={"NEO4J_PASSWORD": "secret-pw-42", "NEO4J_USER": "neo4j"})
    assert res.exit_code == 3
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and uri in lines[0] and "push again" in lines[0]
    assert "secret-pw-42" not in res.output


# -- real servers ----------------------------------------------------------------------------

@pytest.mark.server
def test_seed_graph_answers_the_same_on_the_server_embedded_and_in_python(bolt, seed_build):
    graph, out = seed_build
    summary = push(bolt, graph, batch=50)
    assert summary.nodes_created == summary.nodes and summary.relationships_created == summary.relationships
    assert summary.batches > 5 and ("arcadedb" in summary.server.lower()) == (bolt.name == "arcadedb")
    assert counts(bolt) == expected_counts(graph)
    assert same_as_python(graph, lambda name, params: twin(bolt, graph, name, params)) > 20
    # "which article says this" is one query over the evidence design
    said = ask(bolt, "MATCH (a:Entity {name: $a})-[r:MANAGES]->(b:Entity {name: $b}) "
                     "MATCH (ev:Evidence)-[:FOUND_IN]->(d:Document) WHERE ev.edge_key = r.edge_key "
                     "RETURN d.id AS doc, ev.sentence AS sentence",
               {"a": "暨南大学附属第一医院", "b": "饶平县人民医院"})
    rel = graph.relations[("Hospital/暨南大学附属第一医院", "MANAGES", "Hospital/445122/人民医院")]
    assert sorted((r["doc"], r["sentence"]) for r in said) == sorted((e.doc, e.sentence) for e in rel.evidence)


@pytest.mark.server
def test_pushing_twice_changes_nothing(bolt, seed_graph):
    first = push(bolt, seed_graph, batch=200)
    after_first = counts(bolt)
    rows_first = normal(twin(bolt, seed_graph, "supports_county", {}))
    second = push(bolt, seed_graph, batch=37)
    assert counts(bolt) == after_first == expected_counts(seed_graph)
    assert (second.nodes_created, second.relationships_created) == (0, 0)
    assert second.nodes_updated == first.nodes_created and second.relationships_updated == first.relationships_created
    assert normal(twin(bolt, seed_graph, "supports_county", {})) == rows_first and rows_first


@pytest.mark.server
def test_prune_removes_what_the_rebuilt_graph_dropped(bolt, tiny_graph):
    push(bolt, tiny_graph)
    smaller = KnowledgeGraph.from_json(tiny_graph.to_json())
    smaller.remove_documents(["d2"])  # one MANAGES evidence and its document go
    gone = "Agency/国家卫生健康委员会"
    del smaller.entities[gone]
    for key in [k for k in smaller.relations if gone in (k[0], k[2])]:
        del smaller.relations[key]
    kept = push(bolt, smaller)  # without --prune nothing is deleted
    assert (kept.nodes_deleted, kept.relationships_deleted) == (0, 0)
    assert counts(bolt)["Entity"] == len(tiny_graph.entities)
    pruned = push(bolt, smaller, prune=True)
    assert pruned.nodes_deleted >= 3 and pruned.relationships_deleted >= 1  # entity, document, evidence
    assert counts(bolt) == expected_counts(smaller)
    assert not ask(bolt, "MATCH (n:Entity {id: $id}) RETURN n", {"id": gone})


@pytest.mark.server
def test_hostile_names_round_trip_as_data(bolt, tmp_path):
    g = hostile_graph()
    push(bolt, g, batch=2)
    assert counts(bolt) == expected_counts(g)
    rows = ask(bolt, "MATCH (h:Hospital) RETURN h.id AS id, h.name AS name, h.aliases AS aliases, h.note AS note")
    got = {r["id"]: (r["name"], sorted(r["aliases"]), r["note"]) for r in rows}
    assert got == {eid: (e.name, sorted(e.aliases), e.attrs["note"])
                   for eid, e in g.entities.items() if e.type == "Hospital"}
    for s in NASTY:  # as a parameter it is only ever a value
        hits = twin(bolt, g, "partners_of", {"name": f"{s}医院"})
        assert [r["other"] for r in hits] == ["饶平县"]
    out = tmp_path / "db"
    write_cypher_db(g, out)
    for name, params in [("supports_county", {}),
                         ("evidence_for_edge", {"source": f"{NASTY[0]}医院", "target": "饶平县"})]:
        remote = twin(bolt, g, name, params)
        local = twin(bolt, g, name, params, "ladybug", out)
        assert normal(remote) == normal(local) and remote, name


@pytest.mark.server
def test_reads_are_read_only_and_errors_are_clear(bolt):
    with pytest.raises(QueryError, match="--write"):
        ask(bolt, "CREATE (n:Entity {id: 'x'})")
    with pytest.raises(QueryError, match="Cypher query failed"):
        ask(bolt, "MATCH (n RETURN n")
    with pytest.raises(StoreError, match="authentication failed"):
        query_bolt(bolt.uri, bolt.user, bolt.password + "-wrong", "RETURN 1", database=bolt.database)


@pytest.mark.server
def test_cli_push_and_cypher_take_the_password_from_env_or_a_prompt(arcadedb_server, tmp_path, tiny_graph):
    srv = arcadedb_server
    tiny_graph.save(tmp_path)
    runner = CliRunner()
    base = ["push", "neo4j", "-g", str(tmp_path), "--uri", srv.uri, "--user", srv.user, "--database", srv.database]
    res = runner.invoke(main, base, env={"NEO4J_PASSWORD": srv.password})
    assert res.exit_code == 0, res.output
    assert "pushed" in res.output and srv.password not in res.output
    res = runner.invoke(main, base + ["--prune"], input=srv.password + "\n", env={"NEO4J_PASSWORD": None})
    assert res.exit_code == 0, res.output
    assert "Password for root" in res.output and srv.password not in res.output
    res = runner.invoke(main, ["cypher", "--uri", srv.uri, "--user", srv.user, "--database", srv.database,
                               "--format", "json", "MATCH (n:Entity) RETURN count(n) AS n"],
                        env={"NEO4J_PASSWORD": srv.password})
    assert res.exit_code == 0 and json.loads(res.output) == [{"n": len(tiny_graph.entities)}]
    res = runner.invoke(main, ["cypher", "--uri", srv.uri, "--user", srv.user, "--database", srv.database,
                               "MATCH (n:Entity) DETACH DELETE n"], env={"NEO4J_PASSWORD": srv.password})
    assert res.exit_code == 2 and "--write" in res.output
    for label in ("Evidence", "Document", "Entity"):
        query_bolt(srv.uri, srv.user, srv.password, f"MATCH (n:{label}) DETACH DELETE n",
                   database=srv.database, write=True)


@pytest.mark.server
def test_a_push_cut_off_by_the_server_stopping_completes_when_run_again(tmp_path, seed_graph):
    pytest.importorskip("arcadedb_embedded")
    server = LocalArcadeDB(str(tmp_path / "arcadedb"), secrets.token_urlsafe(16)).start()
    try:
        batches = []

        def kill_after_three(stage, done):
            batches.append(stage)
            if len(batches) == 3:
                server.kill()  # as a crash would: no goodbye to the client

        with pytest.raises(StoreError) as err:
            push_neo4j(seed_graph, server.uri, server.user, server.password, database=server.database,
                       batch=10, retries=2, backoff=0.05, progress=False, on_batch=kill_after_three)
        msg = str(err.value)
        assert server.uri in msg and "push again" in msg and "\n" not in msg
        assert len(batches) == 3
        server.start()
        again = push_neo4j(seed_graph, server.uri, server.user, server.password, database=server.database,
                           batch=10, progress=False)
        assert 0 < again.nodes_created < again.nodes  # the first batches had landed
        assert counts(Server(server)) == expected_counts(seed_graph)
    finally:
        server.stop()


# -- read-only means read-only, decided by the server (issue 16) --------------------------------

#: Writes hidden from a text scan that ends comments at the wrong place, or that trust nesting;
#: and the same text with a terminator the Cypher lexer does not honour (U+2028, U+0085), which
#: the servers read as a comment: a plain read.
HIDDEN_WRITES = ["MATCH (n:Hospital) // c\rDETACH DELETE n",
                 "MATCH (n:Hospital) // c\r\nSET n.name = 'x'",
                 "MATCH (n:Hospital) /* a /* b */ SET n.name = 'y' RETURN n.name",
                 "MATCH (n:Hospital) WITH n LIMIT 1DETACH DELETE n",
                 "MATCH (n:Hospital) RETURN n.name; MATCH (m:Hospital) DETACH DELETE m"]
LEXER_COMMENTS = ["MATCH (n:Hospital) // c\u2028DETACH DELETE n", "MATCH (n:Hospital) // c\u0085SET n.name = 'z'"]


def snapshot(bolt) -> list:
    """Every node's labels and properties and every relationship, read with the official driver."""
    nodes = bolt.run("MATCH (n) RETURN labels(n) AS l, properties(n) AS p")
    rels = bolt.run("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p")
    return sorted(map(repr, nodes)) + sorted(map(repr, rels))


@pytest.mark.server
def test_a_read_never_changes_the_server(bolt, tiny_graph, monkeypatch):
    push(bolt, tiny_graph)
    before = snapshot(bolt)
    assert len(before) > 40
    for text in HIDDEN_WRITES:
        with pytest.raises(QueryError, match="--write|statements"):
            ask(bolt, text)
        assert snapshot(bolt) == before, text
    for text in LEXER_COMMENTS:  # the server reads the rest as a comment: a read, and it runs
        rows = ask(bolt, text)
        assert rows.columns == [] or rows  # ArcadeDB gives no column names for no rows
        assert snapshot(bolt) == before, text
    # the text scan is only the first guard: with it gone, the server's own report refuses
    # the write, and the transaction is rolled back
    import kg.neo4j

    monkeypatch.setattr(kg.neo4j, "check_read_only", lambda query, where: None)
    for text in HIDDEN_WRITES[:3] + ["MATCH (n:Hospital) DETACH DELETE n", "CREATE (:Entity {id: 'new'})",
                                     "MATCH (e:Evidence) SET e.sentence = 'forged' RETURN count(e) AS n"]:
        with pytest.raises(QueryError, match="rolled back") as err:
            ask(bolt, text)
        assert "--write" in str(err.value) and bolt.uri in str(err.value)
        assert snapshot(bolt) == before, text
    monkeypatch.undo()
    ask_rows = ask(bolt, "MATCH (n:Hospital) RETURN count(n) AS n")
    assert ask_rows[0]["n"] == sum(1 for e in tiny_graph.entities.values() if e.type == "Hospital")
    written = query_bolt(bolt.uri, bolt.user, bolt.password, "MATCH (n:Hospital) SET n.flag = 1 RETURN count(n) AS n",
                        database=bolt.database, write=True)
    assert written[0]["n"] == ask_rows[0]["n"]
    assert bolt.run("MATCH (n:Hospital) WHERE n.flag = 1 RETURN count(n) AS n")[0]["n"] == ask_rows[0]["n"]


@pytest.mark.server
def test_cli_reads_on_a_server_cannot_write(bolt, tiny_graph):
    push(bolt, tiny_graph)
    before = snapshot(bolt)
    base = ["cypher", "--uri", bolt.uri, "--user", bolt.user] + (["--database", bolt.database] if bolt.database else [])
    for text in HIDDEN_WRITES:
        res = CliRunner().invoke(main, base + [text], env={"NEO4J_PASSWORD": bolt.password})
        assert res.exit_code == 2, (text, res.output)
        assert "--write" in res.output or "statements" in res.output
        assert snapshot(bolt) == before, text


# -- waiting has bounds (issue 16) ---------------------------------------------------------------

class SilentPort:
    """A loopback port that accepts connections and never says a word."""

    def __init__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


@pytest.fixture
def silent_port():
    p = SilentPort()
    yield p
    p.close()


def test_a_silent_bolt_port_fails_within_the_timeout(silent_port, tmp_path, tiny_graph):
    import time

    tiny_graph.save(tmp_path)
    uri = f"bolt://127.0.0.1:{silent_port.port}"
    env = {"NEO4J_PASSWORD": "pw", "NEO4J_USER": "neo4j"}
    for args in (["push", "neo4j", "-g", str(tmp_path), "--uri", uri, "--retries", "20"],
                 ["cypher", "--uri", uri, "--retries", "20", "RETURN 1"]):
        t0 = time.monotonic()
        res = CliRunner().invoke(main, args + ["--timeout", "3", "--connect-timeout", "1"], env=env)
        took = time.monotonic() - t0
        assert res.exit_code == 3, res.output
        line = res.output.strip()
        assert "\n" not in line and uri in line, line
        assert 2.5 < took < 8, (args, took)  # retried until the deadline, never past it


@pytest.mark.server
def test_a_server_that_stops_answering_mid_push_fails_within_the_timeout(arcadedb_server, tiny_graph):
    """Once connected, the driver would wait for ever on a server that stopped answering (here:
    SIGSTOP after two batches); the push gives up at its deadline and a re-push completes."""
    import os
    import signal
    import time

    srv = arcadedb_server
    target = Server(srv)
    for label in ("Evidence", "Document", "Entity"):
        query_bolt(srv.uri, srv.user, srv.password, f"MATCH (n:{label}) DETACH DELETE n",
                   database=srv.database, write=True)
    stopped_at = []

    def stop_after_two(stage, done):
        if not stopped_at and done >= 2:
            os.kill(srv.proc.pid, signal.SIGSTOP)
            stopped_at.append(time.monotonic())

    try:
        with pytest.raises(StoreError) as err:
            push_neo4j(tiny_graph, srv.uri, srv.user, srv.password, database=srv.database, batch=1,
                       timeout=3, connect_timeout=1, progress=False, on_batch=stop_after_two)
        waited = time.monotonic() - stopped_at[0]
    finally:
        os.kill(srv.proc.pid, signal.SIGCONT)
    msg = str(err.value)
    assert "no answer within 3s" in msg and srv.uri in msg and "push again" in msg, msg
    assert 2.5 < waited < 8, waited
    again = push_neo4j(tiny_graph, srv.uri, srv.user, srv.password, database=srv.database, progress=False)
    assert again.nodes_created < again.nodes
    assert counts(target) == expected_counts(tiny_graph)
    for label in ("Evidence", "Document", "Entity"):
        query_bolt(srv.uri, srv.user, srv.password, f"MATCH (n:{label}) DETACH DELETE n",
                   database=srv.database, write=True)
