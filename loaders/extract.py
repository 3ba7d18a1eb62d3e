"""Extract: clean text → sentences, entity mentions and relation candidates between them.

Mentions are found by rules over data (``loaders/vocab``): division names from the
Aho-Corasick gazetteer, institution names as [region or level prefix][stem words]
[suffix], 《policy》 titles, programme and alliance names. Relations come from cue
words (``relation_cues.tsv``) and where the mentions sit around them. Nothing here
knows which real entity a mention is: that is the link stage's job.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from kg.model import Document, Mention, Quantity

from .lexicon import Cue, lexicon

PUNCT = set("，。！？；：、,.!?;:（）()《》“”\"'‘’「」【】[]—…·\n\t ")
SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
LEVEL_CHARS = "省市县区镇乡州盟"
_TOWN_WORD_NEXT = set("村镇化级里亲土民")
ORG_TYPES = ("Hospital", "Agency", "University", "Alliance", "Region")
_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]{1,3}$")
_COUNT_BEFORE = re.compile(r"(\d+|[一二三四五六七八九十两几多数百千]+)[家间所个名座]$")
_QUOTED = re.compile(r"“([^“”]{2,30})”")
_POLICY = re.compile(r"《([^《》]{2,80})》")
_ABBREV = re.compile(r"[（(]以下简称《([^《》]{2,20})》[)）]")
_UNIVERSITY = re.compile(r"(医科大学|药科大学|中医药大学|医学院|大学|研究院|科学院)")
_PROGRAM_SUFFIX = re.compile(r"(行动计划|专项行动|工程|计划|行动|项目|战略|培训班|基层行)")
_ALLIANCE_SUFFIX = re.compile(r"(医共体总医院|医疗卫生共同体|医疗共同体|医共体|医联体|医疗联合体|专科联盟|专家联盟|"
                             r"医疗健康集团|健康集团|医疗集团|医院集团|中心联盟|联盟)")
_SUBUNIT = re.compile(r"^(医政司|基层卫生健康司|基层司|规划司|财务司|疾控局|医政医管局|办公厅)")
_AFFILIATE = re.compile(r"附属(?:[^，。、；：“”（）\s的与在]{0,4})$")
_HELPED_BY = re.compile(r"(在|得到|获得|接受)(.{2,40}?)的(?:对口|结对|组团式)?(帮扶|支援|托管|支持|指导)")
_BRANCH_IN = re.compile(r"在(.{2,20}?)(?:设立|建设|建立|开设|成立|挂牌)(?:了)?[^，。；]{0,12}?(?:分院|院区)")
_JOINS_NETWORK = re.compile(r"成为(.{2,30}?)的[^，。；]{0,10}?(?:医联体|医共体|专科联盟|协作医院|合作医院|成员单位)")
_TAKEN_IN = re.compile(r"将(.{2,40}?)纳入(?:为)?(?:其)?成员")
_ADVERBS = re.compile(r"(先后|陆续|分别|同时|并且|并|还|又|也|已经|已|均|共|累计|每年|每月|持续|积极|主动|"
                      r"自\d+年以来|\d+年以来|\d+年起|\d+年\d*月?|今年|去年|近年来|目前|此外|其中|通过|"
                      r"组团式|对口|定期|长期)")
_PROPER_STEM = re.compile(r"[\u4e00-\u9fff]{2,3}")
_NOT_ALLIANCE_AFTER = ("建设", "领导小组", "办公室", "实施方案", "工作")
_CUE_AS_NOUN = ("工作", "医院", "单位", "关系", "机制", "任务", "资金", "协议", "政策", "对子", "框架")
# 甲与乙、丙建立“县乡一体化”帮扶关系 / 结成帮扶对子: support between them, direction by level.
_PAIRED_SUPPORT = re.compile(r"与(.{2,40}?)(?:建立|结成|形成|签订|签署)(?:了)?(?:“[^”]{1,12}”)?(?:的)?"
                             r"(?:对口|结对|组团式)?(帮扶|支援|托管)(?:合作)?(?:关系|对子|协议)")
# 甲与乙建立紧密型医联体 / 协作关系: a partnership.
_PAIRED_NETWORK = re.compile(r"与(.{2,40}?)(?:建立|组建|结成)(?:了)?[^，。；]{0,10}?"
                             r"(?:医联体|医共体|合作关系|协作关系|专科联盟)")
_SELF_REF = re.compile(r"(我|本|全)(省|市|县|区)")
_NOT_POLICY = re.compile(r"(报|日报|晚报|杂志|周刊|新闻|电视台)$")
_MONEY = re.compile(r"(?:投入|投资|安排|下达|筹集)(?:资金)?约?(\d+(?:\.\d+)?)(亿|万)元")
_EXPERTS = re.compile(r"(?:派驻|选派|派出|派遣|引进)(?:了)?(?:不少于|超过)?(\d+)名")
_YEAR = re.compile(r"(20\d\d|19\d\d)年")
_SINCE = re.compile(r"(?:自|从)(20\d\d|19\d\d)年(?:以来|起)|(20\d\d|19\d\d)年(?:以来|起)")
_PERIOD = re.compile(r"(20\d\d|19\d\d)年?[~～至到-](20\d\d|19\d\d)年")


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


@dataclass
class RelationCandidate:
    """An edge between two mentions (indices into ``Extraction.mentions``)."""

    source: int
    type: str
    target: int
    sentence: int
    rule: str
    confidence: float
    attrs: dict = field(default_factory=dict)
    clause: int = -1  # where the clause that produced it starts (clean-text offset)


@dataclass
class Extraction:
    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[RelationCandidate]


# ---------------------------------------------------------------------------------
# sentences


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their clean-text offsets; a newline also ends a paragraph."""
    out, para, pos = [], 0, 0
    for m in SENTENCE_END.finditer(text + "\n"):
        seg = text[pos:m.start()]
        body = seg.strip()
        if body:
            start = pos + len(seg) - len(seg.lstrip())
            out.append(Sentence(start, start + len(body), body, para))
        if "\n" in m.group():
            para += 1
        pos = m.end()
    return out


# ---------------------------------------------------------------------------------
# mentions


def _left_edge(text: str, end: int, max_len: int, lex) -> int:
    """Where a name ending at ``end`` starts: after the nearest boundary char or word."""
    start = max(0, end - max_len)
    words, lengths = lex.boundary_word_set, lex.boundary_word_lengths
    i = end
    while i > start:
        ch = text[i - 1]
        if ch in PUNCT or ch in lex.boundary_chars or ch.isdigit() or ch.isspace():
            break
        if any(text[i - k:i] in words for k in lengths if i >= k):
            break
        i -= 1
    return i


def _region_matches(text: str, lex) -> list[Mention]:
    """Division names in the text, leftmost-longest and non-overlapping.

    Full names end in a level character, so only those positions are looked at; short
    names of provinces and cities come from a small automaton; a county's short name
    (阳山) is looked for only when the article names the county in full.
    """
    rn = lex.regions
    found: list[tuple[int, int, str, tuple]] = []
    for m in rn.ends.finditer(text):
        e = m.end()
        for k in range(min(rn.longest, e), 1, -1):
            w = text[e - k:e]
            cands = rn.full.get(w)
            if cands:
                found.append((e - k, e, w, cands))
                break
    for end, (w, cands) in rn.shorts.iter_long(text):
        found.append((end - len(w) + 1, end + 1, w, cands))
    counties = {c[0] for *_, cands in found for c in cands if c[1] is not True}
    for key in counties:
        short = rn.county_short.get(key)
        if short:
            i = text.find(short)
            while i >= 0:
                found.append((i, i + len(short), short, ((key, True),)))
                i = text.find(short, i + 1)
    found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[Mention] = []
    last_end = -1
    for start, end, w, cands in found:
        if start < last_end:
            continue
        if w[-1] in "乡镇" and text[end:end + 1] in _TOWN_WORD_NEXT:
            continue  # 促进乡村, 就地城镇化: a word, not a town
        last_end = end
        out.append(Mention(w, "Region", start, end, name=w, rule="gazetteer",
                           attrs={"candidates": [c[0] for c in cands],
                                  "short": all(c[1] is True for c in cands),
                                  "two_char": any(c[1] == "two-char" for c in cands)}))
    return _two_char_ok(text, out, lex)


_AFTER_COUNTY = re.compile(r"(人民医院|中医|妇幼|卫生|卫健|人民政府|政府|县委|医共体|医疗|疾控|第[一二三四五六七八九十])")


def _two_char_ok(text: str, regions: list[Mention], lex) -> list[Mention]:
    """Two-character county names (曹县, 和县) are also words: keep them where the text backs
    them up — right after their own city or province, or before an institution word — and
    then every other mention of the same name in the article."""
    from .divisions import divisions

    d = divisions()
    backed = set()
    prev = None
    for r in regions:
        if r.attrs.get("two_char"):
            parent_before = prev is not None and prev.end == r.start and any(
                d.is_within(k, pk) for k in r.attrs["candidates"] for pk in prev.attrs["candidates"])
            conj = r.text[0] in "和与及" and r.start > 0 and "\u4e00" <= text[r.start - 1] <= "\u9fff"
            if (parent_before or _AFTER_COUNTY.match(text, r.end)) and not conj:
                backed.add(r.text)
        prev = r
    return [r for r in regions if not r.attrs.get("two_char") or r.text in backed]


def _stems_before(text: str, pos: int, lex, floor: int) -> int:
    """Move left over hospital stem words (人民, 中医, 第二 …) ending at ``pos``."""
    moved = True
    while moved and pos > floor:
        moved = False
        m = _ORDINAL.search(text, max(floor, pos - 5), pos)
        if m and m.end() == pos:
            pos = m.start()
            moved = True
            continue
        for k in range(min(6, pos - floor), 0, -1):
            w = text[pos - k:pos]
            if w in lex.hospital_stems:
                pos -= k
                moved = True
                break
    return pos


@lru_cache(maxsize=1)
def _town_shorts() -> frozenset[str]:
    from .divisions import divisions

    return frozenset(divisions().by_short_town)


def _institutions(text: str, regions: list[Mention], lex) -> list[Mention]:
    """Hospitals: [region | level char | university 附属][stems][suffix]."""
    by_end = {}
    for r in regions:
        by_end.setdefault(r.end, r)
    found = []
    for m in lex.hospital_suffix.finditer(text):
        s, e = m.start(), m.end()
        # A longer suffix right after this one (医院集团, 卫生院长) is not this institution.
        if text[e:e + 2] in ("集团", "院长") or text[e:e + 1] in ("长",):
            continue
        pos = _stems_before(text, s, lex, max(0, s - 14))
        anchor, rule, level = None, "", None
        chain_start = pos
        uni = _UNIVERSITY.search(text, max(0, pos - 16), pos)
        if uni and (_AFFILIATE.search(text, max(0, pos - 8), pos) or (
                0 <= pos - uni.end() <= 6 and not any(ch in PUNCT or ch in lex.boundary_chars
                                                     for ch in text[uni.end():pos]))):
            # 复旦大学附属中山医院, 南方医科大学南方医院, 中山大学孙逸仙纪念医院
            left = _left_edge(text, uni.start(), 8, lex)
            if uni.start() - left >= 2:
                chain_start = -1
                pos, rule = left, "university+affiliate"
        while chain_start in by_end:
            anchor = by_end[chain_start]
            chain_start = anchor.start
            rule = "region+suffix"
            pos2 = _stems_before(text, chain_start, lex, max(0, chain_start - 8))
            if pos2 == chain_start and pos2 not in by_end:
                break
            chain_start = pos2
        if anchor is not None and anchor.attrs.get("short") and anchor.end == s:
            anchor, rule = None, ""  # 千佛山医院: a short place name inside a proper name
        if rule == "university+affiliate":
            pass
        elif anchor is not None:
            pos = chain_start
        elif m.group() == "医院" and s - pos == 0:
            for k in (3, 2):
                r = by_end.get(s - k)
                word = text[s - k:s]
                if r is not None and not r.attrs.get("two_char") and _PROPER_STEM.fullmatch(word) and \
                        word + "医院" not in lex.generic_institutions and not any(ch in lex.boundary_chars for ch in word):
                    anchor, pos, rule = r, r.start, "region+proper+suffix"
                    break
        elif _AFFILIATE.search(text, max(0, pos - 8), pos) or _ORDINAL.search(text, max(0, pos - 10), pos):
            uni = _UNIVERSITY.search(text, max(0, pos - 16), pos)
            if uni:
                left = _left_edge(text, uni.start(), 8, lex)
                if uni.start() - left >= 2:
                    pos, rule = left, "university+affiliate"
        elif pos > 0 and text[pos - 1] in LEVEL_CHARS and (
                pos < 2 or text[pos - 2] not in LEVEL_CHARS or text[pos - 2] == "、"):
            level = text[pos - 1]
            pos -= 1
            rule = "level+suffix"
        if not rule and anchor is None and pos >= 2 and m.group() in ("卫生院", "中心卫生院"):
            # 新丰中心卫生院: a town written without 镇; the link stage checks the article's county.
            for k in (2, 3):
                short = text[pos - k:pos]
                if short in _town_shorts():  # the link stage keeps it only in a county the article names
                    found.append(Mention(text[pos - k:e], "Hospital", pos - k, e, name=text[pos - k:e],
                                         rule="town-short+suffix",
                                         attrs={"town_short": short, "rest": text[pos:e]}))
                    break
            continue
        if not rule and pos > 1 and text[pos - 1] == "、":
            # 县第二、第三人民医院: both items share the level prefix and the suffix.
            o = re.search(r"第[一二三四五六七八九十]+$", text[max(0, pos - 6):pos - 1])
            own = re.match(r"第[一二三四五六七八九十]+", text[pos:e])
            if o and own:
                first_start = pos - 1 - len(o.group())
                lvl = text[first_start - 1] if first_start > 0 else ""
                if lvl in LEVEL_CHARS:
                    rest = text[pos + len(own.group()):e]
                    for nm, a, b in ((lvl + o.group() + rest, first_start - 1, pos - 1),
                                     (lvl + text[pos:e], pos, e)):
                        found.append(Mention(text[a:b], "Hospital", a, b, name=nm, rule="level+suffix",
                                             attrs={"level": lvl}))
            continue
        if not rule:
            continue
        name = text[pos:e]
        core = name[len(anchor.text):] if anchor is not None and name.startswith(anchor.text) else name
        if rule == "level+suffix":
            core = name[1:]
        if rule == "region+suffix" and core == "总医院" and anchor is not None and anchor.text.endswith(("县", "区", "市", "旗")):
            found.append(Mention(name, "Alliance", pos, e, name=name, rule="county+总医院"))
            continue  # 尤溪县总医院: a county's 总医院 is its medical alliance (医共体)
        if (core in ("医院", "总医院") and rule != "region+suffix") or name in lex.generic_institutions:
            # 区医院 / 县医院 / 二级以上医院: the text names no institution, only a kind of one.
            continue
        if _COUNT_BEFORE.search(text, max(0, pos - 4), pos) or text[max(0, pos - 1):pos] in ("各", "等"):
            continue
        attrs = {"level": level} if level else {}
        if anchor is not None:
            attrs["anchor"] = anchor.text
        found.append(Mention(name, "Hospital", pos, e, name=name, rule=rule, attrs=attrs))
    return _branches(text, _distributed(text, regions, found, lex), regions, lex)


_BRANCH = re.compile(r"(分院|院区|医院)")
_SHARED_SUFFIX = re.compile(
    r"(?:共|等)?(?:\d+|[一二三四五六七八九十]+)?(?:间|个|家|所)?(?:乡镇|镇|乡|市|县|区)?的?"
    r"(中心卫生院|卫生院|人民医院|中医医院|中医院|妇幼保健院)")


def _branches(text: str, found: list[Mention], regions: list[Mention], lex) -> list[Mention]:
    """A hospital name followed by a place and 医院/分院 is one branch: 广东省第二人民医院饶平医院."""
    by_start = {r.start: r for r in regions}
    out = []
    for h in found:
        r = by_start.get(h.end)
        if r is not None:
            m = _BRANCH.match(text, r.end) or _BRANCH.match(text, _stems_before(text, r.end, lex, r.end) or r.end)
            tail = lex.hospital_suffix.match(text, r.end)
            end = m.end() if m else (tail.end() if tail else None)
            if end:
                h = Mention(text[h.start:end], "Hospital", h.start, end, name=text[h.start:end],
                            rule=h.rule + "+branch", attrs=dict(h.attrs, branch_of=h.text))
        out.append(h)
    return out


def _distributed(text: str, regions: list[Mention], found: list[Mention], lex) -> list[Mention]:
    """One suffix shared by a list: 黎埠镇、七拱镇共5间卫生院; 小江镇、青莲镇卫生院; 县第二、第三人民医院."""
    taken = {(h.start, h.end) for h in found}
    towns = [r for r in regions if not r.attrs.get("short")]
    extra = []
    for i, r in enumerate(towns):
        # Walk right along the list to the shared suffix.
        j, end = i, r.end
        while j + 1 < len(towns) and text[towns[j].end:towns[j + 1].start] in ("、", "和", "及"):
            j += 1
            end = towns[j].end
        m = _SHARED_SUFFIX.match(text, end)
        if not m or (i > 0 and text[towns[i - 1].end:r.start] in ("、", "和", "及")):
            continue
        for t in towns[i:j + 1]:
            if t is towns[j] and m.start() == end and not m.group(0)[:1] in "共等" and len(m.group(0)) == len(m.group(1)):
                continue  # the last item carries the suffix itself: found already
            extra.append(Mention(t.text + m.group(1), "Hospital", t.start, t.end, name=t.text + m.group(1),
                                 rule="shared-suffix", attrs={"anchor": t.text, "rest": m.group(1)}))
    return found + [x for x in extra if (x.start, x.end) not in taken]


def _universities(text: str, lex, taken) -> list[Mention]:
    out = []
    for m in _UNIVERSITY.finditer(text):
        e = m.end()
        if text.startswith("附属", e) or text[e:e + 1] in ("生", "科", "城") or any(a <= m.start() < b for a, b in taken):
            continue
        s = _left_edge(text, m.start(), 8, lex)
        if m.start() - s < 2:
            continue
        name = text[s:e]
        out.append(Mention(name, "University", s, e, name=name, rule="university-suffix"))
    return out


def _agencies(text: str, regions: list[Mention], lex) -> list[Mention]:
    by_end = {r.end: r for r in regions}
    out = []
    for m in lex.agency_suffix.finditer(text):
        s, e = m.start(), m.end()
        written = m.group()
        anchor, level = by_end.get(s), None
        if written == "领导小组":
            # 阳山县县域医疗卫生共同体建设工作领导小组: the region opens a long descriptive name.
            left = max([text.rfind(c, max(0, s - 30), s) for c in "，。；：、的"] + [max(0, s - 30) - 1]) + 1
            anchor = next((r for r in regions if left <= r.start < s and not r.attrs.get("short")), None)
        if anchor is None and written in ("省委", "市委", "县委", "区委"):
            anchor = by_end.get(s + 1) if text[s] in LEVEL_CHARS else None
            if anchor is None:
                # 阳山县委: the region's own level char is part of the suffix.
                for r in regions:
                    if r.end == s + 1 and r.text.endswith(written[0]):
                        anchor = r
        if anchor is not None:
            start = anchor.start
            rule = "region+agency"
        elif s > 0 and text[s - 1] in LEVEL_CHARS and written not in ("省委", "市委", "县委", "区委"):
            level, start, rule = text[s - 1], s - 1, "level+agency"
            if s > 1 and (text[s - 2] in "我本全"):
                start -= 1
        elif written in ("省委", "市委", "县委", "区委"):
            level, start, rule = written[0], s, "level+agency"
        elif out and text[out[-1].end:s] in ("、", "和", "及") and written in ("政府", "人民政府"):
            prev = out[-1]
            level, start, rule = prev.attrs.get("level"), s, "list+agency"
            anchor_text = prev.attrs.get("anchor")
            out.append(Mention(written, "Agency", s, e, name=written, rule=rule,
                               attrs={"suffix": written, "level": level, "anchor": anchor_text,
                                      "same_region_as": len(out) - 1}))
            continue
        else:
            continue
        if written == "委员会" and anchor is None:
            continue
        if written == "领导小组" and anchor is None:
            continue
        attrs = {"suffix": written, "level": level}
        if anchor is not None:
            attrs["anchor"] = anchor.text
        out.append(Mention(text[start:e], "Agency", start, e, name=text[start:e], rule=rule,
                           attrs=attrs))
    return out


def _aliases(text: str, lex) -> list[Mention]:
    out = []
    for end, key in lex.alias_automaton.iter_long(text):
        a = lex.aliases[key]
        start = end - len(key) + 1
        # 四川大学华西医院: the text wrote the full name around the alias; take all of it.
        if a.name.endswith(key) and a.name != key:
            prefix = a.name[: -len(key)]
            if text.endswith(prefix, 0, start):
                start -= len(prefix)
        attrs = {"alias_of": a.name, "region": a.region, "alias": key}
        out.append(Mention(text[start:end + 1], a.type, start, end + 1, name=a.name, rule="alias-table",
                           attrs=attrs))
    return out


def _policies(text: str) -> list[Mention]:
    out, abbrevs = [], {}
    for m in _ABBREV.finditer(text):
        abbrevs[m.group(1)] = m.start()
    last_full = None
    for m in _POLICY.finditer(text):
        name = m.group(1).strip()
        if _NOT_POLICY.search(name):
            continue
        if name in abbrevs and m.start() >= abbrevs[name] - 2:
            if last_full is None:
                continue
            out.append(Mention(m.group(), "Policy", m.start(), m.end(), name=last_full.name,
                               rule="policy-abbreviation", attrs={"abbrev": name}))
            continue
        mention = Mention(m.group(), "Policy", m.start(), m.end(), name=name, rule="book-title")
        out.append(mention)
        last_full = mention
    return out


_NATIONAL_NAME = re.compile(r"^(国家|全国|中央)")


def _programs(text: str, lex, taken, regions: list[Mention]) -> list[Mention]:
    region_starts = {r.start for r in regions if not r.attrs.get("short")}
    out = []
    for m in _PROGRAM_SUFFIX.finditer(text):
        s, e = m.start(), m.end()
        if any(a < e and s < b for a, b in taken):
            continue
        # The name may run through a quoted part: 远程医疗“县县通”惠民工程.
        left = s
        while True:
            new_left = _left_edge(text, left, 24, lex)
            if new_left > 0 and text[new_left - 1] == "”":
                q = text.rfind("“", 0, new_left - 1)
                if q >= 0 and new_left - 1 - q <= 12:
                    left = q
                    continue
            if new_left > 0 and text[new_left - 1] == "“":
                left = new_left - 1 if text.find("”", new_left) >= e else new_left
                if left == new_left - 1:
                    left = new_left  # a quoted programme name: the quotes are not part of it
                break
            left = new_left
            break
        name = text[left:e].strip("“”")
        if len(name) < 4 or name in lex.generic_programs or name[: -len(m.group())] in ("", "该", "本"):
            continue
        quoted = left > 0 and text[left - 1] == "“" or "”" in text[left:e]
        triggered = any(text.endswith(w, 0, left) for w in lex.program_triggers)
        if not (quoted or triggered or left in region_starts or _NATIONAL_NAME.match(name)):
            continue
        if re.search(r"\d", name) and not name.startswith("20"):
            continue
        out.append(Mention(name, "Program", left, e, name=name, rule="programme-suffix"))
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if _PROGRAM_SUFFIX.search(inner[-4:]) and inner not in lex.generic_programs:
            s, e = m.start(1), m.end(1)
            if not any(x.start <= s and e <= x.end for x in out):
                out.append(Mention(inner, "Program", s, e, name=inner, rule="quoted-programme"))
    return out


def _alliances(text: str, regions: list[Mention], lex, anchors: list[Mention] = ()) -> list[Mention]:
    """Named alliances: a region or an institution, then words, then 医共体/医联体/专科联盟/医疗集团…"""
    regions = sorted(list(regions) + [a for a in anchors], key=lambda r: r.start)
    by_end = {r.end: r for r in regions}
    out = []
    for m in _ALLIANCE_SUFFIX.finditer(text):
        s, e = m.start(), m.end()
        quoted = text[max(0, s - 12):s]
        q = quoted.rfind("“")
        if q >= 0 and "”" not in quoted[q:] and text.startswith("”", e):
            start = s - (len(quoted) - q) + 1
            rule = "quoted-alliance"
        else:
            start = _left_edge(text, s, 16, lex)
            anchor = None
            for r in regions:
                if start <= r.start < s and (anchor is None) and r.end <= s:
                    anchor = r
            if anchor is None and not any(r.end == s for r in regions):
                continue
            if anchor is not None:
                start = anchor.start
            rule = "region+alliance"
        name = text[start:e]
        if name == m.group() or by_end.get(s) is None and rule != "quoted-alliance" and len(name) - len(m.group()) < 2:
            continue
        if text.startswith(_NOT_ALLIANCE_AFTER, e):
            continue  # 医共体建设 / …共同体建设工作领导小组: an activity or a body, not the alliance
        out.append(Mention(name, "Alliance", start, e, name=name, rule=rule))
    return out


def _self_refs(text: str) -> list[Mention]:
    """我市 / 全省 …: the article's own region at that level."""
    return [Mention(m.group(), "Region", m.start(), m.end(), name=m.group(), rule="self-reference",
                    attrs={"level": m.group(2)}) for m in _SELF_REF.finditer(text)]


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    """Keep the longest of overlapping mentions (institutions over the regions inside them)."""
    order = {"Policy": 0, "Alliance": 1, "Hospital": 2, "Agency": 3, "Program": 4,
             "University": 5, "Region": 6}
    ms = sorted(mentions, key=lambda m: (-(m.end - m.start), order.get(m.type, 9), m.start))
    taken: list[tuple[int, int]] = []
    keep = []
    for m in ms:
        if any(a < m.end and m.start < b for a, b in taken):
            continue
        keep.append(m)
        taken.append((m.start, m.end))
    keep.sort(key=lambda m: m.start)
    return keep


def find_mentions(text: str) -> tuple[list[Mention], list[Mention]]:
    """All entity mentions (non-overlapping) plus the region prefixes inside institution names."""
    lex = lexicon()
    regions = _region_matches(text, lex)
    aliases = _aliases(text, lex)
    policies = _policies(text)
    taken = [(p.start, p.end) for p in policies]
    hospitals = _institutions(text, regions, lex)
    universities = _universities(text, lex, taken + [(h.start, h.end) for h in hospitals])
    agencies = _agencies(text, regions, lex)
    alliances = _alliances(text, regions, lex, hospitals + [a for a in aliases if a.type == "Hospital"])
    programs = _programs(text, lex, taken + [(h.start, h.end) for h in hospitals + alliances + agencies],
                         regions)
    # Region names that are only part of a university's name (中山 in 中山大学) are not places.
    uni_spans = [(u.start, u.end) for u in universities]
    regions = [r for r in regions if not any(a <= r.start < b for a, b in uni_spans)]
    inner = [r for r in regions if any(i.start <= r.start and r.end <= i.end and not i.rule.startswith("university")
                                       for i in hospitals + agencies + alliances)]
    mentions = _dedupe(aliases + policies + hospitals + universities + agencies + alliances
                       + programs + regions + _self_refs(text))
    return mentions, inner


# ---------------------------------------------------------------------------------
# relations


def _in_sentence(mentions: list[Mention], s: Sentence) -> list[int]:
    return [i for i, m in enumerate(mentions) if s.start <= m.start and m.end <= s.end]


def _is_org(m: Mention) -> bool:
    return m.type in ORG_TYPES


def _list_after(text: str, mentions: list[Mention], idx: list[int], first: int, types,
                stop_at_cue: bool = True) -> list[int]:
    """``first`` and the mentions joined to it by 、/和/及/与 (a list: X、Y、Z)."""
    out = [first]
    if first not in idx:  # the paragraph's subject, from an earlier sentence: a list of one
        return out
    pos = idx.index(first)
    for j in idx[pos + 1:]:
        gap = text[mentions[out[-1]].end:mentions[j].start].strip("“”《》")
        if mentions[j].type in types and gap in ("、", "和", "及", "与", "以及", "、以及"):
            # An item followed by its own cue word opens a new clause: 、B帮扶C.
            nxt = text[mentions[j].end:mentions[j].end + 4]
            if stop_at_cue and any(nxt.startswith(c) for c in lexicon().cues):
                break
            out.append(j)
        else:
            break
    return out


def _list_before(text: str, mentions: list[Mention], idx: list[int], last: int, types) -> list[int]:
    """``last`` and the items listed before it (X、Y和Z; agencies also run together: 县委县政府)."""
    out = [last]
    pos = idx.index(last)
    cues = [c for c, cue in lexicon().cues.items() if cue.relation in ("SUPPORTS", "MANAGES")]
    for j in reversed(idx[:pos]):
        gap = text[mentions[j].end:mentions[out[-1]].start]
        joined = gap in ("、", "和", "及", "与", ",、") or (gap == "" and mentions[j].type == "Agency")
        if mentions[j].type in types and joined:
            before = text[max(0, mentions[j].start - 4):mentions[j].start]
            if any(before.endswith(c) for c in cues):
                break  # 甲帮扶乙、丙帮扶丁: 乙 is a target, not in 丙's list
            out.append(j)
        else:
            break
    return list(reversed(out))


_LOCATIVE = ("到", "在", "赴", "至", "往", "向", "为")
_OPEN_SUPPORT_CUES = ("派驻", "选派", "对口帮扶", "对口支援")
SUPPORT_KINDS = ("SUPPORTS", "MANAGES")


def _subject(text: str, mentions: list[Mention], idx: list[int], s: Sentence) -> int | None:
    """The first organisation or region that opens the sentence (not after 与/到/在 …)."""
    for i in idx:
        m = mentions[i]
        if not _is_org(m):
            continue
        before = text[max(s.start, m.start - 1):m.start]
        if before and before in "与和到在向对从赴为由":
            continue
        if m.start - s.start > 30:
            return None
        return i
    return None


def _quantities(clause: str, year: int | None) -> list[dict]:
    out = []
    for m in _MONEY.finditer(clause):
        v = float(m.group(1)) * (1e8 if m.group(2) == "亿" else 1e4)
        out.append(Quantity("money", int(round(v)), "CNY", m.group(), year).__dict__)
    for m in _EXPERTS.finditer(clause):
        out.append(Quantity("experts", int(m.group(1)), "person", m.group(), year).__dict__)
    for m in _PERIOD.finditer(clause):
        out.append(Quantity("period", f"{m.group(1)}/{m.group(2)}", "year", m.group(), None).__dict__)
    return out


def _time_attrs(sentence: str) -> dict:
    attrs = {}
    m = _SINCE.search(sentence)
    if m:
        attrs["since"] = m.group(1) or m.group(2)
    p = _PERIOD.search(sentence)
    if p:
        attrs.setdefault("since", p.group(1))
        attrs["until"] = p.group(2)
    y = _YEAR.search(sentence)
    if y:
        attrs["year"] = int(y.group(1))
    return attrs


class _Relations:
    """Walks the sentences and applies each cue's pattern; keeps the topic between sentences."""

    def __init__(self, text: str, mentions: list[Mention], sentences: list[Sentence]):
        self.text, self.m, self.sents = text, mentions, sentences
        self.out: list[RelationCandidate] = []
        self.lex = lexicon()
        # 毕节市威宁县: the city only locates the county; relations attach to the county.
        from .divisions import divisions

        d = divisions()
        order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
        self.chain_prefix = set()
        for a, b in zip(order, order[1:]):
            ma, mb = mentions[a], mentions[b]
            if ma.type == mb.type == "Region" and ma.end == mb.start and any(
                    d.is_within(kb, ka) for kb in mb.attrs.get("candidates", [])
                    for ka in ma.attrs.get("candidates", [])):
                self.chain_prefix.add(a)

    def add(self, s: int, t: int, typ: str, si: int, rule: str, conf: float, clause: str = "",
            undirected: bool = False):
        if s == t or s is None or t is None:
            return
        if typ != "RUNS" and any(self.m[x].rule == "self-reference" and self.m[x].text.startswith("全")
                                 and x != self.region_topic for x in (s, t)):
            return  # 纳入全省重点项目: "everywhere in the province" is not a party to a partnership
        sent = self.sents[si].text
        attrs = _time_attrs(sent)
        q = _quantities(self._scope(si, clause) if clause else sent, attrs.get("year"))
        if q:
            attrs["quantities"] = q
        if undirected:
            attrs["undirected"] = True
        at = self.text.find(clause, self.sents[si].start) if clause else -1
        self.out.append(RelationCandidate(s, typ, t, si, rule, conf, attrs, at))

    def _scope(self, si: int, clause: str) -> str:
        """A clause and the clauses after it that name no other organisation (…，派驻12名专家)."""
        s = self.sents[si]
        at = self.text.find(clause, s.start, s.end + 1) if clause else -1
        if at < 0:
            return clause
        end = at + len(clause)
        orgs = [m for m in self.m if s.start <= m.start < s.end and _is_org(m)]
        while end < s.end:
            nxt = min([x for x in (self.text.find(c, end + 1, s.end) for c in "，,；") if x >= 0] or [s.end])
            if any(end < m.start < nxt for m in orgs):
                break
            end = nxt
        return self.text[at:end]

    def run(self) -> list[RelationCandidate]:
        topic: list[int] = []
        self.agency_topic: list[int] = []
        self.region_topic: int | None = None
        self.last_alliance: int | None = None
        last_para = -1
        for si, s in enumerate(self.sents):
            if s.paragraph != last_para:
                last_para = s.paragraph
            idx = [i for i in _in_sentence(self.m, s) if i not in self.chain_prefix]
            subj = _subject(self.text, self.m, idx, s)
            if subj is not None:
                types = ("Agency",) if self.m[subj].type == "Agency" else ORG_TYPES
                topic = _list_after(self.text, self.m, idx, subj, types)
                if types == ("Agency",):
                    self.agency_topic = topic
                if self.m[subj].type == "Region":
                    self.region_topic = subj
            self.sentence(si, s, idx, subj, topic)
            alliances = [i for i in idx if self.m[i].type == "Alliance"]
            if alliances:
                self.last_alliance = alliances[-1]
        return self._resolve_conflicts()

    def _clause_bounds(self, s: Sentence, pos: int) -> tuple[int, int]:
        a = max(self.text.rfind(c, s.start, pos) for c in "，,：:…")
        b_candidates = [self.text.find(c, pos, s.end) for c in "，,：:…"]
        b = min([x for x in b_candidates if x >= 0] or [s.end])
        return (a + 1 if a >= 0 else s.start, b)

    def sentence(self, si: int, s: Sentence, idx: list[int], subj, topic: list[int]):
        text, m = self.text, self.m
        idx = [i for i in idx if i not in self.chain_prefix]
        body = text[s.start:s.end]
        for end, word in self.lex.cue_automaton.iter_long(body):
            cue = self.lex.cues[word]
            c0, c1 = s.start + end - len(word) + 1, s.start + end + 1
            if any(m[i].start <= c0 and c1 <= m[i].end for i in idx):
                continue  # a cue inside a name (《…对口帮扶…实施方案》) says nothing
            before = [i for i in idx if m[i].end <= c0]
            after = [i for i in idx if m[i].start >= c1]
            cs, ce = self._clause_bounds(s, c0)
            clause_after = [i for i in after if m[i].start < ce]
            getattr(self, "p_" + cue.pattern)(si, s, cue, c0, c1, before, after, clause_after,
                                              idx, subj, topic, text[cs:ce])
        self.special(si, s, idx, subj, topic)

    # -- patterns -------------------------------------------------------------------
    def _src_before(self, before: list[int], c0: int) -> int | None:
        """The nearest organisation before the cue that is not a place the action goes to."""
        for i in reversed(before):
            mi = self.m[i]
            if not _is_org(mi) or mi.type == "Program":
                continue
            pre = self.text[max(0, mi.start - 1):mi.start]
            acts = pre == "在" and c0 - mi.end <= 2  # 在广州市对口帮扶毕节市的框架下: the place acts
            if not acts and (pre in _LOCATIVE and mi.type == "Region" or pre in ("到", "在", "赴", "至")):
                continue
            return i
        return None

    def _unknown_subject(self, s: Sentence, c0: int, before: list[int]) -> bool:
        """浙大一院派驻…: the clause names its own subject, which we did not recognise."""
        cs, _ = self._clause_bounds(s, c0)
        if any(self.m[i].start >= cs for i in before):
            return False
        lead = _ADVERBS.sub("", self.text[cs:c0])
        return re.fullmatch(r"[\u4e00-\u9fff]{2,8}", lead) is not None  # a bare name, not a verb phrase

    def p_S_cue_T(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        text, m = self.text, self.m
        if self._unknown_subject(s, c0, before):
            return
        targets = [i for i in clause_after if m[i].type in ("Hospital", "Region", "Alliance")]
        src = self._src_before(before, c0)
        adjacent = src is not None and c0 - m[src].end <= 1
        if (text.startswith("的", c1) and not adjacent) or text.startswith(_CUE_AS_NOUN, c1):
            return  # “组团式”支援的X, 对口帮扶医院, 帮扶关系: described, not stated here
        cs, _ = self._clause_bounds(s, c0)
        if src is not None and m[src].start < cs and any(
                r.sentence == si and src in (r.source, r.target) and r.type in SUPPORT_KINDS
                for r in self.out):
            return  # …帮扶乙，先后选派32名骨干到乙: the same help, told again in more detail
        # 向X、Y选派: the places after 向 are the targets, the subject is the source.
        vec = text.rfind("向", s.start, c0)
        if vec >= 0 and cue.relation == "SUPPORTS" and not targets:
            tgt = [i for i in before if m[i].start == vec + 1]
            if tgt:
                group = _list_after(text, m, idx, tgt[0], ("Region", "Hospital"), stop_at_cue=False)
                src = next((i for i in reversed(before) if m[i].end <= vec and _is_org(m[i])), None)
                if src is None and topic:
                    src = topic[0]
                for t in group:
                    self.add(src, t, cue.relation, si, f"向…{cue.word}", cue.confidence - 0.1, clause)
                return
        if targets and src is not None:
            first = targets[0]
            if m[first].start - c1 > 12:
                return
            sources = _list_before(text, m, idx, src, ("Hospital", "University", "Region", "Agency"))
            for a in sources:
                for t in _list_after(text, m, idx, first, ("Hospital", "Region", "Alliance")):
                    self.add(a, t, cue.relation, si, f"S {cue.word} T", cue.confidence, clause)
            return
        # 乙抢抓甲对口帮扶机缘 / 乙与甲结对帮扶: the source sits right before the cue, the
        # target is whoever the clause is about.
        gap = text[m[src].end:c0] if src is not None else ""
        near = src is not None and not any(ch in PUNCT for ch in gap) and (c0 - m[src].end <= 2 or (
            c0 - m[src].end <= 14 and text[max(0, m[src].start - 1):m[src].start] in ("与", "和", "同")))
        if near:
            cs, _ = self._clause_bounds(s, m[src].start)
            clause_subj = next((i for i in idx if cs <= m[i].start < m[src].start and _is_org(m[i])
                                and m[i].type != "Program"), None)
            tgt = clause_subj if clause_subj is not None else (subj if subj is not None and subj != src else None)
            if tgt is None and topic and topic[0] != src:
                tgt = topic[0]
            if tgt is not None and m[tgt].start < m[src].start:
                paired = text[max(0, m[src].start - 1):m[src].start] in ("与", "和", "同")
                if paired:
                    # 甲与乙结对帮扶: the text does not say who helps whom; link decides by level.
                    for a in _list_after(text, m, idx, tgt, ORG_TYPES, stop_at_cue=False):
                        if m[a].end <= m[src].start:
                            self.add(a, src, cue.relation, si, f"A与B{cue.word}", cue.confidence - 0.1,
                                     clause, undirected=True)
                else:
                    self.add(src, tgt, cue.relation, si, f"T … S {cue.word}", cue.confidence - 0.1, clause)
            return
        # A派驻专家…坐诊 with no place named: the place the paragraph is about.
        if (src is not None and cue.word in _OPEN_SUPPORT_CUES and self.region_topic is not None
                and m[src].type in ("Hospital", "University")
                and m[self.region_topic].end <= m[src].start):
            self.add(src, self.region_topic, cue.relation, si, f"S {cue.word} (topic)", cue.confidence - 0.2, clause)

    def p_pair(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        text, m = self.text, self.m
        yu = max(text.rfind(w, s.start, c0) for w in ("与", "和", "同"))
        if yu < 0:
            return
        right = [i for i in before if m[i].start >= yu + 1 and _is_org(m[i])]
        if not right:
            return
        left = [i for i in before if m[i].end <= yu and _is_org(m[i]) and m[i].type != "Program"]
        if left and yu - m[left[-1]].end <= 6:
            a = left[-1]
        elif subj is not None and m[subj].end <= yu:
            a = subj
        elif topic:
            a = topic[0]
        else:
            return
        b = right[0]
        if cue.relation == "MANAGES":
            self.add(a, b, "MANAGES", si, f"A与B{cue.word}", cue.confidence, clause)
        else:
            self.add(a, b, cue.relation, si, f"A与B{cue.word}", cue.confidence, clause)

    def p_S_cue_list(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        src = self._src_before(before, c0)
        if src is None:
            src = subj if subj is not None else (topic[0] if topic else None)
        orgs = [i for i in clause_after if self.m[i].type in ("Hospital", "University", "Region", "Agency")]
        if src is None or not orgs:
            return
        for t in _list_after(self.text, self.m, idx, orgs[0], ("Hospital", "University", "Region", "Agency")):
            self.add(src, t, cue.relation, si, f"S {cue.word} T、T", cue.confidence, clause)

    def p_lead(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        alliances = [i for i in after if self.m[i].type == "Alliance"]
        src = self._src_before(before, c0)
        if src is None or not alliances:
            return
        self.add(src, alliances[0], "LEADS", si, "由A牵头…X", cue.confidence)

    def p_member(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        alliances = [i for i in after if self.m[i].type == "Alliance"]
        if not alliances:
            return
        al = alliances[0]
        for i in after:
            if self.m[i].start >= self.m[al].start:
                break
            if self.m[i].type == "Hospital":
                self.add(i, al, "MEMBER_OF", si, "整合A、B…的X", cue.confidence)

    def p_member_list(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        """成员单位包括A、B…: the members follow; the alliance is the one just named."""
        m = self.m
        members = [i for i in after if m[i].type == "Hospital"]
        if not members or m[members[0]].start - c1 > 6:
            return
        al = next((i for i in reversed(before) if m[i].type == "Alliance"), None)
        if al is None:
            al = self.last_alliance
        if al is None:
            return
        for i in _list_after(self.text, m, idx, members[0], ("Hospital",)):
            self.add(i, al, "MEMBER_OF", si, f"X{cue.word}A、B", cue.confidence)

    def p_member_before(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        """A、B等15家医院为成员单位 / A作为成员单位加入X / A加入X: the members come first."""
        m = self.m
        hosp = [i for i in before if m[i].type == "Hospital"]
        if not hosp:
            return
        last = hosp[-1]
        gap = self.text[m[last].end:c0]
        if len(gap) > 12 or any(ch in "，。；" for ch in gap):
            return
        al = next((i for i in after if m[i].type == "Alliance"), None)
        if al is None and cue.word.startswith(("为", "作为")):
            al = next((i for i in reversed(before) if m[i].type == "Alliance"), self.last_alliance)
        if al is None:
            return
        for i in _list_before(self.text, m, idx, last, ("Hospital",)):
            self.add(i, al, "MEMBER_OF", si, f"A{cue.word}X", cue.confidence)

    def p_issue(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        text, m = self.text, self.m
        policies = []
        for i in after:
            if m[i].type != "Policy":
                continue
            gap = text[(m[policies[-1]].end if policies else c1):m[i].start]
            if len(gap) <= 2 or gap in ("了", "和", "、", "及"):
                policies.append(i)
            else:
                break
        if not policies:
            return
        issuers = []
        agencies = [i for i in before if m[i].type == "Agency" and c0 - m[i].end <= 12]
        if agencies:
            issuers = _list_before(text, m, idx, agencies[-1], ("Agency",))
        elif topic and all(m[i].type == "Agency" for i in topic):
            issuers = topic
        elif self.agency_topic:
            issuers = self.agency_topic
        for p in policies:
            for a in issuers:
                self.add(p, a, "ISSUED_BY", si, f"A{cue.word}《P》", cue.confidence)

    def p_run(self, si, s, cue: Cue, c0, c1, before, after, clause_after, idx, subj, topic, clause):
        text, m = self.text, self.m
        programs = [i for i in clause_after if m[i].type == "Program"]
        if not programs or m[programs[0]].start - c1 > 20:
            return
        programs = _list_after(text, m, idx, programs[0], ("Program",))
        if "关于" in text[c1:m[programs[0]].start]:
            return  # 落实A关于P的部署: the special 关于 rule names who runs P
        runners = []
        src = self._src_before([i for i in before if m[i].type != "Policy"], c0)
        if src is not None and c0 - m[src].end <= 12:
            runners = _list_before(text, m, idx, src, (m[src].type,))
        elif subj is not None and m[subj].end <= c0 and m[subj].type != "Policy":
            runners = [subj]
        elif self.region_topic is not None:
            runners = [self.region_topic]  # 实施P with no subject: the place the article is about
        for p in programs:
            for r in runners:
                self.add(r, p, "RUNS", si, f"A{cue.word}P", cue.confidence)

    def special(self, si, s, idx, subj, topic):
        """Patterns that are not one cue word: A到B开设/坐诊, 来自A的专家…在B, A关于P, 将B作为支持重点."""
        text, m = self.text, self.m
        body = s.text
        for k, i in enumerate(idx):
            mi = m[i]
            pre = text[max(0, mi.start - 1):mi.start]
            if pre in ("到", "赴", "进驻") and mi.type in ("Region", "Hospital"):
                after = text[mi.end:mi.end + 6]
                if re.match(r"(开设|开展|坐诊|义诊|驻点|指导|帮扶|授课|巡诊|查房)", after):
                    cands = [j for j in idx if m[j].end <= mi.start - 1
                             and text[max(0, m[j].start - 1):m[j].start] not in ("与", "和", "同")]
                    src = self._src_before(cands, mi.start)
                    if src is not None and m[src].type in ("Hospital", "University", "Agency"):
                        self.add(src, i, "SUPPORTS", si, "A到B开展", 0.7)
            if pre == "自" and text[max(0, mi.start - 2):mi.start] == "来自":
                loc = text.rfind("在", s.start, mi.start)
                tgt = [j for j in idx if loc >= 0 and m[j].start > loc and m[j].end <= mi.start
                       and m[j].type in ("Hospital", "Region")]
                if tgt and re.search(r"(专家|医疗队|医生|医务人员)", body):
                    hosp = [j for j in tgt if m[j].type == "Hospital"]
                    self.add(i, (hosp or tgt)[-1], "SUPPORTS", si, "来自A的专家…在B", 0.6)
        for mm in re.finditer(r"关于", body):
            c0 = s.start + mm.start()
            before = [i for i in idx if m[i].end <= c0 and c0 - m[i].end <= 1 and m[i].type in ("Agency",)]
            after = [i for i in idx if m[i].start >= c0 + 2 and m[i].type == "Program"]
            if before and after:
                runners = _list_before(text, m, idx, before[-1], ("Agency",))
                first = after[0]
                if m[first].start - (c0 + 2) <= 1:
                    for p in _list_after(text, m, idx, first, ("Program",)):
                        for r in runners:
                            self.add(r, p, "RUNS", si, "A关于P的部署", 0.6)
        # 乙在甲的帮扶下… / 乙得到甲的对口支援: 甲 helps 乙, the one the clause is about.
        for mm in _HELPED_BY.finditer(body):
            a, b = s.start + mm.start(2), s.start + mm.end(2)
            helpers = [i for i in idx if a <= m[i].start and m[i].end <= b and _is_org(m[i])
                       and m[i].type != "Program"]
            helped = [i for i in idx if m[i].end <= s.start + mm.start() and _is_org(m[i])
                      and m[i].type in ("Hospital", "Region")]
            if helpers and helped:
                kind = "MANAGES" if mm.group(3) == "托管" else "SUPPORTS"
                for h in _list_before(text, m, idx, helpers[-1], ("Hospital", "University", "Region", "Agency")):
                    self.add(h, helped[-1], kind, si, f"乙{mm.group(1)}甲的{mm.group(3)}", 0.75)
        for pattern, kind in ((_PAIRED_SUPPORT, "SUPPORTS"), (_PAIRED_NETWORK, "PARTNERS_WITH")):
            for mm in pattern.finditer(body):
                a, b = s.start + mm.start(1), s.start + mm.end(1)
                others = [i for i in idx if a <= m[i].start and m[i].end <= b and m[i].type in ORG_TYPES]
                first = next((i for i in reversed(idx) if m[i].end <= s.start + mm.start()
                              and m[i].type in ORG_TYPES), None)
                if first is None or not others:
                    continue
                typ = "MANAGES" if mm.lastindex and mm.group(mm.lastindex) == "托管" else kind
                for x in _list_before(text, m, idx, first, ORG_TYPES):
                    for y in others:
                        self.add(x, y, typ, si, f"甲与乙建立{typ}关系", 0.7, undirected=typ != "PARTNERS_WITH")
        for mm in _TAKEN_IN.finditer(body):
            a, b = s.start + mm.start(1), s.start + mm.end(1)
            members = [i for i in idx if a <= m[i].start and m[i].end <= b and m[i].type == "Hospital"]
            al = next((i for i in reversed(idx) if m[i].end <= a and m[i].type == "Alliance"), None)
            for i in members if al is not None else []:
                self.add(i, al, "MEMBER_OF", si, "X将A纳入成员单位", 0.8)
        for pattern, rule in ((_BRANCH_IN, "A在B设立分院"), (_JOINS_NETWORK, "B成为A的医联体成员")):
            for mm in pattern.finditer(body):
                a, b = s.start + mm.start(1), s.start + mm.end(1)
                inside = [i for i in idx if a <= m[i].start and m[i].end <= b and _is_org(m[i])
                          and m[i].type != "Program"]
                before = [i for i in idx if m[i].end <= s.start + mm.start() and _is_org(m[i])
                          and m[i].type in ("Hospital", "Region", "University")]
                if inside and before:
                    self.add(before[-1], inside[-1], "PARTNERS_WITH", si, rule, 0.7)
        for mm in re.finditer(r"将(.{1,30}?)作为(支持|帮扶|援助|支援)重点", body):
            a, b = s.start + mm.start(1), s.start + mm.end(1)
            tgts = [i for i in idx if a <= m[i].start and m[i].end <= b and m[i].type == "Region"]
            src = self._src_before([i for i in idx if m[i].end <= s.start + mm.start()], a)
            if src is not None and tgts:
                self.add(src, tgts[0], "SUPPORTS", si, "A将B作为支持重点", 0.7)

    def _resolve_conflicts(self) -> list[RelationCandidate]:
        """A support or management edge between a pair in a sentence outranks a plain partnership."""
        pair = lambda r: frozenset((self.m[r.source].name, self.m[r.target].name))
        strong = {(r.clause, pair(r)) for r in self.out if r.type in SUPPORT_KINDS}
        keep, seen = [], set()
        for r in self.out:
            if r.type == "PARTNERS_WITH" and (r.clause, pair(r)) in strong:
                continue  # 与福田区签订结对帮扶合作协议: the agreement is the support
            k = (r.source, r.type, r.target, r.sentence)
            if k in seen:
                continue
            seen.add(k)
            keep.append(r)
        return keep


def extract(doc: Document) -> Extraction:
    """Sentences, mentions and relation candidates of one cleaned document."""
    text = doc.text
    sentences = split_sentences(text)
    mentions, inner = find_mentions(text)
    # Region prefixes inside institution names are mentions of the region too (广东省第二人民医院).
    all_mentions = mentions + inner
    for r in inner:
        r.rule = "prefix-of-name"
    relations = _Relations(text, mentions, sentences).run()
    return Extraction(sentences, all_mentions, relations)
