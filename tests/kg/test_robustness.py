"""Unbreakable on bad input, faults and hostile queries (issue 10).

* a corpus with broken files mixed in builds: every good article is in the graph, every
  bad one is in report.json with its reason, and the exit code says "partial";
* SIGKILL or SIGINT mid-build leaves the previous outputs intact, and a re-run finishes;
* hostile strings in query arguments are values, never query text;
* every error class gives one line that names the file or query and says what to do.

The property tests and the fuzz regression cases are in tests/loaders/test_fuzz_props.py;
the long fuzz run is ``make fuzz`` (bench/fuzz.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.model import Failure
from loaders import read as read_stage

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DATA = ROOT / "tests" / "data"
QUERIES = ROOT / "examples" / "queries"


def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def kg_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *[str(a) for a in args]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- 1. a corpus with broken files mixed in ----------------------------------------------------

HUGE_MB = 50


def gb18030_decodable_lines() -> list[str]:
    """Paragraphs whose UTF-8 bytes also decode as GB18030 (to garbage): a page that declares
    gbk but is UTF-8 must not be read with its declaration. An even-length run of CJK
    characters without 。、“” (their UTF-8 holds a 0x80 byte) does: 3 bytes each, and the
    byte pairs all fall in GB18030's ranges."""
    out = []
    for line in ("广东省第二人民医院全面托管阳山县人民医院，派驻专家团队常驻县医院",
                 "清远市人民医院对口帮扶阳山县中医院，推动优质医疗资源下沉到基层",
                 "阳山县人民医院牵头组建县域医共体，黎埠镇卫生院加入医共体"):
        line = line if len(line) % 2 == 0 else line + "！"
        line.encode("utf-8").decode("gb18030")
        out.append(line)
    return out


def make_broken_corpus(c: Path) -> tuple[dict[str, str], dict[tuple[str, str | None], str]]:
    """Write the corpus; returns (good document id -> what it is a copy of, or ""),
    and the expected failures {(path relative to c, record): word in the reason}."""
    seeds = seed_texts()
    names = sorted(seeds)
    good: dict[str, str] = {}
    for n in names:
        (c / n).write_text(seeds[n], encoding="utf-8")
        good[n] = n
    enc = c / "encodings"
    enc.mkdir()
    # wrong or unusual encodings: all readable, all the same facts as their UTF-8 originals
    (enc / "gbk.txt").write_bytes(seeds[names[2]].encode("gbk"))
    good["gbk.txt"] = names[2]
    (enc / "utf16_bom.txt").write_bytes(seeds[names[3]].encode("utf-16"))
    good["utf16_bom.txt"] = names[3]
    (enc / "utf8_bom.txt").write_bytes(seeds[names[0]].encode("utf-8-sig"))
    good["utf8_bom.txt"] = names[0]
    (enc / "big5.txt").write_bytes((DATA / "traditional_big5.txt").read_bytes())
    good["big5.txt"] = ""
    lines = gb18030_decodable_lines()
    page = ("<html><head><meta charset=\"gbk\"><title>阳山县人民医院帮扶纪实录</title></head><body><article>"
            + "".join(f"<p>{x}</p>" for x in lines) + "</article></body></html>").encode("utf-8")
    page.decode("gb18030")  # the declaration would "work" and give garbage
    (enc / "declares_gbk.html").write_bytes(page)
    good["declares_gbk.html"] = ""
    # records: one good, the others broken
    (c / "records.jsonl").write_text("\n".join([
        json.dumps({"text": seeds[names[0]], "url": "https://example.org/0"}, ensure_ascii=False),
        "{broken",
        "[1, 2]",
        json.dumps({"title": "no text here"}),
        json.dumps({"text": "   "}),
    ]) + "\n", encoding="utf-8")
    good["records.jsonl#1"] = names[0]
    rows = ("url,text\n"
            f"https://example.org/1,\"{seeds[names[1]].replace(chr(34), chr(39))}\"\n"
            "https://example.org/2,three,fields\n")
    (c / "records.csv").write_text(rows, encoding="utf-8")
    good["records.csv#1"] = names[1]
    # read in part
    cut = seeds[names[4]].encode("utf-8")
    (c / "cut_short.txt").write_bytes(cut + "院".encode("utf-8")[:2])
    good["cut_short.txt"] = names[4]
    seed = seeds[names[2]] + "\n"
    with open(c / "huge.txt", "w", encoding="utf-8") as fh:
        fh.write(seed * (HUGE_MB * 1_000_000 // len(seed.encode("utf-8")) + 1))
    good["huge.txt"] = ""
    # bad files
    bad = c / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 16)
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_bytes(b" \n\t\r\n ")
    (bad / "undecodable.txt").write_bytes((DATA / "undecodable.txt").read_bytes())
    (bad / "bom_then_gbk.txt").write_bytes(b"\xef\xbb\xbf" + seeds[names[2]].encode("gbk"))
    (bad / "no_records.jsonl").write_text("\n\n  \n", encoding="utf-8")
    (bad / "header_only.csv").write_text("title,text\n", encoding="utf-8")
    os.symlink("loop_b.txt", bad / "loop_a.txt")
    os.symlink("loop_a.txt", bad / "loop_b.txt")
    os.symlink("gone.txt", bad / "dangling.txt")
    os.symlink(".", bad / "here")  # a folder link back to itself: not followed, no duplicates
    failures = {
        ("records.jsonl", "2"): "not valid JSON",
        ("records.jsonl", "3"): "not a JSON object",
        ("records.jsonl", "4"): "no 'text' or 'content'",
        ("records.jsonl", "5"): "text is empty",
        ("records.csv", "2"): "fields but the header has",
        ("cut_short.txt", None): "ends inside a character",
        ("huge.txt", None): "over the limit",
        ("bad/binary.txt", None): "binary file",
        ("bad/empty.txt", None): "empty file",
        ("bad/blank.txt", None): "only whitespace",
        ("bad/undecodable.txt", None): "cannot decode",
        ("bad/bom_then_gbk.txt", None): "byte-order mark",
        ("bad/no_records.jsonl", None): "only whitespace",
        ("bad/header_only.csv", None): "no rows",
        ("bad/loop_a.txt", None): "symlink loop",
        ("bad/loop_b.txt", None): "symlink loop",
        ("bad/dangling.txt", None): "broken symlink",
    }
    return good, failures


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory):
    c = tmp_path_factory.mktemp("broken-corpus")
    good, failures = make_broken_corpus(c)
    out = tmp_path_factory.mktemp("broken-out")
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["build", str(c), "-o", str(out), "-q"])
    seconds = time.perf_counter() - t0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    return {"corpus": c, "out": out, "res": res, "report": report, "graph": graph, "good": good,
            "failures": failures, "seconds": seconds}


def test_broken_corpus_is_a_partial_build_with_every_failure_listed(broken_build):
    b = broken_build
    res, report, c = b["res"], b["report"], b["corpus"]
    assert res.exit_code == 1, res.output  # partial
    assert "Traceback" not in res.output
    got = {(str(Path(f["path"]).relative_to(c)), f["record"]): f["reason"] for f in report["failures"]}
    assert set(got) == set(b["failures"]), (sorted(got), sorted(b["failures"]))
    for key, word in b["failures"].items():
        assert word in got[key], (key, got[key])
        assert "\n" not in got[key]
    # each failure is also one line on stderr
    errors = [line for line in res.output.splitlines() if line.startswith("kg: error:")]
    assert len(errors) == len(got)
    for (path, record), reason in got.items():
        where = f"{c / path}#{record}" if record else str(c / path)
        assert f"kg: error: {where}: {reason}" in errors
    assert report["documents_failed"] == len(got)


def test_broken_corpus_keeps_every_good_article(broken_build):
    b = broken_build
    report, graph = b["report"], b["graph"]
    docs = {d["id"]: d for d in report["documents"]}
    assert set(docs) == set(b["good"])  # no folder-link duplicates, nothing good lost
    assert report["documents_read"] == len(b["good"])
    assert {d["id"] for d in graph["graph"]["documents"]} == set(b["good"])
    by_doc: dict[str, set] = {}
    for n in graph["nodes"]:
        for d in n["mentions"]:
            by_doc.setdefault(d, set()).add(n["id"])
    edges: dict[str, set] = {}
    for link in graph["links"]:
        for ev in link["evidence"]:
            edges.setdefault(ev["doc"], set()).add((link["source"], link["type"], link["target"]))
    for doc, original in b["good"].items():
        assert docs[doc]["entities"] > 0 and by_doc.get(doc), doc
        if original:  # decoded right: exactly the facts of the UTF-8 original
            assert by_doc[doc] == by_doc[original], doc
            assert edges.get(doc) == edges.get(original), doc
    assert "County/441823" in by_doc["big5.txt"]  # 陽山縣 in Big5, Simplified to 阳山县
    html = next(d for d in graph["graph"]["documents"] if d["id"] == "declares_gbk.html")
    assert html["title"] == "阳山县人民医院帮扶纪实录"  # read as UTF-8, not as the declared GBK
    assert any(i.startswith("Hospital/") for i in by_doc["declares_gbk.html"])


def test_an_article_over_the_size_limit_is_cut_not_dropped(broken_build):
    b = broken_build
    huge = next(d for d in b["report"]["documents"] if d["id"] == "huge.txt")
    size = (b["corpus"] / "huge.txt").stat().st_size
    assert size >= HUGE_MB * 1_000_000
    limit = read_stage.MAX_CHARS
    assert limit * 0.9 <= huge["chars_raw"] <= limit  # cut at a paragraph break just below the limit
    assert huge["relations"] > 0
    # evidence offsets still point into the file as written (the kept part is a prefix of it)
    raw = (b["corpus"] / "huge.txt").read_text(encoding="utf-8")[:limit]
    links = [ev for link in b["graph"]["links"] for ev in link["evidence"] if ev["doc"] == "huge.txt"]
    assert links
    for ev in links[:50]:
        assert 0 <= ev["start"] < ev["end"] <= huge["chars_raw"]
        assert raw[ev["start"]:ev["end"]].strip()
    assert b["seconds"] < 60, f"the broken corpus took {b['seconds']:.1f}s"


def test_size_limit_is_configurable_and_cuts_at_a_paragraph(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("第一段。\n" * 30, encoding="utf-8")  # 150 characters
    doc, failure = read_stage.read_path(p, max_chars=100)
    assert doc.raw == "第一段。\n" * 20 and len(doc.raw) == 100
    assert failure.path == str(p) and "150 characters, over the limit of 100" in failure.reason
    p.write_text("无段落" * 50, encoding="utf-8")
    doc, failure = read_stage.read_path(p, max_chars=100)
    assert len(doc.raw) == 100 and failure.record is None
    assert read_stage.read_path(p, max_chars=1000) == [read_stage.read_path(p)[0]]
    big = tmp_path / "big.jsonl"
    big.write_text(json.dumps({"text": "长" * 120}) + "\n" + json.dumps({"text": "短"}) + "\n", encoding="utf-8")
    items = read_stage.read_path(big, max_chars=100)
    assert [type(x).__name__ for x in items] == ["Document", "Document", "Failure"]
    assert len(items[0].raw) == 100 and items[2].record == "1"


def test_cut_short_files_are_read_up_to_the_cut(tmp_path):
    text = "阳山县人民医院对口帮扶黎埠镇卫生院。"
    for enc, tail in (("utf-8", "院".encode("utf-8")[:2]), ("utf-8-sig", "院".encode("utf-8")[:1]),
                      ("utf-16", b"\x62")):
        p = tmp_path / f"cut-{enc}.txt"
        p.write_bytes(text.encode(enc) + tail)
        doc, failure = read_stage.read_path(p)
        assert doc.raw == text, enc
        assert "ends inside a character" in failure.reason and failure.path == str(p)
    # an error that is not at the end is not a cut: detection (or failure) as before
    p = tmp_path / "bad-middle.txt"
    p.write_bytes(text.encode("utf-8")[:3] + b"\xff" + text.encode("utf-8")[3:])
    try:
        items = read_stage.read_path(p)
    except read_stage.ReadError as exc:
        assert "ends inside" not in exc.problem
    else:
        assert not any(isinstance(x, Failure) and "ends inside" in x.reason for x in items)


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not stop root from reading "
                    "files or listing folders, so unreadable inputs cannot be staged")
def test_unreadable_files_and_folders_are_listed_not_fatal(tmp_path):
    c = tmp_path / "c"
    (c / "locked").mkdir(parents=True)
    good = seed_texts()
    name = sorted(good)[0]
    (c / name).write_text(good[name], encoding="utf-8")
    (c / "locked" / "inside.txt").write_text(good[name], encoding="utf-8")
    (c / "noread.txt").write_text(good[name], encoding="utf-8")
    os.chmod(c / "noread.txt", 0)
    os.chmod(c / "locked", 0)
    try:
        res = CliRunner().invoke(main, ["build", str(c), "-o", str(tmp_path / "out"), "-q"])
    finally:
        os.chmod(c / "locked", 0o755)
        os.chmod(c / "noread.txt", 0o644)
    assert res.exit_code == 1, res.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    assert "Permission denied" in reasons["noread.txt"]
    assert "cannot list this folder" in reasons["locked"]
    assert [d["id"] for d in report["documents"]] == [name]


def test_permission_errors_are_listed_not_fatal_even_as_root(tmp_path, monkeypatch):
    """The same case as above with the permission errors simulated, so it runs under root too."""
    c = tmp_path / "c"
    (c / "locked").mkdir(parents=True)
    good = seed_texts()
    name = sorted(good)[0]
    for p in (c / name, c / "locked" / "inside.txt", c / "noread.txt"):
        p.write_text(good[name], encoding="utf-8")
    real_scandir, real_open = os.scandir, os.open

    def scandir(path="."):
        if isinstance(path, (str, os.PathLike)) and Path(path) == c / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def os_open(path, flags, *args, **kwargs):
        if Path(path).name == "noread.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", os_open)
    res = CliRunner().invoke(main, ["build", str(c), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 1, res.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    assert reasons == {"noread.txt": "cannot read: Permission denied",
                       "locked": "cannot list this folder (Permission denied); its articles were skipped: "
                                 "give the build permission to read it"}
    assert [d["id"] for d in report["documents"]] == [name]


# -- 2. interruption ---------------------------------------------------------------------------

def make_bigger_corpus(folder: Path, n: int) -> None:
    """``n`` short articles made of shuffled seed paragraphs (each one different)."""
    folder.mkdir(parents=True)
    rng = random.Random(7)
    paras = [p for t in seed_texts().values() for p in t.split("\n") if len(p) > 30]
    for i in range(n):
        body = rng.sample(paras, 4)
        (folder / f"b{i:04d}.txt").write_text(f"第{i}期基层医疗简报\n" + "\n".join(body), encoding="utf-8")


def cached_results(out: Path) -> int:
    """Rows in the build's result cache (a build stores each batch as it finishes it)."""
    db = out / "cache" / "results.sqlite"
    for _ in range(100):
        try:
            con = sqlite3.connect(db, timeout=5)
            try:
                return con.execute("SELECT count(*) FROM results").fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            time.sleep(0.05)
    raise AssertionError(f"cannot read {db}")


def start_and_interrupt(args: list, out: Path, sig: int) -> tuple[int, str, int]:
    """Start ``kg build``, wait until it has analysed and cached at least one new batch (it is
    mid-build, far from writing outputs), send ``sig`` to its process group (as Ctrl-C does)."""
    before = cached_results(out)
    assert before > 0
    proc = subprocess.Popen(kg_cmd(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    try:
        while cached_results(out) <= before:
            assert proc.poll() is None, f"the build ended before it could be interrupted: {proc.communicate()}"
            assert time.monotonic() < deadline, "the build never got going"
            time.sleep(0.02)
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, err.decode("utf-8", "replace"), cached_results(out)


OUTPUT_FILES = ("graph.json", "report.json", "graph.lbug")


def outputs_fingerprint(out: Path) -> dict[str, str]:
    """Hashes of the output files and of every file of the store (OUT/oxigraph), and which
    generation of the folder they are in."""
    found = {f: sha(out / f) for f in OUTPUT_FILES}
    for p in sorted((out / "oxigraph").rglob("*")):
        if p.is_file():
            found[str(p.relative_to(out))] = sha(p)
    assert any(k.startswith("oxigraph") for k in found)
    found["generation"] = str((out / "current").resolve())
    return found


def test_interrupted_builds_leave_the_previous_outputs_and_a_rerun_finishes(tmp_path):
    small, big, out = tmp_path / "small", tmp_path / "big", tmp_path / "out"
    small.mkdir()
    for name, text in list(seed_texts().items())[:2]:
        (small / name).write_text(text, encoding="utf-8")
    make_bigger_corpus(big, 192)  # 6 batches of 32
    first = subprocess.run(kg_cmd("build", small, "-o", out, "-q"), capture_output=True, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    hashes = outputs_fingerprint(out)

    def previous_outputs_intact():
        assert outputs_fingerprint(out) == hashes
        from kg.graph import KnowledgeGraph

        assert len(KnowledgeGraph.load(out).documents) == 2

    code, err, cached = start_and_interrupt(["build", big, "-o", out, "-q"], out, signal.SIGKILL)
    assert code == -signal.SIGKILL
    previous_outputs_intact()

    code, err, cached = start_and_interrupt(["build", big, "-o", out, "-q"], out, signal.SIGINT)
    assert code == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: interrupted") and "run the command again" in lines[0]
    previous_outputs_intact()

    # with worker processes, Ctrl-C reaches every process of the group: still one line, no traceback
    code, err, cached = start_and_interrupt(["build", big, "-o", out, "-q", "-j", "2"], out, signal.SIGINT)
    assert code == 130, err
    assert "Traceback" not in err and err.strip().splitlines() == [lines[0]]
    previous_outputs_intact()

    again = subprocess.run(kg_cmd("build", big, "-o", out, "-q"), capture_output=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 192 and report["documents_failed"] == 0
    assert report["documents_cached"] >= 3 * 32  # the interrupted runs' work was kept and reused
    from kg.pipeline import build

    fresh = build([str(big)], cache=False).graph.to_json()  # the finished graph is the whole one
    assert json.loads((out / "graph.json").read_text(encoding="utf-8")) == json.loads(json.dumps(fresh))


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (read from /proc)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(d.name))
    return out


def alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_workers_exit_when_the_build_is_killed(tmp_path):
    """A SIGKILLed `kg build -j 2` left both workers alive for ever."""
    make_bigger_corpus(tmp_path / "c", 192)
    proc = subprocess.Popen(kg_cmd("build", tmp_path / "c", "-o", tmp_path / "out", "-q", "-j", "2", "--no-cache"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2:
            assert proc.poll() is None, "the build ended before its workers started"
            assert time.monotonic() < deadline, "the workers never started"
            workers = children(proc.pid)
            time.sleep(0.05)
        time.sleep(0.5)  # busy with their first batches
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "workers outlived the build"
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


FORK_HOOK = """
import os, signal, sys
fired = []
def before():  # Ctrl-C lands exactly while the process pool forks its first worker
    if not fired:
        fired.append(1)
        os.kill(os.getpid(), signal.SIGINT)
os.register_at_fork(before=before)
from kg.cli import main
sys.argv = ["kg"] + sys.argv[1:]
main()
"""


def test_ctrl_c_while_the_workers_are_forked_is_not_lost(tmp_path):
    """Python drops a KeyboardInterrupt raised in an at-fork hook: without kg.pipeline deferring
    SIGINT around the pool's first submit, this build ran on to the end and exited 0."""
    hook = tmp_path / "hook.py"
    hook.write_text(FORK_HOOK, encoding="utf-8")
    make_bigger_corpus(tmp_path / "c", 48)  # the first 32 are analysed inline, then the pool starts
    res = subprocess.run([sys.executable, hook, "build", tmp_path / "c", "-o", tmp_path / "out", "-q",
                          "-j", "2"], capture_output=True, cwd=ROOT, timeout=120, start_new_session=True)
    err = res.stderr.decode("utf-8", "replace")
    assert res.returncode == 130, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: interrupted"), err
    assert not (tmp_path / "out" / "graph.json").exists()


# -- 5. servers that fail (what the SPARQL and Neo4j tests do not already cover) -----------------

def test_unreachable_query_endpoints_are_one_line_and_exit_3():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    res = CliRunner().invoke(main, ["sparql", "--endpoint", url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"])
    assert res.exit_code == 3, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and f"127.0.0.1:{port}" in lines[0]
    assert "unreachable" in lines[0]
    uri = f"bolt://127.0.0.1:{port}"
    res = CliRunner().invoke(main, ["cypher", "--uri", uri, "RETURN 1"],
                             env={"NEO4J_PASSWORD": "pw-never-printed-9"})
    assert res.exit_code == 3, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and uri in lines[0]
    assert "pw-never-printed-9" not in res.output


# -- 6. hostile input to queries ---------------------------------------------------------------

HOSTILE = [
    "'\"}) RETURN 1 //",
    "阳山县'}) RETURN 1 //",
    "'})-[:X]->()",
    "\"}) MATCH (n) DETACH DELETE n //",
    "x' OR '1'='1",
    "\" } ; DROP ALL ; #",
    "?x } UNION { ?s ?p ?o",
    "> } INSERT DATA { <a> <b> <c> } #",
    "{花括号}",
    "反\\斜杠",
    "${county}",
    "%s%s",
    ".*",
    "%",
    "阳山县\nMATCH (n) RETURN n",
    "阳山县\x00",
]


def run_json(args: list) -> tuple[int, list | None, str]:
    """Exit code, the rows printed on stdout (None when stdout is not JSON), all output."""
    res = CliRunner().invoke(main, [str(a) for a in args] + ["--format", "json"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    assert "Traceback" not in res.output
    try:
        rows = json.loads(res.stdout)
    except ValueError:
        rows = None
    return res.exit_code, rows, res.output


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_strings_in_query_arguments_find_nothing(seed_build, bad):
    _, out = seed_build
    g = ["-g", out]
    code, rows, output = run_json(["entities", "--type", bad] + g)
    assert code == 0 and rows == [], output
    for args in (["ask", "supports", "--county", bad], ["ask", "supports", "--province", bad],
                 ["ask", "supports", "--supporter", bad], ["ask", "partnerships", "--region", bad],
                 ["ask", "programs", "--region", bad], ["ask", "policies", "--issuer", bad],
                 ["sparql", "-f", QUERIES / "partners_of.rq", "--bind", f"name={bad}"],
                 ["sparql", "-f", QUERIES / "supports_county.rq", "--bind", f"county={bad}"],
                 ["cypher", "-f", QUERIES / "partners_of.cypher", "-p", f"name={bad}"],
                 ["explain", bad, "阳山县人民医院"], ["ask", "evidence", "阳山县人民医院", bad],
                 ["ask", "partners", bad], ["ask", "path", bad, "阳山县"]):
        # a name that matches nothing: exit 1 and one line on stderr naming it
        code, rows, output = run_json(args + g)
        assert code == 1 and rows is None, (args, output)
        assert len(output.strip().splitlines()) == 1 and output.startswith("kg: error: no "), output
    code, rows, output = run_json(["ask", "entity", bad] + g)  # forgiving lookup: candidates or none
    assert code in (0, 1)
    from kg.graph import KnowledgeGraph

    ids = set(KnowledgeGraph.load(out).entities)
    assert all(r["id"] in ids for r in rows or [])


def test_a_hostile_name_that_exists_is_matched_as_plain_text(rdf_graph, tmp_path):
    rdf_graph.save(tmp_path)
    name = '测试"} ; DROP ALL #医院'
    code, rows, output = run_json(["ask", "partners", name, "-g", tmp_path])
    assert code == 0, output
    assert [(r["entity"], r["relation"], r["other"]) for r in rows] == [(name, "SUPPORTS", "饶平县")]
    res = CliRunner().invoke(main, ["explain", name, "饶平县", "-g", str(tmp_path)])
    assert res.exit_code == 0 and '测试"} ; DROP ALL #医院帮扶饶平县' in res.output
    code, rows, output = run_json(["ask", "entity", "{花括号}医院", "-g", tmp_path])
    assert code == 0 and rows[0]["id"] == 'Hospital/测试/"引号"医院'


def all_params(group: click.Group, prefix: str = "kg"):
    for name, cmd in group.commands.items():
        yield from ((f"{prefix} {name}", p) for p in cmd.params)
        if isinstance(cmd, click.Group):
            yield from all_params(cmd, f"{prefix} {name}")


def test_no_command_takes_a_password_on_the_command_line():
    secretish = ("password", "passwd", "secret", "token", "credential", "pwd")
    found = [(where, p.name, p.opts) for where, p in all_params(main)
             if any(s in " ".join([p.name or "", *p.opts, *p.secondary_opts]).lower() for s in secretish)]
    assert found == []
    # the password comes from NEO4J_PASSWORD or a hidden prompt
    src = (ROOT / "kg" / "cli.py").read_text(encoding="utf-8")
    assert "os.environ.get(\"NEO4J_PASSWORD\")" in src and "hide_input=True" in src
    assert "--password" not in src


# -- 7. clear errors ---------------------------------------------------------------------------

def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


def test_input_error_names_the_path_and_what_to_do(tmp_path):
    from kg.errors import InputError

    p = tmp_path / "binary.txt"
    p.write_bytes(b"\x00\x01\x02\x03" * 64)
    with pytest.raises(InputError) as exc:
        read_stage.read_path(p)
    assert str(exc.value).startswith(f"{p}: ") and exc.value.path == str(p)
    assert "binary file, not text" in str(exc.value) and exc.value.exit_code == 2
    p.write_bytes(b"\xc3\x28\xa0\xa1\xff\xfe\x81\x30" * 40)
    with pytest.raises(InputError, match="re-save it as UTF-8") as exc:
        read_stage.read_path(p)
    assert str(p) in str(exc.value)


def test_nothing_readable_is_one_error_per_input_and_exit_2(tmp_path):
    (tmp_path / "e.txt").write_text("")
    res = CliRunner().invoke(main, ["build", str(tmp_path / "e.txt"), str(tmp_path / "missing.txt"),
                                    "-o", str(tmp_path / "o"), "-q"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert lines == [f"kg: error: {tmp_path / 'e.txt'}: empty file",
                     f"kg: error: {tmp_path / 'missing.txt'}: no such file or folder",
                     "kg: error: no article could be read from the inputs"]


def test_graph_not_found_names_the_folder_and_says_kg_build(tmp_path):
    from kg.errors import GraphNotFoundError
    from kg.graph import KnowledgeGraph

    where = tmp_path / "nowhere"
    with pytest.raises(GraphNotFoundError) as exc:
        KnowledgeGraph.load(where)
    assert str(where) in str(exc.value) and f"kg build INPUT -o {where}" in str(exc.value)
    for args in (["stats"], ["entities"], ["ask", "supports"], ["explain", "a", "b"], ["validate"]):
        res = CliRunner().invoke(main, args + ["-g", str(where)])
        assert res.exit_code == 2, args
        line = one_line(res.output)
        assert line.startswith("kg: error: ") and str(where) in line and "kg build" in line


def test_gold_format_error_names_file_and_line(tmp_path, seed_build):
    from kg.errors import GoldFormatError
    from kg.evaluate import read_gold

    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"doc": "a.txt", "entities": []}\n{not json\n', encoding="utf-8")
    with pytest.raises(GoldFormatError, match=f"^{gold}:2: not valid JSON"):
        read_gold(gold)
    gold.write_text('{"doc": "a.txt"}\n\n[1]\n', encoding="utf-8")
    with pytest.raises(GoldFormatError) as exc:
        read_gold(gold)
    assert str(exc.value).startswith(f"{gold}:3: ") and 'must be an object with a "doc" field' in str(exc.value)
    res = CliRunner().invoke(main, ["eval", str(gold), "-g", str(seed_build[1])])
    assert res.exit_code == 2 and one_line(res.output).startswith(f"kg: error: {gold}:3: ")
    with pytest.raises(GoldFormatError, match=f"{tmp_path / 'none.jsonl'}: cannot read gold file"):
        read_gold(tmp_path / "none.jsonl")


def test_query_error_names_the_query_problem_and_the_fix(seed_build):
    """QueryError and StoreError from the stores are covered in test_sparql.py (syntax errors with
    line and column, refused updates, dead endpoints) and test_cypher.py / test_neo4j.py (refused
    writes name --write, failed queries, dead servers); these are the helpers' own."""
    from kg.errors import QueryError
    from kg.query import flows, partnerships

    g = seed_build[0]
    with pytest.raises(QueryError, match="unknown partnership kind 'FRIENDS'; choose from"):
        partnerships(g, kind="FRIENDS")
    with pytest.raises(QueryError, match="unknown level 'planet'; choose from"):
        flows(g, level="planet")
    res = CliRunner().invoke(main, ["sparql", "-g", str(seed_build[1]), "SELECT ?x WHERE { ?x"])
    assert res.exit_code == 2 and "syntax error" in one_line(res.output)
    res = CliRunner().invoke(main, ["sparql", "-g", str(seed_build[1]), "CLEAR ALL"])
    assert res.exit_code == 2 and "--update" in one_line(res.output)


def test_every_error_class_has_a_documented_exit_code():
    from kg import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.KGError)]
    assert {c.__name__ for c in classes} >= {"KGError", "InputError", "NoArticlesError", "GraphNotFoundError",
                                            "GoldFormatError", "QueryError", "StoreError"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for c in classes:
        assert f"`{c.exit_code}`" in readme, c.__name__
    assert "`130` interrupted" in readme


def test_names_in_messages_cannot_forge_lines(tmp_path):
    """A failing file named with a newline forged an extra `kg: error:` line."""
    forged = "a.txt\nkg: error: everything is fine\x1b[2J.txt"
    (tmp_path / forged).write_bytes(bytes(range(256)) * 8)
    (tmp_path / "ok.txt").write_text("阳山县人民医院对口帮扶黎埠镇卫生院。", encoding="utf-8")
    res = subprocess.run(kg_cmd("build", tmp_path, "-o", tmp_path / "out", "-q"), capture_output=True, cwd=ROOT)
    err = res.stderr.decode("utf-8")
    assert res.returncode == 1, err
    (line,) = err.strip().splitlines()
    assert line.startswith("kg: error: ") and "\\nkg: error: everything is fine\\x1b[2J.txt" in line
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [Path(f["path"]).name for f in report["failures"]] == [forged]  # the data keeps the real name


def test_names_are_checked_before_they_are_looked_up(seed_build):
    """A 1 MB name took 15-28 s to look up and was echoed whole; an empty one matched every edge."""
    out = seed_build[1]
    for args in (["explain", "", "阳山县人民医院"], ["explain", "阳山县人民医院", "  "], ["ask", "partners", ""],
                 ["ask", "path", "阳山县", ""], ["ask", "entity", ""]):
        res = CliRunner().invoke(main, args + ["-g", str(out)])
        assert res.exit_code == 2 and "a name cannot be empty" in res.output, (args, res.output)
    big = "阳" * 1_000_000
    for args in (["explain", big, "阳山县人民医院"], ["ask", "evidence", "阳山县", big], ["ask", "entity", big]):
        t0 = time.monotonic()
        res = CliRunner().invoke(main, args + ["-g", str(out)])
        assert res.exit_code == 2 and "at most" in res.output and "1,000,000" in res.output
        assert len(res.output) < 2000 and time.monotonic() - t0 < 5


def test_a_missing_password_without_a_terminal_is_a_usage_error(tmp_path, tiny_graph):
    """It printed "Aborted!" with exit 1, which means a partial build."""
    tiny_graph.save(tmp_path)
    for args in (["cypher", "--uri", f"bolt://127.0.0.1:{free_port()}", "RETURN 1"],
                 ["push", "neo4j", "-g", str(tmp_path), "--uri", f"bolt://127.0.0.1:{free_port()}"]):
        res = CliRunner().invoke(main, args, input="", env={"NEO4J_PASSWORD": None})
        assert res.exit_code == 2, res.output
        assert "NEO4J_PASSWORD" in res.output and "Aborted" not in res.output
