"""Scorer: the learned decision of which candidate pairs are partnerships, and of which kind.

Every candidate (``loaders/candidates.py``) is scored on its own features by a
logistic model per kind (SUPPORTS, MANAGES, PARTNERS_WITH, LEADS, MEMBER_OF); a
directed pair of entities (``PairInstance``: all candidates joining them) gets the
best of its candidates' probabilities, and the edge is kept when that reaches the
kind's threshold (chosen on validation data, precision first). The candidates that
reach it are the edge's evidence. The model is plain numbers in ``models/partnerships.json``,
made by ``python -m loaders.train`` (``make train``) from the gold in the repository;
nothing heavy is imported at run time.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from kg.errors import KGError
from kg.model import PARTNERSHIP_TYPES, RELATION_ENDS

from .candidates import PairCandidate
from .features import LinkedArticle, candidate_features, same_list
from .prepared import code_version, file_version, prepared

MODEL_PATH = Path(__file__).parent / "models" / "partnerships.json"
#: The kinds the scorer decides (the partnership types); the other relations come from rules.
KINDS = PARTNERSHIP_TYPES
_ZEROS = repeat(0.0)  # the default of each weight lookup, for map()
#: Kinds whose direction the text does not fix.
SYMMETRIC = ("PARTNERS_WITH",)


class ModelError(KGError):
    """The partnership model file is missing or malformed."""


@dataclass
class KindModel:
    """A logistic model for one kind: P = 1 / (1 + exp(-(bias + Σ weights[f])))."""

    bias: float
    weights: dict[str, float]
    threshold: float

    def probability(self, features) -> float:
        z = self.bias + sum(map(self.weights.get, features, _ZEROS))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class Model:
    kinds: dict[str, KindModel]
    info: dict = field(default_factory=dict)


@dataclass
class PairInstance:
    """One directed entity pair of an article: its candidates, each with its features."""

    source: str
    target: str
    candidates: list[tuple[PairCandidate, list[str]]]

    def probability(self, km: KindModel) -> float:
        """The best of the candidates' probabilities under one kind's model."""
        return max(km.probability(f) for _, f in self.candidates)


@dataclass
class Decision:
    """An edge the scorer keeps: kind, probability and the candidates that carry it (best first)."""

    source: str
    kind: str
    target: str
    probability: float
    evidence: list[PairCandidate]


def read_model(path: str | Path) -> Model:
    """Load a model file written by ``loaders.train`` (raises ModelError naming the file)."""
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        kinds = {k: KindModel(float(v["bias"]), {f: float(w) for f, w in v["weights"].items()},
                              float(v["threshold"])) for k, v in d["kinds"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path}: not a partnership model ({type(exc).__name__}: {exc}); "
                         "run `make train` to make one") from exc
    return Model(kinds, {k: v for k, v in d.items() if k != "kinds"})


_override: list[Path] = []


def use_model(path: str | Path | None) -> None:
    """Score with another model file from now on in this process (None: the packaged one)."""
    _override[:] = [Path(path)] if path else []
    model.cache_clear()


def model_path() -> Path:
    """The model file in use: the packaged one unless ``use_model`` chose another."""
    return _override[0] if _override else MODEL_PATH


@lru_cache(maxsize=1)
def model() -> Model:
    """The model in use (the packaged one unless ``use_model`` chose another), kept on disk once
    read (``loaders.prepared``, by the file's digest)."""
    path = model_path()
    try:
        version = file_version(path)
    except OSError:
        return read_model(path)  # raises ModelError naming the file
    return prepared("model", f"{code_version()}-{version}", lambda: read_model(path))


def pair_instances(art: LinkedArticle, candidates: list[PairCandidate]) -> list[PairInstance]:
    """Candidates grouped by the directed entity pair they join, each with its features."""
    groups: dict[tuple[str, str], PairInstance] = {}
    for c in candidates:
        s = art.entity_of.get(c.source.mention)
        t = art.entity_of.get(c.target.mention)
        if s is None or t is None or s == t:
            continue
        inst = groups.get((s, t))
        if inst is None:
            inst = groups[(s, t)] = PairInstance(s, t, [])
        inst.candidates.append((c, candidate_features(art, c)))
    return list(groups.values())


def allowed(kind: str, source: str, target: str) -> bool:
    """Whether the kind may join these entity types (``kg.model.RELATION_ENDS``)."""
    ends = RELATION_ENDS[kind]
    return source in ends[0] and target in ends[1]


def decide(art: LinkedArticle, instances: list[PairInstance], m: Model | None = None) -> list[Decision]:
    """The edges the model keeps, each with its probability and its best candidates first."""
    m = m or model()
    by_pair = {(i.source, i.target): i for i in instances}
    scored: dict[tuple[str, str, str], list[float]] = {}

    def probs(inst: PairInstance, kind: str) -> list[float]:
        """Each candidate's probability under one kind, worked out once."""
        key = (inst.source, inst.target, kind)
        if key not in scored:
            scored[key] = [m.kinds[kind].probability(f) for _, f in inst.candidates]
        return scored[key]

    out: list[Decision] = []
    for inst in instances:
        ts, tt = art.entities[inst.source].type, art.entities[inst.target].type
        for kind in KINDS:
            km = m.kinds.get(kind)
            if km is None or not allowed(kind, ts, tt):
                continue
            p = max(probs(inst, kind))
            if kind in SYMMETRIC:
                other = by_pair.get((inst.target, inst.source))
                if other is not None and allowed(kind, tt, ts):
                    q = max(probs(other, kind))
                    if q > p or (q == p and (inst.target, inst.source) < (inst.source, inst.target)):
                        continue  # the other direction speaks for the pair
            if p < km.threshold:
                continue
            ranked = sorted(zip(probs(inst, kind), (c for c, _ in inst.candidates)), key=lambda pc: -pc[0])
            out.append(Decision(inst.source, kind, inst.target, p,
                                [c for q, c in ranked[:3] if q >= km.threshold]))
    return out + _list_mates(art, instances, out, probs)


#: A list mate scored below this stays out: something in the text sets it apart from the others.
LIST_FLOOR = 0.3


def _joined(art: LinkedArticle, a: PairCandidate, b: PairCandidate) -> bool:
    """Two candidates of one sentence that differ in one end, where those two ends are items of one
    list (甲、乙和丙 …, as the list features read it); not under 分别, where the i-th goes with the i-th."""
    if a.sentence != b.sentence or a.context != "sentence" or b.context != "sentence":
        return False
    if a.source.via or a.target.via or b.source.via or b.target.via:
        return False
    if a.target.mention == b.target.mention and a.source.mention != b.source.mention:
        x, y = a.source, b.source
    elif a.source.mention == b.source.mention and a.target.mention != b.target.mention:
        x, y = a.target, b.target
    else:
        return False
    s = art.sentences[a.sentence]
    return "分别" not in art.text[s.start:s.end] and same_list(art, a.sentence, x, y)


def _list_mates(art: LinkedArticle, instances: list[PairInstance], kept: list[Decision], probs) -> list[Decision]:
    """Pairs whose end is an item of the same list as a kept pair's, with the same cue and other end
    (甲、乙、丙等3家医院组团式帮扶丁: kept 甲 → 丁 keeps 乙 → 丁; 甲携手乙、丙打造专科联盟: 甲 and 乙
    partners keeps 甲 and 丙), when scored at least ``LIST_FLOOR``.
    The items of one list share their role; the model, reading each on its own, can split them."""
    have = {(d.source, d.kind, d.target) for d in kept}
    out = []
    for d in kept:
        if not d.evidence:
            continue
        best = d.evidence[0]
        for inst in instances:
            if (inst.source, d.kind, inst.target) in have or \
                    (d.kind in SYMMETRIC and (inst.target, d.kind, inst.source) in have):
                continue  # (a partnership kept the other way round is the same one)
            ts, tt = art.entities[inst.source].type, art.entities[inst.target].type
            if not allowed(d.kind, ts, tt):
                continue
            mates = [(q, c) for q, (c, _) in zip(probs(inst, d.kind), inst.candidates)
                     if q >= LIST_FLOOR and _joined(art, best, c)]
            if mates:
                q, c = max(mates, key=lambda qc: qc[0])
                have.add((inst.source, d.kind, inst.target))
                out.append(Decision(inst.source, d.kind, inst.target, q, [c]))
    return out
