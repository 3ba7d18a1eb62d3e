"""`make bench`: what `kg build` costs, end to end and per stage, plus the other benches.

Measured on the synthetic corpus of bench/corpus.py (1k, 10k, 100k articles of ~2 KB):

* `kg build -j 2 --no-cache` with its default outputs (graph.json, report.json, the SPARQL
  store, the Cypher database), as a user runs it: wall and CPU seconds (the machine is
  shared: CPU seconds are the figure other load does not move), the peak memory of the
  whole process tree (psutil, sum of PSS — so pages forked workers share with the parent
  count once — sampled every 0.2 s) and the size of every output;
* a jieba baseline in the same run: ``jieba.lcut`` over the same raw texts, and the ratio;
* incremental builds: `kg build -j 2` on a cold cache, again unchanged, after changing
  one article (10 at 100k) and after deleting one, with the share of the full build;
* the per-article stage alone (read → graph, no output files) with ``--jobs 1`` and ``2``,
  how time grows with size, and extraction recall on the planted pairs (a sanity check);
* bench/bench_clean.py, bench/bench_sparql.py, bench/bench_neo4j.py and bench/bench_analyse.py when present
  (each prints JSON; run as subprocesses with timeouts).

Every build runs in its own process, so each pays its own start-up (imports, vocabularies)
as a user would. The whole run keeps to ``--budget`` seconds (default 14 min): a step
whose estimated time does not fit is skipped and the report says so. 100k runs only with
``BENCH_FULL=1`` (``make bench BENCH_FULL=1``: about an hour on 2 cores). Writes
bench/out/report.json and bench/out/report.md, and with ``--docs FILE`` puts the tables
into FILE between the ``<!-- bench -->`` and ``<!-- /bench -->`` markers (docs/scale.md).

Usage: python bench/run.py [--budget 840] [--seed 0] [--sizes 1k,10k[,100k]] [--no-others]
                           [--out DIR] [--docs docs/scale.md]
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
OTHER_BENCHES = (("clean", "bench_clean.py", 180), ("sparql", "bench_sparql.py", 480),
                 ("neo4j", "bench_neo4j.py", 300), ("analyse", "bench_analyse.py", 240))


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
    cpu_s: float = 0.0  # user + system seconds of the process and every child it waited for


def measure(name: str, cmd: list[str], timeout: float) -> Run:
    """Run ``cmd``; wall and CPU time, exit code, peak memory (PSS) of its process tree and its
    JSON output."""
    import resource

    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(name, round(seconds, 2), rc, round(peak / 2**20, 1), _json(out), err[-2000:], round(cpu, 1))


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
                             "corpora": {}, "builds": {}, "jieba": {}, "end_to_end": {}, "cache": {},
                             "other": {}, "skipped": [], "notes": []}

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

    # -- kg build end to end ---------------------------------------------------------
    def _kg_build(self, name: str, inputs: str, out: Path, extra: list[str]) -> dict:
        r = measure(name, KG + ["build", inputs, "-o", str(out), "-j", "2", "-q", *extra],
                    timeout=max(60.0, self.left()))
        rep = {}
        try:
            rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
        try:
            incremental = json.loads((out / "current" / "manifest.json").read_text())["incremental"]
        except (OSError, ValueError, KeyError):
            incremental = None
        row = {"wall_s": r.seconds, "cpu_s": r.cpu_s, "rc": r.rc, "peak_rss_mb": r.peak_rss_mb,
               "graph_s": rep.get("seconds"), "cached": rep.get("documents_cached"),
               "analysed": rep.get("documents_analysed"), "outputs_reused": rep.get("outputs_reused"),
               "incremental": incremental, "load_avg_1m_after": round(os.getloadavg()[0], 2)}
        if r.rc != 0:
            row["error"] = r.stderr[-800:]
        self.log(f"  → {r.seconds}s wall, {r.cpu_s} CPU-s, peak {r.peak_rss_mb} MB")
        return row

    def end_to_end(self, size: str) -> None:
        """`kg build -j 2 --no-cache` with the default outputs: the full build as a user runs it."""
        m = self.report["corpora"][size]
        out = Path(tempfile.mkdtemp(prefix=f"kg-bench-{size}-"))
        try:
            self.log(f"kg build {size} -j 2 --no-cache")
            row = self._kg_build(f"kg-build-{size}", m["inputs"][0], out, ["--no-cache"])
            gen = out / "current"
            row["outputs_mb"] = {p.name: round(_size(p) / 1e6, 1) for p in sorted(gen.iterdir())
                                 if p.name != "manifest.json"} if gen.exists() else {}
        finally:
            shutil.rmtree(out, ignore_errors=True)
        self.report["end_to_end"][size] = {"articles": m["articles"], "raw_mb": round(m["bytes"] / 1e6, 2), **row}

    def cache(self, size: str, changed: int = 1) -> None:
        """`kg build -j 2` with the cache: cold, unchanged, ``changed`` articles changed, one deleted."""
        m = self.report["corpora"][size]
        inputs = m["inputs"][0]
        out = Path(tempfile.mkdtemp(prefix=f"kg-bench-cache-{size}-"))
        files = sorted(Path(inputs).rglob("*.txt"))
        victims = [files[(i + 1) * len(files) // (changed + 1)] for i in range(changed)]
        originals = {v: v.read_bytes() for v in victims}
        parked = out.parent / (out.name + "-parked.txt")
        res: dict = {"articles": m["articles"], "jobs": 2, "n_changed": changed}
        try:
            for step in ("cold", "unchanged", "changed", "one_deleted"):
                if step == "changed":
                    for v in victims:
                        v.write_bytes(originals[v] + "\n中山大学附属第一医院对口帮扶阳山县人民医院。\n".encode("utf-8"))
                if step == "one_deleted":
                    for v in victims:
                        v.write_bytes(originals[v])
                    shutil.move(str(victims[0]), parked)
                self.log(f"kg build {size} ({step})")
                res[step] = self._kg_build(f"kg-build-{size}-{step}", inputs, out, [])
                if res[step]["rc"] != 0:
                    break
        finally:
            if parked.exists():
                shutil.move(str(parked), victims[0])
            for v, b in originals.items():
                v.write_bytes(b)
            cache_file = out / "cache" / "results.sqlite"
            res["cache_mb"] = round(cache_file.stat().st_size / 1e6, 1) if cache_file.exists() else None
            shutil.rmtree(out, ignore_errors=True)
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
        b, e = self.report["builds"], self.report["end_to_end"]
        for size in self.sizes:
            self.corpus(size)
        if "1k" in self.sizes:
            self.build("1k", 1, truth=True)
            self.build("1k", 2)
            self.jieba("1k")
        for size in [x for x in ("10k", "100k") if x in self.sizes]:
            # the headline: jieba and kg build on the same files, one after the other; at 100k
            # the cold build of the cache runs is the full build (no second hour-long build)
            self.jieba(size)
            if size == "10k":
                self.end_to_end(size)
            full = (e.get("10k", {}).get("wall_s") or 120) * (10 if size == "100k" else 1)
            if self.fits(f"incremental builds at {size}", full * (2.5 if size == "10k" else 1.6) + 60):
                self.cache(size, changed=1 if size == "10k" else 10)
        per2 = b.get("1k/j2", {}).get("wall_s")
        if "10k" in self.sizes and per2 and self.fits("10k read → graph --jobs 2", per2 * 12, reserve=60):
            self.build("10k", 2)
        if self.run_others:
            self.others()
        t10 = b.get("10k/j2", {}).get("wall_s")
        if "10k" in self.sizes and t10 and self.fits("10k read → graph --jobs 1", t10 * 1.6):
            self.build("10k", 1)
        self.report["elapsed_s"] = round(time.perf_counter() - self.t0, 1)
        self.report["summary"] = summarise(self.report)
        return self.report


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


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
    """Each figure against its target (issue 14's for `kg build`, earlier issues' for the stage)."""
    b, j, c, e = rep["builds"], rep["jieba"], rep["cache"], rep["end_to_end"]
    rows: list[Row] = []

    def get(key: str) -> dict:
        return b.get(key) or {}

    gb = 1024.0
    for size, r in e.items():  # the full build as a user runs it, against jieba in the same run
        jb = j.get(size, {})
        if r.get("rc") != 0:
            rows.append(Row(f"kg build -j 2 --no-cache ({size})", f"exit {r.get('rc')}", "exit 0", False,
                            (r.get("error") or "")[-200:]))
            continue
        if jb.get("segment_s"):
            ratio = r["wall_s"] / jb["segment_s"]
            rows.append(Row(f"kg build -j 2 --no-cache, default outputs, vs jieba.lcut ({size}, wall)",
                            f"{ratio:.2f}×", "≤ 1.5×", ratio <= 1.5,
                            f"build {r['wall_s']} s, jieba {jb['segment_s']} s; load average after "
                            f"{r.get('load_avg_1m_after')}"))
            cpu = r["cpu_s"] / jb["segment_cpu_s"] if jb.get("segment_cpu_s") else None
            if cpu:
                rows.append(Row(f"the same in CPU seconds ({size}; both cores' work against one core's)",
                                f"{cpu:.2f}×", "(information)", None,
                                f"build {r['cpu_s']} CPU-s, jieba {jb['segment_cpu_s']} CPU-s"))
        limit = 1.5 if size == "10k" else 4.0
        rows.append(Row(f"peak memory of kg build -j 2 --no-cache ({size}, process tree)",
                        f"{r['peak_rss_mb'] / gb:.2f} GB", f"≤ {limit} GB", r["peak_rss_mb"] <= limit * gb,
                        f"outputs (MB): {r.get('outputs_mb')}"))
    for size, cr in c.items():
        cold = cr.get("cold", {})
        if not cold.get("wall_s"):
            continue
        if size == "100k":
            rows.append(Row("kg build -j 2 (100k, cold cache, default outputs)", f"{cold['wall_s']:.0f} s",
                            "< 600 s", cold["wall_s"] < 600 and cold.get("rc") == 0,
                            f"{cold['cpu_s']} CPU-s"))
            rows.append(Row("peak memory of kg build -j 2 (100k, process tree)",
                            f"{cold['peak_rss_mb'] / gb:.2f} GB", "< 4 GB", cold["peak_rss_mb"] < 4 * gb, ""))
        for step, label in (("unchanged", "nothing changed"), ("changed", f"{cr['n_changed']} article(s) changed"),
                            ("one_deleted", "one article deleted")):
            s = cr.get(step, {})
            if s.get("wall_s"):
                share = s["wall_s"] / cold["wall_s"]
                rows.append(Row(f"rebuild, {label} / full build (kg build -j 2, {size})", f"{share:.1%}", "< 10%",
                                share < 0.10, f"{s['wall_s']} s ({s['cpu_s']} CPU-s, peak {s['peak_rss_mb']} MB) vs "
                                              f"{cold['wall_s']} s; {s.get('analysed')} analysed; stores "
                                              f"updated in place: {s.get('incremental')}"))
    one, jb = get("10k/j1") or get("1k/j1"), j.get("10k" if get("10k/j1") else "1k", {})
    big = "10k" if get("10k/j1") else "1k"
    if one.get("build_cpu_s") and jb.get("segment_cpu_s"):
        ratio = one["build_cpu_s"] / jb["segment_cpu_s"]
        rows.append(Row(f"read → graph vs jieba.lcut ({big}, 1 process, CPU seconds)", f"{ratio:.2f}×",
                        "≤ 1.0×", ratio <= 1.0, f"{one['build_cpu_s']} CPU-s vs {jb['segment_cpu_s']} CPU-s"))
    if one.get("mb_per_cpu_s"):
        v = one["mb_per_cpu_s"]
        rows.append(Row(f"raw text per CPU-second, read → graph ({big}, --jobs 1)", f"{v:.2f} MB/s", "≥ 2 MB/s",
                        v >= 2.0, f"{one.get('articles_per_s')} articles/s (wall)"))
    if get(f"{big}/j2").get("mb_per_s") and one.get("mb_per_s"):
        sp = get(f"{big}/j2")["mb_per_s"] / one["mb_per_s"]
        rows.append(Row(f"speed-up of --jobs 2 over --jobs 1, read → graph ({big})", f"{sp:.2f}×", "(2 cores)", None,
                        f"{get(f'{big}/j2')['mb_per_s']} MB/s with 2 workers"))
    t1, t10 = get("1k/j2").get("build_s"), get("10k/j2").get("build_s")
    if t1 and t10:
        rows.append(Row("growth of read → graph: 10k vs 1k (--jobs 2)", f"{t10 / t1:.1f}×", "≤ 12× (linear: 10×)",
                        t10 / t1 <= 12, f"{t1}s, {t10}s"))
    rec = get("1k/j1").get("recall")
    if rec:
        rows.append(Row("extraction recall on planted supporter → county pairs (1k)", f"{rec['recall']:.1%}",
                        "(sanity check)", None, f"{rec['found']}/{rec['planted']}; by style {rec['by_style']}"))
    per = rep["other"].get("analyse", {}).get("result") or {}
    if per.get("ratio"):
        rows.append(Row("analyse() CPU per article vs the rules alone (issue 13, same files, same run)",
                        f"{per['ratio']}×", "≤ 1.2×", per["ratio"] <= 1.2,
                        f"{per['this']['cpu_ms_per_article']} ms vs {per['against']['cpu_ms_per_article']} ms "
                        f"({per['against']['revision']}), {per['files']} batch articles"))
    for name, o in rep["other"].items():
        rows.append(Row(f"bench_{name}.py", o.get("status", "?"), "(see its JSON)", None,
                        f"{o.get('seconds', '-')}s" if "seconds" in o else ""))
    return [asdict(r) for r in rows]


def tables(rep: dict) -> list[str]:
    """The figures as Markdown tables (report.md, and the bench section of docs/scale.md)."""
    mark = {True: "✅ met", False: "❌ not met", None: "—"}
    m = rep["machine"]
    lines = [f"Machine: {m['cpus']} CPUs, {m['memory_gb']} GB, Python {m['python']}; load average at start "
             f"{m['load_avg_at_start']} (the machine is shared: CPU seconds are given next to wall time). "
             f"Whole run: {rep.get('elapsed_s')} s (budget {rep['budget_s']} s).", "",
             "| figure | value | target | status | notes |", "| --- | --- | --- | --- | --- |"]
    for r in rep["summary"]:
        lines.append(f"| {r['figure']} | {r['value']} | {r['target']} | {mark[r['met']]} | {r['note']} |")
    if rep["end_to_end"]:
        lines += ["", "`kg build -j 2 --no-cache` with the default outputs, and jieba in the same run:", "",
                  "| corpus | raw MB | wall s | CPU s | peak MB (PSS) | jieba s (CPU s) | outputs (MB) |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for size, r in rep["end_to_end"].items():
            jb = rep["jieba"].get(size, {})
            lines.append(f"| {size} | {r['raw_mb']} | {r['wall_s']} | {r['cpu_s']} | {r['peak_rss_mb']} | "
                         f"{jb.get('segment_s')} ({jb.get('segment_cpu_s')}) | {r.get('outputs_mb')} |")
    for size, cr in rep["cache"].items():
        lines += ["", f"`kg build -j 2` with the result cache on {size} ({cr['n_changed']} changed):", "",
                  "| step | wall s | CPU s | graph s | analysed | cached | outputs reused | stores updated in place "
                  "| peak MB (PSS) |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for step in ("cold", "unchanged", "changed", "one_deleted"):
            s = cr.get(step)
            if s:
                lines.append(f"| {step} | {s['wall_s']} | {s['cpu_s']} | {s.get('graph_s')} | {s.get('analysed')} | "
                             f"{s.get('cached')} | {s.get('outputs_reused')} | {s.get('incremental')} | "
                             f"{s['peak_rss_mb']} |")
    if rep["builds"]:
        lines += ["", "The per-article stage alone (read → clean → extract → link → graph; no output files):", "",
                  "| corpus | jobs | raw MB | build s | CPU s | articles/s | MB/s | MB per CPU-s | peak MB (PSS) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for k, v in rep["builds"].items():
            lines.append(f"| {k.split('/')[0]} | {v['jobs']} | {v['raw_mb']} | {v.get('build_s')} | "
                         f"{v.get('build_cpu_s')} | {v.get('articles_per_s', '-')} | {v.get('mb_per_s', '-')} | "
                         f"{v.get('mb_per_cpu_s', '-')} | {v['peak_rss_mb']} |")
    if rep["skipped"]:
        lines += ["", "Skipped to keep within the budget:", ""] + [f"- {s}" for s in rep["skipped"]]
    return lines


def markdown(rep: dict) -> str:
    lines = ["# Benchmark report", ""] + tables(rep)
    if rep["notes"]:
        lines += ["", "## Notes", ""] + [f"- {s}" for s in rep["notes"]]
    lines += ["", "The other benches' full JSON is in report.json under `other`."]
    return "\n".join(lines) + "\n"


DOCS_START, DOCS_END = "<!-- bench -->", "<!-- /bench -->"


def update_docs(path: Path, rep: dict) -> None:
    """Put this run's tables between the bench markers of a Markdown file (docs/scale.md)."""
    text = path.read_text(encoding="utf-8")
    a, b = text.find(DOCS_START), text.find(DOCS_END)
    if a < 0 or b < a:
        raise SystemExit(f"{path}: no {DOCS_START} … {DOCS_END} section to put the figures in")
    when = time.strftime("%Y-%m-%d")
    body = "\n".join([f"Figures of `make bench` on {when} (seed {rep['seed']}):", ""] + tables(rep))
    path.write_text(text[: a + len(DOCS_START)] + "\n" + body + "\n" + text[b:], encoding="utf-8")


def main() -> None:
    full = os.environ.get("BENCH_FULL") == "1"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=3600.0 if full else 840.0, help="seconds for the whole run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", default="1k,10k,100k" if full else "1k,10k")
    ap.add_argument("--no-others", action="store_true", help="skip the other engineers' benches")
    ap.add_argument("--out", default=str(OUT), help="folder for report.json and report.md")
    ap.add_argument("--docs", help="also put the tables into this Markdown file (between the bench markers)")
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
    if args.docs:
        update_docs(Path(args.docs), rep)
    print(md)


if __name__ == "__main__":
    main()
