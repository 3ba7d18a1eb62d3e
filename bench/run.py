"""`make bench`: build throughput, scaling, memory and the result cache, plus the other benches.

Measured on the synthetic corpus of bench/corpus.py (1k, 10k, 100k articles of ~2 KB):

* build throughput with ``--jobs 1`` and ``2`` (articles/s, MB/s of raw UTF-8 text) and
  the peak memory of the whole process tree (psutil, sum of PSS — so pages forked workers
  share with the parent count once — sampled every 0.2 s);
* how time grows with size (the 10k→100k step against the 1k→10k step);
* a jieba baseline in the same run: ``jieba.lcut`` over the same raw texts;
* the result cache: ``kg build`` on a cold cache, again unchanged, after changing one
  article and after deleting one;
* extraction recall on the planted supporter → county pairs (a sanity check);
* bench/bench_clean.py, bench/bench_sparql.py and bench/bench_neo4j.py when present
  (each prints JSON; run as subprocesses with timeouts).

Every build runs in its own process, so each pays its own start-up (imports, vocabularies)
as a user would. The whole run keeps to ``--budget`` seconds (default 14 min): a step
whose estimated time does not fit is skipped and the report says so. Writes
bench/out/report.json and bench/out/report.md.

Usage: python bench/run.py [--budget 840] [--seed 0] [--sizes 1k,10k,100k] [--no-others] [--out DIR]
(a longer --budget lets 100k --jobs 2, the 10k cache runs and 100k --jobs 1 run on a busy machine)
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
OUT = BENCH / "out"
CORPORA = BENCH / "corpus"
sys.path.insert(0, str(BENCH))

import corpus as corpus_mod  # noqa: E402

KG = [sys.executable, "-c", "import sys; from kg.cli import main; sys.argv[0] = 'kg'; main()"]
PSS = sys.platform.startswith("linux")
OTHER_BENCHES = (("clean", "bench_clean.py", 180), ("sparql", "bench_sparql.py", 300),
                 ("neo4j", "bench_neo4j.py", 300))


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    """One measured subprocess."""

    name: str
    seconds: float
    rc: int
    peak_rss_mb: float  # the whole process tree (PSS where the OS gives it, else RSS)
    data: dict = field(default_factory=dict)
    stderr: str = ""


def measure(name: str, cmd: list[str], timeout: float) -> Run:
    """Run ``cmd``; wall time, exit code, peak memory (PSS) of its process tree and its JSON output."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(proc.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:  # PSS: pages a forked worker shares with its parent count once
                        total += p.memory_full_info().pss if PSS else p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            peak = max(peak, total)
            stop.wait(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        out, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        for p in psutil.Process(proc.pid).children(recursive=True):
            p.kill()
        proc.kill()
        out, err = proc.communicate()
        rc = -9
    stop.set()
    th.join()
    seconds = time.perf_counter() - t0
    return Run(name, round(seconds, 2), rc, round(peak / 2**20, 1), _json(out), err[-2000:])


def _json(text: str) -> dict:
    """The JSON object a child printed (whole output, else its last line)."""
    text = (text or "").strip()
    for cand in (text, text.splitlines()[-1] if text else "", text[text.find("{"):] if "{" in text else ""):
        try:
            v = json.loads(cand)
            return v if isinstance(v, dict) else {"value": v}
        except ValueError:
            continue
    return {"raw_output": text[-1000:]} if text else {}


# --------------------------------------------------------------------------- children


def child_build(inputs: str, jobs: int, cache: str | None, truth: str | None) -> None:
    """Build in this process (no output files) and print timings as JSON."""
    import resource

    from kg.pipeline import build

    t0, c0 = time.perf_counter(), time.process_time()
    res = build([inputs], out=None, jobs=jobs, cache=cache or False)
    wall = time.perf_counter() - t0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's workers, joined by now
    cpu = time.process_time() - c0 + kids.ru_utime + kids.ru_stime
    out = {"build_s": round(wall, 3), "build_cpu_s": round(cpu, 3),
           "documents": len(res.documents), "failed": len(res.failures),
           "raw_chars": res.raw_chars, "cached": res.cached, "analysed": res.analysed,
           "entities": len(res.graph.entities), "relations": len(res.graph.relations),
           "evidence": res.graph.stats()["evidence"]}
    if truth:
        out["recall"] = corpus_mod.recall(res.graph, corpus_mod.read_truth(truth))
    print(json.dumps(out))


def child_jieba(inputs: str) -> None:
    """``jieba.lcut`` over every article's raw text; dictionary load and file reads not counted."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(inputs).rglob("*.txt"))]
    t0, c0 = time.perf_counter(), time.process_time()
    words = 0
    for t in texts:
        words += len(jieba.lcut(t))
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"segment_s": round(dt, 3), "segment_cpu_s": round(cpu, 3), "articles": len(texts), "words": words,
                      "mb": round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 2)}))


# --------------------------------------------------------------------------- the run


class Bench:
    def __init__(self, budget: float, seed: int, sizes: list[str], others: bool = True):
        self.t0 = time.perf_counter()
        self.run_others = others
        self.budget, self.seed, self.sizes = budget, seed, sizes
        self.report: dict = {"machine": _machine(), "budget_s": budget, "seed": seed,
                             "corpora": {}, "builds": {}, "jieba": {}, "cache": {}, "other": {},
                             "skipped": [], "notes": []}

    def left(self) -> float:
        return self.budget - (time.perf_counter() - self.t0)

    def fits(self, what: str, estimate: float, reserve: float = 0.0) -> bool:
        if estimate + reserve <= self.left():
            return True
        self.report["skipped"].append(f"{what}: estimated {estimate:.0f}s, {self.left():.0f}s of the budget left"
                                      + (f" ({reserve:.0f}s kept for later steps)" if reserve else ""))
        print(f"bench: skipping {what}", file=sys.stderr)
        return False

    def log(self, msg: str) -> None:
        print(f"[{time.perf_counter() - self.t0:6.0f}s] {msg}", file=sys.stderr, flush=True)

    # -- corpora -------------------------------------------------------------------
    def corpus(self, size: str) -> dict:
        folder = CORPORA / size
        n = corpus_mod.SIZES[size]
        try:
            m = json.loads((folder / "manifest.json").read_text())
            if m["articles"] == n and m["seed"] == self.seed and m.get("version") == _corpus_version():
                m["reused"] = True
                self.report["corpora"][size] = m
                return m
        except (OSError, ValueError, KeyError):
            pass
        self.log(f"generating {size} corpus")
        m = corpus_mod.generate(n, folder, seed=self.seed)
        m["version"] = _corpus_version()
        (folder / "manifest.json").write_text(json.dumps(m, indent=1))
        m["reused"] = False
        self.report["corpora"][size] = m
        return m

    # -- builds --------------------------------------------------------------------
    def build(self, size: str, jobs: int, truth: bool = False) -> Run:
        m = self.report["corpora"][size]
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "build", "--inputs", m["inputs"][0],
               "--jobs", str(jobs)]
        if truth:
            cmd += ["--truth", str(CORPORA / size)]
        self.log(f"build {size} --jobs {jobs}")
        r = measure(f"build-{size}-j{jobs}", cmd, timeout=max(60.0, self.left()))
        d = r.data
        row = {"articles": m["articles"], "raw_mb": round(m["bytes"] / 1e6, 2), "jobs": jobs,
               "wall_s": r.seconds, "build_s": d.get("build_s"), "build_cpu_s": d.get("build_cpu_s"),
               "peak_rss_mb": r.peak_rss_mb, "rc": r.rc, "load_avg_1m_after": round(os.getloadavg()[0], 2),
               **{k: d[k] for k in ("documents", "failed", "entities", "relations", "evidence", "recall")
                  if k in d}}
        if r.rc == 0 and d.get("build_s"):
            row["articles_per_s"] = round(m["articles"] / d["build_s"], 1)
            row["mb_per_s"] = round(m["bytes"] / 1e6 / d["build_s"], 3)
            row["mb_per_s_per_core"] = round(row["mb_per_s"] / jobs, 3)
            if d.get("build_cpu_s"):
                row["mb_per_cpu_s"] = round(m["bytes"] / 1e6 / d["build_cpu_s"], 3)
        else:
            row["error"] = r.stderr[-800:]
        self.report["builds"][f"{size}/j{jobs}"] = row
        self.log(f"  → {row.get('build_s')}s, {row.get('mb_per_s')} MB/s, peak {r.peak_rss_mb} MB")
        return r

    def jieba(self, size: str) -> None:
        m = self.report["corpora"][size]
        self.log(f"jieba {size}")
        r = measure(f"jieba-{size}", [sys.executable, str(Path(__file__).resolve()), "--child", "jieba",
                                      "--inputs", m["inputs"][0]], timeout=max(60.0, self.left()))
        self.report["jieba"][size] = {**r.data, "rc": r.rc, "load_avg_1m_after": round(os.getloadavg()[0], 2)}

    # -- cache ---------------------------------------------------------------------
    def cache(self, size: str, jobs: int = 2) -> None:
        """`kg build` end to end (with output files): cold, unchanged, one article changed, one deleted."""
        m = self.report["corpora"][size]
        inputs = m["inputs"][0]
        out = Path(tempfile.mkdtemp(prefix=f"kg-bench-cache-{size}-"))
        files = sorted(Path(inputs).rglob("*.txt"))
        victim = files[len(files) // 2]
        original = victim.read_bytes()
        parked = out.parent / (out.name + "-parked.txt")
        res: dict = {"articles": m["articles"], "jobs": jobs}
        try:
            for step in ("cold", "unchanged", "one_changed", "one_deleted"):
                if step == "one_changed":
                    victim.write_bytes(original + "\n中山大学附属第一医院对口帮扶阳山县人民医院。\n".encode("utf-8"))
                if step == "one_deleted":
                    victim.write_bytes(original)
                    shutil.move(str(victim), parked)
                self.log(f"kg build {size} ({step})")
                r = measure(f"kg-build-{size}-{step}", KG + ["build", inputs, "-o", str(out), "-j", str(jobs), "-q"],
                            timeout=max(60.0, self.left()))
                rep = {}
                try:
                    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    pass
                res[step] = {"wall_s": r.seconds, "rc": r.rc, "peak_rss_mb": r.peak_rss_mb,
                             "build_s": rep.get("seconds"), "cached": rep.get("documents_cached"),
                             "analysed": rep.get("documents_analysed"),
                             "outputs_reused": rep.get("outputs_reused")}
                if r.rc != 0:
                    res[step]["error"] = r.stderr[-800:]
                    break
        finally:
            if parked.exists():
                shutil.move(str(parked), victim)
            victim.write_bytes(original)
            sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
            cache_file = out / "cache" / "results.sqlite"
            res["output_files_mb"] = {k: round(v / 1e6, 1) for k, v in sorted(sizes.items())}
            res["cache_mb"] = round(cache_file.stat().st_size / 1e6, 1) if cache_file.exists() else None
            shutil.rmtree(out, ignore_errors=True)
        cold = res.get("cold", {})
        if cold.get("build_s") is not None:
            res["cold"]["write_outputs_s"] = round(cold["wall_s"] - cold["build_s"], 2)
        self.report["cache"][size] = res

    # -- the other engineers' benches -------------------------------------------------
    def others(self) -> None:
        for name, script, limit in OTHER_BENCHES:
            path = BENCH / script
            if not path.exists():
                self.report["other"][name] = {"status": "not present"}
                continue
            timeout = min(limit, max(30.0, self.left() - 10))
            self.log(f"{script} (timeout {timeout:.0f}s)")
            r = measure(name, [sys.executable, str(path)], timeout=timeout)
            self.report["other"][name] = {"status": "ok" if r.rc == 0 else ("timeout" if r.rc == -9 else f"exit {r.rc}"),
                                          "seconds": r.seconds, "peak_rss_mb": r.peak_rss_mb, "result": r.data,
                                          **({"stderr": r.stderr[-600:]} if r.rc else {})}

    # -- plan ----------------------------------------------------------------------
    def run(self) -> dict:
        b = self.report["builds"]
        for size in self.sizes:
            self.corpus(size)
        if "1k" in self.sizes:
            self.build("1k", 1, truth=True)
            self.build("1k", 2)
            self.jieba("1k")
        if "10k" in self.sizes:
            self.build("10k", 2)
        per2 = b["10k/j2"]["wall_s"] / 10 if b.get("10k/j2", {}).get("rc") == 0 else None
        # what must still run after 100k: 10k --jobs 1 and jieba (the per-core figures),
        # kg build four times on 1k (the cache), the other benches (at least a minute)
        later = {"10k --jobs 1": 1.6 * (per2 or 6) * 10, "jieba 10k": 0.8 * (per2 or 6) * 10,
                 "cache runs at 1k": 4 * (b.get("1k/j2", {}).get("wall_s") or 10) * 1.5 + 48, "other benches": 60}
        if "100k" in self.sizes and per2:
            if self.fits("100k --jobs 2", per2 * 100 * 1.1, reserve=sum(later.values())):
                self.build("100k", 2)
        if "10k" in self.sizes:
            if self.fits("10k --jobs 1", later["10k --jobs 1"], reserve=later["cache runs at 1k"] + 60):
                self.build("10k", 1)
            if self.fits("jieba 10k", later["jieba 10k"], reserve=later["cache runs at 1k"] + 60):
                self.jieba("10k")
        if "1k" in self.sizes and self.fits("cache runs at 1k", later["cache runs at 1k"], reserve=60):
            self.cache("1k")
        if self.run_others:
            self.others()
        if "10k" in self.sizes and self.fits("cache runs at 10k", 4 * (per2 or 6) * 10 * 1.5 + 4 * 120):
            self.cache("10k")
        per1 = b["10k/j1"]["wall_s"] / 10 if b.get("10k/j1", {}).get("rc") == 0 else None
        if "100k" in self.sizes and per1 and self.fits("100k --jobs 1", per1 * 100 * 1.1):
            self.build("100k", 1)
        self.report["elapsed_s"] = round(time.perf_counter() - self.t0, 1)
        self.report["summary"] = summarise(self.report)
        return self.report


def _machine() -> dict:
    import platform

    try:
        import psutil
        mem = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        mem = None
    return {"cpus": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "platform": platform.platform(), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


def _corpus_version() -> str:
    import hashlib

    return hashlib.sha1((BENCH / "corpus.py").read_bytes()).hexdigest()[:12]


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    figure: str
    value: str
    target: str
    met: bool | None  # None: no target (information)
    note: str = ""


def summarise(rep: dict) -> list[dict]:
    """Each figure against its target."""
    b, j, c = rep["builds"], rep["jieba"], rep["cache"]
    rows: list[Row] = []

    def get(key: str) -> dict:
        return b.get(key) or {}

    big = "10k" if get("10k/j1") else "1k"
    one, jb = get(f"{big}/j1"), j.get(big, {})
    if one.get("build_s") and jb.get("segment_s"):
        ratio = one["build_s"] / jb["segment_s"]
        rows.append(Row(f"whole build vs jieba.lcut on the same raw text ({big}, 1 process, wall)", f"{ratio:.2f}×",
                        "≤ 1.0×", ratio <= 1.0, f"build {one['build_s']}s, jieba {jb['segment_s']}s"))
    if one.get("build_cpu_s") and jb.get("segment_cpu_s"):
        ratio = one["build_cpu_s"] / jb["segment_cpu_s"]
        rows.append(Row(f"whole build vs jieba.lcut ({big}, CPU seconds: robust to other load)", f"{ratio:.2f}×",
                        "≤ 1.0×", ratio <= 1.0, f"build {one['build_cpu_s']} CPU-s, jieba {jb['segment_cpu_s']} CPU-s"))
    if one.get("mb_per_s"):
        v = one["mb_per_s"]
        rows.append(Row(f"raw text per core ({big}, --jobs 1, wall)", f"{v:.2f} MB/s", "≥ 2 MB/s", v >= 2.0,
                        f"{one['articles_per_s']} articles/s"))
    if one.get("mb_per_cpu_s"):
        v = one["mb_per_cpu_s"]
        rows.append(Row(f"raw text per CPU-second ({big}, --jobs 1)", f"{v:.2f} MB/s", "≥ 2 MB/s", v >= 2.0,
                        "per core by definition; not slowed by other processes on the machine"))
    if get(f"{big}/j2").get("mb_per_s") and get(f"{big}/j1").get("mb_per_s"):
        s = get(f"{big}/j2")["mb_per_s"] / get(f"{big}/j1")["mb_per_s"]
        rows.append(Row(f"speed-up of --jobs 2 over --jobs 1 ({big})", f"{s:.2f}×", "(2 cores)", None,
                        f"{get(f'{big}/j2')['mb_per_s']} MB/s with 2 workers"))
    if get("100k/j2").get("build_s"):
        t = get("100k/j2")["build_s"]
        rows.append(Row("100k articles, --jobs 2 (read → graph)", f"{t:.0f} s", "< 300 s", t < 300,
                        f"{get('100k/j2')['raw_mb']} MB; output files not included (see below)"))
    else:
        rows.append(Row("100k articles, --jobs 2", "not run", "< 300 s", None, "; ".join(rep["skipped"])))
    peaks = [(k, v["peak_rss_mb"]) for k, v in b.items() if v.get("peak_rss_mb")]
    for size, cr in c.items():
        for step in ("cold", "unchanged", "one_changed", "one_deleted"):
            if cr.get(step, {}).get("peak_rss_mb"):
                peaks.append((f"kg build {size} {step}", cr[step]["peak_rss_mb"]))
    if peaks:
        k, v = max(peaks, key=lambda x: x[1])
        rows.append(Row("peak memory (whole process tree)", f"{v / 1024:.2f} GB", "< 4 GB", v < 4096, f"in {k}"))
    jobs = 2 if get("100k/j2") else 1
    t1, t10, t100 = (get(f"{s}/j{jobs}").get("build_s") for s in ("1k", "10k", "100k"))
    if t1 and t10 and t100:
        step = (t100 - t10) / (t10 - t1)
        rows.append(Row(f"growth: 10k→100k step vs 1k→10k step (--jobs {jobs})", f"{step:.1f}×", "≤ 12× (linear: 10×)",
                        step <= 12, f"{t1}s, {t10}s, {t100}s"))
    elif t1 and t10:
        step = t10 / t1
        rows.append(Row(f"growth: 10k vs 1k (--jobs {jobs}); 100k not run", f"{step:.1f}×", "≤ 12× (linear: 10×)",
                        None, f"{t1}s, {t10}s"))
    for size, cr in c.items():
        cold, same = cr.get("cold", {}), cr.get("unchanged", {})
        if cold.get("wall_s") and same.get("wall_s"):
            share = same["wall_s"] / cold["wall_s"]
            rows.append(Row(f"unchanged rebuild / full build (kg build {size}, -j {cr['jobs']})", f"{share:.1%}", "< 10%",
                            share < 0.10, f"{same['wall_s']}s vs {cold['wall_s']}s; {same.get('cached')} cached, "
                                          f"{same.get('analysed')} analysed, outputs reused: {same.get('outputs_reused')}"))
        for step, label in (("one_changed", "one article changed"), ("one_deleted", "one article deleted")):
            s = cr.get(step, {})
            if s.get("wall_s"):
                rows.append(Row(f"rebuild, {label} (kg build {size})", f"{s['wall_s']:.1f} s", "(information)", None,
                                f"{s.get('analysed')} analysed, {s.get('cached')} cached; "
                                f"graph {s.get('build_s')}s, the rest is start-up and output files"))
        if cold.get("write_outputs_s") is not None:
            rows.append(Row(f"writing output files (kg build {size}, cold)", f"{cold['write_outputs_s']:.1f} s",
                            "(information)", None, f"files: {cr.get('output_files_mb')} MB; cache {cr.get('cache_mb')} MB"))
    rec = get("1k/j1").get("recall")
    if rec:
        rows.append(Row("extraction recall on planted supporter → county pairs (1k)", f"{rec['recall']:.1%}",
                        "(sanity check)", None, f"{rec['found']}/{rec['planted']}; by style {rec['by_style']}"))
    for name, o in rep["other"].items():
        rows.append(Row(f"bench_{name}.py", o.get("status", "?"), "(see its JSON)", None,
                        f"{o.get('seconds', '-')}s" if "seconds" in o else ""))
    return [asdict(r) for r in rows]


def markdown(rep: dict) -> str:
    mark = {True: "✅ met", False: "❌ not met", None: "—"}
    lines = ["# Benchmark report", "",
             f"Machine: {rep['machine']['cpus']} CPUs, {rep['machine']['memory_gb']} GB, Python "
             f"{rep['machine']['python']}; load average at start {rep['machine']['load_avg_at_start']}. "
             f"Whole run: {rep.get('elapsed_s')} s (budget {rep['budget_s']} s).", "",
             "| figure | value | target | status | notes |", "| --- | --- | --- | --- | --- |"]
    for r in rep["summary"]:
        lines.append(f"| {r['figure']} | {r['value']} | {r['target']} | {mark[r['met']]} | {r['note']} |")
    lines += ["", "## Builds (read → clean → extract → link → graph; no output files)", "",
              "| corpus | jobs | raw MB | build s | CPU s | wall s (with start-up) | articles/s | MB/s | MB/s per core "
              "| MB per CPU-s | peak MB (PSS) | load (1 min) after |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for k, v in rep["builds"].items():
        lines.append(f"| {k.split('/')[0]} | {v['jobs']} | {v['raw_mb']} | {v.get('build_s')} | {v.get('build_cpu_s')} | "
                     f"{v['wall_s']} | {v.get('articles_per_s', '-')} | {v.get('mb_per_s', '-')} | "
                     f"{v.get('mb_per_s_per_core', '-')} | {v.get('mb_per_cpu_s', '-')} | {v['peak_rss_mb']} | "
                     f"{v.get('load_avg_1m_after')} |")
    if rep["jieba"]:
        lines += ["", "jieba.lcut on the same raw text: " + ", ".join(
            f"{k}: {v.get('segment_s')} s ({v.get('segment_cpu_s')} CPU-s) for {v.get('mb')} MB"
            for k, v in rep["jieba"].items())]
    for size, cr in rep["cache"].items():
        lines += ["", f"## Result cache: `kg build` on {size} (-j {cr['jobs']}, with output files)", "",
                  "| step | wall s | graph s | analysed | cached | outputs reused | peak MB (PSS) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for step in ("cold", "unchanged", "one_changed", "one_deleted"):
            s = cr.get(step)
            if s:
                lines.append(f"| {step} | {s['wall_s']} | {s.get('build_s')} | {s.get('analysed')} | {s.get('cached')} | "
                             f"{s.get('outputs_reused')} | {s['peak_rss_mb']} |")
    if rep["skipped"]:
        lines += ["", "## Skipped to keep within the budget", ""] + [f"- {s}" for s in rep["skipped"]]
    if rep["notes"]:
        lines += ["", "## Notes", ""] + [f"- {s}" for s in rep["notes"]]
    lines += ["", "The other benches' full JSON is in report.json under `other`."]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=840.0, help="seconds for the whole run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", default="1k,10k,100k")
    ap.add_argument("--no-others", action="store_true", help="skip the other engineers' benches")
    ap.add_argument("--out", default=str(OUT), help="folder for report.json and report.md")
    ap.add_argument("--child", choices=("build", "jieba"), help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    ap.add_argument("--truth", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "build":
        return child_build(args.inputs, args.jobs, args.cache, args.truth)
    if args.child == "jieba":
        return child_jieba(args.inputs)
    rep = Bench(args.budget, args.seed, [s for s in args.sizes.split(",") if s], not args.no_others).run()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")
    md = markdown(rep)
    (out / "report.md").write_text(md, encoding="utf-8")
    print(md)


if __name__ == "__main__":
    main()
