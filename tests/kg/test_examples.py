"""examples/queries: every twin (.rq and .cypher) asks what one `kg ask` command asks.

On the graph built from seeds/, each case runs through `kg ask`, `kg sparql`, `kg cypher` on the
embedded database and `kg cypher --uri` on a real ArcadeDB Bolt server, and the four must print
the same columns in the same order and the same rows in the same order. Names are given in the
forms users type (short names, codes, aliases, Traditional), so the one name rule is exercised
through every engine.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.params import declared
from twins import QUERIES, ask_args, normal, text, twins  # tests/kg/twins.py

CASES = [
    ("supports_county", {}),
    ("supports_county", {"county": "饶平"}),
    ("supports_county", {"county": "445122"}),
    ("supports_county", {"province": "廣東"}),
    ("supports_county", {"supporter": "广东省", "level": "county"}),
    ("supports_county", {"level": "city"}),
    ("partners_of", {"name": "省第二人民医院"}),
    ("partners_of", {"name": "饶平县人民医院"}),
    ("flows", {}),
    ("flows", {"level": "city"}),
    ("flows", {"level": "county"}),
    ("programs", {}),
    ("programs", {"region": "广东"}),
    ("evidence_for_edge", {"source": "暨大附一", "target": "饶平县人民医院"}),
    ("evidence_for_edge", {"source": "阳山县", "target": "阳山县人民医院", "relation": "located_in"}),
]


def run(args: list, env: dict | None = None) -> tuple[list[str], list[tuple]]:
    """The columns and normalised rows a `kg` command prints as JSON (its exit code must be 0)."""
    res = CliRunner().invoke(main, [str(a) for a in args] + ["--format", "json"], env=env)
    assert res.exit_code == 0, (args, res.output)
    rows = json.loads(res.stdout)
    cols = list(rows[0]) if rows else []
    return cols, normal(rows, cols)


def engines(twin: str, params: dict, out) -> dict[str, list]:
    sparql_args = ["sparql", "-g", out, "-f", QUERIES / f"{twin}.rq"]
    cypher_args = ["cypher", "-g", out, "-f", QUERIES / f"{twin}.cypher"]
    for k, v in params.items():
        sparql_args += ["--bind", f"{k}={v}"]
        cypher_args += ["-p", f"{k}={v}"]
    return {"kg ask": ["ask", *ask_args(twin, params), "-g", out], "kg sparql": sparql_args,
            "kg cypher": cypher_args}


def test_every_twin_has_both_files_the_same_parameters_and_a_case():
    names = twins()
    assert names and set(names) == {c[0] for c in CASES}
    for name in names:
        rq, cy = QUERIES / f"{name}.rq", QUERIES / f"{name}.cypher"
        assert rq.is_file() and cy.is_file(), name
        a, b = declared(text(name, "sparql")), declared(text(name, "cypher"))
        assert [(p.name, p.kind, p.required) for p in a.values()] == \
            [(p.name, p.kind, p.required) for p in b.values()], name
        for src in (rq, cy):  # each says what it asks and how to run it
            head = src.read_text(encoding="utf-8").split("\n", 1)[0]
            assert len(head) > 40 and "kg ask" in src.read_text(encoding="utf-8"), src


@pytest.mark.parametrize("twin,params", CASES, ids=[f"{t}-{'-'.join(p.values()) or 'all'}"
                                                    for t, p in CASES])
def test_twins_print_what_kg_ask_prints(seed_build, twin, params):
    _, out = seed_build
    got = {who: run(args) for who, args in engines(twin, params, out).items()}
    cols, rows = got["kg ask"]
    assert rows, f"{twin} {params} finds nothing on the seeds: pick a case that does"
    for who, (c, r) in got.items():
        assert c == cols, (who, c, cols)
        assert r == rows, who


@pytest.mark.server
def test_twins_print_the_same_on_a_bolt_server(seed_build, bolt):
    from kg.neo4j import push_neo4j

    graph, out = seed_build
    push_neo4j(graph, bolt.uri, bolt.user, bolt.password, database=bolt.database, progress=False)
    env = {"NEO4J_PASSWORD": bolt.password}
    server = ["--uri", bolt.uri, "--user", bolt.user] + (["--database", bolt.database]
                                                         if bolt.database else [])
    for twin, params in CASES:
        args = engines(twin, params, out)
        want = run(args["kg ask"])
        assert run(args["kg cypher"] + server, env) == want, (twin, params)
