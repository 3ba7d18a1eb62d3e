"""Synthetic corpus for the benchmarks: realistic noisy articles with planted partnerships.

Articles look like the seeds: a site's chrome and a spam title above the headline,
a dateline, prose about one county's health reforms built around partnership
sentences in the seeds' styles (对口帮扶, 全面托管, 携手…打造专科联盟, 由…牵头…医共体,
印发《…》, 实施…工程, 派驻N名专家), repeated paragraphs, and legal footers below.
About a third are converted to Traditional Chinese (OpenCC ``s2t``) and half of
those carry pinyin glosses glued after characters (``衛(wèi)生``), as some
converting sites print them.

Every name is real: counties, towns, cities and provinces come from the division
dataset (``loaders.divisions``); hospitals are built from them (X县人民医院,
X省人民医院, 中山大学附属第一医院 …). Which supporter → county pairs each article
plants is written to ``truth.jsonl``, so a benchmark can report the extractor's
recall on synthetic text (a sanity check, not a gate).

Generation is seeded and reproducible whatever the number of processes: chunk
``k`` of 1,000 articles draws from ``Random(f"{seed}/{k}")``.

Usage: python bench/corpus.py --size 10k [--seed 0] [--format txt|jsonl] [--out bench/corpus]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1000
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}


# --------------------------------------------------------------------------- vocabulary

@dataclass(frozen=True)
class Place:
    """A county with the chain above it and a few of its towns."""

    code: str
    county: str
    city: str
    province: str
    towns: tuple[str, ...]


@dataclass
class Pools:
    """Everything an article is drawn from (built once in the parent, shipped to workers)."""

    places: list[Place]
    provinces: list[str]
    cities: list[tuple[str, str]]  # (province, city)


@dataclass
class Planted:
    """One planted supporter → county pair and the sentence style that states it."""

    supporter: str
    county: str
    code: str
    relation: str
    style: str


@dataclass
class Article:
    id: str
    text: str
    traditional: bool
    pinyin: bool
    pairs: list[Planted] = field(default_factory=list)


UNIVERSITIES = ("中山大学", "南方医科大学", "中南大学", "郑州大学", "复旦大学", "华中科技大学",
                "广州医科大学", "重庆医科大学", "昆明医科大学", "安徽医科大学", "温州医科大学",
                "西安交通大学", "苏州大学", "南昌大学", "广西医科大学", "新疆医科大学")
ORDINALS = ("第一", "第二", "第三", "第五", "第七")
SPECIALTIES = ("胸痛", "卒中", "肿瘤", "儿科", "妇产科", "骨科", "病理诊断", "消化内镜", "心血管",
               "呼吸", "肾病", "眼科", "康复医学")
COUNTY_HOSPITALS = ("人民医院", "中医院", "妇幼保健院", "第二人民医院")
SITES = ("健康资讯网", "医药卫生网", "民生新闻网", "基层卫生在线", "医疗器械招标网", "县域发展观察")

FILLER = (
    "{county}以机制为纲、技术为经、服务作纬、人才为梭，全方位织密织牢基层医疗卫生服务网。",
    "通过推动重心下移、资源下沉，加快县域优质医疗卫生资源扩容和均衡布局。",
    "{year}年，全县基层医疗卫生机构总诊疗量达{n}万人次，同比增长{p}%。",
    "基层诊疗量占比{p}%，达到市医改目标值，群众看病就医更加便捷。",
    "全县{n}间乡镇卫生院均可开展针灸、推拿、中医康复理疗等中医非药物治疗服务。",
    "建立县级医院、乡镇卫生院和村卫生站之间的双向转诊制度，设立双向转诊“绿色通道”。",
    "按照“基层首诊、双向转诊、急慢分治、上下联动”的要求开展分级诊疗。",
    "核定全县乡镇卫生院事业编制总额{n}名，对各乡镇卫生院编制进行统筹调剂。",
    "全面完成{n}个行政村标准化卫生站建设，并配备基本诊疗设备和基本药物。",
    "利用远程医学平台，通过省级专家网络授课、远程会诊等方式提升基层服务能力。",
    "{town}卫生院新建门诊住院业务用房已投入使用，进一步优化就诊环境。",
    "公立医院人员经费支出占比达{p}%，基层医疗卫生机构落实“一类财政供给”。",
    "自{year}年起，乡村医生补贴由每年2万元提高到2.5万元，充分调动乡村医生工作积极性。",
    "鼓励二级以上综合医院医生到基层医疗卫生机构多点执业，或者定期出诊、巡诊。",
    "计划投入约{n}亿元，安排项目{m}个，着力改善县、乡两级医疗卫生机构办医条件。",
    "{county}委、县政府高度重视基层医疗卫生服务体系建设，成立工作领导小组，明确职责分工。",
    "全年通过互联网医院转诊住院患者{n}例，开展远程检查检验{m}例。",
    "{town}、{town2}等{k}间卫生院基层特色专科建设已完成并投入使用。",
    "为破解基层医院“接不住病患”难题，各地探索组团式引才、柔性引才等模式。",
    "从业务、岗位、职称等多方面研判急需紧缺人才需求，做到按需索才、精准引才。",
    "实施全科医生培训{n}人次，鼓励基层医疗卫生机构人员参加乡村全科执业助理医师资格考试。",
    "截至目前，全县家庭医生签约服务覆盖率达{p}%，重点人群签约率稳步提升。",
)
HEADER_CHROME = ("搜索", "扫一扫在手机打开当前页", "微信扫一扫关注", "您好：欢迎访问{site}", "首页",
                 "当前位置：首页 > 新闻中心 > 基层动态", "微信小程序", "欢迎来到{site}")
SPAM_TITLES = ("亚洲人av免费在线观看_作爱黄片在线免费观看_美曰韩一本到髙清无码",
               "久久九九精品视频宗合网_欧美性爱一级片_青青青国产依人在线观看")
FOOTERS = ("粤ICP备{n}号-3", "京ICP证{n}号 网络备案：京ICP备{m}号-1", "版权所有 © 2017-2025 {site}",
           "免责声明：本文仅代表作者个人观点，本站未对其内容进行核实。", "地址：{city}人民路{k}号",
           "反对 0 举报 0 收藏 0 打赏 0 评论 0")

# Pinyin of characters whose Traditional form differs, as converting sites gloss them.
PINYIN = {
    "衛": "wèi", "報": "bào", "訊": "xùn", "區": "qū", "計": "jì", "療": "liáo", "醫": "yī", "縣": "xiàn",
    "鄉": "xiāng", "鎮": "zhèn", "務": "wù", "發": "fā", "體": "tǐ", "設": "shè", "與": "yǔ", "幫": "bāng",
    "專": "zhuān", "術": "shù", "資": "zī", "員": "yuán", "優": "yōu", "質": "zhì", "層": "céng",
    "機": "jī", "構": "gòu", "實": "shí", "現": "xiàn", "農": "nóng", "傳": "chuán", "統": "tǒng",
    "網": "wǎng", "劃": "huà", "轉": "zhuǎn", "診": "zhěn", "費": "fèi", "歲": "suì", "條": "tiáo",
    "麼": "me", "這": "zhè", "們": "men", "種": "zhǒng", "應": "yīng", "聯": "lián", "會": "huì",
}


def build_pools() -> Pools:
    """Counties (unique full names of 3+ characters ending in 县 or 区) with their towns and parents."""
    from loaders.divisions import divisions

    d = divisions()
    places = []
    for r in d.regions.values():
        if r.type != "County" or len(r.name) < 3 or not r.name.endswith(("县", "区")):
            continue
        if len(d.by_name.get(r.name, [])) != 1 or r.name in d.by_short:
            continue
        chain = {x.type: x.name for x in d.chain(r.key)}
        if "City" not in chain or "Province" not in chain:
            continue
        towns = tuple(d.regions[k].name for k in d.children.get(r.key, [])
                      if d.regions[k].type == "Town" and d.regions[k].name.endswith(("镇", "乡"))
                      and len(d.regions[k].name) >= 3 and len(d.by_name.get(d.regions[k].name, [])) == 1)
        if len(towns) < 2:
            continue
        places.append(Place(r.key, r.name, chain["City"], chain["Province"], towns[:12]))
    provinces = [d.regions[k].name for k in d.provinces if d.regions[k].name.endswith("省")]
    cities = [(d.regions[r.parent].name, r.name) for r in d.regions.values()
              if r.type == "City" and r.name.endswith("市") and len(r.name) >= 3
              and len(d.by_name.get(r.name, [])) == 1 and r.parent in d.regions]
    places.sort(key=lambda p: p.code)
    cities.sort()
    return Pools(places, sorted(provinces), cities)


# --------------------------------------------------------------------------- one article

class _Writer:
    """Draws one article from the pools with one ``random.Random``."""

    def __init__(self, pools: Pools, rng: random.Random):
        self.p, self.r = pools, rng

    def supporter(self, place: Place) -> str:
        r = self.r
        kind = r.random()
        if kind < 0.35:
            prov = r.choice(self.p.provinces)
            return prov + r.choice(("人民医院", "第二人民医院", "中医院", "妇幼保健院"))
        if kind < 0.7:
            prov, city = r.choice(self.p.cities)
            while city == place.city:
                prov, city = r.choice(self.p.cities)
            return city + r.choice(("人民医院", "中医院", "第一人民医院"))
        return r.choice(UNIVERSITIES) + "附属" + r.choice(ORDINALS) + "医院"

    def fill(self, place: Place) -> str:
        rnd = self.r.random
        towns = place.towns
        t1 = towns[int(rnd() * len(towns))]
        t2 = towns[int(rnd() * len(towns))]
        return FILLER[int(rnd() * len(FILLER))].format(
            county=place.county, town=t1, town2=t2 if t2 != t1 else towns[0] if t1 != towns[0] else towns[1],
            year=2016 + int(rnd() * 9), n=12 + int(rnd() * 2988), m=10 + int(rnd() * 890),
            p=round(5 + rnd() * 90, 1), k=2 + int(rnd() * 8))

    def partnership(self, place: Place, planted: list[Planted]) -> str:
        """One partnership sentence; the supporter → county pairs it states go into ``planted``."""
        r = self.r
        K, n, year = place.county, r.randint(3, 40), r.randint(2016, 2024)
        s = self.supporter(place)
        hosp = K + r.choice(COUNTY_HOSPITALS)

        def plant(sup: str, rel: str, style: str) -> None:
            planted.append(Planted(sup, K, place.code, rel, style))

        style = r.randrange(9)
        if style == 0:
            plant(s, "SUPPORTS", "对口帮扶")
            return f"{s}对口帮扶{hosp}，派驻{n}名专家常驻开展临床教学、查房示教和病例讨论。"
        if style == 1:
            plant(s, "MANAGES", "全面托管")
            return f"{year}年以来，{s}全面托管{hosp}，先后派驻{n}名管理人员以及医疗骨干常驻。"
        if style == 2:
            s2 = self.supporter(place)
            while s2 == s:
                s2 = self.supporter(place)
            plant(s, "PARTNERS_WITH", "携手打造专科联盟")
            plant(s2, "PARTNERS_WITH", "携手打造专科联盟")
            return f"{hosp}携手{s}、{s2}等单位打造{r.choice(SPECIALTIES)}专科联盟，建立跨区域的医联体。"
        if style == 3:
            plant(s, "PARTNERS_WITH", "签订托管协议")
            return f"{K}与{s}签订托管协议，依托其优质资源与先进管理模式，提升县域医疗卫生水平。"
        if style == 4:
            plant(s, "SUPPORTS", "选派专家")
            return f"{s}选派{n}名医疗专家到{hosp}坐诊，帮助开展新技术、新项目{r.randint(3, 30)}项。"
        if style == 5:
            plant(s, "MANAGES", "托管帮扶")
            return f"依托{s}与{hosp}开启“组团式”托管帮扶的契机，推动优质医疗服务和资源下沉。"
        if style == 6:  # no planted pair: an alliance led by the county hospital
            t = r.sample(place.towns, 2)
            return (f"组建由{K}人民医院牵头，整合{K}中医院、{K}妇幼保健院、{t[0]}卫生院及{t[1]}卫生院的"
                    f"{K[:-1] + '县域' if K.endswith('县') else K}医共体总医院。")
        if style == 7:  # a policy
            return (f"{K}卫生健康局印发《{K}加强紧密型县域医疗卫生共同体建设实施方案》"
                    f"《{year}年度{K}基本公共卫生服务项目绩效评价办法》等配套政策文件。")
        # a programme
        return f"{K}实施基层医疗卫生机构能力提升工程，{year}年已下达资金{n}亿元，建设项目{r.randint(10, 200)}个。"

    def article(self, doc_id: str, target_bytes: int) -> Article:
        r = self.r
        place = r.choice(self.p.places)
        site = r.choice(SITES)
        planted: list[Planted] = []
        lines: list[str] = []
        if r.random() < 0.3:
            lines.append(r.choice(SPAM_TITLES))
        lines += [c.format(site=site) for c in r.sample(HEADER_CHROME, r.randint(0, 3))]
        title = f"{place.county}持续推进基层医疗卫生服务体系建设"
        lines.append(r.choice((title, f"{place.city}{title}", f"{place.province}{place.city}{place.county}："
                               f"优质医疗资源下沉见实效")))
        date = f"{r.randint(2016, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        lines.append(r.choice((f"来源：{site} 发布时间：{date}", f"发表于 {date} 10:17:47 来源：{site}",
                               f"{date} {site}")))
        lead = (f"为满足当地群众医疗健康需求，{place.province}{place.city}{place.county}持续推进基层医疗卫生"
                f"服务体系建设，加快县域优质医疗卫生资源扩容和均衡布局。")
        paras = [lead]
        size = len("\n".join(lines + paras).encode("utf-8"))
        budget = target_bytes - 400  # the footer and the last paragraph's overshoot
        while size < budget:
            sents = [self.fill(place) for _ in range(r.randint(1, 3))]
            sents.insert(r.randrange(len(sents) + 1), self.partnership(place, planted))
            para = "".join(sents)
            paras.append(para)
            size += len(para.encode("utf-8")) + 1
        if len(paras) > 2 and r.random() < 0.3:  # a repeated paragraph, as in seed 000
            k = r.randrange(1, len(paras))
            paras.insert(k + 1, paras[k])
        indent = r.choice(("", "  ", "\u3000\u3000"))
        lines += [indent + p for p in paras]
        lines += [f.format(site=site, n=r.randint(10**7, 10**8), m=r.randint(10**7, 10**8), city=place.city,
                           k=r.randint(1, 300)) for f in r.sample(FOOTERS, r.randint(1, 3))]
        text = "\n".join(lines) + "\n"
        trad = r.random() < 0.33
        gloss = trad and r.random() < 0.5
        if trad:
            text = _s2t(text)
            if gloss:
                text = _gloss(text, r)
        seen: set[tuple[str, str]] = set()
        pairs = []
        for p in planted:
            if (p.supporter, p.code) not in seen:
                seen.add((p.supporter, p.code))
                pairs.append(p)
        return Article(doc_id, text, trad, gloss, pairs)


_S2T = None


def _s2t(text: str) -> str:
    global _S2T
    if _S2T is None:
        import opencc
        _S2T = opencc.OpenCC("s2t")
    return _S2T.convert(text)


def _gloss(text: str, r: random.Random, share: float = 0.4) -> str:
    """Glue a pinyin reading after some characters that have one in ``PINYIN``."""
    out = []
    for c in text:
        out.append(c)
        py = PINYIN.get(c)
        if py is not None and r.random() < share:
            out.append(f"({py})")
    return "".join(out)


# --------------------------------------------------------------------------- writing

_POOLS: Pools | None = None


def _init(pools: Pools) -> None:
    global _POOLS
    _POOLS = pools


@dataclass(frozen=True)
class _Job:
    """Chunk ``k``: articles ``[start, stop)``."""

    k: int
    start: int
    stop: int
    seed: int
    fmt: str
    folder: str
    target: int


def _chunk(job: _Job) -> tuple[int, int, list[dict]]:
    """Write one chunk of articles; return (count, bytes, truth rows)."""
    k, start, stop, fmt, target, folder = job.k, job.start, job.stop, job.fmt, job.target, Path(job.folder)
    seed = job.seed
    w = _Writer(_POOLS, random.Random(f"{seed}/{k}"))
    truth, nbytes = [], 0
    if fmt == "jsonl":
        name = f"corpus-{k:04d}.jsonl"
        lines = []
        for n, i in enumerate(range(start, stop), 1):
            a = w.article(f"{name}#{n}", int(target * w.r.uniform(0.75, 1.25)))
            lines.append(json.dumps({"text": a.text}, ensure_ascii=False))
            truth.append(_truth_row(a))
            nbytes += len(a.text.encode("utf-8"))
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        sub = folder / f"{k:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        for i in range(start, stop):
            name = f"a{i:06d}.txt"
            a = w.article(name, int(target * w.r.uniform(0.75, 1.25)))
            data = a.text.encode("utf-8")
            with open(sub / name, "wb") as fh:
                fh.write(data)
            truth.append(_truth_row(a))
            nbytes += len(data)
    return stop - start, nbytes, truth


def _truth_row(a: Article) -> dict:
    return {"id": a.id, "traditional": a.traditional, "pinyin": a.pinyin,
            "pairs": [asdict(p) for p in a.pairs]}


def generate(n: int, out: str | Path, seed: int = 0, fmt: str = "txt", procs: int | None = None,
             article_bytes: int = 2000) -> dict:
    """Write ``n`` articles into ``out/articles/`` (``out`` emptied first), ``out/truth.jsonl`` and ``out/manifest.json``.

    Returns the manifest: counts, bytes, seconds and the parameters.
    """
    t0 = time.perf_counter()
    folder = Path(out)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "articles").mkdir(parents=True)
    pools = build_pools()
    jobs = [_Job(k, s, min(s + CHUNK, n), seed, fmt, str(folder / "articles"), article_bytes)
            for k, s in enumerate(range(0, n, CHUNK))]
    procs = procs or min(len(jobs), os.cpu_count() or 1)
    total, nbytes, truth = 0, 0, []
    if procs <= 1:
        _init(pools)
        results = map(_chunk, jobs)
        for c, b, t in results:
            total, nbytes = total + c, nbytes + b
            truth += t
    else:
        with ProcessPoolExecutor(procs, initializer=_init, initargs=(pools,)) as pool:
            for c, b, t in pool.map(_chunk, jobs):
                total, nbytes = total + c, nbytes + b
                truth += t
    with open(folder / "truth.jsonl", "w", encoding="utf-8") as fh:
        for row in truth:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    manifest = {"articles": total, "bytes": nbytes, "format": fmt, "seed": seed,
                "planted_pairs": sum(len(t["pairs"]) for t in truth),
                "seconds": round(time.perf_counter() - t0, 2), "processes": procs,
                "inputs": [str(folder / "articles")]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def read_truth(folder: str | Path) -> list[dict]:
    """The ``truth.jsonl`` rows written by :func:`generate`."""
    with open(Path(folder) / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def recall(graph, truth: list[dict]) -> dict:
    """Share of planted (supporter, county code) pairs that ``graph.supports()`` lists."""
    found = {(row.supporter, row.recipient_code) for row in graph.supports()}
    want = {(p["supporter"], p["code"]) for t in truth for p in t["pairs"]}
    by_style: dict[str, list[int]] = {}
    for t in truth:
        for p in t["pairs"]:
            hit = (p["supporter"], p["code"]) in found
            by_style.setdefault(p["style"], [0, 0])[0] += hit
            by_style[p["style"]][1] += 1
    hits = len(want & found)
    return {"planted": len(want), "found": hits, "recall": round(hits / max(len(want), 1), 4),
            "by_style": {k: round(h / n, 4) for k, (h, n) in sorted(by_style.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1k", help="1k, 10k, 100k or a number of articles")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--out", default=None, help="folder (default bench/corpus/SIZE[-jsonl])")
    ap.add_argument("--procs", type=int, default=None)
    args = ap.parse_args()
    n = SIZES.get(args.size) or int(args.size)
    out = args.out or ROOT / "bench" / "corpus" / (args.size + ("-jsonl" if args.format == "jsonl" else ""))
    print(json.dumps(generate(n, out, seed=args.seed, fmt=args.format, procs=args.procs)))


if __name__ == "__main__":
    main()
