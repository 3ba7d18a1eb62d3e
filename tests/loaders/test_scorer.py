"""The partnership scorer on the kinds of construction issue 13 names, each in several wordings.

The sentences here are written for the tests: none is in the training data
(loaders/models/training_sets.tsv), so a pass means the model generalises to them.
"""
from __future__ import annotations

import pytest

from tests.loaders.test_extract import KNOWN_MISS, run

KINDS = ("SUPPORTS", "MANAGES", "PARTNERS_WITH", "LEADS", "MEMBER_OF")


def edges(text: str) -> set[tuple[str, str, str]]:
    """The partnership edges of ``text`` (read as a body sentence, see ``run``)."""
    return {(s, k, t) for s, k, t in run(text)[1] if k in KINDS}


def supported(text: str) -> set[tuple[str, str]]:
    return {(s, t) for s, k, t in edges(text) if k in ("SUPPORTS", "MANAGES")}


@pytest.mark.parametrize("text, giver, receiver", [
    ("复旦大学附属中山医院对墨脱县人民医院实行“组团式”帮扶。", "复旦大学附属中山医院", "墨脱县人民医院"),
    ("今年起，浙江大学医学院附属第二医院对景东彝族自治县人民医院开展“组团式”帮扶，首批派出专家6名。",
     "浙江大学医学院附属第二医院", "景东彝族自治县人民医院"),
    ("按照省卫生健康委部署，四川省人民医院对金川县人民医院实施对口帮扶。", "四川省人民医院", "金川县人民医院"),
    # 扶助, a plainer word for 帮扶
    ("2022年以来，川北医学院附属医院对南部县人民医院实行“院包科”扶助。", "川北医学院附属医院", "南部县人民医院"),
    ("遵义医科大学附属医院对口扶助湄潭县人民医院，每月派出专家坐诊。", "遵义医科大学附属医院", "湄潭县人民医院"),
])
def test_a_hospital_acting_on_another_through_dui(text, giver, receiver):
    assert (giver, receiver) in supported(text)
    assert (receiver, giver) not in supported(text)


@pytest.mark.parametrize("text, giver, receiver", [
    ("由江苏省卫生健康委员会选派的第六批医疗队抵达达孜区。", "江苏省卫生健康委员会", "达孜区"),
    # Near the threshold (援青 mostly heads lists and names command posts in the training data):
    # held with v12, v17, v21 and v28, not with v13–v16, v18–v20, v22–v27, v29.
    pytest.param("由山东大学齐鲁医院选派的第三批援青医疗队日前抵达玛沁县。", "山东大学齐鲁医院", "玛沁县",
                 marks=KNOWN_MISS),
    ("8月2日，由北京协和医院派出的专家团队抵达墨玉县人民医院，开始为期半年的帮扶。", "北京协和医院", "墨玉县人民医院"),
])
def test_a_team_sent_by_someone_arrives_somewhere(text, giver, receiver):
    assert (giver, receiver) in supported(text)


@pytest.mark.parametrize("text, giver, receiver", [
    ("湖南省湘西州古丈县：县人民医院由中南大学湘雅医院全面托管。", "中南大学湘雅医院", "古丈县人民医院"),
    ("甘肃省定西市岷县人民医院自2022年起由兰州大学第二医院整体托管。", "兰州大学第二医院", "岷县人民医院"),
    ("2023年，云南省镇雄县人民医院正式由昆明医科大学第一附属医院托管。", "昆明医科大学第一附属医院", "镇雄县人民医院"),
])
def test_managed_by_in_the_passive(text, giver, receiver):
    got = edges(text)
    assert (giver, "MANAGES", receiver) in got
    assert (receiver, "MANAGES", giver) not in got


@pytest.mark.parametrize("text, giver, receiver", [
    ("湖南省湘西州古丈县：在湘雅医院的帮扶下，古丈县人民医院新开展手术技术30余项。",
     "中南大学湘雅医院", "古丈县人民医院"),
    ("在四川大学华西医院的对口支援下，得荣县人民医院顺利通过二级甲等医院评审。", "四川大学华西医院", "得荣县人民医院"),
    ("近年来，正安县人民医院得到遵义医科大学附属医院的大力支持，建成了重症医学科。", "遵义医科大学附属医院", "正安县人民医院"),
])
def test_helped_by_someone_the_recipient_first(text, giver, receiver):
    assert (giver, receiver) in supported(text)
    assert (receiver, giver) not in supported(text)


@pytest.mark.parametrize("text, a, b", [
    # Near the threshold: missed by v24, v25 and v64–v67 (SUPPORTS 0.38, PARTNERS_WITH 0.37 read as
    # a title), held by v26–v63 and again from v68.
    ("东莞市与昭通市签订卫生对口帮扶框架协议。", "东莞市", "昭通市"),
    ("杭州市与黔东南州签署东西部协作医疗卫生合作协议。", "杭州市", "黔东南苗族侗族自治州"),
])
def test_cities_signing_an_agreement_are_partners_in_that_order_of_help(text, a, b):
    got = edges(text)
    assert any({s, t} == {a, b} for s, _, t in got)
    assert (b, a) not in supported(text)


@pytest.mark.parametrize("text, givers, county", [
    ("云南省曲靖市会泽县：对口帮扶单位有\n——昆明医科大学第一附属医院\n——云南省第一人民医院\n"
     "受援单位为县人民医院、县中医院和县妇幼保健院。",
     ("昆明医科大学第一附属医院", "云南省第一人民医院"), "会泽县"),
    ("贵州省黔南州三都县：帮扶医院名单\n1.广州市第一人民医院\n2.广州医科大学附属第二医院\n"
     "受援单位为县人民医院和县中医医院。",
     ("广州市第一人民医院", "广州医科大学附属第二医院"), "三都水族自治县"),
])
def test_a_dash_list_of_givers_then_the_receivers(text, givers, county):
    got = supported(text)
    for g in givers:
        assert any(s == g and t.startswith(county) for s, t in got), (g, got)


@pytest.mark.parametrize("text", [
    "云南省全省医疗帮扶工作交流会在会泽县人民医院召开，昆明医科大学第一附属医院作交流发言。",
    "陕西省医院协会年会在宁陕县人民医院举行，西安交通大学第一附属医院专家作学术报告。",
])
def test_a_meeting_at_a_hospital_is_no_partnership(text):
    assert not supported(text)


@pytest.mark.parametrize("text", [
    "患者病情危重，经会诊后由永善县人民医院转往昆明医科大学第一附属医院救治。",
    "因县里不具备手术条件，伤者被紧急转往四川省人民医院。马尔康市人民医院派医生全程护送。",
])
def test_a_patient_transferred_is_no_partnership(text):
    got = supported(text)
    assert not any(t in ("昆明医科大学第一附属医院", "四川省人民医院") for _, t in got)


@pytest.mark.parametrize("text", [
    "该院院长王某曾在北京协和医院进修一年，回到临泉县人民医院后开展了多项新技术。",
    "主任医师李某毕业于中山大学，曾在广东省人民医院进修，现任连南瑶族自治县人民医院副院长。",
])
def test_a_past_job_or_training_is_no_partnership(text):
    assert not supported(text)


@pytest.mark.parametrize("text", [
    "宁夏医科大学总医院与隆德县人民医院的帮扶协议已于2020年到期，双方未再续签。",
    "天津医科大学总医院对于田县人民医院的对口支援已于去年期满结束，专家已全部返回。",
])
def test_an_ended_partnership_is_no_edge(text):
    assert not supported(text)


@pytest.mark.parametrize("text", [
    "山东省立第三医院对口帮扶平邑县人民医院项目通过验收。为期三年的帮扶已于今年7月结束。",
    "2009年，辽宁省人民医院对口支援西丰县人民医院，派驻医师共27人次。2012年支援期满。",
])
@KNOWN_MISS
def test_an_ending_told_in_the_next_sentence_is_no_edge(text):
    """The pair's own sentence reads as support; the one after it says that support is over.
    The scorer reads it (``blk:next:ended`` weighs about -1.1) but too few training pairs end
    that way to outweigh a plain 甲对口帮扶乙 (p 0.90): still an edge."""
    assert not supported(text)


@pytest.mark.parametrize("text, giver, receiver, county", [
    ("重庆医科大学附属第一医院对口帮扶酉阳县人民医院，先后派驻8名专家到酉阳县坐诊。",
     "重庆医科大学附属第一医院", "酉阳县人民医院", "酉阳土家族苗族自治县"),
    ("山东第一医科大学第一附属医院对口支援东明县人民医院，两年来派出12名医生赴东明县坐诊带教。",
     "山东第一医科大学第一附属医院", "东明县人民医院", "东明县"),
])
def test_a_hospital_does_not_support_its_own_county(text, giver, receiver, county):
    got = supported(text)
    assert (giver, receiver) in got
    assert (receiver, county) not in got


@pytest.mark.parametrize("text, crossed", [
    ("宁都县人民医院向青塘镇卫生院派出驻点医生，石城县人民医院则为琴江镇卫生院培训村医。",
     {("石城县人民医院", "宁都县青塘镇卫生院"), ("宁都县人民医院", "石城县琴江镇卫生院")}),
    ("会昌县人民医院帮扶筠门岭镇卫生院，安远县人民医院帮扶欣山镇卫生院。",
     {("安远县人民医院", "会昌县筠门岭镇卫生院"), ("会昌县人民医院", "安远县欣山镇卫生院")}),
])
def test_a_county_hospital_helps_its_own_counties_towns_not_the_others(text, crossed):
    """Two county hospitals each with a town health centre of their own county (ST|geo:*)."""
    assert not crossed & supported(text)


@pytest.mark.parametrize("text, receiver, giver", [
    ("望谟县人民医院深化与浙江省的帮扶合作。", "望谟县人民医院", "浙江省"),
    ("紫云县人民医院进一步深化与广东省的对口协作。", "紫云苗族布依族自治县人民医院", "广东省"),
])
def test_a_recipient_deepening_cooperation_does_not_help_its_helper(text, receiver, giver):
    assert (receiver, giver) not in supported(text)


@pytest.mark.parametrize("text, pairs, crossed", [
    ("辽宁省对口支援塔城地区，沈阳、大连、鞍山、抚顺四市分别结对塔城市、乌苏市、额敏县、托里县。",
     [("沈阳市", "塔城市"), ("抚顺市", "托里县")], ("沈阳市", "托里县")),
    ("四川大学华西医院、四川省人民医院分别对口帮扶昭觉县人民医院、美姑县人民医院，每家派驻专家不少于10名。",
     [("四川大学华西医院", "昭觉县人民医院"), ("四川省人民医院", "美姑县人民医院")],
     ("四川大学华西医院", "美姑县人民医院")),
])
def test_lists_under_fenbie_pair_item_by_item(text, pairs, crossed):
    """甲、乙分别帮扶丙、丁: 甲 → 丙 and 乙 → 丁, not 甲 → 丁 (a clause before the list is no item)."""
    got = supported(text)
    assert set(pairs) <= got and crossed not in got


@pytest.mark.parametrize("text, giver, receivers", [
    ("广东省人民医院、中山大学附属第一医院、南方医科大学南方医院等3家医院组团式帮扶和平县人民医院。",
     ("广东省人民医院", "中山大学附属第一医院", "南方医科大学南方医院"), ("和平县人民医院",)),
    ("北京大学第一医院、北京大学人民医院和北京大学第三医院分批派出专家，对口支援墨脱县人民医院。",
     ("北京大学第一医院", "北京大学人民医院", "北京大学第三医院"), ("墨脱县人民医院",)),
    ("浙江大学医学院附属第一医院对口帮扶松阳县人民医院、遂昌县人民医院和庆元县人民医院。",
     ("浙江大学医学院附属第一医院",), ("松阳县人民医院", "遂昌县人民医院", "庆元县人民医院")),
])
def test_the_items_of_one_list_share_the_decision_on_any_of_them(text, giver, receivers):
    """With the threshold raised so that only the best-scored item of the list passes on its own,
    the other items of the same list (joined by 、/和/及, the same cue and other end) are kept too."""
    import copy

    from kg.model import Document
    from kg.pipeline import linked
    from loaders.scorer import decide, model

    lk = linked(Document(id="t.txt", path="t.txt", raw="工作动态\n" + text))
    art, insts = lk.article(), lk.pair_instances()
    m = copy.deepcopy(model())
    km = m.kinds["SUPPORTS"]
    name = lambda eid: lk.entities[eid].name
    want = {(g, r) for g in giver for r in receivers}
    ps = sorted(i.probability(km) for i in insts if (name(i.source), name(i.target)) in want)
    assert len(ps) == len(want) > 1
    km.threshold = ps[-1]  # the best item alone passes by itself
    kept = {(name(d.source), name(d.target)) for d in decide(art, insts, m) if d.kind == "SUPPORTS"}
    assert want <= kept, want - kept


def test_a_name_outside_the_list_does_not_share_its_decision():
    """甲帮扶丙，乙与丙签订协议: 乙 is no item of a list with 甲, so 甲's pair keeps nothing for 乙."""
    import copy

    from kg.model import Document
    from kg.pipeline import linked
    from loaders.scorer import decide, model

    text = "工作动态\n湘潭市中心医院帮扶韶山市人民医院，湘潭县人民医院与韶山市人民医院签订协作协议。"
    lk = linked(Document(id="t.txt", path="t.txt", raw=text))
    art, insts = lk.article(), lk.pair_instances()
    m = copy.deepcopy(model())
    m.kinds["SUPPORTS"].threshold = 0.5
    kept = {(lk.entities[d.source].name, lk.entities[d.target].name) for d in decide(art, insts, m)
            if d.kind == "SUPPORTS"}
    assert ("湘潭市中心医院", "韶山市人民医院") in kept
    assert ("湘潭县人民医院", "韶山市人民医院") not in kept


def test_respectively_paired_lists_do_not_share_across_items(monkeypatch):
    """甲、乙分别帮扶丙、丁: 甲 goes with 丙 only, so keeping 甲 → 丙 keeps no 甲 → 丁, even with no
    floor on the mate's own score."""
    import copy

    from kg.model import Document
    from kg.pipeline import linked
    from loaders import scorer

    monkeypatch.setattr(scorer, "LIST_FLOOR", 0.0)
    text = "工作动态\n郑州大学第一附属医院、河南省人民医院分别对口帮扶淅川县人民医院、卢氏县人民医院。"
    lk = linked(Document(id="t.txt", path="t.txt", raw=text))
    m = copy.deepcopy(scorer.model())
    kept = {(lk.entities[d.source].name, lk.entities[d.target].name)
            for d in scorer.decide(lk.article(), lk.pair_instances(), m) if d.kind == "SUPPORTS"}
    assert ("郑州大学第一附属医院", "淅川县人民医院") in kept
    assert ("郑州大学第一附属医院", "卢氏县人民医院") not in kept
