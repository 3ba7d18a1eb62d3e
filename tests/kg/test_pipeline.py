"""Incremental and parallel builds: the result cache, changed and deleted articles, jobs=2."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import pipeline
from kg.cli import main
from kg.model import Document
from kg.pipeline import analyse, build

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
YANGSHAN = "002_91cb4612bce1284b.txt"


@pytest.fixture
def corpus(tmp_path):
    """A private copy of the seeds (tests change and delete files)."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def fresh(inputs) -> dict:
    """The graph a cache-less build makes, as node-link JSON."""
    return build([str(i) for i in inputs], cache=False).graph.to_json()


def test_rebuild_of_an_unchanged_corpus_reuses_every_result(corpus, tmp_path):
    out = tmp_path / "out"
    first = build([str(corpus)], out=out)
    assert (first.analysed, first.cached) == (5, 0)
    assert (out / "cache" / "results.sqlite").is_file()
    graph_file = (out / "graph.json").read_bytes()
    again = build([str(corpus)], out=out)
    assert (again.analysed, again.cached) == (0, 5)
    rep = report(out)
    assert rep["documents_cached"] == 5 and rep["documents_analysed"] == 0
    assert rep["outputs_reused"] is True
    assert (out / "graph.json").read_bytes() == graph_file
    assert again.graph.to_json() == first.graph.to_json()
    # the per-document summaries survive the cache (they come from the slimmed document)
    assert rep["documents"] == report(out)["documents"]
    assert all(d["chars_raw"] > 0 and d["chars_clean"] > 0 for d in rep["documents"])


def test_a_changed_article_is_the_only_one_analysed_again(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    path = corpus / YANGSHAN
    text = path.read_text(encoding="utf-8")
    # Drop the 托管 sentence and add a new support fact.
    changed = re.sub(r"依托省第二人民醫.{0,40}?契機[,，]", "", text)
    assert changed != text
    path.write_text(changed + "\n中山大学附属第一医院对口帮扶阳山县人民医院。\n", encoding="utf-8")
    res = build([str(corpus)], out=out)
    assert (res.analysed, res.cached) == (1, 4)
    assert report(out)["outputs_reused"] is False
    assert res.graph.to_json() == fresh([corpus])
    assert not any("托管帮扶的契机" in e.sentence for r in res.graph.relations.values() for e in r.evidence)
    rows = res.graph.supports(county="阳山县")
    assert any(r.supporter == "中山大学附属第一医院" for r in rows)
    saved = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert saved == res.graph.to_json()


def test_a_deleted_article_takes_away_the_facts_only_it_supported(corpus, tmp_path):
    out = tmp_path / "out"
    before = build([str(corpus)], out=out).graph
    only_there = [k for k, r in before.relations.items() if {e.doc for e in r.evidence} == {YANGSHAN}]
    assert only_there, "the Yangshan article should hold facts no other seed states"
    (corpus / YANGSHAN).unlink()
    after = build([str(corpus)], out=out)
    assert (after.analysed, after.cached) == (0, 4)
    assert not any(k in after.graph.relations for k in only_there)
    assert YANGSHAN not in after.graph.documents
    assert all(e.doc != YANGSHAN for r in after.graph.relations.values() for e in r.evidence)
    assert after.graph.to_json() == fresh([corpus])
    # the cache forgets what no input uses any more
    assert pipeline.ResultCache(out / "cache").db.execute("SELECT count(*) FROM results").fetchone()[0] == 4


def test_jobs_2_builds_the_same_graph_as_jobs_1(monkeypatch):
    submitted = []

    class Pool(pipeline.ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            submitted.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(pipeline, "BATCH", 1)  # one article analysed here, then one per task
    one = build([str(SEEDS)], jobs=1, cache=False)
    assert not submitted
    two = build([str(SEEDS)], jobs=2, cache=False)
    assert submitted == [1, 1, 1, 1]
    assert two.graph.to_json() == one.graph.to_json()
    assert [d["id"] for d in two.documents] == [d["id"] for d in one.documents]
    assert two.documents == one.documents


def test_a_new_extractor_version_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    monkeypatch.setattr(pipeline, "extractor_version", lambda: "a-changed-rule")
    res = build([str(corpus)], out=out)
    assert (res.analysed, res.cached) == (5, 0)


def test_another_partnership_model_invalidates_the_cache(corpus, tmp_path):
    """A retrained model scores pairs differently: results cached under the old one are not reused."""
    from loaders import scorer

    out = tmp_path / "out"
    build([str(corpus)], out=out)
    other = tmp_path / "retrained.json"
    d = json.loads(scorer.MODEL_PATH.read_text(encoding="utf-8"))
    d["kinds"]["SUPPORTS"]["bias"] += 0.5
    other.write_text(json.dumps(d), encoding="utf-8")
    before = pipeline.extractor_version()
    scorer.use_model(other)
    try:
        assert pipeline.extractor_version() != before
        res = build([str(corpus)], out=out)
    finally:
        scorer.use_model(None)
    assert (res.analysed, res.cached) == (5, 0)
    assert pipeline.extractor_version() == before


def test_kg_build_no_cache_neither_reads_nor_writes_the_cache(corpus, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    res = runner.invoke(main, ["build", str(corpus), "-o", str(out), "-q", "--no-cache"])
    assert res.exit_code == 0, res.output
    assert not (out / "cache").exists()
    assert report(out)["documents_analysed"] == 5
    res = runner.invoke(main, ["build", str(corpus), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    assert report(out)["documents_analysed"] == 5  # the first build left nothing to reuse
    res = runner.invoke(main, ["build", str(corpus), "-o", str(out), "-q", "--no-cache"])
    assert report(out)["documents_analysed"] == 5 and report(out)["outputs_reused"] is False


def test_outputs_are_rewritten_after_another_input_set_was_built_without_cache(corpus, tmp_path):
    """A --no-cache build of other inputs into the same folder must not leave stale files 'current'."""
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    build([str(corpus / YANGSHAN)], out=out, cache=False)
    res = build([str(corpus)], out=out)
    assert report(out)["outputs_reused"] is False
    assert json.loads((out / "graph.json").read_text(encoding="utf-8")) == res.graph.to_json()


def test_a_damaged_cache_is_rebuilt(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    (out / "cache" / "results.sqlite").write_bytes(b"not a database at all" * 100)
    for p in (out / "cache").glob("results.sqlite-*"):
        p.unlink()
    res = build([str(corpus)], out=out)
    assert (res.analysed, res.cached) == (5, 0)
    db = pipeline.ResultCache(out / "cache").db
    db.execute("UPDATE results SET value = x'00'")
    db.close()
    res = build([str(corpus)], out=out)
    assert res.analysed == 0 and res.cached == 5 and not res.failures
    assert res.graph.to_json() == fresh([corpus])


def test_analyse_is_pure_and_results_ship_without_text():
    raw = "广东省清远市阳山县人民医院对口帮扶黎埠镇卫生院，派驻5名专家。"
    doc = Document(id="t.txt", path="t.txt", raw=raw)
    first = analyse(doc)
    assert doc.text == "" and doc.steps == [] and len(doc.offsets) == 0 and doc.raw == raw
    assert analyse(doc).relations == first.relations  # same input, same output
    lean = pipeline.Analysed.of(first)
    assert lean.result.doc.raw == "" and lean.result.doc.text == "" and len(lean.result.doc.offsets) == 0
    assert lean.chars_raw == len(raw) and lean.chars_clean == len(first.doc.text)
    assert first.doc.text  # the full result still has its text
    ev = lean.result.relations[0].evidence[0]
    assert raw[ev.start:ev.end] and ev.sentence


def test_cache_key_covers_content_id_and_metadata():
    a = Document(id="a.txt", path="x/a.txt", raw="甲")
    assert pipeline.cache_key(a) == pipeline.cache_key(Document(id="a.txt", path="x/a.txt", raw="甲"))
    for other in (Document(id="a.txt", path="x/a.txt", raw="乙"), Document(id="b.txt", path="x/a.txt", raw="甲"),
                  Document(id="a.txt", path="x/a.txt", raw="甲", title="标题")):
        assert pipeline.cache_key(other) != pipeline.cache_key(a)


def test_results_analysed_by_workers_are_cached_like_inline_ones(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "BATCH", 2)
    out = tmp_path / "out"
    first = build([str(corpus)], out=out, jobs=2)
    assert (first.analysed, first.cached) == (5, 0)
    again = build([str(corpus)], out=out, jobs=1)
    assert (again.analysed, again.cached) == (0, 5)
    assert again.graph.to_json() == first.graph.to_json() == fresh([corpus])


# -- progress (issue 17) ------------------------------------------------------------------------

def _build_on_a_terminal(args: list[str], cols: int, tmp_path: Path) -> str:
    """Everything `kg build` writes to a terminal (a pty) that reports ``cols`` columns."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios
    import time

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 0, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stdout=slave, stderr=slave,
                            stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
    os.close(slave)
    out, deadline = b"", time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(master)
    assert proc.returncode == 0, out.decode("utf-8", "replace")
    return out.decode("utf-8", "replace")


@pytest.mark.parametrize("cols", [0, 100])
def test_progress_shows_a_total_an_eta_and_the_writing_stage(corpus, tmp_path, cols):
    """Even on a terminal that reports 0 columns: the bar has width, the total is counted
    first, and writing the outputs is a stage of its own."""
    jsonl = corpus / "more.jsonl"  # one file, three articles: the total counts records
    text = (corpus / YANGSHAN).read_text(encoding="utf-8")
    jsonl.write_text("".join(json.dumps({"id": f"r{i}", "text": text[i * 50:]}, ensure_ascii=False)
                             + "\n" for i in range(3)), encoding="utf-8")
    n = len(list(corpus.iterdir())) - 1 + 3
    out = _build_on_a_terminal(["build", str(corpus), "-o", str(tmp_path / "out"), "--no-cache"],
                               cols, tmp_path)
    frames = [f.strip() for f in re.split(r"[\r\n]+", re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out)) if f.strip()]
    analysing = [f for f in frames if f.startswith("reading and analysing")]
    writing = [f for f in frames if f.startswith("writing outputs")]
    assert analysing and writing, frames
    assert any(f"{n}/{n}" in f for f in analysing), analysing  # the total was known
    assert any(re.search(rf"\d+/{n} \[\d\d:\d\d<\d\d:\d\d", f) for f in analysing)  # elapsed<ETA
    assert any("graph.lbug" in f for f in writing) and any("4/4" in f for f in writing)
    assert all(len(f) >= 60 for f in analysing + writing)  # a bar with width, not an empty one
    assert "|" in analysing[-1] and "█" in analysing[-1]


def test_the_build_time_covers_writing_the_outputs(corpus, tmp_path, monkeypatch):
    from kg import cypher

    slow = cypher.write_cypher_db

    def write_slowly(*args, **kwargs):
        import time

        time.sleep(1.0)
        return slow(*args, **kwargs)

    monkeypatch.setattr(cypher, "write_cypher_db", write_slowly)
    res = build([str(corpus)], out=tmp_path / "out", cache=False)
    assert res.seconds >= 1.0
    assert report(tmp_path / "out")["seconds"] >= 1.0
    assert f"in {res.seconds:.2f}s" in pipeline.summary_line(res)


# -- dates and quantities in Chinese numerals reach the graph (issue 15, item 5) ----------------

NUMERAL_ARTICLES = {
    "cn.txt": "阳山县持续推进紧密型医共体建设\n发布日期：二〇二三年五月六日\n"
              "二〇二二年起，广东省人民医院对口帮扶阳山县人民医院，派驻三名专家，投入两千万元。\n",
    "ar.txt": "连州市医疗卫生服务能力持续提升\n发布日期：2023-05-06\n"
              "2022年起，广东省人民医院对口帮扶连州市人民医院，派驻3名专家，投入2000万元。\n",
    "day.txt": "和平县人民医院迎来新发展\n发布日期：二〇二四年三月八日\n"
               "二〇二四年三月五日，中山大學附屬第一醫院全面託管和平縣人民醫院，每年投入三百五十萬元，選派十七名專家常駐。\n",
}


def test_kg_build_reads_dates_and_quantities_in_chinese_numerals(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in NUMERAL_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(folder), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    g = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    names = {n["id"]: n["name"] for n in g["nodes"]}
    edges = {(names[e["source"]], e["type"], names[e["target"]]): e for e in g["links"]}

    def facts(edge):
        qs = sorted((q["kind"], q["value"]) for q in edge.get("quantities", []))
        return edge.get("since"), edge.get("until"), qs

    cn = edges[("广东省人民医院", "SUPPORTS", "阳山县人民医院")]
    ar = edges[("广东省人民医院", "SUPPORTS", "连州市人民医院")]
    assert facts(cn) == facts(ar) == ("2022", None, [("experts", 3), ("money", 20_000_000)])
    assert cn["as_of"] == ar["as_of"] == "2023-05-06"  # the publication date, from either numeral system
    day = edges[("中山大学附属第一医院", "MANAGES", "和平县人民医院")]
    assert facts(day) == ("2024-03-05", None, [("experts", 17), ("money", 3_500_000)])
    assert day["as_of"] == "2024-03-08"
