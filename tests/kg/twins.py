"""The example queries (examples/queries/NAME.rq and NAME.cypher) and the `kg ask` question
each one is the twin of: how to run each through Python, the CLI, SPARQL and Cypher, and how
to compare what they return (lists from Python and Cypher, joined strings from SPARQL)."""
from __future__ import annotations

from pathlib import Path

from kg.graph import KnowledgeGraph
from kg.params import prepare

QUERIES = Path(__file__).resolve().parents[2] / "examples" / "queries"

#: twin → (kg ask subcommand, its arguments, its options) for the twin's parameters.
ASK = {
    "supports_county": ("supports", (), {"county": "--county", "province": "--province",
                                         "supporter": "--supporter", "level": "--level"}),
    "partners_of": ("partners", ("name",), {}),
    "flows": ("flows", (), {"level": "--level"}),
    "programs": ("programs", (), {"region": "--region"}),
    "evidence_for_edge": ("evidence", ("source", "target"), {"relation": "--relation"}),
}


def twins() -> list[str]:
    """Every example query that comes as a .rq and a .cypher."""
    return sorted({p.stem for p in QUERIES.glob("*.rq")} | {p.name.split(".")[0]
                                                           for p in QUERIES.glob("*.cypher")})


def text(twin: str, lang: str, engine: str = "ladybug") -> str:
    if lang == "sparql":
        return (QUERIES / f"{twin}.rq").read_text(encoding="utf-8")
    from kg.cypher import load_query

    return load_query(QUERIES / f"{twin}.cypher", engine)


def python(graph: KnowledgeGraph, twin: str, params: dict):
    """The Python helper's answer (Rows in their default view)."""
    p = {k: v for k, v in params.items() if v not in (None, "")}
    if twin == "supports_county":
        return graph.supports(**p)
    if twin == "partners_of":
        return graph.partners(p["name"])
    if twin == "flows":
        return graph.flows(level=p.get("level", "province"))
    if twin == "programs":
        return graph.programs(region=p.get("region"))
    if twin == "evidence_for_edge":
        return graph.evidence(p["source"], p["target"], relation=p.get("relation"))
    raise KeyError(f"no kg ask twin known for {twin}: add it to tests/kg/twins.py")


def ask_args(twin: str, params: dict) -> list[str]:
    """`kg ask …` arguments asking the same question as ``twin`` with ``params``."""
    cmd, positional, options = ASK[twin]
    args = [cmd] + [str(params[p]) for p in positional]
    for p, flag in options.items():
        if params.get(p) not in (None, ""):
            args += [flag, str(params[p])]
    return args


def sparql_rows(target, twin: str, graph: KnowledgeGraph, params: dict):
    from kg.sparql import sparql

    q = text(twin, "sparql")
    return sparql(target, q, bindings=prepare(q, _given(params), "sparql", lambda: graph))


def cypher_rows(graph_dir, twin: str, graph: KnowledgeGraph, params: dict):
    from kg.cypher import query_embedded

    q = text(twin, "cypher")
    return query_embedded(graph_dir, q, prepare(q, _given(params), "cypher", lambda: graph))


def _given(params: dict) -> dict:
    return {k: v for k, v in params.items() if v not in (None, "")}


def cell(v):
    """One value as every engine can give it: lists joined with "," (SPARQL's GROUP_CONCAT),
    "" for nothing, whole floats as ints (13.0 from a DOUBLE column is 13)."""
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def normal(rows, columns: list[str] | None = None) -> list[tuple]:
    """Rows (Rows, or dicts from JSON) as tuples of comparable cells, in their order."""
    recs = rows.records() if hasattr(rows, "records") else rows
    cols = columns or (rows.columns if hasattr(rows, "columns") else list(recs[0]) if recs else [])
    return [tuple(cell(r.get(c)) for c in cols) for r in recs]


def cases(graph: KnowledgeGraph, n: int = 3) -> list[tuple[str, dict]]:
    """Parameters for every twin drawn from a graph itself (as ids, which any graph has): no
    parameters, each level, and a few of the regions, supporters, partners and edges in it."""
    from kg.model import PARTNERSHIP_TYPES, REGION_TYPES

    def some(xs):
        xs = sorted(set(xs))
        return xs[:n] + xs[-n:] if len(xs) > 2 * n else xs

    ents = graph.entities
    rels = [r for r in graph.relations.values() if r.source in ents and r.target in ents]
    regions = some(e.id for e in ents.values() if e.type in REGION_TYPES)
    supporters = some(r.source for r in rels if r.type in ("SUPPORTS", "MANAGES"))
    partners = some(x for r in rels if r.type in PARTNERSHIP_TYPES for x in (r.source, r.target))
    edges = some((r.source, r.target) for r in rels if r.evidence)
    out = [("supports_county", {}), ("flows", {}), ("programs", {})]
    out += [("supports_county", {"level": lv}) for lv in ("county", "city", "province")]
    out += [("flows", {"level": lv}) for lv in ("county", "city", "province")]
    out += [("supports_county", {"county": x}) for x in regions]
    out += [("supports_county", {"supporter": x, "level": "county"}) for x in supporters]
    out += [("programs", {"region": x}) for x in regions]
    out += [("partners_of", {"name": x}) for x in partners]
    out += [("evidence_for_edge", {"source": a, "target": b}) for a, b in edges]
    out += [("evidence_for_edge", {"source": a, "target": b, "relation": "LOCATED_IN"})
            for a, b in edges[:n]]
    return out


def same_as_python(graph: KnowledgeGraph, run) -> int:
    """Run every twin through ``run(twin, params)`` with parameters drawn from the graph; each
    must give the Python helper's columns and rows, in its order. Returns how many had rows.
    (A Bolt server may send no column names with an empty result: ArcadeDB does.)"""
    found = 0
    for twin, params in cases(graph):
        py = python(graph, twin, params)
        got = run(twin, params)
        if got.columns or got:
            assert got.columns == py.columns, twin
        assert normal(got) == normal(py), (twin, params)
        found += bool(py)
    return found
