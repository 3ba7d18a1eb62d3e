"""Mentions: entity names found in clean text, before anyone decides which entity they are.

Division names come from the Aho-Corasick gazetteer, institution names are
[region or level prefix][stem words][suffix], 《policy》 titles, programme and
alliance names come from suffixes and quotes (all vocabularies in ``loaders/vocab``).
Which real entity a mention is, is the link stage's job.
"""
from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Mention

from .lexicon import lexicon

PUNCT = set("，。！？；：、,.!?;:（）()《》“”\"'‘’「」【】[]—…·\n\t ")
LEVEL_CHARS = "省市县区镇乡州盟"
_TOWN_WORD_NEXT = set("村镇化级里亲土民")
_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]{1,3}$")
_COUNT_BEFORE = re.compile(r"(\d+|[一二三四五六七八九十两几多数百千]+)[家间所个名座]$")
_QUOTED = re.compile(r"“([^“”]{2,30})”")
_POLICY = re.compile(r"《([^《》]{2,80})》")
_ABBREV = re.compile(r"[（(]以下简称《([^《》]{2,20})》[)）]")
_UNIVERSITY = re.compile(r"(医科大学|药科大学|中医药大学|医学院|大学|研究院|科学院)")
_PROGRAM_SUFFIX = re.compile(r"(行动计划|专项行动|工程|计划|行动|项目|战略|培训班|基层行)")
_ALLIANCE_SUFFIX = re.compile(r"(医共体总医院|医疗卫生共同体|医疗共同体|医共体|医联体|医疗联合体|专科联盟|专家联盟|"
                             r"医疗健康集团|健康集团|医疗集团|医院集团|中心联盟|联盟)")
_AFFILIATE = re.compile(r"附属(?:[^，。、；：“”（）\s的与在]{0,4})$")
_PROPER_STEM = re.compile(r"[\u4e00-\u9fff]{2,3}")
_NOT_ALLIANCE_AFTER = ("建设", "领导小组", "办公室", "实施方案", "工作")
_SELF_REF = re.compile(r"(我|本|全)(省|市|县|区)")
_NOT_POLICY = re.compile(r"(报|日报|晚报|杂志|周刊|新闻|电视台)$")


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
    """Two-character county names (曹县, 和县, and old ones such as 郫县) are also words: keep
    them where the text backs them up — right after their own city or province, or before an
    institution word unless their first character ends a word with the one before it
    (担任县人民医院 is no 任县) — and then every other mention of the same name in the article."""
    from .divisions import divisions
    from .lexicon import two_char_words

    d = divisions()
    backed = set()
    prev = None
    for r in regions:
        if r.attrs.get("two_char"):
            parent_before = prev is not None and prev.end == r.start and any(
                d.is_within(k, pk) for k in r.attrs["candidates"] for pk in prev.attrs["candidates"])
            conj = r.text[0] in "和与及" and r.start > 0 and "\u4e00" <= text[r.start - 1] <= "\u9fff"
            in_word = r.start > 0 and text[r.start - 1] + r.text[0] in two_char_words()
            if (parent_before or (_AFTER_COUNTY.match(text, r.end) and not in_word)) and not conj:
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
