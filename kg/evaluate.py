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
from .model import REGION_TYPES

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


def _gold_key(e: dict, divisions) -> tuple:
    if e.get("type") in REGION_TYPES and e.get("region"):
        r = divisions.resolve_path(e["region"])
        if r is not None and r.type == e["type"]:
            return ("R", r.key)
    return (e.get("type"), norm(e["name"]))


def _our_keys(e) -> list[tuple]:
    if e.type in REGION_TYPES and e.attrs.get("division"):
        return [("R", e.attrs["division"])]
    return [(e.type, norm(n)) for n in [e.name, *sorted(e.aliases)]]


def evaluate(graph: KnowledgeGraph, gold: list[dict]) -> dict[str, Score]:
    """Entity, relation, supports_county and per-type entity scores over all gold articles."""
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
            gkeys[e["name"]] = _gold_key(e, div)
        gold_set = set(gkeys.values())
        key_of: dict[str, tuple] = {}
        for e in ours:
            keys = _our_keys(e)
            key_of[e.id] = next((k for k in keys if k in gold_set), keys[0])
        _score(scores["entities"], gold_set, set(key_of.values()), doc, per_type, lambda k: k[0]
               if k[0] != "R" else _region_type(div, k[1]))
        gold_rels = {(gkeys.get(r["source"], ("?", r["source"])), r["rel"],
                      gkeys.get(r["target"], ("?", r["target"]))) for r in g.get("relations", [])}
        our_rels = set()
        for r in graph.relations.values():
            if any(ev.doc == doc for ev in r.evidence) and r.source in key_of and r.target in key_of:
                our_rels.add((key_of[r.source], r.type, key_of[r.target]))
        _score(scores["relations"], gold_rels, our_rels, doc, per_rel, lambda k: k[1])
        gold_sup = {(gkeys.get(s["supporter"]), gkeys.get(s["county"]))
                    for s in g.get("supports_county", [])}
        our_sup = {(key_of.get(row.supporter_id), key_of.get(row.county_id))
                   for row in support_rows if doc in row.documents}
        _score(scores["supports_county"], gold_sup, our_sup, doc)
    for t, s in sorted(per_type.items()):
        scores[f"entities.{t}"] = s
    for t, s in sorted(per_rel.items()):
        scores[f"relations.{t}"] = s
    return scores


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
