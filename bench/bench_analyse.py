"""Per-article cost of the extraction: ``kg.pipeline.analyse`` over real batch articles; prints JSON.

The same files are analysed by this checkout and, with ``--against REV``, by the code of a git
revision (checked out into a temporary worktree and run in a child process with this Python), so
the ratio of the two is taken in one run on one machine. Times are CPU seconds of one core, best
of ``--repeat`` passes after a warm-up pass, per article.
Usage: python bench/bench_analyse.py [--articles 300] [--repeat 3] [--against REV]
(by default REV is ``RULES_ONLY``, main just before the learned partnership scorer: the hand-written
rules alone, the baseline of issue 13's "per-article time ≤ 1.2×"; ``--against ''`` measures this
checkout only). ``make bench`` runs it with the defaults.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Real articles of many styles and noises: the blind batches of tests/data/batches, every other
#: file of w100–w159 in name order.
PATTERN = "tests/data/batches/w1[0-5]*/articles/*"
#: main just before the learned partnership scorer (issue 13): the rules alone.
RULES_ONLY = "a80c676~1"


def sample(n: int) -> list[Path]:
    """The first ``n`` of every other batch article (the same files for any checkout)."""
    return sorted(ROOT.glob(PATTERN))[::2][:n]


def measure(code: Path, files: list[Path], repeat: int) -> dict:
    """CPU ms per article of ``analyse`` in the checkout at ``code`` (run in a child process, so
    that checkout's modules, not this one's, are imported)."""
    child = (
        "import json, sys, time\n"
        f"sys.path.insert(0, {str(code)!r})\n"
        "from kg.model import Document\n"
        "from kg.pipeline import analyse\n"
        "from loaders.read import iter_documents\n"
        "docs = [d for d in iter_documents(sys.argv[2:]) if isinstance(d, Document)]\n"
        "for d in docs: analyse(d)\n"  # warm-up: vocabularies, automata, division data
        "best = float('inf')\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    t = time.process_time()\n"
        "    for d in docs: analyse(d)\n"
        "    best = min(best, time.process_time() - t)\n"
        "print(json.dumps({'documents': len(docs), 'cpu_ms_per_article': round(best / len(docs) * 1000, 3)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", child, str(repeat), *map(str, files)], cwd=code,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--against", default=RULES_ONLY,
                    help="a git revision to measure on the same files (default %(default)s; '' for none)")
    args = ap.parse_args(argv)
    files = sample(args.articles)
    started = time.time()
    report = {"files": len(files), "this": measure(ROOT, files, args.repeat)}
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp) / "tree"
            add = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.against],
                                 capture_output=True, text=True)
            if add.returncode:  # a shallow clone, or no git: say so, keep this checkout's figure
                report["against"] = {"revision": args.against, "error": add.stderr.strip()[-300:]}
            else:
                try:
                    report["against"] = {"revision": args.against, **measure(tree, files, args.repeat)}
                finally:
                    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
                report["ratio"] = round(report["this"]["cpu_ms_per_article"]
                                        / report["against"]["cpu_ms_per_article"], 2)
    report["wall_s"] = round(time.time() - started, 1)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
