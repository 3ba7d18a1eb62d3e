"""Mentions: entity names found in clean text, before anyone decides which entity they are.

Division names come from the Aho-Corasick gazetteer (and county short names listed before a
shared level word), institution names are [region or level prefix][stem words][suffix] or a
proper name after a boundary, nicknames come from the alias table, short names the text
defines (以下简称…) point back at the full one, 《policy》 titles, programme and alliance names
come from suffixes and quotes (all vocabularies in ``loaders/vocab``). Which real entity a
mention is, is the link stage's job.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from kg.model import Mention

from .lexicon import lexicon

PUNCT = set("，。！？；：、,.!?;:（）()《》“”\"'‘’「」【】[]—–-_…·｜|/~\n\t ")
LEVEL_CHARS = "省市县区镇乡州盟旗"
# Boundary characters that also begin names (同济, 和睦家): one right after another boundary opens a name.
_NAME_INITIAL = "同和从"
_TOWN_WORD_NEXT = set("村镇化级里亲土民")
_ORDINAL = re.compile(r"第[一二三四五六七八九十百〇零\d]{1,4}$")
#: 市三医院, 省二医院: a level and an ordinal, the everyday short form of …第三人民医院.
_CONTRACTED_LEVEL = re.compile(r"(?<![全各本该每两])([省市县区州])([一二三四五六七八九])$")
#: 市三院, 省二院 (not 全市三院, 市一院长, 两院); 院区 and 院士 are other words.
_CONTRACTED_YUAN = re.compile(r"(?<![全各本该每两城园校社])([省市县区州])([一二三四五六七八九])院(?![长士区系办内外部])")
_COUNT_BEFORE = re.compile(r"(\d+|[一二三四五六七八九十两几多数百千]+)[家间所个座]$")
_QUOTED = re.compile(r"“([^“”]{2,30})”")
_POLICY = re.compile(r"《([^《》]{2,80})》")
_ABBREV = re.compile(r"[（(]以下简称《([^《》]{2,20})》[)）]")
_UNIVERSITY = re.compile(r"(医科大学|药科大学|中医药大学|医学院|大学|研究院|科学院)")
_PROGRAM_SUFFIX = re.compile(r"(行动计划|专项行动|工程|计划|行动|项目|战略|培训班|基层行)")
_ALLIANCE_SUFFIX = re.compile(r"(医共体总医院|医疗卫生共同体|医疗共同体|医共体|医联体|医疗联合体|专科联盟|专家联盟|"
                             r"医疗健康集团|健康集团|医疗集团|医院集团|中心联盟|联盟)")
_AFFILIATE = re.compile(r"附属(?:[^，。、；：“”（）\s的与在院等及]{0,4})$")
_NOT_ALLIANCE_AFTER = ("建设", "领导小组", "办公室", "实施方案", "工作")
_SELF_REF = re.compile(r"(我|本|全)(省|市|县|区)")
_NOT_POLICY = re.compile(r"(报|日报|晚报|杂志|周刊|新闻|电视台)$")


# mentions


_DATE_UNITS = "年月日号"
_COUNTERS = "名位批"  # measure words of people and teams after a number
_NUMERALS = "0123456789０１２３４５６７８９〇零一二三四五六七八九十"


class _Edges:
    """Where names start in one text: after the nearest boundary char or word, but never inside a
    place name (从江县医共体 keeps its 从) nor inside a word that holds a boundary char (协同)."""

    def __init__(self, text: str, regions: list[Mention], lex) -> None:
        self.text, self.lex = text, lex
        # inner positions of region mentions -> the mention's start
        self.inside = {p: r.start for r in regions for p in range(r.start + 1, r.end)}

    def after_word(self, i: int) -> bool:
        """Does a boundary word (引进, 托管, 来自 …) end at ``i``?"""
        words, text = self.lex.boundary_word_set, self.text
        return any(text[i - k:i] in words for k in self.lex.boundary_word_lengths if i >= k)

    def left(self, end: int, max_len: int) -> int:
        """The start of a name ending at ``end``, at most ``max_len`` characters back."""
        text, lex, inside = self.text, self.lex, self.inside
        start = max(0, end - max_len)
        i = end
        while i > start:
            ch = text[i - 1]
            if ch in PUNCT or ch.isdigit() or ch.isspace():
                break
            if ch in _DATE_UNITS and i >= 2 and text[i - 2] in _NUMERALS:
                break  # 2021年11月千佛山医院: a date ends before the name
            if ch in _COUNTERS and i >= 2 and text[i - 2] in _NUMERALS:
                break  # 10名南方医院专家: a count of people ends before the name
            if ch in lex.boundary_chars and _in_unbroken_word(text, i - 1, lex):
                i -= 1  # 协同发展, 共同体: the boundary char is inside a word
                continue
            if ch in lex.boundary_chars or self.after_word(i):
                if i in inside:
                    i = inside[i]
                    continue
                if ch in _NAME_INITIAL and i >= 2 and i - 1 < end - 1 and (
                        text[i - 2] in lex.boundary_chars or text[i - 2] in PUNCT):
                    i -= 1  # 和同济大学: after a conjunction, 同 opens the name
                break
            i -= 1
        return i


def _in_unbroken_word(text: str, p: int, lex) -> bool:
    """Is the character at ``p`` inside one of the words that hold a boundary char (协同, 共同)?"""
    return any(text.startswith(w, p - k) for k, w in lex.unbroken_words.get(text[p], ()) if p >= k)


def _breaks_name(text: str, p: int, lex) -> bool:
    """Is the character at ``p`` a boundary char (与, 和, 对 …) that ends a name, not one inside a
    word that holds it (太和, 协同)?"""
    return text[p] in lex.boundary_chars and not _in_unbroken_word(text, p, lex)


def _region_matches(text: str, lex, areas: list[Mention] = ()) -> list[Mention]:
    """Division names in the text, leftmost-longest and non-overlapping.

    Full names and the short names of provinces and cities come from two automata (the longest
    full name ending at each position); a county's short name
    (阳山) is looked for only when the article names the county, or its city, in full.
    """
    rn = lex.regions
    longest: dict[int, tuple[str, tuple]] = {}  # end -> the longest full name ending there
    for end, (w, cands) in rn.full.iter(text):
        if len(w) > len(longest.get(end, ("",))[0]):
            longest[end] = (w, cands)
    found: list[tuple[int, int, str, tuple]] = []
    for end, (w, cands) in longest.items():
        e = end + 1
        # 全州县级医院 is 全州 + 县级, not 全州县; 朝阳县域 (朝阳 a city) is 朝阳 + 县域.
        glued = text.startswith("级", e) or text.startswith("域", e) and w[-1] == "县" and \
            rn.shorts.exists(w[:-1])
        if not (w[-1] in "省市县区州" and glued):
            found.append((e - len(w), e, w, cands))
    shorts = [(end - len(w) + 1, end + 1, w, cands) for end, (w, cands) in rn.shorts.iter_long(text)]
    named = {c[0] for *_, cands in found for c in cands}
    # A county written short (阳山, 英山) in an article that names it, or its city (黄冈), in full.
    counties = named | {k for key in named for k in rn.counties_of.get(key, ())}
    for key in sorted(counties):
        short = rn.county_short.get(key)
        if short:
            i = text.find(short)
            while i >= 0:
                shorts.append((i, i + len(short), short, ((key, True),)))
                i = text.find(short, i + 1)
    # Full names first, leftmost-longest; a short name only where no full name overlaps it
    # (其中山东省: 山东省, not 中山), and not glued into a word across its edge (局长沙马: 局长,
    # 报告中卫生: 卫生). A named area that starts first wins (粤东山区: 粤东, not 东山区).
    # Leftmost-longest among full names and areas together (areas are kept out of the result).
    found += [(a.start, a.end, "", ()) for a in areas]
    found.sort(key=lambda x: (x[0], x[0] - x[1]))
    kept, spans, last_end = [], [], -1
    for start, end, w, cands in found:
        if start < last_end or w and w[-1] in "乡镇" and text[end:end + 1] in _TOWN_WORD_NEXT:
            continue  # (促进乡村, 就地城镇化: a word, not a town)
        last_end = end
        spans.append((start, end))
        if w:
            kept.append((start, end, w, cands))
    starts = [a for a, _ in spans]
    shorts.sort(key=lambda x: (x[0], x[0] - x[1]))
    last_end = -1
    for start, end, w, cands in shorts:
        if start < last_end or text[max(0, start - 1):start + 1] in lex.glue_words \
                or text[end - 1:end + 1] in lex.glue_words:
            continue
        i = bisect.bisect_left(starts, end)  # a full name overlapping it starts before its end …
        if i and spans[i - 1][1] > start:  # … and ends after its start
            continue
        last_end = end
        kept.append((start, end, w, cands))
    out: list[Mention] = []
    for start, end, w, cands in sorted(kept):
        out.append(Mention(w, "Region", start, end, name=w, rule="gazetteer",
                           attrs={"candidates": [c[0] for c in cands],
                                  "short": all(c[1] is True for c in cands),
                                  "two_char": any(c[1] == "two-char" for c in cands)}))
    listed = _county_lists(text, lex)
    if listed:
        spans = [(x.start, x.end) for x in listed]
        out = sorted([r for r in out if not any(a < r.end and r.start < b for a, b in spans)] + listed,
                     key=lambda r: r.start)
    return _two_char_ok(text, out, lex)


_AFTER_COUNTY = re.compile(r"(人民医院|县医院|医院|中心医院|中医|妇幼|卫生|卫健|人民政府|政府|县委|医共体|医疗|疾控|"
                           r"第[一二三四五六七八九十])")


# …、[last item](等|三)县: the separator before the last item, the item, the count and the level word.
_LIST_END = re.compile(r"[、和及]([\u4e00-\u9fff]{2,4}?)(?:等[一二三四五六七八九十两\d]*个?|[一二三四五六七八九十两\d]+个?)"
                       r"(?:县区|县市|县|区|旗)(?!级)")


def _county_lists(text: str, lex) -> list[Mention]:
    """Counties listed by their short names before a shared level word: 分赴屏边、金平、绿春三县,
    疏勒、英吉沙、麦盖提等县. Which county each item is, the link stage settles by the article's
    province or prefecture."""
    by_short = lex.regions.counties_by_short
    out = []
    for m in _LIST_END.finditer(text):
        items, pos = [], m.end(1)
        while True:
            k = next((k for k in (4, 3, 2) if text[max(0, pos - k):pos] in by_short and pos >= k), 0)
            if not k:
                break
            items.append((pos - k, pos))
            pos -= k
            if pos > 0 and text[pos - 1] in "、和及":
                pos -= 1
                continue
            break
        if len(items) >= 2 and all(text[b:b + 1] in "、和及" for a, b in items[1:]):
            for a, b in items:
                out.append(Mention(text[a:b], "Region", a, b, name=text[a:b], rule="county-list",
                                   attrs={"candidates": list(by_short[text[a:b]]), "short": True, "listed": True}))
    return out


#: After a two-character county name, what makes it part of another word (代县长 is 代 + 县长).
_NOT_AFTER_COUNTY = re.compile(r"[长城域级里内外乡情志份]")


def _two_char_ok(text: str, regions: list[Mention], lex) -> list[Mention]:
    """Two-character county names (曹县, 和县, and old ones such as 郫县) are also words: keep
    them where the text backs them up — right after their own city or province, or before an
    institution word unless their first character ends a word with the one before it
    (担任县人民医院 is no 任县) or the article names in full provinces, prefectures and counties
    that are all elsewhere (随县妇幼保健院医生 in an article on 广西's 融水: 随 + 县妇幼保健院) — and
    then every other mention of the same name in the article."""
    from .divisions import divisions
    from .lexicon import two_char_words

    d = divisions()
    backed = set()
    # Provinces and prefectures the article names in full (甘肃省 … 漳县: the county is theirs).
    above = {k for r in regions if not r.attrs.get("two_char") and r.rule == "gazetteer"
             for k in r.attrs.get("candidates", ()) if (x := d.get(k)) is not None and x.type in ("Province", "City")}
    # The provinces of the counties it names in full: a two-character one elsewhere is suspect.
    county_provinces = {p.key for r in regions if not r.attrs.get("two_char") and r.rule == "gazetteer"
                     for k in r.attrs.get("candidates", ()) if (x := d.get(k)) is not None and x.type == "County"
                     for p in d.chain(k) if p.type == "Province"}
    for i, r in enumerate(regions):
        if r.attrs.get("two_char"):
            prev = regions[i - 1] if i else None
            nxt = regions[i + 1] if i + 1 < len(regions) else None
            # 菏泽市曹县 (its city before it), 曹县庄寨镇 (its own town after it)
            parent_before = prev is not None and prev.end == r.start and any(
                d.is_within(k, pk) for k in r.attrs["candidates"] for pk in prev.attrs["candidates"])
            child_after = nxt is not None and nxt.start == r.end and any(
                d.is_within(nk, k) for k in r.attrs["candidates"] for nk in nxt.attrs["candidates"])
            before = text[r.start - 1] if r.start else ""
            conj = r.text[0] in "和与及" and "\u4e00" <= before <= "\u9fff"
            in_word = bool(before) and before + r.text[0] in two_char_words()
            cue = None if in_word else _AFTER_COUNTY.match(text, r.end)
            if cue and cue.group() in ("医院", "中心医院") and "\u4e00" <= before <= "\u9fff" and not (
                    before in "与和及到赴在由从对向为至驻" or any(text.endswith(w, 0, r.start) for w in lex.boundary_word_set)):
                cue = None  # 黔南县医院: a weak cue after a character that may end another word
            named_above = not in_word and not _NOT_AFTER_COUNTY.match(text, r.end) and any(
                d.is_within(k, a) for k in r.attrs["candidates"] for a in above)
            if cue and above and not named_above and county_provinces and not any(
                    d.is_within(k, p) for k in r.attrs["candidates"] for p in county_provinces):
                cue = None  # 广西…融水苗族自治县…，随县妇幼保健院医生到…: 随 + 县妇幼保健院
            if (parent_before or child_after or cue or named_above) and not conj:
                backed.add(r.text)
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


def _division_type(key: str) -> str:
    from .divisions import divisions

    r = divisions().regions.get(key)
    return r.type if r else ""


@lru_cache(maxsize=1)
def _town_shorts() -> frozenset[str]:
    from .divisions import divisions

    return frozenset(divisions().by_short_town)


# A place level inside what should be a proper stem: 州[县]医院, [区市]医院, 海南州[五县]人民医院, 和田县[城]医院.
_LEVEL_IN_GAP = re.compile(r"^[省市县区州盟旗城]|[省市县区州盟旗]{2}|[一二三四五六七八九十两几多数][个家所间名座批]?[省市县区州盟旗村镇乡]")


def _proper_gap(gap: str, lex, stems: str = "", longest: int = 7) -> bool:
    """Could ``gap`` be the proper part of a name, between its place and its suffix or standing
    alone before it (红十字会, 彭湃纪念, 清华长庚, 中日友好)? Not when it holds a boundary char or
    word, a place level (区市, 五县), another institution (…医院对…), or a word that makes the
    phrase a description (帮扶, 三甲, 公立, 多家 …) — looked for in ``gap`` plus the known
    ``stems`` after it."""
    if not 1 <= len(gap) <= longest:
        return False
    for i, ch in enumerate(gap):
        if not ("\u4e00" <= ch <= "\u9fff" or ch == "〇") or ch == "院" or _breaks_name(gap, i, lex):
            return False
    if _LEVEL_IN_GAP.search(gap):
        return False
    return next(lex.name_breakers.iter(gap + stems), None) is None


#: Words that make a county's 总医院 its medical alliance (members, a lead unit) rather than a hospital.
_GROUP_WORDS = re.compile(r"牵头|成员单位|组建|医共体|医疗集团")


def _anchor_before(text: str, s: int, lex, by_end: dict[int, Mention], free: int) -> tuple[Mention | None, int]:
    """The region a name whose suffix starts at ``s`` begins with, and where its stems begin.

    Scans left from the suffix over known stems (人民, 第一, 市立 …) and at most a short proper
    gap (广州市[红十字会]医院, 北京[清华长庚]医院), stopping at punctuation or a boundary.
    A short place name right before the suffix (千佛山医院) is part of a proper name, not its place.
    """
    p, floor = s, max(0, s - 14)
    while p > floor:
        r = by_end.get(p)
        if r is not None and not (r.attrs.get("short") and p == s):
            # ``free``: where the stems start with nothing to stop them (the caller's count)
            stems = free if free >= p else _stems_before(text, s, lex, p)
            gap = text[p:stems]
            if not gap or gap == r.text[-1] or _proper_gap(gap, lex, text[stems:s]):
                return r, stems  # (寿县 + 县医院: the county's own level word again)
        ch = text[p - 1]
        if ch in PUNCT or ch.isspace() or ch.isdigit() or _breaks_name(text, p - 1, lex):
            break  # (not at 和 of 太和, a word inside a name: 十堰市太和医院)
        p -= 1
    return None, s


def _institutions(text: str, regions: list[Mention], lex, edges: _Edges) -> list[Mention]:
    """Hospitals: [region | level char | university 附属][stems][suffix], or a proper name."""
    by_end, by_start = {}, {}
    for r in regions:
        by_end.setdefault(r.end, r)
        by_start.setdefault(r.start, r)
    found = []
    for m in lex.hospital_suffix.finditer(text):
        s, e = m.start(), m.end()
        # A longer suffix right after this one (医院集团, 卫生院长) is not this institution.
        if text.startswith("集团", e) or (text.startswith("长", e) and not text.startswith("院长", s + 1)):
            continue
        if m.group() == "医院" and (c := _CONTRACTED_LEVEL.search(text, max(0, s - 3), s)) \
                and c.start(2) not in by_end:
            # 市三医院: the article's city's 三医院, which the link stage folds into its 第三人民医院
            # when the article names that (as 南充市二医院 after a place)
            lvl = c.group(1)
            found.append(Mention(text[c.start():e], "Hospital", c.start(), e, name=text[c.start():e],
                                 rule="level+suffix", attrs={"level": lvl, "contracted": True}))
            continue
        pos = _stems_before(text, s, lex, max(0, s - 14))
        anchor, rule, level, proper = None, "", None, False
        uni = None
        for uni in _UNIVERSITY.finditer(text, max(0, pos - 16), pos):
            pass  # the nearest one: 青岛大学附属医院、[滨州医学院]附属医院
        if uni and not any(ch in PUNCT for ch in text[uni.end():pos]) and (
                _AFFILIATE.search(text, max(0, pos - 8), pos) or (
                0 <= pos - uni.end() <= 6 and not any(ch in lex.boundary_chars for ch in text[uni.end():pos]))):
            # 复旦大学附属中山医院, 南方医科大学南方医院, 中山大学孙逸仙纪念医院, 吉林大学第一医院
            left = _university_start(text, uni.start(), lex, edges, by_start)
            if uni.start() - left >= 2:
                pos, rule = left, "university+affiliate"
        if not rule:
            anchor, stems = _anchor_before(text, s, lex, by_end, pos)
            if anchor is not None:
                rule, chain_start = "region+suffix", anchor.start
                proper = stems > anchor.end + 1  # 北京[清华长庚]医院: a name, not just a place's hospital
                # 广东省清远市阳山县人民医院: walk left over the regions (and stems) before the anchor.
                while True:
                    pos2 = _stems_before(text, chain_start, lex, max(0, chain_start - 8))
                    if pos2 not in by_end:
                        break
                    chain_start = by_end[pos2].start
                pos = chain_start
        if rule:
            pass  # placed by a university or a region
        elif text.endswith("地区", 0, pos) and (pos < 3 or text[pos - 3] in PUNCT or text[pos - 3].isspace()):
            level, pos, rule = "地区", pos - 2, "level+suffix"  # 地区第一人民医院 in a prefecture's article
        elif pos >= 2 and text[pos - 2:e] in lex.generic_institutions:
            continue  # 城乡医院, 社区医院: a level character inside a common noun, no name
        elif pos > 0 and text[pos - 1] in LEVEL_CHARS and (
                pos < 2 or text[pos - 2] not in LEVEL_CHARS or text[pos - 2] == "、"):
            level = text[pos - 1]
            pos -= 1
            rule = "level+suffix"
        elif pos >= 2 and m.group() in ("卫生院", "中心卫生院"):
            # 新丰中心卫生院: a town written without 镇; the link stage checks the article's county.
            for k in (2, 3):
                short = text[pos - k:pos]
                if short in _town_shorts():  # the link stage keeps it only in a county the article names
                    found.append(Mention(text[pos - k:e], "Hospital", pos - k, e, name=text[pos - k:e],
                                         rule="town-short+suffix",
                                         attrs={"town_short": short, "rest": text[pos:e]}))
                    break
            continue
        elif pos > 1 and text[pos - 1] == "、":
            found.extend(_shared_level_prefix(text, pos, e))
            continue
        else:
            left = _unplaced_name_start(text, pos, s, lex, edges) if m.group().endswith("院") else None
            if left is None:  # (…中心 with no place: a unit inside a hospital, 共建X微创中心, 远程医疗中心)
                continue
            pos, rule = left, "proper+suffix"
        name = text[pos:e]
        core = name[len(anchor.text):] if anchor is not None and name.startswith(anchor.text) else name
        if rule == "level+suffix":
            core = name[len(level):]
        if rule == "region+suffix" and core == "总医院" and anchor.text.endswith(("县", "区", "市", "旗")) \
                and _GROUP_WORDS.search(text, max(0, pos - 30), e + 30):
            found.append(Mention(name, "Alliance", pos, e, name=name, rule="county+总医院"))
            continue  # 尤溪县总医院由县医院牵头组建: a county's 总医院 said to have members is its 医共体
        if name.endswith("军队医院"):
            continue  # 驻沪军队医院: the army's hospitals in a place, no name
        if rule == "region+suffix" and (core.startswith("属") or core == "方医院"):
            continue  # 浙江省属医院, 市属医院: the hospitals a place owns; 浙江方医院: its side of a pairing
        bare = rule == "level+suffix" and core == "医院"
        if not bare and ((core in ("医院", "总医院") and rule != "region+suffix") or name in lex.generic_institutions
                         or core in lex.generic_institutions and rule == "proper+suffix"):
            # 区医院 / 二级以上医院: the text names no institution, only a kind of one.
            continue
        if _COUNT_BEFORE.search(text, max(0, pos - 4), pos) or text[max(0, pos - 1):pos] in ("各", "等"):
            continue
        attrs = {"level": level} if level else {}
        if bare:
            attrs["bare"] = True  # 县医院, 旗医院: only the one the article named in full, if any
        if anchor is not None:
            attrs["anchor"] = anchor.text
            if proper:
                attrs["proper"] = True
        found.append(Mention(name, "Hospital", pos, e, name=name, rule=rule, attrs=attrs))
    for c in _CONTRACTED_YUAN.finditer(text):
        # 市三院, 省二院: the article's city's (province's) 三医院 said shorter still, as 市三医院 is
        lvl = c.group(1)
        found.append(Mention(c.group(), "Hospital", c.start(), c.end(), name=f"{lvl}{c.group(2)}医院",
                             rule="level+suffix", attrs={"level": lvl, "contracted": True}))
    return _branches(text, _distributed(text, regions, found, lex), regions, lex)


def _unplaced_name_start(text: str, pos: int, s: int, lex, edges: _Edges) -> int | None:
    """Where a name with no place in it starts (中日友好医院, 玛丽医院): right after a boundary,
    its proper part short and free of generic words; a long one (中国人民解放军联勤保障部队第九四〇
    医院) only with an ordinal and where it opens a clause or list item. ``pos``: where the known
    stems before the suffix at ``s`` begin. None when the words before are no name (目前医院,
    潮汕医院: a named area alone)."""
    left = edges.left(pos, 15)
    opens = left == 0 or text[left - 1] in PUNCT or text[left - 1].isspace()
    longest = 14 if opens and text.startswith("第", pos) else 6
    if pos - left < 2 or not (opens or left > pos - 15) or (pos == s and text[left:pos] in lex.areas):
        return None
    return left if _proper_gap(text[left:pos], lex, text[pos:s], longest) else None


def _university_start(text: str, end: int, lex, edges: _Edges, by_start: dict[int, Mention]) -> int:
    """Where a university's name ending in 大学/医学院… at ``end`` starts: the left edge, moved on to a
    province or city name after it (帮扶方[西安]交通大学: not 方; 决定对[山东]第一医科大学)."""
    left = edges.left(end, 8)
    for k in range(1, end - left - 1):
        r = by_start.get(left + k)
        if r is not None and r.end <= end and any(_division_type(c) in ("Province", "City")
                                                  for c in r.attrs.get("candidates", [])):
            return r.start
    return left


def _shared_level_prefix(text: str, pos: int, e: int) -> list[Mention]:
    """县第二、第三人民医院: both items share the level prefix and the suffix."""
    o = re.search(r"第[一二三四五六七八九十]+$", text[max(0, pos - 6):pos - 1])
    own = re.match(r"第[一二三四五六七八九十]+", text[pos:e])
    if not (o and own):
        return []
    first_start = pos - 1 - len(o.group())
    lvl = text[first_start - 1] if first_start > 0 else ""
    if lvl not in LEVEL_CHARS:
        return []
    rest = text[pos + len(own.group()):e]
    return [Mention(text[a:b], "Hospital", a, b, name=nm, rule="level+suffix", attrs={"level": lvl})
            for nm, a, b in ((lvl + o.group() + rest, first_start - 1, pos - 1), (lvl + text[pos:e], pos, e))]


_BRANCH = re.compile(r"(分院|院区|医院)")
_SHARED_SUFFIX = re.compile(
    r"(?:共|等)?(?:\d+|[一二三四五六七八九十]+)?(?:余|多)?(?:间|个|家|所)?(?:乡镇|镇|乡|市|县|区)?的?"
    r"(中心卫生院|卫生院|人民医院|中医医院|中医院|妇幼保健院)")


def _branches(text: str, found: list[Mention], regions: list[Mention], lex) -> list[Mention]:
    """A hospital name followed by a place and 医院/分院 is one branch: 广东省第二人民医院饶平医院."""
    by_start = {r.start: r for r in regions}
    out = []
    for h in found:
        r = by_start.get(h.end)
        if r is not None and not (r.text[-1] in "县旗区" and not r.attrs.get("short")):
            # (甲医院门源县人民医院帮扶团队: a county's own hospital after its supporter, no branch)
            m = _BRANCH.match(text, r.end) or _BRANCH.match(text, _stems_before(text, r.end, lex, r.end) or r.end)
            tail = lex.hospital_suffix.match(text, r.end)
            end = m.end() if m else (tail.end() if tail else None)
            if end:
                h = Mention(text[h.start:end], "Hospital", h.start, end, name=text[h.start:end],
                            rule=h.rule + "+branch", attrs=dict(h.attrs, branch_of=h.text))
        also = _ALSO_NAMED.match(text, h.end)
        if also:  # 宁夏回族自治区中医医院暨中医研究院: one institution under a joint name
            h = Mention(text[h.start:also.end()], "Hospital", h.start, also.end(), name=text[h.start:also.end()],
                        rule=h.rule, attrs=h.attrs)
        out.append(h)
    return out


_ALSO_NAMED = re.compile(r"暨[\u4e00-\u9fff]{1,12}?(?:研究院|研究所|研究中心)")


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


def _universities(text: str, lex, taken, edges: _Edges, regions: list[Mention]) -> list[Mention]:
    by_start = {r.start: r for r in regions}
    out = []
    for m in _UNIVERSITY.finditer(text):
        e = m.end()
        if text.startswith("附属", e) or text[e:e + 1] in ("生", "科", "城") or any(a <= m.start() < b for a, b in taken):
            continue
        s = _university_start(text, m.start(), lex, edges, by_start)
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
        elif s > 0 and text[s - 1] in LEVEL_CHARS and written not in ("省委", "市委", "县委", "区委") and not (
                s > 1 and (text[s - 2] in LEVEL_CHARS or text[s - 2] in "各每")):  # 各市州卫生健康委: many
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
        rows = lex.aliases[key]
        start = end - len(key) + 1
        # 四川大学华西医院: the text wrote the full name around the alias; take all of it.
        for a in rows:
            prefix = a.name[: -len(key)] if a.name.endswith(key) and a.name != key else ""
            if prefix and text.endswith(prefix, 0, start):
                start -= len(prefix)
                rows = (a,)
                break
        a = rows[0]
        # Which row a short name shared by several means (协和医院) is the link stage's call.
        out.append(Mention(text[start:end + 1], a.type, start, end + 1, name=a.name if len(rows) == 1 else key,
                           rule="alias-table", attrs={"alias": key, "rows": len(rows),
                                                      "written_full": len(rows) == 1 and start < end + 1 - len(key)}))
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


def _programs(text: str, lex, taken, regions: list[Mention], edges: _Edges) -> list[Mention]:
    region_starts = {r.start for r in regions if not r.attrs.get("short")}
    out = []
    for m in _PROGRAM_SUFFIX.finditer(text):
        s, e = m.start(), m.end()
        if any(a < e and s < b for a, b in taken):
            continue
        # The name may run through a quoted part: 远程医疗“县县通”惠民工程.
        left = s
        while True:
            new_left = edges.left(left, 24)
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
        # An institution's name before it is not part of it: 杰村乡卫生院[迁建项目], X医院[山海提升工程].
        left = max([b for a, b in taken if left < b <= s] + [left])
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


def _areas(text: str, lex) -> list[Mention]:
    """Named areas that are not divisions (大别山, 川南, 长三角): they can open an alliance's name."""
    return [Mention(w, "Area", end - len(w) + 1, end + 1, name=w, rule="area")
            for end, w in lex.area_automaton.iter_long(text)]


_LEAGUE = ("专科联盟", "专家联盟", "中心联盟", "联盟")


def _alliances(text: str, regions: list[Mention], lex, edges: _Edges,
               hospitals: list[Mention] = (), areas: list[Mention] = ()) -> list[Mention]:
    """Named alliances: a place (region or named area) or a hospital, then words, then
    医共体/医联体/专科联盟/医疗集团… (兰考县人民医院医共体, 大别山区域医联体, 浙大一院肝胆胰专科联盟)."""
    anchors = sorted([*regions, *areas, *hospitals], key=lambda r: (r.start, -r.end))
    out = []
    for m in _ALLIANCE_SUFFIX.finditer(text):
        s, e = m.start(), m.end()
        if text.startswith(_NOT_ALLIANCE_AFTER, e):
            continue  # 医共体建设 / …共同体建设工作领导小组: an activity or a body, not the alliance
        quoted = text[max(0, s - 12):s]
        q = quoted.rfind("“")
        attrs = {}
        if q >= 0 and "”" not in quoted[q:] and text.startswith("”", e):
            start, rule = s - (len(quoted) - q) + 1, "quoted-alliance"
        else:
            left = edges.left(s, 16)
            inner = [a for a in anchors if left <= a.start and a.end <= s]
            if not inner:
                continue
            first, last = inner[0], max(inner, key=lambda a: a.end)
            gap = text[last.end:s]
            if last.type == "Hospital":
                # A hospital's own alliance (宣城市人民医院医联体) or a specialty league it leads
                # (绵阳市中心医院卒中专科联盟); not 某医院紧密型医联体 or 某医院专科联盟 as a kind.
                ok = (not gap and m.group() not in _LEAGUE) or (gap and m.group() in _LEAGUE)
                if last.attrs.get("level") and last.start == first.start:
                    attrs = {"level": last.attrs["level"]}  # 县人民医院医共体: completed from context
            else:
                ok = True
            if not ok or gap and next(lex.name_breakers.iter(gap), None) is not None or len(gap) > 12:
                continue
            start, rule = first.start, "region+alliance"
        name = text[start:e]
        if name == m.group():
            continue
        out.append(Mention(name, "Alliance", start, e, name=name, rule=rule, attrs=attrs))
    return out


#: A military hospital's number and 医院 (940医院, 第九二五医院); the link stage completes the name.
MILITARY_NUMBER = re.compile(r"(?:第)?([9九][0-9〇零一二三四五六七八九]{2})医院")
_MILITARY_NUMBER = re.compile(r"(?:联勤保障部队)?" + MILITARY_NUMBER.pattern)  # 联勤保障部队第920医院


def _numbered_military(text: str) -> list[Mention]:
    """Military hospitals named by their number alone (the link stage completes the name)."""
    out = []
    for m in _MILITARY_NUMBER.finditer(text):
        if m.start() and text[m.start() - 1].isdigit():
            continue  # 1940医院 is no number of a military hospital
        out.append(Mention(m.group(), "Hospital", m.start(), m.end(), name=m.group(), rule="military-number"))
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
    taken = _Taken(max((m.end for m in ms), default=0))
    keep = []
    for m in ms:
        if taken.take(m.start, m.end):
            keep.append(m)
    keep.sort(key=lambda m: m.start)
    return keep


class _Taken:
    """Character positions already claimed by kept spans (a byte mask the length of the text)."""

    def __init__(self, size: int) -> None:
        self.mask = bytearray(size + 1)

    def free(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) < 0

    def take(self, start: int, end: int) -> bool:
        """Claim [start, end) if none of it is claimed yet; say whether it was."""
        if self.mask.find(1, start, end) >= 0:
            return False
        self.mask[start:end] = b"\x01" * (end - start)
        return True


def region_mentions(text: str) -> list[Mention]:
    """The division names in a short label (a site or source name): full names only."""
    return [r for r in _region_matches(text, lexicon()) if not r.attrs.get("short")]


def find_mentions(text: str) -> tuple[list[Mention], list[Mention]]:
    """All entity mentions (non-overlapping) plus the region prefixes inside institution names."""
    lex = lexicon()
    areas = _areas(text, lex)
    regions = _region_matches(text, lex, areas)
    aliases = _aliases(text, lex)
    policies = _policies(text)
    taken = [(p.start, p.end) for p in policies]
    edges = _Edges(text, regions, lex)
    hospitals = _institutions(text, regions, lex, edges)
    universities = _universities(text, lex, taken + [(h.start, h.end) for h in hospitals], edges, regions)
    agencies = _agencies(text, regions, lex)
    alliances = _alliances(text, regions, lex, edges, hospitals + [a for a in aliases if a.type == "Hospital"], areas)
    programs = _programs(text, lex, taken + [(h.start, h.end) for h in hospitals + alliances + agencies],
                         regions, edges)
    # Region names that are only part of a university's name (中山 in 中山大学) are not places.
    uni_spans = [(u.start, u.end) for u in universities]
    regions = [r for r in regions if not any(a <= r.start < b for a, b in uni_spans)]
    mentions = _dedupe(aliases + policies + hospitals + universities + agencies + alliances
                       + programs + regions + _self_refs(text) + _numbered_military(text))
    defined = _defined_abbreviations(text, mentions)
    if defined:
        mentions = _dedupe(defined + mentions)
    return mentions, _places_in_names(mentions, regions)


_DEFINES = re.compile(r"[（(](?:[^（）()]{2,30}?[，,；;])?(?:(?:以下|下文|后文)?(?:简称|下称|又称|统称)|俗称|人称|通称|"
                      r"(?:也|又)叫|(?:当地人?|人们|大家)?习惯(?:上)?(?:叫|称)|当地人?(?:叫|称))[为:：]?"
                      r"[“\"「]?([^“”\"「」（）()，,。；;]{2,12}?)[”\"」]?[）)]")


def _defined_abbreviations(text: str, mentions: list[Mention]) -> list[Mention]:
    """Every later use of a short name the text defines (``A（以下简称“B”）``, ``A（简称B）``,
    ``A（C，下称B）``, ``A（当地人习惯叫“B”）``, ``A（俗称B）``) is a mention of A: same type,
    ``attrs["abbrev_of"]`` = A's span."""
    by_end = {m.end: m for m in mentions if m.type != "Region"}
    out = []
    for d in _DEFINES.finditer(text):
        full = by_end.get(d.start())
        short = d.group(1)
        if full is None or short == full.name or len(short) < 2:
            continue
        i = text.find(short, d.start(1))
        while i >= 0:
            out.append(Mention(short, full.type, i, i + len(short), name=full.name, rule="abbreviation",
                               attrs={"abbrev_of": [full.start, full.end]}))
            i = text.find(short, i + len(short))
    return out


def _places_in_names(mentions: list[Mention], regions: list[Mention]) -> list[Mention]:
    """The regions an institution's name is placed in (广东省第二人民医院 → 广东省): its leading
    chain of regions and any full region name inside it, but not a short place name inside a
    proper name (佛山 in 山东省千佛山医院)."""
    names = [m for m in mentions if m.type in ("Hospital", "Agency", "Alliance")
             and not m.rule.startswith(("university", "alias"))]
    out = []
    for n in names:
        chain_end = n.start
        branch = n.start + len(n.attrs["branch_of"]) if "branch_of" in n.attrs else -1
        for r in regions:
            if n.start <= r.start and r.end <= n.end:
                if r.start in (chain_end, branch) or not r.attrs.get("short"):  # (…医院[饶平]医院: a branch's place)
                    out.append(r)
                    chain_end = r.end if r.start == chain_end else chain_end
    return out


# ---------------------------------------------------------------------------------
# relations
