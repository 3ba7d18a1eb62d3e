"""Mentions: entity names found in clean text, each kind from at least two differently worded sentences."""
from __future__ import annotations

import pytest

from kg.model import Document
from kg.pipeline import analyse
from loaders.mentions import find_mentions


def names(text: str, typ: str = "Hospital") -> set[str]:
    """Canonical names of the entities of one type the pipeline finds in a snippet."""
    res = analyse(Document(id="t.txt", path="t.txt", raw=text))
    return {e.name for e in res.entities if e.type == typ}


def entities(text: str):
    res = analyse(Document(id="t.txt", path="t.txt", raw=text))
    return {e.name: e for e in res.entities}


def surfaces(text: str, typ: str = "Hospital") -> set[str]:
    return {m.text for m in find_mentions(text)[0] if m.type == typ}


# -- a proper stem between the place and the suffix ----------------------------------

@pytest.mark.parametrize("text, name", [
    ("（三）广州市红十字会医院——纳雍县人民医院；", "广州市红十字会医院"),
    ("7名专家赴海丰县彭湃纪念医院开展为期一周的义诊。", "海丰县彭湃纪念医院"),
    ("六、山西省心血管病医院\n结对县：阳高县", "山西省心血管病医院"),
    ("青海省心脑血管病专科医院派出的心内科专家抵达。", "青海省心脑血管病专科医院"),
    ("海南省妇女儿童医学中心全面托管临高县人民医院。", "海南省妇女儿童医学中心"),
])
def test_a_proper_stem_after_the_place(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, name", [
    ("3．菏泽市立医院——曹县庄寨镇卫生院等5家乡镇卫生院。", "菏泽市立医院"),
    ("今年起由苏州市立医院接续，派驻专家6名。", "苏州市立医院"),
])
def test_city_and_province_run_hospitals_keep_their_place(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "建议上海市帮扶医院与受援医院签订“学科共建责任书”。",
    "目前固原市多数县的县级医院已有福建省多家医院包干。",
    "兴安盟旗县医院新开展技术30项，广州市级医院派出专家。",
    "城市二级以上公立医院每年至少派出5名专家，工作成效纳入公立医院绩效考核。",
])
def test_descriptions_between_place_and_suffix_are_not_names(text):
    assert names(text) == set()


# -- names with no place in them -----------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("专科短板加快补齐。中日友好医院向康保县医院派驻呼吸专家6名。", "中日友好医院"),
    ("患者由深圳返港，被送往玛丽医院做手术。", "玛丽医院"),
    ("15.中国人民解放军联勤保障部队第九四〇医院——舟曲县人民医院", "中国人民解放军联勤保障部队第九四〇医院"),
])
def test_a_proper_name_with_no_place(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "截至目前，医院已有15名专家常驻，帮助医院建成胸痛中心。",
    "近年来医院先后开展新技术20项，按照医院安排轮换。",
    "各地方舱医院陆续休舱，对照医院的数据未见差异。",
])
def test_ordinary_words_before_yiyuan_are_not_names(text):
    assert names(text) == set()


def test_a_short_name_links_to_the_full_name_the_article_writes():
    text = ("中山大学孙逸仙纪念医院对口帮扶五华县人民医院。当天下午，孙逸仙纪念医院专家团队开展义诊。"
            "吉林大学中日联谊医院派出专家；中日联谊医院还将共建胸痛中心。")
    ents = entities(text)
    assert "孙逸仙纪念医院" in ents["中山大学孙逸仙纪念医院"].aliases
    assert "中日联谊医院" in ents["吉林大学中日联谊医院"].aliases
    assert "孙逸仙纪念医院" not in ents and "中日联谊医院" not in ents


# -- two-character counties ----------------------------------------------------------

@pytest.mark.parametrize("text, hospital, county", [
    ("安徽医科大学第二附属医院——寿县县医院", "寿县县医院", "寿县"),
    ("皖南医学院弋矶山医院——泾县医院", "泾县医院", "泾县"),
    ("省立医院先后派出14名专家常驻单县中心医院。", "单县中心医院", "单县"),
    ("3．菏泽市立医院——曹县庄寨镇卫生院等5家乡镇卫生院。", "曹县庄寨镇卫生院", "曹县"),
])
def test_two_character_counties_before_a_hospital(text, hospital, county):
    ents = entities(text)
    assert hospital in ents and ents[county].type == "County"


@pytest.mark.parametrize("text", ["医生每两周跟随县医院医生到乡镇巡诊。", "广州医生助黔南县医院脱胎换骨。"])
def test_a_county_name_glued_to_another_word_is_not_a_county(text):
    assert not any(e.type == "County" for e in entities(text).values())


# -- place names and boundaries ------------------------------------------------------

def test_a_full_place_name_wins_over_a_short_one_it_overlaps():
    ents = entities("应急队伍赶到卫辉，其中山东省疾病预防控制中心派出12人。")
    assert "山东省疾病预防控制中心" in ents and "中山市" not in ents


@pytest.mark.parametrize("text", ["近年来，全州县级医院服务能力明显提升。", "帮助全州县级医院新建了一批重点专科。"])
def test_a_level_char_of_xian_ji_is_not_the_end_of_a_place(text):
    assert not any(e.type == "County" for e in entities(text).values())


@pytest.mark.parametrize("text, name", [
    ("从江县医共体由县人民医院牵头。", "从江县医共体"),
    ("和田县医共体成员单位达到12家。", "和田县医共体"),
])
def test_a_boundary_char_that_begins_a_place_name_stays(text, name):
    assert name in names(text, "Alliance")


@pytest.mark.parametrize("text, name", [
    ("复旦大学附属中山医院和同济大学附属东方医院共同参与。", "同济大学附属东方医院"),
    ("与同济大学附属东方医院签订协议。", "同济大学附属东方医院"),
])
def test_a_name_may_begin_with_a_conjunction_char(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "序号｜受援医院｜支援医院\n1｜澜沧拉祜族自治县第一人民医院｜普洱市｜复旦大学附属中山医院｜2021",
    "1 | 澜沧拉祜族自治县第一人民医院 | 普洱市 | 复旦大学附属中山医院 | 2021",
])
def test_table_separators_bound_names(text):
    assert {"澜沧拉祜族自治县第一人民医院", "复旦大学附属中山医院"} <= names(text)


@pytest.mark.parametrize("text, name", [
    ("本文以福建医科大学附属协和医院为例，分析帮扶成效。", "福建医科大学附属协和医院"),
    ("积极争取兰州大学第二医院对我县的帮扶。", "兰州大学第二医院"),
    ("特别要感谢青岛大学附属医院的专家。", "青岛大学附属医院"),
])
def test_verbs_before_a_university_hospital_are_not_part_of_it(text, name):
    assert names(text) == {name}


# -- abbreviations and second names --------------------------------------------------

@pytest.mark.parametrize("text, full, short", [
    ("上海交通大学医学院附属仁济医院（以下简称仁济医院）对果洛州人民医院实施帮扶。仁济医院派出专家9名。",
     "上海交通大学医学院附属仁济医院", "仁济医院"),
    ("中国科学技术大学附属第一医院（安徽省立医院，以下简称“省立医院”）全面托管金寨县人民医院。省立医院派驻院长。",
     "中国科学技术大学附属第一医院", "省立医院"),
    ("首都医科大学附属北京天坛医院（简称天坛医院）与张北县医院签约，天坛医院派驻专家。",
     "首都医科大学附属北京天坛医院", "天坛医院"),
])
def test_a_defined_abbreviation_names_the_same_entity(text, full, short):
    ents = entities(text)
    assert short in ents[full].aliases
    assert short not in ents
    hospitals = [m for m in find_mentions(text)[0] if m.text == short]
    assert len(hospitals) >= 2 and all(m.name == full for m in hospitals)


@pytest.mark.parametrize("text, full, other", [
    ("巫溪县人民医院得到新桥医院即陆军军医大学第二附属医院的长期支持。", "陆军军医大学第二附属医院", "新桥医院"),
    ("中国科学技术大学附属第一医院（安徽省立医院）全面托管岳西县医院。", "中国科学技术大学附属第一医院", "安徽省立医院"),
])
def test_two_names_of_one_institution_are_one_node(text, full, other):
    ents = entities(text)
    assert other in ents[full].aliases and other not in ents
    assert not any("即" in n for n in ents)


@pytest.mark.parametrize("text", [
    "隆德县人民医院则得到福建省立医院支持，省立医院每半年轮换一批专家。",
    "福建省立医院与宁化县签约；省立医院将派驻专家。",
])
def test_a_bare_level_name_after_the_full_one_is_that_hospital(text):
    ents = entities(text)
    assert "省立医院" in ents["福建省立医院"].aliases
    assert not any(n.endswith("立医院") and n != "福建省立医院" for n in ents)
