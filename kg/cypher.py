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
:func:`write_cypher_db`: rows are streamed into Parquet files (pyarrow) and loaded with
ladybug's bulk ``COPY FROM`` into declared tables, into a temporary file that replaces the
old one only once it is complete; :func:`update_cypher_db` brings an earlier build's
database up to date for the records a few changed articles touched.
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
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .errors import GraphNotFoundError, QueryError
from .graph import KnowledgeGraph
from .model import ENTITY_TYPES, RELATION_TYPES
from .query import Rows

if TYPE_CHECKING:  # pragma: no cover
    from .query import Placement

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
    """The id of an Evidence node: a hash of ``json.dumps([key, doc, start, end, rule],
    ensure_ascii=False)`` (that text built from the C string encoder)."""
    raw = f"[{_json_str(key)}, {_json_str(doc)}, {int(start)}, {int(end)}, {_json_str(rule)}]"
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
    return _widest({_kind(v) for v in values if v is not None})


def _widest(kinds: set[str]) -> str:
    if not kinds:
        return "STRING"
    if len(kinds) == 1:
        k = next(iter(kinds))
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


_PY_TYPES = {"STRING": str, "DOUBLE": float, "INT64": int, "BOOLEAN": bool, "STRING[]": None}


def _typer(cols: dict[str, str]):
    """A function turning a raw record into a typed one with exactly ``cols``."""
    conv = [(k, _PY_TYPES[t], _CONVERTERS[t]) for k, t in cols.items()]

    def typed(rec: dict) -> dict:
        out = {}
        get = rec.get
        for k, pytype, f in conv:
            v = get(k)
            out[k] = v if v is None or type(v) is pytype else f(v)
        return out

    return typed


def _extra_columns(dicts: Iterable[dict], core: dict[str, str]) -> dict[str, str]:
    """Column types for the free-form keys of ``dicts`` (names that are not identifiers are dropped)."""
    seen: dict[str, set[str]] = {}
    for rec in dicts:
        for k, v in rec.items():
            if k not in core and _IDENT.match(k):
                kinds = seen.setdefault(k, set())
                if v is not None:
                    kinds.add(_kind(v))
    return {k: _widest(kinds) for k, kinds in sorted(seen.items())}


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


class PropertyRows:
    """The property graph's typed rows, made on demand from the knowledge graph (never all at once).

    ``columns`` is as :class:`PropertyGraph`'s; each method yields one table's rows in a
    stable order, all of them or only those of the given entities, relation keys or articles
    (what an incremental build rewrites). Where each entity is (support unit, province, city,
    county, the regions it stands in) comes from :func:`kg.query.placements`, stored on the
    nodes so the example queries join on it instead of re-implementing the roll-up.
    """

    def __init__(self, graph: KnowledgeGraph, places: "dict[str, Placement] | None" = None):
        from .query import largest_figure, placements

        self.graph = graph
        self.places = placements(graph) if places is None else places
        ents = graph.entities
        self.linked = [k for k in sorted(graph.relations) if k[0] in ents and k[2] in ents]
        ent_cols = dict(ENTITY_CORE, **_extra_columns((e.attrs for e in ents.values()), ENTITY_CORE))
        doc_cols = dict(DOCUMENT_CORE, **_extra_columns(graph.documents.values(), DOCUMENT_CORE))
        rel_cols = dict(RELATION_CORE, **_extra_columns(
            (graph.relations[k].attrs for k in self.linked), RELATION_CORE))
        for kind in ("experts", "money"):  # whole numbers stay whole, as in Python and SPARQL
            figures = {_kind(v) for k in self.linked if graph.relations[k].attrs.get("quantities")
                       for v in [largest_figure([graph.relations[k]], kind)] if v is not None}
            if figures:
                rel_cols[kind] = _widest(figures)
        self.columns = {"Entity": ent_cols, "Document": doc_cols, "Evidence": dict(EVIDENCE_CORE),
                        "Relation": rel_cols, "MENTIONED_IN": dict(MENTION_CORE), "FOUND_IN": {}}
        self._typed = {k: _typer(v) for k, v in self.columns.items() if v}

    def entity_type(self, eid: str) -> str:
        return self.graph.entities[eid].type

    def entities(self, only: Iterable[str] | None = None) -> Iterator[dict]:
        typed, ents = self._typed["Entity"], self.graph.entities
        for eid in sorted(ents) if only is None else sorted(e for e in only if e in ents):
            e, at = ents[eid], self.places[eid]
            rec = {k: v for k, v in e.attrs.items() if k not in ENTITY_CORE}
            rec.update(id=e.id, type=e.type, name=e.name, aliases=sorted(e.aliases),
                       code=e.attrs.get("code"), region=e.attrs.get("region") or at.region or None,
                       lon=e.attrs.get("lon"), lat=e.attrs.get("lat"), support_unit=at.support_unit,
                       province=at.province, city_unit=at.city, county_unit=at.county,
                       within=at.within, mentions=sum(e.mentions.values()))
            yield typed(rec)

    def mentions(self, entities: Iterable[str] | None = None,
                 documents: Iterable[str] | None = None) -> Iterator[dict]:
        """MENTIONED_IN rows of all entities (or of these, to these documents only)."""
        ents = self.graph.entities
        want = set(documents) if documents is not None else None
        for eid in sorted(ents) if entities is None else sorted(e for e in entities if e in ents):
            for doc, n in sorted(ents[eid].mentions.items()):
                if want is None or doc in want:
                    yield {"src": eid, "dst": doc, "type": "MENTIONED_IN", "props": {"mentions": int(n)}}

    def _keys(self, only: Iterable[tuple[str, str, str]] | None) -> list[tuple[str, str, str]]:
        if only is None:
            return self.linked
        ents = self.graph.entities
        return sorted(k for k in only if k in self.graph.relations and k[0] in ents and k[2] in ents)

    def relations(self, only: Iterable[tuple[str, str, str]] | None = None) -> Iterator[dict]:
        from .query import largest_figure

        typed = self._typed["Relation"]
        for k in self._keys(only):
            r = self.graph.relations[k]
            evs = sorted(r.evidence, key=lambda x: (x.published or "9999", x.doc, x.start))
            rec = {a: v for a, v in r.attrs.items() if a not in RELATION_CORE}
            rec.update(kind=r.type, edge_key=edge_key(*k), evidence_count=len(r.evidence),
                       first_doc=evs[0].doc if evs else None, confidence=r.confidence,
                       documents=sorted({x.doc for x in r.evidence}),
                       quantities=r.attrs.get("quantities") or None,
                       experts=largest_figure([r], "experts"), money=largest_figure([r], "money"),
                       **{a: _text(r.attrs.get(a)) for a in ("since", "until", "as_of")})
            yield {"src": r.source, "dst": r.target, "type": r.type, "props": typed(rec)}

    def evidence(self, only: Iterable[tuple[str, str, str]] | None = None,
                 documents: Iterable[str] | None = None) -> Iterator[dict]:
        """Evidence nodes of every linked relation (or of these; read in these articles),
        one per distinct piece."""
        typed = self._typed["Evidence"]
        docs = set(documents) if documents is not None else None
        for k in self._keys(only):
            key, seen = edge_key(*k), set()
            for ev in self.graph.relations[k].evidence:
                if docs is not None and ev.doc not in docs:
                    continue
                eid = evidence_id(key, ev.doc, ev.start, ev.end, ev.rule)
                if eid in seen:
                    continue
                seen.add(eid)
                yield typed({"id": eid, "edge_key": key, "source": k[0], "relation": k[1],
                             "target": k[2], "doc": ev.doc, "sentence": ev.sentence,
                             "start": ev.start, "end": ev.end, "rule": ev.rule,
                             "confidence": ev.confidence, "published": ev.published, "path": ev.path})

    def found_in(self, only: Iterable[tuple[str, str, str]] | None = None) -> Iterator[dict]:
        for ev in self.evidence(only):
            yield {"src": ev["id"], "dst": ev["doc"], "type": "FOUND_IN", "props": {}}

    def documents(self, only: Iterable[str] | None = None) -> Iterator[dict]:
        """Every article (or these): the graph's documents, then those known only from evidence
        or mentions, with path and date from the evidence where the article lacks them (as
        kg.rdf), and the label readers see (:func:`kg.query.source_label`)."""
        from .query import source_label

        g, want = self.graph, set(only) if only is not None else None
        docs = {d: dict(meta) for d, meta in g.documents.items() if want is None or d in want}
        for k in self.linked:
            for ev in g.relations[k].evidence:
                if want is not None and ev.doc not in want:
                    continue
                d = docs.setdefault(ev.doc, {"id": ev.doc})
                for f in ("path", "published"):
                    if not d.get(f) and getattr(ev, f):
                        d[f] = getattr(ev, f)
        for e in g.entities.values():
            for d in e.mentions:
                if d not in docs and (want is None or d in want):
                    docs[d] = {"id": d}
        typed = self._typed["Document"]
        for d in sorted(docs):
            rec = docs[d]
            rec["id"] = d
            rec["label"] = source_label(d, rec.get("title"), rec.get("published"))
            yield typed(rec)

    def pairs(self) -> dict[str, set[tuple[str, str]]]:
        """Relationship type → the (source type, target type) pairs the graph has."""
        ents = self.graph.entities
        out: dict[str, set[tuple[str, str]]] = {t: set() for t in RELATION_TYPES}
        for s, t, d in self.linked:
            out[t].add((ents[s].type, ents[d].type))
        return out


def property_graph(graph: KnowledgeGraph) -> PropertyGraph:
    """Typed rows for every node and relationship of the graph, as lists (see PropertyRows)."""
    with no_gc():
        rows = PropertyRows(graph)
        return PropertyGraph(entities=list(rows.entities()), documents=list(rows.documents()),
                             evidence=list(rows.evidence()), relations=list(rows.relations()),
                             mentions=list(rows.mentions()), found_in=list(rows.found_in()),
                             columns=rows.columns)


def _text(v: Any) -> str | None:
    """A date-ish attribute as the string every engine compares (2019 → "2019")."""
    return None if v in (None, "") else str(v)


# -- the embedded database (ladybug) --------------------------------------------------
def _q(name: str) -> str:
    """A backtick-quoted identifier (names come from the schema or pass the identifier check)."""
    if not _IDENT.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return f"`{name}`"


def ladybug_schema(rows: PropertyRows, before: dict | None = None) -> dict | None:
    """The tables' columns (in their declared order) and the (from, to) pairs each
    relationship table declares.

    Every relationship table declares the pairs the graph has (at least one: a pattern over
    an undeclared pair just matches nothing; declaring all 121 pairs of every table made a
    five-article database 10 MB). With ``before`` (the schema of an earlier build's
    database) its pairs are kept, columns keep their order, new ones come last and gone ones
    go; None when a column changed type (the database must then be written afresh).
    """
    pairs = rows.pairs()
    cols = rows.columns
    if before is not None:
        for t, have in before.get("pairs", {}).items():
            pairs.setdefault(t, set()).update(tuple(p) for p in have)
        declared = {}
        for table, spec in cols.items():
            old = before.get("columns", {}).get(table, {})
            if any(old[k] != t for k, t in spec.items() if k in old):
                return None
            merged = {k: t for k, t in old.items() if k in spec}
            merged.update((k, t) for k, t in spec.items() if k not in merged)
            declared[table] = merged
        cols = declared
    return {"columns": cols,
            "pairs": {t: [list(x) for x in sorted(p)] or [["Hospital", "County"]] for t, p in pairs.items()}}


def _alter(conn, before: dict, schema: dict) -> None:
    """ALTER the tables of a database declared with ``before`` to ``schema`` (pairs, columns)."""
    for t, have in schema["pairs"].items():
        old = {tuple(p) for p in before["pairs"].get(t, [])}
        for a, b in have:
            if (a, b) not in old:
                conn.execute(f"ALTER TABLE {check_label(t)} ADD FROM {check_label(a)} TO {check_label(b)}")
    tables = {"Entity": ENTITY_TYPES, "Document": ("Document",), "Relation": RELATION_TYPES}
    for kind, names in tables.items():
        old, new = before["columns"][kind], schema["columns"][kind]
        for table in names:
            for k in old:
                if k not in new:
                    conn.execute(f"ALTER TABLE {check_label(table)} DROP {_q(k)}")
            for k, t in new.items():
                if k not in old:
                    conn.execute(f"ALTER TABLE {check_label(table)} ADD {_q(k)} {t}")


def ladybug_ddl(schema: dict) -> list[str]:
    """CREATE statements for every node and relationship table of the schema.

    Every entity type and relationship type gets a table even when the graph has none,
    so any query over the schema binds.
    """
    def cols(spec: dict[str, str]) -> str:
        return ", ".join(f"{_q(k)} {t}" for k, t in spec.items())

    c = schema["columns"]
    out = []
    for label in ENTITY_TYPES:
        out.append(f"CREATE NODE TABLE {label}({cols(c['Entity'])}, PRIMARY KEY (id))")
    out.append(f"CREATE NODE TABLE Document({cols(c['Document'])}, PRIMARY KEY (id))")
    out.append(f"CREATE NODE TABLE Evidence({cols(c['Evidence'])}, PRIMARY KEY (id))")
    for rtype in RELATION_TYPES:
        decl = ", ".join(f"FROM {check_label(a)} TO {check_label(b)}" for a, b in schema["pairs"][rtype])
        out.append(f"CREATE REL TABLE {rtype}({decl}, {cols(c['Relation'])})")
    to_doc = ", ".join(f"FROM {a} TO Document" for a in ENTITY_TYPES)
    out.append(f"CREATE REL TABLE MENTIONED_IN({to_doc}, {cols(c['MENTIONED_IN'])})")
    out.append("CREATE REL TABLE FOUND_IN(FROM Evidence TO Document)")
    return out


_ARROW = {"STRING": "string", "DOUBLE": "float64", "INT64": "int64", "BOOLEAN": "bool_"}
#: Rows per Parquet row group: what one table's writer holds before writing.
PARQUET_ROWS = 10_000


def _arrow_type(t: str):
    import pyarrow as pa

    return pa.list_(pa.string()) if t == "STRING[]" else getattr(pa, _ARROW[t])()


class _Table:
    """One Parquet file of rows, held a column at a time until a row group is full."""

    def __init__(self, path: Path, columns: dict[str, str]):
        import pyarrow as pa

        self.path, self.names = path, list(columns)
        self.schema = pa.schema([(f"c{i}", _arrow_type(t)) for i, t in enumerate(columns.values())])
        self.cols: list[list] = [[] for _ in self.names]
        self.writer = None

    def add(self, row: dict) -> None:
        for col, name in zip(self.cols, self.names):
            col.append(row.get(name))
        if len(self.cols[0]) >= PARQUET_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.cols[0]:
            return
        if self.writer is None:
            self.writer = pq.ParquetWriter(str(self.path), self.schema)
        self.writer.write_table(pa.table(dict(zip(self.schema.names, self.cols)), schema=self.schema))
        self.cols = [[] for _ in self.names]


class _Tables:
    """Parquet files of rows, one per target table, written a row group at a time (COPY FROM files)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.open: dict[tuple, _Table] = {}

    def add(self, key: tuple, columns: dict[str, str], row: dict) -> None:
        t = self.open.get(key)
        if t is None:
            t = self.open[key] = _Table(self.folder / f"t{len(self.open)}.parquet", columns)
        t.add(row)

    def close(self) -> list[tuple[tuple, Path, list[str]]]:
        """Finish every file: (key, path, column names) in the order tables were first used."""
        done = []
        for key, t in self.open.items():
            t.flush()
            if t.writer is not None:
                t.writer.close()
                done.append((key, t.path, t.names))
        self.open.clear()
        return done


def _literal(path: Path) -> str:
    """A file path as a Cypher string literal (COPY FROM takes no parameter for it)."""
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _copy(conn, tables: _Tables) -> None:
    """COPY every finished Parquet file into its table (nodes before the relationships on them)."""
    for (kind, table, a, b), path, _ in sorted(tables.close(), key=lambda x: x[0][0]):
        opts = f" (from='{check_label(a)}', to='{check_label(b)}')" if a else ""
        conn.execute(f"COPY {_q(table)} FROM {_literal(path)}{opts}")
        path.unlink()


def _stage(tables: _Tables, rows: PropertyRows, cols: dict[str, dict[str, str]], entities=None,
           relations=None, documents=None, mentions=None) -> None:
    """Queue node and relationship rows (all, or only the records given) as Parquet files whose
    columns are in the tables' declared order ``cols`` (COPY matches them by position).

    Keys sort nodes (0) before relationships (1); ``mentions`` is ``(entities, documents)``.
    """
    rel_cols = {"from": "STRING", "to": "STRING", **cols["Relation"]}
    for e in rows.entities(entities):
        tables.add((0, check_label(e["type"]), None, None), cols["Entity"], e)
    for d in rows.documents(documents):
        tables.add((0, "Document", None, None), cols["Document"], d)
    f_cols = {"from": "STRING", "to": "STRING"}
    for ev in rows.evidence(relations, documents if relations is not None else None):
        tables.add((0, "Evidence", None, None), cols["Evidence"], ev)
        tables.add((1, "FOUND_IN", "Evidence", "Document"), f_cols, {"from": ev["id"], "to": ev["doc"]})
    for r in rows.relations(relations):
        a, b = rows.entity_type(r["src"]), rows.entity_type(r["dst"])
        tables.add((1, check_label(r["type"]), a, b), rel_cols, {"from": r["src"], "to": r["dst"], **r["props"]})
    ments = rows.mentions(*mentions) if mentions is not None else rows.mentions()
    m_cols = {"from": "STRING", "to": "STRING", "mentions": "INT64"}
    for m in ments:
        tables.add((1, "MENTIONED_IN", rows.entity_type(m["src"]), "Document"), m_cols,
                   {"from": m["src"], "to": m["dst"], "mentions": m["props"]["mentions"]})


def _load_ladybug(conn, rows: PropertyRows, cols: dict[str, dict[str, str]], scratch: Path) -> None:
    tables = _Tables(scratch)
    _stage(tables, rows, cols)
    _copy(conn, tables)


def _sidecars(path: Path) -> list[Path]:
    return [p for p in path.parent.glob(path.name + ".*") if p.name != path.name]


def _open_db(path: Path):
    import ladybug as lb

    # One checkpoint at the end: with auto-checkpoints every COPY paid ~30 ms.
    db = lb.Database(str(path), auto_checkpoint=False)
    return db, lb.Connection(db)


def write_cypher_db(graph: KnowledgeGraph, out_dir: str | os.PathLike,
                    rows: PropertyRows | None = None) -> dict:
    """Write the embedded Cypher database ``OUT/graph.lbug`` that `kg cypher` queries.

    Tables are declared (:func:`ladybug_ddl`), rows streamed into Parquet files and loaded
    with ``COPY FROM``. Built in a temporary folder next to it and renamed over the old
    file only when complete, so an interrupted build leaves the previous database usable.
    Returns the schema (what :func:`update_cypher_db` needs later).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    final = out / DB_NAME
    rows = PropertyRows(graph) if rows is None else rows
    schema = ladybug_schema(rows)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{DB_NAME}.", dir=out))
    try:
        tmp = tmpdir / DB_NAME
        db, conn = _open_db(tmp)
        try:
            for stmt in ladybug_ddl(schema):
                conn.execute(stmt)
            _load_ladybug(conn, rows, schema["columns"], tmpdir)
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
    return schema


def update_cypher_db(path: str | os.PathLike, rows: PropertyRows, before: dict,
                     entities: Iterable[str], relations: Iterable[tuple[str, str, str]],
                     documents: Iterable[str]) -> dict | None:
    """Bring a copy of an earlier build's database up to ``rows.graph`` for the records that changed.

    ``before`` is the schema the database was written with (:func:`ladybug_schema`); new
    columns and (from, to) pairs are added and gone columns dropped, and when a column changed
    type nothing is done and None returned (write the database afresh). What the changed,
    deleted and new articles said is deleted by document id: their Document nodes with every
    MENTIONED_IN and FOUND_IN to them, and the Evidence nodes read in them; then the changed
    relations' relationships and the entities that are gone. ``entities`` include those whose
    placement changed (:func:`kg.query.placement_digests` against the previous generation's). Entities still there are updated
    in place (their relationships stay), and the current rows of all of it are loaded with
    COPY FROM. Returns the schema now declared.
    """
    schema = ladybug_schema(rows, before)
    if schema is None:
        return None
    path = Path(path)
    entities, relations, documents = set(entities), set(relations), set(documents)
    db, conn = _open_db(path)
    scratch = Path(tempfile.mkdtemp(prefix=f".{DB_NAME}.", dir=path.parent))
    try:
        _alter(conn, before, schema)
        docs = sorted(documents)
        conn.execute("MATCH (v:Evidence) WHERE v.doc IN $docs DETACH DELETE v", {"docs": docs})
        conn.execute("MATCH (d:Document) WHERE d.id IN $docs DETACH DELETE d", {"docs": docs})
        for t in sorted({k[1] for k in relations}):
            keys = [edge_key(*k) for k in sorted(relations) if k[1] == t]
            conn.execute(f"MATCH ()-[r:{check_label(t)}]->() WHERE r.edge_key IN $keys DELETE r", {"keys": keys})
        ents = rows.graph.entities
        gone = sorted(e for e in entities if e not in ents)
        have = set()
        for label in ENTITY_TYPES:
            conn.execute(f"MATCH (n:{label}) WHERE n.id IN $ids DETACH DELETE n", {"ids": gone})
            ids = sorted(e for e in entities if e in ents and ents[e].type == label)
            if ids:
                res = conn.execute(f"MATCH (n:{label}) WHERE n.id IN $ids RETURN n.id", {"ids": ids})
                have.update(r[0] for r in res.get_all())
        cols = schema["columns"]
        _set_entities(conn, rows, cols["Entity"], sorted(have), scratch)
        tables = _Tables(scratch)
        _stage(tables, rows, cols, entities=[e for e in entities if e not in have],
               relations=relations, documents=documents, mentions=(entities, documents))
        _copy(conn, tables)
        conn.execute("CHECKPOINT")
    finally:
        conn.close()
        db.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return schema


def _set_entities(conn, rows: PropertyRows, cols: dict[str, str], ids: list[str], scratch: Path) -> None:
    """Overwrite the properties of entity nodes that stay (their relationships are kept);
    ``cols``: the entity tables' columns, ``id`` first."""
    tables = _Tables(scratch)
    for e in rows.entities(ids):
        tables.add((0, check_label(e["type"]), None, None), cols, e)
    names = [c for c in cols if c != "id"]
    sets = ", ".join(f"n.{_q(c)} = c{i + 1}" for i, c in enumerate(names))
    for (_, label, _, _), path, _ in tables.close():
        conn.execute(f"LOAD FROM {_literal(path)} MATCH (n:{label}) WHERE n.id = c0 SET {sets}")
        path.unlink()


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

    from .outfolder import resolve

    path = resolve(graph_dir) / DB_NAME
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
