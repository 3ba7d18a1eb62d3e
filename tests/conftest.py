"""Shared fixtures. Each block is self-contained; add yours below with its own imports."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# -- graphs for query and export tests (issue 8) -----------------------------------------------

@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The graph built from seeds/ once per session: (KnowledgeGraph, output folder)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("seed-graph")
    res = build([str(ROOT / "seeds")], out=out)
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
