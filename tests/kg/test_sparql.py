"""kg.sparql and the example queries: local store, bindings, read-only, endpoints and push."""
from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphs import random_graph  # tests/kg/graphs.py
from twins import same_as_python as twins_same  # tests/kg/twins.py
from twins import sparql_rows, twins
from kg import rdf
from kg.cli import main
from kg.errors import DerivedStoreError, QueryError, StoreError
from kg.graph import KnowledgeGraph
from kg.model import Entity
from kg.sparql import (Endpoint, bind_values, is_update, load_query, operation, push, sparql,
                       values_block)

QUERIES = Path(__file__).resolve().parents[2] / "examples" / "queries"


def q(name: str) -> str:
    return load_query(QUERIES / f"{name}.rq")


def built(graph: KnowledgeGraph, path: Path) -> Path:
    """A graph folder as `kg build` leaves it (graph.json + RDF files + store)."""
    graph.save(path)
    rdf.write_rdf(graph, path)
    return path


@pytest.fixture
def rdf_dir(tmp_path, rdf_graph):
    return built(rdf_graph, tmp_path / "g")


# -- query text: operation, read-only, syntax errors --------------------------------------------

@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "PREFIX x: <http://x#> # a comment with SELECT\n delete where { ?s ?p ?o }",
    "LOAD <http://example.org/x.ttl>", "CLEAR ALL", "DROP ALL", "CREATE GRAPH <http://g>",
    "BASE <http://b/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_without_update(rdf_dir, text):
    n = len(rdf.open_store(rdf_dir))
    with pytest.raises(QueryError, match="--update"):
        sparql(rdf_dir, text)
    assert is_update(text)
    assert len(rdf.open_store(rdf_dir)) == n


def test_queries_are_not_updates():
    for text in ["SELECT * WHERE { ?s ?p ?o }", "# INSERT\nASK {}", "PREFIX a: <http://x#insert>\nDESCRIBE <x>"]:
        assert not is_update(text)
    assert operation("prefix kg: <http://x#>\n  construct { } where { }") == "CONSTRUCT"


def test_the_built_store_takes_no_updates_even_with_the_flag(rdf_dir, rdf_graph):
    """The store is derived from graph.json: an update there would disagree with `kg ask` and
    outlive an unchanged rebuild, so it is refused; an in-memory store takes it."""
    n = len(rdf.open_store(rdf_dir))
    insert = 'INSERT DATA { <http://a> kg:note "x" }'
    with pytest.raises(DerivedStoreError, match="derived from graph.json"):
        sparql(rdf_dir, insert, update=True)
    res = CliRunner().invoke(main, ["sparql", "-g", str(rdf_dir), "--update", "DELETE WHERE { ?s ?p ?o }"])
    assert res.exit_code == 2 and "kg push sparql" in res.output and len(res.output.strip().splitlines()) == 1
    assert len(rdf.open_store(rdf_dir)) == n
    assert sparql(rdf_dir, "ASK { <http://a> kg:note ?x }")[0]["result"] is False
    store = rdf.to_store(rdf_graph)
    sparql(store, insert, update=True)
    assert sparql(store, "ASK { <http://a> kg:note ?x }")[0]["result"] is True


class _Counting(http.server.BaseHTTPRequestHandler):
    """Counts the requests it gets and answers an empty SPARQL result."""

    hits: list = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        if self.command == "POST":
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"head": {"vars": []}, "results": {"bindings": [{}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *a):
        pass


@pytest.fixture
def counting_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counting.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_federated_queries_are_off_unless_asked(rdf_dir, rdf_graph, counting_server):
    url = counting_server
    for text in (f"SELECT * WHERE {{ SERVICE <{url}/a> {{ ?s ?p ?o }} }}",
                 f"select * where {{ ?s ?p ?o . service silent <{url}/b> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ # a comment that a CR ends\rSERVICE <{url}/c> {{ ?s ?p ?o }} }}",
                 f"SELECT * WHERE {{ ?s ?p true.SERVICE <{url}/d> {{ ?s ?p ?o }} }}"):
        with pytest.raises(QueryError, match="--federated"):
            sparql(rdf_dir, text)
        res = CliRunner().invoke(main, ["sparql", "-g", str(rdf_dir), text])
        assert res.exit_code == 2 and "--federated" in res.output
        with pytest.raises(QueryError, match="--federated"):
            sparql(rdf.to_store(rdf_graph), f"INSERT {{ ?s ?p ?o }} WHERE {{ {text[text.index('{') + 1:]}",
                   update=True)
    assert _Counting.hits == []  # not one request left the machine
    for word in ("service", "SERVICE"):  # as a name, a string, an IRI or a variable it is only data
        rows = sparql(rdf_dir, f'PREFIX {word}: <http://{word}/> SELECT ?{word} WHERE {{ '
                               f'BIND("{word}" AS ?{word}) FILTER(?{word} != {word}:x) }} # {word} <{url}/e>')
        assert [r[word] for r in rows] == [word]
    assert _Counting.hits == []
    sparql(rdf_dir, f"SELECT * WHERE {{ SERVICE <{url}/allowed> {{ ?s ?p ?o }} }}", federated=True)
    res = CliRunner().invoke(main, ["sparql", "-g", str(rdf_dir), "--federated",
                                    f"SELECT * WHERE {{ SERVICE <{url}/cli> {{ ?s ?p ?o }} }}"])
    assert res.exit_code == 0, res.output
    assert [h.split("?")[0] for h in _Counting.hits] == ["/allowed", "/cli"]
    _Counting.hits = []  # an endpoint runs SERVICE itself: the query goes there, nothing else is called
    sparql(url, f"SELECT * WHERE {{ SERVICE <{url}/from-here> {{ ?s ?p ?o }} }}")
    assert _Counting.hits == ["/query"]


def test_syntax_error_is_one_line_with_position(rdf_dir):
    text = "SELECT ?h\nWHERE {\n  ?h a kg:Hospital .\n  FILTER( }"
    with pytest.raises(QueryError) as err:
        sparql(rdf_dir, text)
    msg = str(err.value)
    assert "\n" not in msg and "line 4, column" in msg and "FILTER(" in msg
    res = CliRunner().invoke(main, ["sparql", "-g", str(rdf_dir), text])
    assert res.exit_code == 2
    assert res.output.strip().count("\n") == 0 and "line 4, column" in res.output


def test_predeclared_prefixes_and_query_forms(rdf_dir):
    rows = sparql(rdf_dir, "SELECT ?n WHERE { ?h a kg:Alliance ; schema:name ?n }")
    assert rows.columns == ["n"] and [r["n"] for r in rows] == ["饶平县医共体"]
    assert sparql(rdf_dir, "ASK { ?e a prov:Entity ; a kg:Evidence }")[0]["result"] is True
    own = sparql(rdf_dir, "PREFIX kg: <http://other#> ASK { ?x a kg:Hospital }")
    assert own[0]["result"] is False
    triples = sparql(rdf_dir, "CONSTRUCT { ?h skos:prefLabel ?n } WHERE { ?h a kg:Alliance ; skos:prefLabel ?n }")
    assert triples.columns == ["subject", "predicate", "object"] and len(triples) == 1
    described = sparql(rdf_dir, f"DESCRIBE <{rdf.iri('Alliance/饶平县医共体')}>")
    assert {r["predicate"] for r in described} >= {rdf.SCHEMA + "name", rdf.KG + "entityId"}


def test_typed_values_come_back_as_python_values(rdf_dir):
    rows = sparql(rdf_dir, "SELECT ?s ?c ?sp WHERE { ?e kg:startOffset ?s ; kg:confidence ?c ."
                           " ?d kg:spun ?sp } LIMIT 1")
    r = rows[0]
    assert isinstance(r["s"], int) and isinstance(r["c"], float) and r["sp"] is True


def test_a_graph_folder_without_graph_is_a_clear_error(tmp_path):
    res = CliRunner().invoke(main, ["sparql", "-g", str(tmp_path / "nothing"), "ASK {}"])
    assert res.exit_code == 2 and "kg build" in res.output


# -- bindings: values never become query text -----------------------------------------------

NASTY = ['测试"} ; DROP ALL #医院', "{花括号}医院", "反\\斜杠'单引号'医院\n换行"]


@pytest.mark.parametrize("name", NASTY)
def test_bound_names_with_quotes_braces_and_injection_are_only_values(rdf_dir, rdf_graph, name):
    n = len(rdf.open_store(rdf_dir))
    rows = sparql_rows(rdf_dir, "partners_of", rdf_graph, {"name": name})
    assert [(r["entity"], r["direction"], r["relation"], r["other"]) for r in rows] == [
        ('测试"} ; DROP ALL #医院', "out", "SUPPORTS", "饶平县")]
    assert len(rdf.open_store(rdf_dir)) == n


def test_values_block_is_escaped_by_pyoxigraph():
    block = values_block({"name": 'a"} ; DROP ALL #', "n": 3, "iri": "<http://x/y>"})
    assert block == ('VALUES (?name ?n ?iri) { ("a\\"} ; DROP ALL #" '
                     '"3"^^<http://www.w3.org/2001/XMLSchema#integer> <http://x/y>) }')
    with pytest.raises(QueryError):
        values_block({"bad name": "x"})
    with pytest.raises(QueryError):
        values_block({"x": "<not an iri>"})


def test_values_go_into_the_where_group_past_comments_strings_and_iris(rdf_dir):
    text = ('# { a brace in a comment\nSELECT ?n (STR("{") AS ?b) FROM <http://x/a#b>\n'
            'WHERE { ?h schema:name ?n . FILTER(?n = ?want || CONTAINS(?n, "}")) }')
    bound = bind_values(text, {"want": "饶平县人民医院"})
    assert bound.splitlines()[:2] == text.splitlines()[:2]
    assert 'WHERE { VALUES (?want) { ("饶平县人民医院") }' in bound
    construct = bind_values("CONSTRUCT { ?h kg:x ?n } WHERE { ?h schema:name ?n }", {"n": "x"})
    assert construct.index("VALUES") > construct.index("WHERE")
    rows = sparql(rdf_dir, "SELECT ?h WHERE { ?h schema:name ?n . FILTER(?n = ?want) }",
                  bindings={"want": "饶平县人民医院"})
    assert [r["h"] for r in rows] == [rdf.iri("Hospital/445122/人民医院")]


def test_cli_bind_and_formats(rdf_dir, rdf_graph):
    runner = CliRunner()
    res = runner.invoke(main, ["sparql", "-g", str(rdf_dir), "-f", str(QUERIES / "evidence_for_edge.rq"),
                               "--bind", "source=暨大附一", "--bind", "target=饶平县人民医院",
                               "--bind", "relation=MANAGES", "--format", "json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert row["sentence"] == "引进暨南大学附属第一医院全面托管县人民医院"
    assert row["title"] == rdf_graph.documents["001_ac16e4c53687c849.txt"]["title"]
    res = runner.invoke(main, ["sparql", "-g", str(rdf_dir), "--format", "csv",
                               "SELECT ?n WHERE { ?x a kg:Alliance ; schema:name ?n }"])
    assert res.output.split() == ["n", "饶平县医共体"]
    res = runner.invoke(main, ["sparql", "-g", str(rdf_dir), "--bind", "oops", "ASK {}"])
    assert res.exit_code == 2


# -- the example queries: the same rows as the Python helpers ------------------------------------

def same_as_python(graph: KnowledgeGraph, target) -> int:
    """Every twin's SPARQL form on ``target`` gives the Python helper's rows (twins.py)."""
    return twins_same(graph, lambda twin, params: sparql_rows(target, twin, graph, params))


def test_every_example_query_says_what_it_asks():
    files = sorted(QUERIES.glob("*.rq"))
    assert {f.stem for f in files} == set(twins())
    for f in files:
        assert f.read_text(encoding="utf-8").startswith("# "), f.name


def test_example_queries_equal_the_python_helpers_on_the_seed_graph(seed_build):
    graph, out = seed_build
    assert same_as_python(graph, rdf.open_store(out)) > 20


@pytest.mark.parametrize("seed", range(6))
def test_example_queries_equal_the_python_helpers_on_random_graphs(seed):
    g = random_graph(seed, 80, dangling=True)
    assert g.supports()  # the generator makes some support
    assert same_as_python(g, g) > 10


def test_example_queries_on_hand_made_graphs(rdf_graph, tiny_graph):
    for g in (rdf_graph, tiny_graph):
        assert same_as_python(g, g)
    pairs = {(r.supporter_id, r.recipient_id) for r in rdf_graph.supports()}
    assert ("Hospital/暨南大学附属第一医院", "County/445122") in pairs  # MANAGES rolled up
    assert ("Hospital/445122/人民医院", "County/445122") not in pairs  # inside one county


# -- endpoints and push (a real Oxigraph server) ---------------------------------------------------

def test_endpoint_urls():
    assert Endpoint.parse("http://h:7878").update_url == "http://h:7878/update"
    assert Endpoint.parse("http://h:7878/").query_url == "http://h:7878/query"
    assert Endpoint.parse("http://h/ds/query").update_url == "http://h/ds/update"
    assert Endpoint.parse("https://h/sparql").update_url == "https://h/sparql"
    with pytest.raises(QueryError):
        Endpoint.parse("ftp://h")


def _count(url: str, graph: str | None = None) -> int:
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return sparql(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0]["n"]


def _distinct_lines(graph: KnowledgeGraph) -> int:
    return len(set(rdf.ntriples_lines(graph)))


@pytest.mark.server
def test_example_queries_give_the_same_rows_locally_and_on_the_server(oxigraph_server, seed_build):
    graph, out = seed_build
    url = oxigraph_server.url
    sparql(url, "CLEAR DEFAULT", update=True)
    push(out, url, batch=1000)
    assert _count(url) == _distinct_lines(graph)
    assert same_as_python(graph, url) > 20
    res = CliRunner().invoke(main, ["sparql", "--endpoint", url, "-g", str(out), "--format", "json",
                                    "-f", str(QUERIES / "partners_of.rq"), "--bind", f"name={NASTY[0]}"])
    assert res.exit_code == 1 and "no entity called" in res.output


@pytest.mark.server
def test_push_to_a_named_graph_replaces_it_without_duplicates(oxigraph_server, tmp_path, rdf_graph):
    url, graph_iri = oxigraph_server.url, "urn:test:named"
    d = built(rdf_graph, tmp_path / "g")
    first = push(d, url, graph_iri=graph_iri, batch=50)
    n = _distinct_lines(rdf_graph)
    assert first.sent == list(range(first.batches)) and _count(url, graph_iri) == n
    again = CliRunner().invoke(main, ["push", "sparql", "--endpoint", url, "-g", str(d),
                                      "--graph", graph_iri, "--batch", "50", "-q"])
    assert again.exit_code == 0, again.output
    assert _count(url, graph_iri) == n
    # a rebuilt graph with fewer edges replaces the old one (no stale triples left)
    del rdf_graph.relations[("Hospital/445122/人民医院", "LEADS", "Alliance/饶平县医共体")]
    built(rdf_graph, d)
    push(d, url, graph_iri=graph_iri, batch=50)
    assert _count(url, graph_iri) == _distinct_lines(rdf_graph) < n
    staging = sparql(url, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                          "FILTER(STRSTARTS(STR(?g), 'urn:health-kg:staging')) }")
    assert staging[0]["n"] == 0


def test_push_to_a_dead_port_is_one_clear_line_and_exit_3(tmp_path, rdf_graph):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    d = built(rdf_graph, tmp_path / "g")
    res = CliRunner().invoke(main, ["push", "sparql", "--endpoint", f"http://127.0.0.1:{port}",
                                    "-g", str(d), "--retries", "1", "-q"])
    assert res.exit_code == 3
    line = res.output.strip()
    assert "\n" not in line and f"127.0.0.1:{port}" in line and "unreachable" in line
    state = json.loads((d / "push-sparql.json").read_text())
    assert [e["landed"] for e in state.values()] == [[]]


@pytest.mark.server
def test_push_survives_the_server_dying_mid_push_and_resumes(oxigraph_factory, tmp_path, rdf_graph):
    location = tmp_path / "server-store"
    server = oxigraph_factory(location)
    d = built(rdf_graph, tmp_path / "g")
    seen = []

    def kill_after_two(i, n):
        seen.append(i)
        if len(seen) == 2:
            server.stop()

    with pytest.raises(StoreError) as err:
        push(d, server.url, batch=40, retries=2, backoff=0.01, on_batch=kill_after_two)
    assert server.url in str(err.value) and "2 of" in str(err.value)
    state = json.loads((d / "push-sparql.json").read_text())
    (entry,) = state.values()
    assert entry["landed"] == [0, 1] and entry["complete"] is False
    server = oxigraph_factory(location, port=server.port)  # back up, same data
    res = push(d, server.url, batch=40, retries=2, backoff=0.01)
    assert res.skipped == [0, 1] and res.sent == list(range(2, res.batches))
    n = _distinct_lines(rdf_graph)
    assert _count(server.url) == n
    push(d, server.url, batch=40)  # a complete push again: set semantics, nothing doubles
    assert _count(server.url) == n


class _Flaky(http.server.BaseHTTPRequestHandler):
    fail_first = 2
    calls = 0

    def do_POST(self):  # noqa: N802
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        code = 503 if type(self).calls <= type(self).fail_first else 204
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def test_push_retries_5xx_with_backoff_then_gives_up_clearly(tmp_path, rdf_graph):
    d = built(rdf_graph, tmp_path / "g")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        res = push(d, url, batch=10_000, retries=3, backoff=0.01)
        assert res.sent == [0] and _Flaky.calls == 3
        _Flaky.calls, _Flaky.fail_first = 0, 99
        with pytest.raises(StoreError, match="HTTP 503"):
            push(d, url, batch=10_000, retries=2, backoff=0.01)
        assert _Flaky.calls == 3
    finally:
        server.shutdown()
        server.server_close()


def test_a_silent_endpoint_fails_within_the_timeout(tmp_path, rdf_graph):
    """An endpoint that accepts connections and never answers held a push for 609 s."""
    import socket
    import time

    d = built(rdf_graph, tmp_path / "g")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # the kernel accepts; nobody ever reads or answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for args in (["push", "sparql", "--endpoint", url, "-g", str(d), "--retries", "20", "-q"],
                     ["sparql", "--endpoint", url, "--retries", "20", "ASK {}"]):
            t0 = time.monotonic()
            res = CliRunner().invoke(main, args + ["--timeout", "3", "--connect-timeout", "1"])
            took = time.monotonic() - t0
            assert res.exit_code == 3, res.output
            line = res.output.strip()
            assert "\n" not in line and url in line and "timed out" in line, line
            assert 2.5 < took < 8, (args, took)
        t0 = time.monotonic()
        with pytest.raises(StoreError, match="timed out"):
            push(d, url, retries=20, timeout=2, connect_timeout=1)
        assert time.monotonic() - t0 < 6
