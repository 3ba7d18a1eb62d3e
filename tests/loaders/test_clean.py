"""Cleaning: each step on its own, each seed end to end, and the offset map (with hypothesis)."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Document
from loaders import clean as C
from loaders.clean import clean, run_step

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


def seed(n: int) -> Document:
    path = next(SEEDS.glob(f"{n:03d}_*.txt"))
    return clean(Document(id=path.name, path=str(path), raw=path.read_text(encoding="utf-8-sig")))


@pytest.fixture(scope="module")
def seeds() -> dict[int, Document]:
    return {n: seed(n) for n in range(5)}


def check_map(doc: Document) -> None:
    """The offset map covers every clean char, is monotone and stays inside the raw text."""
    s, e = doc.offsets.starts, doc.offsets.ends
    assert len(s) == len(e) == len(doc.text)
    for i in range(len(s)):
        assert 0 <= s[i] < e[i] <= len(doc.raw)
        if i:
            assert s[i] >= s[i - 1] and e[i] >= e[i - 1]


# --------------------------------------------------------------------------- steps


@pytest.mark.parametrize("raw, want", [
    ("本報(bào)訊", "本報訊"),
    ("衛(wèi)生", "衛生"),
    ("延續（xù）", "延續"),
    ("超出全國平均水平(8.16%)", "超出全國平均水平(8.16%)"),
    ("實施方案(試行)", "實施方案(試行)"),
    ("(以下簡稱《實施方案》)", "(以下簡稱《實施方案》)"),
    ("63個縣(市)", "63個縣(市)"),
    ("基層病種(病組)數量", "基層病種(病組)數量"),
    ("AI輔助(CT)影像", "AI輔助(CT)影像"),
    ("當?shù)", "當"),
])
def test_strip_pinyin(raw, want):
    buf, step = run_step(C.strip_pinyin, raw)
    assert buf.text == want
    assert step.name == "pinyin"


def test_strip_pinyin_maps_to_glossed_raw():
    buf, _ = run_step(C.strip_pinyin, "本報(bào)訊")
    i = buf.text.index("訊")
    assert (int(buf.s[i]), int(buf.e[i])) == (7, 8)


@pytest.mark.parametrize("raw, want", [
    ("滿足當?shù)厝罕娽t療健康需求", "滿足當地群眾醫療健康需求"),
    ("保障當?shù)厝罕娙粘T\\療需求", "保障當地群眾日常診療需求"),
    ("提升基層診療水平和??平ㄔO能力", "提升基層診療水平和專科建設能力"),
    ("實行醫?;\ue2ae鹂傤~付費", "實行醫保基金總額付費"),
    ("你好?我很好。", "你好?我很好。"),
    ("??? 日前,湖北省", "??? 日前,湖北省"),
])
def test_repair_mojibake(raw, want):
    buf, _ = run_step(C.repair_mojibake, raw)
    assert buf.text == want


def test_to_simplified_keeps_length_and_map():
    buf, step = run_step(C.to_simplified, "陽山縣人民醫院與縣中醫院")
    assert buf.text == "阳山县人民医院与县中医院"
    assert step.changes == 6
    assert buf.s.tolist() == list(range(len(buf.text)))


# ----- Traditional → Simplified never damages Simplified names (issue 15, item 1)

@pytest.mark.parametrize("text", [
    "吉林大学第一医院对口帮扶乾安县人民医院。",
    "咸阳市中心医院与乾县人民医院组建医联体，派驻专家。",
    "杭州市临安区於潜镇卫生院加入县域医共体。",
    "彭州市濛阳镇卫生院、濛阳街道社区卫生服务中心开展义诊。",
    "柯城区与衢江区签约，藉口镇卫生院由县人民医院托管。",
    "乾隆年间的古方，於是传承至今。",  # no division name at all: Simplified text is left alone
])
def test_simplified_text_is_never_converted(text):
    buf, step = run_step(C.to_simplified, text)
    assert buf.text == text and step.changes == 0


@pytest.mark.parametrize("raw, want", [
    ("吉林大學第一醫院對口幫扶乾安縣人民醫院。", "吉林大学第一医院对口帮扶乾安县人民医院。"),
    ("鹹陽市中心醫院與乾縣人民醫院組建醫聯體。", "咸阳市中心医院与乾县人民医院组建医联体。"),
    ("臨安區於潛鎮衛生院加入縣域醫共體。", "临安区於潜镇卫生院加入县域医共体。"),
    ("彭州市濛陽鎮衛生院開展義診。", "彭州市濛阳镇卫生院开展义诊。"),
    ("衢州市藉口鎮衛生院由縣人民醫院託管。", "衢州市藉口镇卫生院由县人民医院托管。"),
])
def test_traditional_text_keeps_division_names_as_the_data_writes_them(raw, want):
    buf, _ = run_step(C.to_simplified, raw)
    assert buf.text == want
    assert buf.s.tolist() == list(range(len(raw)))


def test_traditional_prose_is_still_converted_by_phrase():
    buf, _ = run_step(C.to_simplified, "天氣乾燥，醫院於是開設門診。")
    assert buf.text == "天气干燥，医院于是开设门诊。"


def test_a_mostly_simplified_sentence_only_loses_its_traditional_characters():
    buf, _ = run_step(C.to_simplified, "吉林大學第一医院对口帮扶乾安县人民医院，乾坤朗朗。")
    assert buf.text == "吉林大学第一医院对口帮扶乾安县人民医院，乾坤朗朗。"


def test_each_sentence_is_judged_on_its_own():
    raw = "乾县人民医院开展义诊。天氣乾燥，醫院開設門診。\n於潜镇卫生院加入医共体。"
    buf, _ = run_step(C.to_simplified, raw)
    assert buf.text == "乾县人民医院开展义诊。天气干燥，医院开设门诊。\n於潜镇卫生院加入医共体。"


def test_every_division_name_t2s_would_rewrite_survives_in_both_scripts():
    """The kind, not the instances: every division name OpenCC would change, alone and in
    Traditional context, comes out of cleaning as the data writes it."""
    import opencc

    from loaders.divisions import divisions

    s2t, t2s = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    names = sorted({r.name for r in divisions().regions.values() if t2s.convert(r.name) != r.name})
    assert len(names) >= 10
    for name in names:
        for raw in (f"{name}卫生院开展义诊。", f"{s2t.convert(name)}衛生院開展義診，醫療隊進駐。"):
            assert name in clean(Document(id="n", path="-", raw=raw)).text, (name, raw)


# ----- invisible characters (issue 15, item 6)

_INVISIBLE = ["\u200e", "\u200f", "\u202a", "\u2066", "\u2069", "\u061c", "\u00ad", "\u2060", "\ufeff",
              "\u180e", "\ufe0f", "\ufe00", "\U000e0101", "\U000e0041", "\U0001d173"]
_PRIVATE = ["\ue000", "\ue5e5", "\uf8ff", "\U000f0000", "\U0010fffd"]


@pytest.mark.parametrize("ch", _INVISIBLE + _PRIVATE)
def test_invisible_and_private_use_characters_are_removed_with_an_exact_map(ch):
    raw = f"广东省人民医院对口帮扶阳山县人{ch}民医院。"
    doc = clean(Document(id="i", path="-", raw=raw))
    assert doc.text == "广东省人民医院对口帮扶阳山县人民医院。"
    check_map(doc)
    a = doc.text.index("阳山县人民医院")
    assert doc.raw_span(a, a + 7) == (raw.index("阳山县"), raw.index("医院。") + 2)
    for i, c in enumerate(doc.text):  # every surviving char maps to itself in the raw
        assert raw[doc.offsets.starts[i]:doc.offsets.ends[i]] == c


def test_every_format_character_and_variation_selector_is_dropped():
    want = [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"]
    want += [chr(cp) for cp in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), 0x180B, 0x180C, 0x180D, 0x180F]]
    raw = "县" + "县".join(want) + "县"
    buf, _ = run_step(C.normalize_controls, raw)
    assert buf.text == "县" * (len(want) + 1)


def test_private_use_characters_wait_for_the_mojibake_repair():
    """A GBK pair read one byte off can land in the user-defined area (\ue2ae below): the repair
    needs it, and only what the repair leaves is dropped."""
    doc = clean(Document(id="m", path="-", raw="實行醫?;\ue2ae鹂傤~付費，\ue000醫院。"))
    assert doc.text == "实行医保基金总额付费，医院。"
    check_map(doc)


# ----- mojibake repair keeps the map exact (issue 15, item 7)

@pytest.mark.parametrize("raw, repaired, tail", [
    ("為當?shù)卮迕窳x診。健康報記者", "為當地村民義診", "。健康報記者"),
    ("加快基層特色??平ㄔO。2023年,黎埠鎮", "加快基層特色專科建設", "。2023年,黎埠鎮"),
    ("滿足當?shù)厝罕娽t療健康需求", "滿足當地群眾醫", "療健康需求"),
])
def test_text_after_a_repaired_run_keeps_its_own_offsets(raw, repaired, tail):
    buf, _ = run_step(C.repair_mojibake, raw)
    assert buf.text == repaired + tail
    for k in range(len(tail)):  # the re-synchronised text maps to itself, char by char
        i = len(repaired) + k
        assert raw[int(buf.s[i]):int(buf.e[i])] == tail[k]
    # each repaired char maps inside the damaged run it came from, monotonically
    hole = raw.index("?")
    for i in range(len(repaired)):
        if i >= hole:
            assert hole <= buf.s[i] < buf.e[i] <= len(raw) - len(tail)
    assert all(buf.s[i] <= buf.s[i + 1] and buf.e[i] <= buf.e[i + 1] for i in range(len(buf.text) - 1))


def test_a_repaired_character_maps_to_the_raw_characters_that_held_its_bytes():
    raw = "滿足當?shù)厝罕娽t療"
    buf, _ = run_step(C.repair_mojibake, raw)
    spans = {buf.text[i]: raw[int(buf.s[i]):int(buf.e[i])] for i in range(len(buf.text))}
    # 群 = the trail byte of 厝 + the lead byte of 罕; 眾 = 罕's trail + 娽's lead; 醫 = 娽 + t
    assert spans["群"] == "厝罕" and spans["眾"] == "罕娽" and spans["醫"] == "娽t"
    assert spans["地"] == "?shù)厝"  # the guessed char: the hole and the char holding its trail byte
    assert spans["療"] == "療"


def test_boilerplate_lines_and_spam():
    raw = ("亚洲人av免费在线观看_作爱黄片在线免费观看_美曰韩一本到髙清无码_亚洲欧洲一二三区区视频\n"
           "搜索\n微信扫一扫\n正文第一段，说的是阳山县人民医院的帮扶工作。\n"
           "??? 日前，湖北省政府办公厅印发了方案。\n"
           "???????\n-\n"
           "粤ICP备2021102844号-3\n地址:北京市海淀区学清路9号\n")
    buf, step = run_step(C.drop_boilerplate, raw)
    assert buf.text.split("\n")[:2] == ["正文第一段，说的是阳山县人民医院的帮扶工作。", "日前，湖北省政府办公厅印发了方案。"]
    assert "ICP" not in buf.text and "搜索" not in buf.text and "_" not in buf.text
    assert step.changes >= 6


def test_boilerplate_footer_cuts_the_rest():
    body = "湘桥区9家医疗机构与福田区4家医疗机构签订医疗结对帮扶合作协议，聘请中山大学附属第八医院专家坐诊。\n" * 4
    raw = body + "随机为您推荐\n某某新闻标题一\n某某新闻标题二\n"
    buf, _ = run_step(C.drop_boilerplate, raw)
    assert buf.text.rstrip("\n") == body.rstrip("\n")


@pytest.mark.parametrize("raw, kept, gone", [
    ("甲县人民医院由乙医院对口帮扶，乙医院已派驻专家12人。\n\n相关阅读\n· 丙医院托管丁县中医院满一年\n· 戊县：专家进村巡诊\n\n"
     "目前，双方还在远程会诊上深化合作。\n展开全文\n今年起，帮扶期延长三年。\n",
     ("甲县人民医院由乙医院对口帮扶", "目前，双方还在远程会诊上深化合作。", "今年起，帮扶期延长三年。"),
     ("丙医院托管丁县中医院", "戊县", "展开全文")),
    ("乙医院向甲县人民医院派出专家5名，驻点一年。\n你可能还想看\n丙县人民医院与丁医院签订帮扶协议\n"
     "据悉，这是乙医院派出的第三批专家。\n评论（18）\n网友甲 IP属地：四川\n丙医院也在帮扶我们县。\n打开APP，查看全部评论\n",
     ("乙医院向甲县人民医院派出专家5名", "据悉，这是乙医院派出的第三批专家。"),
     ("丙县人民医院与丁医院", "丙医院也在帮扶我们县", "IP属地")),
    ("乙医院托管甲县人民医院满一年，派驻管理团队7人。\n\n【相关链接】\n丙市人民医院  丁县人民医院  戊县中医院\n\n"
     "你可能还想搜：己县人民医院挂号　庚医院电话\n上一篇：辛县开展义诊活动宣传周  下一篇：壬县卫健局召开安全生产专题会议\n",
     ("乙医院托管甲县人民医院满一年",), ("丙市人民医院", "丁县人民医院", "己县人民医院", "辛县", "壬县")),
    ("据报道，乙医院与甲县中医院签订帮扶协议，双方将共建科室。\n「相关报道」\n丙县医院与丁医院签约\n\n"
     "网友还搜了：戊县人民医院体检中心  己医院专家介绍\n☆ 相关文章\n庚县：卫生院来了省城专家\n",
     ("乙医院与甲县中医院签订帮扶协议",), ("丙县医院", "戊县人民医院", "己医院", "庚县")),
    ("本报讯 乙医院自2022年起对口支援甲县人民医院，累计派驻专家31人次。\n"
     "关键词：甲县人民医院 丙医院对口支援 丁医院排名 手术费用\n",
     ("乙医院自2022年起对口支援甲县人民医院",), ("丙医院对口支援", "丁医院排名")),
    ("乙医院托管甲县中医院已满两年。\n标签： 托管 戊县人民医院 己医院专家挂号\n双方还将共建胸痛中心。\n",
     ("乙医院托管甲县中医院已满两年", "双方还将共建胸痛中心"), ("戊县人民医院", "己医院专家挂号")),
])
def test_other_stories_headlines_and_comments_are_dropped(raw, kept, gone):
    """相关阅读 (or 【相关链接】, 「相关报道」) over headlines in the middle of an article drops those
    headlines, not the prose after them; 评论（18） drops the comments below it; a search page's
    你可能还想搜/网友还搜了 line, a 上一篇…下一篇 pager line and an SEO 关键词/标签 line go: none is the
    article's own text."""
    buf, _ = run_step(C.drop_boilerplate, raw)
    assert all(k in buf.text for k in kept), buf.text
    assert not any(g in buf.text for g in gone), buf.text


@pytest.mark.parametrize("raw, gone", [
    ("点击蓝字 关注岳西县医院\n【喜讯】省立医院专家团队常驻我院\n4月22日，专家来到我院。\n", "点击蓝字"),
    ("👆点击上方蓝字关注我们\n市中心医院专家到我院坐诊\n本周起专家每周二坐诊。\n", "点击上方蓝字"),
])
def test_a_wechat_posts_header_line_is_dropped(raw, gone):
    """点击蓝字 关注… heads every post of an account: not its title, not its text."""
    buf, _ = run_step(C.drop_boilerplate, raw)
    assert gone not in buf.text and "专家" in buf.text.split("\n")[0], buf.text


def test_boilerplate_keeps_words_inside_prose():
    raw = "群众可通过微信公众号预约挂号，医院的版权意识和地址信息都写在这段很长的正文里，" * 3 + "这是正文。"
    buf, _ = run_step(C.drop_boilerplate, raw)
    assert buf.text == raw


@pytest.mark.parametrize("raw, want", [
    ("出诊,,巡诊", "出诊，，巡诊"),
    ("党委,、政府", "党委，、政府"),
    ("发布时间:2024-05-31", "发布时间：2024-05-31"),
    ("发表于 2024-10-17 00:17:47", "发表于 2024-10-17 00:17:47"),
    ("超出全国平均水平(8.16%)。", "超出全国平均水平（8.16%）。"),
    ("共计12,000人", "共计12,000人"),
    ("见 https://example.org:8080/a", "见 https://example.org:8080/a"),
    ("ＡＩ医生２０２３年", "AI医生2023年"),
    ("Hello, world (ok)", "Hello, world (ok)"),
])
def test_normalize_width(raw, want):
    buf, _ = run_step(C.normalize_width, raw)
    assert buf.text == want
    assert len(buf.s) == len(buf.text)


@pytest.mark.parametrize("raw, want", [
    ("出诊，，巡诊", "出诊，巡诊"),
    ("党委，、政府", "党委、政府"),
    ("资源，。计划", "资源。计划"),
    ("2638个，；2016年", "2638个；2016年"),
    ("到国家医疗队巡回医疗……通过", "到国家医疗队巡回医疗……通过"),
])
def test_collapse_punctuation(raw, want):
    buf, _ = run_step(C.collapse_punctuation, raw)
    assert buf.text == want


def test_dedupe_paragraphs_sentences_and_cut_lead():
    para = "据悉，广西实施基层医学人才培养本土化战略。至2016年已安排两批共444名毕业生到乡镇卫生院工作。"
    raw = f"{para}\n{para}\n第三段。据悉，广西实施基层医学人才培养本土化战略。新的句子在这里出现。"
    buf, step = run_step(C.dedupe, raw)
    assert buf.text.count("据悉，广西实施基层医学人才培养本土化战略。") == 1
    assert "新的句子在这里出现。" in buf.text
    lead = "从三级医院对口帮扶县级医院，到医疗人才“组团式”援疆援藏援青；从“万名医师支援农村卫生工程”，到国家医疗队"
    full = lead + "巡回医疗，已成为推动我国优质医疗资源下沉与扩面的重要力量之一。"
    buf, _ = run_step(C.dedupe, f"导读\n{lead}\n{full}")
    assert buf.text.split("\n")[1:] == [full]


def test_tidy_whitespace():
    buf, _ = run_step(C.tidy_whitespace, "  标题 \n\n\n   第一段  两个空格。 \n \n第二段。\n\n")
    assert buf.text == "标题\n第一段 两个空格。\n第二段。"


def test_spin_always_context_and_spun_rules():
    plain = Document(id="t", path="-", raw="")
    buf, step = run_step(C.repair_spin, "建设广东省第二国夷易近医院饶平医院，签定协议。", plain)
    assert buf.text == "建设广东省第二人民医院饶平医院，签订协议。"
    assert not plain.spun
    # context rule: 下层 → 基层 only before a health word; spun-only rules stay off in plain text
    buf, _ = run_step(C.repair_spin, "下层医疗机构在大楼下层办公，强人所难。", Document(id="t", path="-", raw=""))
    assert buf.text == "基层医疗机构在大楼下层办公，强人所难。"
    # the repaired word maps to the raw span of the spun word
    buf, _ = run_step(C.repair_spin, "第二国夷易近医院")
    i = buf.text.index("人民")
    assert (int(buf.s[i]), int(buf.e[i + 1])) == (2, 6)


@pytest.mark.parametrize("spun, real", [
    ("南昌大学第一隶属医院托管永新县黎民医院，湖南省孩童医院帮扶新晃县妇幼保养院。",
     "南昌大学第一附属医院托管永新县人民医院，湖南省儿童医院帮扶新晃县妇幼保健院。"),
    ("厦门大学隶属第一医院与安康市核心医院组建专科盟会，市卫生康健委牵头。",
     "厦门大学附属第一医院与安康市中心医院组建专科联盟，市卫生健康委牵头。"),
    ("郸城县公民医院由河南省国民医院托管。", "郸城县人民医院由河南省人民医院托管。"),
    ("中山大学从属第一医院委托管理和平县公民医院，和平县卫生康健局介绍。",
     "中山大学附属第一医院委托管理和平县人民医院，和平县卫生健康局介绍。"),
    ("广西医科大学第一从属医院对口帮助扶持那坡县公民医院。", "广西医科大学第一附属医院对口帮助扶持那坡县人民医院。"),
    ("连山县医院牵头组建连山壮族瑶族自治县医治卫生共同体，县中医院为成员单位。",
     "连山县医院牵头组建连山壮族瑶族自治县医疗卫生共同体，县中医院为成员单位。"),
    ("福州市第一医院加入闽东医治集团，与罗源县医院组建紧密型医治联合体。",
     "福州市第一医院加入闽东医疗集团，与罗源县医院组建紧密型医疗联合体。"),
    ("通城县中医医院与咸宁市中间医院签订紧密型医联体合作协议。", "通城县中医医院与咸宁市中心医院签订紧密型医联体合作协议。"),
    ("安康市中间医院对口帮扶紫阳县国民医院。", "安康市中心医院对口帮扶紫阳县人民医院。"),
    # the real words stay: a network's 核心医院, a body's 隶属 or 从属
    ("专家医治病人，医治卫生院转来的重症患者。", "专家医治病人，医治卫生院转来的重症患者。"),
    ("该科室从属于县医院，双方是从属关系。", "该科室从属于县医院，双方是从属关系。"),
    ("作为医联体核心医院，该中心隶属市卫生健康委。", "作为医联体核心医院，该中心隶属市卫生健康委。"),
])
def test_spun_stems_of_institution_names_are_repaired(spun, real):
    """A spinner's synonyms for a name's stem (附属 → 隶属/从属, 人民 → 黎民, 中心 → 核心) go back where
    they sit in a name, and nowhere else."""
    buf, _ = run_step(C.repair_spin, spun, Document(id="t", path="-", raw=""))
    assert buf.text == real


def test_spin_detector():
    assert C.is_spun(seed_raw(1))
    for n in (0, 2, 3, 4):
        assert not C.is_spun(seed_raw(n)), n


def seed_raw(n: int) -> str:
    return next(SEEDS.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8-sig")


def test_seo_fragments_need_a_chopped_title():
    doc = Document(id="t", path="-", raw="", title="潮州市着力增长低劣医疗资源扩容下沉")
    text = ("往年来，源扩我市医疗卫生畛域周全启动，容下被动增长低劣医疗资源扩容，潮州长低沉机关医师下县，力增劣医疗资实现下沉。"
            "为破解难题，源扩抉择到汕头、容下深圳、潮州长低沉广州等地，力增劣医疗资当地医院的源扩难题。"
            "是潮州长低沉呵护，力增劣医疗资否坚贞，容下削减差距。")
    buf, step = run_step(C.drop_seo_fragments, text, doc)
    for frag in ("潮州长低沉", "力增劣医疗资", "源扩我市", "容下深圳"):
        assert frag not in buf.text
    assert "增长低劣医疗资源扩容" in buf.text  # real text quoting the headline stays
    # a title whose characters merely recur in common phrases is left alone
    doc2 = Document(id="t", path="-", raw="", title="阳山县持续推进基层医疗卫生服务体系建设")
    text2 = "推动优质医疗服务下沉。提升医疗服务水平。加强医疗服务能力建设。"
    buf, step = run_step(C.drop_seo_fragments, text2, doc2)
    assert buf.text == text2 and step.changes == 0


@pytest.mark.parametrize("s, want", [
    ("发表于 2024-10-17 00:17:47", "2024-10-17"),
    ("發布時間:2024-05-31", "2024-05-31"),
    ("2023-12-28 澎湃新聞·澎湃號", "2023-12-28"),
    ("发布时间:2024/06/13", "2024-06-13"),
    ("2024年5月31日", "2024-05-31"),
    ("2015年~2022年", None),
    ("2024-13-45", None),
])
def test_iso_date(s, want):
    assert C.iso_date(s) == want


def test_metadata_from_header():
    raw = ("首页\n阳山县持续推进基层医疗卫生服务体系建设\n来源:阳山县卫生健康局 作者:张三 发布时间:2024-05-31\n"
           "为满足当地群众医疗健康需求，阳山县以机制为纲、技术为经，全方位织密织牢基层医疗卫生服务网，持续推进建设。")
    doc = clean(Document(id="t", path="-", raw=raw))
    assert doc.title == "阳山县持续推进基层医疗卫生服务体系建设"
    assert (doc.published, doc.source, doc.author) == ("2024-05-31", "阳山县卫生健康局", "张三")
    assert doc.text.split("\n")[0] == doc.title and "首页" not in doc.text and "来源" not in doc.text


@pytest.mark.parametrize("line, source", [
    ("2023-12-20 来源：江苏省人民医院（南京医科大学第一附属医院）", "江苏省人民医院（南京医科大学第一附属医院）"),
    ("稿件来源：四川大学华西医院 发布时间：2024-03-01", "四川大学华西医院"),
])
def test_a_source_line_naming_an_institution_stays_in_the_text(line, source):
    """The article may call that institution 我院: extraction needs its name in the text."""
    raw = f"我院与五家县级医院签订帮扶协议\n{line}\n按照协议，我院将派驻专家常驻受援医院，帮助提升急诊急救和重症救治能力。"
    doc = clean(Document(id="t", path="-", raw=raw))
    assert doc.source == source and line.split("来源")[1][1:6] in doc.text


@pytest.mark.parametrize("header, site", [
    ("山东第一医科大学附属省立医院（山东省立医院）\n首页 > 对口支援专栏 > 工作总结", "山东第一医科大学附属省立医院（山东省立医院）"),
    ("聯勤保障部隊第九四〇醫院\n首頁 > 新聞中心 > 醫院要聞", "联勤保障部队第九四〇医院"),
])
def test_a_site_header_naming_a_hospital_stays_in_the_text(header, site):
    """A hospital's own page names itself only in its header; the article then says 我院."""
    raw = (f"{header}\n\n我院第六批医疗队出征\n发布日期：2024-01-19\n\n"
           "我院坚持把对口支援作为重要抓手，全年派出援派人员97人次，覆盖6个省的8家受援单位。")
    doc = clean(Document(id="t", path="-", raw=raw))
    assert doc.title == "我院第六批医疗队出征"
    assert doc.text.startswith(site + "\n") and "首页" not in doc.text


@pytest.mark.parametrize("raw, kept", [
    ("数据集：对口帮扶项目\n\n【记录2】\n项目名称：山东省立医院对口支援曹县人民医院\n帮扶单位：山东省立医院\n"
     "受援单位：曹县人民医院\n起止时间：2019-03-01 至 2021-12-31\n状态：已结束\n",
     ["项目名称：山东省立医院对口支援曹县人民医院", "帮扶单位：山东省立医院", "起止时间：2019-03-01 至 2021-12-31"]),
    ("项目公示\n项目名称：郧西县人民医院能力提升\n支援单位：十堰市太和医院\n签约日期：2023-05-06\n资金来源：省级财政\n",
     ["支援单位：十堰市太和医院", "签约日期：2023-05-06", "资金来源：省级财政"]),
])
def test_a_records_dated_fields_are_text_not_the_pages_header(raw, kept):
    """起止时间：, 签约日期：, 资金来源： are fields of the record the text is about: no dateline or
    source line, so neither they nor the fields above them are dropped as page chrome."""
    doc = clean(Document(id="t.txt", path="t.txt", raw=raw))
    for line in kept:
        assert line in doc.text


@pytest.mark.parametrize("raw, name", [
    ("用户：阜平县医院是谁在帮扶？\nAI助手：根据公开信息，**北京大学人民医院**对口帮扶阜平县医院。\n", "北京大学人民医院"),
    ("### 帮扶关系\n- **首都医科大学宣武医院**：托管淅川县人民医院（~~2019年起~~ 2020年起）\n", "首都医科大学宣武医院"),
])
def test_markdown_emphasis_marks_are_dropped(raw, name):
    """Chat exports and markdown pages keep **bold** and ~~struck~~ marks around names."""
    doc = clean(Document(id="t.txt", path="t.txt", raw=raw))
    assert name in doc.text and "**" not in doc.text and "~~" not in doc.text
    i = doc.text.index(name)
    a, b = doc.offsets.starts[i], doc.offsets.ends[i + len(name) - 1]
    assert raw[a:b] == name  # the offsets still point at the name in the raw text


@pytest.mark.parametrize("raw, kept", [
    ("登记表\n患者：李**，男，56岁，由县医院转诊。\n", "李**"),
    ("申请表\n____年__月__日，甲__乙双方签订协议。\n", "____年__月__日，甲__乙双方"),
])
def test_a_lone_run_of_marks_is_no_emphasis(raw, kept):
    """李** (a masked name) and ____年__月 (form blanks) keep their marks."""
    assert kept in clean(Document(id="t.txt", path="t.txt", raw=raw)).text


def test_no_title_when_text_opens_with_prose():
    doc = clean(Document(id="t", path="-", raw="本报讯 特约记者唐湘利近日从广西壮族自治区卫生计生委获悉，广西推动医疗卫生工作重心下移。"))
    assert doc.title is None and doc.published is None
    assert doc.author == "唐湘利"


def test_reader_metadata_is_kept():
    doc = clean(Document(id="t", path="-", raw="正文第一句话在这里，讲的是县人民医院。", title="陽山縣(xiàn)新聞",
                         published="2024-01-02"))
    assert doc.title == "阳山县新闻" and doc.published == "2024-01-02"


def test_vocab_files_parse_and_report_bad_lines(tmp_path):
    kinds = C.load_boilerplate()
    assert kinds["short"] and kinds["footer"] and kinds["title"] and kinds["inline"]
    rules = C.load_spin()
    assert any(r.spun == "国夷易近" and r.real == "人民" and r.when == "always" for r in rules)
    bad = tmp_path / "bp.txt"
    bad.write_text("# c\nnonsense\tfoo\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        C.load_boilerplate(str(bad))
    bad2 = tmp_path / "spin.tsv"
    bad2.write_text("spun\treal\twhen\tsignal\tbefore\tafter\n甲\t乙\tsometimes\t0\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        C.load_spin(str(bad2))


# --------------------------------------------------------------------------- seeds


def test_seed_000_no_title_no_date_repeated_paragraph_once(seeds):
    d = seeds[0]
    assert d.title is None and d.published is None
    assert d.text.startswith("本报讯 特约记者唐湘利近日从广西壮族自治区卫生计生委获悉，广西针对基层医疗卫生基础薄弱等难点问题")
    assert d.text.count("据悉，广西实施基层医学人才培养本土化战略。") == 1
    assert "三年制临床医学专业专科医学生3000名，2015年~2016年已招收1200名。" in d.text
    assert "广西壮族自治区党委、政府将实施基层医疗卫生机构能力建设五年行动计划" in d.text
    assert not re.search(r"\([a-zà-ü]+\)", d.text) and "，，" not in d.text and "，、" not in d.text


def test_seed_001_spun_repaired(seeds):
    d = seeds[1]
    assert d.spun
    assert d.title == "潮州市着力增长低劣医疗资源扩容下沉"
    assert d.published == "2024-10-17" and d.source == "饕餮之徒网"
    for name in ("广东省第二人民医院", "广州市妇女儿童医疗中心", "百千万工程", "韩江人才计划", "新丰中心卫生院",
                 "粤东妇科微创中心", "《战略合作框架协议》", "生殖健康与不孕不育症科专家联盟", "病理诊断专科联盟",
                 "2023年中医院健康管理培训班", "广东省博士工作站", "国家标准化代谢性疾病管理中心", "对口帮扶"):
        assert name in d.text, name
    for junk in ("国夷易近", "潮州长低沉", "力增劣医疗资", "源扩我市", "饕餮之徒网", "随机为您推荐", "Copyright", "搜索"):
        assert junk not in d.text, junk
    assert "饶平县主动上门对接省内高水平医院，成功与广东省第二人民医院达成合作意向，建设广东省第二人民医院饶平医院。" in d.text


def test_seed_002_title_date_and_mojibake(seeds):
    d = seeds[2]
    assert d.title.startswith("阳山县持续推进基层医疗卫生服务体系建设")
    assert d.title == "阳山县持续推进基层医疗卫生服务体系建设 满足当地群众医疗健康需求"
    assert d.published == "2024-05-31"
    assert "依托省第二人民医院与县人民医院开启“组团式”托管帮扶的契机" in d.text
    assert "《2024年度阳山县基本公共卫生服务项目绩效评价奖惩资金实施方案（试行）》" in d.text
    assert "保障当地群众日常诊疗需求" in d.text and "提升基层诊疗水平和专科建设能力" in d.text
    assert "?" not in d.text and "扫一扫" not in d.text and "来源" not in d.text


def test_seed_003_title_date_no_spam(seeds):
    d = seeds[3]
    assert d.published == "2024-06-13"
    assert d.title == "省卫健委解读：《关于深化改革促进乡村医疗卫生体系健康发展的实施方案》"
    assert "免费在线观看" not in d.text and "_" not in d.text and "泰茂" not in d.text and "ICP" not in d.text
    assert d.text.split("\n")[1].startswith("日前，湖北省政府办公厅印发了《关于深化改革促进乡村医疗卫生体系健康发展的实施方案》"
                                            "（以下简称《实施方案》）")
    assert "全省63个县（市）和神农架林区实现三级医院全覆盖" in d.text
    assert "对紧密型县域医共体实行医保基金总额付费" in d.text
    assert "??" not in d.text


def test_seed_004_title_date_lead_once(seeds):
    d = seeds[4]
    assert d.title == "年终专稿·医疗帮扶|对口帮扶汇聚起更大力量"
    assert d.published == "2023-12-28"
    assert d.text.count("从三级医院对口帮扶县级医院") == 1
    assert "在西藏自治区昌都市同卡镇卫生院内，来自北京的医疗专家为当地村民义诊。" in d.text
    for junk in ("微信", "扫一扫", "龙心", "免责声明", "ICP", "反对 0", "导读", "性爱"):
        assert junk not in d.text, junk


def test_seed_maps_are_valid_and_point_at_the_raw(seeds):
    for d in seeds.values():
        check_map(d)
    d = seeds[0]
    a = d.text.index("报讯")
    ra, rb = d.raw_span(a, a + 2)
    assert d.raw[ra:rb] == "報(bào)訊"
    d = seeds[1]
    a = d.text.index("广东省第二人民医院")
    ra, rb = d.raw_span(a, a + len("广东省第二人民医院"))
    assert d.raw[ra:rb] == "广东省第二国夷易近医院"
    d = seeds[2]
    a = d.text.index("当地群众医疗")
    ra, rb = d.raw_span(a, a + 6)
    assert d.raw[ra:rb].startswith("當?shù)厝罕娽t")


def test_steps_are_recorded(seeds):
    names = [s.name for s in seeds[0].steps]
    assert names[:5] == ["controls", "mojibake", "private_use", "pinyin", "t2s"]
    by = {s.name: s for s in seeds[0].steps}
    assert by["pinyin"].changes > 100 and by["dedupe"].changes >= 1 and by["punctuation"].changes > 10
    assert {s.name: s for s in seeds[1].steps}["spin"].changes > 50


def test_clean_is_repeatable(seeds):
    again = seed(1)
    assert again.text == seeds[1].text and again.offsets.starts == seeds[1].offsets.starts


# --------------------------------------------------------------------------- properties

_alphabet = st.sampled_from(list("陽山縣人民醫院卫生報訊(bào)（xù）?？,，。；、 \n\t\r_-:：0123456789abcAB《》“”")
                            + ["國夷易近", "下层医疗", "???", "ICP备", "发布时间:2024-05-31", "\ufeff", "\x00", "\u200b",
                               "當?shù)厝罕娽t療", "亚洲_欧美_日韩", "\ud7ff", "𠀀"])
texts = st.one_of(st.text(max_size=300), st.lists(_alphabet, max_size=120).map("".join))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_clean_never_crashes_and_map_is_valid(raw):
    doc = clean(Document(id="h", path="-", raw=raw))
    check_map(doc)
    assert "\n\n" not in doc.text and doc.text == doc.text.strip(" \n")
    assert doc.published is None or re.fullmatch(r"\d{4}-\d\d-\d\d", doc.published)


def _fold(s: str) -> str:
    return s.translate(C._WIDTH_TABLE)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.randoms(use_true_random=False))
def test_sampled_span_maps_back_to_raw_that_cleans_to_it(raw, rnd):
    doc = clean(Document(id="h", path="-", raw=raw))
    n = len(doc.text)
    if not n:
        return
    a = rnd.randrange(n)
    b = min(n, a + rnd.randint(1, 8))
    s, e = doc.offsets.starts, doc.offsets.ends
    # where no merging step intervened, each char came 1:1 from consecutive raw chars
    one_to_one = all(e[i] - s[i] == 1 for i in range(a, b)) and all(s[i + 1] == e[i] for i in range(a, b - 1))
    if not one_to_one:
        return
    ra, rb = doc.raw_span(a, b)
    piece = raw[ra:rb]
    simplified = "".join(C._t2s_char(c) for c in piece)
    want = doc.text[a:b]
    assert len(piece) == len(want)
    for got_c, want_c, raw_c in zip(_fold(simplified), want, piece):
        # a char is itself, its Simplified form, or its full/half-width twin (，for ,)
        assert want_c in (got_c, raw_c, C._T2S.convert(raw_c)) or C._FULL.get(raw_c) == want_c \
            or (raw_c, want_c) in (("(", "（"), (")", "）")) or C._t2s_char(want_c) == got_c \
            or (want_c in " \n" and (raw_c.isspace() or unicodedata.category(raw_c) == "Cc")), (raw_c, want_c)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["本報(bào)訊", "衛(wèi)生", "國夷易近醫院", "，，", "據悉，廣西實施戰略。", "\n"]),
                max_size=30).map("".join))
def test_clean_span_of_whole_words_recleans_to_itself(raw):
    doc = clean(Document(id="h", path="-", raw=raw))
    for word in ("报讯", "卫生"):
        for m in re.finditer(word, doc.text):
            ra, rb = doc.raw_span(m.start(), m.end())
            assert clean(Document(id="p", path="-", raw=raw[ra:rb])).text == word


def test_cli_clean_prints_text_metadata_and_steps():
    from click.testing import CliRunner

    cli = pytest.importorskip("kg.cli")
    main = cli.main
    if "clean" not in main.commands:
        pytest.skip("kg clean not wired into kg/cli.py yet")

    path = next(SEEDS.glob("002_*.txt"))
    res = CliRunner().invoke(main, ["clean", str(path), "--steps"])
    assert res.exit_code == 0, res.output
    assert "title: 阳山县持续推进基层医疗卫生服务体系建设" in res.output and "published: 2024-05-31" in res.output
    assert "  pinyin: " in res.output and "依托省第二人民医院与县人民医院" in res.output
    res = CliRunner().invoke(main, ["clean", str(ROOT / "no-such-file.txt")])
    assert res.exit_code == 2


def test_t2s_falls_back_to_per_character_when_a_phrase_changes_length(monkeypatch):
    class Stretchy:
        """A converter whose phrase table turns one character into two (as OpenCC could)."""

        def convert(self, s):
            return s.replace("醫", "医医")

    monkeypatch.setattr(C, "_T2S", Stretchy())
    C._t2s_char.cache_clear()
    try:
        buf, step = run_step(C.to_simplified, "縣人民醫院\n衛生院")
        assert len(buf.text) == len(buf.s) == len("縣人民醫院\n衛生院")
        assert buf.text.split("\n")[1] == "衛生院"  # unchanged line converted as is
    finally:
        C._t2s_char.cache_clear()


def test_crlf_and_bom_map_to_raw():
    raw = "\ufeff标题行在这里\r\n\r\n正文第一段，县人民医院开展帮扶工作。\r\n"
    doc = clean(Document(id="t", path="-", raw=raw))
    check_map(doc)
    a = doc.text.index("县人民医院")
    ra, rb = doc.raw_span(a, a + 5)
    assert raw[ra:rb] == "县人民医院"
    nl = doc.text.index("\n")
    assert raw[doc.offsets.starts[nl]] in "\r\n"


@pytest.mark.parametrize("raw, site", [
    ("城口县人民政府 > 新闻中心 > 领导活动\n\n县长会见考察团一行\n\n2024-12-06　来源：县融媒体中心\n\n"
     "12月5日，县长在县行政中心会见考察团一行，双方围绕深化医疗协作进行座谈交流，并参观了县人民医院。\n",
     "城口县人民政府"),
    ("首页 > 库伦旗卫生健康委员会 > 工作动态\n\n我旗家庭医生签约服务实现扩面提质\n\n发布日期：2024-06-03　来源：旗卫健委\n\n"
     "今年以来，旗卫健委聚焦重点人群，推动家庭医生签约服务由签约向履约转变，旗人民医院专家加入团队。\n",
     "库伦旗卫生健康委员会"),
])
def test_a_breadcrumbs_government_site_is_kept_as_the_documents_site(raw, site):
    """城口县人民政府 > 新闻中心: the chrome goes, but whose page it is stays in ``doc.site``."""
    doc = Document(id="t.txt", path="t.txt", raw=raw)
    clean(doc)
    assert doc.site == site and ">" not in doc.text


# -- hard-wrapped text (PDF exports) ----------------------------------------------------------

def _wrap(width: int, *paragraphs: str) -> str:
    """Paragraphs cut every ``width`` characters, as a PDF export or a fixed-width attachment gives them."""
    return "".join("\n".join(p[i:i + width] for i in range(0, len(p), width)) + "\n" for p in paragraphs)


_WRAPPED_OFFICIAL = _wrap(  # a 公文 cut every 28 characters
    28, "关于2024年度城市三级医院对口帮扶县级医院工作的通报", "各县（市、区）卫生健康局：",
    "2024年，全省城市三级医院认真落实对口帮扶任务，派驻人员数量和质量稳步提升。其中，四川大学华西医院"
    "对口帮扶甘孜藏族自治州人民医院，派驻专家36人次；西南医科大学附属医院对口帮扶古蔺县人民医院，帮助"
    "新建胸痛中心和卒中中心；川北医学院附属医院对口帮扶南部县人民医院，开展新技术新项目21项。")
_WRAPPED_REPORT = _wrap(  # a report cut every 24 characters
    24, "平塘县卫生健康事业发展情况报告", "一、医疗资源",
    "全县医疗卫生机构床位数2046张，其中县人民医院床位600张。黔南布依族苗族自治州人民医院自2021年起"
    "托管平塘县人民医院，累计派驻管理和技术骨干58名，帮助建成重症医学科、介入导管室等科室9个，全年开展"
    "手术11260例，较上年增长21.7%，县外转诊率下降到12.4%。", "二、下一步工作")


@pytest.mark.parametrize("raw, joined, kept", [
    (_WRAPPED_OFFICIAL, ("四川大学华西医院对口帮扶甘孜藏族自治州人民医院", "帮助新建胸痛中心"),
     ("的通报\n各县", "局：\n2024年")),
    (_WRAPPED_REPORT, ("黔南布依族苗族自治州人民医院", "全年开展手术11260例", "县外转诊率"),
     ("报告\n一、医疗资源", "12.4%。\n二、下一步工作")),
])
def test_hard_wrapped_lines_are_joined(raw, joined, kept):
    """Lines cut at one width (PDF exports) join up, names and numbers whole again; a line that
    ends a sentence or a label, a short heading and a list item that opens a line stay."""
    buf, st = run_step(C.join_wrapped_lines, raw)
    assert st.changes > 0
    for s in joined:
        assert s in buf.text, s
    for s in kept:
        assert s in buf.text, s
    doc = clean(Document(id="t.txt", path="t.txt", raw=raw))
    check_map(doc)
    i = doc.text.index(joined[0])
    a, b = doc.raw_span(i, i + len(joined[0]))
    assert raw[a:b].replace("\n", "") == joined[0]


@pytest.mark.parametrize("raw", [
    # prose a paragraph a line, of every length
    "帮扶工作综述\n四川大学华西医院对口帮扶甘孜藏族自治州人民医院已有十年，先后派驻专家500余人次，帮助医院通过三甲复审。\n"
    "西南医科大学附属医院对口帮扶古蔺县人民医院。\n川北医学院附属医院对口帮扶南部县人民医院，开展新技术新项目21项，"
    "县域内就诊率提高到90.2%。\n下一步，各医院将继续深化帮扶。\n",
    # a table of rows of about one length
    "帮扶名单\n序号 支援医院 受援医院 派驻人数\n1 四川大学华西医院 甘孜藏族自治州人民医院 12\n"
    "2 西南医科大学附属医院 古蔺县人民医院 8\n3 川北医学院附属医院 南部县人民医院 6\n"
    "4 四川省人民医院 金川县人民医院 7\n5 成都市第二人民医院 马边彝族自治县人民医院 5\n",
    # a list of headlines of about one length, with paragraphs longer than them
    "相关新闻\n华西医院专家团队抵达甘孜州开展组团式帮扶工作\n西南医科大学附属医院与古蔺县人民医院签订协议\n"
    "川北医学院附属医院专家在南部县人民医院开展义诊\n四川省人民医院对口帮扶金川县人民医院工作推进会召开\n"
    "按照全省统一部署，四川大学华西医院自2016年起对口帮扶甘孜藏族自治州人民医院，派驻专家累计500余人次，帮助医院建成重点专科12个。\n"
    "2024年，西南医科大学附属医院向古蔺县人民医院派驻专家36人次，帮助新建胸痛中心和卒中中心，县域内就诊率提高到90%以上。\n"
    "川北医学院附属医院与南部县人民医院共建远程会诊中心，全年开展远程会诊1200余例，下转康复期患者300余人次，双向转诊更加顺畅。\n",
])
def test_lines_of_web_text_tables_and_lists_are_not_joined(raw):
    """Paragraphs a line, rows of a table and a list of headlines among longer paragraphs keep
    their lines."""
    buf, st = run_step(C.join_wrapped_lines, raw)
    assert st.changes == 0
    assert buf.text == raw
