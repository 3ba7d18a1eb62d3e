"""Cleaning throughput: ≥20 MB of seed-like articles through ``loaders.clean.clean``; prints JSON.

Articles are built by repeating and shuffling one seed's paragraphs inside that
seed's header and footer (so every step has work to do, and a spun seed makes a
spun article), cycling through the seeds; one core.
Usage: python bench/bench_clean.py [--mb 20] [--seed 0]
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from kg.model import Document
from loaders.clean import clean

ROOT = Path(__file__).resolve().parents[1]


def make_articles(target_mb: float, seed: int = 0) -> list[str]:
    """Seed-like raw articles totalling at least ``target_mb`` MB of UTF-8."""
    rng = random.Random(seed)
    seeds = [p.read_text(encoding="utf-8-sig") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    out, total, i = [], 0, 0
    while total < target_mb * 1_000_000:
        lines = seeds[i % len(seeds)].split("\n")
        i += 1
        body_at = [k for k, line in enumerate(lines) if len(line) > 40]
        first, last = body_at[0], body_at[-1] + 1
        body = [lines[k] for k in body_at]
        mixed = rng.sample(body, k=len(body)) * rng.randint(1, 3)
        art = "\n".join(lines[:first] + mixed + lines[last:])
        out.append(art)
        total += len(art.encode("utf-8"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    arts = make_articles(args.mb, args.seed)
    nbytes = sum(len(a.encode("utf-8")) for a in arts)
    clean(Document(id="warm", path="-", raw=arts[0]))  # load vocab, OpenCC
    t0 = time.perf_counter()
    chars = 0
    for i, a in enumerate(arts):
        d = clean(Document(id=str(i), path="-", raw=a))
        chars += len(d.text)
    dt = time.perf_counter() - t0
    print(json.dumps({"articles": len(arts), "raw_mb": round(nbytes / 1e6, 2), "seconds": round(dt, 2),
                      "mb_per_s": round(nbytes / 1e6 / dt, 2), "clean_chars": chars}))


if __name__ == "__main__":
    main()
