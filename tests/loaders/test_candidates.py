"""Candidates: the pairs the scorer is offered, found however the text names their ends."""
from __future__ import annotations

import pytest

from kg.model import Document
from kg.pipeline import linked
from loaders import candidates as C
from loaders.candidates import PARTY_TYPES, own_hospital


def offered(raw: str) -> dict[tuple[str, str], set[str]]:
    """(source name, target name) -> how its candidates were found (context, and via for stand-ins)."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    out: dict[tuple[str, str], set[str]] = {}
    for inst in lk.pair_instances():
        key = (lk.entities[inst.source].name, lk.entities[inst.target].name)
        for c, _ in inst.candidates:
            out.setdefault(key, set()).add(f"{c.context}:{c.source.via or '-'}>{c.target.via or '-'}")
    return out


def own_name(raw: str) -> str | None:
    """The name of the mention ``own_hospital`` picks as the article's 我院, or None."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    ms = lk.ex.mentions
    parties = sorted((i for i, m in enumerate(ms) if m.type in PARTY_TYPES), key=lambda i: ms[i].start)
    own = own_hospital(lk.doc.text, lk.ex.sentences, ms, parties)
    return None if own is None else ms[own].name


def step_finds(step, raw: str) -> str | None:
    """The name one step of ``own_hospital`` finds on its own, or None."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    ms = lk.ex.mentions
    hosp = sorted((i for i, m in enumerate(ms) if m.type in ("Hospital", "University")), key=lambda i: ms[i].start)
    i = step(C._Page(lk.doc.text, lk.ex.sentences, ms, hosp))
    return None if i is None else ms[i].name


OWN_STEP_CASES = {
    C._on_source_line: [
        ("我院专家赴龙胜义诊\n来源：桂林医学院附属医院\n我院专家团队日前赴龙胜各族自治县人民医院义诊。\n", "桂林医学院附属医院"),
        ("帮扶简讯\n本院派出4名医师进驻靖西市人民医院。\n供稿：广西壮族自治区人民医院", "广西壮族自治区人民医院")],
    C._site_after_headline: [
        ("院领导赴融水县调研帮扶工作-柳州市人民医院\n日前，院领导一行到融水苗族自治县人民医院调研。\n", "柳州市人民医院"),
        ("专家团队进驻三江县_广西医科大学第一附属医院\n我院专家进驻三江侗族自治县人民医院。\n", "广西医科大学第一附属医院")],
    C._writer_introduces_self: [
        ("随笔\n我是南宁市第一人民医院的一名护士，去年随队到马山县人民医院驻点。\n", "南宁市第一人民医院"),
        ("问答\n利益相关：玉林市第一人民医院心内科\n我们医院一直在帮扶博白县人民医院。\n", "玉林市第一人民医院")],
    C._byline: [
        ("驻点手记\n文/梧州市红十字会医院普外科 刘志强\n今年春天，我随队来到蒙山县人民医院。\n", "梧州市红十字会医院"),
        ("在帮扶总结会上的发言\n钦州市第一人民医院党委书记 周振宇\n同志们：我院帮扶浦北县人民医院三年了。\n", "钦州市第一人民医院")],
    C._self_word_says_who: [
        ("综述\n我院是贵港市人民医院，承担平南县人民医院的帮扶任务。\n", "贵港市人民医院"),
        ("简介\n本院系百色市人民医院，2019年起托管凌云县人民医院。\n", "百色市人民医院")],
    C._own_document_title: [
        ("河池市人民医院2024年工作总结\n一、帮扶工作。全年派驻专家到东兰县人民医院28人次。\n", "河池市人民医院"),
        ("来宾市人民医院专家坐诊公告\n本周三专家到忻城县人民医院坐诊。\n", "来宾市人民医院")],
    C._alone_on_an_edge_line: [
        ("帮扶工作简报\n本月派出专家12人次，进驻天等县人民医院。\n崇左市人民医院\n2024年6月30日", "崇左市人民医院"),
        ("致谢信\n感谢贵院对我院的帮助。\n防城港市第一人民医院\n2024年5月", "防城港市第一人民医院")],
    C._title_named_again: [
        ("北海市人民医院组团帮扶合浦县人民医院\n北海市人民医院选派10名专家驻点合浦。北海市人民医院院长表示帮扶将持续。\n",
         None),
        ("贺州市人民医院：一支医疗队的三年\n三年前，贺州市人民医院的医疗队来到昭平县。如今贺州市人民医院的专家已成为当地的熟面孔。\n",
         "贺州市人民医院"),
        ("玉林市中医医院这三年\n三年来，玉林市中医医院坚持派出骨干。玉林市中医医院也在陆川县设立了名医工作站。\n",
         "玉林市中医医院"),
        # a level's short form in the title (省医 = 省人民医院), the full name in the text
        ("省医专家团队进驻康保县\n近日，河北省人民医院第二批专家团队抵达康保县。我院承担康保县医院的帮扶任务。\n",
         "省人民医院"),
        ("市人民医院专家赴大埔坐诊\n上周，梅州市人民医院派出5名专家到大埔县人民医院坐诊。我院还将开展远程会诊。\n",
         "市人民医院")],
    C._profile_opening: [
        ("医院简介\n五莲县人民医院始建于1949年，是一所二级甲等综合医院。2020年起，日照市人民医院派专家来院坐诊。\n",
         "五莲县人民医院"),
        ("概况\n\n沂水县中医医院位于沂水县城，开放床位600张。我院与山东中医药大学附属医院组建专科联盟。\n",
         "沂水县中医医院")],
}


@pytest.mark.parametrize("step, raw, own", [(step, raw, own) for step, cases in OWN_STEP_CASES.items()
                                            for raw, own in cases],
                         ids=lambda x: getattr(x, "__name__", None))
def test_each_own_hospital_step_on_its_own(step, raw, own):
    """Each way an article says which hospital it speaks for finds it alone; a title that names two
    hospitals names no one's own (北海…组团帮扶合浦县…)."""
    assert step_finds(step, raw) == own


@pytest.mark.parametrize("raw, own", [
    ("驻点手记\n文/梧州市红十字会医院骨科 刘志强\n今年春天，我随队来到蒙山县人民医院。\n", "梧州市红十字会医院"),
    ("我的援疆日记\n图文/天津市第一中心医院康复科 王敏\n到和田的第一周，我院的康复团队就开了门诊。\n", "天津市第一中心医院"),
    ("【护理故事】在寻乌的夜晚\n口述：南昌大学第二附属医院重症医学科护士　刘晓敏\n我们医院对口支援寻乌县人民医院已经好几年了。\n",
     "南昌大学第二附属医院"),
    ("驻村手记\n讲述人：赣州市人民医院骨科医生 王强\n去年，我被派到宁都县人民医院。\n", "赣州市人民医院"),
])
def test_a_byline_whose_post_is_a_department_names_the_writers_hospital(raw, own):
    """文/甲医院骨科 刘志强 / 口述：甲医院重症医学科护士 刘晓敏: a department (骨科, 康复科 …) is a post
    as 外科 is, and a told story's 口述/讲述人 line is a byline."""
    assert step_finds(C._byline, raw) == own


def test_every_own_hospital_step_is_tested():
    assert set(OWN_STEP_CASES) == set(C.OWN_HOSPITAL_STEPS)


@pytest.mark.parametrize("step", C.OWN_HOSPITAL_STEPS, ids=lambda s: s.__name__)
def test_no_step_finds_an_own_hospital_in_plain_news(step):
    raw = ("广西加强县级医院能力建设\n记者从自治区卫生健康委获悉，今年广西医科大学第一附属医院继续对口帮扶"
           "马山县人民医院，派驻专家15名。\n")
    assert step_finds(step, raw) is None


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


@pytest.mark.parametrize("raw, meant, not_meant", [
    ("医院动态\n临县人民医院等成员单位参加年会。9月19日，由山西医科大学第一医院全面托管的静乐县人民医院"
     "完成该院首例心脏介入手术。\n", ("山西医科大学第一医院", "静乐县人民医院"), ("山西医科大学第一医院", "临县人民医院")),
    ("动态\n甲县中医院的医生也来观摩。受浙江省人民医院帮扶的丽水市中心医院新建了该院第一个重症监护室。\n",
     ("浙江省人民医院", "丽水市中心医院"), ("浙江省人民医院", "甲县中医院")),
])
def test_gai_yuan_in_a_clause_about_a_hospital_helped_is_that_hospital(raw, meant, not_meant):
    """由甲托管的乙完成该院首例…: the clause tells of 乙, so 该院 is 乙, not a hospital of the sentence before."""
    got = offered(raw)
    assert meant in got, got.keys()
    assert not any(">last" in h for h in got.get(not_meant, ())), got.get(not_meant)


@pytest.mark.parametrize("raw, giver, receiver", [
    ("援藏纪实\n8月1日，队员们在林芝市人民医院度过最后一天。一年来，来自广东省人民医院、南方医科大学南方医院等单位的"
     "专家扎根林芝，帮扶该院新建胸痛中心。", "广东省人民医院", "林芝市人民医院"),
    ("援藏纪实\n拉萨市人民医院迎来新队员。由北京协和医院和北京积水潭医院选派的12名专家抵达拉萨，将帮助该院建设重症医学科。",
     "北京积水潭医院", "拉萨市人民医院"),
])
def test_gai_yuan_is_not_one_of_the_givers_listed_before_it(raw, giver, receiver):
    """来自甲、乙等单位的专家…，帮扶该院 / 由甲和乙选派的专家…帮助该院: 甲 and 乙 give; 该院 is the
    hospital named before them."""
    assert any(">last" in h for h in offered(raw).get((giver, receiver), ()))


@pytest.mark.parametrize("raw, giver, receiver", [
    ("医院概况\n岳西县医院位于天堂镇，是全县医疗中心。2019年起由安徽医科大学第一附属医院全面托管。",
     "安徽医科大学第一附属医院", "岳西县医院"),
    ("概况\n泾县医院是二级甲等综合医院，开放床位500张。2021年由芜湖市第二人民医院对口帮扶，派驻专家6名。",
     "芜湖市第二人民医院", "泾县医院"),
])
def test_a_passive_with_no_subject_carries_the_topic_as_the_one_helped(raw, giver, receiver):
    """甲医院位于…。2019年起由乙医院全面托管: the clause opens on 由乙, its subject (甲) left out."""
    assert any("carried" in h for h in offered(raw).get((giver, receiver), ()))


@pytest.mark.parametrize("raw, meant, not_meant", [
    ("医院概况\n旌德县医院始建于1951年。该院与宣城市人民医院建立双向转诊关系。2022年起，"
     "南京市第一医院对口支援该院骨科。", ("南京市第一医院", "旌德县医院"), ("南京市第一医院", "宣城市人民医院")),
    ("历史沿革\n泾县医院是二级甲等医院。2021年，该院加入芜湖市第二人民医院牵头的专科联盟。"
     "此后，合肥市第二人民医院对该院实施组团式帮扶。", ("合肥市第二人民医院", "泾县医院"),
     ("合肥市第二人民医院", "芜湖市第二人民医院")),
])
def test_gai_yuan_after_a_sentence_opening_on_gai_yuan_stands_for_the_same(raw, meant, not_meant):
    """该院与乙…。丙对口支援该院: 乙 comes after a 该院 that opens its sentence (the topic told of
    again), so the later 该院 is that one's hospital, not 乙."""
    got = offered(raw)
    assert any(">last" in h for h in got.get(meant, ())), got.keys()
    assert not any(">last" in h for h in got.get(not_meant, ()))


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
    ("问题：县医院被托管后有什么变化？\n回答：\n利益相关：浙江大学医学院附属第二医院心内科医生。\n"
     "我们医院从2022年起托管了淳安县第一人民医院，每年派出专家20余名。\n",
     "浙江大学医学院附属第二医院", "淳安县第一人民医院"),
    ("援藏日记｜第50天\n我是复旦大学附属中山医院的一名麻醉科医生，今年跟队来到墨脱。"
     "我们科对口的是墨脱县人民医院，每批派两个人。\n",
     "复旦大学附属中山医院", "墨脱县人民医院"),
    ("下乡手记\n今年三月，我作为青岛大学附属医院（我们自己叫“青大附院”）的驻点医生，被派到平度市人民医院。"
     "我们院对平度市人民医院的帮扶已经是第三年了。\n",
     "青岛大学附属医院", "平度市人民医院"),
])
def test_the_site_after_a_headline_or_a_writers_introduction_is_wo_yuan(raw, own, other):
    """院长赴甲县调研-乙医院 (the site after a page title's headline); 利益相关：甲医院心内科 / 我是甲医院的
    一名护士 / 我作为甲医院的驻点医生 (a writer introducing themself): 我院, 我们医院, 我们科 mean that one."""
    got = offered(raw)
    assert any(h.startswith("sentence:self") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, own, other", [
    ("山西医科大学第一医院2024年工作总结（摘要）\n2025-01-10\n\n"
     "一、医疗帮扶。本院承担岢岚县人民医院的对口帮扶任务，全年派驻专家38人次。\n",
     "山西医科大学第一医院", "岢岚县人民医院"),
    ("凝心聚力谋发展\n——在吉林大学第一医院2024年度总结表彰大会上的讲话\n\n"
     "同志们：一年来，我们坚持把帮扶作为公益性的体现，全院对汪清县人民医院实行“组团式”帮扶。\n",
     "吉林大学第一医院", "汪清县人民医院"),
])
def test_a_title_naming_an_institutions_own_document_makes_it_wo_yuan(raw, own, other):
    """甲医院2024年工作总结, 在甲医院年度总结大会上的讲话: its 本院/全院 stand for 甲医院."""
    got = offered(raw)
    assert any(h.startswith("sentence:self") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, own, giver", [
    ("巫溪县中医院专家坐诊公告\n重庆大学附属三峡医院创伤骨科专家每月第二个周四到院坐诊，请患者提前预约。\n",
     "巫溪县中医院", "重庆大学附属三峡医院"),
    ("咸丰县人民医院端午节停诊通知\n端午节期间门诊照常，湖北民族大学附属民大医院专家本周来院坐诊暂停一次。\n",
     "咸丰县人民医院", "湖北民族大学附属民大医院"),
])
def test_a_hospitals_notice_makes_its_lai_yuan_and_dao_yuan_that_hospital(raw, own, giver):
    """甲医院…公告 / 甲医院…停诊通知 is 甲's own notice, and its 来院 / 到院 (come to the hospital)
    mean 甲: 乙医院专家每月到院坐诊 pairs 乙 with 甲."""
    assert own_name(raw) == own
    got = offered(raw)
    assert "sentence:->self" in got.get((giver, own), ()), got.keys()


@pytest.mark.parametrize("raw, own, takers", [
    ("河北医科大学第二医院2024年度工作报告\n\n（三）对口帮扶。一是托管平山县医院进入第二年。"
     "二是对阜平县医院、涞源县医院实行“院包院”帮扶，每家常驻专家5名。\n",
     "河北医科大学第二医院", ("平山县医院", "阜平县医院", "涞源县医院")),
    ("青岛大学附属医院院长述职报告\n\n各位代表：现将本人履职情况报告如下。"
     "全年选派骨干医师赴平度市人民医院、莱西市人民医院坐诊带教，累计1200人日。\n",
     "青岛大学附属医院", ("平度市人民医院", "莱西市人民医院")),
])
def test_a_subjectless_cue_in_an_institutions_own_document_speaks_for_it(raw, own, takers):
    """一是托管乙县医院 / 全年选派骨干赴乙: nobody before the cue, so the document's institution acts."""
    got = offered(raw)
    for t in takers:
        assert any(h.startswith("carried:own") for h in got.get((own, t), ())), (t, got.keys())


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


@pytest.mark.parametrize("raw, pairs", [
    ("结对安排\n（一）中南大学湘雅医院重症医学科——凤凰县人民医院重症医学科；\n"
     "（二）湖南省人民医院重症医学科——花垣县人民医院重症医学科。\n",
     [("中南大学湘雅医院", "凤凰县人民医院"), ("湖南省人民医院", "花垣县人民医院")]),
    ("专科结对名单\n1. 南昌大学第一附属医院心血管内科 → 宁都县人民医院心内科\n"
     "2. 江西省人民医院感染病区 → 寻乌县人民医院感染科\n",
     [("南昌大学第一附属医院", "宁都县人民医院"), ("江西省人民医院", "寻乌县人民医院")]),
])
def test_a_row_naming_departments_after_its_hospitals_is_a_row(raw, pairs):
    """甲医院重症医学科——乙县人民医院重症医学科: the departments belong to the cells; the line is a
    row of the pair list, not prose."""
    got = offered(raw)
    assert all(any(h.startswith("table-row") for h in got.get(p, ())) for p in pairs), sorted(got.items())


@pytest.mark.parametrize("raw, mate, stranger, target", [
    ("援藏\n济南市中心医院对口帮扶桑珠孜区人民医院，烟台毓璜顶医院对口帮扶南木林县人民医院，"
     "济宁医学院附属医院、临沂市人民医院分别对口帮扶白朗县人民医院和昂仁县人民医院。\n",
     "临沂市人民医院", "烟台毓璜顶医院", "昂仁县人民医院"),
    ("结对\n中南大学湘雅医院支援古丈县人民医院，中南大学湘雅二医院支援花垣县人民医院，"
     "中南大学湘雅三医院、湖南省人民医院分别支援凤凰县人民医院、泸溪县人民医院。\n",
     "湖南省人民医院", "中南大学湘雅二医院", "泸溪县人民医院"),
    ("组团式\n按照部署，江苏省人民医院、南京鼓楼医院分别帮扶伊宁县人民医院和霍城县人民医院，"
     "苏州大学附属第一医院则与察布查尔锡伯自治县人民医院结对。\n",
     "南京大学医学院附属鼓楼医院", "苏州大学附属第一医院", "霍城县人民医院"),
    ("援藏\n浙江大学医学院附属第一医院、浙江省人民医院分别托管那曲市人民医院及比如县人民医院，"
     "宁波市第一医院则派出专家赴索县人民医院。\n",
     "浙江省人民医院", "宁波市第一医院", "比如县人民医院"),
])
def test_respectively_pairs_the_lists_of_its_own_clause_only(raw, mate, stranger, target):
    """甲、乙分别帮扶丙和丁 after …，戊医院帮扶己县人民医院，: 乙 goes with 丁 by place in the list; 戊,
    in a clause of its own, is no item of a list 分别 pairs up (a comma after a clause's object
    does not make it and the next subject a list)."""
    assert "respectively:same_place" in _features(raw, mate, target)
    assert not any(f.startswith("respectively:") for f in _features(raw, stranger, target))


@pytest.mark.parametrize("raw, source, target", [
    ("快讯\n医疗队队员来自中南大学湘雅医院、湖南省人民医院等23家医疗机构，将分赴鄯善县人民医院、托克逊县人民医院和高昌区人民医院。\n",
     "中南大学湘雅医院", "托克逊县人民医院"),
    ("援疆\n江苏省人民医院和南京鼓楼医院的专家一起进驻乌恰县人民医院、阿克陶县人民医院。\n",
     "江苏省人民医院", "阿克陶县人民医院"),
])
def test_two_lists_with_nothing_pairing_them_are_read_as_such(raw, source, target):
    """甲、乙等医院…分赴丙、丁和戊 (no 分别): every giver beside every receiver, for the model to weigh."""
    got = _features(raw, source, target)
    assert "lists:both" in got and not any(f.startswith("respectively:") for f in got)


@pytest.mark.parametrize("raw, source, target", [
    ("援疆\n广东省人民医院对口支援疏附县人民医院，深圳市人民医院则承担喀什市及塔什库尔干塔吉克自治县的医疗援助任务。\n",
     "深圳市人民医院", "塔什库尔干塔吉克自治县"),
    ("动态\n江苏省人民医院帮扶伊宁县人民医院，南京鼓楼医院负责霍城县和察布查尔锡伯自治县的专科建设。\n",
     "南京大学医学院附属鼓楼医院", "察布查尔锡伯自治县"),
])
def test_a_name_opening_the_clause_after_a_comma_is_no_list_item(raw, source, target):
    """甲对口支援乙，丙则承担…: the comma ends 甲's clause; 乙 and 丙 are not a list, so 丙's pair with the
    places of its own clause is not many-to-many."""
    got = _features(raw, source, target)
    assert got and "list_s" not in got and "lists:both" not in got, got


def test_names_joined_by_commas_alone_are_still_a_list():
    got = _features("名单\n派出单位：江苏省人民医院，南京鼓楼医院，苏州大学附属第一医院等，对口支援伊宁县人民医院。\n",
                    "南京大学医学院附属鼓楼医院", "伊宁县人民医院")
    assert "list_s" in got, got


@pytest.mark.parametrize("raw, source, target", [
    ("援疆\n沈阳市第四人民医院与塔城市人民医院结为帮扶医院。\n", "沈阳市第四人民医院", "塔城市人民医院"),
    ("动态\n今年3月，宁波市第一医院同海西蒙古族藏族自治州人民医院正式结成“帮扶医院”。\n",
     "宁波市第一医院", "海西蒙古族藏族自治州人民医院"),
])
def test_two_hospitals_becoming_a_pair_are_a_candidate(raw, source, target):
    """甲与乙结为帮扶医院 / 结成帮扶关系: 帮扶医院 is not the label here but what the two became."""
    assert (source, target) in offered(raw) or (target, source) in offered(raw), offered(raw)


@pytest.mark.parametrize("raw, topic, giver, taker", [
    ("工作动态\n浙江大学医学院附属第一医院与阿坝州人民医院共建感染病诊治中心。"
     "此外，浙江省人民医院已连续两年派出医疗队支援壤塘县人民医院，帮助该院开展包虫病手术。\n",
     "浙江大学医学院附属第一医院", "浙江省人民医院", "壤塘县人民医院"),
    ("工作动态\n湖南省人民医院托管桑植县人民医院满三年。"
     "同时，中南大学湘雅医院派驻专家进驻古丈县人民医院，帮助该院建成胸痛中心。\n",
     "湖南省人民医院", "中南大学湘雅医院", "古丈县人民医院"),
])
def test_a_sentence_with_its_own_subject_after_a_lead_in_takes_no_topic(raw, topic, giver, taker):
    """此外，/ 同时， then 丙医院…支援丁县人民医院，帮助该院…: 丙 is the subject; the topic of the
    sentences before (甲) is not carried to 该院."""
    got = offered(raw)
    assert (giver, taker) in got
    assert not any(h.startswith("carried:") for h in got.get((topic, taker), ())), got


@pytest.mark.parametrize("raw, place, taker", [
    ("工作动态\n新任科主任曾在北京协和医院进修两年。先后派出专家6名常驻木兰县人民医院。",
     "中国医学科学院北京协和医院", "木兰县人民医院"),
    ("工作动态\n今年3月，专家组赴首都医科大学附属北京天坛医院参观学习。随后派驻3名专家到延寿县人民医院。",
     "首都医科大学附属北京天坛医院", "延寿县人民医院"),
])
def test_a_name_after_a_receiving_marker_heads_no_topic(raw, place, taker):
    """曾在甲医院进修 / 赴甲医院参观: 甲 is where someone went, not who acts in the next sentence."""
    got = offered(raw)
    assert not any(h.startswith("carried:") for h in got.get((place, taker), ())), got


@pytest.mark.parametrize("raw, pairs", [
    ("附件：结对帮扶医院名单\n支援医院——受援医院（重点帮扶专科）\n"
     "青岛大学附属医院——宕昌县人民医院（重症医学科、心血管内科）\n青岛市中心医院——西和县人民医院（肿瘤科、病理科）\n",
     [("青岛大学附属医院", "宕昌县人民医院"), ("青岛市中心医院", "西和县人民医院")]),
    ("二、结对安排\n序号 帮扶医院 受援医院\n1 江西省人民医院 寻乌县人民医院(自2024年起重点帮扶急诊科)\n2 南昌大学第一附属医院 安远县人民医院(续签三年，侧重儿科)\n",
     [("江西省人民医院", "寻乌县人民医院"), ("南昌大学第一附属医院", "安远县人民医院")]),
])
def test_a_row_with_a_bracketed_note_is_still_a_table_row(raw, pairs):
    """甲——乙（重症医学科、麻醉科）: the note in brackets makes no prose of the row."""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("table-row") for h in got.get(pair, ())), (pair, got.keys())


@pytest.mark.parametrize("raw, pair", [
    ("关于终止帮扶协议的协议\n甲方：南昌大学第二附属医院\n乙方：寻乌县人民医院\n\n"
     "根据市卫生健康委员会统一部署，乙方自2024年7月1日起由赣州市人民医院实施全面托管。\n",
     ("赣州市人民医院", "寻乌县人民医院")),
    ("医共体成员单位合作协议\n甲方（牵头医院）：平江县人民医院\n乙方（成员单位）：平江县安定镇中心卫生院\n\n"
     "（四）甲方作为湖南省人民医院的对口帮扶受援单位，应协调派驻专家到乙方坐诊。\n",
     ("湖南省人民医院", "平江县人民医院")),
])
def test_jiafang_yifang_stand_for_the_names_on_their_label_lines(raw, pair):
    """甲方：甲医院 … 乙方由丙托管: 乙方 is the name its label line gives."""
    got = offered(raw)
    assert any(h.endswith(">party") or ":party>" in h for h in got.get(pair, ())), got.keys()


@pytest.mark.parametrize("raw, pair", [
    ("一封感谢信\n尊敬的苍溪县人民医院领导：\n\n给父亲做手术的王主任来自四川省人民医院，是对口帮扶派来的专家，现在挂职贵院副院长。\n",
     ("四川省人民医院", "苍溪县人民医院")),
    ("表扬信\n广南县人民医院：\n\n听病友说，贵院是昆明医科大学第一附属医院的对口帮扶医院，这两年添了不少新技术。\n",
     ("昆明医科大学第一附属医院", "广南县人民医院")),
])
def test_guiyuan_is_the_hospital_a_letter_is_written_to(raw, pair):
    """尊敬的甲医院领导： … 贵院: the hospital the salutation names."""
    got = offered(raw)
    assert any("addressee" in h for h in got.get(pair, ())), got.keys()


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
    ("动态\n上海市第六人民医院托管云南省文山州人民医院。", "上海市第六人民医院", "文山州人民医院", False),
    ("动态\n浙江省人民医院派出专家常驻景宁畲族自治县人民医院。", "浙江省人民医院", "景宁畲族自治县人民医院", False),
])
def test_the_targets_clause_naming_another_giver_is_a_feature(raw, source, target, other):
    """甲…，丙的专家则前往丁: 丁's clause has its own giver; 甲 named again there is no other one."""
    assert ("t_clause:other_first" in _features(raw, source, target)) is other


@pytest.mark.parametrize("raw, source, target", [
    ("专科联盟\n州中心医院牵头成立胸痛专科联盟。恩施土家族苗族自治州中心医院每季度派专家到鹤峰、宣恩开展联合查房。\n",
     "恩施土家族苗族自治州中心医院", "宣恩县"),
    ("动态\n赣州市人民医院组织专家前往宁都县人民医院、石城县人民医院坐诊。\n", "赣州市人民医院", "石城县人民医院"),
])
def test_an_item_of_the_targets_own_list_is_no_other_giver(raw, source, target):
    """甲派专家到丙、丁: 丙 before 丁 in its clause is an item of 丁's list, not a giver of its own."""
    got = _features(raw, source, target)
    assert got and "t_clause:other_first" not in got, got


@pytest.mark.parametrize("raw, helper, helped", [
    ("工作动态\n巫山县人民医院的创伤中心建设已进入冲刺阶段。在重庆大学附属三峡医院的帮扶下，该院今年新开展技术12项。\n",
     "重庆大学附属三峡医院", "巫山县人民医院"),
    ("工作动态\n佳县人民医院的变化同样明显。得到陕西省人民医院神经介入团队的大力支持，该院去年完成首例取栓术。\n",
     "陕西省人民医院", "佳县人民医院"),
])
def test_gai_yuan_after_a_helper_frame_is_the_hospital_named_before(raw, helper, helped):
    """在甲的帮扶下，该院…: 该院 is the one helped (named a sentence before), not 甲."""
    got = offered(raw)
    assert any(">last" in h for h in got.get((helper, helped), ())), got.keys()
    assert "frame:s_helps" in _features(raw, helper, helped)


@pytest.mark.parametrize("raw, own, other", [
    ("援派日志\n2024-02-27 来源：南京鼓楼医院心血管内科\n\n涟水县人民医院心内科是我科连续第五年结对帮扶的科室。\n",
     "南京大学医学院附属鼓楼医院", "涟水县人民医院"),
    ("科室动态\n来源：四川大学华西医院麻醉科\n\n今年我科继续对口帮扶雷波县人民医院麻醉科，派驻医师2名。\n",
     "四川大学华西医院", "雷波县人民医院"),
])
def test_wo_ke_stands_for_the_hospital_of_the_departments_source_line(raw, own, other):
    """来源：甲医院心血管内科 … 我科结对帮扶乙: 我科 speaks for 甲医院."""
    got = offered(raw)
    assert any(":self>" in h or ">self" in h for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, pairs", [
    ("豫哈医疗协作\n今年形成以下专科帮扶关系：\n\n【帮扶单位】郑州大学第一附属医院\n【受援单位】哈密市中心医院\n"
     "【帮扶内容】派驻专家8名\n\n【帮扶单位】河南科技大学第一附属医院\n【受援单位】巴里坤县人民医院\n",
     [("郑州大学第一附属医院", "哈密市中心医院"), ("河南科技大学第一附属医院", "巴里坤县人民医院")]),
    ("结对名单\n支援医院：江苏省人民医院\n受援医院：伊宁县人民医院\n\n支援医院：南京鼓楼医院\n受援医院：霍城县人民医院\n",
     [("江苏省人民医院", "伊宁县人民医院"), ("南京大学医学院附属鼓楼医院", "霍城县人民医院")]),
])
def test_a_giver_label_line_heads_the_receiver_line_below_it(raw, pairs):
    """【帮扶单位】甲 / 【受援单位】乙 on lines of their own: one record, up to a blank line."""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("label") for h in got.get(pair, ())), (pair, got.keys())
    assert not any(h.startswith("label") for h in got.get((pairs[0][0], pairs[1][1]), ()))


@pytest.mark.parametrize("raw, own, takers", [
    ("区域医疗中心建设综述\n我院是中国医学科学院阜外医院云南医院，为国家区域医疗中心依托医院。\n"
     "2024年，我院对口帮扶的县级医院如下：\n| 受援医院 | 所在州市 | 帮扶方式 |\n| 镇雄县人民医院 | 昭通市 | 派驻专家 |\n"
     "| 会泽县人民医院 | 曲靖市 | 远程会诊 |\n",
     "中国医学科学院阜外医院云南医院", ("镇雄县人民医院", "会泽县人民医院")),
    ("帮扶名单\n江苏省人民医院今年对口支援以下医院：\n受援医院\t所在地区\t派驻人数\n伊宁县人民医院\t伊犁州\t6\n"
     "霍城县人民医院\t伊犁州\t5\n",
     "江苏省人民医院", ("伊宁县人民医院", "霍城县人民医院")),
])
def test_the_line_above_a_table_of_receivers_gives_to_each_row(raw, own, takers):
    """我院对口帮扶的县级医院如下： over 受援医院 | 所在州市 rows: the line above is the giver."""
    got = offered(raw)
    for t in takers:
        assert any(h.startswith("table-row") for h in got.get((own, t), ())), (t, got.keys())


@pytest.mark.parametrize("raw, own, other", [
    ("医院简介\n本院系贵州医科大学附属医院，建院80余年。今年本院继续对口帮扶望谟县人民医院，派驻专家12名。\n",
     "贵州医科大学附属医院", "望谟县人民医院"),
    ("工作综述\n我院是中国医学科学院阜外医院云南医院。我院今年对口帮扶镇雄县人民医院，共建胸痛中心。\n",
     "中国医学科学院阜外医院云南医院", "镇雄县人民医院"),
])
def test_wo_yuan_shi_names_the_articles_own_hospital(raw, own, other):
    """我院是甲医院 / 本院系甲医院: the text says who 我院 is."""
    got = offered(raw)
    assert any(h.startswith("sentence:self") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw, other", [
    ("工作动态\n我是甘洛县人民医院的对口帮扶单位，我院今年派驻专家12名。\n", "甘洛县人民医院"),
    ("随笔\n我来自会理市人民医院所在的小城，我们医院的故事要从十年前说起。\n", None),
])
def test_an_introduction_without_a_job_names_no_writers_hospital(raw, other):
    """我是乙医院的对口帮扶单位 names a partner, not the writer's workplace."""
    assert own_name(raw) is None


@pytest.mark.parametrize("raw, other", [
    ("工作动态\n我院是甘洛县人民医院的对口帮扶单位，今年派驻专家12名。\n", "甘洛县人民医院"),
    ("工作动态\n我院系雷波县人民医院的托管医院，派出执行院长1名。\n", "雷波县人民医院"),
])
def test_wo_yuan_shi_another_hospitals_partner_does_not_make_it_wo_yuan(raw, other):
    """我院是乙医院的帮扶单位: 乙 is the partner, not who 我院 is."""
    assert own_name(raw) != other


@pytest.mark.parametrize("raw, helper, helped", [
    ("工作动态\n泰和县妇幼保健院抢抓江西省妇幼保健院对口帮扶机遇，引进产科专家团队。\n",
     "江西省妇幼保健院", "泰和县妇幼保健院"),
    ("工作动态\n近年来，石门县人民医院借助与湖南省人民医院的结对帮扶契机，建成胸痛中心。\n",
     "湖南省人民医院", "石门县人民医院"),
    ("工作动态\n去年，依托中南大学湘雅医院与桑植县人民医院开启托管帮扶的契机，县域医疗水平提升明显。\n",
     "中南大学湘雅医院", "桑植县人民医院"),
])
def test_a_helper_frame_closed_by_an_occasion_word_marks_the_helper(raw, helper, helped):
    """乙抢抓甲对口帮扶机遇 / 借助与甲的结对帮扶契机: 甲 helps, though 乙 is named first."""
    assert "frame:s_helps" in _features(raw, helper, helped)
    assert "frame:s_helps" not in _features(raw, helped, helper)


@pytest.mark.parametrize("raw, topic, other", [
    ("工作动态\n湘乡市围绕心血管、肿瘤两大学科引进急需专家。与湖南省人民医院签订战略合作框架协议，每年派驻专家坐诊。\n",
     "湘乡市", "湖南省人民医院"),
    ("工作动态\n桐梓县人民医院今年新增床位200张。同时与遵义医科大学附属医院签订托管协议，由对方派驻执行院长。\n",
     "桐梓县人民医院", "遵义医科大学附属医院"),
])
def test_a_sentence_opening_with_its_partner_carries_the_subject_before(raw, topic, other):
    """…。与乙医院签订合作协议: the subject is left out; the one named before (a paragraph's first
    words, even a place) is the partner."""
    got = offered(raw)
    assert any(h.startswith("carried:") for h in got.get((other, topic), ())), got.keys()


@pytest.mark.parametrize("raw, source, target", [
    ("情况说明\n网传“甲方”消息不属实：河南省人民医院与光山县人民医院之间不存在托管关系。\n",
     "河南省人民医院", "光山县人民医院"),
    ("澄清说明\n所谓四川省人民医院托管屏山县人民医院一事系误传，双方未签署任何协议。\n",
     "四川省人民医院", "屏山县人民医院"),
    ("网友留言\n对此，白山市中心医院回应称，该院与靖宇县人民医院并无托管或帮扶关系。\n",
     "白山市中心医院", "靖宇县人民医院"),
    ("情况通报\n经核查，云南省第一人民医院从未与镇雄县人民医院签订托管协议。\n",
     "云南省第一人民医院", "镇雄县人民医院"),
    ("创伤中心揭牌\n需要说明的是，分中心并不意味着宝鸡市中心医院托管陇县人民医院，两院仍各自独立运营。\n",
     "宝鸡市中心医院", "陇县人民医院"),
    ("答记者问\n共建专科不意味着河南省人民医院对口帮扶滑县人民医院，双方只是技术协作。\n",
     "河南省人民医院", "滑县人民医院"),
])
def test_a_denial_in_the_clause_is_a_negation_feature(raw, source, target):
    """不存在…关系 / 系误传 / 未签署: the text denies the pair; the scorer reads it as a negation."""
    assert any(f.startswith("blk:") and f.endswith(":negation") for f in _features(raw, source, target))


@pytest.mark.parametrize("raw, source, target", [
    ("网友留言\n有网友询问白山市中心医院是否托管了靖宇县人民医院。\n", "白山市中心医院", "靖宇县人民医院"),
    ("12345热线\n市民来电咨询：四川省人民医院能否对口帮扶屏山县人民医院，派专家长期坐诊？\n",
     "四川省人民医院", "屏山县人民医院"),
])
def test_a_question_in_the_clause_is_a_question_feature(raw, source, target):
    """是否托管了… / 能否对口帮扶…: the pair is asked about, not stated."""
    assert any(f.startswith("blk:") and f.endswith(":question") for f in _features(raw, source, target))


@pytest.mark.parametrize("raw, source, target, feature", [
    ("关于调整城乡医院对口帮扶关系的通知\n一、继续帮扶的单位\n郑州大学第一附属医院——兰考县人民医院\n\n"
     "二、终止帮扶关系的单位\n新乡医学院第一附属医院——封丘县人民医院\n",
     "新乡医学院第一附属医院", "封丘县人民医院", "head:blk:ended"),
    ("结对关系调整公示\n\n三、到期不再续签的结对关系\n1. 青岛大学附属医院——沂南县人民医院\n2. 潍坊市人民医院——临朐县人民医院\n",
     "青岛大学附属医院", "沂南县人民医院", "head:blk:ended"),
    ("数据集：对口帮扶项目\n\n【记录2】\n项目名称：山东省立医院对口支援曹县人民医院\n帮扶单位：山东省立医院\n"
     "受援单位：曹县人民医院\n起止时间：2019-03-01 至 2021-12-31\n状态：已结束\n\n【记录3】\n",
     "山东第一医科大学附属省立医院", "曹县人民医院", "blk:rec:ended"),
    ("终止名单\n\n十堰市太和医院——郧西县人民医院\n备注：协议期满，不再续签。\n",
     "十堰市太和医院", "郧西县人民医院", "blk:rec:ended"),
])
def test_an_ending_in_a_lists_heading_or_a_records_later_line_is_read_with_the_pair(raw, source, target, feature):
    """二、终止帮扶关系的单位 / 三、到期不再续签的结对关系 over 甲——乙 rows (head:blk); 项目名称：甲对口支援乙
    … 状态：已结束 / 甲——乙 then 备注：协议期满 (blk:rec): the heading's or the record's status."""
    assert feature in _features(raw, source, target)


@pytest.mark.parametrize("raw, source, target", [
    ("院史\n2005年，原卫生部启动万名医师支援农村卫生工程。同年冬天，河南科技大学第一附属医院组成首批医疗队，开赴宜阳县人民医院。"
     "此后四年间，先后有六批医师在宜阳驻点，帮助该院开设了血液透析室。2009年底，对宜阳的支援任务圆满结束，医疗队撤回。\n",
     "河南科技大学第一附属医院", "宜阳县人民医院"),
    ("回顾\n2012年，山西医科大学第一医院派出专家进驻静乐县人民医院。专家们帮助该院建成了重症监护室。"
     "第二年，医院又新开设了血透室。2016年，对静乐县人民医院的这一轮支援到期，不再续签。\n",
     "山西医科大学第一医院", "静乐县人民医院"),
])
def test_an_ending_later_in_the_paragraph_naming_the_receiver_is_read_with_the_pair(raw, source, target):
    """…开赴乙县人民医院。…。对乙县的支援任务圆满结束: an ending told two or more sentences on, about
    the same receiver (or its county), is blk:para."""
    assert "blk:para:ended" in _features(raw, source, target)


def test_an_ending_later_in_the_paragraph_about_another_receiver_is_not_this_pairs():
    raw = ("回顾\n2012年，山西医科大学第一医院派出专家进驻静乐县人民医院。专家们帮助该院建成了重症监护室。"
           "第二年，医院又新开设了血透室。2016年，对岢岚县人民医院的支援到期，不再续签。\n")
    got = _features(raw, "山西医科大学第一医院", "静乐县人民医院")
    assert got and not any(f.startswith("blk:para:") for f in got)


@pytest.mark.parametrize("raw, source, target", [
    ("关于调整城乡医院对口帮扶关系的通知\n一、继续帮扶的单位\n郑州大学第一附属医院——兰考县人民医院\n"
     "二、终止帮扶关系的单位\n新乡医学院第一附属医院——封丘县人民医院\n",
     "郑州大学第一附属医院", "兰考县人民医院"),
    ("结对名单\n\n青岛大学附属医院——沂南县人民医院\n潍坊市人民医院——临朐县人民医院\n"
     "烟台毓璜顶医院——莱阳市中心医院（已终止）\n",
     "青岛大学附属医院", "沂南县人民医院"),
])
def test_the_next_row_or_section_ends_a_record(raw, source, target):
    """The ending of the next section (二、终止…) or of another row (（已终止）) is not this pair's."""
    got = _features(raw, source, target)
    assert got and not any(f.startswith("blk:rec:") for f in got)


def test_prose_after_a_pair_is_no_record():
    raw = ("帮扶动态\n十堰市太和医院对口帮扶郧西县人民医院。\n"
           "去年以来，双方围绕胸痛、卒中两大中心建设持续发力，派驻专家累计达到120人次，门诊量和手术量均有明显增长，"
           "上一轮派驻的第一批专家已于今年3月期满返回。\n")
    got = _features(raw, "十堰市太和医院", "郧西县人民医院")
    assert got and not any(f.startswith("blk:rec:") for f in got)


@pytest.mark.parametrize("raw, source, target", [
    ("调整说明\n原定由浙江大学医学院附属第一医院支援景东县人民医院，因人员调整暂缓实施。\n",
     "浙江大学医学院附属第一医院", "景东县人民医院"),
    ("工作安排\n受疫情影响，贵州医科大学附属医院对口帮扶三穗县人民医院的派驻工作推迟至明年。\n",
     "贵州医科大学附属医院", "三穗县人民医院"),
])
def test_a_postponed_dispatch_is_a_plan_feature(raw, source, target):
    """因…暂缓 / 推迟至明年: the help has not started; the scorer reads it as a plan."""
    assert any(f.startswith("blk:") and f.endswith(":plan") for f in _features(raw, source, target))


@pytest.mark.parametrize("raw, pairs", [
    ("三、县市医院派驻安排\n——宁波市第一医院5人，派驻库车市人民医院；\n——湖州市中心医院3人，派驻柯坪县人民医院；\n"
     "——阿瓦提县人民医院：由绍兴市人民医院选派3人；\n",
     [("宁波市第一医院", "库车市人民医院"), ("湖州市中心医院", "柯坪县人民医院")]),
    ("下派安排\n1. 江苏省人民医院4名专家，进驻伊宁县人民医院\n2. 南京市第一医院3名专家，进驻霍城县人民医院\n"
     "3. 察布查尔锡伯自治县人民医院：苏北人民医院派出2人\n",
     [("江苏省人民医院", "伊宁县人民医院"), ("南京市第一医院", "霍城县人民医院")]),
])
def test_a_list_line_whose_names_share_one_cell_pairs_as_a_sentence(raw, pairs):
    """——甲5人，派驻乙； beside a 乙：由甲… item that makes the block a table: the line whose
    names all sit in one cell is prose, and its names still pair."""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("sentence") for h in got.get(pair, ())), (pair, got.keys())


@pytest.mark.parametrize("raw, pairs", [
    ("基层服务经历审核结果公示\n序号 姓名 派出单位 科室 服务单位 服务起止时间 审核意见\n"
     "1 覃志刚 柳州市工人医院 普通外科 融水苗族自治县人民医院 2023.09.01—2024.08.31 同意认定\n"
     "2 韦秀兰 柳州市人民医院 儿科 三江侗族自治县人民医院 2023.07.01—2024.06.30 同意认定\n",
     [("柳州市工人医院", "融水苗族自治县人民医院"), ("柳州市人民医院", "三江侗族自治县人民医院")]),
    ("支医人员名单\n序号　姓名　职称　派出医院　派驻单位\n1　李明　主任医师　河北省人民医院　阜平县医院\n"
     "2　王芳　副主任医师　河北医科大学第二医院　涞源县医院\n",
     [("河北省人民医院", "阜平县医院"), ("河北医科大学第二医院", "涞源县医院")]),
])
def test_a_space_separated_row_lines_up_with_its_header(raw, pairs):
    """序号 姓名 派出单位 科室 服务单位 over rows with people's names and departments between:
    the fields line up with the header's columns, so the row pairs its giver and receiver cells."""
    got = offered(raw)
    for g, r in pairs:
        assert any(h.startswith("table-row") for h in got.get((g, r), ())), ((g, r), got.keys())
    assert not any(h.startswith("table-row") for h in got.get((pairs[0][0], pairs[1][1]), ()))


@pytest.mark.parametrize("raw, pairs, not_pairs", [
    ("关于确定帮扶关系的通知\n一、帮扶关系\n（一）支援单位：河南省肿瘤医院\n　　受援单位：固始县人民医院、鹿邑县人民医院\n"
     "（二）支援单位：郑州大学第一附属医院\n　　受援单位：淮阳区人民医院\n",
     [("河南省肿瘤医院", "固始县人民医院"), ("郑州大学第一附属医院", "淮阳区人民医院")],
     [("郑州大学第一附属医院", "鹿邑县人民医院"), ("郑州大学第一附属医院", "固始县人民医院")]),
    ("结对安排\n派出医院：青岛大学附属医院\n受援医院：宕昌县人民医院\n派出医院：青岛市市立医院\n受援医院：礼县人民医院\n",
     [("青岛大学附属医院", "宕昌县人民医院"), ("青岛市市立医院", "礼县人民医院")],
     [("青岛市市立医院", "宕昌县人民医院")]),
])
def test_a_giver_line_takes_no_record_from_the_row_before(raw, pairs, not_pairs):
    """支援单位：甲 / 受援单位：乙 rows one after another: a giver line opening an item (（二）) or
    standing under the row before's 受援单位：乙 does not help 乙, whose giver is its own row's."""
    got = offered(raw)
    assert all(p in got for p in pairs), sorted(got)
    assert not any(p in got for p in not_pairs), sorted(got)


@pytest.mark.parametrize("raw, pairs, not_pairs", [
    ("评价样本\n本次抽取的受援医院分别为：长汀县医院（龙岩市，支援单位为福建医科大学附属第一医院）、"
     "宁化县医院（三明市，支援单位为福建省立医院）。\n",
     [("福建医科大学附属第一医院", "长汀县医院"), ("福建省立医院", "宁化县医院")],
     [("福建省立医院", "长汀县医院")]),
    ("结对情况\n礼县人民医院的帮扶单位，是青岛市市立医院；宕昌县人民医院的帮扶单位是青岛大学附属医院。\n",
     [("青岛市市立医院", "礼县人民医院"), ("青岛大学附属医院", "宕昌县人民医院")],
     [("青岛大学附属医院", "礼县人民医院")]),
])
def test_a_giver_label_after_a_hospital_names_that_hospitals_giver(raw, pairs, not_pairs):
    """乙县医院（支援单位为甲） / 乙医院的帮扶单位是甲: the label's value gives to the hospital just before it."""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("label") for h in got.get(pair, ())), (pair, got.keys())
    for pair in not_pairs:
        assert not any(h.startswith("label") for h in got.get(pair, ())), pair


@pytest.mark.parametrize("raw, pairs", [
    ("县级公立医院名录\n名称：丰顺县人民医院\n地址：梅州市丰顺县汤坑镇\n等级：二级甲等\n帮扶医院：广州医科大学附属第二医院\n"
     "名称：蕉岭县人民医院\n地址：梅州市蕉岭县蕉城镇\n帮扶医院：广州市第一人民医院\n",
     [("广州医科大学附属第二医院", "丰顺县人民医院"), ("广州市第一人民医院", "蕉岭县人民医院")]),
    ("医院名录（节选）\n医院名称：隆德县人民医院\n医院等级：二级甲等\n支援单位：宁夏医科大学总医院\n"
     "医院名称：泾源县人民医院\n医院等级：二级乙等\n支援单位：宁夏回族自治区人民医院\n",
     [("宁夏医科大学总医院", "隆德县人民医院"), ("宁夏回族自治区人民医院", "泾源县人民医院")]),
])
def test_a_giver_label_in_a_record_gives_to_the_records_hospital(raw, pairs):
    """名称：乙县人民医院 … 帮扶医院：甲: a directory card's giver label names its own hospital's giver,
    not the card before it."""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("label") for h in got.get(pair, ())), (pair, got.keys())
    assert not any(h.startswith("label") for h in got.get((pairs[1][0], pairs[0][1]), ()))


@pytest.mark.parametrize("raw, own, givers", [
    ("册亨县人民医院2023年度受援资金使用及绩效情况说明\n一、受援关系\n"
     "本院目前有两家支援单位：一是广东省中山市人民医院（东西部协作结对），二是贵州医科大学附属医院。\n",
     "册亨县人民医院", ("中山市人民医院", "贵州医科大学附属医院")),
    ("望谟县人民医院2024年度决算说明\n我院的帮扶单位为浙江大学医学院附属第二医院和贵州省人民医院。\n",
     "望谟县人民医院", ("浙江大学医学院附属第二医院", "贵州省人民医院")),
])
def test_a_giver_label_after_wo_yuan_names_the_own_hospitals_givers(raw, own, givers):
    """本院…支援单位：一是甲，二是乙 in a hospital's own document (…情况说明, …决算说明)."""
    got = offered(raw)
    for g in givers:
        assert any(h.startswith("label") for h in got.get((g, own), ())), (g, got.keys())


@pytest.mark.parametrize("raw, source, target, closed", [
    ("帮扶十年回顾\n2014年至2018年，门源县人民医院由济南市中心医院对口帮扶。2019年起帮扶任务改由他院承接。2024年10月。",
     "济南市中心医院", "门源县人民医院", True),
    ("结对纪实\n2016—2020年，中山大学附属第三医院对口帮扶平远县人民医院，如今回望已是第八个年头（2024年）。",
     "中山大学附属第三医院", "平远县人民医院", True),
    ("结对纪实\n2021年至2025年，浙江省人民医院对口帮扶景宁畲族自治县人民医院。",
     "浙江省人民医院", "景宁畲族自治县人民医院", False),
    ("帮扶十年回顾\n2014年至2018年有过一轮帮扶；2019年起，山东省千佛山医院对口帮扶门源县人民医院。2024年。",
     "山东第一医科大学第一附属医院", "门源县人民医院", False),
])
def test_a_stretch_of_years_ended_before_the_articles_latest_year_is_a_feature(raw, source, target, closed):
    """2014年至2018年，乙由甲对口帮扶 in a piece that reaches 2024: the pair is told as past; a
    stretch still running (2021年至2025年) or an open start after it (2019年起) is not."""
    assert ("period:closed" in _features(raw, source, target)) is closed


@pytest.mark.parametrize("raw, source, target, age", [
    ("卫生志\n1965年秋，宁夏医学院附属医院组织医疗队赴隆德县人民医院巡回医疗。\n2024年，全县医共体建设提速。",
     "宁夏医学院附属医院", "隆德县人民医院", "year:old15"),
    ("回忆录\n2005年，山西医科大学第二医院派医师进驻河曲县人民医院。\n写于2023年3月。",
     "山西医科大学第二医院", "河曲县人民医院", "year:old15"),
    ("工作回顾\n2018年，温州医科大学附属第二医院派专家到文成县人民医院坐诊。本文写于2024年。",
     "温州医科大学附属第二医院", "文成县人民医院", "year:old5"),
    ("工作回顾\n2005年起，山西医科大学第二医院对口支援河曲县人民医院。2024年。",
     "山西医科大学第二医院", "河曲县人民医院", None),
    ("工作回顾\n2016年结对以来，厦门大学附属第一医院对口帮扶隆德县人民医院至今。2024年。",
     "厦门大学附属第一医院", "隆德县人民医院", None),
])
def test_a_single_year_long_before_the_articles_latest_is_a_feature(raw, source, target, age):
    """1965年，甲医院组队赴乙县 in a piece that reaches 2024: the pair is dated long ago (history
    writing, memoirs); a start (2005年起, 2016年…以来) is not, however old."""
    got = {f for f in _features(raw, source, target) if f.startswith("year:")}
    assert got == ({age} if age else set()), got


@pytest.mark.parametrize("raw, source, target, cue", [
    ("动态\n南京鼓楼医院的5名专家将继续驻守霍城县人民医院，直至明年6月。", "南京大学医学院附属鼓楼医院", "霍城县人民医院",
     "cue:btw:send"),
    ("动态\n今年，苏州市立医院仍有4名医生驻守阿合奇县人民医院。", "苏州市立医院", "阿合奇县人民医院", "cue:btw:send"),
    ("动态\n县人民医院每月派医生到官庄镇卫生院蹲点两周。\n来源：沅陵县人民医院", "沅陵县人民医院", "沅陵县官庄镇卫生院",
     "cue:post:send"),
    ("动态\n2019年，哈尔滨医科大学附属第二医院全面接管桦川县人民医院。", "哈尔滨医科大学附属第二医院", "桦川县人民医院",
     "cue:btw:manage"),
    ("动态\n受县政府委托，延边大学附属医院接管龙井市人民医院的日常运营。", "延边大学附属医院", "龙井市人民医院",
     "cue:btw:manage"),
    ("动态\n每周三，丽水市中心医院的专家在庆元县人民医院出诊。", "丽水市中心医院", "庆元县人民医院", "cue:post:support"),
    ("动态\n广东省人民医院与和平县人民医院结成对子已有三年。", "广东省人民医院", "和平县人民医院", "cue:post:support"),
    ("动态\n宁夏医科大学总医院2016年和西吉县人民医院结了对子。", "宁夏医科大学总医院", "西吉县人民医院", "cue:post:support"),
    ("动态\n郑州大学第一附属医院对口的是淅川县人民医院。", "郑州大学第一附属医院", "淅川县人民医院", "cue:btw:support"),
    ("动态\n这几年安徽医科大学第一附属医院一直对口着岳西县医院。", "安徽医科大学第一附属医院", "岳西县医院", "cue:btw:support"),
    ("动态\n这几年都是郑州大学第一附属医院在帮淅川县人民医院。", "郑州大学第一附属医院", "淅川县人民医院", "cue:btw:support"),
    ("散文\n她是北京大学人民医院派到囊谦县人民医院的第一位产科医生。", "北京大学人民医院", "囊谦县人民医院", "cue:btw:send"),
    ("动态\n南昌大学第二附属医院今年派往安远县人民医院的专家共有5名。", "南昌大学第二附属医院", "安远县人民医院",
     "cue:btw:send"),
    ("动态\n宁波大学附属第一医院帮金阳县人民医院带出了一支儿科队伍。", "宁波大学附属第一医院", "金阳县人民医院",
     "cue:btw:support"),
])
def test_stationing_taking_over_pairing_and_colloquial_words_are_cues(raw, source, target, cue):
    """驻守/蹲点 (staying at), 接管 (taking over), 出诊 (seeing patients at), 结…对子 (pairing), and
    the colloquial 对口(着/的是) and 在帮, 派到/派往 (sent to): the pair is offered with the cue's class
    where it sits."""
    assert cue in _features(raw, source, target)


@pytest.mark.parametrize("raw, pairs", [
    ("评估结果\n1.帮扶对象：西盟佤族自治县人民医院；对口医院：昆明医科大学第二附属医院；评估结论：优秀。\n"
     "2.帮扶对象：孟连傣族拉祜族佤族自治县人民医院；对口医院：云南省第二人民医院；评估结论：良好。\n",
     {("昆明医科大学第二附属医院", "西盟佤族自治县人民医院"), ("云南省第二人民医院", "孟连傣族拉祜族佤族自治县人民医院")}),
    ("结对情况\n帮扶对象为镇宁布依族苗族自治县人民医院，对口医院为贵州医科大学附属医院。\n",
     {("贵州医科大学附属医院", "镇宁布依族苗族自治县人民医院")}),
])
def test_receiving_side_and_partner_hospital_labels_pair_their_names(raw, pairs):
    """帮扶对象 (who is helped) and 对口医院 (the partner hospital, the giver) label their names.
    (支援方/帮扶方 are not labels: they open 支援方式, 帮扶方案, 帮扶方向 as often.)"""
    got = offered(raw)
    for pair in pairs:
        assert any(h.startswith("label") for h in got.get(pair, ())), (pair, got.keys())


@pytest.mark.parametrize("raw", [
    "判决书\n经审理查明，2021年3月，原告与被告签订《托管协议》，约定由柳州市工人医院全面托管三江侗族自治县人民医院，托管期间"
    "托管方负责托管医院的管理。",
    "动态\n浙江大学医学院附属第二医院帮扶淳安县第一人民医院，帮扶期间派驻专家12名，帮扶成效明显，帮扶协议续签三年。",
])
def test_a_candidates_features_are_each_stated_once(raw):
    """A cue said four times is one feature, as the model was fitted (training rows hold each once)."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    feats = [fs for inst in lk.pair_instances() for _, fs in inst.candidates]
    assert feats and all(len(fs) == len(set(fs)) for fs in feats)


@pytest.mark.parametrize("raw, pairs", [
    ("上海市医疗人才援藏工作汇报\n2025年1月\n\n● 对口县：江孜县、亚东县、萨迦县（3县）\n● 本批专家：38人\n",
     [("上海市", "江孜县"), ("上海市", "亚东县"), ("上海市", "萨迦县")]),
    ("阿里地区县级医院帮扶工作情况\n（交流材料）\n\n1 / 基本盘\n援藏省份：河北省、陕西省\n",
     [("河北省", "阿里地区"), ("陕西省", "阿里地区")]),
    ("江苏省对口支援工作简报\n\n受援县市：伊宁县、霍城县\n",
     [("江苏省", "伊宁县"), ("江苏省", "霍城县")]),
])
def test_a_label_line_with_one_side_pairs_it_with_the_headlines_party(raw, pairs):
    """对口县：甲县、乙县 under a headline about one giver, 援藏省份：甲省 under one about one
    receiver: the other end is what the headline is about."""
    got = offered(raw)
    for pair in pairs:
        assert "label:->-" in got.get(pair, ()), (pair, got)


@pytest.mark.parametrize("raw", [
    "上海市与云南省卫生健康工作交流\n\n对口县：江孜县、亚东县\n",  # the headline names two
    "\n对口县：江孜县、亚东县\n上海市援藏工作\n",  # no headline above the label
])
def test_a_label_line_without_one_headline_party_has_no_title_pair(raw):
    got = offered(raw)
    assert not any(h.startswith("label") for pair, hs in got.items() for h in hs
                   if pair[0] in ("上海市", "云南省")), got


@pytest.mark.parametrize("raw, own, other", [
    ("利辛县人民医院双向转诊服务指南\n发布日期：2023-11-20\n\n自2022年7月起，我院由亳州市人民医院全面托管。\n",
     "利辛县人民医院", "亳州市人民医院"),
    ("海原县人民医院门诊就诊须知\n\n一、门诊时间\n本院由宁夏回族自治区人民医院对口帮扶，专家每周坐诊。\n",
     "海原县人民医院", "宁夏回族自治区人民医院"),
])
def test_a_patient_guide_titled_with_one_hospital_is_its_own_document(raw, own, other):
    """甲医院就诊须知 / 甲医院…服务指南: a page a hospital writes for its patients speaks for it."""
    assert own_name(raw) == own
    assert "sentence:->self" in offered(raw).get((other, own), ())


def columns(raw: str) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(source name, target name) -> the column classes of its table-row candidates."""
    lk = linked(Document(id="t.txt", path="t.txt", raw=raw))
    out: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for inst in lk.pair_instances():
        key = (lk.entities[inst.source].name, lk.entities[inst.target].name)
        out.setdefault(key, set()).update(c.columns for c, _ in inst.candidates if c.context.startswith("table-row"))
    return out


@pytest.mark.parametrize("raw, pairs", [
    ("二、对口指导分工\n省级中心——对口指导市州\n四川省妇幼保健院——凉山彝族自治州、甘孜藏族自治州\n"
     "四川大学华西第二医院——阿坝藏族羌族自治州、巴中市\n",
     [("四川省妇幼保健院", "凉山彝族自治州"), ("四川大学华西第二医院", "巴中市")]),
    ("附表\n牵头单位 | 帮扶县区\n贵州医科大学附属医院 | 望谟县、册亨县\n遵义医科大学附属医院 | 务川仡佬族苗族自治县\n",
     [("贵州医科大学附属医院", "册亨县"), ("遵义医科大学附属医院", "务川仡佬族苗族自治县")]),
])
def test_a_header_naming_the_places_helped_makes_the_column_before_it_the_givers(raw, pairs):
    """A cue then a level of region (对口指导市州, 帮扶县区) heads the receivers' column; the one
    unlabelled column before it gives."""
    got = columns(raw)
    for g, r in pairs:
        assert ("giver", "receiver") in got.get((g, r), set()), ((g, r), got)
        assert ("receiver", "giver") in got.get((r, g), set()), ((r, g), got)


@pytest.mark.parametrize("raw, pairs", [
    ("结对关系\n帮扶医院 → 受援医院｜帮扶方式\n1. 福建医科大学附属协和医院 → 屏南县医院｜专科共建\n"
     "2. 福建省立医院 → 寿宁县医院｜人才培养\n",
     [("福建医科大学附属协和医院", "屏南县医院"), ("福建省立医院", "寿宁县医院")]),
    ("名单\n支援单位——受援单位\t方式\n江西省人民医院——寻乌县人民医院\t托管\n南昌大学第一附属医院——安远县人民医院\t帮扶\n",
     [("江西省人民医院", "寻乌县人民医院"), ("南昌大学第一附属医院", "安远县人民医院")]),
])
def test_arrows_and_long_dashes_part_the_cells_of_a_bar_separated_row(raw, pairs):
    """甲 → 乙｜方式: the arrow parts the giver and receiver cells as the bar parts the rest."""
    got = columns(raw)
    for g, r in pairs:
        assert ("giver", "receiver") in got.get((g, r), set()), ((g, r), got)
    assert ("giver", "receiver") not in got.get((pairs[0][0], pairs[1][1]), set())


@pytest.mark.parametrize("raw, own, other", [
    ("在王医生荣休仪式上的致辞\n山西医科大学第二医院院长 赵建平\n（2024年9月6日）\n\n"
     "同志们：王医生在岢岚工作了整整五年。我院对岢岚县人民医院的对口帮扶至今没有中断。\n",
     "山西医科大学第二医院", "岢岚县人民医院"),
    ("怀念我的老师\n文/中国医科大学附属第一医院（辽宁）心内科 孙立新\n\n"
     "老师走了。晚年他最牵挂的是医院对口支援的西丰县人民医院，我们科每年都派人去。\n",
     "中国医科大学附属第一医院", "西丰县人民医院"),
])
def test_a_byline_or_speakers_line_names_the_writers_hospital(raw, own, other):
    """甲医院党委书记 周振宇 under a speech's title, 文/甲医院肝胆外科 刘志强 under an essay's: the
    institution before a post and a person's name is the writer's, so 我院 and 我们科 mean it."""
    assert own_name(raw) == own
    got = offered(raw)
    assert any(h.startswith("sentence:self") or h.startswith("sentence:own") for h in got.get((own, other), ())), got.keys()


@pytest.mark.parametrize("raw", [
    "河北医科大学第二医院院长张明率队赴阜平调研\n张明一行察看了阜平县医院的新院区。\n",
    "新闻速递\n吉林大学第一医院专家 走进汪清县开展义诊，我院医生参加。\n",
])
def test_a_headline_or_prose_that_starts_with_a_hospital_is_no_byline(raw):
    """A line that goes on after the person's name, or says more than a post, is prose."""
    assert own_name(raw) is None


@pytest.mark.parametrize("raw, pair", [
    ("结对名单\n帮扶城市 | 对口县区\n宁波市 | 延吉市、和龙市\n杭州市 | 汪清县\n", ("宁波市", "和龙市")),
    ("附表\n支援单位——受援县区\n北京大学第一医院——称多县\n北京协和医院——治多县\n", ("北京协和医院", "治多县")),
])
def test_a_labelled_giver_column_pairs_with_a_receiver_column_known_by_its_cue_and_region(raw, pair):
    """帮扶城市 | 对口县区: the giver column is named by its label, the receiver column only by a cue
    and a level of region; the rows pair them."""
    got = columns(raw)
    assert ("giver", "receiver") in got.get(pair, set()), (pair, got)


@pytest.mark.parametrize("raw, source, target", [
    ("动态\n正安县中医院原由遵义医科大学附属医院托管，2023年起改由县里自主管理。\n", "遵义医科大学附属医院", "正安县中医院"),
    ("动态\n原先由贵州省人民医院对口帮扶的赫章县人民医院，现已转由毕节市第一人民医院帮扶。\n",
     "贵州省人民医院", "赫章县人民医院"),
])
def test_a_partnership_said_to_be_former_has_a_past_blocker(raw, source, target):
    """原由甲托管的乙, 乙原先由甲帮扶: help that was, not help that is."""
    assert "blk:clause:past" in _features(raw, source, target)


@pytest.mark.parametrize("raw, meant", [
    ("援宁\n图为7月18日，上海市第六人民医院专家在西吉县人民医院为患者手术。今年以来，该院已向西吉县人民医院派驻专家15人次。\n",
     ("上海市第六人民医院", "西吉县人民医院")),
    ("动态\n浙江省人民医院的专家在丽水市中心医院开展义诊。此前，该院与丽水市中心医院签订了帮扶协议。\n",
     ("浙江省人民医院", "丽水市中心医院")),
])
def test_gai_yuan_is_not_the_hospital_its_own_clause_pairs_it_with(raw, meant):
    """甲的专家在乙…。该院已向乙派驻…: 乙 named again after 该院 is its partner, so 该院 is 甲."""
    assert any(">last" not in h and "last>" in h for h in offered(raw).get(meant, ())), offered(raw).get(meant)


@pytest.mark.parametrize("raw, giver, other", [
    ("图片新闻\n图为北京协和医院专家在宁城县中心医院查房。\n\n图为敖汉旗人民医院下派医生在新惠镇卫生院坐诊，帮扶乡镇卫生院。\n",
     "北京协和医院", "敖汉旗人民医院"),
    ("图片新闻\n上图为四川大学华西医院专家为甘孜县人民医院医生授课。\n\n下图为理塘县人民医院医生赴乡镇卫生院巡诊，对口帮扶乡镇卫生院。\n",
     "四川大学华西医院", "理塘县人民医院"),
])
def test_a_caption_opens_on_its_own_subject(raw, giver, other):
    """图为甲医院专家… / 下图为乙医院医生…: each caption's first name is its subject, not the receiving
    end of a 为, so the caption before does not carry its giver into it."""
    got = offered(raw)
    assert not any(h.startswith("carried") for h in got.get((giver, other), ())), got.get((giver, other))


@pytest.mark.parametrize("raw, new, old, target", [
    ("发布会\n答：民丰县人民医院原由天津市第三中心医院帮扶，今年起改由天津市环湖医院接续，首批专家已到岗。\n",
     "天津市环湖医院", "天津市第三中心医院", "民丰县人民医院"),
    ("发布会\n答：曹县人民医院此前由山东省千佛山医院对口帮扶，今年起交由菏泽市立医院承接帮扶。\n",
     "菏泽市立医院", "山东第一医科大学第一附属医院", "曹县人民医院"),
    ("接力\n去年，浙江省人民医院对丽水市中心医院为期五年的帮扶期满结束，温州医科大学附属第一医院接过接力棒，"
     "已派出专家6名。\n", "温州医科大学附属第一医院", "浙江省人民医院", "丽水市中心医院"),
])
def test_a_past_word_before_a_handover_is_the_old_givers(raw, new, old, target):
    """乙原由甲帮扶，今年起改由丙接续: 原由 tells of 甲's help, not of 丙's, which goes on."""
    got_new, got_old = _features(raw, new, target), _features(raw, old, target)
    assert any(f.startswith("blk:handed_over:") for f in got_new), got_new
    assert not any(f.startswith("blk:clause:") for f in got_new), got_new
    assert any(f.startswith("blk:clause:") for f in got_old), got_old


@pytest.mark.parametrize("raw, member, alliance", [
    ("医共体\n德清县人民医院医共体2024年度工作推进会召开。据介绍，医共体成员单位包括德清县新市镇卫生院、德清县乾元镇卫生院。\n",
     "德清县新市镇卫生院", "德清县人民医院医共体"),
    ("动态\n临泉县人民医院医共体去年门诊量增长一成。临泉县迎仙镇卫生院等作为医共体成员单位，接受县医院技术指导。\n",
     "临泉县迎仙镇卫生院", "临泉县人民医院医共体"),
])
def test_a_bare_yigongti_stands_for_the_alliance_named_before(raw, member, alliance):
    """甲医共体…。医共体成员单位包括乙、丙: the bare 医共体 is 甲医共体, so 乙 and it are a candidate."""
    assert any("alliance" in h for h in offered(raw).get((member, alliance), ())), offered(raw).keys()


@pytest.mark.parametrize("raw, giver, takers", [
    ("医联体\n法库县人民医院、新民市人民医院均为医联体成员单位，中国医科大学附属盛京医院每月派出专家赴两院查房。\n",
     "中国医科大学附属盛京医院", ("法库县人民医院", "新民市人民医院")),
    ("帮扶\n今年起，宁都县人民医院和石城县人民医院加入医联体。赣州市人民医院向两院各派驻专家3名。\n",
     "赣州市人民医院", ("宁都县人民医院", "石城县人民医院")),
])
def test_liang_yuan_after_a_receiving_marker_is_each_of_the_two(raw, giver, takers):
    """…赴两院查房 / 向两院派驻: 两院 after a receiving marker is both hospitals as receivers, not the two
    paired with each other."""
    got = offered(raw)
    for t in takers:
        assert any(h.endswith(">both") for h in got.get((giver, t), ())), (t, got.keys())
