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
    ("成都市第三人民医院牵头组建医疗集团。会上，市三医院与青羊区第五人民医院签署托管协议。", "成都市第三人民医院"),
    ("九江市第一人民医院派出专家。市一医院专家每周到湖口县人民医院坐诊。", "九江市第一人民医院"),
])
def test_a_levels_contracted_ordinal_is_the_numbered_peoples_hospital_the_article_names(text, name):
    """市三医院 alone (no place before it) is the 第三人民医院 of the article's city when it names that."""
    ents = entities(text)
    short = name.replace("第", "").replace("人民", "")
    assert short not in ents and short in ents[name].aliases


@pytest.mark.parametrize("text, name, short", [
    ("厦门市第三医院牵头组建医疗集团。市三院还承担着山海协作任务。", "厦门市第三医院", "市三院"),
    ("南充市第二人民医院派出专家。市二院每月派出专家到蓬安县人民医院坐诊。", "南充市第二人民医院", "市二院"),
])
def test_a_levels_ordinal_said_shorter_still_is_the_same_hospital(text, name, short):
    """市三院, 市二院: the 第三/第二 hospital of the article's city, as 市三医院 is."""
    ents = entities(text)
    assert short in ents[name].aliases and not any(n.endswith("三医院") or n.endswith("二医院") for n in ents if n != name)


@pytest.mark.parametrize("text", ["北京积水潭医院派出执行院长，重构医院绩效和质控体系。",
                                  "托管后，管理团队重塑医院运营流程，成效明显。"])
def test_a_verb_before_yiyuan_as_a_noun_is_no_name(text):
    """重构医院绩效 / 重塑医院运营: 医院 is a common noun after a verb, not a hospital called 重构医院."""
    assert not {n for n in names(text) if n.startswith(("重构", "重塑"))}


@pytest.mark.parametrize("text", ["全市三医院联动，开展义诊。", "本市两医院合并。", "全市三院联动，市一院长出席。"])
def test_a_count_of_a_places_hospitals_is_no_contracted_name(text):
    assert not {n for n in names(text) if "第" in n}


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


@pytest.mark.parametrize("text, supporter, county_hospital", [
    ("决定对山东第一医科大学附属省立医院门源县人民医院帮扶团队等2个集体予以通报表扬。",
     "山东第一医科大学附属省立医院", "门源县人民医院"),
    ("先进集体：福建医科大学附属第一医院长汀县医院帮扶团队", "福建医科大学附属第一医院", "长汀县医院"),
])
def test_a_supporter_glued_to_a_county_hospital_is_two_names_not_a_branch(text, supporter, county_hospital):
    """甲医院门源县人民医院帮扶团队: a team of 甲 at the county's hospital, not a branch of 甲."""
    got = names(text, "Hospital")
    assert supporter in got and county_hospital in got, got


@pytest.mark.parametrize("text, name", [
    ("州卫生健康委员会决定对山东第一医科大学附属省立医院予以通报表扬。", "山东第一医科大学附属省立医院"),
    ("会议决定对吉林大学第一医院援疆团队予以表扬。", "吉林大学第一医院"),
])
def test_a_universitys_name_starts_at_its_place_after_a_verb(text, name):
    """决定对[山东]第一医科大学: the name starts at the province, three characters after the verb."""
    assert name in names(text, "Hospital")


@pytest.mark.parametrize("text, name", [
    ("根据中南大学湘雅医院对口支援我院工作安排，现将专家坐诊时间公布如下。", "中南大学湘雅医院"),
    ("依据四川大学华西第二医院与我院签订的协议，儿科专家每月来院两次。", "四川大学华西第二医院"),
    ("这些成绩离不开西南医科大学附属医院的倾力帮扶。", "西南医科大学附属医院"),
    ("科室的起步，得益于西南医科大学附属医院专家团队。", "西南医科大学附属医院"),
    ("县医院受益于西南医科大学附属医院的对口帮扶。", "西南医科大学附属医院"),
    ("市政府常务会议专题听取南方医科大学南方医院帮扶工作情况汇报。", "南方医科大学南方医院"),
    ("县委常委会听取中山大学附属第一医院托管工作汇报。", "中山大学附属第一医院"),
    ("今年中南大学湘雅医院又向该院派驻了6名专家。", "中南大学湘雅医院"),
    ("近日复旦大学附属中山医院派出第二批专家团队。", "复旦大学附属中山医院"),
])
def test_a_preposition_before_a_universitys_hospital_is_not_part_of_its_name(text, name):
    """根据[中南大学湘雅医院]…安排 / 依据…协议 / 离不开[…]的帮扶 / 得益于… / 今年[…]又向…: the name
    starts after the preposition, verb or time word."""
    assert names(text) == {name}


@pytest.mark.parametrize("text, name", [
    ("十堰市太和医院专家每周二来我院坐诊。", "十堰市太和医院"),
    ("经协商，宜昌市仁和医院派出3名骨科医师到兴山县人民医院帮扶。", "宜昌市仁和医院"),
])
def test_a_proper_part_holding_a_joining_character_is_part_of_the_name(text, name):
    """太和, 仁和 hold 和 (and) but are words of a name: the name does not break there."""
    assert name in names(text)


@pytest.mark.parametrize("text", ["北京市为老人和儿童医院捐赠设备。", "县里组织工人和妇幼保健院医生座谈。"])
def test_a_word_ending_before_he_does_not_join_a_name(text):
    """老人和儿童医院, 工人和妇幼保健院: 和 joins two nouns here; no name starts before it."""
    assert not any("人和" in n for n in names(text))


@pytest.mark.parametrize("text", ["浙江省属医院共选派援疆医生32名。", "今年起，杭州市属医院每年派出专家到淳安县坐诊。"])
def test_the_hospitals_a_place_owns_are_no_name(text):
    """浙江省属医院 (province-owned hospitals) names a kind, not a hospital."""
    assert not any("属医院" in n for n in names(text, "Hospital"))


@pytest.mark.parametrize("text", ["| 序号 | 浙江方医院 | 广元方医院 |\n| 1 | 浙江省人民医院 | 苍溪县人民医院 |",
                                  "双方约定，江苏方医院每年选派专家6名，青海方医院负责安排食宿。"])
def test_a_sides_hospital_is_no_name(text):
    """浙江方医院 (the hospital on the Zhejiang side of a pairing) names a role, not a hospital."""
    assert not any("方医院" in n for n in names(text, "Hospital")), names(text, "Hospital")


@pytest.mark.parametrize("text", ["项目医院对修文县人民医院实行全面托管。", "作为输出医院，北京儿童医院向依托医院派驻执行院长。"])
def test_role_nouns_of_a_partnership_are_no_hospital(text):
    """项目医院, 输出医院, 依托医院: a role in a partnership, not a hospital's name."""
    assert not {"项目医院", "输出医院", "依托医院"} & names(text, "Hospital")


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


@pytest.mark.parametrize("text, county", [
    ("序号　帮扶单位　帮扶县\n1　甘肃省卫生健康委员会　漳县\n2　甘肃省人民医院　礼县", "漳县"),
    ("安徽省卫生健康委员会安排省立医院对口帮扶泾县，每批派驻专家6名。", "泾县"),
])
def test_a_two_character_county_of_a_province_the_text_names(text, county):
    """漳县 alone in a table, 帮扶泾县: a county of the province the article names in full."""
    ents = entities(text)
    assert county in ents and ents[county].type == "County"


@pytest.mark.parametrize("text", ["山西省忻州市召开会议，代县长王某出席并讲话。", "山西省各县换届后，多名代县长参加了培训。"])
def test_a_two_character_county_glued_to_a_following_word_is_not_named(text):
    """代县长 is 代 + 县长 (an acting county head), though 代县 is a county of the province named."""
    assert "代县" not in entities(text)


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
    ("当年的第三军医大学西南医院，如今叫陆军军医大学第一附属医院，对口支援开州区人民医院。", "陆军军医大学第一附属医院"),
    ("老百姓都管它叫华中科技大学同济医学院附属协和医院。", "华中科技大学同济医学院附属协和医院"),
])
def test_a_name_begins_after_the_word_that_calls_it(text, name):
    """如今叫甲, 管它叫甲: 叫 is never inside a name."""
    assert name in names(text)


@pytest.mark.parametrize("text, name", [
    ("复旦大学附属中山医院和同济大学附属东方医院共同参与。", "同济大学附属东方医院"),
    ("与同济大学附属东方医院签订协议。", "同济大学附属东方医院"),
])
def test_a_name_may_begin_with_a_conjunction_char(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "加强城乡医院对口支援，推动城市医院与县级医院结对。",
    "社区医院和山区医院人手不足，牧区医院尤甚。",
])
def test_a_level_char_inside_a_common_noun_is_no_hospital(text):
    """城乡医院 is not a township's hospital, 社区医院 not a district's: no name, no entity."""
    assert surfaces(text) == set()


@pytest.mark.parametrize("text, name", [
    ("院领导赴川浙两地看望慰问派驻专家-浙江大学医学院附属第二医院", "浙江大学医学院附属第二医院"),
    ("院长带队赴县调研对口帮扶工作_哈尔滨医科大学附属第一医院", "哈尔滨医科大学附属第一医院"),
])
def test_a_dash_or_underscore_bounds_a_name_in_a_page_title(text, name):
    assert surfaces(text) == {name}


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
    ("探索中南大学湘雅二医院牵头建立紧密型医联体。", "中南大学湘雅二医院"),
    ("引导北京大学第一医院对口支援称多县。", "北京大学第一医院"),
    ("本案例重点考察首都医科大学附属北京安贞医院对口支援赤峰的做法。", "首都医科大学附属北京安贞医院"),
    ("报告聚焦中山大学附属第一医院在粤东的帮扶实践。", "中山大学附属第一医院"),
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


# -- nicknames (loaders/vocab/aliases.tsv) -------------------------------------------

@pytest.mark.parametrize("text, full", [
    ("在湘雅二医院的帮扶下，花垣县人民医院新开展技术20项。", "中南大学湘雅二医院"),
    ("郑大二附院为郑州大学第二附属医院的简称，该院对口帮扶兰考县。", "郑州大学第二附属医院"),
    ("吉大一院派驻专家到汪清县人民医院。", "吉林大学第一医院"),
    ("原由西京医院帮扶的千阳县医院改由他院接续。", "空军军医大学第一附属医院"),
    ("在千佛山医院托管下，平邑县人民医院能力提升。", "山东第一医科大学第一附属医院"),
    ("省一院（昆华医院）对口帮扶瑞丽市人民医院已进入第六个年头。", "云南省第一人民医院"),
    ("河北省肿瘤医院与平山县人民医院共建放疗中心。", "河北医科大学第四医院"),
    ("广东省口腔医院派专家到连南瑶族自治县人民医院口腔科驻点。", "南方医科大学口腔医院"),
])
def test_a_nickname_is_the_full_official_name(text, full):
    assert full in names(text)


def test_an_official_other_name_is_kept_as_an_alias():
    ents = entities("南京鼓楼医院派出专家组支援海南藏族自治州人民医院。")
    assert "南京鼓楼医院" in ents["南京大学医学院附属鼓楼医院"].aliases


@pytest.mark.parametrize("text, full", [
    ("福建省卫健委介绍，协和医院向尤溪县派驻专家8名。", "福建医科大学附属协和医院"),
    ("湖北省恩施州卫健委表示，协和医院将派专家到巴东县坐诊。", "华中科技大学同济医学院附属协和医院"),
])
def test_a_nickname_shared_by_several_hospitals_follows_the_articles_province(text, full):
    hospitals = names(text)
    assert full in hospitals and not any(n.endswith("协和医院") and n != full for n in hospitals)


def test_a_shared_nickname_with_no_province_to_tell_is_not_expanded():
    ents, res = entities("协和医院派出专家开展义诊。"), analyse(Document(id="t", path="t", raw="协和医院派出专家开展义诊。"))
    assert not any(e.type == "Hospital" for e in ents.values())
    assert any(u["surface"] == "协和医院" for u in res.unresolved)


# -- the place as written ------------------------------------------------------------

@pytest.mark.parametrize("full, short", [("深圳市龙岗区人民医院", "龙岗区人民医院"), ("绵阳市游仙区人民医院", "游仙区人民医院")])
def test_a_district_hospital_keeps_the_city_the_text_writes(full, short):
    ents = entities(f"{full}派出专家到县里。另据报道，{short}新开设门诊。")
    assert full in ents and short in ents[full].aliases and short not in ents


def test_a_nickname_and_the_written_out_name_are_one_node():
    res = analyse(Document(id="t", path="t", raw="北京清华长庚医院派出专家。清华长庚医院还将共建远程会诊中心。"))
    hospitals = [e for e in res.entities if e.type == "Hospital"]
    assert len(hospitals) == 1 and hospitals[0].name == "北京清华长庚医院"


# -- bare level words ----------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("上海市对口支援果洛藏族自治州。州人民医院位于玛沁县。", "果洛藏族自治州人民医院"),
    ("兴安盟卫生健康委员会介绍，盟人民医院新开展技术20项。", "兴安盟人民医院"),
    ("喀什地区卫健委表示，地区第一人民医院已完成改造。", "喀什地区第一人民医院"),
])
def test_a_bare_level_word_is_the_articles_unit_of_that_level(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, full", [
    ("敖汉旗医院牵头组建医共体。旗医院上半年完成手术1200台。", "敖汉旗医院"),
    ("岳西县医院院长说，两年来县医院发生了很大变化。", "岳西县医院"),
])
def test_a_bare_county_hospital_is_the_one_the_article_named(text, full):
    ents = entities(text)
    assert set(n for n, e in ents.items() if e.type == "Hospital") == {full}
    assert any(a.endswith("医院") and len(a) == 3 for a in ents[full].aliases)


@pytest.mark.parametrize("text, counties", [
    ("黄冈市卫健委介绍，省人民医院帮扶罗田，中南医院帮扶英山。", {"罗田县", "英山县"}),
    ("三年来，宿迁市争取到省级医院支持：东南大学附属中大医院对口支援泗洪，派驻专家12名。", {"泗洪县"}),
])
def test_a_county_written_short_in_an_article_naming_its_city(text, counties):
    """英山 after 黄冈市 is 英山县; the county's own full name need not appear."""
    assert names(text, "County") == counties


@pytest.mark.parametrize("text", [
    "连州市人民医院抽调骨干医生组成“流动医院”，每周两次下沉到西岸镇中心卫生院坐诊。",
    "县里组建流动医院，开着医疗车进村巡诊。",
])
def test_a_mobile_hospital_is_a_kind_of_service_not_a_name(text):
    assert "流动医院" not in names(text)


def test_a_bare_county_hospital_with_none_named_is_no_entity():
    assert names("全县13间乡镇卫生院和县医院均已接入平台；区医院也将接入。") == set()


# -- county short names in a list ----------------------------------------------------

@pytest.mark.parametrize("text, counties", [
    ("红河哈尼族彝族自治州组织专家分赴屏边、金平、绿春三县开展义诊。", {"屏边苗族自治县", "金平苗族瑶族傣族自治县", "绿春县"}),
    ("山东省援疆医疗队分赴疏勒、英吉沙、麦盖提等县。", {"疏勒县", "英吉沙县", "麦盖提县"}),
    ("江苏援藏医疗队在曲水、达孜、墨竹工卡三县巡诊。", {"曲水县", "达孜区", "墨竹工卡县"}),
])
def test_counties_listed_by_short_name(text, counties):
    assert counties <= names(text, "County")


@pytest.mark.parametrize("text", ["同德县卫生健康局局长李永福、同德县人民医院院长出席。",
                                  "对口支援疏勒县、英吉沙县、麦盖提县、岳普湖县。"])
def test_full_names_and_person_names_are_not_a_short_name_list(text):
    assert names(text, "County") <= {"同德县", "疏勒县", "英吉沙县", "麦盖提县", "岳普湖县"}


# -- towns ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, town_hospitals", [
    ("成员单位包括巫溪县中医院及宁厂镇、红池坝镇等30余个乡镇卫生院。", {"巫溪县宁厂镇卫生院", "巫溪县红池坝镇卫生院"}),
    ("由昭觉县人民医院牵头，成员单位包括竹核镇、谷曲镇、四开镇等乡镇卫生院。",
     {"昭觉县竹核镇卫生院", "昭觉县谷曲镇卫生院", "昭觉县四开镇卫生院"}),
])
def test_towns_listed_before_a_shared_suffix_each_get_their_health_centre(text, town_hospitals):
    assert town_hospitals <= names(text)


def test_a_township_written_as_the_town_it_became_is_that_division():
    res = analyse(Document(id="t", path="t", raw="昭觉县竹核镇卫生院与竹核镇政府共建健康小屋。"))
    town = next(e for e in res.entities if e.type == "Town")
    assert "竹核镇" in {town.name, *town.aliases}  # the division data still calls it 竹核乡
    assert town.attrs["region"].startswith("四川省凉山彝族自治州昭觉县")
    assert "昭觉县竹核镇卫生院" in {e.name for e in res.entities}


# -- alliances -----------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("六安市牵头成立大别山区域医联体，覆盖三县。", "大别山区域医联体"),
    ("泸州市人民医院牵头的川南卒中专科联盟新增成员单位6家。", "川南卒中专科联盟"),
    ("● 专科联盟：重医儿童医院牵头的渝东南儿科专科联盟成立。", "渝东南儿科专科联盟"),
    ("本报讯，长三角医院协同发展战略联盟2024年度理事会召开。", "长三角医院协同发展战略联盟"),
])
def test_an_alliance_opened_by_a_named_area(text, name):
    assert name in names(text, "Alliance")


@pytest.mark.parametrize("text, name", [
    ("宣城市人民医院牵头组建的宣城市人民医院医联体成员单位达到20家。", "宣城市人民医院医联体"),
    ("绵阳市中心医院卒中专科联盟成立，成员单位12家。", "绵阳市中心医院卒中专科联盟"),
    ("开化县深化医共体改革。县人民医院医共体成员单位12家。", "开化县人民医院医共体"),
])
def test_an_alliance_opened_by_a_hospital(text, name):
    assert name in names(text, "Alliance")


@pytest.mark.parametrize("text, typ", [
    ("福建医科大学附属协和医院与尤溪县总医院签订紧密型帮扶协议。", "Hospital"),
    ("三明市第一医院向建宁县总医院派驻3名专家，重点帮扶麻醉科。", "Hospital"),
    ("尤溪县总医院由尤溪县医院牵头组建，县中医医院等为成员单位。", "Alliance"),
    ("将乐县总医院（医共体）现有成员单位13家。", "Alliance"),
])
def test_a_county_zong_yiyuan_is_a_hospital_unless_said_to_have_members(text, typ):
    """三明's county 总医院 are hospitals to most writers; one that leads members is the 医共体."""
    assert {m.type for m in find_mentions(text)[0] if m.text.endswith("县总医院")} == {typ}


@pytest.mark.parametrize("text", [
    "清流县总医院拟与福建省妇幼保健院共建妇幼专科联盟。",
    "梅州市人民医院通过紧密型医联体持续帮扶县人民医院。",
    "以江西省某县紧密型医共体为例。",
])
def test_a_phrase_ending_in_an_alliance_word_is_not_its_name(text):
    assert not any(n.endswith(("联盟", "医联体", "医共体")) and len(n) > 6 for n in names(text, "Alliance"))


@pytest.mark.parametrize("text, not_name", [
    ("暨大附一派驻26名管理人员常驻潮汕医院。", "潮汕医院"),
    ("长三角医院协同发展战略联盟召开理事会。", "长三角医院"),
])
def test_a_named_area_alone_names_no_hospital(text, not_name):
    assert not_name not in names(text)


@pytest.mark.parametrize("text", ["每年投入350万元共建粤东妇科微创中心，常态化开展手术。",
                                  "依托区域远程医疗中心开展会诊。"])
def test_a_centre_with_no_place_is_a_unit_not_an_institution(text):
    assert names(text) == set()


# -- more forms of one name ----------------------------------------------------------

@pytest.mark.parametrize("text, full, short", [
    ("福建医科大学附属第一医院派出专家。当天，附一医院泌尿外科开展手术。", "福建医科大学附属第一医院", "附一医院"),
    ("新乡医学院第一附属医院派驻专家。一附院神经外科团队随后抵达。", "新乡医学院第一附属医院", "一附院"),
])
def test_a_contracted_ordinal_is_the_full_university_hospital(text, full, short):
    ents = entities(text)
    assert full in ents and short not in ents


@pytest.mark.parametrize("text, full", [
    ("广东省疾控中心派出流调队员12名。", "广东省疾病预防控制中心"),
    ("省疾控中心派出专家；河北省卫健委统筹。", "河北省疾病预防控制中心"),
])
def test_a_short_suffix_is_written_out(text, full):
    assert full in names(text)


@pytest.mark.parametrize("text, name", [
    ("宁夏回族自治区中医医院暨中医研究院派出专家。", "宁夏回族自治区中医医院暨中医研究院"),
    ("江苏省中医院暨江苏省中医药研究院派出专家。", "江苏省中医院暨江苏省中医药研究院"),
])
def test_a_joint_name_with_ji_is_one_institution(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, name", [
    ("举行医共体分院授牌暨南华大学附属第一医院专科联盟签约仪式。", "南华大学附属第一医院"),
    ("暨南大学附属第一医院派驻专家。", "暨南大学附属第一医院"),
])
def test_ji_joining_two_events_is_not_part_of_a_name(text, name):
    assert names(text) == {name}


@pytest.mark.parametrize("text, name", [
    # (the army's full name is put before a military hospital's, the written place kept)
    ("（六）新疆军区总医院：塔县人民医院", "中国人民解放军新疆军区总医院"),
    ("北京清华长庚医院由清华大学管理。", "北京清华长庚医院"),
])
def test_a_short_place_then_a_proper_stem_keeps_the_written_place(text, name):
    assert name in names(text)


def test_a_town_health_centre_in_no_named_county_is_no_entity():
    assert names("兴国县二是部分乡镇卫生院业务用房陈旧。") == set()


@pytest.mark.parametrize("text, full", [
    ("山东省卫健委通报：省立医院援疆专家完成首例手术。", "山东第一医科大学附属省立医院"),
    ("安徽省卫健委介绍，省立医院托管岳西县医院。", "中国科学技术大学附属第一医院"),
])
def test_a_completed_name_the_alias_table_knows_is_that_hospital(text, full):
    assert full in names(text)


# -- place names glued into other words ----------------------------------------------

@pytest.mark.parametrize("text, not_place", [
    ("昭觉县卫生健康局局长沙马伍各介绍了情况。", "长沙市"),
    ("今年的政府工作报告中卫生健康部分篇幅最长。", "中卫市"),
])
def test_a_short_place_name_read_across_a_word_edge_is_no_place(text, not_place):
    assert not_place not in entities(text)


@pytest.mark.parametrize("text, city", [
    ("三级医院帮扶朝阳县域见闻", "朝阳市"),
    ("推进朝阳县域医疗卫生一体化", "朝阳市"),
])
def test_a_city_name_before_xianyu_is_the_city(text, city):
    ents = entities(text)
    assert city in ents and "朝阳县" not in ents


@pytest.mark.parametrize("text", ["个案反映粤东山区的急救能力不足。", "粤东山区县医院仍缺专科医生。"])
def test_a_named_area_wins_over_a_place_name_read_across_it(text):
    assert not any(e.type == "County" for e in entities(text).values())


@pytest.mark.parametrize("text, name", [
    ("目前仍有2名宣城市人民医院专家在我院常驻坐诊。", "宣城市人民医院"),
    ("派出5名江西省人民医院骨干医师。", "江西省人民医院"),
    ("目前有10名南方医院专家常驻乳源。", "南方医科大学南方医院"),
    ("先后有三批华西医院专家到县里坐诊。", "四川大学华西医院"),
])
def test_a_count_of_people_before_a_hospital_does_not_hide_it(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, full, short", [
    ("彭湃医院（全称海丰县彭湃纪念医院）派出专家到陆河县。", "海丰县彭湃纪念医院", "彭湃医院"),
    ("红会医院（即广州市红十字会医院）与纳雍县人民医院结对。", "广州市红十字会医院", "红会医院"),
    ("红会医院即广州市红十字会医院，与纳雍县人民医院结对。", "广州市红十字会医院", "红会医院"),
])
def test_quan_cheng_and_ji_name_the_same_institution(text, full, short):
    ents = entities(text)
    assert short in ents[full].aliases and short not in ents


@pytest.mark.parametrize("text, full, short", [
    ("河北省沧州中西医结合医院（当地人习惯叫“沧州二医院”）与献县人民医院建立对口帮扶关系。沧州二医院每周派专家坐诊。",
     "沧州中西医结合医院", "沧州二医院"),
    ("广东省第二人民医院（俗称“省二院”）对口帮扶阳山县人民医院，省二院派驻专家5名。", "广东省第二人民医院", "省二院"),
])
def test_a_name_people_use_defined_in_brackets_is_the_same_institution(text, full, short):
    """甲（当地人习惯叫“乙”）/ 甲（俗称“乙”）: 乙 later in the text is 甲."""
    ents = entities(text)
    assert short in ents[full].aliases and short not in ents


@pytest.mark.parametrize("text, name", [
    ("上海市公共卫生临床中心对口支援广南县人民医院结核病科。", "上海市公共卫生临床中心"),
    ("会上，重庆市公共卫生临床中心与巫溪县人民医院签署感染科专科联盟协议。", "重庆市公共卫生临床中心"),
])
def test_a_public_health_clinical_centre_is_a_hospital(text, name):
    assert name in names(text)


@pytest.mark.parametrize("text, name, sign", [
    ("大连医科大学附属第二医院正式托管庄河市中心医院，庄河市中心医院同时加挂“大连医科大学附属第二医院庄河院区”牌子。",
     "庄河市中心医院", "大连医科大学附属第二医院庄河院区"),
    ("湖南省郴州市桂阳县人民医院加挂了「中南大学湘雅二医院桂阳医院」的牌子，湘雅二医院派出管理团队。",
     "桂阳县人民医院", "中南大学湘雅二医院桂阳医院"),
    ("2019年起由安徽医科大学第一附属医院托管，霍山县医院同时挂牌“安徽医科大学第一附属医院霍山分院”。",
     "霍山县医院", "安徽医科大学第一附属医院霍山分院"),
    ("托管协议签订后，五河县人民医院挂牌「蚌埠医学院第一附属医院五河分院」，专家每周下沉。",
     "五河县人民医院", "蚌埠医学院第一附属医院五河分院"),
])
def test_a_second_sign_names_the_same_institution(text, name, sign):
    """甲医院加挂“乙院区”牌子: 乙 is 甲's second name, not an institution of its own."""
    ents = entities(text)
    assert sign in ents[name].aliases and sign not in ents


@pytest.mark.parametrize("text, county, instead", [
    ("广西壮族自治区柳州市融水苗族自治县妇幼保健院派出驻点药师。周末，随县妇幼保健院医生到安陲乡卫生院开展宣教。",
     "随县", "融水苗族自治县妇幼保健院"),
    ("广西壮族自治区百色市凌云县人民医院制定帮扶方案。按照方案，应县人民医院派出骨干到乡镇卫生院。",
     "应县", "凌云县人民医院"),
])
def test_a_two_character_county_of_another_province_needs_more_than_an_institution_word(text, county, instead):
    """An article naming its provinces and prefectures in full: 随县妇幼保健院 there is 随 + 县妇幼保健院
    (the county's own one), not the county 随县 of 湖北."""
    ents = entities(text)
    assert county not in ents and instead in ents


@pytest.mark.parametrize("text, county", [
    ("山东省菏泽市卫生健康委员会通报：曹县人民医院由山东省立医院对口帮扶。", "曹县"),
    ("结对情况\n礼县人民医院的帮扶单位，是青岛市市立医院；宕昌县人民医院的帮扶单位是青岛大学附属医院。\n", "礼县"),
    ("西安交通大学第一附属医院托管乾县人民医院。", "乾县"),
])
def test_a_two_character_county_the_article_backs_stays(text, county):
    """Its province or prefecture named, a county of its own province named beside it, or nothing
    else named in full: cross-province help to a two-character county is common."""
    assert county in entities(text)


@pytest.mark.parametrize("text, now, then", [
    ("1990年起，宁夏医学院附属医院（今宁夏医科大学总医院）对口支援隆德县人民医院。", "宁夏医科大学总医院", "宁夏医学院附属医院"),
    ("第三军医大学西南医院（现为陆军军医大学第一附属医院）对口支援开州区人民医院。", "陆军军医大学第一附属医院",
     "第三军医大学西南医院"),
])
def test_todays_name_in_brackets_is_the_canonical_one(text, now, then):
    """甲（今乙）/ 甲（现为乙）: one institution, known by today's name 乙."""
    ents = entities(text)
    assert then in ents[now].aliases and then not in ents


def test_a_short_name_defined_in_corner_quotes():
    text = "香港大学深圳医院（下称「港大深圳医院」）派出团队。港大深圳医院将派专家常驻陆河县。"
    hospitals = [m for m in find_mentions(text)[0] if m.text == "港大深圳医院"]
    assert len(hospitals) == 2 and all(m.name == "香港大学深圳医院" for m in hospitals)


def test_every_alias_row_has_a_known_type_and_a_region_path_that_resolves():
    from loaders.divisions import divisions
    from loaders.lexicon import read_tsv

    d, seen = divisions(), set()
    for row in read_tsv("aliases.tsv"):
        assert row[2] in ("Hospital", "Agency", "Program", "University"), row
        assert (row[0], row[1]) not in seen, f"twice: {row}"
        seen.add((row[0], row[1]))
        if len(row) > 3 and row[3]:
            r = d.resolve_path(row[3])
            assert r is not None and d.path(r.key) == row[3], row


@pytest.mark.parametrize("text, name", [
    ("自2021年11月千佛山医院对口帮扶该院以来，专家累计下沉47人次。", "千佛山医院"),
    ("2023年5月8日华山医院专家团队抵达县医院。", "华山医院"),
])
def test_a_date_ends_before_a_name_without_a_place(text, name):
    """2021年11月千佛山医院: the month is no part of the name that follows it."""
    names = [m.text for m in find_mentions(text)[0] if m.type == "Hospital"]
    assert name in names and not any(n.endswith(name) and n != name for n in names), names


@pytest.mark.parametrize("text, name", [
    ("长治医学院附属和平医院派出专家进驻武乡县人民医院。", "长治医学院附属和平医院"),
    ("遵义医科大学附属医院与长治医学院附属和济医院签约。", "长治医学院附属和济医院"),
])
def test_a_university_hospital_whose_stem_opens_with_he_keeps_it(text, name):
    """附属和平医院: 和 opens the stem (和平, 和济), it does not join two names."""
    assert name in [m.text for m in find_mentions(text)[0] if m.type == "Hospital"]


@pytest.mark.parametrize("text", [
    "大理白族自治州人民医院是学校的教学医院。该院对口帮扶南涧彝族自治县人民医院。",
    "兄弟医院动态：和济医院帮扶壶关满三年；学校的实习医院也派出专家。",
])
def test_role_nouns_of_a_universitys_hospitals_name_no_hospital(text):
    """教学医院, 实习医院, 兄弟医院: what a hospital is to the school, not a name."""
    names = [m.text for m in find_mentions(text)[0] if m.type == "Hospital"]
    assert not any(n in ("教学医院", "实习医院", "兄弟医院") for n in names), names


@pytest.mark.parametrize("text", [
    "常见问题：省里的专家来自哪些医院？执业医院为重庆市中医院的专家每周二坐诊。",
    "问：哪家医院的专家在我院坐诊？答：原医院和签约医院的专家轮流来，具体看所在医院的安排。",
])
def test_question_words_and_role_nouns_before_yiyuan_name_no_hospital(text):
    """哪些医院, 哪家医院, 执业医院, 所在医院, 签约医院: a question or a role, not a name."""
    names = [m.text for m in find_mentions(text)[0] if m.type == "Hospital"]
    assert not set(names) & {"哪些医院", "哪家医院", "执业医院", "所在医院", "签约医院", "原医院"}, names


@pytest.mark.parametrize("text, kinds, named", [
    ("各地职工医院和煤矿医院陆续移交地方，鸡西矿业集团总医院由市政府接管。", ("职工医院", "煤矿医院"), "鸡西矿业集团总医院"),
    ("团场医院、师团医院与兵团医院结成医联体，北屯医院后称第十师北屯医院。", ("团场医院", "师团医院"), "第十师北屯医院"),
])
def test_kinds_of_enterprise_hospitals_name_no_hospital(text, kinds, named):
    """职工医院, 煤矿医院, 团场医院: a kind of hospital; 后称 ends the name before the new one."""
    names = [m.text for m in find_mentions(text)[0] if m.type == "Hospital"]
    assert not set(kinds) & set(names) and named in names, names


@pytest.mark.parametrize("text, name", [
    ("据统计，三年来华西医院累计派驻专家86人次。", "四川大学华西医院"),
    ("2019年以来湘雅医院共派出专家120人次。", "中南大学湘雅医院"),
])
def test_a_years_since_phrase_is_no_part_of_the_name_after_it(text, name):
    """三年来[华西医院], 2019年以来[湘雅医院]: 年来/以来 end a time phrase, not start a name."""
    assert names(text, "Hospital") == {name}


@pytest.mark.parametrize("text", ["作为吉林省对口援疆的主力医院之一，我院长期支援阿勒泰地区人民医院。",
                                  "该院是全市急救网络的骨干医院和新冠救治定点医院。"])
def test_a_hospitals_role_word_is_no_name(text):
    """主力医院, 骨干医院, 定点医院: what a hospital is for, not what it is called."""
    assert not {n for n in names(text, "Hospital") if n.endswith(("主力医院", "骨干医院", "定点医院"))}
