"""SPARQL over the graph: the embedded Oxigraph store by default, or any SPARQL 1.1 endpoint.

``sparql(target, query)`` runs SELECT / ASK / CONSTRUCT / DESCRIBE and returns
:class:`kg.query.Rows`, so results print like ``kg ask``. ``target`` is a graph folder
(its ``oxigraph/`` store), an ``http(s)://`` endpoint, a KnowledgeGraph or a
pyoxigraph Store. Queries are read-only unless ``update=True``.

Values for a query's variables (``bindings``) are never formatted into the text raw:
each becomes an RDF term serialised by pyoxigraph (escaped) inside a ``VALUES`` block
placed at the start of the WHERE group.

``push(graph_dir, endpoint)`` loads the graph into a remote store in batches of SPARQL
``INSERT DATA``, with retries, a record of landed batches and resume on re-run.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import QueryError, StoreError
from .graph import KnowledgeGraph, write_atomic
from .query import Rows
from .rdf import PREFIXES, XSD

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH")
QUERY_KEYWORDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
PUSH_STATE = "push-sparql.json"


# -- reading a query's text ------------------------------------------------------------
_PROLOGUE = re.compile(r"\s+|#[^\n]*|(?i:PREFIX)\s*[\w.\-]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>")
_WORD = re.compile(r"[A-Za-z]+")
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_VARNAME = re.compile(r"\w+")
_NAME = re.compile(r"[\w:.\-]+")


def operation(text: str) -> str:
    """The query form or update operation: the first keyword after PREFIX/BASE and comments."""
    i = 0
    while True:
        m = _PROLOGUE.match(text, i)
        if not m or m.end() == i:
            break
        i = m.end()
    m = _WORD.match(text, i)
    return m.group(0).upper() if m else ""


def is_update(text: str) -> bool:
    return operation(text) in UPDATE_KEYWORDS


def _where_brace(text: str) -> int | None:
    """Index of the ``{`` that opens the WHERE group, skipping comments, strings and IRIs.

    None for ``CONSTRUCT WHERE { … }`` (its group is also the template).
    """
    tops: list[tuple[int, str]] = []
    brace = paren = 0
    last = ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            if text.startswith(c * 3, i):
                j = i + 3
                while j < n and not text.startswith(c * 3, j):
                    j += 2 if text[j] == "\\" else 1
                i = j + 3
            else:
                j = i + 1
                while j < n and text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                i = m.end()
                continue
        if c in "?$":
            m = _VARNAME.match(text, i + 1)
            i = m.end() if m else i + 1
            last = ""
            continue
        if c.isalpha() or c == "_":
            m = _NAME.match(text, i)
            last = m.group(0).upper()
            i = m.end()
            continue
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == "{":
            if brace == 0 and paren == 0:
                tops.append((i, last))
            brace += 1
        elif c == "}":
            brace -= 1
        if not c.isspace():
            last = ""
        i += 1
    if not tops:
        return None
    if operation(text) == "CONSTRUCT":
        if tops[0][1] == "WHERE":
            return None
        return tops[1][0] if len(tops) > 1 else None
    return tops[0][0]


def term(value: Any):
    """A Python value as a pyoxigraph term: str → plain literal, int/float/bool → typed.

    ``<…>`` strings and pyoxigraph terms are taken as IRIs / terms.
    """
    import pyoxigraph as ox

    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    s = str(value)
    if len(s) > 2 and s.startswith("<") and s.endswith(">"):
        try:
            return ox.NamedNode(s[1:-1])
        except ValueError as exc:
            raise QueryError(f"not a valid IRI: {s}: {exc}") from None
    return ox.Literal(s)


def values_block(bindings: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (t1 t2) }`` with every value serialised (escaped) by pyoxigraph."""
    import pyoxigraph as ox

    names, terms = [], []
    for name, value in bindings.items():
        name = name.lstrip("?$")
        try:
            var = ox.Variable(name)
        except ValueError:
            raise QueryError(f"not a valid SPARQL variable name: {name!r}") from None
        names.append(str(var))
        terms.append(str(term(value)))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def bind_values(query: str, bindings: Mapping[str, Any] | None) -> str:
    """The query with a VALUES block for ``bindings`` at the start of its WHERE group.

    At the start of the group the values join every pattern and are visible to the
    group's FILTERs, and Oxigraph evaluates them first. Inserted on the same line, so
    line numbers in error messages stay right.
    """
    if not bindings:
        return query
    block = values_block(bindings)
    pos = _where_brace(query)
    if pos is None:  # CONSTRUCT WHERE short form: a trailing VALUES clause
        return query.rstrip() + "\n" + block + "\n"
    return query[: pos + 1] + " " + block + " " + query[pos + 1:]


def _syntax_error(exc: Exception, text: str, what: str = "SPARQL") -> QueryError:
    msg = " ".join(str(exc).split())
    m = re.match(r"error at (\d+):(\d+): (.*)", msg)
    if not m:
        return QueryError(f"{what} syntax error: {msg}")
    line, col, rest = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines()
    near = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    if len(near) > 60:
        near = near[:57] + "..."
    near = f" (in: {near})" if near else ""
    return QueryError(f"{what} syntax error at line {line}, column {col}: {rest}{near}")


def check(query: str):
    """Parse a query (not an update) with the predeclared prefixes; its form, or QueryError.

    Runs it lazily on an empty in-memory store: nothing is evaluated until iterated.
    """
    import pyoxigraph as ox

    try:
        res = ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise _syntax_error(exc, query) from None
    if isinstance(res, ox.QueryBoolean):
        return "ASK"
    if isinstance(res, ox.QueryTriples):
        return "CONSTRUCT"
    return "SELECT"


def prologue() -> str:
    """The predeclared prefixes as PREFIX lines (for servers, which do not know them)."""
    return " ".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items())


# -- results -------------------------------------------------------------------------
_NUMERIC = {XSD + t: int for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                   "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                   "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}
_NUMERIC.update({XSD + t: float for t in ("decimal", "double", "float")})


def value(t) -> Any:
    """A result term as a plain Python value: IRI → str, number literal → int/float …"""
    import pyoxigraph as ox

    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, ox.Literal):
        dt = t.datatype.value
        conv = _NUMERIC.get(dt)
        if conv is not None:
            try:
                return conv(t.value)
            except ValueError:
                return t.value
        if dt == XSD + "boolean":
            return t.value in ("true", "1")
        return t.value
    return str(t)


def _rows(result) -> Rows:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return Rows([{"result": bool(result)}], columns=["result"])
    if isinstance(result, ox.QuerySolutions):
        cols = [v.value for v in result.variables]
        return Rows([{c: value(sol[c]) for c in cols} for sol in result], columns=cols)
    cols = ["subject", "predicate", "object"]
    return Rows([dict(zip(cols, (value(t.subject), value(t.predicate), value(t.object))))
                 for t in result], columns=cols)


# -- endpoints -----------------------------------------------------------------------
@dataclass
class Endpoint:
    """Where queries and updates go.

    A bare server URL (``http://host:7878``) means the Oxigraph layout (``/query`` and
    ``/update``); a URL ending in ``/query`` has its update sibling ``/update``; any
    other URL takes both queries and updates.
    """

    url: str
    query_url: str
    update_url: str

    @classmethod
    def parse(cls, url: str) -> "Endpoint":
        u = url.rstrip("/")
        parts = urllib.parse.urlsplit(u)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise QueryError(f"not an http(s) SPARQL endpoint URL: {url!r}")
        if parts.path in ("",):
            return cls(url, u + "/query", u + "/update")
        if parts.path.endswith("/query"):
            return cls(url, u, u[: -len("query")] + "update")
        if parts.path.endswith("/update"):
            return cls(url, u[: -len("update")] + "query", u)
        return cls(url, u, u)


class _Down(Exception):
    """The endpoint did not answer (connection error, timeout or 5xx) after every retry."""


def _opener(url: str):
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127."):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def http_post(url: str, body: bytes, content_type: str, accept: str | None = None,
              retries: int = 3, backoff: float = 0.5, timeout: float = 60.0) -> bytes:
    """POST with bounded retries (exponential backoff) on connection errors and 5xx.

    Raises ``_Down`` when the endpoint stays down, QueryError on 4xx (the request is wrong).
    """
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    opener = _opener(url)
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with opener.open(req, timeout=timeout) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read()[:300].decode("utf-8", "replace").split())
            if exc.code >= 500:
                reason = f"HTTP {exc.code} {detail}".strip()
                continue
            raise QueryError(f"{url} answered HTTP {exc.code}: {detail or exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            r = getattr(exc, "reason", None) or exc
            reason = str(getattr(r, "strerror", None) or r)
    raise _Down(f"SPARQL endpoint {url} is unreachable after {retries + 1} attempts ({reason})")


def _remote_query(ep: Endpoint, text: str, form: str, timeout: float) -> Rows:
    import pyoxigraph as ox

    accept = ("application/n-triples" if form == "CONSTRUCT"
              else "application/sparql-results+json")
    body = urllib.parse.urlencode({"query": prologue() + "\n" + text}).encode()
    try:
        data = http_post(ep.query_url, body, "application/x-www-form-urlencoded", accept,
                         retries=2, timeout=timeout)
    except _Down as exc:
        raise StoreError(str(exc)) from None
    if form == "CONSTRUCT":
        return _rows(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return _rows(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON))


def _remote_update(ep: Endpoint, text: str, timeout: float) -> None:
    try:
        http_post(ep.update_url, (prologue() + "\n" + text).encode("utf-8"),
                  "application/sparql-update", retries=2, timeout=timeout)
    except _Down as exc:
        raise StoreError(str(exc)) from None


# -- the one entry point -----------------------------------------------------------------
def _is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("http://", "https://"))


def sparql(target, query: str, *, bindings: Mapping[str, Any] | None = None,
           update: bool = False, timeout: float = 60.0) -> Rows:
    """Run a SPARQL query (or, with ``update=True``, an update) and return Rows.

    ``target``: a graph folder (default store ``DIR/oxigraph``), an ``http(s)://``
    endpoint, a KnowledgeGraph (loaded into memory) or a pyoxigraph Store. The usual
    prefixes (kg, rdf, rdfs, xsd, owl, skos, prov, schema, org) are predeclared.
    A syntax error or a write without ``update=True`` raises QueryError.
    """
    import pyoxigraph as ox

    if is_update(query):
        if not update:
            raise QueryError(f"refusing to run a SPARQL {operation(query)} update: the store is "
                             "read-only unless you pass --update (update=True)")
        if bindings:
            raise QueryError("bindings apply to queries, not to updates")
        if _is_url(target):
            _remote_update(Endpoint.parse(target), query, timeout)
            return Rows([{"result": "ok"}], columns=["result"])
        store = _store(target, read_only=False)
        try:
            store.update(query, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise _syntax_error(exc, query, "SPARQL update") from None
        except OSError as exc:
            raise QueryError(f"SPARQL update failed: {exc}") from None
        store.flush()
        return Rows([{"result": "ok"}], columns=["result"])
    form = check(query)
    text = bind_values(query, bindings)
    if bindings:
        check(text)
    if _is_url(target):
        return _remote_query(Endpoint.parse(target), text, form, timeout)
    store = _store(target, read_only=not update)
    try:
        return _rows(store.query(text, prefixes=PREFIXES))
    except SyntaxError as exc:
        raise _syntax_error(exc, text) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"SPARQL query failed: {' '.join(str(exc).split())}") from None


def _store(target, read_only: bool):
    import pyoxigraph as ox

    from .rdf import open_store, to_store

    if isinstance(target, ox.Store):
        return target
    if isinstance(target, KnowledgeGraph):
        return to_store(target)
    try:
        return open_store(target, read_only=read_only)
    except OSError as exc:
        raise StoreError(f"{target}: cannot open the Oxigraph store: {exc}") from None


def load_query(path: str | os.PathLike) -> str:
    """The text of a ``.rq`` file."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read the query file: {exc.strerror or exc}") from None


# -- push ------------------------------------------------------------------------------
@dataclass
class PushResult:
    """What a push did: batches sent now, skipped (landed in an earlier run), triples."""

    endpoint: str
    graph: str | None
    triples: int
    batches: int
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    state_file: str = ""


def _staging_graph(graph_iri: str) -> str:
    return "urn:health-kg:staging:" + hashlib.sha256(graph_iri.encode()).hexdigest()[:16]


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def push(graph_dir: str | os.PathLike, endpoint: str, graph_iri: str | None = None,
         batch: int = 5000, retries: int = 4, backoff: float = 0.5, timeout: float = 120.0,
         on_batch: Callable[[int, int], None] | None = None) -> PushResult:
    """Load the graph in DIR into a SPARQL 1.1 Update endpoint, ``batch`` triples per request.

    Without ``graph_iri`` the triples go to the default graph (RDF set semantics: sending
    a batch twice adds nothing). With it, batches go to a staging graph that replaces the
    named graph in one ``MOVE`` at the end, so readers never see half a graph and stale
    triples from an older build disappear. Landed batches are recorded in
    ``DIR/push-sparql.json``; a re-run of the same push resumes after them.
    """
    import pyoxigraph as ox

    from .rdf import ntriples_lines

    if batch < 1:
        raise StoreError("--batch must be at least 1")
    ep = Endpoint.parse(endpoint)
    if graph_iri is not None:
        try:
            ox.NamedNode(graph_iri)
        except ValueError:
            raise StoreError(f"not a valid graph IRI: {graph_iri!r}") from None
    graph = KnowledgeGraph.load(graph_dir)
    lines = list(dict.fromkeys(ntriples_lines(graph)))  # no duplicate lines
    digest = hashlib.sha256("".join(lines).encode("utf-8", "surrogatepass")).hexdigest()
    chunks = [lines[i:i + batch] for i in range(0, len(lines), batch)]
    state_path = Path(graph_dir) / PUSH_STATE
    state = _read_state(state_path)
    key = f"{ep.update_url} {graph_iri or 'DEFAULT'}"
    entry = state.get(key)
    staging = _staging_graph(graph_iri) if graph_iri else None
    result = PushResult(ep.url, graph_iri, len(lines), len(chunks), state_file=str(state_path))

    def post(text: str, what: str) -> None:
        try:
            http_post(ep.update_url, text.encode("utf-8"), "application/sparql-update",
                      retries=retries, backoff=backoff, timeout=timeout)
        except _Down as exc:
            done = len(entry["landed"])
            raise StoreError(f"{exc}; {done} of {len(chunks)} batches landed (recorded in "
                             f"{state_path}); re-run the same push to resume") from None
        except QueryError as exc:
            raise StoreError(f"{what} refused: {exc}") from None

    def save() -> None:
        entry["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        state[key] = entry
        write_atomic(state_path, json.dumps(state, ensure_ascii=False, indent=1))

    resume = (entry is not None and not entry.get("complete")
              and entry.get("digest") == digest and entry.get("batch_size") == batch
              and entry.get("batches") == len(chunks))
    if resume and staging and not _staging_intact(ep, staging, entry, chunks, timeout):
        resume = False
    if not resume:
        entry = {"endpoint": ep.update_url, "graph": graph_iri, "staging": staging,
                 "digest": digest, "batch_size": batch, "batches": len(chunks),
                 "triples": len(lines), "landed": [], "complete": False}
        if staging:
            post(f"DROP SILENT GRAPH <{staging}>", "clearing the staging graph")
        save()
    landed = set(entry["landed"])
    for i, chunk in enumerate(chunks):
        if i in landed:
            result.skipped.append(i)
            continue
        body = "".join(chunk)
        text = (f"INSERT DATA {{ GRAPH <{staging}> {{\n{body}}} }}" if staging
                else f"INSERT DATA {{\n{body}}}")
        post(text, f"batch {i + 1} of {len(chunks)}")
        landed.add(i)
        entry["landed"] = sorted(landed)
        save()
        result.sent.append(i)
        if on_batch is not None:
            on_batch(i, len(chunks))
    if staging:
        post(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph_iri}>",
             f"replacing graph <{graph_iri}>")
    entry["complete"] = True
    save()
    return result


def _staging_intact(ep: Endpoint, staging: str, entry: dict, chunks: list, timeout: float) -> bool:
    """Whether the staging graph still holds exactly the batches the record says landed."""
    want = sum(len(chunks[i]) for i in entry.get("landed", []))
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }}"
    try:
        rows = _remote_query(ep, q, "SELECT", timeout)
    except (StoreError, QueryError):
        return False
    return bool(rows) and rows[0].get("n") == want
