"""SPARQL bench: a synthetic graph of ≥1M triples in the embedded Oxigraph store vs rdflib; prints JSON.

The graph is made with the KnowledgeGraph API (regions in a division tree, hospitals
located in them, support / partnership / alliance / programme edges with evidence) and
written by kg.rdf exactly as `kg build` writes it. Measured on the full graph: N-Triples
generation, the store bulk load (``write_store``: chunks of 100k triples, temp dir + rename), opening the store
and the latency of every examples/queries/*.rq (median of ``--repeat`` runs).

rdflib's in-memory graph is measured in the same run on a smaller graph from the same
generator (``--subset-triples``, default 100k): parse time and the same queries, each
in a child process killed after ``--rdflib-timeout`` seconds. Oxigraph runs on that
subset too, so the reported ratios compare like with like.

Usage: python bench/bench_sparql.py [--triples 1000000] [--subset-triples 100000]
                                    [--repeat 3] [--rdflib-timeout 60] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kg import rdf
from kg.graph import KnowledgeGraph
from kg.model import Entity, Evidence, Relation
from kg.params import prepare
from kg.sparql import bind_values, sparql

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "examples" / "queries"


def synthetic_graph(scale: float, seed: int = 0) -> KnowledgeGraph:
    """A China-shaped graph; ``scale`` 1.0 gives roughly 1.3M triples."""
    rnd = random.Random(seed)
    g = KnowledgeGraph()
    n_docs = max(10, int(4000 * scale))

    def ev(i: int, k: int = 1) -> list[Evidence]:
        out = []
        for j in range(k):
            d = f"doc{rnd.randrange(n_docs):06d}.txt"
            s = rnd.randrange(0, 5000)
            out.append(Evidence(d, f"第{i}条关系的第{j}句证据：某医院对口帮扶某县。", s, s + 40,
                                rnd.choice(["S 对口帮扶 T", "S 全面托管 T", "A实施P"]),
                                round(rnd.uniform(0.5, 0.95), 2), f"corpus/{d}", "2024-05-31"))
        return out

    def add(eid, typ, name, **attrs):
        g.add_entity(Entity(eid, typ, name, set(), attrs, {f"doc{rnd.randrange(n_docs):06d}.txt": 1}))

    def rel(a, kind, b, k=1, **attrs):
        g.add_relation(Relation(a, kind, b, attrs, ev(len(g.relations), k)))

    provinces, cities, counties, towns, hospitals = [], [], [], [], []
    n_prov = 31
    per_city = max(1, round(10 * scale))
    for p in range(n_prov):
        pcode = f"{11 + p:02d}0000"
        pid = f"Province/{pcode}"
        add(pid, "Province", f"省{p}", code=pcode, division=pcode, region=f"省{p}",
            lon=round(rnd.uniform(80, 130), 5), lat=round(rnd.uniform(20, 50), 5))
        provinces.append(pid)
        for c in range(per_city):
            ccode = f"{11 + p:02d}{c + 1:02d}00"
            cid = f"City/{ccode}"
            add(cid, "City", f"省{p}市{c}", code=ccode, division=ccode, region=f"省{p}市{c}")
            rel(cid, "LOCATED_IN", pid)
            cities.append(cid)
            for k in range(8):
                kcode = f"{11 + p:02d}{c + 1:02d}{k + 1:02d}"
                kid = f"County/{kcode}"
                add(kid, "County", f"省{p}市{c}县{k}", code=kcode, division=kcode,
                    region=f"省{p}市{c}县{k}", lon=round(rnd.uniform(80, 130), 5),
                    lat=round(rnd.uniform(20, 50), 5))
                rel(kid, "LOCATED_IN", cid)
                counties.append(kid)
                hid = f"Hospital/{kcode}/人民医院"
                add(hid, "Hospital", f"省{p}市{c}县{k}人民医院", division=kcode)
                rel(hid, "LOCATED_IN", kid)
                hospitals.append(hid)
                for t in range(3):
                    tid = f"Town/{kcode}/镇{t}"
                    add(tid, "Town", f"镇{t}", division=f"{kcode}/镇{t}")
                    rel(tid, "LOCATED_IN", kid)
                    towns.append(tid)
                    wid = f"Hospital/{kcode}/镇{t}/卫生院"
                    add(wid, "Hospital", f"省{p}市{c}县{k}镇{t}卫生院", division=f"{kcode}/镇{t}")
                    rel(wid, "LOCATED_IN", tid)
                    hospitals.append(wid)
    big = []
    for p, pid in enumerate(provinces):
        for i in range(max(1, round(12 * scale))):
            hid = f"Hospital/{11 + p:02d}0000/省级医院{i}"
            add(hid, "Hospital", f"省{p}第{i}人民医院", division=f"{11 + p:02d}0000")
            rel(hid, "LOCATED_IN", pid)
            big.append(hid)
        aid = f"Agency/{11 + p:02d}0000/卫生健康委员会"
        add(aid, "Agency", f"省{p}卫生健康委员会", division=f"{11 + p:02d}0000")
        for j in range(3):
            prog = f"Program/省{p}计划{j}"
            add(prog, "Program", f"省{p}第{j}号计划")
            rel(aid, "RUNS", prog)
    for i, hid in enumerate(big):
        for _ in range(6):
            target = rnd.choice(hospitals if rnd.random() < 0.7 else counties)
            rel(hid, rnd.choice(["SUPPORTS", "SUPPORTS", "MANAGES"]), target, k=rnd.randint(1, 2),
                since=f"20{rnd.randint(15, 24)}", quantities=[
                    {"kind": "experts", "value": rnd.randint(1, 30), "unit": "名", "text": "专家"}])
        for _ in range(2):
            other = rnd.choice(counties + hospitals)
            a, b = (hid, other) if rnd.random() < 0.5 else (other, hid)
            rel(a, "PARTNERS_WITH", b)
    for kid in counties[:: max(1, int(4 / scale) if scale < 1 else 4)]:
        alliance = f"Alliance/{kid}/医共体"
        add(alliance, "Alliance", f"{g.entities[kid].name}医共体")
        lead = f"Hospital/{kid.split('/')[1]}/人民医院"
        rel(lead, "LEADS", alliance)
        for t in range(3):
            rel(f"Hospital/{kid.split('/')[1]}/镇{t}/卫生院", "MEMBER_OF", alliance)
    for d in range(n_docs):
        doc = f"doc{d:06d}.txt"
        g.documents[doc] = {"id": doc, "path": f"corpus/{doc}", "title": f"第{d}篇", "published": "2024-05-31"}
    return g


def graph_with(triples: int, seed: int = 0) -> tuple[KnowledgeGraph, str, float]:
    """The synthetic graph scaled to at least ``triples`` triples, its N-Triples, and the scale.

    The size grows linearly with the scale: one small probe fixes the slope.
    """
    probe = 0.02
    per_scale = _count(synthetic_graph(probe, seed)) / probe
    scale = max(probe, triples / per_scale * 1.01)
    while True:
        g = synthetic_graph(scale, seed)
        nt = "".join(dict.fromkeys(rdf.ntriples_lines(g)))
        n = nt.count("\n")
        if n >= triples:
            return g, nt, scale
        scale *= triples / n * 1.02


def _count(g: KnowledgeGraph) -> int:
    return len(set(rdf.ntriples_lines(g)))


def cases(graph: KnowledgeGraph) -> list[tuple[str, str, dict | None]]:
    """Every example query, with bindings (as kg.params makes them) for the ones about one
    entity or edge."""
    busy = max((r for r in graph.relations.values() if r.type in ("SUPPORTS", "MANAGES")),
               key=lambda r: len(r.evidence))
    out = []
    for name, given in (("supports_county", {}), ("partners_of", {"name": busy.source}),
                        ("flows", {}), ("programs", {}),
                        ("evidence_for_edge", {"source": busy.source, "target": busy.target})):
        text = _q(name)
        out.append((name, text, prepare(text, given, "sparql", lambda: graph) or None))
    return out


def _q(name: str) -> str:
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# -- rdflib, in child processes so a slow query can be stopped -----------------------------------
def _rdflib_child(nt: str, query: str | None, conn) -> None:
    import rdflib

    t0 = time.perf_counter()
    g = rdflib.Graph()
    g.parse(data=nt, format="nt")
    load = time.perf_counter() - t0
    rows = None
    t1 = time.perf_counter()
    if query is not None:
        rows = len(list(g.query(query, initNs=rdf.PREFIXES)))
    conn.send({"load_s": load, "query_s": time.perf_counter() - t1 if query else None,
               "rows": rows, "triples": len(g)})


def rdflib_run(nt: str, query: str | None, timeout: float) -> dict:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rdflib_child, args=(nt, query, child))
    proc.start()
    try:
        if parent.poll(timeout):
            return parent.recv()
        return {"timeout_s": timeout}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--subset-triples", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rdflib-timeout", type=float, default=60.0)
    ap.add_argument("--keep", help="Keep the store in this folder instead of a temp dir.")
    args = ap.parse_args()

    out: dict = {"triples": None, "store_load_s": None, "queries": {}, "subset": {"queries": {}}}
    t0 = time.perf_counter()
    graph, _, scale = graph_with(args.triples)
    out["graph_build_s"] = round(time.perf_counter() - t0, 3)  # incl. sizing the graph
    out["scale"] = round(scale, 3)
    out["entities"], out["relations"] = len(graph.entities), len(graph.relations)
    t_nt, nt = timed(lambda: rdf.to_ntriples(graph))
    out["ntriples_s"] = round(t_nt, 3)
    out["triples"] = len(set(nt.splitlines()))
    out["ntriples_mb"] = round(len(nt.encode("utf-8")) / 1e6, 1)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kg-bench-sparql-"))
    store = None
    try:
        t_load, _ = timed(lambda: rdf.write_store(nt, work))
        out["store_load_s"] = round(t_load, 3)
        out["store_load_triples_per_s"] = round(out["triples"] / t_load)
        t_open, store = timed(lambda: rdf.open_store(work))
        out["store_open_s"] = round(t_open, 4)
        out["store_triples"] = len(store)
        for name, text, bindings in cases(graph):
            lat, rows = timed(lambda: sparql(store, text, bindings=bindings), args.repeat)
            out["queries"][name] = {"median_ms": round(lat * 1000, 1), "rows": len(rows)}
        cold, _ = timed(lambda: sparql(work, _q("partners_of"), bindings=cases(graph)[1][2]))
        out["cli_style_query_with_store_open_ms"] = round(cold * 1000, 1)
    finally:
        del store
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    # the same queries on a ~100k subset: rdflib vs Oxigraph (in memory)
    sub_graph, sub_nt, _ = graph_with(args.subset_triples)
    sub = out["subset"]
    sub["triples"] = len(set(sub_nt.splitlines()))
    t_ox_load, sub_store = timed(lambda: rdf.to_store(sub_graph))
    sub["load"] = {}
    base = rdflib_run(sub_nt, None, args.rdflib_timeout)
    sub["load"] = {"oxigraph_s": round(t_ox_load, 3), "rdflib_s": _r(base.get("load_s")),
                   "ratio": _ratio(base.get("load_s"), t_ox_load)}
    for name, text, bindings in cases(sub_graph):
        bound = bind_values(text, bindings)
        t_ox, rows = timed(lambda: sparql(sub_store, bound), args.repeat)
        res = rdflib_run(sub_nt, "\n".join(f"PREFIX {k}: <{v}>" for k, v in rdf.PREFIXES.items())
                         + "\n" + bound, args.rdflib_timeout + (base.get("load_s") or 0))
        entry = {"oxigraph_ms": round(t_ox * 1000, 2), "rows": len(rows)}
        if "timeout_s" in res:
            entry.update(rdflib_ms=None, rdflib_timeout_s=args.rdflib_timeout,
                         ratio_at_least=round(args.rdflib_timeout / t_ox))
        else:
            entry.update(rdflib_ms=round(res["query_s"] * 1000, 1), rdflib_rows=res["rows"],
                         ratio=_ratio(res["query_s"], t_ox))
        sub["queries"][name] = entry
    print(json.dumps(out, ensure_ascii=False, indent=1))


def _r(v):
    return None if v is None else round(v, 3)


def _ratio(slow, fast):
    return None if not slow or not fast else round(slow / fast, 1)


if __name__ == "__main__":
    main()
