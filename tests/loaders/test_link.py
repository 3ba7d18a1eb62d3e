"""Linking a bare level word (县人民医院, 县卫健局, 我县) to the region it means: the nearest region
of that level named before it in its paragraph, else the article's only one; with several in
the article and none before it, it stays unresolved, and every decision is a merges row."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.model import Document
from kg.pipeline import analyse

TWO_COUNTIES_THEN_BARE = [
    # named in one paragraph, the bare name in the next
    "广东省清远市阳山县与潮州市饶平县结对开展医疗帮扶。\n\n会上，省第二人民医院与县人民医院签订托管协议。",
    # named in a list, then a new paragraph that starts with the bare name
    "记者从饶平县、阳山县两地卫生健康部门获悉，两县正推进医共体建设。\n\n县人民医院牵头组建医共体，整合乡镇卫生院。",
]
NEAREST_BEFORE = [
    # both counties in the paragraph: the one named just before wins, not the first
    ("本报讯 阳山县与饶平县卫生健康局座谈。饶平县代表介绍，县人民医院已与暨南大学附属第一医院签约。",
     "饶平县人民医院"),
    ("饶平县卫健局、阳山县卫健局召开联席会议。会上阳山县介绍经验，县中医院派出专家下乡。",
     "阳山县中医院"),
]


def run(text: str, doc: str = "t.txt"):
    return analyse(Document(id=doc, path=doc, raw=text))


@pytest.mark.parametrize("text", TWO_COUNTIES_THEN_BARE)
def test_two_counties_and_none_before_it_stays_unresolved_and_says_so(text):
    res = run(text)
    names = {e.name for e in res.entities}
    assert not any(n.endswith("县人民医院") for n in names), names  # not silently the first
    (row,) = [m for m in res.merges if m["surface"] == "县人民医院"]
    assert row["id"] == "" and row["reason"].startswith("unresolved") and "ambiguous" in row["reason"]
    assert "阳山县" in row["reason"] and "饶平县" in row["reason"]
    assert any(u["surface"] == "县人民医院" for u in res.unresolved)


@pytest.mark.parametrize("text,expected", NEAREST_BEFORE)
def test_the_nearest_county_named_before_it_in_its_paragraph_wins(text, expected):
    res = run(text)
    ents = {e.name: e for e in res.entities}
    assert expected in ents, sorted(ents)
    row = next(m for m in res.merges if m["id"] == ents[expected].id and m["surface"] != expected)
    county = expected[:3]
    assert row["reason"].startswith("context completion") and county in row["reason"]
    assert "nearest" in row["reason"]


def test_an_articles_only_county_completes_and_says_why():
    res = run("兰考县持续推进医共体建设。\n\n县人民医院与县中医院共同开展巡诊。")
    reasons = {m["surface"]: m["reason"] for m in res.merges}
    assert "兰考县" in reasons["县人民医院"] and "only one" in reasons["县人民医院"]


def test_kg_entities_merges_shows_each_choice_and_each_refusal(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(TWO_COUNTIES_THEN_BARE[0], encoding="utf-8")
    (src / "b.txt").write_text(NEAREST_BEFORE[0][0], encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(src), "-o", str(out), "-q"]).exit_code == 0
    res = CliRunner().invoke(main, ["entities", "--merges", "-g", str(out), "--format", "json"])
    rows = json.loads(res.output)
    refused = [r for r in rows if r["doc"] == "a.txt" and r["surface"] == "县人民医院"]
    chosen = [r for r in rows if r["doc"] == "b.txt" and r["surface"] == "县人民医院"]
    assert refused and refused[0]["id"] == "" and "ambiguous" in refused[0]["reason"]
    assert chosen and chosen[0]["id"].startswith("Hospital/445122/") and "饶平县" in chosen[0]["reason"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    doc = next(d for d in report["documents"] if d["id"] == "a.txt")
    assert any(u["surface"] == "县人民医院" for u in doc["unresolved"])


@pytest.mark.parametrize("text,own", [
    ("潮州市推进医疗资源下沉，深圳市、中山市对口帮扶潮州市。潮州市卫健局介绍了经验。\n\n"
     "我市将持续推进医联体建设。", "潮州市"),
    ("阳山县召开卫生健康工作会议。饶平县代表到阳山县交流，阳山县介绍了医共体经验。\n\n"
     "全县医疗机构将继续推进改革。", "阳山县"),
])
def test_a_self_reference_means_the_articles_own_place_when_it_dominates(text, own):
    """我市, 全县: the article speaks of its own place; with no such region before it in its
    paragraph, the one the article names most (more than each other one) is meant."""
    res = run(text)
    row = next(m for m in res.merges if m["surface"] in ("我市", "全县"))
    assert row["id"].endswith(("/" + next(e.attrs["division"] for e in res.entities if e.name == own)))
    assert "own" in row["reason"]


def test_a_self_reference_between_equals_stays_unresolved():
    res = run("阳山县与饶平县结对交流。\n\n我县将继续推进医共体建设。")
    row = next(m for m in res.merges if m["surface"] == "我县")
    assert row["id"] == "" and "ambiguous" in row["reason"]


@pytest.mark.parametrize("raw, expected", [
    ("城口县人民政府 > 新闻中心 > 领导活动\n\n县长会见考察团一行\n\n2024-12-06　来源：县融媒体中心\n\n"
     "自2021年起，山东第一医科大学第一附属医院与县人民医院结成帮扶对子，累计派驻专家53人次。\n",
     "城口县人民医院"),
    ("我旗家庭医生签约服务实现扩面提质\n\n发布日期：2024-06-03　来源：库伦旗融媒体中心\n\n"
     "旗蒙医医院自2021年起由内蒙古国际蒙医医院托管，今年将蒙医药适宜技术纳入签约服务包。\n",
     "库伦旗蒙医医院"),
])
def test_a_bare_level_word_is_in_the_place_of_the_site_or_source_when_the_text_names_none(raw, expected):
    """县人民医院 in a county portal's item that never names its county: the portal's county."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    assert expected in {e.name for e in res.entities if e.type == "Hospital"}


@pytest.mark.parametrize("raw, expected, not_expected", [
    ("威宁县医疗卫生座谈会发言整理\n\n后来广州那边来人了，广州市第一人民医院派了五个专家常驻我们县医院，这个帮了大忙。\n",
     "威宁彝族回族苗族自治县人民医院", "广州市第一人民医院"),
    ("花垣县电视问政实录\n\n主持人：济南市中心医院的专家也在对口帮扶咱们县医院吗？\n嘉宾：是的，本县医院今年来了六个人。\n",
     "花垣县人民医院", "济南市中心医院"),
])
def test_our_county_hospital_said_bare_is_the_countys_people_s_hospital(raw, expected, not_expected):
    """我们县医院, 咱们县医院, 本县医院 in speech about one county: that county's 人民医院."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    names = {e.name for e in res.entities if e.type == "Hospital"}
    assert expected in names and not_expected in names, names


@pytest.mark.parametrize("raw, source, kind, target", [
    ("重症医学科建设\n宁都县人民医院把重症医学科作为重点专科。赣州市人民医院对口帮扶县医院，每月派专家。\n",
     "赣州市人民医院", "SUPPORTS", "宁都县人民医院"),
    ("县域医疗\n记者走进岳西县人民医院。近年来，安徽医科大学第一附属医院托管县医院，派驻执行院长。\n",
     "安徽医科大学第一附属医院", "MANAGES", "岳西县人民医院"),
])
def test_a_bare_county_hospital_after_one_named_county_hospital_is_that_one(raw, source, kind, target):
    """甲县人民医院 … 乙医院对口帮扶县医院: with one county 人民医院 named before it, 县医院 is that one."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    names = {e.id: e.name for e in res.entities}
    assert (source, kind, target) in {(names[r.source], r.type, names[r.target]) for r in res.relations}
    assert not any(u["surface"] == "县医院" for u in res.unresolved)


def test_a_bare_county_hospital_after_two_county_hospitals_stays_no_name():
    raw = "重症医学科建设\n宁都县人民医院和石城县人民医院都在建设重症医学科。赣州市人民医院对口帮扶县医院，每月派专家。\n"
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    assert any(u["surface"] == "县医院" for u in res.unresolved)


@pytest.mark.parametrize("raw, kept, folded", [
    ("中医下沉\n大理州中医医院组织专家下沉洱源县。今年3月起，州中医院向洱源县中医医院派驻3名专家。\n",
     "Hospital/532900/中医医院", "Hospital/532900/中医院"),
    ("帮扶动态\n洱源县中医院与大理大学第一附属医院签约。洱源县中医医院针灸科今年新开设门诊。\n",
     "Hospital/532930/中医医院", "Hospital/532930/中医院"),
    ("乡镇卫生院\n阳山县黎埠镇卫生院迎来专家。黎埠镇中心卫生院今年新建发热门诊。\n",
     "Hospital/441823/黎埠镇/中心卫生院", "Hospital/441823/黎埠镇/卫生院"),
])
def test_one_units_institution_under_two_suffixes_is_one(raw, kept, folded):
    """州中医院 and 大理州中医医院, X镇卫生院 and X镇中心卫生院 in one article: one institution."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    ids = {e.id for e in res.entities}
    assert kept in ids and folded not in ids, ids


@pytest.mark.parametrize("raw", [
    "威宁县卫生工作\n\n加强县医院能力建设，推动县医院提标扩能。\n",  # no possessive, no 我县, no source
    "卫生工作要点\n\n我市将加强县医院能力建设，推动县医院提标扩能。\n",  # a city speaks: a kind of hospital
])
def test_a_bare_county_hospital_no_county_speaks_for_stays_no_name(raw):
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    assert not any(e.name.endswith("县人民医院") for e in res.entities if e.type == "Hospital")


@pytest.mark.parametrize("raw, expected", [
    ("岳西县推进优质医疗资源下沉\n\n今年以来，我县持续深化与安徽医科大学第一附属医院的对口帮扶合作。"
     "该院先后向县医院选派专家12名。\n", "岳西县人民医院"),
    ("专家坐诊\n来源：城口县融媒体中心\n\n本周起，重庆医科大学附属第一医院的专家团队每周二到县医院坐诊。\n",
     "城口县人民医院"),
])
def test_a_bare_county_hospital_in_an_article_that_speaks_for_a_county_is_its_people_s_hospital(raw, expected):
    """县医院 where the article speaks for one county (我县, or a county body as its source): that
    county's 人民医院, also known by the county's name before 县医院."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    got = {e.name: e for e in res.entities if e.type == "Hospital"}
    assert expected in got, got
    assert expected.replace("人民医院", "医院") in got[expected].aliases
    assert not any(u["surface"] == "县医院" for u in res.unresolved)


@pytest.mark.parametrize("raw, full", [
    ("省立医院专家团队常驻我院\n\n4月22日，中国科学技术大学附属第一医院（安徽省立医院）第四批专家来到岳西县医院。"
     "另有上海一家企业捐赠设备。\n", "中国科学技术大学附属第一医院"),
    ("市人民医院托管我院满一年\n\n去年5月起，赣州市人民医院全面托管宁都县人民医院。上海市第六人民医院也派来专家。\n",
     "赣州市人民医院"),
])
def test_a_level_name_in_the_title_is_the_hospital_the_text_names_in_full(raw, full):
    """省立医院… in the title, 甲（安徽省立医院） below: the title's is that hospital, not one completed
    from some other province-level place the article names (上海)."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=raw))
    title = raw.split("\n")[0][:5]
    got = {e.name: e for e in res.entities if e.type == "Hospital"}
    assert full in got and any(a.startswith(title[:4]) for a in got[full].aliases | {got[full].name}), got
    assert not any(n.startswith("上海市") and n not in ("上海市第六人民医院",) for n in got), got


def test_a_province_level_word_completes_to_a_province_only():
    """省人民医院 in an article whose only province-level place is 上海市 (a municipality): no 上海市人民医院."""
    res = analyse(Document(id="t.txt", path="t.txt", raw="义诊\n\n省人民医院派出专家到我院坐诊。一家上海市企业捐赠了设备。\n"))
    assert not any(e.name.startswith("上海市") for e in res.entities if e.type == "Hospital")


@pytest.mark.parametrize("raw, full", [
    ("联勤保障部队第九二五医院对口帮扶册亨县人民医院。", "中国人民解放军联勤保障部队第九二五医院"),
    ("940医院派出医疗队常驻临潭县人民医院。", "中国人民解放军联勤保障部队第九四〇医院"),
    ("九二八医院派出专家常驻三沙市人民医院。", "中国人民解放军联勤保障部队第九二八医院"),
    ("武警新疆总队医院帮扶塔什库尔干塔吉克自治县人民医院。", "中国人民武装警察部队新疆总队医院"),
    ("青海省总队医院派出巡诊队赴治多县。", "中国人民武装警察部队青海省总队医院"),
    ("新疆军区总医院对口支援皮山县人民医院。", "中国人民解放军新疆军区总医院"),
])
def test_a_military_hospital_written_short_gets_its_full_name(raw, full):
    """联勤保障部队第九二五医院, 940医院, 武警新疆总队医院: named by the army's full name."""
    res = analyse(Document(id="t.txt", path="t.txt", raw="工作动态\n" + raw))
    assert full in {e.name for e in res.entities if e.type == "Hospital"}


@pytest.mark.parametrize("raw", ["驻沪军队医院帮扶巴楚县人民医院。", "多家驻滇军队医院参与边境巡诊。"])
def test_the_armys_hospitals_of_a_place_are_no_name(raw):
    res = analyse(Document(id="t.txt", path="t.txt", raw="工作动态\n" + raw))
    assert not any("军队医院" in e.name for e in res.entities)


@pytest.mark.parametrize("text, meant, not_meant", [
    ("茂县人民医院受四川省人民医院“组团式”帮扶，省医派驻的专家分别担任内科、外科负责人。",
     "四川省人民医院", "广东省人民医院"),
    ("湖南省人民医院今年对口帮扶古丈县人民医院。据介绍，省医已派出专家12名。",
     "湖南省人民医院", "广东省人民医院"),
    ("黔西南州望谟县人民医院接受省医“组团式”帮扶，省医先后派驻专家8名。", "贵州省人民医院", "广东省人民医院"),
    ("四川省甘孜州理塘县人民医院与省人医签订托管协议。", "四川省人民医院", "江苏省人民医院"),
    ("广东省清远市阳山县人民医院由省医托管。", "广东省人民医院", "四川省人民医院"),
])
def test_a_provinces_short_hospital_name_means_the_province_the_article_names(text, meant, not_meant):
    """省医 and 省人医 are the 人民医院 of the province the article is in (named, or above the
    places it names), like a bare 省人民医院; never one province's for all."""
    res = run(text)
    names = {e.name for e in res.entities}
    assert meant in names and not_meant not in names, names


@pytest.mark.parametrize("raw, full, short", [
    ("询问\n成都市第五人民医院对口帮扶石渠县人民医院已经三年。成都市五医院2021年与石渠县医院结对，累计派出专家39人次。",
     "成都市第五人民医院", "成都市五医院"),
    ("通讯\n南充市二医院派出5名骨干进驻仪陇县中医院。南充市第二人民医院还与该院共建胸痛中心。",
     "南充市第二人民医院", "南充市二医院"),
])
def test_an_ordinal_hospitals_short_form_is_the_full_name_the_article_writes(raw, full, short):
    """甲市五医院 is 甲市第五人民医院 when the article names both (either first)."""
    names = {e.name: e for e in analyse(Document(id="t.txt", path="t.txt", raw=raw)).entities}
    assert short not in names and short in names[full].aliases


def test_an_ordinal_hospitals_short_form_alone_stays_as_written():
    raw = "通讯\n南充市二医院派出5名骨干进驻仪陇县中医院。"
    names = {e.name for e in analyse(Document(id="t.txt", path="t.txt", raw=raw)).entities}
    assert "南充市二医院" in names and "南充市第二人民医院" not in names


@pytest.mark.parametrize("text, name, longer", [
    ("宁波市北仑区与布拖县结对后，北仑区人民医院派出专家组团帮扶布拖县人民医院。", "北仑区人民医院", "宁波市北仑区人民医院"),
    ("柯桥区中医医院结对帮扶仪陇县中医医院，常年派驻专家。", "仪陇县中医医院", "南充市仪陇县中医医院"),
])
def test_a_county_level_hospital_also_goes_by_its_name_behind_the_prefecture(text, name, longer):
    hospitals = {e.name: e for e in run(text).entities if e.type == "Hospital"}
    assert longer in hospitals[name].aliases


@pytest.mark.parametrize("raw, name", [
    ("关于响水县人民医院合作情况的说明\n\n2021年，响水县人民政府与中大医院签订协议。\n\n按照市里统一部署，"
     "盐城市第一人民医院继续对口支援县中医院。\n\n另外，县医院对口帮扶的望谟县人民医院已完成交接。", "响水县中医院"),
    ("泗洪县卫生健康工作报告\n\n今年，泗洪县新增床位300张。\n\n宿迁市第一人民医院派出专家到县人民医院坐诊。"
     "此外，县里还与同心县开展东西部协作。", "泗洪县人民医院"),
])
def test_a_bare_level_word_is_the_only_one_of_its_level_named_before_it(raw, name):
    """A county named only further on (望谟县, 同心县) does not make an earlier bare 县中医院 ambiguous."""
    assert name in {e.name for e in run(raw).entities}


@pytest.mark.parametrize("text, name, region", [
    ("2022年12月，陕西省人民医院对宁强县天津医院实行为期五年的全面托管。", "宁强县天津医院", "陕西省汉中市宁强县"),
    ("北川羌族自治县山东医院由山东大学齐鲁医院对口帮扶。", "北川羌族自治县山东医院", "四川省绵阳市北川羌族自治县"),
])
def test_a_place_not_inside_the_one_before_it_is_part_of_the_name(text, name, region):
    """宁强县[天津]医院 (named for the city that rebuilt it): a county's hospital, not one in 天津市."""
    hospitals = {e.name: e for e in run(text).entities if e.type == "Hospital"}
    assert hospitals[name].attrs["region"] == region
