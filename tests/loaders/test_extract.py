"""Extraction and linking on small snippets: each rule family, both directions, lists, context."""
from __future__ import annotations

import pytest

from kg.model import Document
from kg.pipeline import analyse, linked


#: A neutral first line: a one-line snippet is read as a body sentence, not as the title.
TITLE = "卫生健康工作动态\n"


def _doc(text: str, doc_id: str = "t.txt", titled: bool = True) -> Document:
    raw = text if not titled or "\n" in text.strip() else TITLE + text
    return Document(id=doc_id, path=doc_id, raw=raw)


def run(text: str, doc_id: str = "t.txt", titled: bool = True):
    """Analyse a snippet (under ``TITLE`` when it is one line, unless ``titled`` is false); return
    (entities by name, relation triples by name, the result)."""
    res = analyse(_doc(text, doc_id, titled))
    names = {e.id: e.name for e in res.entities}
    ents = {e.name: e for e in res.entities}
    rels = {(names[r.source], r.type, names[r.target]) for r in res.relations}
    return ents, rels, res


#: Constructions the old hand-written rules made edges of and the learned scorer (issue 13) does
#: not yet: kept as strict expected failures so that a model that learns one must say so here.
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="known miss of the learned scorer (below its threshold)")


# -- regions -------------------------------------------------------------------------

def test_region_with_code_parent_and_coordinates():
    ents, rels, _ = run("四川省甘孜藏族自治州泸定县持续推进县域医共体建设。")
    county = ents["泸定县"]
    assert county.type == "County"
    assert county.attrs["code"] == "513322"
    assert county.attrs["region"] == "四川省甘孜藏族自治州泸定县"
    assert county.attrs["lon"] and county.attrs["lat"]
    assert ("泸定县", "LOCATED_IN", "甘孜藏族自治州") in rels


def test_ambiguous_district_resolved_by_the_articles_other_regions():
    ents, _, _ = run("福州市鼓楼区卫健委召开会议。鼓楼区将推进医联体建设。")
    assert ents["鼓楼区"].attrs["code"] == "350102"  # 福建省福州市鼓楼区, not 南京 or 开封


def test_ambiguous_district_without_context_stays_unresolved_with_a_reason():
    ents, _, res = run("鼓楼区将推进医联体建设。")
    assert "鼓楼区" not in ents
    assert any(u["surface"] == "鼓楼区" and "ambiguous" in u["reason"] for u in res.unresolved)


def test_town_resolves_inside_the_named_county_only():
    ents, rels, _ = run("清远市阳山县太平镇卫生院开展义诊。")
    assert ents["太平镇"].attrs["division"] == "441823/太平镇"
    _, _, res = run("太平镇开展义诊活动。")
    assert not any(e.type == "Town" for e in res.entities)  # 太平镇 exists in dozens of counties


def test_words_that_look_like_towns_are_not_towns():
    ents, _, _ = run("湖北省深化改革促进乡村医疗卫生体系健康发展，推进就地城镇化。")
    assert not any(e.type == "Town" for e in ents.values())


def test_short_county_name_needs_the_full_name_in_the_article():
    ents, _, _ = run("两地签订合作协议。")
    assert not any(e.type == "County" for e in ents.values())  # 合作 is also 合作市's short name


@pytest.mark.parametrize("text, county, code, hospital", [
    ("四川大学华西医院托管新津县人民医院。", "新津区", "510132", "新津区人民医院"),
    ("青岛大学附属医院与即墨市人民医院建立紧密型医联体。", "即墨区", "370215", "即墨区人民医院"),
    ("北京大学第一医院对口帮扶盘县人民医院。", "盘州市", "520281", "盘州市人民医院"),
    ("湖北省人民医院托管襄樊市中心医院。", "襄阳市", "420600", "襄阳市中心医院"),
    ("拉萨市人民医院对口支援那曲地区人民医院。", "那曲市", "540600", "那曲市人民医院"),
])
def test_an_old_division_name_resolves_to_todays_unit_with_the_old_name_as_alias(text, county, code, hospital):
    ents, rels, _ = run(text)
    old = next(e for e in ents.values() if e.attrs.get("code") == code and e.type != "Hospital")
    assert old.name == county and old.attrs["code"] == code
    old_name = next(a for a in old.aliases)
    assert old_name in text and old_name != county
    h = ents[hospital]
    assert h.attrs["code"] == code and any(a in text for a in h.aliases)
    assert any(t == hospital for _, t in candidate_pairs(text))  # the scorer gets to weigh it


def candidate_pairs(text: str) -> set[tuple[str, str]]:
    """The directed (source, target) name pairs the scorer is offered for ``text``."""
    lk = linked(_doc(text))
    return {(lk.entities[i.source].name, lk.entities[i.target].name) for i in lk.pair_instances()}


def test_a_two_character_name_inside_a_word_is_no_county():
    """担任县人民医院执行院长: 任县 (today 任泽区) is not named; 盘县 after its city is."""
    ents, _, _ = run("广州医科大学附属第二医院派驻专家担任县人民医院业务副院长。")
    assert not any(e.type == "County" for e in ents.values())
    ents, _, _ = run("六盘水市盘县人民医院加入医联体。")
    assert ents["盘州市"].attrs["code"] == "520281"


@pytest.mark.parametrize("text, county, code", [
    ("吉林大学第一医院对口帮扶乾安县人民医院。", "乾安县", "220723"),
    ("吉林大學第一醫院對口幫扶乾安縣人民醫院。", "乾安县", "220723"),
    ("西安交通大学第一附属医院托管乾县人民医院。", "乾县", "610424"),
    ("浙江省人民医院对口帮扶临安区於潜镇卫生院。", "临安区", "330112"),
])
def test_names_conversion_would_rewrite_still_give_county_hospital_and_edge(text, county, code):
    ents, rels, _ = run(text)
    assert ents[county].attrs["code"] == code
    targets = {t for _, r, t in rels if r in ("SUPPORTS", "MANAGES")}
    assert any(t.startswith(("乾", "临安区於潜镇")) for t in targets), rels


@pytest.mark.parametrize("mark", ["\u200e", "\u200b", "\u2066", "\ufe0f", "\U000e0041", "\ue000"])
def test_an_invisible_character_inside_a_name_is_no_break(mark):
    ents, rels, res = run(f"广东省人民医院对口帮扶阳山县人{mark}民医院。")
    assert ("广东省人民医院", "SUPPORTS", "阳山县人民医院") in rels
    ev = next(r for r in res.relations if r.type == "SUPPORTS").evidence[0]
    assert res.doc.raw[ev.start:ev.end] == f"广东省人民医院对口帮扶阳山县人{mark}民医院"


# -- hospitals -----------------------------------------------------------------------

def test_context_completion_of_county_hospital():
    ents, rels, _ = run("兰考县持续推进医共体建设。县人民医院与县中医院共同开展巡诊。")
    assert "兰考县人民医院" in ents and "兰考县中医院" in ents
    assert ("兰考县人民医院", "LOCATED_IN", "兰考县") in rels


def test_province_level_hospital_completed_from_the_article_province():
    ents, _, _ = run("贵州省毕节市威宁县人民医院依托省人民医院的帮扶，新开展技术20项。")
    assert "贵州省人民医院" in ents
    assert ents["贵州省人民医院"].attrs["code"] == "520000"


def test_university_affiliated_hospital_and_no_university_node():
    ents, _, _ = run("浙江省衢州市开化县人民医院与浙江大学医学院附属第一医院签订合作协议。")
    assert "浙江大学医学院附属第一医院" in ents
    assert "浙江大学" not in ents


def test_generic_plurals_are_not_entities():
    ents, _, _ = run("全县13间乡镇卫生院和二级以上医院、县级公立医院均已接入平台。")
    assert not any(e.type == "Hospital" for e in ents.values())


def test_a_list_sharing_one_suffix_gives_one_hospital_each():
    ents, _, _ = run("赣州市于都县：罗坳镇、岭背镇、禾丰镇共3间卫生院完成改造。")
    for town in ("罗坳镇", "岭背镇", "禾丰镇"):
        assert f"于都县{town}卫生院" in ents


def test_same_named_county_hospitals_in_two_counties_stay_apart():
    _, _, r1 = run("兰考县人民医院开展义诊。", "a.txt")
    _, _, r2 = run("曹县人民医院开展义诊。", "b.txt")
    ids1 = {e.id for e in r1.entities if e.type == "Hospital"}
    ids2 = {e.id for e in r2.entities if e.type == "Hospital"}
    assert ids1 and ids2 and not ids1 & ids2


def test_ids_are_stable_and_readable():
    _, _, a = run("兰考县人民医院开展义诊。")
    _, _, b = run("兰考县人民医院开展义诊。")
    assert sorted(e.id for e in a.entities) == sorted(e.id for e in b.entities)
    assert "Hospital/410225/人民医院" in {e.id for e in a.entities}


def test_alias_table_resolves_abbreviations():
    ents, _, res = run("暨大附一总医院先后派驻26名管理人员。")
    assert "暨南大学附属第一医院" in ents
    assert any(m["reason"] == "alias table" for m in res.merges)


# -- agencies, policies, programmes, alliances ----------------------------------------

def test_agency_names_are_written_out_and_completed():
    ents, _, _ = run("湖北省卫健委印发通知。省委、省政府高度重视。")
    assert "湖北省卫生健康委员会" in ents
    assert "中共湖北省委员会" in ents and "湖北省人民政府" in ents


def test_policy_issued_by_both_agencies_of_a_list():
    ents, rels, _ = run("中共中央办公厅、国务院办公厅印发《关于进一步完善医疗卫生服务体系的意见》。")
    assert ("关于进一步完善医疗卫生服务体系的意见", "ISSUED_BY", "中共中央办公厅") in rels
    assert ("关于进一步完善医疗卫生服务体系的意见", "ISSUED_BY", "国务院办公厅") in rels


def test_programme_run_by_the_subject_region():
    ents, rels, _ = run("甘肃省临夏回族自治州东乡族自治县实施县域医疗服务能力提升工程。")
    assert "县域医疗服务能力提升工程" in ents
    assert ("东乡族自治县", "RUNS", "县域医疗服务能力提升工程") in rels


def test_generic_programme_words_are_not_programmes():
    ents, _, _ = run("开展新技术、新项目23项，安排项目2638个。")
    assert not any(e.type == "Program" for e in ents.values())


def test_alliance_led_by_and_members_of():
    _, rels, _ = run("菏泽市曹县组建由曹县人民医院牵头，整合县中医院、县妇幼保健院的曹县医共体总医院。")
    assert ("曹县人民医院", "LEADS", "曹县医共体总医院") in rels
    assert ("曹县中医院", "MEMBER_OF", "曹县医共体总医院") in rels
    assert ("曹县妇幼保健院", "MEMBER_OF", "曹县医共体总医院") in rels


# -- partnerships: direction, fan-out, evidence, quantities --------------------------------

def test_manages_direction_follows_the_text():
    _, rels, _ = run("河南省开封市兰考县引进郑州大学第一附属医院全面托管县人民医院。")
    assert ("郑州大学第一附属医院", "MANAGES", "兰考县人民医院") in rels or \
        any(t == ("MANAGES", "兰考县人民医院") for _, *t in [(s, r, o) for s, r, o in rels])
    assert not any(r == "MANAGES" and s == "兰考县人民医院" for s, r, _ in rels)


@KNOWN_MISS
def test_support_from_an_opportunity_phrase_points_at_the_subject():
    _, rels, _ = run("福建省三明市尤溪县医院抢抓厦门市对口帮扶机遇。尤溪县中医院抢抓福州市对口帮扶机缘，引进5名专家。")
    assert ("福州市", "SUPPORTS", "尤溪县中医院") in rels


def test_list_fans_out_to_one_edge_each():
    _, rels, _ = run("云南省怒江州福贡县人民医院携手云南省第一人民医院、昆明医科大学第一附属医院、"
                     "云南省中医医院打造专科联盟。")
    partners = {o for s, r, o in rels if s == "福贡县人民医院" and r == "PARTNERS_WITH"}
    assert {"云南省第一人民医院", "云南省中医医院"} <= partners


def test_support_to_a_county_hospital_with_quantities_and_evidence():
    text = "四川省甘孜州泸定县人民医院：四川大学华西医院自2019年以来对口帮扶泸定县人民医院，派驻12名专家。"
    _, _, res = run(text, titled=False)
    names = {e.id: e.name for e in res.entities}
    rel = next(r for r in res.relations if r.type == "SUPPORTS" and names[r.source] == "四川大学华西医院")
    assert names[rel.target] == "泸定县人民医院"
    assert rel.attrs.get("since") == "2019"
    assert any(q["kind"] == "experts" and q["value"] == 12 for q in rel.attrs["quantities"])
    ev = rel.evidence[0]
    assert "四川大学华西医院自2019年以来对口帮扶泸定县人民医院" in text[ev.start:ev.end]
    assert text[ev.start:ev.end] == ev.sentence  # raw == clean here: the span is the sentence
    assert ev.rule and 0 < ev.confidence <= 1


def test_money_quantity_is_normalised_to_yuan():
    _, _, res = run("泸定县人民医院：四川大学华西医院每年投入约2.8亿元对口帮扶泸定县人民医院。")
    rel = next(r for r in res.relations if r.type == "SUPPORTS")
    money = [q for q in rel.attrs.get("quantities", []) if q["kind"] == "money"]
    assert money and money[0]["value"] == 280_000_000 and money[0]["unit"] == "CNY"


def test_traditional_and_pinyin_text_reads_the_same():
    _, rels, _ = run("四川大學華西醫(yī)院對(duì)口幫扶瀘定縣人民醫院。")
    assert ("四川大学华西医院", "SUPPORTS", "泸定县人民医院") in rels


@pytest.mark.parametrize("text", ["", "？？？？", "医院医院医院", "省县市区镇乡", "《》“”"])
def test_degenerate_text_gives_no_crash(text):
    run(text)


def test_helped_under_someones_support_points_back_at_the_subject():
    _, rels, _ = run("甘肃省临夏州东乡族自治县人民医院在天津市第一中心医院的帮扶下，成功开展首例腹腔镜手术。")
    assert ("天津市第一中心医院", "SUPPORTS", "东乡族自治县人民医院") in rels
    _, rels, _ = run("贵州省毕节市威宁县人民医院得到贵州医科大学附属医院的对口帮扶。")
    assert ("贵州医科大学附属医院", "SUPPORTS", "威宁县人民医院") in rels


def test_several_supporters_listed_before_the_cue_each_get_an_edge():
    _, rels, _ = run("广东省人民医院、中山大学附属第一医院、南方医科大学南方医院等3家医院组团式帮扶河源市和平县人民医院。")
    sources = {s for s, r, o in rels if r == "SUPPORTS" and o == "和平县人民医院"}
    assert sources == {"广东省人民医院", "中山大学附属第一医院", "南方医科大学南方医院"}


def test_written_forms_of_autonomous_divisions():
    ents, _, _ = run("上海市第六人民医院托管云南省文山州人民医院。")
    assert ents["文山州人民医院"].attrs["code"] == "532600"


def test_a_provincial_hospital_managing_a_prefectures_hospital():
    _, rels, _ = run("上海市第六人民医院托管云南省文山州人民医院。")
    assert ("上海市第六人民医院", "MANAGES", "文山州人民医院") in rels


def test_region_chain_attaches_support_to_the_inner_place():
    _, rels, _ = run("上海市对口支援新疆维吾尔自治区喀什地区。")
    assert ("上海市", "SUPPORTS", "喀什地区") in rels
    assert ("上海市", "SUPPORTS", "新疆维吾尔自治区") not in rels


def test_agencies_written_together_both_issue():
    _, rels, _ = run("开化县委县政府出台了《开化县医共体建设实施方案》。")
    assert ("开化县医共体建设实施方案", "ISSUED_BY", "中共开化县委员会") in rels
    assert ("开化县医共体建设实施方案", "ISSUED_BY", "开化县人民政府") in rels


@KNOWN_MISS
def test_branch_hospital_is_a_partnership_with_the_place():
    _, rels, _ = run("四川省人民医院在甘孜州泸定县设立分院。")
    assert ("四川省人民医院", "PARTNERS_WITH", "泸定县") in rels


def test_paired_support_goes_from_the_higher_level_whatever_the_order():
    _, rels, _ = run("河南省开封市兰考县：开封市中医院与兰考县中医院结对帮扶。")
    assert ("开封市中医院", "SUPPORTS", "兰考县中医院") in rels
    _, rels, _ = run("河南省开封市兰考县：兰考县中医院与开封市中医院结对帮扶。")
    assert ("开封市中医院", "SUPPORTS", "兰考县中医院") in rels


def test_cue_words_inside_a_policy_title_make_no_edge():
    _, rels, _ = run("四川省卫生健康委印发《四川省城市三级医院对口帮扶县级医院实施方案》。")
    assert not any(r == "SUPPORTS" for _, r, _ in rels)


def test_support_relationship_nouns():
    _, rels, _ = run("江西省赣州市于都县人民医院还与银坑镇中心卫生院、梓山镇中心卫生院建立“县乡一体化”帮扶关系。")
    assert ("于都县人民医院", "SUPPORTS", "于都县银坑镇中心卫生院") in rels
    _, rels, _ = run("深圳市人民医院与河源市紫金县人民医院建立紧密型医联体。")  # either way round
    assert {("深圳市人民医院", "PARTNERS_WITH", "紫金县人民医院"), ("紫金县人民医院", "PARTNERS_WITH", "深圳市人民医院")} & rels


def test_every_member_of_a_list_after_yu_gets_the_edge():
    """The second of two listed recipients scores near the threshold and has flipped between
    retrains (held with v7, not with v8–v11, held with v12, not with v13–v15, held with v16, not
    with v17–v20, held with v21)."""
    _, rels, _ = run("江西省赣州市于都县人民医院还与银坑镇中心卫生院、梓山镇中心卫生院建立“县乡一体化”帮扶关系。")
    assert ("于都县人民医院", "SUPPORTS", "于都县梓山镇中心卫生院") in rels


def test_a_role_noun_is_not_a_support_edge():
    _, rels, _ = run("广东省珠海市、云南省：昆明医科大学第一附属医院作为省级对口帮扶医院，派驻5名专家常驻福贡县人民医院。")
    assert ("昆明医科大学第一附属医院", "SUPPORTS", "福贡县人民医院") in rels
    assert not any(o == "珠海市" for _, r, o in rels if r == "SUPPORTS")


def test_managed_by_in_a_relative_clause():
    _, rels, _ = run("厦门大学附属第一医院托管的同安区中医院今年新开展技术40余项。")
    assert ("厦门大学附属第一医院", "MANAGES", "同安区中医院") in rels


def test_a_second_name_in_brackets_is_the_same_hospital():
    ents, rels, _ = run("江苏省人民医院（南京医科大学第一附属医院）对口支援新疆克孜勒苏柯尔克孜自治州人民医院。")
    assert "南京医科大学第一附属医院" in ents["江苏省人民医院"].aliases
    assert ("江苏省人民医院", "SUPPORTS", "克孜勒苏柯尔克孜自治州人民医院") in rels


def test_policy_carries_its_document_number_and_year():
    ents, _, _ = run("中共中央办公厅、国务院办公厅印发《关于进一步深化改革促进乡村医疗卫生体系健康发展的意见》（厅字〔2023〕3号）。")
    attrs = ents["关于进一步深化改革促进乡村医疗卫生体系健康发展的意见"].attrs
    assert attrs["number"] == "厅字〔2023〕3号" and attrs["year"] == 2023


def test_an_abbreviation_and_the_full_name_are_one_node():
    _, _, a = run("暨大附一派驻专家。", "a.txt")
    _, _, b = run("暨南大学附属第一医院派驻专家。", "b.txt")
    ids = lambda r: {e.id for e in r.entities if e.type == "Hospital"}
    assert ids(a) == ids(b) == {"Hospital/暨南大学附属第一医院"}


def test_a_town_written_without_zhen_inside_a_named_county():
    ents, _, _ = run("潮州市饶平县以二甲综合医院标准建设新丰中心卫生院新院区。")
    assert "饶平县新丰镇中心卫生院" in ents
    ents, _, _ = run("以二甲综合医院标准建设新丰中心卫生院新院区。")
    assert not any(e.type == "Hospital" for e in ents.values())  # no county named: no guess


def test_sentence_spans_exclude_surrounding_whitespace():
    from loaders.extract import split_sentences

    for text in ("中站区\t", " 甲。 乙 \n丙"):
        for s in split_sentences(text):
            assert text[s.start:s.end] == s.text


@pytest.mark.parametrize("text, full", [
    ("西安交通大学新闻网\n近日，学校第二附属医院派驻商南县医院的专家团队完成首例介入手术。", "西安交通大学第二附属医院"),
    ("重庆医科大学召开定点帮扶工作会\n会上，我校附属儿童医院介绍了在城口县的儿科建设情况。", "重庆医科大学附属儿童医院"),
    ("广西医科大学党委书记赴百色调研\n第二附属医院党委书记汇报了帮扶德保县人民医院的进展。", "广西医科大学第二附属医院"),
])
def test_a_hospital_named_through_the_university_the_article_speaks_for(text, full):
    """学校 / 我校 / a bare 第二附属医院 in a university's news: that university's hospital."""
    ents, _, _ = run(text)
    assert full in ents and ents[full].type == "Hospital"
    assert not any(n.startswith(("学校", "我校", "第二附属")) for n in ents)


def test_no_university_hospital_is_made_up_when_the_university_is_not_clear():
    ents, _, _ = run("四川大学与重庆医科大学联合调研\n第二附属医院专家参加了座谈。")
    assert not any(n.endswith("大学第二附属医院") for n in ents)
