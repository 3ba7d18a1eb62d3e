"""The graph as a property graph, and the embedded Cypher database `kg cypher` queries.

One property-graph form (:func:`property_graph`) feeds every Cypher target, so the
embedded ladybug database, a Neo4j/ArcadeDB push (kg.neo4j) and the neo4j-admin CSV
export hold the same nodes, relationships and typed properties:

* one node per entity, labelled with its type (plus ``Entity`` on Bolt servers);
* a relationship per graph edge, carrying the edge's attributes and an evidence
  summary (``evidence_count``, ``first_doc``, ``confidence``, ``documents``) and an
  ``edge_key`` that names the edge;
* an ``Evidence`` node per piece of evidence with the same ``edge_key`` (relationships
  cannot point at relationships), ``(:Evidence)-[:FOUND_IN]->(:Document)`` and
  ``(entity)-[:MENTIONED_IN {mentions}]->(:Document)``.

The embedded database (``graph.lbug`` next to graph.json) is written by
:func:`write_cypher_db` with ladybug's bulk ``COPY FROM`` into declared tables, into a
temporary file that replaces the old one only once it is complete.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import gc
import hashlib
import json
from json.encoder import encode_basestring as _json_str
import os
import re
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .errors import GraphNotFoundError, QueryError
from .graph import KnowledgeGraph
from .model import ENTITY_TYPES, RELATION_TYPES
from .query import Rows

DB_NAME = "graph.lbug"
#: Relationship types that link entities to where they were read.
LINK_TYPES = ("MENTIONED_IN", "FOUND_IN")
NODE_LABELS = ENTITY_TYPES + ("Document", "Evidence")
REL_TYPES = RELATION_TYPES + LINK_TYPES
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Properties every node/relationship of a kind has, with their column types.
ENTITY_CORE = {"id": "STRING", "type": "STRING", "name": "STRING", "aliases": "STRING[]",
               "code": "STRING", "region": "STRING", "lon": "DOUBLE", "lat": "DOUBLE",
               "support_unit": "STRING", "province": "STRING", "city_unit": "STRING",
               "county_unit": "STRING", "within": "STRING[]", "mentions": "INT64"}
DOCUMENT_CORE = {"id": "STRING", "path": "STRING", "title": "STRING", "published": "STRING",
                 "source": "STRING", "author": "STRING", "url": "STRING", "spun": "BOOLEAN",
                 "label": "STRING"}
EVIDENCE_CORE = {"id": "STRING", "edge_key": "STRING", "source": "STRING", "relation": "STRING",
                 "target": "STRING", "doc": "STRING", "sentence": "STRING", "start": "INT64",
                 "end": "INT64", "rule": "STRING", "confidence": "DOUBLE", "published": "STRING",
                 "path": "STRING"}
RELATION_CORE = {"kind": "STRING", "edge_key": "STRING", "evidence_count": "INT64",
                 "first_doc": "STRING", "confidence": "DOUBLE", "documents": "STRING[]",
                 "quantities": "STRING", "since": "STRING", "until": "STRING", "as_of": "STRING",
                 "experts": "INT64", "money": "INT64"}  # DOUBLE when a figure is fractional
MENTION_CORE = {"mentions": "INT64"}


def check_label(name: str) -> str:
    """Return ``name`` if it is one of the schema's labels or relationship types, else raise.

    Cypher cannot take labels as parameters, so they are put into query text; only
    names from this fixed whitelist ever are.
    """
    if name in NODE_LABELS or name in REL_TYPES or name == "Entity":
        return name
    raise ValueError(f"not a label or relationship type of the schema: {name!r}")


def edge_key(source: str, rtype: str, target: str) -> str:
    """The readable, unambiguous name of an edge, shared by the edge and its Evidence nodes.

    The JSON array ``["src","TYPE","dst"]`` (what ``json.dumps(..., ensure_ascii=False,
    separators=(",", ":"))`` writes, built from the C string encoder: 4x faster).
    """
    return f"[{_json_str(source)},{_json_str(rtype)},{_json_str(target)}]"


def evidence_id(key: str, doc: str, start: int, end: int, rule: str) -> str:
    raw = json.dumps([key, doc, start, end, rule], ensure_ascii=False)
    return "ev/" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:24]


# -- typed properties -----------------------------------------------------------------
def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, int):
        return "INT64"
    if isinstance(v, float):
        return "DOUBLE"
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, (list, tuple, set)) and all(isinstance(x, str) for x in v):
        return "STRING[]"
    return "JSON"


def column_type(values: Iterable[Any]) -> str:
    """One column type for every value a property takes (numbers widen, the rest become text)."""
    kinds = {_kind(v) for v in values if v is not None}
    if not kinds:
        return "STRING"
    if len(kinds) == 1:
        k = kinds.pop()
        return "STRING" if k == "JSON" else k
    if kinds <= {"INT64", "DOUBLE"}:
        return "DOUBLE"
    return "STRING"


def _to_string(v: Any) -> str:
    if isinstance(v, bool):
        return json.dumps(v)
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def _to_strings(v: Any) -> list[str]:
    if type(v) is list and all(type(x) is str for x in v):
        return v
    return sorted(str(x) for x in v) if isinstance(v, (set, frozenset)) else [str(x) for x in v]


#: Converters per column type: a value in the form its column stores (values of the type pass as they are).
_CONVERTERS = {
    "STRING": lambda v: v if type(v) is str else _to_string(v),
    "DOUBLE": lambda v: v if type(v) is float else float(v),
    "INT64": lambda v: v if type(v) is int else int(v),
    "BOOLEAN": bool,
    "STRING[]": _to_strings,
}


def _typer(cols: dict[str, str]):
    """A function turning a raw record into a typed one with exactly ``cols``."""
    conv = [(k, _CONVERTERS[t]) for k, t in cols.items()]

    def typed(rec: dict) -> dict:
        out = {}
        for k, f in conv:
            v = rec.get(k)
            out[k] = None if v is None else f(v)
        return out

    return typed


def _extra_columns(records: list[dict], core: dict[str, str]) -> dict[str, str]:
    """Column types for the free-form keys of ``records`` (names that are not identifiers are dropped)."""
    seen: dict[str, list] = {}
    for rec in records:
        for k, v in rec.items():
            if k not in core and _IDENT.match(k):
                seen.setdefault(k, []).append(v)
    return {k: column_type(vs) for k, vs in sorted(seen.items())}


# -- the property graph ---------------------------------------------------------------
@dataclass
class PropertyGraph:
    """The knowledge graph as typed node and relationship rows, ready for any Cypher store.

    ``columns`` maps ``Entity``, ``Document``, ``Evidence``, ``Relation`` (entity-entity
    relationships of every type) and ``MENTIONED_IN``/``FOUND_IN`` to ``{property: type}``.
    Relationship rows are ``{"src", "dst", "type", "props"}``.
    """

    entities: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    relations: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    found_in: list[dict] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return len(self.entities) + len(self.documents) + len(self.evidence)

    @property
    def relationship_count(self) -> int:
        return len(self.relations) + len(self.mentions) + len(self.found_in)


@contextmanager
def no_gc():
    """Pause the cyclic garbage collector while building millions of small acyclic dicts.

    Its passes cost a third of :func:`property_graph`'s time on a 100k/300k graph.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def property_graph(graph: KnowledgeGraph) -> PropertyGraph:
    """Typed rows for every node and relationship of the graph (see the module docstring)."""
    with no_gc():
        return _property_graph(graph)


def _property_graph(graph: KnowledgeGraph) -> PropertyGraph:
    from .query import largest_figure, placements, source_label

    pg = PropertyGraph()
    places = placements(graph)

    raw_entities = []
    for e in sorted(graph.entities.values(), key=lambda x: x.id):
        rec = {k: v for k, v in e.attrs.items() if k not in ENTITY_CORE}
        at = places[e.id]
        rec.update(id=e.id, type=e.type, name=e.name, aliases=sorted(e.aliases),
                   code=e.attrs.get("code"), region=e.attrs.get("region") or at.region or None,
                   lon=e.attrs.get("lon"), lat=e.attrs.get("lat"), support_unit=at.support_unit,
                   province=at.province, city_unit=at.city, county_unit=at.county,
                   within=at.within, mentions=sum(e.mentions.values()))
        raw_entities.append(rec)
        for doc, n in sorted(e.mentions.items()):
            pg.mentions.append({"src": e.id, "dst": doc, "type": "MENTIONED_IN",
                                "props": {"mentions": int(n)}})

    raw_docs = {d: dict(meta) for d, meta in graph.documents.items()}
    raw_relations, raw_evidence = [], {}
    for r in sorted(graph.relations.values(), key=lambda x: x.key):
        if r.source not in graph.entities or r.target not in graph.entities:
            continue
        key = edge_key(*r.key)
        evs = sorted(r.evidence, key=lambda x: (x.published or "9999", x.doc, x.start))
        rec = {k: v for k, v in r.attrs.items() if k not in RELATION_CORE}
        rec.update(kind=r.type, edge_key=key, evidence_count=len(r.evidence),
                   first_doc=evs[0].doc if evs else None, confidence=r.confidence,
                   documents=sorted({x.doc for x in r.evidence}),
                   quantities=r.attrs.get("quantities") or None,
                   experts=largest_figure([r], "experts"), money=largest_figure([r], "money"),
                   **{k: _text(r.attrs.get(k)) for k in ("since", "until", "as_of")})
        raw_relations.append({"src": r.source, "dst": r.target, "type": r.type, "props": rec})
        for ev in r.evidence:
            eid = evidence_id(key, ev.doc, ev.start, ev.end, ev.rule)
            raw_evidence.setdefault(eid, {
                "id": eid, "edge_key": key, "source": r.source, "relation": r.type,
                "target": r.target, "doc": ev.doc, "sentence": ev.sentence, "start": ev.start,
                "end": ev.end, "rule": ev.rule, "confidence": ev.confidence,
                "published": ev.published, "path": ev.path})
            d = raw_docs.setdefault(ev.doc, {"id": ev.doc})
            for k in ("path", "published"):  # as kg.rdf: what the evidence knows of its article
                if not d.get(k) and getattr(ev, k):
                    d[k] = getattr(ev, k)
    for m in pg.mentions:
        raw_docs.setdefault(m["dst"], {"id": m["dst"]})
    for d, rec in raw_docs.items():
        rec["id"] = d
        rec["label"] = source_label(d, rec.get("title"), rec.get("published"))

    ent_cols = dict(ENTITY_CORE, **_extra_columns(raw_entities, ENTITY_CORE))
    doc_cols = dict(DOCUMENT_CORE, **_extra_columns(list(raw_docs.values()), DOCUMENT_CORE))
    rel_cols = dict(RELATION_CORE, **_extra_columns([x["props"] for x in raw_relations], RELATION_CORE))
    for k in ("experts", "money"):  # whole numbers stay whole, as in Python and SPARQL
        figures = [x["props"][k] for x in raw_relations if x["props"][k] is not None]
        if figures:
            rel_cols[k] = column_type(figures)
    pg.columns = {"Entity": ent_cols, "Document": doc_cols, "Evidence": dict(EVIDENCE_CORE),
                  "Relation": rel_cols, "MENTIONED_IN": dict(MENTION_CORE), "FOUND_IN": {}}

    ent_t, doc_t, ev_t, rel_t = _typer(ent_cols), _typer(doc_cols), _typer(EVIDENCE_CORE), _typer(rel_cols)
    pg.entities = [ent_t(x) for x in raw_entities]
    pg.documents = [doc_t(raw_docs[d]) for d in sorted(raw_docs)]
    pg.evidence = [ev_t(x) for x in raw_evidence.values()]
    for x in raw_relations:
        x["props"] = rel_t(x["props"])
    pg.relations = raw_relations
    pg.found_in = [{"src": x["id"], "dst": x["doc"], "type": "FOUND_IN", "props": {}}
                   for x in raw_evidence.values()]
    return pg


def _text(v: Any) -> str | None:
    """A date-ish attribute as the string every engine compares (2019 → "2019")."""
    return None if v in (None, "") else str(v)


# -- the embedded database (ladybug) --------------------------------------------------
def _q(name: str) -> str:
    """A backtick-quoted identifier (names come from the schema or pass the identifier check)."""
    if not _IDENT.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return f"`{name}`"


def ladybug_ddl(pg: PropertyGraph) -> list[str]:
    """CREATE statements for every node and relationship table of the schema.

    Every entity type and relationship type gets a table even when the graph has none,
    so any query over the schema binds. A relationship table declares the (from, to)
    type pairs the graph has (a pattern over an undeclared pair just matches nothing;
    declaring all 121 pairs of every table made a five-article database 10 MB).
    """
    def cols(spec: dict[str, str]) -> str:
        return ", ".join(f"{_q(k)} {t}" for k, t in spec.items())

    etype = {e["id"]: e["type"] for e in pg.entities}
    pairs: dict[str, set[tuple[str, str]]] = {t: set() for t in RELATION_TYPES}
    for r in pg.relations:
        pairs[r["type"]].add((etype[r["src"]], etype[r["dst"]]))
    out = []
    for label in ENTITY_TYPES:
        out.append(f"CREATE NODE TABLE {label}({cols(pg.columns['Entity'])}, PRIMARY KEY (id))")
    out.append(f"CREATE NODE TABLE Document({cols(pg.columns['Document'])}, PRIMARY KEY (id))")
    out.append(f"CREATE NODE TABLE Evidence({cols(pg.columns['Evidence'])}, PRIMARY KEY (id))")
    for rtype in RELATION_TYPES:
        have = sorted(pairs[rtype]) or [("Hospital", "County")]
        decl = ", ".join(f"FROM {check_label(a)} TO {check_label(b)}" for a, b in have)
        out.append(f"CREATE REL TABLE {rtype}({decl}, {cols(pg.columns['Relation'])})")
    to_doc = ", ".join(f"FROM {a} TO Document" for a in ENTITY_TYPES)
    out.append(f"CREATE REL TABLE MENTIONED_IN({to_doc}, {cols(pg.columns['MENTIONED_IN'])})")
    out.append("CREATE REL TABLE FOUND_IN(FROM Evidence TO Document)")
    return out


def _frame(rows: list[dict], columns: list[str]):
    """A pandas DataFrame of object columns (ladybug's scan reads None as NULL only there)."""
    import pandas as pd

    data = {c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns}
    return pd.DataFrame(data, columns=columns)


def _copy(conn, table: str, frame, options: str = "") -> None:
    # ladybug finds the DataFrame by its variable name in the calling frame.
    df = frame  # noqa: F841
    conn.execute(f"COPY {table} FROM df{options}")


def _load_ladybug(conn, pg: PropertyGraph) -> None:
    ent_cols = list(pg.columns["Entity"])
    by_type: dict[str, list[dict]] = {}
    for e in pg.entities:
        by_type.setdefault(check_label(e["type"]), []).append(e)
    for label, rows in by_type.items():
        _copy(conn, label, _frame(rows, ent_cols))
    if pg.documents:
        _copy(conn, "Document", _frame(pg.documents, list(pg.columns["Document"])))
    if pg.evidence:
        _copy(conn, "Evidence", _frame(pg.evidence, list(pg.columns["Evidence"])))

    etype = {e["id"]: e["type"] for e in pg.entities}
    rel_cols = list(pg.columns["Relation"])
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for r in pg.relations:
        groups.setdefault((check_label(r["type"]), etype[r["src"]], etype[r["dst"]]), []).append(
            {"from": r["src"], "to": r["dst"], **r["props"]})
    for (rtype, a, b), rows in sorted(groups.items()):
        _copy(conn, rtype, _frame(rows, ["from", "to"] + rel_cols), f" (from='{a}', to='{b}')")
    mgroups: dict[str, list[dict]] = {}
    for m in pg.mentions:
        mgroups.setdefault(etype[m["src"]], []).append({"from": m["src"], "to": m["dst"], **m["props"]})
    for a, rows in sorted(mgroups.items()):
        _copy(conn, "MENTIONED_IN", _frame(rows, ["from", "to", "mentions"]),
              f" (from='{a}', to='Document')")
    if pg.found_in:
        _copy(conn, "FOUND_IN", _frame([{"from": x["src"], "to": x["dst"]} for x in pg.found_in],
                                       ["from", "to"]))


def _sidecars(path: Path) -> list[Path]:
    return [p for p in path.parent.glob(path.name + ".*") if p.name != path.name]


def write_cypher_db(graph: KnowledgeGraph, out_dir: str | os.PathLike) -> Path:
    """Write the embedded Cypher database ``OUT/graph.lbug`` that `kg cypher` queries.

    Built in a temporary folder next to it and renamed over the old file only when
    complete, so an interrupted build leaves the previous database usable.
    """
    import ladybug as lb

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    final = out / DB_NAME
    pg = property_graph(graph)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{DB_NAME}.", dir=out))
    try:
        tmp = tmpdir / DB_NAME
        # One checkpoint at the end: with auto-checkpoints every COPY paid ~30 ms.
        db = lb.Database(str(tmp), auto_checkpoint=False)
        conn = lb.Connection(db)
        try:
            for stmt in ladybug_ddl(pg):
                conn.execute(stmt)
            _load_ladybug(conn, pg)
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
            db.close()
        if final.is_dir():
            shutil.rmtree(final)
        for stale in _sidecars(final):  # a WAL of the old file must not replay into the new one
            stale.unlink()
        os.replace(tmp, final)
        for extra in _sidecars(tmp):
            os.replace(extra, out / (DB_NAME + extra.name[len(DB_NAME):]))
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return final


# -- running queries ------------------------------------------------------------------
WRITE_WORDS = ("CREATE", "MERGE", "SET", "DELETE", "REMOVE", "DROP", "COPY", "LOAD", "ALTER",
               "INSTALL", "IMPORT", "EXPORT", "ATTACH", "FOREACH")
#: Cypher's tokens, as far as read-only checks need them. Agrees with the lexers of Neo4j 5,
#: ArcadeDB and ladybug (openCypher): a line comment ends at CR or LF only (not at U+2028,
#: U+0085 …); block comments do not nest; a backslash escapes the next character inside a
#: string; a doubled backtick stays inside a quoted name; a number ends where a letter starts
#: (``1DELETE`` is ``1`` then ``DELETE``). Anything unterminated is left as code, so a
#: lexer that disagrees can only make the check stricter.
_TOKEN_RE = re.compile(r"""
    (?P<literal>
        '(?:[^'\\]|\\.)*'                 # single-quoted string
      | "(?:[^"\\]|\\.)*"                 # double-quoted string
      | `(?:[^`]|``)*`                    # quoted name
    )
  | (?P<comment>//[^\r\n]*|/\*.*?\*/)
  | (?P<number>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<semicolon>;)
""", re.VERBOSE | re.DOTALL)


def _tokens(query: str):
    """(kind, match) for the literals, numbers, words and semicolons of a query, in order."""
    for m in _TOKEN_RE.finditer(query):
        yield m.lastgroup, m


def strip_literals(query: str) -> str:
    """The query with strings, quoted identifiers and comments blanked out."""
    return _map_code(query, lambda code: code, literal=" ")


def write_clauses(query: str) -> list[str]:
    """Write keywords in a query (outside strings and comments), upper-cased, in order.

    A word right after ``.`` (a property) or ``$`` (a parameter) is a name, not a keyword.
    """
    out = []
    for kind, m in _tokens(query):
        word = m.group(0).upper()
        if kind == "word" and word in WRITE_WORDS and query[m.start() - 1:m.start()] not in (".", "$"):
            out.append(word)
    return out


def statement_count(query: str) -> int:
    """How many statements the query holds (``;`` separates them; a trailing one ends the last)."""
    n, open_ = 0, False
    for kind, _ in _tokens(query):
        if kind == "semicolon":
            n, open_ = n + open_, False
        elif kind != "comment":
            open_ = True
    return n + open_


def check_read_only(query: str, where: str) -> None:
    """Raise QueryError if the query would write (or runs several statements) and the caller
    did not ask to write.

    This is the first guard, on the text; the engines have the last word: a Bolt server runs
    a read in a transaction that is rolled back (:func:`kg.neo4j.query_bolt`), and the
    embedded database is opened read-only.
    """
    found = write_clauses(query)
    if found:
        raise QueryError(f"{where}: the query writes ({', '.join(dict.fromkeys(found))}); "
                         f"add --write to run it, or remove the write clause")
    if statement_count(query) > 1:
        raise QueryError(f"{where}: the query holds {statement_count(query)} statements separated by ';'; "
                         f"a read runs one statement at a time")


def _map_code(query: str, fn, literal: str | None = None) -> str:
    """Apply ``fn`` to the parts of a query outside strings, quoted names and comments
    (which are kept, or replaced by ``literal`` when given)."""
    out, pos = [], 0
    for kind, m in _tokens(query):
        if kind not in ("literal", "comment"):
            continue
        out.append(fn(query[pos:m.start()]))
        out.append(m.group(0) if literal is None else literal)
        pos = m.end()
    out.append(fn(query[pos:]))
    return "".join(out)


_ENTITY_UNION = ":" + ":".join(ENTITY_TYPES)


def _drop_entity_label(code: str) -> str:
    code = re.sub(r":Entity((?::\w+)+)", r"\1", code)  # (n:Entity:Hospital) -> (n:Hospital)
    code = re.sub(r"((?::\w+)+):Entity\b", r"\1", code)  # (n:Hospital:Entity) -> (n:Hospital)
    return re.sub(r":Entity\b", _ENTITY_UNION, code)  # (n:Entity) -> any entity table


def for_engine(query: str, engine: str) -> str:
    """Query text written for Neo4j, adapted to ``engine`` ("ladybug" or "bolt").

    ladybug has one label per node and no common ``Entity`` label, but a node pattern may
    list several tables and then matches any of them: ``(n:Entity)`` becomes
    ``(n:Province:City:…:Policy)`` and ``(n:Entity:Hospital)`` becomes ``(n:Hospital)``.
    Nothing inside strings or comments changes.
    """
    if engine != "ladybug":
        return query
    return _map_code(query, _drop_entity_label)


def load_query(path: str | os.PathLike, engine: str) -> str:
    """A query file's text for ``engine``: its ``NAME.ENGINE.cypher`` variant if there is one."""
    p = engine_query_file(path, engine)
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read the query file ({exc.strerror})") from exc


def parse_params(pairs: Iterable[str]) -> dict[str, Any]:
    """``name=value`` strings → parameters; a value that parses as JSON is taken as JSON."""
    out: dict[str, Any] = {}
    for p in pairs:
        name, sep, value = p.partition("=")
        if not sep or not _IDENT.match(name.strip()):
            raise QueryError(f"parameter {_short(p, 60)!r}: write it as name=value (e.g. -p county=阳山县)")
        try:
            out[name.strip()] = json.loads(value)
        except ValueError:
            out[name.strip()] = value
        except RecursionError:
            raise QueryError(f"parameter {name.strip()!r}: the value nests too deeply to read "
                             f"(more than {sys.getrecursionlimit()} levels of brackets)") from None
    return out


def engine_query_file(path: str | os.PathLike, engine: str) -> Path:
    """The per-engine variant ``NAME.ENGINE.cypher`` of ``NAME.cypher`` when one exists, else the file."""
    p = Path(path)
    stem = p.name[: -len(".cypher")] if p.name.endswith(".cypher") else None
    if stem and "." not in stem:
        variant = p.with_name(f"{stem}.{engine}.cypher")
        if variant.is_file():
            return variant
    return p


def plain(v: Any) -> Any:
    """A query result value as plain JSON-able Python (nodes and relationships as property maps)."""
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (_dt.date, _dt.datetime, _dt.time)):
        return v.isoformat()
    if isinstance(v, _dt.timedelta):
        return str(v)
    if isinstance(v, dict):
        if "_LABEL" in v and ("_ID" in v or "_SRC" in v):  # a ladybug node or relationship
            out = {"_label": v["_LABEL"]}
            out.update({k: plain(x) for k, x in v.items() if not k.startswith("_") and x is not None})
            return out
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


class CypherDbNotFound(GraphNotFoundError):
    """The graph folder has no embedded Cypher database."""

    def __init__(self, directory: str):
        self.directory = directory
        Exception.__init__(self, f"{directory}: no Cypher database here ({DB_NAME} missing); "
                                 f"run `kg build INPUT -o {directory}` first")


#: Why the embedded stores take no writes (shared with kg.sparql).
DERIVED_STORE = ("is derived from graph.json and rewritten by `kg build`, so an edit would make it "
                 "disagree with `kg ask` and survive only until the next rebuild; it is opened read-only")


def query_embedded(graph_dir: str | os.PathLike, query: str, params: dict | None = None) -> Rows:
    """Run a read-only Cypher query on the embedded database of a graph folder.

    The database is derived from graph.json (:data:`DERIVED_STORE`), so it never takes
    writes: the query must pass :func:`check_read_only` (one statement, no write clause;
    ladybug cannot tell what a statement does before running it, and its read-only mode
    still lets ``COPY … TO`` write files), and the database is opened read-only, which
    refuses every change to it.
    """
    import ladybug as lb

    path = Path(graph_dir) / DB_NAME
    check_read_only(query, str(path))
    query = for_engine(query, "ladybug")
    if not path.exists():
        raise CypherDbNotFound(str(graph_dir))
    try:
        db = lb.Database(str(path), read_only=True)
    except RuntimeError as exc:
        raise QueryError(f"{path}: cannot open the Cypher database: {_first_line(exc)}") from exc
    conn = lb.Connection(db)
    try:
        res = conn.execute(query, params or {})
        cols = res.get_column_names()
        rows = [dict(zip(cols, (plain(v) for v in row))) for row in res.get_all()]
    except RuntimeError as exc:
        raise QueryError(f"{path}: Cypher query failed: {_first_line(exc)} "
                         f"(query: {_short(query)})") from exc
    finally:
        conn.close()
        db.close()
    return Rows(rows, columns=cols)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _short(query: str, n: int = 80) -> str:
    q = " ".join(query.split())
    return q if len(q) <= n else q[: n - 1] + "…"
