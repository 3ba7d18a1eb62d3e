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

import functools
import hashlib
import http.client
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

from .errors import DerivedStoreError, QueryError, StoreError
from .graph import KnowledgeGraph, write_atomic
from .query import Rows
from .rdf import PREFIXES, STORE_DIR, XSD
from .remote import CONNECT_TIMEOUT, TIMEOUT, RetryPolicy

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY",
                   "WITH")
QUERY_KEYWORDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
PUSH_STATE = "push-sparql.json"


# -- reading a query's text ------------------------------------------------------------
#: SPARQL's tokens, as far as reading a query's form, its WHERE group and its keywords needs
#: them; agrees with Oxigraph's parser: a comment ends at CR or LF; strings (short and long,
#: with escapes), IRIs, variables, language tags, prefixed names and blank nodes, and bare
#: words (keywords) are told apart; anything else is skipped a character at a time.
_TOKEN_RE = re.compile(r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'{3}(?:[^'\\]|\\.|'(?!''))*'{3}|"{3}(?:[^"\\]|\\.|"(?!""))*"{3}
              |'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:[\w.\-:%\\]*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<punct>[{}()])
""", re.VERBOSE | re.DOTALL)


def _tokens(text: str):
    """(kind, text, start) of every token but comments, in order."""
    for m in _TOKEN_RE.finditer(text):
        if m.lastgroup != "comment":
            yield m.lastgroup, m.group(0), m.start()


def operation(text: str) -> str:
    """The query form or update operation: the first keyword after PREFIX/BASE and comments."""
    skip = 0
    for kind, tok, _ in _tokens(text):
        if skip:
            skip -= 1
            continue
        word = tok.upper() if kind == "word" else ""
        if word in ("PREFIX", "BASE"):
            skip = 2 if word == "PREFIX" else 1
            continue
        return word
    return ""


def is_update(text: str) -> bool:
    return operation(text) in UPDATE_KEYWORDS


def keywords(text: str) -> list[str]:
    """The bare words of a query or update (its keywords, upper-cased) in order: never a
    word inside a string, IRI, comment, prefixed name or variable."""
    return [tok.upper() for kind, tok, _ in _tokens(text) if kind == "word"]


#: Keywords that make the engine fetch another server's data (a federated query, a LOAD).
NETWORK_KEYWORDS = ("SERVICE", "LOAD")


def check_local(text: str, federated: bool) -> None:
    """Refuse, unless ``federated``, a query or update that would make the embedded engine
    call other servers (``SERVICE <http://…>``, ``LOAD <http://…>``): Oxigraph follows any URL."""
    found = [k for k in dict.fromkeys(keywords(text)) if k in NETWORK_KEYWORDS]
    if found and not federated:
        raise QueryError(f"refusing a query that calls other servers ({', '.join(found)}): federated "
                         f"queries are off; pass --federated (federated=True) to allow them")


def _where_brace(text: str) -> int | None:
    """Index of the ``{`` that opens the WHERE group, skipping comments, strings and IRIs.

    None for ``CONSTRUCT WHERE { … }`` (its group is also the template).
    """
    tops: list[tuple[int, str]] = []
    brace = paren = 0
    last = ""
    for kind, tok, i in _tokens(text):
        if tok == "(":
            paren += 1
        elif tok == ")":
            paren -= 1
        elif tok == "{":
            if brace == 0 and paren == 0:
                tops.append((i, last))
            brace += 1
        elif tok == "}":
            brace -= 1
        last = tok.upper() if kind == "word" else ""
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


_HERE = re.compile(r"^[ \t]*#[ \t]*parameters[ \t]*$", re.MULTILINE)


def bind_values(query: str, bindings: Mapping[str, Any] | None) -> str:
    """The query with a VALUES block for ``bindings`` at the start of its WHERE group.

    At the start of the group the values join every pattern and are visible to the
    group's FILTERs, and Oxigraph evaluates them first. A query whose parameters are needed
    inside a sub-select (which sees nothing of the groups around it) marks the place with a
    line ``# parameters``; the block replaces that line. Either way the line numbers in
    error messages stay right.
    """
    if not bindings:
        return query
    block = values_block(bindings)
    here = _HERE.search(query)
    if here:
        return query[:here.start()] + block + query[here.end():]
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

    Runs it lazily on an empty in-memory store: nothing is evaluated until iterated, except
    a SERVICE call, which Oxigraph makes at once; a query with one is not run here (its form
    comes from its text; the target's own parser reports its errors).
    """
    import pyoxigraph as ox

    if "SERVICE" in keywords(query):
        return {"ASK": "ASK", "CONSTRUCT": "CONSTRUCT", "DESCRIBE": "CONSTRUCT"}.get(operation(query), "SELECT")
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


class _ConnectTimeout:
    """An HTTP(S) connection that waits ``connect_timeout`` to connect, then ``timeout`` per read."""

    def __init__(self, *args, connect_timeout: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_timeout, self.timeout = self.timeout, connect_timeout

    def connect(self):
        super().connect()
        self.sock.settimeout(self.read_timeout)


class _Connection(_ConnectTimeout, http.client.HTTPConnection):
    pass


class _TLSConnection(_ConnectTimeout, http.client.HTTPSConnection):
    pass


class _Handler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    def __init__(self, connect_timeout: float):
        urllib.request.HTTPHandler.__init__(self)
        urllib.request.HTTPSHandler.__init__(self)
        self.connect_timeout = connect_timeout

    def http_open(self, req):
        return self.do_open(functools.partial(_Connection, connect_timeout=self.connect_timeout), req)

    def https_open(self, req):
        return self.do_open(functools.partial(_TLSConnection, connect_timeout=self.connect_timeout), req,
                            context=self._context)


def _opener(url: str, connect_timeout: float):
    handlers = [_Handler(connect_timeout)]
    host = urllib.parse.urlsplit(url).hostname or ""
    if host in ("localhost", "::1") or host.startswith("127."):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def http_post(url: str, body: bytes, content_type: str, accept: str | None = None,
              policy: RetryPolicy = RetryPolicy()) -> bytes:
    """POST with the retries, timeouts and capped backoff of ``policy`` on connection errors,
    timeouts and 5xx answers.

    Raises ``_Down`` when the endpoint stays down until the policy gives up, QueryError on
    4xx (the request is wrong).
    """
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    opener = _opener(url, policy.connect_timeout)
    reason, tried, t0 = "no attempt", 0, time.monotonic()
    for tried, left in policy.attempts():
        req = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with opener.open(req, timeout=left) as resp:
                return resp.read()
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read()[:300].decode("utf-8", "replace").split())
            if exc.code >= 500:
                reason = f"HTTP {exc.code} {detail}".strip()
                continue
            raise QueryError(f"{url} answered HTTP {exc.code}: {detail or exc.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            r = getattr(exc, "reason", None) or exc
            reason = str(getattr(r, "strerror", None) or r) or type(r).__name__
    raise _Down(f"SPARQL endpoint {url} is unreachable after {tried} attempt{'s' * (tried != 1)} in "
                f"{time.monotonic() - t0:.0f}s ({reason}; --timeout {policy.timeout:g}, --retries {policy.retries})")


def _remote_query(ep: Endpoint, text: str, form: str, policy: RetryPolicy) -> Rows:
    import pyoxigraph as ox

    accept = ("application/n-triples" if form == "CONSTRUCT"
              else "application/sparql-results+json")
    body = urllib.parse.urlencode({"query": prologue() + "\n" + text}).encode()
    try:
        data = http_post(ep.query_url, body, "application/x-www-form-urlencoded", accept, policy)
    except _Down as exc:
        raise StoreError(str(exc)) from None
    if form == "CONSTRUCT":
        return _rows(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
    return _rows(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON))


def _remote_update(ep: Endpoint, text: str, policy: RetryPolicy) -> None:
    try:
        http_post(ep.update_url, (prologue() + "\n" + text).encode("utf-8"),
                  "application/sparql-update", policy=policy)
    except _Down as exc:
        raise StoreError(str(exc)) from None


# -- the one entry point -----------------------------------------------------------------
def _is_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("http://", "https://"))


def sparql(target, query: str, *, bindings: Mapping[str, Any] | None = None,
           update: bool = False, federated: bool = False, retries: int = 2,
           timeout: float = TIMEOUT, connect_timeout: float = CONNECT_TIMEOUT) -> Rows:
    """Run a SPARQL query (or, with ``update=True``, an update) and return Rows.

    ``target``: a graph folder (its store ``DIR/oxigraph``, read-only: it is derived from
    graph.json, so updates there raise DerivedStoreError), an ``http(s)://`` endpoint, a
    KnowledgeGraph (loaded into memory) or a pyoxigraph Store. The usual prefixes (kg, rdf,
    rdfs, xsd, owl, skos, prov, schema, org) are predeclared. A syntax error, a write
    without ``update=True``, or (on a local store, unless ``federated``) a ``SERVICE`` or
    ``LOAD`` that would reach another server raises QueryError. An endpoint gets
    ``retries``, ``timeout`` and ``connect_timeout`` (seconds; see kg.remote.RetryPolicy).
    """
    import pyoxigraph as ox

    policy = RetryPolicy(retries=retries, timeout=timeout, connect_timeout=connect_timeout)
    if is_update(query):
        if not update:
            raise QueryError(f"refusing to run a SPARQL {operation(query)} update: the store is "
                             "read-only unless you pass --update (update=True)")
        if bindings:
            raise QueryError("bindings apply to queries, not to updates")
        if _is_url(target):
            _remote_update(Endpoint.parse(target), query, policy)
            return Rows([{"result": "ok"}], columns=["result"])
        if not isinstance(target, (ox.Store, KnowledgeGraph)):
            raise DerivedStoreError(str(Path(target) / STORE_DIR),
                                    "push it to a SPARQL server (kg push sparql) and update that "
                                    "(kg sparql --endpoint URL --update)")
        check_local(query, federated)
        store = _store(target, read_only=False)
        try:
            store.update(query, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise _syntax_error(exc, query, "SPARQL update") from None
        except OSError as exc:
            raise QueryError(f"SPARQL update failed: {exc}") from None
        store.flush()
        return Rows([{"result": "ok"}], columns=["result"])
    if not _is_url(target):
        check_local(query, federated)
    form = check(query)
    text = bind_values(query, bindings)
    if bindings:
        check(text)
    if _is_url(target):
        return _remote_query(Endpoint.parse(target), text, form, policy)
    store = _store(target, read_only=True)
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
         batch: int = 5000, retries: int = 4, backoff: float = 0.5, timeout: float = TIMEOUT,
         connect_timeout: float = CONNECT_TIMEOUT,
         on_batch: Callable[[int, int], None] | None = None) -> PushResult:
    """Load the graph in DIR into a SPARQL 1.1 Update endpoint, ``batch`` triples per request.

    Without ``graph_iri`` the triples go to the default graph (RDF set semantics: sending
    a batch twice adds nothing). With it, batches go to a staging graph that replaces the
    named graph in one ``MOVE`` at the end, so readers never see half a graph and stale
    triples from an older build disappear. Landed batches are recorded in
    ``DIR/push-sparql.json``; a re-run of the same push resumes after them.

    Each request is retried ``retries`` times on connection errors, timeouts and 5xx, with
    a pause of ``backoff`` · 2ⁿ seconds (at most kg.remote.MAX_BACKOFF); it is given up
    when it has not succeeded within ``timeout`` seconds, attempts and pauses included,
    and a connection must be accepted within ``connect_timeout`` (kg.remote.RetryPolicy).
    """
    import pyoxigraph as ox

    from .rdf import ntriples_lines

    if batch < 1:
        raise StoreError("--batch must be at least 1")
    ep = Endpoint.parse(endpoint)
    policy = RetryPolicy(retries=retries, backoff=backoff, timeout=timeout, connect_timeout=connect_timeout)
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
            http_post(ep.update_url, text.encode("utf-8"), "application/sparql-update", policy=policy)
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
    if resume and staging and not _staging_intact(ep, staging, entry, chunks, policy):
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


def _staging_intact(ep: Endpoint, staging: str, entry: dict, chunks: list, policy: RetryPolicy) -> bool:
    """Whether the staging graph still holds exactly the batches the record says landed."""
    want = sum(len(chunks[i]) for i in entry.get("landed", []))
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{staging}> {{ ?s ?p ?o }} }}"
    try:
        rows = _remote_query(ep, q, "SELECT", policy)
    except (StoreError, QueryError):
        return False
    return bool(rows) and rows[0].get("n") == want
