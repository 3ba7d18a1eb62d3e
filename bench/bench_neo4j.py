"""Benchmark `kg push neo4j`: batched UNWIND transactions vs one row per transaction.

Starts an ArcadeDB server with the Bolt plugin on 127.0.0.1 (arcadedb-embedded wheel),
pushes a synthetic graph (default 100,000 nodes and 300,000 relationships) in batches,
and a 2,000-element sample both one row per transaction and batched, in the same run.
Prints one JSON object: elements/s for each, the ratios, and the targets
(>= 10,000 elements/s batched, >= 20x faster than one row per transaction).

Usage: python bench/bench_neo4j.py [--nodes 100000] [--rels 300000] [--batch 2000] [--sample 2000]
"""
from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.graph import KnowledgeGraph  # noqa: E402
from kg.model import Entity, Relation  # noqa: E402
from kg.neo4j import LocalArcadeDB, push_neo4j, query_bolt  # noqa: E402

ORG_TYPES = ["Hospital"] * 6 + ["Agency", "Agency", "University", "Alliance", "Program", "Policy"]
EDGE_TYPES = ["SUPPORTS", "MANAGES", "PARTNERS_WITH", "LEADS", "MEMBER_OF", "RUNS", "ISSUED_BY"]


def synthetic(nodes: int, rels: int, seed: int = 0) -> KnowledgeGraph:
    """Provinces > cities > counties, organisations LOCATED_IN counties, random partnerships.

    Exactly ``nodes`` entities and ``rels`` relations, no evidence or mentions, so the
    property graph has exactly that many nodes and relationships.
    """
    rnd = random.Random(seed)
    g = KnowledgeGraph()
    n_prov, n_city, n_county = max(1, nodes // 3000), max(1, nodes // 300), max(1, nodes // 100)
    levels = [("Province", n_prov), ("City", n_city), ("County", n_county)]
    ids: dict[str, list[str]] = {}
    made = 0
    for level, n in levels:
        ids[level] = []
        for i in range(min(n, nodes - made)):
            eid = f"{level}/{i:06d}"
            g.entities[eid] = Entity(eid, level, f"{level}{i}", attrs={"lon": 100 + rnd.random() * 20,
                                                                         "lat": 20 + rnd.random() * 20})
            ids[level].append(eid)
            made += 1
    orgs = []
    while made < nodes:
        typ = rnd.choice(ORG_TYPES)
        eid = f"{typ}/{made:07d}"
        g.entities[eid] = Entity(eid, typ, f"{typ}名{made}", {f"别名{made}"} if made % 3 == 0 else set())
        orgs.append(eid)
        made += 1

    def add(src: str, rtype: str, dst: str) -> None:
        key = (src, rtype, dst)
        if key not in g.relations and len(g.relations) < rels:
            g.relations[key] = Relation(src, rtype, dst, {"year": 2015 + rnd.randint(0, 9)})

    for child, parent in (("City", "Province"), ("County", "City")):
        for eid in ids.get(child, []):
            if ids.get(parent):
                add(eid, "LOCATED_IN", rnd.choice(ids[parent]))
    for eid in orgs:
        if ids.get("County"):
            add(eid, "LOCATED_IN", rnd.choice(ids["County"]))
    everyone = list(g.entities)
    while len(g.relations) < rels:
        add(rnd.choice(orgs or everyone), rnd.choice(EDGE_TYPES), rnd.choice(everyone))
    return g


def clear(server: LocalArcadeDB) -> None:
    for label in ("Evidence", "Document", "Entity"):
        while True:
            n = query_bolt(server.uri, server.user, server.password,
                           f"MATCH (n:{label}) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n",
                           database=server.database, write=True)[0]["n"]
            if n < 20000:
                break


def timed_push(server: LocalArcadeDB, graph: KnowledgeGraph, batch: int) -> dict:
    s = push_neo4j(graph, server.uri, server.user, server.password, database=server.database,
                   batch=batch, progress=sys.stderr.isatty())
    elements = s.nodes + s.relationships
    return {"nodes": s.nodes, "relationships": s.relationships, "batch": batch,
            "seconds": round(s.seconds, 2), "elements_per_s": round(elements / s.seconds, 1),
            "nodes_created": s.nodes_created, "relationships_created": s.relationships_created,
            "stage_seconds": s.stage_seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--rels", type=int, default=300_000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--sample", type=int, default=2000, help="elements in the one-row-per-transaction sample")
    args = ap.parse_args()

    t0 = time.perf_counter()
    big = synthetic(args.nodes, args.rels)
    sample = synthetic(max(1, args.sample * 3 // 10), args.sample - args.sample * 3 // 10, seed=1)
    made = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="bench-neo4j-") as root:
        server = LocalArcadeDB(root, secrets.token_urlsafe(16))
        t = time.perf_counter()
        server.start()
        started = time.perf_counter() - t
        try:
            single = timed_push(server, sample, batch=1)
            clear(server)
            sample_batched = timed_push(server, sample, batch=args.batch)
            clear(server)
            batched = timed_push(server, big, batch=args.batch)
            again = timed_push(server, big, batch=args.batch)
        finally:
            server.stop()
    out = {
        "server": "ArcadeDB (arcadedb-embedded) over Bolt, 127.0.0.1",
        "graph_seconds": round(made, 2), "server_start_seconds": round(started, 2),
        "batched": batched, "repush_batched": again,
        "sample_one_row_per_tx": single, "sample_batched": sample_batched,
        "ratio_batched_vs_one_row": round(batched["elements_per_s"] / single["elements_per_s"], 1),
        "ratio_on_the_sample": round(sample_batched["elements_per_s"] / single["elements_per_s"], 1),
        "targets": {"elements_per_s": 10_000, "ratio": 20},
    }
    out["meets_targets"] = (batched["elements_per_s"] >= 10_000 and out["ratio_batched_vs_one_row"] >= 20)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
