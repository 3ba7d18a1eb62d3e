"""Candidates: every pair of organisations in one article that could be a partnership.

Recall first: the scorer (``loaders/scorer.py``) decides which candidates are edges.
A directed pair (source, target) of organisation mentions is a candidate when

* both sit in one sentence that holds a partnership word (``cue`` in
  ``vocab/partnership_words.tsv``);
* both sit in different cells of one table row ("甲——乙", "甲：乙；丙", columns), or one
  is an item of a list and the other is named on the line that heads it
  (``loaders/layout.py``);
* one is in a labelled list (受援单位为…) and the other in the lines just before;
* a clause holds a cue but names no one before it (…，其余6人分赴甲、乙两地): the subject
  carried from the sentences before is paired with the organisations after the cue;
* an end is a word standing for an organisation named elsewhere: 我院/本院 and a bare
  医院 (the article's own hospital, from the source line or the title; a list headed by a
  line that says 我院 pairs it with each item), 该院 (the last hospital named before its
  clause), 双方/两院 (the last two organisations), 后者/前者.

Both directions of a pair are candidates; features tell them apart.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from kg.model import Mention

from .clean import CJK
from .layout import ITEM_START, line_spans, tables
from .lexicon import lexicon
from .mentions import LEVEL_CHARS
from .sentences import ADVERBS, Sentence, clause_end, clause_start

#: Mention types that can be a party to a partnership.
PARTY_TYPES = ("Hospital", "University", "Agency", "Alliance", "Region")
#: At most this many parties in one sentence are paired (a longer sentence is a list of names).
MAX_PARTIES = 40
#: Labels that name who wrote or published an article or one of its items.
_SOURCE_LABELS = "来源|供稿|稿件来源|作者单位|通讯员"
#: (单位： alone, not 支援单位： or 受援单位：, which label partners)
_SOURCE_LINE = re.compile(rf"({_SOURCE_LABELS}|编辑|审核|责编|责任编辑|发布单位|主办|出品|(?<![{CJK}])单位)[：:]")


@dataclass(frozen=True)
class End:
    """One end of a candidate: the mention it stands for and where the text writes it.

    ``mention`` indexes ``Extraction.mentions``; for a stand-in word (我院, 该院, 双方)
    it is the antecedent's mention and ``start``/``end`` are the stand-in word's span.
    """

    mention: int
    start: int
    end: int
    via: str = ""  # "" | self | own | last | both | latter | former | party | addressee | row-above


@dataclass
class PairCandidate:
    """A directed pair that may be a partnership, read in one sentence (``sentence`` index)."""

    source: End
    target: End
    sentence: int
    context: str  # sentence | table-row | list-item | label | carried | both
    header: int = -1  # for labels: the sentence that heads the list
    columns: tuple[str, str] = ("", "")  # table rows and labels: each end's column or label class
    span: tuple[int, int] | None = None  # the text that states it, when not one sentence (a row)


@dataclass
class _Page:
    """What the steps of ``own_hospital`` read: the text, its sentences and mentions, and the hospital
    and university mentions (``hosp``, in text order)."""

    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    hosp: list[int]

    @property
    def edge(self) -> list[Sentence]:
        return self.sentences[:4] + self.sentences[-4:]

    def inside(self, s: Sentence) -> list[int]:
        return [i for i in self.hosp if s.start <= self.mentions[i].start < s.end]

    @cached_property
    def _starts(self) -> dict[int, int]:
        return {self.mentions[i].start: i for i in self.hosp}

    def starting_at(self, pos: int) -> int | None:
        return self._starts.get(pos)


def _after_name(p: _Page, i: int, end: int) -> str:
    """The text after mention ``i`` up to ``end``, without a bracket right after the name (its
    short name: 甲医院（甲医）…)."""
    return re.sub(r"^[（(][^）)]*[）)]", "", p.text[p.mentions[i].end:end])


def _on_source_line(p: _Page) -> int | None:
    """来源：甲医院 / 供稿：甲医院 / 单位：甲医院 on a line near the top or bottom."""
    for s in p.edge:
        if _SOURCE_LINE.search(s.text):
            inside = p.inside(s)
            if inside:
                return inside[0]
    return None


def _site_after_headline(p: _Page) -> int | None:
    """A page title that ends with the site's name: 院长赴甲县调研-乙医院."""
    if not p.sentences:
        return None
    s = p.sentences[0]
    last = max(p.inside(s), default=None, key=lambda i: p.mentions[i].end)
    if last is not None and not p.text[p.mentions[last].end:s.end].strip() \
            and p.text[p.mentions[last].start - 1:p.mentions[last].start] in _SITE_SEPARATORS:
        return last
    return None


def _writer_introduces_self(p: _Page) -> int | None:
    """利益相关：甲医院心内科 / 我是甲医院的一名护士: a self word, then the name, then a job or
    department within the sentence (not 我是乙医院的帮扶单位)."""
    person = lexicon().pair_words.of_class("intro", "person")
    for w in lexicon().pair_words.of_class("intro", "self"):
        for m in re.finditer(re.escape(w) + r"[：:\s]{0,2}", p.text):
            i = p.starting_at(m.end())
            if i is None:
                continue
            after = _after_name(p, i, p.mentions[i].end + 24)
            if any(x in re.split(r"[。；;！？]", after)[0][:12] for x in person):
                return i
    return None


def _byline(p: _Page) -> int | None:
    """A byline or a speaker's line: 文/甲医院肝胆外科 刘志强; 甲医院党委书记 周振宇 (the line holds
    the institution, a post and a person's name, and nothing else)."""
    person = lexicon().pair_words.of_class("intro", "person")
    for s in p.sentences[:4]:
        for i in p.inside(s):
            role = _BYLINE_TAIL.fullmatch(_after_name(p, i, s.end))
            if _BYLINE_HEAD.fullmatch(p.text[s.start:p.mentions[i].start]) and role \
                    and any(x in role.group(1) for x in person):
                return i
    return None


def _self_word_says_who(p: _Page) -> int | None:
    """我院是甲医院 / 本院系甲医院: the text says who it is (not 我院是乙医院的帮扶单位)."""
    for w in lexicon().pair_words.of_class("coref", "self"):
        for m in re.finditer(re.escape(w) + "(?:是|系|即)", p.text):
            i = p.starting_at(m.end())
            if i is not None and p.text[p.mentions[i].end:p.mentions[i].end + 1] not in "的之":
                return i
    return None


def _own_document_title(p: _Page) -> int | None:
    """A title naming one institution's own document: 甲医院2024年度工作总结, 甲医院…公告."""
    for s in p.sentences[:4]:
        inside = p.inside(s)
        if len({p.mentions[i].name for i in inside}) == 1 and _own_document().match(
                p.text, p.mentions[inside[0]].end, s.end):
            return inside[0]
    return None


def _alone_on_an_edge_line(p: _Page) -> int | None:
    """One institution that fills most of a line near the top or bottom (a letterhead, a signature)."""
    for s in p.edge:
        inside = p.inside(s)
        if len({p.mentions[i].name for i in inside}) == 1:
            named = sum(p.mentions[i].end - p.mentions[i].start for i in inside[:1])
            rest = re.sub(r"[\s\d年月日:：\-./|]", "", s.text)
            if named >= 0.6 * len(rest):
                return inside[0]
    return None


def _title_named_again(p: _Page) -> int | None:
    """The one institution of a title that does not itself say 我院, named again in the text (as
    written, or in full where the title has a level's short form: 省医 … 河北省人民医院)."""
    title = p.sentences[0] if p.sentences else None
    self_words = lexicon().pair_words.of_class("coref", "self")
    if title is None or title.paragraph != 0 or any(w in title.text for w in self_words):
        return None
    inside = p.inside(title)
    if len({p.mentions[i].name for i in inside}) != 1:
        return None
    name = p.mentions[inside[0]].name
    # 省医 (省人民医院) in the title, 河北省人民医院 in the text: a level's short form of the full name
    short = name[:1] in LEVEL_CHARS
    if sum(1 for i in p.hosp if p.mentions[i].name == name or short and i not in inside and
           p.mentions[i].name.endswith(name)) >= 2:
        return inside[0]
    return None


def _profile_opening(p: _Page) -> int | None:
    """A profile page's opening (医院简介, 医院概况): one of its first sentences starts with a
    hospital's name and says what it is (甲医院始建于1946年，是一所…; 甲医院位于…)."""
    for s in p.sentences[:4]:
        i = p.starting_at(s.start + len(s.text) - len(s.text.lstrip()))
        if i is not None and _PROFILE_WORDS.match(p.text, p.mentions[i].end):
            return i
    return None


#: What a profile's opening says right after the hospital's name.
_PROFILE_WORDS = re.compile(r"(?:始建于|始建|创建于|创办于|建于|成立于|组建于|前身[是为]|位于|坐落于|地处|"
                            r"是一所|是一家|系[^，。]{0,12}(?:医院|单位))")


#: How an article says which hospital it speaks for, most telling first: the first step that
#: names one decides (``own_hospital``). Each is tested on its own in tests/loaders/test_candidates.py.
OWN_HOSPITAL_STEPS = (_on_source_line, _site_after_headline, _writer_introduces_self, _byline,
                      _self_word_says_who, _own_document_title, _alone_on_an_edge_line,
                      _title_named_again, _profile_opening)


def own_hospital(text: str, sentences: list[Sentence], mentions: list[Mention],
                 parties: list[int]) -> int | None:
    """The mention of the hospital the article speaks for (我院), by the first of
    ``OWN_HOSPITAL_STEPS`` that finds one: a source line, the site's name after the headline, the
    writer introducing themself, a byline, 我院是甲医院, a title naming its own document, a line
    near the top or bottom that is its name, the one name of a title named again, or a profile
    page's opening (甲医院始建于…)."""
    hosp = [i for i in parties if mentions[i].type in ("Hospital", "University")]
    if not hosp:
        return None
    page = _Page(text, sentences, mentions, hosp)
    for step in OWN_HOSPITAL_STEPS:
        i = step(page)
        if i is not None:
            return i
    return None


#: A byline's opening before the writer's institution (文/, 作者：, 口述：), and after it a department or post,
#: a space and a person's name, and nothing else on the line.
_BYLINE_HEAD = re.compile(r"\s*(?:(?:文|图文|撰文|撰稿|作者|通讯员|口述|口述人|讲述|讲述人)\s*[/／：:]\s*)?")
_BYLINE_TAIL = re.compile(r"([^\s，。；;：:、]{2,12})[ \t\u3000]+[\u4e00-\u9fff·]{2,5}\s*")


@lru_cache(maxsize=1)
def _own_document() -> re.Pattern:
    """Right after a name: a year or a few words, then a document word (2024年度工作总结, 年度总结表彰大会)."""
    return re.compile(r"[^，。；！？、]{0,20}?(?:%s)" % lexicon().own_document.pattern)


#: What stands between a page's headline and its site's name in a title (标题-甲医院, 标题_甲医院).
_SITE_SEPARATORS = "-_|｜—–"


def pair_candidates(text: str, sentences: list[Sentence], mentions: list[Mention],
                    skip: set[int] = frozenset()) -> list[PairCandidate]:
    """Every directed pair of parties that may be a partnership, with how it was found."""
    pw = lexicon().pair_words
    parties = [i for i, m in enumerate(mentions)
               if m.type in PARTY_TYPES and i not in skip and m.rule != "prefix-of-name"]
    parties.sort(key=lambda i: mentions[i].start)
    starts = [s.start for s in sentences]
    by_sentence: dict[int, list[int]] = {}
    for i in parties:
        si = bisect.bisect_right(starts, mentions[i].start) - 1
        if si >= 0 and mentions[i].end <= sentences[si].end:
            by_sentence.setdefault(si, []).append(i)
    own = own_hospital(text, sentences, mentions, parties)
    defined = _defined_parties(text, mentions, parties)
    addressee = _addressee(text, sentences, mentions, parties)
    out, row_sentences, _ = _table_candidates(text, sentences, mentions, parties, starts, own)
    out += _label_candidates(text, mentions, parties, starts, own, _title_party(sentences, mentions, parties))
    topic: End | None = None
    for si, s in enumerate(sentences):
        ends = [End(i, mentions[i].start, mentions[i].end) for i in by_sentence.get(si, [])]
        words = [(s.start + e - len(w) + 1, s.start + e + 1, w) for e, w in pw.automaton.iter_long(s.text)]
        words = [(a, b, w) for a, b, w in words if not any(x.start <= a < x.end for x in ends)]
        kinds = {(k, c) for _, _, w in words for k, c in pw.kinds[w]}
        cues = [a for a, b, w in words if any(k == "cue" for k, _ in pw.kinds[w])]
        for a, b, w in words:
            for k, c in pw.kinds[w]:
                if k != "coref":
                    continue
                me = _source_in_line(text, mentions, parties, a)
                me = own if me is None else me
                if c == "self" and me is not None:
                    ends.append(End(me, a, b, "self"))
                elif c == "last":
                    ends += _antecedent(text, mentions, parties, starts, si, a, b)
                elif c == "own" and own is not None and _bare_word(text, a, b):
                    ends.append(End(own, a, b, "own"))
                elif c == "party" and w in defined and defined[w] not in {e.mention for e in ends}:
                    ends.append(End(defined[w], a, b, "party"))
                elif c == "addressee" and addressee is not None:
                    ends.append(End(addressee, a, b, "addressee"))
                elif c == "alliance" and (named := _last_alliance(mentions, parties, starts, si, a)) is not None \
                        and named not in {e.mention for e in ends}:
                    ends.append(End(named, a, b, "alliance"))
                elif c in ("both", "latter", "former"):
                    # 甲…，我院每月派出专家赴两院查房: after a receiving marker each of the two named before
                    # the clause is a receiving end
                    receiving = c == "both" and text[max(0, a - 4):a].endswith(_receiving_markers())
                    two = _last_two(parties, mentions, clause_start(text, s.start, a) if receiving else a, starts, si)
                    if two is None:
                        continue
                    x, y = two
                    if receiving:
                        ends += [End(x, a, b, "both"), End(y, a, b, "both")]
                    elif c == "both":
                        out.append(PairCandidate(End(x, a, b, "both"), End(y, a, b, "both"), si, "both"))
                        out.append(PairCandidate(End(y, a, b, "both"), End(x, a, b, "both"), si, "both"))
                    else:
                        ends.append(End(y if c == "latter" else x, a, b, c))
        ends.sort(key=lambda e: e.start)
        if cues and len(ends) <= MAX_PARTIES and si not in row_sentences:
            for a in ends:
                for b in ends:
                    if a.mention != b.mention and mentions[a.mention].name != mentions[b.mention].name:
                        out.append(PairCandidate(a, b, si, "sentence"))
        if topic is not None and cues:
            # A sentence, or a clause, whose cue has no one before it continues the topic: the
            # sentence with everyone in it, the clause with those after the cue (…，其余6人分赴甲、乙).
            if _subjectless(text, s, ends, cues[0]):
                taken = ends  # nobody acts before the cue (与乙医院签订…; 对乙县医院实行帮扶)
            elif any(e.start < _opening_clause_end(text, s) for e in ends):
                taken = []  # the sentence opens with its own subject (2. 甲医院4人，进驻乙县人民医院;
                #             此外，丙医院派出医疗队支援丁县人民医院，帮助该院…)
            else:
                spans = [(c, clause_end(text, c, s.end)) for c in cues
                         if not any(clause_start(text, s.start, c) <= e.start < c for e in ends)]
                taken = [e for e in ends if any(c < e.start < z for c, z in spans)]
            for b in taken:
                if mentions[b.mention].name != mentions[topic.mention].name:
                    out.append(PairCandidate(topic, b, si, "carried"))
                    out.append(PairCandidate(b, topic, si, "carried"))
        if own is not None and cues and _subjectless(text, s, ends, cues[0]):
            # In an institution's own document a sentence whose cue has no one before it speaks for
            # the institution (一是托管乙县人民医院；对丙县人民医院实行“组团式”帮扶).
            me = End(own, mentions[own].start, mentions[own].end, "own")
            for b in ends:
                if mentions[b.mention].name != mentions[own].name:
                    out.append(PairCandidate(me, b, si, "carried"))
                    out.append(PairCandidate(b, me, si, "carried"))
        subject = next((e for e in ends if e.start - s.start <= 30 and not e.via
                        and not _not_subject(text, s, e)), None)
        opens = subject is not None and subject.start - s.start <= 2 and (
            si == 0 or sentences[si - 1].paragraph != s.paragraph)
        if subject is not None and (mentions[subject.mention].type != "Region" or kinds & _REGION_TOPIC or opens):
            topic = subject
    return out


def _opening_clause_end(text: str, s: Sentence) -> int:
    """Where a sentence's first clause ends, past lead-ins that are clauses of their own
    (此外，/ 同时，/ 2023年3月，): the clause its subject stands in."""
    end = clause_end(text, s.start, s.end)
    for _ in range(2):
        lead = text[s.start:end].strip(" \t\u3000，,")
        if end >= s.end or not lead or not ADVERBS.fullmatch(lead):
            break
        end = clause_end(text, end + 1, s.end)
    return end


def _defined_parties(text: str, mentions: list[Mention], parties: list[int]) -> dict[str, int]:
    """What an agreement's 甲方/乙方 stand for: the name on the line that labels it
    (甲方：甲医院; 乙方（受援单位）：乙县人民医院), the first such line of each label."""
    labels = lexicon().pair_words.of_class("coref", "party")
    starts = {mentions[i].start: i for i in parties}
    out: dict[str, int] = {}
    for m in _PARTY_LABEL.finditer(text):
        w = m.group(1)
        if w in labels and w not in out and m.end() in starts:
            out[w] = starts[m.end()]
    return out


def _addressee(text: str, sentences: list[Sentence], mentions: list[Mention], parties: list[int]) -> int | None:
    """The hospital a letter is written to (贵院 in it): the one its salutation line names
    (尊敬的甲医院领导：, 甲医院全体医护人员：, 甲医院：), in the first few lines."""
    by_start = {mentions[i].start: i for i in parties if mentions[i].type == "Hospital"}
    for m in _SALUTATION.finditer(text, 0, sentences[min(len(sentences), 8) - 1].end if sentences else 0):
        i = by_start.get(m.start(1))
        if i is not None and mentions[i].end == m.end(1):
            return i
    return None


#: A letter's salutation: 尊敬的甲医院领导： / 甲医院全体医护人员： / 甲医院：
_SALUTATION = re.compile(r"(?m)^[ \t　]*(?:尊敬的)?([^\s：:，。]{4,30}?)"
                         r"(?:领导|各位领导|全体医护人员|全体医务人员|全体职工|的医护人员)?(?:们)?[：:][ \t　]*$")


#: A line that labels a party of an agreement: 甲方：…, 乙方（受援单位）：…
_PARTY_LABEL = re.compile(r"(?m)^[ \t　]*(\w方)(?:[（(][^）)\n]{0,12}[）)])?[：:][ \t　]*")


def _subjectless(text: str, s: Sentence, ends: list[End], cue: int) -> bool:
    """Whether nobody acts before the sentence's first cue: no one is named before it, or the first
    one named is already a receiving end or a partner (二是对乙县医院、丙县医院实行帮扶; 向乙县选派;
    与乙医院签订托管协议)."""
    first = min((e for e in ends if e.start < cue), key=lambda e: e.start, default=None)
    if first is None:
        return True
    if not first.via and _PASSIVE_AGENT.fullmatch(text, clause_start(text, s.start, first.start), first.start):
        return True  # 2022年起由甲医院全面托管: the one managed is left out, carried from before
    return not first.via and _not_subject(text, s, first)


#: A clause that opens on the agent of a passive (由甲…, 被甲…), after a date at most.
_PASSIVE_AGENT = re.compile(r"\s*(?:[\d一二三四五六七八九十〇零]{2,4}年(?:\d{1,2}月)?(?:起|以来|开始)?[，,]?)?(?:由|被)")


def _not_subject(text: str, s: Sentence, e: End) -> bool:
    """Whether ``e`` is no subject of its clause: a role marker of the receiving end, or 曾在 (a past
    stay), stands right before it (对乙县医院, 赴乙县, 曾在乙医院进修), or the clause opens with a
    partner word before it (与乙医院签订…: the subject is left out, carried from before)."""
    lead = text[clause_start(text, s.start, e.start):e.start]
    if _CAPTION_OPENER.fullmatch(lead):
        return False  # 图为甲医院专家…: a photo caption's opening, not the marker 为
    return lead.endswith(_receiving_markers()) or ADVERBS.sub("", lead).strip() in _partner_markers()


#: A photo caption's opening words before its subject: 图为, 上图为, 图2为, 图为7月18日，
_CAPTION_OPENER = re.compile(r"\s*(?:[上下左右中]?图|图\s*\d{1,2})\s*[为：:]\s*")


@lru_cache(maxsize=1)
def _partner_markers() -> frozenset[str]:
    """The role markers of a pair (与, 同 …): a clause that opens with one before a name leaves its
    subject out (与乙…, 并同乙…, 还与乙…)."""
    return frozenset(w for w, c in lexicon().pair_words.of_kind("marker").items() if c == "with" and w.isalpha())


@lru_cache(maxsize=1)
def _receiving_markers() -> tuple[str, ...]:
    """The role markers of a receiving end (对, 向, 赴 …), and 曾在."""
    return ("曾在", *(w for w, c in lexicon().pair_words.of_kind("marker").items() if c == "to"))


#: A region heads the topic only in a sentence that says it gives help (山东省对口支援…, 北京市援疆医疗队),
#: or as the first words of a paragraph (甲区围绕…引入专家。与乙医院签订…).
_REGION_TOPIC = {("cue", "support"), ("cue", "aid"), ("cue", "send")}


@lru_cache(maxsize=1)
def _helper_frame() -> tuple[re.Pattern, re.Pattern]:
    """(before, after): the frame words of ``partnership_words.tsv`` right before a name
    (在, 依托, 抢抓 …, with an optional 与) and after it (…的…帮扶, or …帮扶…机遇 with no 的)."""
    frame = lexicon().pair_words.of_kind("frame")
    alt = lambda cls: "|".join(sorted((w for w, c in frame.items() if c == cls), key=len, reverse=True))
    before = re.compile(rf"(?:{alt('before')})与?$")
    after = re.compile(rf"[^，。；]{{0,12}}?的[^，。；]{{0,8}}?(?:{alt('help')})"
                       rf"|[^，。；]{{0,20}}?(?:{alt('help')})的?(?:{alt('occasion')})")
    return before, after


def helped_by(text: str, lo: int, end) -> bool:
    """Whether the name at ``end`` (a mention or an End) stands in a helper frame: 在[甲]的帮扶下,
    抢抓[甲]对口帮扶机遇 (``lo``: where its sentence starts)."""
    before, after = _helper_frame()
    return bool(before.search(text[max(lo, end.start - 5):end.start]) and after.match(text, end.end))


def _antecedent(text: str, mentions: list[Mention], parties: list[int], starts: list[int], si: int,
                a: int, b: int) -> list[End]:
    """What 该院 at ``[a, b)`` stands for: the last hospital named before its own clause (one in
    the same clause is its partner: 甲向该院派驻…), within three sentences, passing over a hospital
    its own clause names after it (该院已向乙派驻…: not 乙); but the head of a relative clause that
    opens its clause when there is one (由甲托管的乙完成该院首例…: 乙). [] when none is."""
    clause = clause_start(text, starts[si], a)
    # 该院已向乙县人民医院派驻专家 after 甲医院专家在乙县人民医院…: 该院 is not the one its own clause
    # pairs it with (乙, named again), but the one before.
    partners = {mentions[j].name for j in parties if mentions[j].type == "Hospital"
                and b <= mentions[j].start < clause_end(text, b, len(text))}
    for i in reversed(parties):
        m = mentions[i]
        if m.type == "Hospital" and clause <= m.start and m.end <= a and _HEADS_RELATIVE.match(text, clause, m.start):
            # 由甲托管的乙完成该院首例…, 受甲帮扶的乙新建了该院…: the clause tells of 乙, and 该院 is 乙
            return [End(i, a, b, "last")]
        if m.end > clause or m.type != "Hospital" or m.name in partners:
            continue
        if m.start >= starts[si] and helped_by(text, starts[si], m):
            continue  # 在甲医院的帮扶下，该院…: 该院 is the one helped, named before
        if m.start >= starts[si] and _in_giver_list(text, mentions, parties, clause_start(text, starts[si], m.start), m):
            continue  # 来自甲、乙等单位的专家…，帮扶该院: the givers; 该院 is named before them
        sm = _sentence_of(starts, m.start)
        if si - sm > 3:
            break
        # 该院与乙建立转诊关系。丙对口支援该院: 乙 follows a 该院 that opens its sentence (the
        # topic, told of again), so this 该院 is that one's too.
        opening = _LAST_OPENS.match(text, starts[sm])
        if sm < si and opening and opening.end() <= m.start:
            return [End(e.mention, a, b, "last") for e in
                    _antecedent(text, mentions, parties, starts, sm, opening.start(1), opening.end(1))]
        return [End(i, a, b, "last")]
    return []


def _in_giver_list(text: str, mentions: list[Mention], parties: list[int], lo: int, m: Mention) -> bool:
    """Whether ``m`` is an item of a list right after a giver's marker (来自/由/从甲、乙和丙) in the
    clause from ``lo``: only names and list joints between the marker and it."""
    marker = None
    for marker in _GIVER_MARKER.finditer(text, lo, m.start):
        pass  # the nearest one
    if marker is None:
        return False
    at = marker.end()
    for o in sorted((mentions[i] for i in parties if marker.end() <= mentions[i].start and mentions[i].end <= m.start),
                    key=lambda o: o.start):
        if text[at:o.start].strip(_LIST_GAP):
            return False
        at = max(at, o.end)
    return not text[at:m.start].strip(_LIST_GAP)


_GIVER_MARKER = re.compile(r"来自|由|从")
#: A name that heads a relative clause opening its clause: (由|受|经)甲…的[乙] (the span ends right
#: before 乙).
_HEADS_RELATIVE = re.compile(r"[^，。；]{0,12}?(?:由|受|经)[^，。；]{2,40}的$")
_LIST_GAP = "、，,和及与 \u3000"
#: A sentence opening on 该院 (after a date or a lead-in word at most).
_LAST_OPENS = re.compile(r"\s*(?:[^，。；\n]{0,12}?[，,])?\s*(该院|该医院)")


def _bare_word(text: str, a: int, b: int) -> bool:
    """Whether the word at ``[a, b)`` stands alone (医院 after a date, a space or a function word),
    not as the tail of a longer name (县医院, 人民医院)."""
    before = text[max(0, a - 2):a]
    return (not before or not _HAN.match(before[-1]) or before[-1] in _BARE_AFTER_CHARS
            or before in _BARE_AFTER_WORDS) and text[b:b + 1] not in ("院", "长")


#: Function words after which 医院 stands alone (由医院派出, 与医院签约, 交由医院托管).
_BARE_AFTER_CHARS = "由与和对向在经"
_BARE_AFTER_WORDS = ("交由", "委托")
_HAN = re.compile(f"[{CJK}]")
_LABEL_TAIL = re.compile(r"\s*(?:[：:]|，?为|，?是|有|包括|——|—|】|］|\]|〕)")
_ITEM_SOURCE = re.compile(rf"[（(](?:{_SOURCE_LABELS})[：:]([^（）()]{{2,40}})[）)]")


def _source_in_line(text: str, mentions: list[Mention], parties: list[int], pos: int) -> int | None:
    """The hospital a digest item names as its own source, in the line holding ``pos``: （供稿：甲医院）."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    b = len(text) if b < 0 else b
    for m in _ITEM_SOURCE.finditer(text, a, b):
        inside = [i for i in parties if m.start(1) <= mentions[i].start < m.end(1)
                  and mentions[i].type in ("Hospital", "University")]
        if inside:
            return inside[0]
    return None


def _title_party(sentences: list[Sentence], mentions: list[Mention], parties: list[int]) -> int | None:
    """The one organisation or place a headline is about (上海市援藏工作汇报, 阿里地区帮扶工作情况),
    or None when the first line is no headline or names more than one."""
    if not sentences or sentences[0].paragraph != 0:
        return None
    inside = [i for i in parties if sentences[0].start <= mentions[i].start < sentences[0].end]
    return inside[0] if len({mentions[i].name for i in inside}) == 1 else None


def _label_candidates(text: str, mentions: list[Mention], parties: list[int],
                      starts: list[int], own: int | None = None,
                      titled: int | None = None) -> list[PairCandidate]:
    """Pairs named under labels on one line: 支援单位：甲；受援单位：乙、丙 / 受援医院为乙，支援医院为甲;
    a line with only receivers takes its givers from a line above that only gives (【帮扶单位】甲
    over 【受援单位】乙, up to a blank line), or else from the one-name lines just above (a list),
    or else from the headline (``titled``: 上海市援藏工作汇报 … 对口县：甲县、乙县), with columns
    (title, receiver)."""
    pw = lexicon().pair_words
    labels = pw.of_kind("label")
    out: list[PairCandidate] = []
    block: list[int] = []
    givers: list[int] = []  # a line that only gives (【帮扶单位】甲) heads the receiver lines below it
    for a, b in line_spans(text):
        line = text[a:b]
        here = [i for i in parties if a <= mentions[i].start < b]
        if not line.strip():
            givers = []
        marks = [(x, c) for x, c in _label_marks(text, a, b)
                 if not any(mentions[i].start <= x < mentions[i].end for i in here)]
        if not marks:
            block = block + here if len(here) == 1 and len(line) - (mentions[here[0]].end - mentions[here[0]].start) <= 8 \
                else []
            continue
        side: dict[str, list[int]] = {"giver": [], "receiver": []}
        for i in here:
            before = [c for x, c in marks if x < mentions[i].start]
            if before:
                side[before[-1]].append(i)
        cols = ("giver", "receiver")
        if side["receiver"] and not side["giver"]:
            first = marks[0][0]
            side["giver"] = [i for i in here if mentions[i].end <= first] or givers or block[-10:]
            if not side["giver"] and titled is not None and mentions[titled].end <= a:
                side["giver"], cols = [titled], ("title", "receiver")
        elif side["giver"] and not side["receiver"]:
            givers = side["giver"]
            out += _named_before(text, mentions, parties, starts, a, marks, side["giver"], own, titled)
            continue
        si = _sentence_of(starts, a)
        for g in side["giver"]:
            for r in side["receiver"]:
                if mentions[g].name == mentions[r].name:
                    continue
                eg = End(g, mentions[g].start, mentions[g].end)
                er = End(r, mentions[r].start, mentions[r].end)
                span = (min(a, mentions[g].start), b)
                out.append(PairCandidate(eg, er, si, "label", columns=cols, span=span))
                out.append(PairCandidate(er, eg, si, "label", columns=cols[::-1], span=span))
        block = []
    return out


def _label_marks(text: str, a: int, b: int) -> list[tuple[int, str]]:
    """``(start, class)`` of the giver and receiver labels in ``text[a:b]`` that head what follows
    them (受援单位：… / 支援医院为…; not 受援医院的 in prose)."""
    pw = lexicon().pair_words
    labels = pw.of_kind("label")
    out = []
    for e, w in pw.automaton.iter_long(text[a:b]):
        x = a + e - len(w) + 1
        if labels.get(w) in ("giver", "receiver") and _LABEL_TAIL.match(text, x + len(w)):
            out.append((x, labels[w]))
    return out


def _after_label(text: str, pos: int) -> bool:
    """Whether a giver or receiver label (受援单位：, 帮扶医院为) stands before ``pos`` on its line."""
    return bool(_label_marks(text, text.rfind("\n", 0, pos) + 1, pos))


#: What joins the names of one label's value: 甲、乙和丙; 一是甲（注），二是乙.
_JOINED = re.compile(r"\s*(?:[（(][^（）()\n]{0,30}[）)])?\s*(?:[、和及与]|以及|[，；;]?[一二三四五六七八九十]是)\s*")
#: How far above a giver label its record's own name may stand (名称：乙县人民医院 … 帮扶医院：甲).
_RECORD_LINES = 6


def _named_before(text: str, mentions: list[Mention], parties: list[int], starts: list[int], a: int,
                  marks: list[tuple[int, str]], givers: list[int], own: int | None,
                  titled: int | None = None) -> list[PairCandidate]:
    """A giver label names who helps what was named before it: the hospital just before the label on
    its line (乙县医院（支援单位为甲）; 乙医院的帮扶单位是甲), 我院/本院 there, or else the record's
    own hospital: the last one named on the nearest line above that names one, at most _RECORD_LINES
    lines up (名称：乙县人民医院 / 地址：… / 帮扶医院：甲), or else what the headline is about
    (阿里地区…情况 / 援藏省份：甲省). Columns (giver, receiver) on the line, (giver, record) from
    above, (giver, title) from the headline. A giver line that opens an item (（三）支援单位：甲) and
    a name that stands under a label of its own (the line before's 受援单位：乙) have no record."""
    out: list[PairCandidate] = []
    hosp = [i for i in parties if mentions[i].type == "Hospital"]
    giver_marks = [x for x, c in marks if c == "giver"]
    for n, x in enumerate(giver_marks):
        nxt = giver_marks[n + 1] if n + 1 < len(giver_marks) else len(text)
        after = [g for g in givers if x < mentions[g].start < nxt]
        mine = after[:1]  # the label's value: its first name and those joined to it (甲、乙和丙)
        for g in after[1:]:
            if not _JOINED.fullmatch(text, mentions[mine[-1]].end, mentions[g].start):
                break
            mine.append(g)
        before = [i for i in hosp if a <= mentions[i].start and mentions[i].end <= x and i not in mine]
        cols = ("giver", "receiver")
        if before:
            got = [End(before[-1], mentions[before[-1]].start, mentions[before[-1]].end)]
        elif own is not None and _self_words(text, a, x):
            got = [End(own, p, q, "self") for p, q in _self_words(text, a, x)[-1:]]
        else:
            got, cols = [], ("giver", "record")
            if not ITEM_START.match(text, a):  # （三）支援单位：甲 opens an item: nothing above is its record
                top = text.rfind("\n", 0, max(0, a - 1)) + 1
                for _ in range(_RECORD_LINES - 1):
                    if top == 0 or any(top <= mentions[i].start < a for i in hosp):
                        break
                    top = text.rfind("\n", 0, top - 1) + 1
                # A name under a label of its own (受援单位：乙, the row before's) is no record's name.
                near = [i for i in hosp if top <= mentions[i].start < a and i not in givers
                        and not _after_label(text, mentions[i].start)]
                got = [End(i, mentions[i].start, mentions[i].end) for i in near[-1:]]
            if not got and titled is not None and mentions[titled].end <= a:
                got, cols = [End(titled, mentions[titled].start, mentions[titled].end)], ("giver", "title")
        si = _sentence_of(starts, x)
        for g in mine:
            eg = End(g, mentions[g].start, mentions[g].end)
            for er in got:
                if mentions[g].name == mentions[er.mention].name:
                    continue
                span = (min(a, er.start), mentions[g].end)
                out.append(PairCandidate(eg, er, si, "label", columns=cols, span=span))
                out.append(PairCandidate(er, eg, si, "label", columns=cols[::-1], span=span))
    return out


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(starts, pos) - 1)


def _table_candidates(text: str, sentences: list[Sentence], mentions: list[Mention], parties: list[int],
                      starts: list[int], own: int | None = None) -> tuple[list[PairCandidate], set[int], set[int]]:
    """Pairs from tables (names in different cells of one row) and lists (each item with the names
    of the line that heads it, or the article's own hospital when the line says 我院); also which
    sentences are rows and which are list items."""
    out: list[PairCandidate] = []
    rows, items = set(), set()
    for tb in tables(text, parties, mentions):
        width = max(sum(1 for c in r.cells if c is not None) for r in tb.rows)
        head = _sentence_of(starts, tb.heading[0]) if tb.heading else -1
        givers = _table_givers(text, mentions, parties, tb, own) if width > 1 else []
        for r in tb.rows:
            si = _sentence_of(starts, r.start)
            if width == 1:
                items.update(range(si, _sentence_of(starts, max(r.start, r.end - 1)) + 1))
                if tb.heading is None:
                    continue
                heads = [End(i, mentions[i].start, mentions[i].end) for i in parties
                         if tb.heading[0] <= mentions[i].start < tb.heading[1]]
                if own is not None:
                    heads += [End(own, a, b, "self") for a, b in _self_words(text, *tb.heading)]
                for a in heads:
                    for i in next(c for c in r.cells if c):
                        if i == a.mention:
                            continue
                        b = End(i, mentions[i].start, mentions[i].end)
                        out.append(PairCandidate(a, b, si, "list-item", head, span=(r.start, r.end)))
                        out.append(PairCandidate(b, a, si, "list-item", head, span=(r.start, r.end)))
                continue
            # A whole line of two or more filled cells: its sentences are this row (a line whose names
            # all sit in one cell, ——甲5人，派驻乙；, is prose and pairs as a sentence).
            if (r.start == 0 or text[r.start - 1] == "\n") and sum(1 for c in r.cells if c) >= 2:
                rows.update(range(si, _sentence_of(starts, max(r.start, r.end - 1)) + 1))
            for x, col in enumerate(tb.columns[:len(r.cells)]):
                if col != "receiver" or not r.cells[x]:
                    continue
                for a in givers:  # 我院对口帮扶的县级医院如下： over a table of receivers only
                    for j in r.cells[x]:
                        if mentions[j].name == mentions[a.mention].name:
                            continue
                        b = End(j, mentions[j].start, mentions[j].end)
                        out.append(PairCandidate(a, b, si, "table-row", head, ("giver", "receiver"), (r.start, r.end)))
                        out.append(PairCandidate(b, a, si, "table-row", head, ("receiver", "giver"), (r.start, r.end)))
            for x in range(len(r.cells)):
                for y in range(len(r.cells)):
                    if x == y or not r.cells[x] or not r.cells[y]:
                        continue
                    cx = tb.columns[x] if x < len(tb.columns) else ""
                    cy = tb.columns[y] if y < len(tb.columns) else ""
                    for i in r.cells[x]:
                        for j in r.cells[y]:
                            if mentions[i].name == mentions[j].name:
                                continue
                            a = End(i, mentions[i].start, mentions[i].end, "row-above" if x in r.inherited else "")
                            b = End(j, mentions[j].start, mentions[j].end, "row-above" if y in r.inherited else "")
                            out.append(PairCandidate(a, b, si, "table-row", head, (cx, cy), (r.start, r.end)))
    return out, rows, items


def _table_givers(text: str, mentions: list[Mention], parties: list[int], tb, own: int | None) -> list[End]:
    """Who gives to a table with a receiver column and no giver column: the organisations, or the
    article's own hospital for 我院, of the line just above its header (我院对口帮扶的县级医院如下：)."""
    if "giver" in tb.columns or "receiver" not in tb.columns or tb.heading is None:
        return []
    a = text.rfind("\n", 0, max(0, tb.heading[0] - 1)) + 1
    b = max(a, tb.heading[0] - 1)
    if not text[a:b].strip() or a >= tb.heading[0]:
        return []
    out = [End(i, mentions[i].start, mentions[i].end) for i in parties
           if a <= mentions[i].start < b and mentions[i].type in ("Hospital", "University", "Agency", "Region")]
    if own is not None:
        out += [End(own, x, y, "self") for x, y in _self_words(text, a, b)]
    return out


def _self_words(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spans of the words standing for the article's own hospital (我院, 本院 …) in ``[a, b)``."""
    pw = lexicon().pair_words
    return [(a + e - len(w) + 1, a + e + 1) for e, w in pw.automaton.iter_long(text[a:b])
            if ("coref", "self") in pw.kinds[w]]


def _last_alliance(mentions: list[Mention], parties: list[int], starts: list[int], si: int, pos: int) -> int | None:
    """What a bare 医共体/医联体/专科联盟 at ``pos`` stands for: the last alliance named before it,
    within ``ALLIANCE_SENTENCES`` sentences (甲县人民医院医共体…。医共体成员单位包括乙、丙)."""
    for i in reversed(parties):
        m = mentions[i]
        if m.end > pos or m.type != "Alliance":
            continue
        return i if si - _sentence_of(starts, m.start) <= ALLIANCE_SENTENCES else None
    return None


#: How many sentences back a bare 医共体 looks for the alliance it stands for.
ALLIANCE_SENTENCES = 4


def _last_two(parties: list[int], mentions: list[Mention], pos: int, starts: list[int],
              si: int) -> tuple[int, int] | None:
    """The last two differently named parties before ``pos`` (within two sentences)."""
    seen: list[int] = []
    for i in reversed(parties):
        m = mentions[i]
        if m.end > pos:
            continue
        if si - _sentence_of(starts, m.start) > 2:
            break
        if m.type == "Region" or any(mentions[j].name == m.name for j in seen):
            continue
        seen.append(i)
        if len(seen) == 2:
            return seen[1], seen[0]
    return None
