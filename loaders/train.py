"""Train the partnership scorer from the gold in the repository: ``python -m loaders.train``.

Every gold set listed in ``models/training_sets.tsv`` (an articles folder and its
gold.jsonl, see ``gold/FORMAT.md``) is read, cleaned, extracted and linked; the
candidates of each article are pooled per directed entity pair
(``scorer.pair_instances``) and labelled from the gold with the evaluator's name and
region matching. One L2-regularised logistic regression over (candidate, kind) rows, with
features shared by every kind and features tagged with the kind, is fitted with
scikit-learn (liblinear: deterministic) and read out as one model per kind; each kind's
threshold is chosen on out-of-set predictions (every set scored by a model trained on the
others) for precision first (F-beta, beta = BETA), and the model is written to
``models/partnerships.json`` with
sorted keys and rounded weights: the same gold gives the same bytes.

Needs the ``train`` extra (scikit-learn); ``kg build`` never imports this module.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.evaluate import Score, entity_keys, evaluate, gold_key, read_gold
from kg.graph import KnowledgeGraph
from kg.model import ArticleResult

from .divisions import divisions
from .scorer import KINDS, SYMMETRIC, KindModel, Model, PairInstance, allowed

ROOT = Path(__file__).resolve().parent.parent
SETS = Path(__file__).parent / "models" / "training_sets.tsv"
OUT = Path(__file__).parent / "models" / "partnerships.json"
#: Regularisation strength (inverse) and the least number of training pairs a feature needs.
C = 0.3
MIN_COUNT = 2
#: Thresholds are chosen to maximise F-beta on out-of-set predictions; beta < 1 favours precision.
BETA = 0.8
PARTS = ("supports_county", "partnerships", "entities")  # the scores reported per set
SMOOTH = 0.05  # half-width of the window the threshold curve is averaged over
PLATEAU = 0.005  # thresholds whose averaged F-beta is this close to the best count as equally good
#: The training sets are dealt into this many folds for validation and thresholds: each set is
#: scored by a model that never saw it, at a tenth of leave-one-set-out's fits.
SET_FOLDS = 10
#: Feature prefixes left out (``--drop``: for ablation experiments).
DROP: tuple[str, ...] = ()


@dataclass
class GoldSet:
    name: str
    articles: Path
    gold: Path
    role: str  # train | holdout


@dataclass
class Article:
    """One gold article, linked once; its pair instances and their labels per kind."""

    set: str
    doc: str
    gold: dict
    linker: object
    instances: list[PairInstance]
    #: per instance: kind -> the indices of its candidates that state it (aligned with the
    #: gold evidence; all of them when none aligns)
    labels: list[dict[str, list[int]]] = field(default_factory=list)
    #: (kind, DROP) -> its training rows as interned feature ids, and their labels (``_row_ids``)
    rows: dict = field(default_factory=dict, repr=False, compare=False)


def read_sets(path: Path = SETS) -> list[GoldSet]:
    """The gold sets to learn from: ``name<TAB>articles<TAB>gold.jsonl<TAB>role`` (paths from the repo root)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, articles, gold, role = (c.strip() for c in line.split("\t"))
        out.append(GoldSet(name, ROOT / articles, ROOT / gold, role))
    return out


def load_articles(sets: list[GoldSet]) -> list[Article]:
    """Read, clean, extract and link every gold article; label its pair instances."""
    from kg.pipeline import linked

    from .read import read_path

    div = divisions()
    out = []
    for gs in sets:
        for g in read_gold(gs.gold):
            path = gs.articles / g["doc"]
            docs = [d for d in read_path(path) if not hasattr(d, "reason")]
            if not docs:
                print(f"{path}: could not be read, skipped", file=sys.stderr)
                continue
            doc = docs[0]
            doc.id = g["doc"]
            lk = linked(doc)
            ex = lk.ex
            inst = lk.pair_instances()
            gkeys = {e["name"]: gold_key(e, div) for e in g.get("entities", [])}
            evidence: dict[tuple, list[str]] = {}
            for r in g.get("relations", []):
                k = (gkeys.get(r["source"]), r["rel"], gkeys.get(r["target"]))
                evidence.setdefault(k, []).append(r.get("evidence", ""))
                if r["rel"] in SYMMETRIC:
                    evidence.setdefault((k[2], k[1], k[0]), []).append(r.get("evidence", ""))
            keys = {eid: set(entity_keys(e)) for eid, e in lk.entities.items()}
            labels = []
            for i in inst:
                ks, kt = keys[i.source], keys[i.target]
                lab = {}
                for kind in KINDS:
                    quotes = [q for a in ks for b in kt for q in evidence.get((a, kind, b), ())]
                    if not any((a, kind, b) in evidence for a in ks for b in kt):
                        continue
                    sents = [ex.sentences[c.sentence].text for c, _ in i.candidates]
                    aligned = [j for j, st in enumerate(sents) if any(_overlap(q, st) >= 0.6 for q in quotes)]
                    lab[kind] = aligned or list(range(len(sents)))
                labels.append(lab)
            out.append(Article(gs.name, g["doc"], g, lk, inst, labels))
    return out


def inputs_digest(arts: list[Article], sets: list[GoldSet], set_folds: int = SET_FOLDS) -> str:
    """SHA-256 over everything the fits read: each article's set, role and rows per kind (features and
    label), the fold scheme and the training constants. Equal digests give equal models (liblinear
    is deterministic), so a test can tell a stale model file without retraining."""
    import hashlib

    role = {s.name: s.role for s in sets}
    h = hashlib.sha256(json.dumps([C, MIN_COUNT, BETA, SMOOTH, PLATEAU, set_folds, list(DROP), list(KINDS)])
                       .encode())
    for a in arts:
        h.update(f"\x00{a.set}\x00{role[a.set]}\x00{a.doc}".encode())
        for kind in KINDS:
            X, y = _rows(a, kind)
            for feats, label in zip(X, y):
                h.update(f"\x01{label}\x02".encode() + "\x03".join(sorted(set(feats))).encode())
    return h.hexdigest()


def _overlap(quote: str, sentence: str) -> float:
    """Share of the quote's character bigrams found in the sentence (noise-tolerant containment)."""
    grams = {quote[i:i + 2] for i in range(len(quote) - 1)}
    if not grams:
        return 0.0
    return sum(1 for g in grams if g in sentence) / len(grams)


def _rows(a: Article, kind: str) -> tuple[list[list[str]], list[int]]:
    """Training rows of one article for one kind: the candidates that state it (positive) and every
    candidate of pairs the gold does not have (negative); a gold pair's other candidates are left out.
    Each row's features are the candidate's own, shared by all kinds (what makes any partnership),
    plus a copy tagged with the kind (what tells the kinds apart) and the kind's own bias."""
    X, y = [], []
    for inst, lab in zip(a.instances, a.labels):
        ts, tt = a.linker.entities[inst.source].type, a.linker.entities[inst.target].type
        if not allowed(kind, ts, tt):
            continue
        pos = lab.get(kind)
        for j, (_, feats) in enumerate(inst.candidates):
            if pos is not None and j not in pos:
                continue
            if DROP:
                feats = [f for f in feats if not f.startswith(DROP)]
            X.append([f"kind={kind}"] + feats + [f"{kind}|{f}" for f in feats])
            y.append(0 if pos is None else 1)
    return X, y


#: Feature names interned once for every fit of a run (name -> id), so that the many fits of
#: cross-validation share the work of turning rows into numbers.
_NAMES: dict[str, int] = {}


def _row_ids(a: Article, kind: str) -> tuple[list, list[int]]:
    """The article's rows for ``kind`` as arrays of interned feature ids (unique per row), and their
    labels; worked out once per article."""
    import numpy as np

    got = a.rows.get((kind, DROP))
    if got is None:
        X, y = _rows(a, kind)
        ids = [np.fromiter(sorted({_NAMES.setdefault(f, len(_NAMES)) for f in feats}), dtype=np.int64)
               for feats in X]
        got = a.rows[(kind, DROP)] = (ids, y)
    return got


def fit(arts: list[Article], thresholds: dict[str, float] | None = None) -> Model:
    """One logistic regression over every kind at once, read out as one model per kind.

    Rows are (candidate, kind) pairs (``_rows``): scarce kinds (MANAGES, LEADS) learn from the
    plentiful ones. Kind K's weight for feature f is w[f] + w[K|f]; features seen in fewer than
    MIN_COUNT rows are left out.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows, y = [], []
    for kind in KINDS:
        for a in arts:
            r, lab = _row_ids(a, kind)
            rows += r
            y += lab
    flat = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    counts = np.bincount(flat, minlength=len(_NAMES))
    names = [f for f in sorted(_NAMES) if counts[_NAMES[f]] >= MIN_COUNT]
    col = np.full(len(_NAMES), -1, dtype=np.int64)
    col[[_NAMES[f] for f in names]] = np.arange(len(names))
    cols = col[flat]
    row_of = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    keep = cols >= 0
    M = csr_matrix((np.ones(int(keep.sum())), (row_of[keep], cols[keep])), shape=(len(rows), len(names)))
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000, random_state=0)
    lr.fit(M, y)
    w = dict(zip(names, (float(v) for v in lr.coef_[0])))
    shared = {f: v for f, v in w.items() if f.split("|")[0] not in KINDS and not f.startswith("kind=")}
    kinds = {}
    for kind in KINDS:
        tag = kind + "|"
        own = {f[len(tag):]: v for f, v in w.items() if f.startswith(tag)}
        weights = {f: round(shared.get(f, 0.0) + own.get(f, 0.0), 4) for f in set(shared) | set(own)}
        bias = float(lr.intercept_[0]) + w.get(f"kind={kind}", 0.0)
        kinds[kind] = KindModel(round(bias, 4), {f: v for f, v in weights.items() if abs(v) >= 1e-4},
                                (thresholds or {}).get(kind, 0.5))
    return Model(kinds)


def _f(tp: int, fp: int, fn: int, beta: float = 1.0) -> float:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    return (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0


def choose_thresholds(scored: dict[str, list[tuple[float, int]]]) -> dict[str, float]:
    """Per kind, the middle of the thresholds with the best F-beta (beta = BETA, within PLATEAU)
    on out-of-set predictions, the curve averaged over a window of +-SMOOTH so that a few pairs
    do not swing it."""
    grid = [x / 100 for x in range(20, 96)]
    out = {}
    for kind, pairs in scored.items():
        pos = sum(y for _, y in pairs)
        curve = []
        for t in grid:
            tp = sum(1 for p, y in pairs if p >= t and y)
            fp = sum(1 for p, y in pairs if p >= t and not y)
            curve.append(_f(tp, fp, pos - tp, BETA))
        w = round(SMOOTH * 100)
        smooth = [sum(curve[max(0, i - w):i + w + 1]) / len(curve[max(0, i - w):i + w + 1])
                  for i in range(len(curve))]
        # The middle of the plateau within PLATEAU of the best: where the curve is flat, its highest
        # point moves with a few pairs from one retrain to the next; the middle does not.
        best = max(smooth)
        near = [i for i in range(len(grid)) if smooth[i] >= best - PLATEAU]
        out[kind] = grid[near[len(near) // 2]]
    return out


def _result(a: Article, m: Model) -> ArticleResult:
    """An article's result under a model; entities copied, since a graph merges into what it is given."""
    r = a.linker.result(m)
    r.entities = [copy.deepcopy(e) for e in r.entities]
    return r


def _graph(arts: list[Article], m: Model) -> KnowledgeGraph:
    g = KnowledgeGraph()
    for a in arts:
        g.add(_result(a, m))
    return g


def scores(arts: list[Article], m: Model, causes: list | None = None) -> dict:
    """supports_county, partnership relations and entity P/R/F1 of these articles under a model
    (with ``causes``: each partnership miss and false positive, with its cause, appended to it)."""
    by_doc = {a.doc: a.linker for a in arts}
    res = evaluate(_graph(arts, m), [a.gold for a in arts], by_doc.get if causes is not None else None, m)
    if causes is not None:
        for part in ("relations", "supports_county"):
            sc = res[part]
            for label, items in (("miss", sc.misses), ("fp", sc.false_positives)):
                causes.extend((arts[0].set, part, label, x, sc.causes.get(x, "")) for x in items)
    return {k: res[k].as_dict() for k in PARTS}


def _micro(scores_: Iterable[dict]) -> dict:
    """Micro-average of per-set scores (sums of tp, fp, fn)."""
    scores_ = list(scores_)
    return {part: Score(*(sum(s[part][x] for s in scores_) for x in ("tp", "fp", "fn"))).as_dict()
            for part in PARTS}


def _line(name: str, s: dict) -> str:
    sc, pa = s["supports_county"], s["partnerships"]
    return (f"{name:28} supports_county P {sc['precision']:.3f} R {sc['recall']:.3f} F1 {sc['f1']:.3f}"
            f"   partnerships F1 {pa['f1']:.3f}   entities F1 {s['entities']['f1']:.3f}")


def set_folds(names: list[str], k: int) -> list[list[str]]:
    """The training sets dealt into ``k`` folds in name order (0: one fold per set, leave-one-set-out)."""
    names = sorted(names)
    if k <= 0 or k >= len(names):
        return [[n] for n in names]
    return [names[i::k] for i in range(k)]


def cross_validate(arts: list[Article], sets: list[GoldSet], causes: list | None = None,
                   k: int = 0) -> tuple[dict, dict]:
    """Each training set scored by a model fitted without it: the sets dealt into ``k`` folds, each
    fold held out in turn (``k`` = 0: leave one set out, a fit per set).

    Returns the out-of-set probabilities per kind (for thresholds) and per-set scores.
    """
    train_sets = [s.name for s in sets if s.role == "train"]
    scored: dict[str, list[tuple[float, int]]] = {k: [] for k in KINDS}
    fold_models = {}
    for fold in set_folds(train_sets, k):
        held = set(fold)
        m = fit([a for a in arts if a.set not in held and a.set in train_sets])
        for name in fold:
            fold_models[name] = m
        for a in arts:
            if a.set not in held:
                continue
            for inst, lab in zip(a.instances, a.labels):
                ts, tt = a.linker.entities[inst.source].type, a.linker.entities[inst.target].type
                for kind, km in m.kinds.items():
                    if allowed(kind, ts, tt):
                        scored[kind].append((inst.probability(km), int(kind in lab)))
    thresholds = choose_thresholds(scored)
    per_set = {}
    for m in {id(m): m for m in fold_models.values()}.values():
        for kind, km in m.kinds.items():
            km.threshold = thresholds.get(kind, 0.5)
    for name in sorted(fold_models):
        per_set[name] = scores([a for a in arts if a.set == name], fold_models[name], causes)
    return thresholds, per_set


def article_folds(arts: list[Article], name: str, k: int, thresholds: dict[str, float]) -> dict:
    """One set scored by k-fold cross-validation over its articles (the rest of the data always in training)."""
    mine = [a for a in arts if a.set == name]
    others = [a for a in arts if a.set != name]
    g = KnowledgeGraph()
    for i in range(k):
        held = mine[i::k]
        m = fit(others + [a for a in mine if a not in held], thresholds)
        for a in held:
            g.add(_result(a, m))
    res = evaluate(g, [a.gold for a in mine])
    return {k: res[k].as_dict() for k in PARTS}


def write_model(m: Model, info: dict, path: Path = OUT) -> None:
    """The model as sorted, rounded JSON (byte-for-byte reproducible)."""
    d = {"format": 1, **info, "kinds": {
        k: {"bias": km.bias, "threshold": km.threshold, "weights": dict(sorted(km.weights.items()))}
        for k, km in sorted(m.kinds.items())}}
    from kg.graph import write_atomic

    write_atomic(path, json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def _scheme(k: int) -> str:
    return "leave-one-set-out" if k <= 0 else f"{k}-fold over sets"


def main(argv: list[str] | None = None) -> int:
    global DROP, BETA
    ap = argparse.ArgumentParser(prog="python -m loaders.train", description=__doc__.split("\n")[0])
    ap.add_argument("--sets", type=Path, default=SETS, help="training sets manifest (TSV)")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the model")
    ap.add_argument("--folds", type=int, default=4, help="k for the per-article cross-validation of --cv-set")
    ap.add_argument("--set-folds", type=int, default=SET_FOLDS,
                    help="folds the training sets are dealt into for validation and thresholds "
                         "(0: leave one set out, a fit per set; default %(default)s)")
    ap.add_argument("--cv-set", action="append", default=None,
                    help="also score this set by k-fold over its articles (default: dev)")
    ap.add_argument("--causes", type=Path, help="write every out-of-set miss and false positive, with its cause, here")
    ap.add_argument("--drop", action="append", default=[], help="leave out features with this prefix (ablation)")
    ap.add_argument("--beta", type=float, help="F-beta the thresholds are chosen for (lower: precision first; default %s)" % BETA)
    args = ap.parse_args(argv)
    DROP = tuple(args.drop)
    BETA = args.beta if args.beta is not None else BETA
    sets = read_sets(args.sets)
    arts = load_articles(sets)
    print(f"{len(arts)} articles, {sum(len(a.instances) for a in arts)} candidate pairs "
          f"from {len(sets)} sets", file=sys.stderr)
    causes: list | None = [] if args.causes else None
    thresholds, per_set = cross_validate(arts, sets, causes, args.set_folds)
    if args.causes:
        args.causes.write_text("".join("\t".join(c) + "\n" for c in causes), encoding="utf-8")
    scheme = _scheme(args.set_folds)
    print(f"{scheme} validation (each set scored by a model that never saw it):")
    for name, s in per_set.items():
        print(_line(name, s))
    print(_line("all sets (micro)", _micro(per_set.values())))
    trained = {s.name for s in sets if s.role == "train"}
    final = fit([a for a in arts if a.set in trained], thresholds)
    for s in sets:
        if s.role == "holdout":
            sc = scores([a for a in arts if a.set == s.name], final)
            per_set[s.name + " (holdout)"] = sc  # kept out of the out-of-set micro below
            print(_line(s.name + " (holdout)", sc))
    for name in args.cv_set if args.cv_set is not None else ["dev"]:
        sc = article_folds([a for a in arts if a.set in trained], name, args.folds, thresholds)
        per_set[f"{name} ({args.folds}-fold over articles)"] = sc
        print(_line(f"{name} ({args.folds}-fold)", sc))
    info = {"thresholds_from": f"{scheme} predictions, F-beta with beta = {BETA}",
            "inputs_sha256": inputs_digest(arts, sets, args.set_folds),
            "trained_on": sorted(s.name for s in sets if s.role == "train"),
            "validation": {k: {m: {x: round(v[m][x], 4) for x in ("precision", "recall", "f1")} for m in v}
                           for k, v in per_set.items()},
            "validation_all_sets": {m: {x: round(v[x], 4) for x in ("precision", "recall", "f1")}
                                    for m, v in _micro(per_set[n] for n in per_set
                                                       if "fold" not in n and "holdout" not in n).items()}}
    write_model(final, info, args.out)
    print(f"wrote {args.out} (thresholds: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(thresholds.items())) + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main())
