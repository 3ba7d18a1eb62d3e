"""Score a built graph against gold annotations (gold/FORMAT.md): precision, recall, F1.

Scored per article and micro-averaged: entities by (type, name), relations by
(source, rel, target), and the supports_county pairs. Regions are compared by their
division code when both sides resolve one, so 福田区 and 深圳市福田区 are the same place.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GoldFormatError
from .graph import KnowledgeGraph
from .model import PARTNERSHIP_TYPES, REGION_TYPES

_STRIP = re.compile(r"[《》〈〉“”\"'‘’「」\s]")


def norm(name: str) -> str:
    """Name as compared: no book-title marks, quotes or spaces."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", name))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    causes: dict[str, str] = field(default_factory=dict)  # miss or false positive -> why (``-v``)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self, verbose: bool = False) -> dict:
        d = {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
             "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}
        if verbose:
            d["misses"] = self.misses
            d["false_positives"] = self.false_positives
            if self.causes:
                d["causes"] = self.causes
        return d


def read_gold(path: str | Path) -> list[dict]:
    """Parse a gold JSONL file, with a clear error naming the line on bad input."""
    out = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldFormatError(f"{path}: cannot read gold file: {exc.strerror or exc}") from exc
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldFormatError(f"{path}:{i}: not valid JSON ({exc.msg})") from exc
        if not isinstance(d, dict) or "doc" not in d:
            raise GoldFormatError(f"{path}:{i}: each line must be an object with a \"doc\" field")
        out.append(d)
    return out


def gold_key(e: dict, divisions) -> tuple:
    """How a gold entity is compared: its division key for regions, else (type, normalised name)."""
    if e.get("type") in REGION_TYPES and e.get("region"):
        r = divisions.resolve_path(e["region"])
        if r is not None and r.type == e["type"]:
            return ("R", r.key)
    return (e.get("type"), norm(e["name"]))


def entity_keys(e) -> list[tuple]:
    """The keys an entity of ours can match: its division key for regions, else its name and aliases."""
    if e.type in REGION_TYPES and e.attrs.get("division"):
        return [("R", e.attrs["division"])]
    return [(e.type, norm(n)) for n in [e.name, *sorted(e.aliases)]]


def evaluate(graph: KnowledgeGraph, gold: list[dict], linker_of=None, model=None) -> dict[str, Score]:
    """Entity, relation, supports_county and per-type entity scores over all gold articles, and
    ``partnerships``: the relations between organisations (SUPPORTS, MANAGES, PARTNERS_WITH,
    LEADS, MEMBER_OF) summed, with LOCATED_IN, ISSUED_BY and RUNS left to their own rows.

    ``linker_of(doc_id)`` (optional) gives the article linked again (``kg.pipeline.linked``):
    then every partnership miss and false positive gets its cause (see ``Causes``), under
    ``model`` (the packaged partnership model unless given).
    """
    from loaders.divisions import divisions

    div = divisions()
    scores = {"entities": Score(), "relations": Score(), "supports_county": Score()}
    per_type: dict[str, Score] = {}
    per_rel: dict[str, Score] = {}
    support_rows = graph.supports()
    for g in gold:
        doc = g["doc"]
        ours = [e for e in graph.entities.values() if doc in e.mentions]
        # Our key for each entity: canonical key; aliases only used to find a gold match.
        gkeys = {}
        for e in g.get("entities", []):
            gkeys[e["name"]] = gold_key(e, div)
        gold_set = set(gkeys.values())
        key_of: dict[str, tuple] = {}
        for e in ours:
            keys = entity_keys(e)
            key_of[e.id] = next((k for k in keys if k in gold_set), keys[0])
        _score(scores["entities"], gold_set, set(key_of.values()), doc, per_type, lambda k: k[0]
               if k[0] != "R" else _region_type(div, k[1]))
        gold_rels = {(gkeys.get(r["source"], ("?", r["source"])), r["rel"],
                      gkeys.get(r["target"], ("?", r["target"]))) for r in g.get("relations", [])}
        our_rels = set()
        for r in graph.relations.values():
            if any(ev.doc == doc for ev in r.evidence) and r.source in key_of and r.target in key_of:
                our_rels.add(_symmetric((key_of[r.source], r.type, key_of[r.target]), gold_rels))
        _score(scores["relations"], gold_rels, our_rels, doc, per_rel, lambda k: k[1])
        gold_sup = {(gkeys.get(s["supporter"]), gkeys.get(s["county"]))
                    for s in g.get("supports_county", [])}
        our_sup = {(key_of.get(row.supporter_id), key_of.get(row.county_id))
                   for row in support_rows if doc in row.documents}
        _score(scores["supports_county"], gold_sup, our_sup, doc)
        lk = linker_of(doc) if linker_of is not None else None
        if lk is not None:
            why = Causes(lk, g, gkeys, div, model)
            for part in ("relations", "supports_county"):
                sc = scores[part]
                for k in gold_rels - our_rels if part == "relations" else gold_sup - our_sup:
                    sc.causes[f"{doc}: {_show(k)}"] = why.miss(k, part)
                for k in our_rels - gold_rels if part == "relations" else our_sup - gold_sup:
                    sc.causes[f"{doc}: {_show(k)}"] = why.false_positive(k, part)
    for t, s in sorted(per_type.items()):
        scores[f"entities.{t}"] = s
    for t, s in sorted(per_rel.items()):
        scores[f"relations.{t}"] = s
    scores["partnerships"] = Score(*(sum(getattr(s, x) for t, s in per_rel.items() if t in PARTNERSHIP_TYPES)
                                     for x in ("tp", "fp", "fn")))
    return scores


def _symmetric(k: tuple, gold: set) -> tuple:
    """A partnership (PARTNERS_WITH) has no direction: ours matches the gold either way round."""
    if k[1] == "PARTNERS_WITH" and k not in gold and (k[2], k[1], k[0]) in gold:
        return (k[2], k[1], k[0])
    return k


class Causes:
    """Why one article's partnership edges were missed or wrongly kept, from its candidates.

    A miss: no mention, wrong name, no candidate, scored below threshold, blocked, wrong
    direction, kept by the scorer but lost after, rule (not the scorer's kind), or no gold
    edge behind it (supports_county); a false positive: scored above threshold, kept edge
    (supports_county) or rule. ``kg eval -v`` groups by the words before " (".
    """

    def __init__(self, lk, g: dict, gkeys: dict, div, model=None):
        from loaders.scorer import model as packaged

        self.lk, self.g, self.div, self.model = lk, g, div, model or packaged()
        self.ent_of: dict[tuple, str] = {}
        for eid, e in lk.entities.items():
            for k in entity_keys(e):
                self.ent_of.setdefault(k, eid)
        self.inst = {(i.source, i.target): i for i in lk.pair_instances()}
        self.gold_ents = {gkeys[e["name"]]: e for e in self.g.get("entities", [])}
        self.gkeys = gkeys

    def _end(self, key: tuple) -> tuple[str | None, str]:
        eid = self.ent_of.get(key)
        if eid is not None:
            return eid, ""
        g = self.gold_ents.get(key)
        name = norm(g["name"]) if g else key[-1]
        for e in self.lk.entities.values():
            n = norm(e.name)
            if e.type == (g or {}).get("type") and len(n) >= 3 and (n in name or name in n):
                return None, f"wrong name (ours: {e.name})"
        return None, "no mention"

    def miss(self, k: tuple, part: str) -> str:
        if part == "supports_county":
            return self._support_miss(k)
        (ks, kind, kt) = k
        if kind not in PARTNERSHIP_TYPES:
            return "rule"
        s, why_s = self._end(ks)
        t, why_t = self._end(kt)
        if s is None or t is None:
            return why_s or why_t
        km = self.model.kinds.get(kind)
        inst = self.inst.get((s, t)) or (self.inst.get((t, s)) if kind == "PARTNERS_WITH" else None)
        if inst is None or km is None:
            return "no candidate"
        p = inst.probability(km)
        rev = self.inst.get((t, s))
        if rev is not None and rev.probability(km) >= km.threshold:
            return "wrong direction"
        best = max(inst.candidates, key=lambda cf: km.probability(cf[1]))[1]
        if p >= km.threshold:  # decided, then lost: merged into another entity or acting for one
            return f"kept by the scorer, lost after (p {p:.2f} ≥ {km.threshold:.2f})"
        blockers = sorted({f.split(":")[-1] for f in best if f.startswith("blk:clause:")})
        if blockers:
            return f"blocked ({', '.join(blockers)}; p {p:.2f} < {km.threshold:.2f})"
        return f"scored below threshold (p {p:.2f} < {km.threshold:.2f})"

    def _support_miss(self, k: tuple) -> str:
        sup, county = k
        for r in self.g.get("relations", []):
            if self.gkeys.get(r["source"]) != sup or r["rel"] not in ("SUPPORTS", "MANAGES"):
                continue
            tk = self.gkeys.get(r["target"])
            tg = self.gold_ents.get(tk, {})
            place = self.div.resolve_path(tg.get("region", "")) if tg.get("region") else None
            inside = tk == county or (place is not None and county and county[0] == "R" and
                                      (place.key == county[1] or self.div.is_within(place.key, county[1])))
            if inside:
                return self.miss((sup, r["rel"], tk), "relations")
        return "no gold edge behind it"

    def false_positive(self, k: tuple, part: str) -> str:
        if part == "supports_county":
            edges = sorted(self._support_edges(k))
            return f"kept edge ({'; '.join(edges)})" if edges else "rule"
        ks, kind, kt = k
        if kind not in PARTNERSHIP_TYPES:
            return "rule"
        s, t = self.ent_of.get(ks), self.ent_of.get(kt)
        inst = self.inst.get((s, t)) or self.inst.get((t, s))
        km = self.model.kinds.get(kind)
        if inst is None or km is None:
            return "rule"
        cf = max(inst.candidates, key=lambda c: km.probability(c[1]))
        top = sorted(cf[1], key=lambda f: -km.weights.get(f, 0.0))[:4]
        return f"scored above threshold (p {inst.probability(km):.2f} ≥ {km.threshold:.2f}: {', '.join(top)})"

    def _support_edges(self, k: tuple) -> set[str]:
        sup, _ = k
        s = self.ent_of.get(sup)
        out = set()
        for (a, b), inst in self.inst.items():
            if a != s:
                continue
            for kind in ("SUPPORTS", "MANAGES"):
                km = self.model.kinds.get(kind)
                if km is not None and inst.probability(km) >= km.threshold:
                    out.add(f"{kind} → {self.lk.entities[b].name} (p {inst.probability(km):.2f})")
        return out


def _region_type(div, key: str) -> str:
    r = div.get(key)
    return r.type if r else "Region"


def _show(k) -> str:
    if isinstance(k, tuple) and len(k) == 3 and isinstance(k[0], tuple):
        return f"{_show(k[0])} -{k[1]}-> {_show(k[2])}"
    if isinstance(k, tuple) and len(k) == 2 and all(isinstance(x, tuple) or x is None for x in k):
        return f"{_show(k[0])} => {_show(k[1])}"
    if isinstance(k, tuple) and len(k) == 2 and k[0] == "R":
        from loaders.divisions import divisions

        return divisions().path(k[1]) or k[1]
    if isinstance(k, tuple) and len(k) == 2:
        return f"{k[1]}({k[0]})"
    return str(k)


def _score(total: Score, gold: set, ours: set, doc: str, per: dict | None = None, bucket=None):
    for k in gold | ours:
        hit_g, hit_o = k in gold, k in ours
        parts = [total]
        if per is not None and bucket is not None:
            parts.append(per.setdefault(bucket(k), Score()))
        for s in parts:
            if hit_g and hit_o:
                s.tp += 1
            elif hit_g:
                s.fn += 1
                s.misses.append(f"{doc}: {_show(k)}")
            else:
                s.fp += 1
                s.false_positives.append(f"{doc}: {_show(k)}")
