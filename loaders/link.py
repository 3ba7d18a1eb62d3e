"""Link: mentions → entities with stable ids, resolved against the division data and the article's context.

* Regions resolve to division keys; an ambiguous name (鼓楼区, 太平镇) is settled by the
  article's other regions or left unresolved with a reason, never guessed.
* Short and partial names complete from context: 县人民医院 in an article about 阳山县 is
  阳山县人民医院; 省第二人民医院 in a Guangdong article is 广东省第二人民医院.
* Ids are readable and stable: type + division key + the rest of the name, so two
  county hospitals with the same name in different counties never merge, and a
  re-build gives the same ids.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter

from kg.model import RELATION_ENDS, ArticleResult, Document, Entity, Evidence, Mention, Relation

from .divisions import Region, divisions
from .candidates import PairCandidate
from .extract import Extraction, Sentence
from .features import LinkedArticle
from .lexicon import lexicon
from .mentions import MILITARY_NUMBER, region_mentions
from .quantities import quantities, time_attrs
from .scorer import KINDS, Model, PairInstance, decide, pair_instances

LEVEL_TYPE = {"省": "Province", "市": "City", "县": "County", "区": "County", "镇": "Town", "乡": "Town",
              "州": "City", "盟": "City", "地区": "City", "旗": "County"}
# Which names a bare level word can stand for: 州人民医院 → an autonomous prefecture's, 旗医院 → a banner's.
LEVEL_SUFFIX = {"省": "省", "县": "县", "区": "区", "州": "州", "盟": "盟", "地区": "地区", "旗": "旗"}
# Mentions linked after all others: they resolve to a name the article writes elsewhere.
DEFERRED = ("abbreviation", "proper+suffix")
#: A hospital named through the university an article speaks for: (学校|我校|本校|该校)附属…医院,
#: 学校第二附属医院, or a bare 第二附属医院 / 附属第一医院 (group 1: the words the university replaces).
_SCHOOLS_HOSPITAL = re.compile(r"^(学校|我校|本校|该校|)(?=第[一二三四五六七八九十]+附属|附属[^医])")
# Contracted ordinals of university hospitals: 附一医院 = …附属第一医院, 一附院 = …第一附属医院.
_CONTRACTED = ((re.compile(r"附([一二三四五六七八九])医院$"), r"附属第\1医院"),
               (re.compile(r"([一二三四五六七八九])附院$"), r"第\1附属医院"))
_SAME_NAME_BETWEEN = re.compile(r"[（(](?:即|原|原名|又名|全称|全称为|(?P<now>今|今为|今名|现为|现名|现称))?|[，,]?即|[，,]?又称")
#: 甲医院（同时）加挂“乙”牌子 / 挂牌“乙”: 乙 is a second sign of the same institution (a 院区's or
#: 分院's name).
_SIGN_BETWEEN = re.compile(r"[，,]?(?:同时|并|还|已|正式)?(?P<verb>加挂|增挂|挂上|挂牌|挂)了?[“\"「『]?")
_SIGN_AFTER = re.compile(r"[”\"」』]?的?(?:牌子|牌匾|院牌|门牌|牌)")
_DOC_NUMBER = re.compile(r"[（(]([^（）()]{0,8}〔(\d{4})〕\d+号)[）)]")
PART_ACTS = ("SUPPORTS", "MANAGES", "RUNS", "PARTNERS_WITH")
_NATIONAL = re.compile(r"^(国家|全国|中央|中共中央|国务院)")


def region_entity(r: Region, doc_id: str | None = None) -> Entity:
    """The node for a division, with its code, path and coordinates."""
    d = divisions()
    attrs = {"division": r.key, "code": r.code, "region": d.path(r.key),
             "parent": r.parent, "lon": r.lon, "lat": r.lat}
    attrs = {k: v for k, v in attrs.items() if v is not None}
    e = Entity(id=f"{r.type}/{r.key}", type=r.type, name=r.name, attrs=attrs)
    if doc_id:
        e.mentions[doc_id] = 1
    return e


_DIGITS = str.maketrans("0123456789零", "〇一二三四五六七八九〇")


def military_name(name: str, prefixes: tuple[tuple[str, str], ...]) -> str | None:
    """The full name of a military or armed-police hospital written short, or None for any other
    name: 联勤保障部队第九二五医院 and 九二五医院 (925医院) → 中国人民解放军联勤保障部队第九二五医院,
    武警新疆总队医院 and 新疆总队医院 → 中国人民武装警察部队新疆总队医院, 解放军总医院 →
    中国人民解放军总医院 (``prefixes``: ``vocab/military_prefixes.tsv``)."""
    out = None
    if m := MILITARY_NUMBER.fullmatch(name):
        out = f"中国人民解放军联勤保障部队第{m.group(1)}医院"
    elif not name.startswith(("中国人民解放军", "中国人民武装警察部队")):
        short = next((p for p in prefixes if name.startswith(p[0])), None)
        if short is not None:
            out = short[1] + name[len(short[0]):]
        elif name.endswith("总队医院") and len(name) <= 10:
            out = "中国人民武装警察部队" + name
    full = MILITARY_NUMBER.sub(lambda m: f"第{m.group(1).translate(_DIGITS)}医院", out or name)
    return full if full != name else None


#: The id of a hospital written as its place and an ordinal without 第 (Hospital/510100/五医院).
_ORDINAL_SHORT = re.compile(r"(Hospital/[^/]+/)([一二三四五六七八九十]{1,3})医院")


class Linker:
    """Links one article: regions, then every mention to an entity, then its relations."""

    def __init__(self, doc: Document, ex: Extraction):
        self.doc, self.ex = doc, ex
        self.div = divisions()
        self.lex = lexicon()
        self.entities: dict[str, Entity] = {}
        self.mention_entity: dict[int, str] = {}
        self.merges: list[dict] = []
        self.unresolved: list[dict] = []
        self.first_sentence: dict[str, int] = {}
        self._starts = [s.start for s in ex.sentences]
        self.why = ""  # why the last bare level word meant the region it did (for merges)
        self._places_of_publisher: dict[str, str] | None = None

    # -- regions --------------------------------------------------------------------
    def resolve_regions(self) -> None:
        ms = self.ex.mentions
        context: set[str] = set()
        for m in ms:
            cands = m.attrs.get("candidates", [])
            if m.type == "Region" and not m.attrs.get("short") and len(cands) == 1 and "/" not in cands[0]:
                context.add(cands[0])  # towns never set the context: too many are also words
        ctx_anc = set()
        for k in context:
            ctx_anc.update(r.key for r in self.div.chain(k))
        self.region_of: dict[int, str] = {}
        for i, m in enumerate(ms):
            if m.type != "Region" or "candidates" not in m.attrs:
                continue
            key = self._pick(m, context, ctx_anc)
            if key:
                self.region_of[i] = key
        counts = Counter(self.region_of.values())
        self.focus: dict[str, str] = {}
        for typ in ("Province", "City", "County", "Town"):
            best = [k for k, _ in counts.most_common() if self.div.regions[k].type == typ]
            if best:
                self.focus[typ] = best[0]
        self._context = (context, ctx_anc)
        # Fill the levels above the focus from the division chain (阳山县 → 清远市 → 广东省).
        for typ in ("Town", "County", "City"):
            if typ in self.focus:
                for r in self.div.chain(self.focus[typ])[1:]:
                    self.focus.setdefault(r.type, r.key)

    def _publisher(self) -> dict[str, str]:
        """type -> key of the place the article's site or source names (城口县人民政府, 来源：城口县
        融媒体中心) and the places above it: where a bare 县人民医院 is when the text names no county.
        Worked out on first use."""
        if self._places_of_publisher is None:
            self._places_of_publisher = {}
            for label in (self.doc.site, self.doc.source):
                key = next((k for m in region_mentions(label or "") if (k := self._pick(m, *self._context))), None)
                if key:
                    self._places_of_publisher = {r.type: r.key for r in self.div.chain(key)}
                    break
        return self._places_of_publisher

    def _pick(self, m: Mention, context: set[str], ctx_anc: set[str]) -> str | None:
        cands = [self.div.regions[k] for k in m.attrs["candidates"]]
        if m.attrs.get("listed"):
            # 分赴屏边、金平、绿春三县: the county of that short name in the article's province or
            # prefecture, else the only one in the country.
            near = [r for r in cands if any(a.key in ctx_anc for a in self.div.chain(r.key)[1:])]
            pick = near or cands
            if len(pick) == 1:
                return pick[0].key
            self.unresolved.append({"surface": m.text, "reason": f"listed county short name shared by "
                                    f"{len(pick)} counties the article's regions do not tell apart"})
            return None
        if m.attrs.get("short"):
            # Short names: provinces and cities stand alone; counties only once they, or their
            # city, are named in full (英山 in an article that names 黄冈市).
            cands = [r for r in cands if r.type in ("Province", "City") or r.key in context
                     or r.type == "County" and r.parent in context]
        towns = [r for r in cands if r.type == "Town"]
        if towns and len(cands) == len(towns):
            inside = [r for r in towns if any(a.key in ctx_anc for a in self.div.chain(r.key)[1:])]
            if len(inside) > 1:
                inside = [r for r in inside if r.parent in ctx_anc] or inside
            if len(inside) == 1:
                return inside[0].key
            self.unresolved.append({"surface": m.text, "reason":
                                    f"town name shared by {len(towns)} counties; none named in the article"})
            return None
        cands = [r for r in cands if r.type != "Town"]
        if len(cands) == 1:
            return cands[0].key
        if not cands:
            return None
        scored = []
        for r in cands:
            shared = [a for a in self.div.chain(r.key)[1:] if a.key in ctx_anc]
            scored.append((max((a.level for a in shared), default=0), r))
        scored.sort(key=lambda x: -x[0])
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return scored[0][1].key
        self.unresolved.append({"surface": m.text, "reason":
                                f"ambiguous: {len(cands)} divisions share this name and the article's "
                                "other regions do not tell them apart"})
        return None

    def _paragraph_region(self, pos: int, typ: str, suffix: str | None = None,
                          own: bool = False) -> str | None:
        """The region of a type a bare level word at ``pos`` means: the nearest one named
        before it in its paragraph, else the only one the article names, else the only one it
        names before ``pos``; None when the article names several and none comes before it, unless ``own`` (我市, 全县: the
        article's own place) and one of them is named more often than each other one.
        ``self.why`` says which (for merges)."""
        para = next((s.paragraph for s in self.ex.sentences if s.start <= pos <= s.end), None)
        sents = [s for s in self.ex.sentences if s.paragraph == para]
        lo = sents[0].start if sents else 0
        fits = lambda k: self.div.regions[k].type == typ and (
            suffix is None or self.div.regions[k].name.endswith(suffix))
        before = [(self.ex.mentions[i].start, k) for i, k in self.region_of.items()
                  if lo <= self.ex.mentions[i].start < pos and fits(k)]
        if before:
            key = max(before)[1]
            self.why = "the nearest one named before it in its paragraph"
            return key
        named = sorted({k for k in self.region_of.values() if fits(k)})
        if len(named) == 1:
            self.why = "the only one of its level the article names"
            return named[0]
        earlier = {k for i, k in self.region_of.items() if self.ex.mentions[i].start < pos and fits(k)}
        if len(earlier) == 1:  # 望谟县 comes up only further on
            self.why = "the only one of its level the article names before it"
            return earlier.pop()
        counts = Counter(k for k in self.region_of.values() if fits(k)).most_common(2)
        if own and len(counts) > 1 and counts[0][1] > counts[1][1]:
            self.why = (f"the article's own: named {counts[0][1]} times, "
                        f"no other {counts[1][1]} times or more")
            return counts[0][0]
        if named:
            self.why = (f"ambiguous: the article names {len(named)} "
                        f"({'、'.join(self.div.regions[k].name for k in named)}) and none comes "
                        "before it in its paragraph")
            return None
        key = self.focus.get(typ)  # a level above the article's regions, from the division data
        publisher = self._publisher() if key is None else {}
        if typ in publisher:  # none named: the place of the site or source
            key = publisher[typ]
            if fits(key):
                self.why = "the place of the site or source that publishes the article"
                return key
        if key and fits(key):
            self.why = "the one above the regions the article names"
            return key
        self.why = "no region of that level in the article"
        return None

    def _level_region(self, level: str, pos: int, own: bool = False) -> str | None:
        typ = LEVEL_TYPE.get(level)
        if typ is None:
            return None
        suffix = LEVEL_SUFFIX.get(level)
        key = self._paragraph_region(pos, typ, suffix, own)
        if key is None and typ == "City" and not self.why.startswith("ambiguous"):
            county = self._paragraph_region(pos, "County")
            if county:
                key = next((r.key for r in self.div.chain(county) if r.type == "City"
                            and (suffix is None or r.name.endswith(suffix))), None)
                self.why = f"the city of {self.div.regions[county].name}, {self.why}"
        return key

    def _completion(self, level: str, key: str) -> str:
        """The merge reason of a bare level word completed from context: which region, and why."""
        return f"context completion: {level} → {self.div.regions[key].name}, {self.why}"

    def _unresolved(self, m: Mention, reason: str) -> None:
        """A mention left unlinked, in the report and, with no id, in `kg entities --merges`."""
        self.unresolved.append({"surface": m.text, "reason": reason})
        self.merges.append({"surface": m.text, "id": "", "reason": "unresolved: " + reason,
                            "doc": self.doc.id})

    # -- entities -------------------------------------------------------------------
    def add(self, e: Entity, mi: int | None, surface: str, reason: str) -> Entity:
        have = self.entities.get(e.id)
        if have is None:
            self.entities[e.id] = e
            have = e
        else:
            have.merge(e)
        if surface and surface != have.name:
            have.aliases.add(surface)
        if mi is not None:
            self.mention_entity[mi] = have.id
            have.mentions[self.doc.id] = have.mentions.get(self.doc.id, 0) + (1 if e is not have else 0)
            self.merges.append({"surface": surface, "id": have.id, "reason": reason, "doc": self.doc.id})
            m = self.ex.mentions[mi]
            self.first_sentence.setdefault(have.id, self._sentence_at(m.start))
        return have

    def _sentence_at(self, pos: int) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        return max(i, 0)

    def _mention_through_level(self, key: str, m: Mention) -> None:
        """A region named only by its level word (省第二人民医院 → 广东省) still counts as mentioned."""
        node = self._region_node(key, None, "", "")
        node.mentions[self.doc.id] = node.mentions.get(self.doc.id, 0) + 1
        self.first_sentence.setdefault(node.id, self._sentence_at(m.start))

    def _region_node(self, key: str, mi: int | None, surface: str, reason: str) -> Entity:
        r = self.div.regions[key]
        e = region_entity(r, self.doc.id if mi is not None else None)
        return self.add(e, mi, surface, reason)

    def _hospital_name(self, m: Mention, key: str | None, rest: str, j: int | None) -> tuple[str, set[str]]:
        """The name as the text writes its place, and other names of the same hospital.

        County level and above keep the written form of the place (文山州人民医院, 北京清华长庚医院)
        and a district keeps its city when the text writes it (深圳市龙岗区人民医院); towns get their
        county in front when the article names it (阳山县黎埠镇卫生院). A county's or district's
        hospital also goes by its name behind the prefecture's (宁波市北仑区人民医院)."""
        if key is None:
            return m.name, set()
        r = self.div.regions[key]
        written = self.ex.mentions[j].text if j is not None else ""
        place = written if written and (written in r.forms or m.attrs.get("proper")) else r.name
        if r.type == "Town":
            county = self.div.regions.get(r.parent)
            named = county is not None and any(v == county.key for v in self.region_of.values())
            return (county.name if named else "") + place + rest, set()
        others = {r.name + rest}
        city = self.div.regions.get(r.parent) if r.type == "County" else None
        if city is not None and city.type == "City":
            others.add(city.name + r.name + rest)  # 宁波市北仑区人民医院: the name with its prefecture
        if r.type == "County" and r.name.endswith("区") and j is not None:
            before = self.doc.text[m.start:self.ex.mentions[j].start]
            if before and any(self.ex.mentions[k].text == before and self.ex.mentions[k].start == m.start
                              and v == r.parent for k, v in self.region_of.items()):
                others.add(place + rest)
                place = before + place
        return place + rest, others - {place + rest}

    def link_mentions(self) -> None:
        ms = self.ex.mentions
        later = {i for i, m in enumerate(ms) if m.rule in DEFERRED or m.attrs.get("rows", 1) > 1
                 or (m.type == "Hospital" and _SCHOOLS_HOSPITAL.match(m.name)) or self._title_level(m)}
        order = [i for i in range(len(ms)) if i not in later] + sorted(later)
        for i in order:
            m = ms[i]
            if m.rule in DEFERRED and self.link_same_as(i, m):
                continue
            if m.type == "Region":
                if i in self.region_of:
                    self._region_node(self.region_of[i], i, m.text, m.rule)
                elif m.rule == "self-reference":
                    key = self._level_region(m.attrs["level"], m.start, own=True)
                    if key:
                        self._region_node(key, i, m.text, f"self-reference: {m.text} → "
                                          f"{self.div.regions[key].name}, {self.why}")
                    else:
                        self._unresolved(m, f"self-reference: {self.why}")
            elif m.type == "Hospital":
                self.link_hospital(i, m)
            elif m.type == "Agency":
                self.link_agency(i, m)
            elif m.type in ("University", "Alliance", "Policy", "Program"):
                self.link_named(i, m)

    def _anchor_key(self, m: Mention) -> tuple[str | None, str, int | None]:
        """The region a name starts with, the rest of the name after it, and the index of that
        region's mention."""
        anchor = m.attrs.get("anchor")
        if anchor:
            # The innermost region prefix: 广东省清远市阳山县人民医院 → 阳山县.
            keys = sorted(((j, k) for j, k in self.region_of.items()
                           if m.start <= self.ex.mentions[j].start < m.end), key=lambda jk: self.ex.mentions[jk[0]].start)
            if not m.attrs.get("branch_of"):
                # only the chain the name opens with (not 江苏省 in …暨江苏省中医药研究院)
                chain, at = [], m.start
                for j, k in keys:
                    if self.ex.mentions[j].start == at and (not chain or self.div.is_within(k, chain[-1][1])):
                        chain.append((j, k))  # 宁强县[天津]医院: a place outside the one before is the name's stem
                        at = self.ex.mentions[j].end
                keys = chain
            if keys:
                j, key = max(keys, key=lambda jk: self.ex.mentions[jk[0]].end)
                rest = m.attrs.get("rest") or self.doc.text[self.ex.mentions[j].end:m.end]
                return key, rest, j
        return None, m.name, None

    def link_same_as(self, i: int, m: Mention) -> bool:
        """A defined abbreviation, or a short proper name (孙逸仙纪念医院) whose full form the
        article writes (中山大学孙逸仙纪念医院): the same entity as that full name."""
        if m.rule == "abbreviation":
            span = tuple(m.attrs["abbrev_of"])
            j = next((j for j, o in enumerate(self.ex.mentions) if (o.start, o.end) == span), None)
            eid = self.mention_entity.get(j) if j is not None else None
            reason = "abbreviation the text defines"
        else:
            tails = {m.name, *(rx.sub(full, m.name) for rx, full in _CONTRACTED)}
            fuller = {eid for eid, e in self.entities.items() if e.type == m.type and e.mentions.get(self.doc.id)
                      and any(n.endswith(t) and len(n) > len(t) for n in (e.name, *e.aliases) for t in tails)}
            if len(fuller) > 1:  # the one named last before this mention
                before = [self.mention_entity[j] for j in sorted(self.mention_entity)
                          if self.ex.mentions[j].start < m.start and self.mention_entity[j] in fuller]
                fuller = set(before[-1:])
            eid = next(iter(fuller)) if len(fuller) == 1 else None
            reason = "short form of a name the article writes in full"
        if eid is None:
            return False
        self._same_entity(i, m, eid, reason)
        return True

    def _same_entity(self, i: int, m: Mention, eid: str, reason: str) -> None:
        """Mention ``i`` names an entity already linked in this article."""
        e = self.entities[eid]
        e.aliases.add(m.text)
        e.mentions[self.doc.id] = e.mentions.get(self.doc.id, 0) + 1
        self.mention_entity[i] = eid
        self.merges.append({"surface": m.text, "id": eid, "reason": reason, "doc": self.doc.id})

    def _title_level(self, m: Mention) -> bool:
        """A province's or city's bare level name in the title (省立医院专家团队常驻我院): linked after
        the rest, since the text below names it in full (…（安徽省立医院）…)."""
        return (m.type == "Hospital" and LEVEL_TYPE.get(m.attrs.get("level", "")) in ("Province", "City")
                and bool(self.ex.sentences) and m.end <= self.ex.sentences[0].end)

    def _named_at_level(self, i: int, m: Mention, rest: str) -> str | None:
        """省立医院 after 福建省立医院 (or after 山东省立医院 read from the alias table), 县医院 after
        岳西县医院: the hospital the article named last under a fuller form of this name; in the
        title, also the one the text below names so."""
        typ = LEVEL_TYPE.get(m.attrs["level"])
        if typ not in ("Province", "City") and rest != "医院":
            return None
        ahead = range(i + 1, len(self.ex.mentions)) if self._title_level(m) else ()
        for j in [*range(i - 1, -1, -1), *ahead]:
            eid = self.mention_entity.get(j)
            e = self.entities.get(eid) if eid else None
            if e is None or e.type != "Hospital":
                continue
            key = e.attrs.get("division")
            if key and self.div.regions[key].type == typ and eid.endswith("/" + rest):
                return eid
            if any(n.endswith(m.text) and len(n) > len(m.text) for n in (e.name, *e.aliases)):
                return eid
        return None

    def _only_county_hospital(self, i: int, m: Mention) -> str | None:
        """宁都县人民医院 … 赣州市人民医院对口帮扶县医院: a bare county-level 县医院 is the one county
        人民医院 the article named before it, when it named exactly one."""
        if LEVEL_TYPE.get(m.attrs["level"]) != "County":
            return None
        named = set()
        for j in range(i):
            eid = self.mention_entity.get(j)
            e = self.entities.get(eid) if eid else None
            key = e.attrs.get("division") if e is not None and e.type == "Hospital" else None
            if key and self.div.regions[key].type == "County" and eid.endswith("/人民医院"):
                named.add(eid)
        return named.pop() if len(named) == 1 else None

    def link_hospital(self, i: int, m: Mention) -> None:
        if m.rule == "alias-table":
            return self.link_alias(i, m)
        full = military_name(m.name, self.lex.military_prefixes)
        if full is not None:  # 联勤保障部队第九二五医院, 武警新疆总队医院: the army's full name
            if len(self.lex.aliases.get(full, ())) == 1:
                m.attrs["alias"] = full
                return self.link_alias(i, m)
            e = Entity(f"Hospital/{full}", "Hospital", full, aliases={m.text} - {full}, mentions={self.doc.id: 1})
            return self.add(e, i, m.text, "a military hospital's short name, completed")
        if (own := _SCHOOLS_HOSPITAL.match(m.name)) and (school := self._own_university()):
            # 学校第二附属医院 / 我校附属儿童医院 / a bare 第二附属医院 in a university's news:
            # that university's hospital, named in full.
            full = school + m.name[own.end(1):]
            reason = f"a hospital of {school}, the university the article speaks for"
            named = next((e.id for e in self.entities.values() if e.name == full), None)
            if named:
                return self._same_entity(i, m, named, reason)
            if len(self.lex.aliases.get(full, ())) == 1:
                m.attrs["alias"] = full
                return self.link_alias(i, m)
            e = Entity(f"Hospital/{full}", "Hospital", full, aliases={m.text}, mentions={self.doc.id: 1})
            return self.add(e, i, m.text, reason)
        key, rest, j = self._anchor_key(m)
        reason = "name starts with its region"
        if key is None and m.attrs.get("anchor", "")[-1:] in ("镇", "乡"):
            self.unresolved.append({"surface": m.text, "reason": "town health centre of a town in no county "
                                    "the article names (部分乡镇卫生院 reads 分乡镇)"})
            return
        if m.attrs.get("town_short"):
            counties = {k for k in self.region_of.values() if self.div.regions[k].type == "County"}
            towns = [k for k in self.div.by_short_town.get(m.attrs["town_short"], [])
                     if self.div.regions[k].parent in counties]
            if len(towns) != 1:
                return  # no town of that name in a county the article names: not a name
            key, rest = towns[0], m.attrs["rest"]
            reason = "town written without 镇, in a county the article names"
            self._mention_through_level(key, m)
        if key is None and m.attrs.get("level"):
            rest = m.name[len(m.attrs["level"]):]
            named = self._named_at_level(i, m, rest)
            if named:
                return self._same_entity(i, m, named, "short form of a hospital the article named")
            speaks_for = None
            if m.attrs.get("bare"):
                if not self.doc.text.endswith(self.lex.own_place, 0, m.start):
                    only = self._only_county_hospital(i, m)
                    if only:
                        return self._same_entity(i, m, only, "a bare 县医院 where the article named one county's "
                                                             "人民医院 before it: that one")
                    speaks_for = self._own_county() if LEVEL_TYPE.get(m.attrs["level"]) == "County" else None
                    if speaks_for is None:
                        return self._unresolved(m, "a bare 县医院 with no such hospital named before it, in an "
                                                   "article that speaks for no county: a kind of hospital, not a name")
                rest = "人民医院"  # 我们县医院: our county's hospital, by its usual name
                named = self._named_at_level(i, m, rest)
                if named:
                    return self._same_entity(i, m, named, "short form of a hospital the article named")
            key = speaks_for or self._level_region(m.attrs["level"], m.start)
            if key is None:
                return self._unresolved(m, f"bare level prefix {m.attrs['level']}: {self.why}")
            reason = (f"a bare 县医院 in an article that speaks for {self.div.regions[key].name} (我县, or its "
                      "site or source): that county's 人民医院") if speaks_for else self._completion(m.attrs["level"], key)
        written = rest
        for short, full in self.lex.suffix_forms.items():
            if key and rest.endswith(short):
                rest = rest[: -len(short)] + full  # 疾控中心 → 疾病预防控制中心
        name, others = self._hospital_name(m, key, rest, j)
        if name != m.text and len(self.lex.aliases.get(name, ())) == 1:
            m.attrs["alias"] = name  # 省立医院 in a Shandong article: 山东省立医院, which the alias table knows
            return self.link_alias(i, m)
        if written != rest:
            others.add(m.text)
        if m.attrs.get("bare") and key:  # 岳西县医院, as writers also call 岳西县人民医院
            others.add(self.div.regions[key].name + m.name[len(m.attrs["level"]):])
        eid = f"Hospital/{key}/{rest}" if key else f"Hospital/{name}"
        e = Entity(eid, "Hospital", name, aliases=others, mentions={self.doc.id: 1})
        if key:
            r = self.div.regions[key]
            e.attrs.update({"division": key, "region": self.div.path(key)})
            county = self.div.county_of(key)
            if county or r.code:
                e.attrs["code"] = (county.code if county else r.code)
            self._region_node(key, None, "", "")
            if m.attrs.get("level"):
                self._mention_through_level(key, m)
        self.add(e, i, m.text, reason)

    def _own_county(self) -> str | None:
        """The county an article speaks for: the one its 我县/本县 stood for so far, else the one its
        site or source names (岳西县卫生健康委员会); None when that is not one county."""
        keys = {self.entities[eid].attrs.get("division") for k, eid in self.mention_entity.items()
                if self.ex.mentions[k].rule == "self-reference" and eid in self.entities}
        keys = {k for k in keys if k and self.div.regions[k].type == "County"}
        if keys:
            return keys.pop() if len(keys) == 1 else None
        return self._publisher().get("County")

    def _own_university(self) -> str | None:
        """The university an article speaks for (学校, 我校): the one its title names, else the
        only university it names; None when that is not clear."""
        ms = [m for m in self.ex.mentions if m.type == "University"]
        title = self.ex.sentences[0] if self.ex.sentences else None
        named = {m.attrs.get("alias", m.name) for m in ms if title and title.start <= m.start < title.end}
        if len(named) != 1:
            named = {m.attrs.get("alias", m.name) for m in ms}
        return next(iter(named)) if len(named) == 1 else None

    def link_agency(self, i: int, m: Mention) -> None:
        if m.rule == "alias-table":
            return self.link_alias(i, m)
        suffix = m.attrs["suffix"]
        key = None
        if m.attrs.get("same_region_as") is not None:
            prev = self.mention_entity.get(m.attrs["same_region_as"])
            key = self.entities[prev].attrs.get("division") if prev else None
        if key is None:
            key, _, _ = self._anchor_key(m)
        if key is None and m.attrs.get("level"):
            key = self._level_region(m.attrs["level"], m.start)
            if key is None:
                return self._unresolved(m, f"bare level prefix {m.attrs['level']}: {self.why}")
        if key is None:
            self.unresolved.append({"surface": m.text, "reason": "agency with no region"})
            return
        r = self.div.regions[key]
        canon = next((c for w, c, lv in self.lex.agency_suffixes if w == suffix), suffix)
        aliases = set()
        if canon.startswith("中共"):
            name = f"中共{r.name}委员会"
            aliases.add(r.name + "委")  # 湖北省委, 阳山县委
        elif suffix == "领导小组":
            name = m.text  # the whole descriptive name, region first
        else:
            name = r.name + canon
            # 北京市朝阳区卫生健康委员会, 南阳市淅川县卫生健康委员会: the same body written with its places
            up = [a.name for a in self.div.chain(key)[1:]]
            aliases.update("".join(reversed(up[:k])) + name for k in range(1, len(up) + 1))
        e = Entity(f"Agency/{key}/{name[len(r.name):] if name.startswith(r.name) else name}",
                   "Agency", name, aliases=aliases, attrs={"division": key, "region": self.div.path(key)},
                   mentions={self.doc.id: 1})
        if r.code:
            e.attrs["code"] = r.code
        self.add(e, i, m.text, "region + agency suffix" if not m.attrs.get("level") else
                 self._completion(m.attrs["level"], key))

    def _alias_row(self, m: Mention):
        """Which row of the alias table a short name means here: the only one; the one the text
        wrote in full; the one the article already names; else the one in the article's province."""
        rows = self.lex.aliases[m.attrs["alias"]]
        if len(rows) == 1:
            return rows[0]
        for pick in ([a for a in rows if a.name == m.text],
                     [a for a in rows if any(e.name == a.name for e in self.entities.values())]):
            if len(pick) == 1:
                return pick[0]
        provinces = {self.div.chain(k)[-1].key for k in self.region_of.values()}
        local = []
        for a in rows:
            r = self.div.resolve_path(a.region) if a.region else None
            if r is not None and self.div.chain(r.key)[-1].key in provinces:
                local.append(a)
        return local[0] if len(local) == 1 else None

    def link_alias(self, i: int, m: Mention) -> None:
        rows = self.lex.aliases[m.attrs["alias"]]
        level = next((lv for lv in LEVEL_TYPE if rows[0].name.startswith(lv)), None)
        if len(rows) == 1 and rows[0].region is None and level:
            # 省医 → 省人民医院: the hospital of that level where the article is, as a bare
            # level word is completed (the province named before it, else the article's only one).
            m.name, m.rule, m.attrs = rows[0].name, "level+suffix", {"level": level}
            return self.link_hospital(i, m)
        a = self._alias_row(m)
        if a is None:
            self.unresolved.append({"surface": m.text, "reason": "short name shared by several institutions; "
                                    "the article names none of them and none of their provinces"})
            return
        region = divisions().resolve_path(a.region) if a.region else None
        name = a.name
        text_after = self.doc.text[m.end:m.end + 8]
        sub = re.match(r"(医政司|基层卫生健康司|基层司|规划司|财务司|医政医管局|体制改革司)", text_after)
        part_of = None
        if a.type == "Agency" and sub:
            parent = self.add(Entity(f"Agency/{name}", "Agency", name, mentions={self.doc.id: 1}),
                              None, m.text, "alias table")
            part_of = parent.id
            name += sub.group(1)
            self.ex.mentions[i].end += len(sub.group(1))
        eid = f"{a.type}/{name}"
        if region and a.type == "Hospital":
            # The same id the name rules give when the text writes the name out in full.
            for prefix in (region.name, region.short):
                if prefix and name.startswith(prefix) and len(name) > len(prefix):
                    eid = f"Hospital/{region.key}/{name[len(prefix):]}"
                    break
        e = Entity(eid, a.type, name, aliases=set(self.lex.other_names.get(name, ())), mentions={self.doc.id: 1})
        if part_of:
            e.attrs["part_of"] = part_of
        if region:
            e.attrs.update({"division": region.key, "region": self.div.path(region.key)})
            if region.code:
                e.attrs["code"] = region.code
            self._region_node(region.key, None, "", "")
        self.add(e, i, m.text, "alias table")

    def link_named(self, i: int, m: Mention) -> None:
        if m.rule == "alias-table":
            return self.link_alias(i, m)
        name = m.name
        if m.type == "Program" and name in self.lex.aliases:
            m.attrs["alias"] = name
            return self.link_alias(i, m)
        key = None
        if m.attrs.get("level"):  # 县人民医院医共体 → the article's county's
            key = self._level_region(m.attrs["level"], m.start)
            if key:
                name = self.div.regions[key].name + name[len(m.attrs["level"]):]
        e = Entity(f"{m.type}/{name}", m.type, name, mentions={self.doc.id: 1})
        if m.type in ("Program", "Alliance", "Policy") and not _NATIONAL.match(name):
            key = key or (self._anchor_key(m)[0] if m.attrs.get("anchor") else None)
            key = key or self.focus.get("County") or self.focus.get("City") or self.focus.get("Province")
            if key:
                e.attrs["region"] = self.div.path(key)
        if m.type == "Policy":
            e.attrs.update(self._policy_facts(m))
        self.add(e, i, m.text, m.rule)

    def _policy_facts(self, m: Mention) -> dict:
        """Document number and year when the text gives them: 《…意见》（厅字〔2023〕3号）."""
        facts = {}
        num = _DOC_NUMBER.match(self.doc.text, m.end)
        if num:
            facts["number"] = num.group(1)
            facts["year"] = int(num.group(2))
        else:
            y = re.search(r"(20\d\d)年", m.name)
            if y:
                facts["year"] = int(y.group(1))
        return facts

    def merge_parenthetical_names(self) -> None:
        """山东第一医科大学第一附属医院（山东省千佛山医院）, 新桥医院即陆军军医大学第二附属医院,
        县人民医院加挂“某医院县院区”牌子 (or 挂牌“…”): one institution under two names."""
        ms = self.ex.mentions
        order = sorted((i for i in self.mention_entity if i < len(ms) and ms[i].type in ("Hospital", "University")),
                       key=lambda i: ms[i].start)
        for a, b in zip(order, order[1:]):
            ea, eb = self.mention_entity[a], self.mention_entity[b]
            if ea == eb or ms[a].type != ms[b].type or ea not in self.entities or eb not in self.entities:
                continue
            between = self.doc.text[ms[a].end:ms[b].start]
            same = _SAME_NAME_BETWEEN.fullmatch(between)
            if not same:
                sign = _SIGN_BETWEEN.fullmatch(between)
                if sign and (sign.group("verb") == "挂牌" or _SIGN_AFTER.match(self.doc.text, ms[b].end)):
                    self._fold(eb, ea, "a second sign of the same institution (加挂…牌子)")
                continue
            if between[:1] in "（(" and self.doc.text[ms[b].end:ms[b].end + 1] not in ("）", ")", "，", ","):
                continue
            # The first name stays canonical, unless it is a bare proper name (新桥医院即…) or a
            # contracted ordinal (省一院（昆华医院）), or an old one the brackets give today's name for
            # (宁夏医学院附属医院（今宁夏医科大学总医院）).
            short_first = (ms[a].rule == "proper+suffix" or ms[a].attrs.get("contracted")) \
                and ms[b].rule != "proper+suffix"
            keep_id, old_id = (eb, ea) if short_first or same.group("now") else (ea, eb)
            self._fold(old_id, keep_id, "another name of the same institution (brackets or 即)")

    def merge_suffix_variants(self) -> None:
        """One unit's one institution written with two suffixes (``vocab/hospital_suffix_variants.tsv``):
        X镇卫生院 and X镇中心卫生院, 州中医院 and 大理州中医医院 in one article are the same."""
        for written, kept in self.lex.suffix_variants:
            for eid in list(self.entities):
                if eid.endswith("/" + written) and eid.count("/") >= 2:
                    target = eid[: -len(written)] + kept
                    if target in self.entities:
                        self._fold(eid, target, f"one unit's {written} is its {kept} when the article names both")

    def merge_ordinal_short_names(self) -> None:
        """甲市五医院 is 甲市第五人民医院 (or 甲市第五医院) when the article names that one too: the
        ordinal hospitals' everyday short form."""
        for eid in list(self.entities):
            m = _ORDINAL_SHORT.fullmatch(eid)
            if not m:
                continue
            for full in (f"{m.group(1)}第{m.group(2)}人民医院", f"{m.group(1)}第{m.group(2)}医院"):
                if full in self.entities:
                    self._fold(eid, full, "an ordinal hospital's short form (五医院 for 第五人民医院)")
                    break

    def _fold(self, old_id: str, keep_id: str, reason: str) -> None:
        """One entity turned out to be another: its names, attributes, mentions go to ``keep_id``."""
        old = self.entities.pop(old_id)
        keep = self.entities[keep_id]
        keep.aliases |= {old.name, *old.aliases}
        for k, v in old.attrs.items():
            keep.attrs.setdefault(k, v)
        for d, n in old.mentions.items():
            keep.mentions[d] = keep.mentions.get(d, 0) + n
        for mi, e in list(self.mention_entity.items()):
            if e == old_id:
                self.mention_entity[mi] = keep_id
        self.merges.append({"surface": old.name, "id": keep_id, "doc": self.doc.id, "reason": reason})

    # -- relations ------------------------------------------------------------------
    def evidence(self, si: int, rule: str, conf: float) -> Evidence:
        s: Sentence = self.ex.sentences[si]
        a, b = self.doc.raw_span(s.start, s.end)
        return Evidence(doc=self.doc.id, sentence=s.text, start=a, end=b, rule=rule,
                        confidence=round(conf, 3), path=self.doc.path, published=self.doc.published)

    def link_all(self) -> None:
        """Regions, then every mention to an entity, then the merges an article implies."""
        self.resolve_regions()
        self.link_mentions()
        self.merge_suffix_variants()
        self.merge_ordinal_short_names()
        self.merge_parenthetical_names()

    def result(self, model: Model | None = None) -> ArticleResult:
        """Everything the article contributes: its entities and edges (``model``: see ``relations``)."""
        rels = self.relations(model)
        for e in self.entities.values():
            e.aliases.discard(e.name)
        return ArticleResult(doc=self.doc, entities=list(self.entities.values()), relations=rels,
                             merges=self.merges, unresolved=self.unresolved)

    def article(self) -> LinkedArticle:
        """The article as the partnership features read it (after linking)."""
        rule_types: dict[tuple[int, int], set[str]] = {}
        for c in self.ex.relations:
            if c.type in KINDS:
                kinds = rule_types.setdefault((c.source, c.target), set())
                kinds.add(c.type + (":undirected" if c.attrs.get("undirected") else ""))
                # Which rule: its pattern with the cue word left out (S 对口帮扶 T → S~T).
                kinds.add(c.type + ":" + re.sub(r"[\u4e00-\u9fff]+", "~", c.rule).replace(" ", ""))
        return LinkedArticle(self.doc.text, self.ex.sentences, self.ex.mentions, self.mention_entity,
                             self.entities, rule_types)

    def pair_instances(self) -> list[PairInstance]:
        """Every directed entity pair the candidates join, with pooled features (for the scorer)."""
        return pair_instances(self.article(), self.ex.pairs)

    def _acting(self, eid: str) -> str:
        """A ministry's department speaks and acts for the ministry (医政司 → 国家卫生健康委员会)."""
        return self.entities[eid].attrs.get("part_of") or eid

    def _edge_attrs(self, c: PairCandidate) -> dict:
        """Time and quantities stated in the clauses that hold a candidate's ends."""
        s = self.ex.sentences[c.sentence]
        lo = min(c.source.start, c.target.start)
        lo = lo if lo >= s.start else s.start
        attrs = time_attrs(s.text)
        q = quantities(self.doc.text[lo:s.end], attrs.get("year"))
        if q:
            attrs["quantities"] = q
        return attrs

    def relations(self, model: Model | None = None) -> list[Relation]:
        """Partnerships decided by the scorer (``model``: the packaged one unless given), issuing
        and running from the rules, and locations."""
        out: dict[tuple, Relation] = {}

        def put(r: Relation):
            if r.key in out:
                out[r.key].merge(r)
            else:
                out[r.key] = r

        for c in self.ex.relations:
            if c.type in KINDS:
                continue  # partnerships are the scorer's: the rules' view of them is a feature
            s = self.mention_entity.get(c.source)
            t = self.mention_entity.get(c.target)
            if not s or not t or s == t:
                continue
            if c.type in PART_ACTS:
                s = self._acting(s)
            ts, tt = self.entities[s].type, self.entities[t].type
            allowed = RELATION_ENDS.get(c.type)
            if allowed and (ts not in allowed[0] or tt not in allowed[1]):
                continue
            attrs = {k: v for k, v in c.attrs.items() if k != "undirected"}
            if self.doc.published:
                attrs["as_of"] = self.doc.published
            put(Relation(s, c.type, t, attrs, [self.evidence(c.sentence, c.rule, c.confidence)]))
        art = self.article()
        for d in decide(art, pair_instances(art, self.ex.pairs), model):
            s = self._acting(d.source)
            if s == d.target:
                continue
            attrs = self._edge_attrs(d.evidence[0])
            if self.doc.published:
                attrs["as_of"] = self.doc.published
            seen = {}  # one piece of evidence a sentence, however many candidates it holds
            for c in d.evidence:
                seen.setdefault(c.sentence, c)
            evidence = [self.evidence(c.sentence, f"scorer:{c.context}", d.probability) for c in seen.values()]
            put(Relation(s, d.kind, d.target, attrs, evidence))
        # LOCATED_IN: each institution in its region; each region in its parent (the division data).
        for e in list(self.entities.values()):
            key = e.attrs.get("division")
            si = self.first_sentence.get(e.id, 0)
            if e.type == "Hospital" and key:
                put(Relation(e.id, "LOCATED_IN", f"{self.div.regions[key].type}/{key}",
                             {}, [self.evidence(si, "name-prefix", 0.9)]))
            if e.type in ("Province", "City", "County", "Town") and e.attrs.get("parent"):
                parent = self.div.regions.get(e.attrs["parent"])
                if parent is None:
                    continue
                self._region_node(parent.key, None, "", "")
                put(Relation(e.id, "LOCATED_IN", f"{parent.type}/{parent.key}", {},
                             [self.evidence(si, "division-data", 0.95)]))
        # Parents added above may have parents of their own.
        changed = True
        while changed:
            changed = False
            for e in list(self.entities.values()):
                p = e.attrs.get("parent")
                if e.type in ("Province", "City", "County", "Town") and p and p in self.div.regions:
                    pr = self.div.regions[p]
                    key = (e.id, "LOCATED_IN", f"{pr.type}/{p}")
                    if key not in out:
                        self._region_node(p, None, "", "")
                        put(Relation(*key, {}, [self.evidence(self.first_sentence.get(e.id, 0),
                                                               "division-data", 0.95)]))
                        changed = True
        return list(out.values())


def link(doc: Document, ex: Extraction) -> ArticleResult:
    """Resolve one document's mentions to entities and its relation candidates to edges."""
    lk = Linker(doc, ex)
    lk.link_all()
    return lk.result()
