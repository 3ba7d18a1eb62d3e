"""Candidates: the pairs the scorer is offered, found however the text names their ends."""
from __future__ import annotations

import pytest

from kg.model import Document
from kg.pipeline import linked


def offered(raw: str) -> dict[tuple[str, str], set[str]]:
    """(source name, target name) -> how its candidates were found (context, and via for stand-ins)."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    out: dict[tuple[str, str], set[str]] = {}
    for inst in lk.pair_instances():
        key = (lk.entities[inst.source].name, lk.entities[inst.target].name)
        for c, _ in inst.candidates:
            out.setdefault(key, set()).add(f"{c.context}:{c.source.via or '-'}>{c.target.via or '-'}")
    return out


@pytest.mark.parametrize("raw, own, items", [
    ("我院与苏北三家县级医院签订帮扶协议\n2023-12-20 来源：江苏省人民医院\n\n"
     "按照协议，我院将对以下三家医院开展为期三年的帮扶：\n1. 灌南县人民医院\n2. 响水县人民医院\n3. 涟水县人民医院\n",
     "江苏省人民医院", ("灌南县人民医院", "响水县人民医院", "涟水县人民医院")),
    ("本院组团式帮扶工作启动\n稿件来源：四川省人民医院 发布时间：2024-03-01\n\n"
     "本院今年起对口帮扶下列医院：\n——金川县人民医院\n——小金县人民医院\n",
     "四川省人民医院", ("金川县人民医院", "小金县人民医院")),
])
def test_a_list_headed_by_wo_yuan_pairs_the_source_lines_hospital_with_each_item(raw, own, items):
    got = offered(raw)
    for item in items:
        assert any(h.startswith("list-item:self") for h in got.get((own, item), ())), (item, got.keys())


@pytest.mark.parametrize("raw, meant, not_meant", [
    ("工作动态\n去年6月，望谟县人民医院迎来新的帮扶团队。贵州医科大学附属医院向该院派驻7人帮扶团队。",
     ("贵州医科大学附属医院", "望谟县人民医院"), ("贵州医科大学附属医院", "贵州医科大学附属医院")),
    ("工作动态\n岚皋县医院今年开展新技术20项。西安交通大学第二附属医院为该院派出专家5名。",
     ("西安交通大学第二附属医院", "岚皋县医院"), None),
])
def test_gai_yuan_stands_for_the_hospital_named_before_its_clause(raw, meant, not_meant):
    got = offered(raw)
    assert any(":-" in h and ">last" in h for h in got.get(meant, ())), got.keys()
    assert not_meant is None or not_meant not in got


@pytest.mark.parametrize("raw, own, other", [
    ("陕西省人民医院2023年大事记\n陕西省人民医院\n\n1月9日 医院对子长市人民医院实施为期3年的紧密型帮扶。\n",
     "陕西省人民医院", "子长市人民医院"),
    ("湘雅二医院年鉴\n来源：中南大学湘雅二医院\n\n是年，医院继续对口支援古丈县人民医院，派驻专家27人次。\n",
     "中南大学湘雅二医院", "古丈县人民医院"),
])
def test_a_bare_yiyuan_in_an_article_that_speaks_for_one_hospital_is_that_hospital(raw, own, other):
    got = offered(raw)
    assert any(h.startswith("sentence:own") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, own, other", [
    ("院长带队赴杜尔伯特蒙古族自治县调研对口帮扶工作-哈尔滨医科大学附属第一医院\n"
     "杜尔伯特蒙古族自治县人民医院是我院对口帮扶的县级医院之一，我院先后派出14名专家在该院常驻带教。\n",
     "哈尔滨医科大学附属第一医院", "杜尔伯特蒙古族自治县人民医院"),
    ("我院第三批驻寻乌帮扶团队出征_江西省中医院\n本批团队共7人，将进驻寻乌县中医院开展为期一年的对口帮扶。"
     "我院已连续三年向寻乌县中医院派驻专家。\n",
     "江西省中医院", "寻乌县中医院"),
])
def test_the_site_named_after_a_page_titles_headline_is_wo_yuan(raw, own, other):
    got = offered(raw)
    assert any(h.startswith("sentence:self") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, giver, takers", [
    ("工作动态\n7月15日，江苏省第十批援藏医疗队23名队员抵达拉萨，自2015年起，江苏省对拉萨市人民医院实施“组团式”帮扶。"
     "新一批队员中，17人将留在拉萨市人民医院，其余6人分赴达孜区人民医院、曲水县人民医院。",
     "江苏省", ("达孜区人民医院", "曲水县人民医院")),
    ("工作动态\n北京市第十一批援疆医疗队抵达和田。医疗队共60人，将分赴和田县人民医院、墨玉县人民医院开展为期一年半的支援。",
     "北京市", ("和田县人民医院", "墨玉县人民医院")),
])
def test_a_clause_whose_cue_has_no_subject_carries_the_topic(raw, giver, takers):
    """…，其余6人分赴甲、乙: the giver is the subject of the sentences before, not any name in this one."""
    got = offered(raw)
    for t in takers:
        assert any(h.startswith("carried:") for h in got.get((giver, t), ())), (t, got.keys())


def _features(raw: str, source: str, target: str) -> set[str]:
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    return {f for inst in lk.pair_instances()
            if (lk.entities[inst.source].name, lk.entities[inst.target].name) == (source, target)
            for _, fs in inst.candidates for f in fs}


@pytest.mark.parametrize("raw, source, target, other", [
    ("动态\n北京积水潭医院派出的6名专家进驻玉树藏族自治州人民医院，北京大学第一医院的4名专家则前往囊谦县人民医院。",
     "北京积水潭医院", "囊谦县人民医院", True),
    ("动态\n天津市对口支援黄南藏族自治州，天津医科大学总医院派出的专家已常驻泽库县人民医院。",
     "天津市", "泽库县人民医院", True),
    ("动态\n北京积水潭医院派出专家进驻玉树藏族自治州人民医院，北京积水潭医院的4名专家还前往囊谦县人民医院。",
     "北京积水潭医院", "囊谦县人民医院", False),
])
def test_the_targets_clause_naming_another_giver_is_a_feature(raw, source, target, other):
    """甲…，丙的专家则前往丁: 丁's clause has its own giver; 甲 named again there is no other one."""
    assert ("t_clause:other_first" in _features(raw, source, target)) is other
