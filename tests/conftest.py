"""Shared fixtures. Each block is self-contained; add yours below with its own imports."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# In CI the property tests replay a fixed set of examples, so a green main stays green;
# the open-ended search for new failures is `make fuzz` (bench/fuzz.py) and local runs.
if os.environ.get("CI"):
    from hypothesis import settings as _hyp

    _hyp.register_profile("ci", derandomize=True, print_blob=True)
    _hyp.load_profile("ci")


# The tests keep their prepared data (loaders/prepared.py) in a folder of their own, not in the
# user's ~/.cache/health-kg; processes the tests start inherit it. Shared by the xdist workers and
# kept between runs (same machine, same code: the files are reused).
if not os.environ.get("KG_PREPARED_DIR"):
    import tempfile as _tempfile

    os.environ["KG_PREPARED_DIR"] = os.path.join(_tempfile.gettempdir(), f"health-kg-prepared-tests-{os.getuid()}")


# -- graphs for query and export tests (issue 8) -----------------------------------------------

QUERY_ARTICLES = ROOT / "tests" / "data" / "query"

@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The graph built from seeds/ and ``tests/data/query`` once per session: (KnowledgeGraph,
    output folder). The query articles state plainly what the query tests lean on (a city, a
    town health centre and a county hospital as recipients), so they do not hang on seed pairs that score near the
    threshold and come and go as the model is retrained."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seed-graph")
    res = build([str(ROOT / "seeds"), str(QUERY_ARTICLES)], out=out)
    assert res.documents, "no seed article could be read"
    return res.graph, out


@pytest.fixture
def seed_graph(seed_build):
    return seed_build[0]


def make_tiny_graph():
    """A hand-made graph of a few facts from the seed articles, small enough to check by eye.

    广东省第二人民医院 (广州) manages 阳山县人民医院, which leads the 阳山 医共体 that the
    黎埠镇 health centre belongs to; 北京市 supports 同卡镇卫生院, which only carries a
    division key (no LOCATED_IN), so its province must come from the division data.
    """
    from kg.graph import KnowledgeGraph
    from kg.model import Entity, Evidence, Relation

    g = KnowledgeGraph()

    def region(eid, typ, name, code, path, lon, lat, aliases=()):
        g.add_entity(Entity(eid, typ, name, set(aliases),
                            {"division": code, "code": code, "region": path, "lon": lon, "lat": lat},
                            {"d1": 1}))

    region("Province/440000", "Province", "广东省", "440000", "广东省", 113.26641, 23.132324, ["广东"])
    region("City/441800", "City", "清远市", "441800", "广东省清远市", 113.056042, 23.681774)
    region("County/441823", "County", "阳山县", "441823", "广东省清远市阳山县", 112.641363, 24.465359)
    region("City/440100", "City", "广州市", "440100", "广东省广州市", 113.264385, 23.12911)
    region("Province/110000", "Province", "北京市", "110000", "北京市", 116.407394, 39.904211)
    region("Province/540000", "Province", "西藏自治区", "540000", "西藏自治区", 91.117525, 29.647535)
    region("City/540300", "City", "昌都市", "540300", "西藏自治区昌都市", 97.17202, 31.140969)
    g.add_entity(Entity("Town/441823/黎埠镇", "Town", "黎埠镇", set(),
                        {"division": "441823/黎埠镇", "region": "广东省清远市阳山县黎埠镇"}, {"d1": 1}))

    def node(eid, typ, name, aliases=(), **attrs):
        g.add_entity(Entity(eid, typ, name, set(aliases), attrs, {"d1": 1}))

    node("Hospital/440000/第二人民医院", "Hospital", "广东省第二人民医院", ["省第二人民医院"],
         division="440100")
    node("Hospital/441823/人民医院", "Hospital", "阳山县人民医院", ["县人民医院"], division="441823")
    node("Hospital/441823/黎埠镇/卫生院", "Hospital", "阳山县黎埠镇卫生院", division="441823/黎埠镇")
    node("Hospital/540326/同卡镇/卫生院", "Hospital", "同卡镇卫生院", division="540326")
    node("Alliance/阳山县域医共体总医院", "Alliance", "阳山县域医共体总医院")
    node("Agency/国家卫生健康委员会", "Agency", "国家卫生健康委员会", ["国家卫健委"])
    node("Agency/440000/卫生健康委员会", "Agency", "广东省卫生健康委员会", ["广东省卫健委"],
         division="440000")
    node("Agency/441823/卫生健康局", "Agency", "阳山县卫生健康局", division="441823")
    node("Program/百县千镇万村高质量发展工程", "Program", "百县千镇万村高质量发展工程", ["百千万工程"])
    node("Program/乡村医生培训计划", "Program", "乡村医生培训计划")
    node("Policy/关于深化改革促进乡村医疗卫生体系健康发展的实施方案", "Policy",
         "关于深化改革促进乡村医疗卫生体系健康发展的实施方案")

    def rel(src, kind, dst, sentence, doc="d1"):
        ev = Evidence(doc, sentence, 0, len(sentence), "test", path=f"{doc}.txt")
        g.add_relation(Relation(src, kind, dst, evidence=[ev]))

    for child, parent in [("City/441800", "Province/440000"), ("County/441823", "City/441800"),
                          ("City/440100", "Province/440000"), ("City/540300", "Province/540000"),
                          ("Town/441823/黎埠镇", "County/441823"),
                          ("Hospital/440000/第二人民医院", "City/440100"),
                          ("Hospital/441823/人民医院", "County/441823"),
                          ("Hospital/441823/黎埠镇/卫生院", "Town/441823/黎埠镇"),
                          ("Agency/440000/卫生健康委员会", "Province/440000"),
                          ("Agency/441823/卫生健康局", "County/441823")]:
        rel(child, "LOCATED_IN", parent, "位于")
    rel("Hospital/440000/第二人民医院", "MANAGES", "Hospital/441823/人民医院",
        "依托省第二人民医院与县人民医院开启“组团式”托管帮扶")
    rel("Hospital/440000/第二人民医院", "MANAGES", "Hospital/441823/人民医院",
        "省第二人民医院全面托管县人民医院", doc="d2")
    rel("Hospital/441823/人民医院", "LEADS", "Alliance/阳山县域医共体总医院", "由阳山县人民医院牵头")
    rel("Hospital/441823/黎埠镇/卫生院", "MEMBER_OF", "Alliance/阳山县域医共体总医院", "整合乡镇卫生院")
    rel("Province/110000", "SUPPORTS", "Hospital/540326/同卡镇/卫生院", "北京市对口支援同卡镇卫生院")
    rel("Agency/国家卫生健康委员会", "SUPPORTS", "Province/540000", "国家卫健委援藏")
    rel("Agency/441823/卫生健康局", "RUNS", "Program/百县千镇万村高质量发展工程", "推进百千万工程")
    rel("Policy/关于深化改革促进乡村医疗卫生体系健康发展的实施方案", "ISSUED_BY",
        "Agency/440000/卫生健康委员会", "省卫健委印发《实施方案》")
    g.documents = {"d1": {"id": "d1", "path": "d1.txt", "published": "2024-05-31"},
                   "d2": {"id": "d2", "path": "d2.txt", "published": "2024-10-17"}}
    return g


@pytest.fixture
def tiny_graph():
    return make_tiny_graph()


# -- RDF / SPARQL (issue 6): a provenance graph and a real Oxigraph server ------------------------

def make_rdf_graph():
    """A small graph with the cases RDF export and SPARQL must get right.

    暨南大学附属第一医院 (never located, as in seed article 001) MANAGES 饶平县人民医院 with
    one evidence sentence; PARTNERS_WITH written both ways round; support inside one
    county; quantities and dates on an edge; and a hospital whose name carries quotes,
    braces, a backslash and an injection attempt.
    """
    from kg.graph import KnowledgeGraph
    from kg.model import Entity, Evidence, Relation

    g = KnowledgeGraph()
    doc, path = "001_ac16e4c53687c849.txt", "seeds/001_ac16e4c53687c849.txt"

    def ent(eid, typ, name, aliases=(), **attrs):
        g.add_entity(Entity(eid, typ, name, set(aliases), attrs, {doc: 1}))

    ent("Province/440000", "Province", "广东省", ["广东"], code="440000", division="440000",
        region="广东省", lon=113.26641, lat=23.132324)
    ent("City/445100", "City", "潮州市", code="445100", division="445100", region="广东省潮州市")
    ent("County/445122", "County", "饶平县", ["饶平"], code="445122", division="445122",
        region="广东省潮州市饶平县", lon=117.0039, lat=23.663824)
    ent("County/445103", "County", "潮安区", code="445103", division="445103",
        region="广东省潮州市潮安区")
    ent("Town/445122/新丰镇", "Town", "新丰镇", division="445122/新丰镇")
    ent("City/440100", "City", "广州市", code="440100", division="440100", region="广东省广州市")
    ent("Hospital/暨南大学附属第一医院", "Hospital", "暨南大学附属第一医院", ["暨大附一"])
    ent("Hospital/445122/人民医院", "Hospital", "饶平县人民医院", ["潮汕医院"], division="445122")
    ent("Hospital/445122/新丰镇/中心卫生院", "Hospital", "饶平县新丰镇中心卫生院")
    ent("Hospital/440000/第二人民医院", "Hospital", "广东省第二人民医院", division="440100")
    ent("Hospital/445103/人民医院", "Hospital", "潮安区人民医院", division="445103")
    ent("Hospital/440000/妇幼保健院", "Hospital", "广东省妇幼保健院")
    ent('Hospital/测试/"引号"医院', "Hospital", '测试"} ; DROP ALL #医院', ["{花括号}医院", "反\\斜杠'单引号'医院\n换行"])
    ent("Alliance/饶平县医共体", "Alliance", "饶平县医共体")
    ent("Agency/440000/卫生健康委员会", "Agency", "广东省卫生健康委员会", division="440000")
    ent("Program/百县千镇万村高质量发展工程", "Program", "百县千镇万村高质量发展工程", ["百千万工程"])

    sentences = []

    def rel(src, kind, dst, sentence, rule="test", conf=0.8, **attrs):
        start = 100 * (len(sentences) + 1)
        sentences.append(sentence)
        ev = Evidence(doc, sentence, start, start + len(sentence), rule, conf, path, "2024-10-17")
        g.add_relation(Relation(src, kind, dst, attrs, [ev]))

    for child, parent in [("City/445100", "Province/440000"), ("County/445122", "City/445100"),
                          ("County/445103", "City/445100"), ("City/440100", "Province/440000"),
                          ("Town/445122/新丰镇", "County/445122"),
                          ("Hospital/445122/人民医院", "County/445122"),
                          ("Hospital/445122/新丰镇/中心卫生院", "Town/445122/新丰镇"),
                          ("Hospital/440000/第二人民医院", "City/440100"),
                          ("Hospital/445103/人民医院", "County/445103"),
                          ('Hospital/测试/"引号"医院', "County/445103")]:
        rel(child, "LOCATED_IN", parent, "位于", rule="division-data", conf=0.95)
    rel("Hospital/暨南大学附属第一医院", "MANAGES", "Hospital/445122/人民医院",
        "引进暨南大学附属第一医院全面托管县人民医院", rule="S 全面托管 T", conf=0.9,
        since="2019-05", quantities=[{"kind": "experts", "value": 26, "unit": "名",
                                      "text": "26名", "year": 2023}])
    rel("County/445122", "PARTNERS_WITH", "Hospital/440000/第二人民医院",
        "饶平县与广东省第二人民医院达成合作意向")
    rel("Hospital/445103/人民医院", "PARTNERS_WITH", "Hospital/440000/妇幼保健院",
        "潮安区人民医院携手广东省妇幼保健院")
    rel("Hospital/445122/人民医院", "SUPPORTS", "Hospital/445122/新丰镇/中心卫生院",
        "县人民医院帮扶新丰镇中心卫生院")  # inside one county: not listed by supports()
    rel('Hospital/测试/"引号"医院', "SUPPORTS", "County/445122", '测试"} ; DROP ALL #医院帮扶饶平县')
    rel("Hospital/445122/人民医院", "LEADS", "Alliance/饶平县医共体", "由县人民医院牵头")
    rel("Agency/440000/卫生健康委员会", "RUNS", "Program/百县千镇万村高质量发展工程", "推进百千万工程")
    g.documents = {doc: {"id": doc, "path": path, "title": "潮州市着力增长低劣医疗资源扩容下沉",
                         "published": "2024-10-17", "source": None, "author": None,
                         "url": "https://example.org/a?id=1&b=\"x\"", "spun": True}}
    return g


@pytest.fixture
def rdf_graph():
    return make_rdf_graph()


def _oxigraph_binary():
    import shutil
    import sys

    found = shutil.which("oxigraph")
    if found:
        return found
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else None


class OxigraphServer:
    """``oxigraph serve`` on a loopback port: ``url``, and stop()/start() for outage tests."""

    def __init__(self, binary: str, location, port: int | None = None):
        import socket

        self.binary, self.location = binary, str(location)
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None

    def start(self, timeout: float = 20.0) -> "OxigraphServer":
        import subprocess
        import time
        import urllib.request

        self.proc = subprocess.Popen(
            [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--location", self.location],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {self.proc.stderr.read().decode()[-500:]}")
            try:
                with opener.open(self.url + "/query?query=ASK%7B%7D", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"oxigraph did not answer on {self.url} within {timeout}s")

    def stop(self) -> None:
        import subprocess

        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """One Oxigraph server for the session (pip install health-kg[test] ships the binary)."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install 'health-kg[test]')")
    server = OxigraphServer(binary, tmp_path_factory.mktemp("oxigraph-server")).start()
    yield server
    server.stop()


@pytest.fixture
def oxigraph_factory(tmp_path):
    """Start extra, throw-away Oxigraph servers (e.g. to kill one mid-push); all stopped after."""
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install 'health-kg[test]')")
    started = []

    def make(location=None, port=None):
        server = OxigraphServer(binary, location or tmp_path / f"store{len(started)}", port)
        started.append(server)
        return server.start()

    yield make
    for s in started:
        s.stop()


# -- Cypher over Bolt (issue 7): a real ArcadeDB server, and Neo4j when NEO4J_URI is set ----------

class BoltTarget:
    """Where the Bolt tests push and query: ``name``, ``uri``, ``user``, ``password``, ``database``."""

    def __init__(self, name, uri, user, password, database, server=None):
        self.name, self.uri, self.user, self.password = name, uri, user, password
        self.database, self.server = database, server

    def run(self, query: str, **params):
        """Rows (as dicts) of a query run through the official driver, in a write transaction."""
        from neo4j import GraphDatabase

        with GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as d:
            with d.session(database=self.database) as s:
                return s.execute_write(lambda tx: [r.data() for r in tx.run(query, params)])

    def clear(self) -> None:
        """Delete what the tests push (only nodes with the schema's key labels)."""
        for label in ("Evidence", "Document", "Entity"):
            self.run(f"MATCH (n:{label}) DETACH DELETE n")


@pytest.fixture(scope="session")
def arcadedb_server(tmp_path_factory):
    """One ArcadeDB server with the Bolt plugin on 127.0.0.1 for the session (database ``kg``)."""
    import secrets

    pytest.importorskip("arcadedb_embedded", reason="arcadedb-embedded is not installed "
                        "(pip install 'health-kg[test]')")
    from kg.neo4j import LocalArcadeDB

    server = LocalArcadeDB(str(tmp_path_factory.mktemp("arcadedb")), secrets.token_urlsafe(16))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["arcadedb", "neo4j"])
def bolt_target(request):
    """The Bolt servers to test against: ArcadeDB always; Neo4j when NEO4J_URI is set."""
    import os

    if request.param == "arcadedb":
        s = request.getfixturevalue("arcadedb_server")
        return BoltTarget("arcadedb", s.uri, s.user, s.password, s.database, s)
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("no Neo4j: set NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD (and NEO4J_DATABASE) "
                    "to a scratch database to run these tests against a real Neo4j too")
    return BoltTarget("neo4j", uri, os.environ.get("NEO4J_USER", "neo4j"),
                      os.environ.get("NEO4J_PASSWORD", ""), os.environ.get("NEO4J_DATABASE") or None)


@pytest.fixture
def bolt(bolt_target):
    """A Bolt target with none of the schema's nodes in it (cleared before and after the test)."""
    bolt_target.clear()
    yield bolt_target
    bolt_target.clear()
