"""Neo4j and other Bolt servers: idempotent batched pushes, queries, and neo4j-admin CSV.

The push writes the property-graph form of :mod:`kg.cypher` (same nodes, properties and
evidence design as the embedded database). Every node carries the common ``Entity`` /
``Document`` / ``Evidence`` label its uniqueness constraint is on, entities also their
type label. Rows go in batches of ``UNWIND $rows AS r MERGE …`` inside managed write
transactions, so pushing twice leaves the same graph; each element is stamped with the
push's ``run`` id, which is what ``prune`` uses to delete what a rebuilt graph dropped.
Labels and relationship types are the only names put into query text, and only from
the schema's whitelist (:func:`kg.cypher.check_label`).
"""
from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .cypher import (LINK_TYPES, PropertyGraph, check_label, check_read_only, no_gc, plain,
                     property_graph)
from .errors import KGError, QueryError, StoreError
from .graph import KnowledgeGraph, write_atomic
from .model import ENTITY_TYPES, RELATION_TYPES
from .query import Rows
from .remote import CONNECT_TIMEOUT, TIMEOUT, RetryPolicy

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_BATCH = 1000
KEY_LABELS = ("Entity", "Document", "Evidence")


def _retryable():
    from neo4j import exceptions as ex

    return (ex.ServiceUnavailable, ex.SessionExpired, ex.TransientError, ex.IncompleteCommit,
            ex.DatabaseUnavailable)


# -- servers differ ---------------------------------------------------------------------
@dataclass
class Dialect:
    """What differs between Bolt servers: schema statement syntax, mostly."""

    name: str  # neo4j | neo4j4 | arcadedb | memgraph
    agent: str = ""

    def schema_statements(self) -> list[str]:
        """Uniqueness constraints on the key labels and the indexes the queries join on.

        ArcadeDB also gets one per entity type: it looks ids up 2-3x faster on the vertex
        type than on the common Entity label (measured 21k vs 7-11k lookups/s).
        """
        out = []
        keys = KEY_LABELS + (ENTITY_TYPES if self.name == "arcadedb" else ())
        for label in keys:
            cname = f"kg_{label.lower()}_id"
            if self.name == "neo4j4":
                out.append(f"CREATE CONSTRAINT {cname} IF NOT EXISTS ON (n:{label}) ASSERT n.id IS UNIQUE")
            elif self.name == "memgraph":
                out.append(f"CREATE CONSTRAINT ON (n:{label}) ASSERT n.id IS UNIQUE")
            else:
                out.append(f"CREATE CONSTRAINT {cname} IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")
        for label, prop in (("Evidence", "edge_key"), ("Entity", "name")):
            if self.name == "memgraph":
                out.append(f"CREATE INDEX ON :{label}({prop})")
            else:
                out.append(f"CREATE INDEX kg_{label.lower()}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")
        return out


def detect_dialect(driver) -> Dialect:
    """Tell Neo4j 5, Neo4j 4, ArcadeDB and Memgraph apart from the Bolt agent string."""
    agent = driver.get_server_info().agent or ""
    low = agent.lower()
    if "arcadedb" in low:
        return Dialect("arcadedb", agent)
    if "memgraph" in low:
        return Dialect("memgraph", agent)
    if low.startswith("neo4j/4") or low.startswith("neo4j/3"):
        return Dialect("neo4j4", agent)
    return Dialect("neo4j", agent)


# -- push -------------------------------------------------------------------------------
@dataclass
class PushSummary:
    """What a push did, from the servers' result counters."""

    uri: str
    database: str | None
    server: str = ""
    run: str = ""
    nodes: int = 0  # nodes in the pushed graph
    relationships: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0
    nodes_deleted: int = 0  # by prune
    relationships_deleted: int = 0
    batches: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def nodes_updated(self) -> int:
        return self.nodes - self.nodes_created

    @property
    def relationships_updated(self) -> int:
        return self.relationships - self.relationships_created

    @property
    def elements_per_second(self) -> float:
        return (self.nodes + self.relationships) / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(nodes_updated=self.nodes_updated, relationships_updated=self.relationships_updated,
                 elements_per_second=round(self.elements_per_second, 1))
        return d

    def line(self) -> str:
        return (f"pushed {self.nodes} nodes ({self.nodes_created} created, {self.nodes_updated} updated) "
                f"and {self.relationships} relationships ({self.relationships_created} created, "
                f"{self.relationships_updated} updated)"
                + (f"; pruned {self.nodes_deleted} nodes, {self.relationships_deleted} relationships"
                   if self.nodes_deleted or self.relationships_deleted else "")
                + f" to {self.uri} in {self.seconds:.1f}s")


def node_query(key_label: str, label: str | None = None, dialect: str = "neo4j") -> str:
    """Batched upsert of nodes by id; ``r.props`` replaces the node's properties.

    Neo4j: ``MERGE (n:Entity:Hospital {id: r.id})``, served by the uniqueness constraint.
    ArcadeDB: its MERGE on two labels scans (256 rows/s measured) and adding the type
    label afterwards moves the vertex to another type and trips its own uniqueness check
    inside a batch, so the node is looked up on its type and created with both labels
    only when missing (FOREACH over a 0/1 list is Cypher's conditional write).
    """
    labels = check_label(key_label) + (f":{check_label(label)}" if label and label != key_label else "")
    if dialect == "arcadedb":
        return (f"UNWIND $rows AS r OPTIONAL MATCH (n:{check_label(label or key_label)} {{id: r.id}}) "
                f"FOREACH (x IN CASE WHEN n IS NULL THEN [1] ELSE [] END | "
                f"CREATE (m:{labels}) SET m = r.props) "
                f"FOREACH (x IN CASE WHEN n IS NULL THEN [] ELSE [1] END | SET n = r.props)")
    return f"UNWIND $rows AS r MERGE (n:{labels} {{id: r.id}}) SET n = r.props"


def relationship_query(rtype: str, src_label: str, dst_label: str, dialect: str = "neo4j") -> str:
    """Batched upsert of one relationship type between nodes found by id.

    ArcadeDB: the same conditional-create form as nodes (5.8k vs 3.4k relationships/s
    created with MERGE, measured).
    """
    head = (f"UNWIND $rows AS r MATCH (a:{check_label(src_label)} {{id: r.src}}) "
            f"MATCH (b:{check_label(dst_label)} {{id: r.dst}}) ")
    t = check_label(rtype)
    if dialect == "arcadedb":
        return (head + f"OPTIONAL MATCH (a)-[e:{t}]->(b) "
                f"FOREACH (x IN CASE WHEN e IS NULL THEN [1] ELSE [] END | CREATE (a)-[f:{t}]->(b) SET f = r.props) "
                f"FOREACH (x IN CASE WHEN e IS NULL THEN [] ELSE [1] END | SET e = r.props)")
    return head + f"MERGE (a)-[e:{t}]->(b) SET e = r.props"


def _clean(props: dict, run: str) -> dict:
    out = {k: v for k, v in props.items() if v is not None}
    out["run"] = run
    return out


def push_plan(pg: PropertyGraph, run: str, dialect: str = "neo4j") -> list[tuple[str, str, list[dict]]]:
    """(stage, query, rows) in the order they must run: nodes before the relationships on them.

    Neo4j finds entities on the common ``Entity`` label (its constraint's index); ArcadeDB
    on their type label, so relationships are grouped by the types of their two ends.
    """
    typed = dialect == "arcadedb"
    plan: list[tuple[str, str, list[dict]]] = []
    etype: dict[str, str] = {}
    by_type: dict[str, list[dict]] = {}
    for e in pg.entities:
        etype[e["id"]] = e["type"]
        by_type.setdefault(e["type"], []).append({"id": e["id"], "props": _clean(e, run)})
    for label in sorted(by_type):
        plan.append((f"{label} nodes", node_query("Entity", label, dialect), by_type[label]))
    plan.append(("Document nodes", node_query("Document", None, dialect),
                 [{"id": d["id"], "props": _clean(d, run)} for d in pg.documents]))
    plan.append(("Evidence nodes", node_query("Evidence", None, dialect),
                 [{"id": d["id"], "props": _clean(d, run)} for d in pg.evidence]))

    def end(eid: str, label: str) -> str:
        return etype[eid] if typed and label == "Entity" else label

    groups: dict[tuple[str, str, str], list[dict]] = {}
    for rows, src, dst in ((pg.relations, "Entity", "Entity"), (pg.mentions, "Entity", "Document"),
                           (pg.found_in, "Evidence", "Document")):
        for r in rows:
            key = (r["type"], end(r["src"], src), end(r["dst"], dst))
            groups.setdefault(key, []).append({"src": r["src"], "dst": r["dst"],
                                               "props": _clean(r["props"], run)})
    order = {t: i for i, t in enumerate(RELATION_TYPES + LINK_TYPES)}
    for (rtype, a, b) in sorted(groups, key=lambda k: (order[k[0]], k[1], k[2])):
        plan.append((f"{rtype} relationships", relationship_query(rtype, a, b, dialect), groups[(rtype, a, b)]))
    return [p for p in plan if p[2]]


def prune_queries() -> list[tuple[str, str]]:
    """(kind, query) deleting, a batch at a time, our elements not stamped with this run."""
    out = []
    for rtype in RELATION_TYPES + LINK_TYPES:
        src = "Evidence" if rtype == "FOUND_IN" else "Entity"
        out.append(("relationships", f"MATCH (:{check_label(src)})-[e:{check_label(rtype)}]->() "
                    f"WHERE coalesce(e.run, '') <> $run WITH e LIMIT $limit DELETE e RETURN count(*) AS n"))
    for label in ("Evidence", "Document", "Entity"):
        out.append(("nodes", f"MATCH (n:{check_label(label)}) WHERE coalesce(n.run, '') <> $run "
                    f"WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS n"))
    return out


class _Pusher:
    """Runs units of work on one session under a RetryPolicy; driver errors become StoreError.

    The session is kept across units and replaced after a connection failure. Each unit has
    the policy's deadline: a watchdog closes the driver when it passes, which ends a read
    that waits on a silent server (the driver itself waits for ever once connected).
    """

    def __init__(self, driver, uri: str, user: str, database: str | None, policy: RetryPolicy,
                 read: bool = False):
        self.driver, self.uri, self.user, self.database = driver, uri, user, database
        self.policy, self.read = policy, read
        self._session = None
        self._expired = threading.Event()

    def session(self):
        if self._session is None:
            from neo4j import READ_ACCESS, WRITE_ACCESS

            kw = {"default_access_mode": READ_ACCESS if self.read else WRITE_ACCESS}
            if self.database:
                kw["database"] = self.database
            self._session = self.driver.session(**kw)
        return self._session

    def close(self) -> None:
        s, self._session = self._session, None
        if s is not None:
            try:
                s.close()
            except Exception:  # the connection may already be gone
                pass

    def _expire(self) -> None:
        self._expired.set()
        try:
            self.driver.close()  # shuts the sockets: a blocked read raises in the waiting thread
        except Exception:
            pass

    def _again(self, what: str) -> str:
        return "run the query again" if what == "the query" else \
            "push again (the push is idempotent and resumes cleanly)"

    def run(self, what: str, fn: Callable):
        from neo4j import exceptions as ex

        failed: BaseException | None = None
        attempt, t0 = 0, time.monotonic()
        for attempt, left in self.policy.attempts():
            if self._expired.is_set():
                break
            watchdog = threading.Timer(left, self._expire)
            watchdog.daemon = True
            watchdog.start()
            try:
                return fn(self.session())
            except KGError:
                raise
            except Exception as exc:
                failed = exc
            finally:
                watchdog.cancel()
            if self._expired.is_set():
                break
            if isinstance(failed, ex.AuthError):
                raise StoreError(f"{self.uri}: authentication failed for user {self.user!r}; "
                                 f"check NEO4J_USER and NEO4J_PASSWORD") from failed
            if isinstance(failed, _retryable()):
                self.close()
                continue
            if isinstance(failed, ex.Neo4jError):
                raise StoreError(f"{self.uri}: the server refused {what}: {_msg(failed)}") from failed
            if isinstance(failed, (ex.DriverError, OSError)):
                self.close()
                raise StoreError(f"{self.uri}: {what} failed ({type(failed).__name__}: {_msg(failed)}); "
                                 f"check the URI and that the server is running") from failed
            raise failed
        self.close()
        seconds = time.monotonic() - t0
        if self._expired.is_set():
            raise StoreError(f"{self.uri}: {what}: no answer within {self.policy.timeout:g}s (--timeout); "
                             f"check that the server is running and reachable, then "
                             f"{self._again(what)}") from failed
        reason = f" ({type(failed).__name__}: {_msg(failed)})" if failed is not None else ""
        raise StoreError(f"{self.uri}: {what} failed after {attempt} attempts in {seconds:.0f}s{reason}; "
                         f"check that the server is running and reachable, then "
                         f"{self._again(what)}") from failed


def _msg(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:300]


def _counters_tx(tx, query: str, params: dict) -> dict:
    c = tx.run(query, params).consume().counters
    return {"nodes_created": c.nodes_created, "relationships_created": c.relationships_created,
            "properties_set": c.properties_set, "labels_added": c.labels_added}


def _count_tx(tx, query: str, params: dict) -> int:
    rec = tx.run(query, params).single()
    return int(rec[0]) if rec else 0


def open_driver(uri: str, user: str, password: str, connect_timeout: float = CONNECT_TIMEOUT):
    """A neo4j driver that connects (TCP, Bolt handshake, login) within ``connect_timeout``
    seconds and never retries by itself: retries are ours (kg.remote.RetryPolicy)."""
    from neo4j import GraphDatabase

    try:
        return GraphDatabase.driver(uri, auth=(user, password), connection_timeout=connect_timeout,
                                    connection_acquisition_timeout=connect_timeout,
                                    max_transaction_retry_time=0.0)
    except Exception as exc:  # bad URI scheme etc.
        raise StoreError(f"{uri}: cannot use this URI ({_msg(exc)}); use bolt://HOST:7687 or neo4j://HOST") from exc


def push_neo4j(graph: KnowledgeGraph, uri: str, user: str, password: str, database: str | None = None,
               batch: int = DEFAULT_BATCH, prune: bool = False, progress: bool | None = None,
               retries: int = 4, backoff: float = 0.5, timeout: float = TIMEOUT,
               connect_timeout: float = CONNECT_TIMEOUT,
               on_batch: Callable[[str, int], None] | None = None) -> PushSummary:
    """Push the graph to a Bolt server (Neo4j 4/5, ArcadeDB); safe to repeat.

    ``batch`` rows go in one ``UNWIND`` transaction. Transient failures are retried
    ``retries`` times with exponential backoff from ``backoff`` seconds (at most
    kg.remote.MAX_BACKOFF); a batch not written within ``timeout`` seconds (attempts and
    pauses included), or a server that does not accept a connection within
    ``connect_timeout``, ends the push with a StoreError naming the URI; pushing again
    resumes cleanly. ``prune`` deletes nodes and relationships of the schema's
    labels that this push did not write. ``on_batch(stage, rows_done)`` is called after
    each committed batch. ``progress`` shows a bar (default: when stderr is a terminal).
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    t0 = time.perf_counter()
    run = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    pg = property_graph(graph)
    summary = PushSummary(uri, database, run=run, nodes=pg.node_count, relationships=pg.relationship_count)
    driver = open_driver(uri, user, password, connect_timeout)
    pusher = _Pusher(driver, uri, user, database,
                     RetryPolicy(retries=retries, backoff=backoff, timeout=timeout, connect_timeout=connect_timeout))
    bar = None
    try:
        dialect = pusher.run("connecting", lambda s: detect_dialect(driver))
        summary.server = dialect.agent
        with no_gc():
            plan = push_plan(pg, run, dialect.name)
        for stmt in dialect.schema_statements():
            pusher.run("creating constraints and indexes", lambda s, q=stmt: s.run(q).consume())
        if progress is None:
            progress = sys.stderr.isatty()
        if progress:
            from .progress import bar as progress_bar
            bar = progress_bar(sum(len(p[2]) for p in plan), "neo4j push", "el")
        for stage, query, rows in plan:
            t_stage = time.perf_counter()
            for i in range(0, len(rows), batch):
                chunk = rows[i:i + batch]
                counts = pusher.run(f"writing {stage} (rows {i + 1}-{i + len(chunk)})",
                                    lambda s, q=query, c=chunk: s.execute_write(_counters_tx, q, {"rows": c, "run": run}))
                for k, v in counts.items():
                    setattr(summary, k, getattr(summary, k) + v)
                summary.batches += 1
                if bar is not None:
                    bar.update(len(chunk))
                if on_batch is not None:
                    on_batch(stage, i + len(chunk))
            summary.stage_seconds[stage] = round(summary.stage_seconds.get(stage, 0.0)
                                                 + time.perf_counter() - t_stage, 3)
        if prune:
            limit = max(batch, 1000)
            for kind, query in prune_queries():
                while True:
                    n = pusher.run(f"pruning old {kind}",
                                   lambda s, q=query: s.execute_write(_count_tx, q, {"run": run, "limit": limit}))
                    if kind == "nodes":
                        summary.nodes_deleted += n
                    else:
                        summary.relationships_deleted += n
                    if n < limit:
                        break
    finally:
        if bar is not None:
            bar.close()
        pusher.close()
        driver.close()
    summary.seconds = time.perf_counter() - t0
    return summary


# -- queries over Bolt ------------------------------------------------------------------
def _bolt_plain(v: Any) -> Any:
    from neo4j.graph import Node, Path, Relationship

    if isinstance(v, Node):
        labels = sorted(v.labels - set(KEY_LABELS)) or sorted(v.labels)
        out = {"_label": labels[0] if labels else None}
        out.update({k: _bolt_plain(x) for k, x in v.items() if k != "run"})
        return out
    if isinstance(v, Relationship):
        out = {"_label": v.type}
        out.update({k: _bolt_plain(x) for k, x in v.items() if k != "run"})
        return out
    if isinstance(v, Path):
        return [_bolt_plain(n) for n in v.nodes]
    if hasattr(v, "iso_format"):
        return v.iso_format()
    if isinstance(v, dict):
        return {k: _bolt_plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_bolt_plain(x) for x in v]
    return plain(v)


def _changes(summary) -> list[str]:
    """What a query changed, by the server's own account: its query type and update counters."""
    c = summary.counters
    out = [f"{k} {v}" for k, v in sorted(vars(c).items())
           if not k.startswith("_") and isinstance(v, int) and not isinstance(v, bool) and v]
    if not out and (c.contains_updates or c.contains_system_updates):
        out.append("updates")
    if not out and summary.query_type not in (None, "r"):
        out.append(f"query type {summary.query_type!r}")
    return out


def query_bolt(uri: str, user: str, password: str, query: str, params: dict | None = None,
               database: str | None = None, write: bool = False, retries: int = 2,
               timeout: float = TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT) -> Rows:
    """Run a Cypher query on a Bolt server; read-only unless ``write``.

    Read-only is decided by the server, not by the query's text alone: the query runs in
    an explicit read-mode transaction that is always rolled back, and when the server
    reports that it wrote (query type other than read, or any update counter) a
    QueryError says so. (Servers differ in honouring the read access mode: ArcadeDB
    ignores it.) :func:`kg.cypher.check_read_only` refuses obvious writes first.
    ``retries``, ``timeout`` and ``connect_timeout`` as in kg.remote.RetryPolicy.
    """
    from neo4j import exceptions as ex

    if not write:
        check_read_only(query, uri)

    def work(session):
        tx = session.begin_transaction()
        try:
            res = tx.run(query, params or {})
            keys = list(res.keys())
            rows = [dict(zip(keys, (_bolt_plain(v) for v in rec.values()))) for rec in res]
            changed = [] if write else _changes(res.consume())
            if write:
                tx.commit()
        finally:
            if not tx.closed():  # a read is never committed; a write that failed is undone
                tx.rollback()
        if changed:
            raise QueryError(f"{uri}: the query changed the database ({', '.join(changed)}, as the server "
                             f"reports); it was rolled back, nothing was kept; add --write to run it")
        return keys, rows

    driver = open_driver(uri, user, password, connect_timeout)
    pusher = _Pusher(driver, uri, user, database,
                     RetryPolicy(retries=retries, timeout=timeout, connect_timeout=connect_timeout), read=not write)
    try:
        keys, rows = pusher.run("the query", work)
    except StoreError as exc:
        cause = exc.__cause__
        if isinstance(cause, ex.ClientError) and not isinstance(cause, (ex.AuthError, ex.Forbidden)):
            raise QueryError(f"{uri}: Cypher query failed: {_msg(cause)} (query: {' '.join(query.split())[:80]})") from cause
        raise
    finally:
        pusher.close()
        driver.close()
    return Rows(rows, columns=keys)


# -- neo4j-admin import CSV -------------------------------------------------------------
_ADMIN_TYPES = {"STRING": "string", "INT64": "long", "DOUBLE": "double", "BOOLEAN": "boolean",
                "STRING[]": "string[]"}
ARRAY_DELIMITER = ";"


def _header(cols: dict[str, str], skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    return [(k, f"{k}:{_ADMIN_TYPES[t]}" if t != "STRING" else k) for k, t in cols.items() if k not in skip]


def _cell(v: Any, ctype: str) -> str:
    if v is None:
        return ""
    if ctype == "STRING[]":
        # neo4j-admin cannot escape the array delimiter: inside an element it becomes the full-width ；
        return ARRAY_DELIMITER.join(str(x).replace(ARRAY_DELIMITER, "；") for x in v)
    if ctype == "BOOLEAN":
        return "true" if v else "false"
    return str(v)


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    import io

    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    write_atomic(path, buf.getvalue())


NEO4J_CSV_FILES = {"nodes": ["entities.csv", "documents.csv", "evidence.csv"],
                   "relationships": ["relations.csv", "mentioned_in.csv", "found_in.csv"]}


def import_command(database: str = "neo4j") -> str:
    """The neo4j-admin (Neo4j 5) command that loads a neo4j-csv export, run inside its folder."""
    nodes = " ".join(f"--nodes={f}" for f in NEO4J_CSV_FILES["nodes"])
    rels = " ".join(f"--relationships={f}" for f in NEO4J_CSV_FILES["relationships"])
    return (f"neo4j-admin database import full {nodes} {rels} --array-delimiter=\"{ARRAY_DELIMITER}\" "
            f"--multiline-fields=true --overwrite-destination=true {database}")


def export_neo4j_csv(graph: KnowledgeGraph, out_dir: str | os.PathLike) -> list[Path]:
    """Node and relationship CSVs in `neo4j-admin database import` form, plus a README with the command.

    Headers carry ID spaces (``id:ID(Entity)``), labels (``:LABEL`` = ``Entity;Hospital``),
    ``:START_ID``/``:END_ID``/``:TYPE`` and typed properties (``lon:double``,
    ``aliases:string[]`` split on ``;``). The graph is the same as a push's, without ``run``.
    """
    pg = property_graph(graph)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def nodes(name: str, space: str, cols: dict[str, str], rows: list[dict], labels) -> None:
        head = _header(cols, skip=("id",))
        header = [f"id:ID({space})", ":LABEL"] + [h for _, h in head]
        body = ([_cell(r["id"], "STRING"), labels(r)] + [_cell(r.get(k), cols[k]) for k, _ in head]
                for r in rows)
        _write_csv(out / name, header, body)
        written.append(out / name)

    nodes("entities.csv", "Entity", pg.columns["Entity"], pg.entities, lambda r: f"Entity;{check_label(r['type'])}")
    nodes("documents.csv", "Document", pg.columns["Document"], pg.documents, lambda r: "Document")
    nodes("evidence.csv", "Evidence", pg.columns["Evidence"], pg.evidence, lambda r: "Evidence")

    def rels(name: str, src: str, dst: str, cols: dict[str, str], rows: list[dict]) -> None:
        head = _header(cols)
        header = [f":START_ID({src})", f":END_ID({dst})", ":TYPE"] + [h for _, h in head]
        body = ([r["src"], r["dst"], check_label(r["type"])] + [_cell(r["props"].get(k), cols[k]) for k, _ in head]
                for r in rows)
        _write_csv(out / name, header, body)
        written.append(out / name)

    rels("relations.csv", "Entity", "Entity", pg.columns["Relation"], pg.relations)
    rels("mentioned_in.csv", "Entity", "Document", pg.columns["MENTIONED_IN"], pg.mentions)
    rels("found_in.csv", "Evidence", "Document", pg.columns["FOUND_IN"], pg.found_in)
    schema = "\n".join(s + ";" for s in Dialect("neo4j").schema_statements())
    readme = f"""# Knowledge graph as neo4j-admin import CSV

Written by `kg export --format neo4j-csv`. Nodes: {len(pg.entities)} entities, {len(pg.documents)} documents,
{len(pg.evidence)} evidence; relationships: {len(pg.relations)} between entities, {len(pg.mentions)} MENTIONED_IN,
{len(pg.found_in)} FOUND_IN.

Stop the database, then from this folder (Neo4j 5; the target database is replaced):

```sh
{import_command()}
```

Neo4j 4.4: `neo4j-admin import --database=neo4j {' '.join('--nodes=' + f for f in NEO4J_CSV_FILES['nodes'])} \\
{' '.join('--relationships=' + f for f in NEO4J_CSV_FILES['relationships'])} --array-delimiter="{ARRAY_DELIMITER}" --multiline-fields=true`

Then start it and create the constraints and indexes `kg push neo4j` would have made:

```cypher
{schema}
```

Files: `entities.csv` (labels `Entity` + the type), `documents.csv`, `evidence.csv`,
`relations.csv` (edges between entities, type in `:TYPE`), `mentioned_in.csv`
(entity → document), `found_in.csv` (evidence → document). Evidence links to its edge by
`edge_key` (the same value on the relationship and on its Evidence nodes). Arrays are split
on `{ARRAY_DELIMITER}` (a `;` inside an alias is written as the full-width `；`); empty cells are missing
properties. See docs/neo4j.md.
"""
    write_atomic(out / "README.md", readme)
    written.append(out / "README.md")
    return written


# -- a local ArcadeDB server for tests, benchmarks and trying things out -----------------
_SERVER_SCRIPT = r"""
import sys, arcadedb_embedded as adb
root, http_port, bolt_port, dbname = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
password = sys.stdin.readline().rstrip("\n")
s = adb.create_server(root_path=root, root_password=password, config={
    "host": "127.0.0.1", "http_port": http_port, "bolt_port": bolt_port,
    "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"})
s.start()
s.create_database(dbname)
print("\nKG-SERVER-READY", flush=True)
sys.stdin.readline()
s.stop()
print("\nKG-SERVER-STOPPED", flush=True)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalArcadeDB:
    """ArcadeDB (from the arcadedb-embedded wheel) with its Bolt plugin, on loopback, in a child process.

    ``start()`` returns once a Bolt query answers; ``stop()`` shuts it down cleanly and
    can be followed by ``start()`` on the same ``root`` (the data stays). The password
    goes to the child on stdin, never on its command line. Logs go to ``root/server.log``.
    """

    root: str
    password: str
    database: str = "kg"
    user: str = "root"
    bolt_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def start(self, timeout: float = 90.0) -> "LocalArcadeDB":
        Path(self.root).mkdir(parents=True, exist_ok=True)
        log = open(Path(self.root) / "server.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER_SCRIPT, self.root, str(self.http_port), str(self.bolt_port),
             self.database], stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        log.close()
        self.proc.stdin.write((self.password + "\n").encode())
        self.proc.stdin.flush()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        from neo4j import GraphDatabase

        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise StoreError(f"{self.uri}: ArcadeDB exited with code {self.proc.returncode}; "
                                 f"see {self.root}/server.log")
            try:
                with GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
                    with d.session(database=self.database) as s:
                        s.run("RETURN 1").consume()
                return
            except Exception as exc:  # not up yet
                last = exc
                time.sleep(0.25)
        self.stop()
        raise StoreError(f"{self.uri}: ArcadeDB did not answer within {timeout:.0f}s ({last}); "
                         f"see {self.root}/server.log")

    def stop(self, timeout: float = 15.0) -> None:
        """Shut down cleanly; if clients keep it waiting longer than ``timeout``, terminate it."""
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        try:
            p.stdin.write(b"stop\n")
            p.stdin.flush()
            p.stdin.close()
            p.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def kill(self) -> None:
        """Kill the server process at once, as a crash would (the data is recovered on start)."""
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()

    def __enter__(self) -> "LocalArcadeDB":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
