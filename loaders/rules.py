"""Relation rules: cue words (``relation_cues.tsv``) and where the mentions sit around them.

Each cue names a pattern (``p_<pattern>`` below) that finds the source and target
mentions in the cue's clause, or carries them from the sentence's topic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Mention

from .lexicon import Cue, lexicon
from .mentions import PUNCT
from .quantities import quantities, time_attrs
from .sentences import ADVERBS, Sentence

ORG_TYPES = ("Hospital", "Agency", "University", "Alliance", "Region")
_HELPED_BY = re.compile(r"(在|得到|获得|接受)(.{2,40}?)的(?:对口|结对|组团式)?(帮扶|支援|托管|支持|指导)")
_BRANCH_IN = re.compile(r"在(.{2,20}?)(?:设立|建设|建立|开设|成立|挂牌)(?:了)?[^，。；]{0,12}?(?:分院|院区)")
_JOINS_NETWORK = re.compile(r"成为(.{2,30}?)的[^，。；]{0,10}?(?:医联体|医共体|专科联盟|协作医院|合作医院|成员单位)")
_TAKEN_IN = re.compile(r"将(.{2,40}?)纳入(?:为)?(?:其)?成员")
_CUE_AS_NOUN = ("工作", "医院", "单位", "关系", "机制", "任务", "资金", "协议", "政策", "对子", "框架")
# 甲与乙、丙建立“县乡一体化”帮扶关系 / 结成帮扶对子: support between them, direction by level.
_PAIRED_SUPPORT = re.compile(r"与(.{2,40}?)(?:建立|结成|形成|签订|签署)(?:了)?(?:“[^”]{1,12}”)?(?:的)?"
                             r"(?:对口|结对|组团式)?(帮扶|支援|托管)(?:合作)?(?:关系|对子|协议)")
# 甲与乙建立紧密型医联体 / 协作关系: a partnership.
_PAIRED_NETWORK = re.compile(r"与(.{2,40}?)(?:建立|组建|结成)(?:了)?[^，。；]{0,10}?"
                             r"(?:医联体|医共体|合作关系|协作关系|专科联盟)")


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




def chain_prefixes(mentions: list[Mention]) -> set[int]:
    """Region mentions that only locate the next one (毕节市 in 毕节市威宁县): relations attach to the last."""
    from .divisions import divisions

    d = divisions()
    order = sorted(range(len(mentions)), key=lambda i: mentions[i].start)
    out = set()
    for a, b in zip(order, order[1:]):
        ma, mb = mentions[a], mentions[b]
        if ma.type == mb.type == "Region" and ma.end == mb.start and any(
                d.is_within(kb, ka) for kb in mb.attrs.get("candidates", [])
                for ka in ma.attrs.get("candidates", [])):
            out.add(a)
    return out


class _Relations:
    """Walks the sentences and applies each cue's pattern; keeps the topic between sentences."""

    def __init__(self, text: str, mentions: list[Mention], sentences: list[Sentence]):
        self.text, self.m, self.sents = text, mentions, sentences
        self.out: list[RelationCandidate] = []
        self.lex = lexicon()
        self.chain_prefix = chain_prefixes(mentions)

    def add(self, s: int, t: int, typ: str, si: int, rule: str, conf: float, clause: str = "",
            undirected: bool = False):
        if s == t or s is None or t is None:
            return
        if typ != "RUNS" and any(self.m[x].rule == "self-reference" and self.m[x].text.startswith("全")
                                 and x != self.region_topic for x in (s, t)):
            return  # 纳入全省重点项目: "everywhere in the province" is not a party to a partnership
        sent = self.sents[si].text
        attrs = time_attrs(sent)
        q = quantities(self._scope(si, clause) if clause else sent, attrs.get("year"))
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
            if idx:  # a sentence naming no one adds no relation
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
        lead = ADVERBS.sub("", self.text[cs:c0])
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


def relation_candidates(text: str, mentions: list, sentences: list[Sentence]) -> list[RelationCandidate]:
    """Relation candidates of one document from the cue-word rules."""
    return _Relations(text, mentions, sentences).run()
