"""Query helpers (issues 8, 17): supports, partners, partnerships, flows, programs, policies,
entity, path, evidence; their compact default views and --wide.

Each helper is checked on the hand-made graph of tests/conftest.py (facts chosen to be
checked by eye) and on the graph built from seeds/ (facts a reader can find in the
articles). Assertions are properties and single facts, not copied output.
"""
from __future__ import annotations

import json
from dataclasses import fields

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import QueryError
from kg.graph import KnowledgeGraph
from kg.model import PARTNERSHIP_TYPES, SUPPORT_TYPES, Entity, Evidence, Relation
from kg.names import NameNotFoundError
from kg.query import (EntityMatch, EvidenceRow, FlowRow, HopRow, PartnerRow, PartnershipRow,
                      PolicyRow, ProgramRow, Places, Rows, SupportRow)
from loaders.divisions import divisions

GD2 = "广东省第二人民医院"
YS = "阳山县人民医院"


def _frame_ok(rows: Rows, cls) -> None:
    """Rows hold the dataclass and show its compact VIEW; wide() shows every field."""
    assert all(isinstance(r, cls) for r in rows)
    df = rows.to_frame()
    assert list(df.columns) == list(cls.VIEW) == rows.columns
    assert list(rows.wide().to_frame().columns) == [f.name for f in fields(cls)]
    assert len(df) == len(rows)
    for fmt in ("table", "csv", "json"):
        assert rows.render(fmt)
    assert list(json.loads(rows.render("json"))[0]) == list(cls.VIEW)


# -- partners -------------------------------------------------------------------------------

def test_partners_both_directions(tiny_graph):
    rows = tiny_graph.partners(YS)
    _frame_ok(rows, PartnerRow)
    got = {(r.direction, r.relation, r.other) for r in rows}
    assert ("in", "MANAGES", GD2) in got
    assert ("out", "LEADS", "阳山县域医共体总医院") in got
    managed = next(r for r in rows if r.relation == "MANAGES")
    assert (managed.evidence, managed.documents) == (2, 2)  # two sentences from d1 and d2
    # Exactly the partnership edges touching the node, counted independently.
    yid = "Hospital/441823/人民医院"
    expected = sum(1 for r in tiny_graph.relations.values()
                   if r.type in PARTNERSHIP_TYPES and yid in (r.source, r.target))
    assert len(rows) == expected
    assert all(r.relation in PARTNERSHIP_TYPES for r in rows)


def test_partners_by_alias_and_unknown(tiny_graph):
    assert tiny_graph.partners("县人民医院") == tiny_graph.partners(YS)
    with pytest.raises(NameNotFoundError, match="closest: .*人民医院"):
        tiny_graph.partners("不存在的人民医院")


def test_partners_seed(seed_graph):
    rows = seed_graph.partners(GD2)
    # tests/data/query/guangdong_raoping.txt: 省二院 supports 饶平县人民医院 (seed 001 says it too,
    # near the threshold).
    assert any(r.direction == "out" and r.relation == "SUPPORTS" and r.other == "饶平县人民医院"
               for r in rows)
    assert all(r.entity == GD2 and r.evidence >= 1 for r in rows)
    # 002 (依托省第二人民医院与县人民医院开启“组团式”托管帮扶) scores under the MANAGES threshold
    # today (docs/extraction.md): see test_seed_gold_quality_gate.


# -- partnerships ---------------------------------------------------------------------------

def test_partnerships_region_any_level(tiny_graph):
    gd = tiny_graph.partnerships(region="广东省")
    _frame_ok(gd, PartnershipRow)
    got = {(r.source, r.relation, r.target) for r in gd}
    assert (GD2, "MANAGES", YS) in got
    # The town health centre is inside 广东省 only through 黎埠镇 → 阳山县 → 清远市 → 广东省.
    assert ("阳山县黎埠镇卫生院", "MEMBER_OF", "阳山县域医共体总医院") in got
    assert not any(r.source == "北京市" for r in gd)
    # The short name and the code mean the same province.
    assert tiny_graph.partnerships(region="广东") == gd
    assert tiny_graph.partnerships(region="440000") == gd
    # A city keeps what touches it and drops the rest.
    qy = tiny_graph.partnerships(region="清远市")
    assert {(r.source, r.target) for r in qy} <= {(r.source, r.target) for r in gd}
    assert all("清远市" in r.source_region + r.target_region for r in qy)


def test_partnerships_kind_and_division_fallback(tiny_graph):
    # 同卡镇卫生院 has no LOCATED_IN edge: its province comes from its division key 540326.
    xz = tiny_graph.partnerships(kind="supports", region="西藏自治区")
    assert {(r.source, r.target) for r in xz} == {("北京市", "同卡镇卫生院"),
                                                  ("国家卫生健康委员会", "西藏自治区")}
    assert all(r.relation == "SUPPORTS" for r in xz)
    assert next(r for r in xz if r.target == "同卡镇卫生院").target_region.startswith("西藏自治区昌都市")
    with pytest.raises(QueryError):
        tiny_graph.partnerships(kind="LOCATED_IN")


def test_partnerships_seed(seed_graph):
    rows = seed_graph.partnerships(region="潮州市")
    assert rows
    # Every edge has an end in 潮州市 (its region path names it).
    assert all("潮州市" in r.source_region + r.target_region for r in rows)
    # tests/data/query/guangdong_raoping.txt: 广东省第二人民医院 supports 饶平县人民医院.
    assert any(r.source == "广东省第二人民医院" and r.relation == "SUPPORTS"
               and r.target == "饶平县人民医院" for r in rows)
    assert not any("西藏" in r.source_region + r.target_region for r in rows)


# -- flows ----------------------------------------------------------------------------------

def test_flows_levels(tiny_graph):
    prov = tiny_graph.flows()
    _frame_ok(prov, FlowRow)
    by = {(r.source_region, r.target_region): r for r in prov}
    bj = by[("北京市", "西藏自治区")]
    assert (bj.count, bj.source_code, bj.target_code, bj.internal) == (1, "110000", "540000", False)
    bj_e, xz_e = tiny_graph.entities["Province/110000"], tiny_graph.entities["Province/540000"]
    assert (bj.source_lon, bj.source_lat) == (bj_e.attrs["lon"], bj_e.attrs["lat"])
    assert (bj.target_lon, bj.target_lat) == (xz_e.attrs["lon"], xz_e.attrs["lat"])
    assert by[("广东省", "广东省")].internal
    # 国家卫健委 has no region: its edge is not a flow. The others are all counted once.
    placed = [r for r in tiny_graph.relations.values() if r.type in SUPPORT_TYPES
              and not r.source.startswith("Agency/国家")]
    assert sum(r.count for r in prov) == len(placed)
    assert not any(r.internal for r in tiny_graph.flows(internal=False))
    city = {(r.source_region, r.target_region) for r in tiny_graph.flows(level="city")}
    assert ("广州市", "清远市") in city
    assert ("北京市", "昌都市") in city  # 北京市 has no city level: it stays 北京市
    county = {(r.source_region, r.target_region, r.target_level)
              for r in tiny_graph.flows(level="county")}
    # 同卡镇 lies in 八宿县 (division data), which is no node of this graph: the flow stays at
    # the city and says so.
    assert ("北京市", "昌都市", "city") in county
    with pytest.raises(QueryError):
        tiny_graph.flows(level="town")


def test_flows_roll_institutions_up_to_the_region_they_stand_in(seed_graph, tiny_graph):
    """At each level every end of a support edge is the region of that level it stands in:
    an institution placed only in its province stands in the province's seat."""
    for g in (seed_graph, tiny_graph):
        places = Places(g)
        moved = 0
        for level in ("province", "city", "county"):
            rows = g.flows(level=level)
            want: dict[tuple, int] = {}
            for r in g.relations.values():
                if r.type not in SUPPORT_TYPES:
                    continue
                a, b = places.unit(r.source, level), places.unit(r.target, level)
                if a is not None and b is not None:
                    want[(a.id, b.id)] = want.get((a.id, b.id), 0) + 1
            assert {(r.source_id, r.target_id): r.count for r in rows} == want
            for r in rows:
                assert r.source_level == g.entities[r.source_id].type.lower()
                assert r.evidence >= r.count >= max(r.supporters, r.recipients) >= 1
        for r in g.relations.values():
            src = g.entities.get(r.source)
            if r.type not in SUPPORT_TYPES or src is None or src.type in ("Province", "City"):
                continue
            located = places.located(src.id)
            if located and located[0].type == "Province":  # placed only in its province
                seat = divisions().seat(located[0].attrs["division"])
                unit = places.unit(src.id, "city")
                if seat is not None and f"City/{seat.key}" in g.entities:
                    assert unit.id == f"City/{seat.key}", src.name
                    moved += 1
        assert moved or g is tiny_graph
    # tests/data/query: 同卡镇 lies in 八宿县.
    assert any((r.source_region, r.target_region) == ("北京市", "八宿县")
               for r in seed_graph.flows(level="county"))


def test_flows_seed(seed_graph):
    rows = seed_graph.flows(level="province")
    # tests/data/query: 北京市 supports 昌都市 and 同卡镇卫生院 in 昌都市八宿县, 西藏.
    assert any(r.source_region == "北京市" and r.target_region == "西藏自治区" for r in rows)
    assert all(r.count >= 1 and r.evidence >= r.count for r in rows)
    assert all(None not in (r.source_lon, r.source_lat, r.target_lon, r.target_lat)
               for r in rows if r.source_code and r.target_code in ("110000", "540000", "440000"))
    city = seed_graph.flows(level="city", internal=False)
    assert any(r.source_region == "北京市" and r.target_region == "昌都市" for r in city)


# -- supports ---------------------------------------------------------------------------------

def _support_edges(g, with_partnerships=False):
    kinds = SUPPORT_TYPES + (("PARTNERS_WITH",) if with_partnerships else ())
    return [r for r in g.relations.values() if r.type in kinds]


def test_supports_answers_support_and_management_only(seed_graph, rdf_graph):
    for g in (seed_graph, rdf_graph):
        rows = g.supports()
        _frame_ok(rows, SupportRow)
        assert all(set(r.relation) <= set(SUPPORT_TYPES) for r in rows)
        keys = {(r.source, r.type, r.target) for r in _support_edges(g)}
        for r in rows:  # every row stands on SUPPORTS/MANAGES edges, counted independently
            assert r.edges >= 1 and r.edges <= len(keys)
        wide = g.supports(with_partnerships=True)
        extra = [r for r in wide if r.relation == ["PARTNERS_WITH"]]
        # The hand-made graph holds partnership-only pairs; the seeds may or may not (the model decides).
        assert extra or g is seed_graph, "the hand-made graph holds partnership-only pairs"
        assert not {(r.supporter_id, r.recipient_id) for r in extra} & \
            {(r.supporter_id, r.recipient_id) for r in rows}
        assert len(wide) == len(rows) + len(extra)


def test_supports_rows_carry_dates_figures_and_dated_sources(rdf_graph):
    (row,) = [r for r in rdf_graph.supports() if r.supporter == "暨南大学附属第一医院"]
    edge = rdf_graph.relations[("Hospital/暨南大学附属第一医院", "MANAGES", "Hospital/445122/人民医院")]
    assert (row.recipient, row.level, row.relation) == ("饶平县", "county", ["MANAGES"])
    assert row.since == edge.attrs["since"]
    assert row.experts == max(q["value"] for q in edge.attrs["quantities"] if q["kind"] == "experts")
    doc = rdf_graph.documents[edge.evidence[0].doc]
    assert row.sources == [f"{doc['published']} {doc['title']}"]
    assert row.documents == [doc["id"]] and row.province == "广东省"


def test_supports_figures_are_read_generically():
    """Quantities of any kind and wording: the largest number of each kind counts, text and
    other kinds are ignored; since is the earliest, as_of the latest date on the edges."""
    g = KnowledgeGraph()
    g.add_entity(Entity("County/1", "County", "甲县", attrs={"code": "100001"}, mentions={"d": 1}))
    g.add_entity(Entity("Hospital/x", "Hospital", "乙医院", mentions={"d": 1}))
    g.add_entity(Entity("Hospital/1/y", "Hospital", "甲县医院", mentions={"d": 1}))
    g.add_relation(Relation("Hospital/1/y", "LOCATED_IN", "County/1", evidence=[Evidence("d", "s", 0, 1, "r")]))
    q = lambda kind, value, text: {"kind": kind, "value": value, "unit": "", "text": text, "year": None}
    g.add_relation(Relation("Hospital/x", "SUPPORTS", "County/1", {
        "since": 2019, "as_of": "2023-01-02",
        "quantities": [q("experts", 12, "十二名专家"), q("experts", "若干", "若干专家"),
                       q("money", 3.5e6, "三百五十万元"), q("period", 3, "三年")]},
        [Evidence("d", "乙医院帮扶甲县", 0, 7, "r")]))
    g.add_relation(Relation("Hospital/x", "MANAGES", "Hospital/1/y", {
        "since": "2018-06", "as_of": "2024-05-31", "quantities": [q("experts", 30, "30名"),
                                                                  q("money", True, "是")]},
        [Evidence("d", "乙医院托管甲县医院", 0, 9, "r")]))
    (row,) = g.supports()
    assert (row.since, row.as_of, row.experts, row.money) == ("2018-06", "2024-05-31", 30, 3.5e6)
    assert row.relation == ["MANAGES", "SUPPORTS"] and row.edges == 2 and row.sources == ["d"]


def test_supports_filters_and_order(seed_graph):
    rows = seed_graph.supports()
    code = lambda eid: seed_graph.entities[eid].attrs.get("code") or "" if eid else ""
    keys = [(code(r.province_id), r.recipient_code or "", r.recipient, r.supporter) for r in rows]
    assert keys == sorted(keys)  # by province, recipient, supporter
    by_level = [r for lv in ("county", "city", "province") for r in seed_graph.supports(level=lv)]
    assert sorted(by_level, key=repr) == sorted(rows, key=repr)
    assert all(r.level == "county" for r in seed_graph.supports(level="county"))
    places = Places(seed_graph)
    for r in rows:
        p = seed_graph.entities[r.province_id]
        assert r in seed_graph.supports(province=p.name)
        assert all(places.within(x.recipient_id, p) for x in seed_graph.supports(province=p.name))
    with pytest.raises(QueryError):
        seed_graph.supports(level="town")


@pytest.mark.parametrize("full,others", [
    ("饶平县", ["饶平", "445122", "饒平縣", "County/445122"]),
    ("广东省", ["广东", "440000", "廣東省", "廣東"]),
    ("潮州市", ["潮州", "445100", "City/445100"]),
])
def test_supports_takes_a_region_as_users_write_it(seed_graph, full, others):
    want = seed_graph.supports(county=full)
    assert want
    for name in others:
        assert seed_graph.supports(county=name) == want, name
        assert seed_graph.supports(province=name) == want, name
    with pytest.raises(NameNotFoundError, match="closest"):
        seed_graph.supports(county=full[:-1] + "不存在")


# -- programs and policies ------------------------------------------------------------------

def test_programs(tiny_graph):
    rows = tiny_graph.programs()
    _frame_ok(rows, ProgramRow)
    bq = next(r for r in rows if r.program == "百县千镇万村高质量发展工程")
    assert bq.run_by == ["阳山县卫生健康局"] and bq.regions == ["广东省清远市阳山县"]
    assert "乡村医生培训计划" in {r.program for r in rows}  # no runner, still listed
    assert [r.program for r in tiny_graph.programs(region="广东省")] == ["百县千镇万村高质量发展工程"]
    none = tiny_graph.programs(region="北京市")
    assert none == [] and list(none.to_frame().columns) == list(ProgramRow.VIEW)
    assert list(none.wide().to_frame().columns) == [f.name for f in fields(ProgramRow)]


def test_programs_seed(seed_graph):
    rows = seed_graph.programs(region="广东省")
    # 001: 潮州 pushes the 百千万工程 (百县千镇万村高质量发展工程).
    assert "百县千镇万村高质量发展工程" in {r.program for r in rows}
    assert all(any(x.startswith("广东省") for x in r.regions) for r in rows if r.regions)
    assert not any(r.program == "强县工程" for r in rows)  # 003 is about 湖北


def test_policies(tiny_graph):
    rows = tiny_graph.policies()
    _frame_ok(rows, PolicyRow)
    (p,) = rows
    assert p.issued_by == ["广东省卫生健康委员会"] and p.published == "2024-05-31"
    assert tiny_graph.policies(issuer="广东省卫健委") == rows  # the issuer's alias
    assert tiny_graph.policies(issuer="广东") == rows  # the issuer's region
    assert tiny_graph.policies(issuer="北京市") == []
    with pytest.raises(NameNotFoundError, match="广东省卫生健康委员会"):  # one rule: no partial names
        tiny_graph.policies(issuer="卫健委")


def test_policies_seed(seed_graph):
    rows = seed_graph.policies()
    # 003's title: 省卫健委解读:《关于深化改革促进乡村医疗卫生体系健康发展的实施方案》.
    assert "关于深化改革促进乡村医疗卫生体系健康发展的实施方案" in {r.policy for r in rows}
    ys = seed_graph.policies(issuer="阳山县")
    assert ys and all(any("阳山县" in x for x in r.issued_by + r.issuer_regions) for r in ys)


# -- entity ---------------------------------------------------------------------------------

def test_entity_exact_alias_fuzzy(tiny_graph):
    rows = tiny_graph.entity(YS)
    _frame_ok(rows, EntityMatch)
    assert [(r.name, r.score, r.how) for r in rows] == [(YS, 1.0, "name")]
    assert tiny_graph.entity("Hospital/441823/人民医院")[0].how == "id"
    alias = tiny_graph.entity("县人民医院")[0]
    assert (alias.name, alias.how) == (YS, "alias") and alias.score < 1.0
    typo = tiny_graph.entity("阳山人民医院")  # one character missing
    assert typo[0].name == YS and typo[0].score < 1.0
    assert tiny_graph.entity("完全无关xyz") == []
    code = tiny_graph.entity("441823")  # the one name rule comes first: codes, short names
    assert (code[0].name, code[0].how) == ("阳山县", "code")
    assert tiny_graph.entity("陽山縣人民醫院")[0].how == "name (traditional)"


def test_entity_ambiguous(tiny_graph):
    rows = tiny_graph.entity("人民医院")
    names = [r.name for r in rows]
    assert {YS, GD2} <= set(names)
    assert [r.score for r in rows] == sorted((r.score for r in rows), reverse=True)
    assert all(0 < r.score < 1 for r in rows)


def test_entity_seed(seed_graph):
    top = seed_graph.entity(YS)[0]
    assert (top.name, top.type, top.score) == (YS, "Hospital", 1.0)
    assert len(seed_graph.entity("人民医院")) > 1  # several county hospitals in the seeds


# -- path -----------------------------------------------------------------------------------

def _check_hops(graph, rows, a, b):
    assert rows[0].source == a and rows[-1].target == b
    for i, (h, nxt) in enumerate(zip(rows, rows[1:] + [None]), 1):
        assert h.step == i
        if nxt is not None:
            assert h.target_id == nxt.source_id
        kinds = {r.type for r in graph.relations.values()
                 if {r.source, r.target} == {h.source_id, h.target_id}}
        assert set(h.relations) <= kinds and h.relations


def test_path(tiny_graph):
    rows = tiny_graph.path(GD2, "阳山县黎埠镇卫生院", kinds=PARTNERSHIP_TYPES)
    _frame_ok(rows, HopRow)
    _check_hops(tiny_graph, rows, GD2, "阳山县黎埠镇卫生院")
    assert [h.relations for h in rows] == [["MANAGES"], ["LEADS"], ["MEMBER_OF"]]
    assert rows[-1].direction == "←"  # 卫生院 MEMBER_OF 医共体, walked backwards
    assert len(tiny_graph.path(GD2, "阳山县黎埠镇卫生院")) <= len(rows)
    assert tiny_graph.path(GD2, "乡村医生培训计划") == []  # an isolated programme
    assert tiny_graph.path("省第二人民医院", "阳山") == tiny_graph.path(GD2, "阳山县")  # alias, short


def test_path_seed(seed_graph):
    rows = seed_graph.path(GD2, "阳山县")
    assert rows
    _check_hops(seed_graph, rows, GD2, "阳山县")


def test_places_chain_most_specific_first(tiny_graph):
    chain = Places(tiny_graph).chain("Hospital/441823/黎埠镇/卫生院")
    assert [e.name for e in chain] == ["黎埠镇", "阳山县", "清远市", "广东省"]
    # From the division data, and the graph's own node where it has one.
    chain = Places(tiny_graph).chain("Hospital/540326/同卡镇/卫生院")
    assert [e.type for e in chain] == ["County", "City", "Province"]
    assert chain[1] is tiny_graph.entities["City/540300"]


# -- CLI ------------------------------------------------------------------------------------

@pytest.fixture
def tiny_dir(tiny_graph, tmp_path):
    tiny_graph.save(tmp_path)
    return str(tmp_path)


def _ask(*args):
    return CliRunner().invoke(main, ["ask", *args])


def test_cli_ask(tiny_dir):
    res = _ask("partners", YS, "-g", tiny_dir, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {(r["relation"], r["other"]) for r in rows} >= {("MANAGES", GD2)}
    res = _ask("flows", "--level", "city", "-g", tiny_dir, "--format", "csv")
    assert res.exit_code == 0 and res.stdout.startswith("source_region,target_region,")
    res = _ask("partnerships", "--kind", "member_of", "--region", "阳山县", "-g", tiny_dir)
    assert res.exit_code == 0 and "阳山县黎埠镇卫生院" in res.stdout
    for args in (["programs", "--region", "清远市"], ["policies", "--issuer", "广东省卫健委"],
                 ["path", GD2, YS], ["evidence", GD2, YS]):
        res = _ask(*args, "-g", tiny_dir)
        assert res.exit_code == 0, (args, res.output)
        assert "(no rows)" not in res.stdout


def test_cli_ask_ambiguous_and_missing(tiny_dir):
    res = _ask("entity", "人民医院", "-g", tiny_dir)
    assert res.exit_code == 0 and "candidates" in res.stderr
    res = _ask("partners", "完全无关xyz", "-g", tiny_dir)
    assert res.exit_code == 1 and "no entity" in res.stderr
    res = _ask("partners", "人民医院", "-g", tiny_dir)  # an alias of one, a name of none
    assert res.exit_code == 1 and "closest" in res.stderr
    res = _ask("path", GD2, "乡村医生培训计划", "-g", tiny_dir)
    assert res.exit_code == 1 and "no path" in res.stderr
    res = _ask("flows", "--level", "town", "-g", tiny_dir)
    assert res.exit_code == 2


def test_cli_views(tiny_dir):
    """Every ask shows its compact view by default, every column with --wide, and the
    columns asked for, in that order, with --columns."""
    for args, cls in ((["supports"], SupportRow), (["partners", YS], PartnerRow),
                      (["partnerships"], PartnershipRow), (["flows"], FlowRow),
                      (["programs"], ProgramRow), (["policies"], PolicyRow),
                      (["entity", YS], EntityMatch), (["path", GD2, YS], HopRow),
                      (["evidence", GD2, YS], EvidenceRow)):
        base = [*args, "-g", tiny_dir, "--format", "csv"]
        res = _ask(*base)
        assert res.exit_code == 0, (args, res.output)
        assert res.stdout.splitlines()[0].split(",") == list(cls.VIEW), args
        wide = _ask(*base, "--wide").stdout.splitlines()[0].split(",")
        assert wide == [f.name for f in fields(cls)], args
        pick = [wide[-1], wide[0]]
        assert _ask(*base, "--columns", ",".join(pick)).stdout.splitlines()[0].split(",") == pick
        bad = _ask(*base, "--columns", "nope")
        assert bad.exit_code == 2 and "choose from" in bad.output
