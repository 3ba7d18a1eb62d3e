"""Features: what the scorer sees of a candidate pair — words and positions, never names.

Each candidate (``loaders/candidates.py``) becomes a set of string features read from
its sentence with both ends abstracted to their type and level: which partnership
words sit between, before or after the ends (by class, from
``vocab/partnership_words.tsv``), the words right before each end (对 / 由 / 与 …),
blockers in the clause (召开, 转往, 曾, 拟, 到期 …), the types and administrative
levels of both ends and how their places relate, order, distance, list position,
how an end was found (我院, 该院 …) and what the cue-word rules (``loaders/rules.py``)
said of the pair. No feature names an institution or a place, so what the model
learns carries over to articles about other places.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import Entity, Mention

from .candidates import PairCandidate, helped_by
from .dates import stated_dates
from .divisions import divisions
from .layout import ITEM_START
from .lexicon import lexicon
from .quantities import SINCE_AFTER, stated_periods
from .sentences import CLAUSE_MARK, Sentence, clause_end, clause_start

_LEVEL = {"Province": "P", "City": "C", "County": "X", "Town": "T", "Village": "V"}
_RANK = {"N": 0, "P": 1, "C": 2, "X": 3, "T": 4, "V": 5}


@dataclass
class LinkedArticle:
    """One article after linking, as the features read it."""

    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    entity_of: dict[int, str]  # mention index -> entity id
    entities: dict[str, Entity]
    rule_types: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # mention pair -> rule kinds
    _views: dict[int, "SentenceView"] = field(default_factory=dict, repr=False, compare=False)
    _relations: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)

    def view(self, si: int) -> "SentenceView":
        """What every candidate of sentence ``si`` reads alike, worked out once."""
        v = self._views.get(si)
        if v is None:
            s = self.sentences[si]
            parties = sorted((i for i in self.entity_of if s.start <= self.mentions[i].start < s.end),
                             key=lambda i: self.mentions[i].start)
            found = lexicon().pair_words.automaton.iter_long(self.text[s.start:s.end])
            words = [(s.start + e - len(w) + 1, w) for e, w in found]
            names = [(self.mentions[i].start, self.mentions[i].end) for i in parties]
            outer: list[int] = []  # the names not inside another (昭觉县 of 昭觉县人民医院 is not)
            for j in sorted(parties, key=lambda j: (self.mentions[j].start, -self.mentions[j].end)):
                if not outer or self.mentions[j].start >= self.mentions[outer[-1]].end:
                    outer.append(j)
            in_name = [any(x <= a < y for x, y in names) for a, _ in words]
            kinds = lexicon().pair_words.kinds
            handovers = [a for (a, w), inside in zip(words, in_name) if not inside and ("cue", "handover") in kinds[w]]
            v = self._views[si] = SentenceView(parties, words, in_name, outer, handovers)
        return v

    def memo(self, key: tuple, make):
        """``make()`` worked out once per article for ``key`` (what both directions of a pair,
        or every pair of a sentence, read alike)."""
        v = self._memo.get(key, self._memo)
        if v is self._memo:
            v = self._memo[key] = make()
        return v

    def relation(self, s: str, t: str) -> list[str]:
        """How two entities stand (``_relation``), worked out once a pair."""
        key = (s, t)
        if key not in self._relations:
            self._relations[key] = _relation(self.entities[s], self.entities[t])
        return self._relations[key]


@dataclass
class SentenceView:
    """One sentence as the features read it: its linked mentions in text order, the partnership
    words in it (start offset, word; longest match first) and whether each sits inside a name."""

    parties: list[int]
    words: list[tuple[int, str]]
    in_name: list[bool]
    outer: list[int]  # parties not nested in another party's name, in text order
    handovers: list[int]  # where the handover words (改由, 接续 …) outside names start


@lru_cache(maxsize=4096)
def _place(key: str | None) -> tuple[str, str | None, str | None]:
    """(level letter, province key, city key) of a division key."""
    if not key:
        return ("N", None, None)
    d = divisions()
    r = d.get(key)
    if r is None:
        return ("N", None, None)
    chain = d.chain(key)
    prov = next((x.key for x in chain if x.type == "Province"), None)
    city = next((x.key for x in chain if x.type == "City"), None)
    return (_LEVEL.get(r.type, "N"), prov, city)


def kind_of(e: Entity) -> str:
    """Type and level of an entity: Hospital@X (a county's), Region@C (a prefecture), University@N."""
    if e.type in _LEVEL:
        return f"Region@{_LEVEL[e.type]}"
    return f"{e.type}@{_place(e.attrs.get('division'))[0]}"


def _relation(s: Entity, t: Entity) -> list[str]:
    """How the two ends stand: who ranks higher, whether their places nest or share a province, and
    the economic zones of their provinces when these differ (``vocab/economic_zones.tsv``)."""
    ks, kt = s.attrs.get("division"), t.attrs.get("division")
    ls, ps, cs = _place(ks)
    lt, pt, ct = _place(kt)
    out = []
    rs, rt = _RANK[ls], _RANK[lt]
    if s.type == "University":
        rs = 1
    if rs and rt:
        out.append("rank:" + ("s>t" if rs < rt else "s=t" if rs == rt else "s<t"))
    if ps and pt:
        if ks and kt and ks != kt and divisions().is_within(kt, ks):
            out.append("geo:t_in_s")
        elif ks and kt and ks != kt and divisions().is_within(ks, kt):
            out.append("geo:s_in_t")
        elif ks == kt:
            out.append("geo:same_unit")
        elif cs and cs == ct:
            out.append("geo:same_city")
        else:
            out.append("geo:same_prov" if ps == pt else "geo:other_prov")
        zones = lexicon().zones
        if ps != pt:  # 东部 → 西部: the direction most cross-province help runs
            out.append(f"zone:{zones.get(ps[:2], '?')}>{zones.get(pt[:2], '?')}")
    else:
        out.append("geo:unknown")
    return out


def _clause_span(text: str, s: Sentence, a: int, b: int) -> tuple[int, int]:
    """From the clause start before ``a`` to the clause end after ``b``."""
    return clause_start(text, s.start, a), clause_end(text, b, s.end)


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def candidate_features(art: LinkedArticle, c: PairCandidate) -> list[str]:
    """The features of one directed candidate (strings, each once, in order; the scorer weighs them)."""
    text, m = art.text, art.mentions
    s_ent = art.entities[art.entity_of[c.source.mention]]
    t_ent = art.entities[art.entity_of[c.target.mention]]
    sent = art.sentences[c.sentence]
    ks, kt = kind_of(s_ent), kind_of(t_ent)
    f = [f"ctx={c.context}", f"S={ks}", f"T={kt}", f"ST={ks}>{kt}"]
    standing = art.relation(art.entity_of[c.source.mention], art.entity_of[c.target.mention])
    f += standing
    # A county's hospital helping a town health centre: in its own county, or another's.
    f += [f"ST|{g}={ks}>{kt}" for g in standing if g.startswith("geo:")]
    if c.source.via:
        f.append(f"via_s={c.source.via}")
    if c.target.via:
        f.append(f"via_t={c.target.via}")
    src, tgt = c.source, c.target
    first, second = (src, tgt) if src.start <= tgt.start else (tgt, src)
    s_first = first is src
    order = "ord=s_first" if s_first else "ord=t_first"
    f.append(order)
    same_sentence = sent.start <= src.start < sent.end and sent.start <= tgt.start < sent.end
    pw = lexicon().pair_words
    if same_sentence:
        lo, hi = _clause_span(text, sent, first.start, second.end)
        between = text[first.end:second.start]
        f.append("clause=" + ("same" if not CLAUSE_MARK.search(between) else "diff"))
        f.append("gap=" + _bucket(len(between), (0, 2, 6, 15, 30)))
        here = art.view(c.sentence).parties
        inside = [i for i in here if first.end <= m[i].start and m[i].end <= second.start]
        f.append("mid=" + _bucket(len(inside), (0, 1, 3)))
        sig = art.memo(("sig", first.end, second.start),
                       lambda: _signature(text, first.end, second.start, m, inside))
        post = art.memo(("post", second.end, hi), lambda: _signature(
            text, second.end, hi, m, [i for i in here if second.end <= m[i].start < hi]))[:4]
        pre = art.memo(("pre", lo, first.start), lambda: _signature(
            text, lo, first.start, m, [i for i in here if lo <= m[i].start < first.start]))[-3:]
        f.append(f"sig={'.'.join(sig)}")
        f.append(f"{order}|sig={'.'.join(sig)}")
        f.append(f"{order}|sig={'.'.join(sig)}|post={'.'.join(post)}")
        f.append(f"{order}|pre={'.'.join(pre)}|sig={'.'.join(sig)}")
        if post:
            f.append(f"post1={post[0]}")
        # 甲派出的专家进驻乙，丙的专家则前往丁: 丁's clause names its own giver before it.
        t_clause = clause_start(text, sent.start, tgt.start)
        items = tgt.start  # where the target's own list starts (前往丙、丁: 丙 is no giver of its own)
        if not (src.via or tgt.via):
            _, n, first_item = art.memo(("list", tgt.start), lambda: _list_place(text, m, art.view(c.sentence).outer, tgt))
            items = first_item if n > 1 else items
        ends = (art.entity_of[c.source.mention], art.entity_of[c.target.mention])
        if s_first and any(t_clause <= m[i].start < items and m[i].end <= tgt.start and not src.start <= m[i].start < src.end
                           and art.entity_of.get(i) not in ends for i in here):  # (not a place inside 甲's name)
            f.append("t_clause:other_first")
        # 甲与乙开启托管帮扶: a pair joined by 与/和/同 with a one-way cue after it says nothing of
        # direction; who ranks higher says it (the rank feature alone cannot, added to the cue).
        if len(sig) == 1 and sig[0] in _WITH:
            rk = next((x for x in standing if x.startswith("rank:")), "rank:?")
            for cls in sorted({p[1:-1] for p in post if p.startswith("<")}):
                f.append(f"with|{rk}|post:{cls}")
    else:
        lo, hi = sent.start, sent.end
        f.append("clause=other-sentence")
    # Partnership words by where they sit: between the ends, before both, after both.
    view = art.view(c.sentence)
    # 乙原由甲帮扶，今年起改由丙接续: a past word before a handover that precedes the giver (or stands in
    # its clause: …，丙接过接力棒) is the old giver's.
    handovers = view.handovers
    s_lo, s_hi = (clause_start(text, sent.start, src.start), clause_end(text, src.end, sent.end)) \
        if handovers else (0, 0)
    for (a, w), in_name in zip(view.words, view.in_name):  # in_name: …培训班 blocks nothing
        if src.start <= a < src.end or tgt.start <= a < tgt.end:
            continue
        where = ("btw" if first.end <= a < second.start else "pre" if a < first.start else "post") \
            if same_sentence else "sent"
        if where in ("pre", "post") and not lo <= a < hi:
            where += "_far"  # outside the pair's clauses: in a long sentence, about something else
        near = ""
        if same_sentence and 0 <= a - src.end <= 2:
            near = "after_s"
        elif same_sentence and 0 <= tgt.start - (a + len(w)) <= 2:
            near = "before_t"
        key = (w, where, near, order, in_name, lo <= a < hi,
               a < src.start and any(a < h and (h < src.start or s_lo <= h < s_hi) for h in handovers))
        got = _WORD_FEATURES.get(key)
        if got is None:
            got = _WORD_FEATURES[key] = _word_features(pw.kinds[w], *key)
        f += got
    # An ending, a denial or a plan stated in the next sentence of the paragraph (甲对口帮扶乙项目通过
    # 验收。为期三年的帮扶已于7月结束。): the pair's sentence tells of something no longer, or not yet, so.
    f += art.memo(("next", c.sentence), lambda: _next_sentence_blockers(art, c.sentence))
    # A record's later lines (状态：已结束, 备注：协议期满，未续签) say the same of the pair its first lines name.
    pair = (art.entity_of[c.source.mention], art.entity_of[c.target.mention])
    f += art.memo(("record", c.sentence, *sorted(pair)), lambda: _record_blockers(art, c.sentence, pair))
    # …开赴乙县人民医院。此后四年间…。2009年底，对乙县的支援任务圆满结束: told further on in the paragraph.
    f += art.memo(("para", c.sentence, pair[1]), lambda: _paragraph_blockers(art, c.sentence, pair[1]))
    # The words right before and after each end.
    for tag, end in (("s", src), ("t", tgt)):
        f += art.memo(("edge", tag, end.start, end.end, sent.start), lambda: _edge_words(text, sent, tag, end))
    # Lists: an end joined to others by 、/和/及; under 分别 (respectively) the i-th giver goes
    # with the i-th receiver.
    if same_sentence and not (src.via or tgt.via):
        ls = art.memo(("list", src.start), lambda: _list_place(text, m, view.outer, src))
        lt = art.memo(("list", tgt.start), lambda: _list_place(text, m, view.outer, tgt))
        for tag, (_, n, _) in (("s", ls), ("t", lt)):
            if n > 1:
                f.append(f"list_{tag}")
        # 分别 in the pair's own clause, the two lists in it (甲、乙分别帮扶丙和丁), not across clauses
        # (…丙县人民医院，丁医院对口帮扶…，甲、乙分别…: 丁 is no item of a list 分别 pairs up).
        if ls[1] > 1 and lt[1] > 1 and "分别" in text[lo:hi] and not CLAUSE_MARK.search(text, first.end, second.start):
            f.append("respectively:" + ("same_place" if ls[0] == lt[0] and ls[1] == lt[1] else
                                        "other_place" if ls[1] == lt[1] else "lengths_differ"))
        elif ls[1] > 1 and lt[1] > 1 and ls[2] != lt[2]:
            # 队员来自甲、乙等医院，将分赴丙、丁和戊: many to many with nothing pairing them up
            # (not 甲与乙开启托管: two items of one list).
            f.append("lists:both")
    if c.context in ("table-row", "label"):
        cs, ct = (x or "none" for x in c.columns)
        f += [f"col_s={cs}", f"col_t={ct}", f"cols={cs}>{ct}"]
    if c.context in ("table-row", "list-item", "label") and c.header >= 0:
        head = art.sentences[c.header].text
        for e, w in pw.automaton.iter_long(head):
            for kind, cls in pw.kinds[w]:
                if kind in ("cue", "label"):
                    f.append(f"head:{kind}:{cls}")
                elif kind == "blocker":  # 二、终止帮扶关系的单位 / 以下结对已于2023年到期：
                    f.append(f"head:blk:{cls}")
    for kind in sorted(art.rule_types.get((c.source.mention, c.target.mention), ())):
        f.append(f"rule:{kind}")
    for kind in sorted(art.rule_types.get((c.target.mention, c.source.mention), ())):
        f.append(f"rule_rev:{kind}")
    if c.sentence == 0:
        f.append("in_title")
    if same_sentence:
        f += art.memo(("period", sent.start, second.start), lambda: _period(art, sent.start, second.start, sent.end))
    # Each feature once, as the model was fitted (a cue said four times is not four times the evidence).
    return list(dict.fromkeys(f))


#: The features one partnership word gives, by the word and where it sits (``_word_features``); the
#: combinations are few, the words in a sentence times its candidates many.
_WORD_FEATURES: dict[tuple, tuple[str, ...]] = {}


def _word_features(kinds, w: str, where: str, near: str, order: str, in_name: bool,
                   inside_clause: bool, handed_over: bool) -> tuple[str, ...]:
    """A partnership word's features: a cue by class and word where it sits (and next to which end),
    a blocker by class in the pair's clause or sentence (not inside a name: …培训班 blocks nothing;
    ``blk:handed_over`` when a handover word follows it before the giver or in the giver's clause:
    the old giver's), a label by class."""
    f = []
    for kind, cls in kinds:
        if kind == "cue":
            f.append(f"cue:{where}:{cls}")
            f.append(f"cuew:{where}:{w}")
            f.append(f"{order}|cue:{where}:{cls}")  # who comes first, and where the cue sits
            if near:
                f.append(f"cue:{near}:{cls}")
        elif kind == "blocker" and not in_name:
            f.append(f"blk:handed_over:{cls}" if handed_over else f"blk:{'clause' if inside_clause else 'sent'}:{cls}")
        elif kind == "label":
            f.append(f"label:{where}:{cls}")
    return tuple(f)


def _period(art: LinkedArticle, a: int, b: int, end: int) -> list[str]:
    """``period:closed`` when the last time said in ``[a, b)`` is a stretch of years that ended
    before the article's latest stated year (2014年至2018年，乙由甲对口帮扶。…2024年): a past partnership
    told in a retrospective; not when an open start (2019年起) follows the stretch. ``year:old5`` /
    ``year:old15`` when it is a single year that many years before the article's latest (history
    writing, 1965年，甲医院组队赴乙县), unless a start (起, 以来) or a word of going on (至今, 延续)
    follows it. Dates and stretches are read as ``quantities.time_attrs`` reads them."""
    now = art.memo(("latest-year",), lambda: max((d.year for d in stated_dates(art.text)), default=0))
    span = art.text[a:b]
    dates = stated_dates(span)
    periods = stated_periods(span, dates)
    if periods and not any(d.start > periods[-1][0] and SINCE_AFTER.match(span, d.end) for d in dates):
        return ["period:closed"] if int(periods[-1][3][:4]) < now else []
    if periods or not dates or _SINCE_NEAR.match(span, dates[-1].end) or _STILL.search(art.text, a + dates[-1].end, end):
        return []
    # 1965年，甲医院组队赴乙县… in a piece that reaches 2024: a year long before the article's own.
    age = now - dates[-1].year
    return ["year:old15"] if age >= 15 else ["year:old5"] if age >= 5 else []


#: After a year, in its sentence: the partnership it dates goes on (2005年结对，至今已派出…), or it
#: is the start of one (2016年结对以来).
_STILL = re.compile(r"至今|延续|持续|仍")
_SINCE_NEAR = re.compile(r"[^，,。；;]{0,6}?(?:以来|起|开始)")
_WITH = ("与", "和", "同", "跟")
#: Blocker classes that reach back from the sentence after a pair's (it ended, it is denied, it is planned).
_LATER_BLOCKERS = ("ended", "negation", "plan")
_LIST_JOINT = re.compile(r"[、，,和及与]|以及|、以及")
#: What follows a bare item of a list: another joint, 等, or the end of the clause or sentence.
_ITEM_END = re.compile(r"[、，,和及与等。；;：:）)\n]|以及|$")


def _next_sentence_blockers(art: LinkedArticle, si: int) -> list[str]:
    """An ending, a denial or a plan stated in the next sentence of the paragraph (甲对口帮扶乙项目通过
    验收。为期三年的帮扶已于7月结束。): the pair's sentence tells of something no longer, or not yet, so."""
    nxt = si + 1
    if nxt >= len(art.sentences) or art.sentences[nxt].paragraph != art.sentences[si].paragraph:
        return []
    return [f"blk:next:{cls}" for cls in sorted(_later_blockers(art.view(nxt)))]


def _later_blockers(view: "SentenceView", outside_names: bool = False) -> set[str]:
    """The classes of ``_LATER_BLOCKERS`` words in a sentence (with ``outside_names``, not those
    inside a name: …培训中心)."""
    kinds = lexicon().pair_words.kinds
    return {cls for (_, w), in_name in zip(view.words, view.in_name) if not (outside_names and in_name)
            for kind, cls in kinds[w] if kind == "blocker" and cls in _LATER_BLOCKERS}


#: How many sentences past the pair's (and the next, blk:next's) blk:para reads in its paragraph.
PARAGRAPH_SENTENCES = 4


def _paragraph_blockers(art: LinkedArticle, si: int, target: str) -> list[str]:
    """``blk:para:<class>`` for an ending, a denial or a plan in a later sentence of the paragraph
    (past the next one, which blk:next reads; at most ``PARAGRAPH_SENTENCES`` on) that names the
    receiving end again or the county it stands in (开赴宜阳县人民医院。此后四年间…驻点。2009年底，
    对宜阳的支援任务圆满结束): the help told there is over, denied or not yet begun."""
    para = art.sentences[si].paragraph
    names = {target}
    key = art.entities[target].attrs.get("division") if target in art.entities else None
    county = divisions().county_of(key) if key else None
    if county is not None:
        names.add(f"County/{county.key}")
    out: set[str] = set()
    for k in range(si + 2, min(si + 2 + PARAGRAPH_SENTENCES, len(art.sentences))):
        if art.sentences[k].paragraph != para:
            break
        v = art.view(k)
        if any(art.entity_of.get(i) in names for i in v.parties):
            out |= _later_blockers(v)
    return [f"blk:para:{cls}" for cls in sorted(out)]


#: A line longer than this is prose, not a field of a record.
RECORD_LINE = 60
#: How many sentences after a pair's a record's status is looked for.
RECORD_LINES = 6
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_ORGS = ("Hospital", "University", "Agency", "Alliance")


def _record_blockers(art: LinkedArticle, si: int, pair: tuple[str, str]) -> list[str]:
    """``blk:rec:<class>`` for an ending, a denial or a plan on a later line of the record that
    holds sentence ``si``: the short lines that follow it with no blank line between (项目名称：甲对口
    支援乙 / 受援单位：乙 / 状态：已结束; 甲——乙 / 备注：协议期满，未续签), at most ``RECORD_LINES``
    sentences, each at most ``RECORD_LINE`` characters. A line of prose, a line that opens another
    item or section (二、 2. 【), or one that names an organisation other than the pair's two ends
    (the next row of a list) ends the record. Blockers inside a name (…培训中心) do not count."""
    sents, text = art.sentences, art.text
    if len(sents[si].text) > RECORD_LINE:
        return []
    out: set[str] = set()
    j = si + 1
    while j < len(sents) and j <= si + RECORD_LINES:
        prev, s = sents[j - 1], sents[j]
        if _BLANK_LINE.search(text, prev.end, s.start) or len(s.text) > RECORD_LINE \
                or (s.paragraph != prev.paragraph and ITEM_START.match(s.text)):
            break
        view = art.view(j)
        if any(art.entity_of[i] not in pair and art.mentions[i].type in _ORGS for i in view.outer):
            break
        if s.paragraph != sents[si].paragraph:  # (the pair's own paragraph is blk:next's)
            out |= _later_blockers(view, outside_names=True)
        j += 1
    return [f"blk:rec:{cls}" for cls in sorted(out)]


def _edge_words(text: str, sent: Sentence, tag: str, end) -> list[str]:
    """The words right before and after one end of a pair (``tag``: s or t): 对/由/与 … before it,
    的/在/与 … after it, and 在/得到 … 的帮扶 around it."""
    kinds = lexicon().pair_words.kinds
    f = []
    for k in (3, 2, 1):
        w = text[max(0, end.start - k):end.start]
        for kind, cls in kinds.get(w, ()):
            if kind in ("marker", "cue"):
                f.append(f"pre_{tag}:{cls}")
                f.append(f"prew_{tag}:{w}")
    nxt = text[end.end:end.end + 1]
    if nxt in "的在与和、等为":
        f.append(f"post_{tag}:{nxt}")
    if helped_by(text, sent.start, end):
        f.append(f"frame:{tag}_helps")
    return f


def same_list(art: LinkedArticle, si: int, a, b) -> bool:
    """Are the ends ``a`` and ``b`` two items of one list of names in sentence ``si`` (甲、乙和丙),
    as the list features read it (``_list_place``)?"""
    here, m = art.view(si).outer, art.mentions
    at = {m[j].start: k for k, j in enumerate(here)}
    if a.start not in at or b.start not in at:
        return False
    _, n, first_a = art.memo(("list", a.start), lambda: _list_place(art.text, m, here, a))
    _, _, first_b = art.memo(("list", b.start), lambda: _list_place(art.text, m, here, b))
    return n > 1 and first_a == first_b


def _list_place(text: str, m: list[Mention], here: list[int], end) -> tuple[int, int, int]:
    """(index, length, where the first item starts) of the list of names an end stands in
    (甲、乙和丙: 乙 is (1, 3, 甲's start)), ``here`` being the sentence's names not nested in
    another (昭觉县 of 昭觉县人民医院 is no item of its own)."""
    i = next((k for k, j in enumerate(here) if m[j].start == end.start), None)
    if i is None:
        return (0, 1, end.start)

    def joint(a: int, b: int) -> str | None:
        g = _LIST_JOINT.fullmatch(text, m[here[a]].end, m[here[b]].start)
        return g.group() if g else None

    def item_ends(b: int) -> bool:
        """Whether name ``b`` stands bare, as a list item does (the text after it joins, ends or
        counts): 甲，乙，丙等, not 甲对口支援乙，丙则承担… (a clause that opens on 丙)."""
        return _ITEM_END.match(text, m[here[b]].end) is not None

    def span(commas: bool) -> tuple[int, int]:
        ok = lambda a, b: (j := joint(a, b)) is not None and (j not in "，," or commas and item_ends(b))
        lo = i
        while lo > 0 and ok(lo - 1, lo):
            lo -= 1
        hi = i
        while hi + 1 < len(here) and ok(hi, hi + 1):
            hi += 1
        return lo, hi

    lo, hi = span(True)
    if any(joint(k, k + 1) not in "，," for k in range(lo, hi)):
        # 、 or 和 joins the items: a comma ends the clause (支援甲地区，乙、丙两市…; 甲和乙，丙则…)
        lo, hi = span(False)
    return (i - lo, hi - lo + 1, m[here[lo]].start)


def _signature(text: str, a: int, b: int, m: list[Mention], inside: list[int]) -> list[str]:
    """The span ``[a, b)`` as a short sequence of tokens that carry its meaning: partnership words
    as their class (<support>, <manage> …, !blocker, #label), role markers and 的/下/，as
    themselves, mentions as their type ([H] hospital, [R] region …); other words dropped.

    这是 "对[H]实行“组团式”帮扶" → ['对', '[H]', '<support>']: the same frame whatever the names
    and whatever adverbs or programme words stand between.
    """
    pw = lexicon().pair_words
    starts: dict[int, int] = {}
    for i in inside:  # a name nested at the start of another (莎车县 of 莎车县人民医院) is not the token
        if m[i].start not in starts or m[i].end > m[starts[m[i].start]].end:
            starts[m[i].start] = i
    words: dict[int, str] = {}
    for e, w in pw.automaton.iter_long(text[a:b]):
        words.setdefault(a + e - len(w) + 1, w)
    out: list[str] = []
    pos = a
    while pos < b:
        if pos in starts:
            i = starts[pos]
            tok, pos = f"[{m[i].type[0]}]", max(m[i].end, pos + 1)
        elif pos in words:
            w = words[pos]
            kind, cls = pw.kinds[w][0]
            tok = {"cue": f"<{cls}>", "blocker": f"!{cls}", "label": f"#{cls}", "coref": f"@{cls}"}.get(kind, w)
            pos += len(w)
        else:
            ch = text[pos]
            tok = "，" if ch in "，,：:；;" else ch if ch in "的下之" else ""
            pos += 1
        if tok and (not out or out[-1] != tok):
            out.append(tok)
    if len(out) > 6:
        out = out[:3] + ["…"] + out[-2:]
    return out
