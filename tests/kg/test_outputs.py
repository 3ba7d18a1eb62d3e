"""The output folder as one set (issue 14): streamed files, generations, the lock, incremental stores.

* graph.json and report.json are streamed and read back equal;
* an incremental rebuild (changed, deleted and new articles) gives the same graph, the same
  SPARQL store and the same Cypher database as a build from scratch;
* a build killed (SIGKILL, a real subprocess) at each stage of writing leaves a folder
  whose every query engine answers from one and the same build, and the next build
  finishes the work and cleans up;
* two builds into one folder: the second waits for the first (or says why not);
* a folder that is not a health-kg output folder is refused; outputs deleted by hand and
  leftovers of killed builds are repaired and removed.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import rdf
from kg.cli import main
from kg.cypher import PropertyRows, query_embedded, update_cypher_db, write_cypher_db
from kg.errors import OutputFolderError
from kg.graph import KnowledgeGraph, Reuse
from kg.outfolder import OutputFolder
from kg.outputs import Delta
from kg.pipeline import build
from kg.query import moved_entities, placement_digests, placements
from test_pipeline import ROOT, SEEDS, YANGSHAN, corpus  # noqa: F401 (corpus: a fixture)
from test_robustness import kg_cmd, make_bigger_corpus


def manifest(out: Path) -> dict:
    return json.loads((out / "current" / "manifest.json").read_text(encoding="utf-8"))


def store_triples(out: Path) -> set:
    return {q.triple for q in rdf.open_store(out)}


def cypher_dump(out: Path) -> dict:
    """Every node (with its properties) and relationship (with its type and properties)."""
    dump = {}
    for label in ("Entity", "Document", "Evidence"):
        rows = query_embedded(out, f"MATCH (n:{label}) RETURN n")
        dump[label] = sorted(json.dumps(r["n"], sort_keys=True, ensure_ascii=False) for r in rows)
    rows = query_embedded(out, "MATCH (a)-[r]->(b) RETURN a.id AS a, label(r) AS t, b.id AS b, r")
    dump["relationships"] = sorted(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)
    return dump


def graph_summary(g: KnowledgeGraph) -> tuple:
    """Entity ids, relation keys and evidence counts: what must not depend on how it was built."""
    return (sorted(g.entities), {k: len(r.evidence) for k, r in g.relations.items()},
            sorted(g.documents))


# -- streamed files --------------------------------------------------------------------------------

def test_graph_json_is_streamed_one_item_per_line_and_reads_back_equal(seed_graph, tmp_path):
    path = seed_graph.save(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    items = len(seed_graph.documents) + len(seed_graph.merges) + len(seed_graph.entities) + len(seed_graph.relations)
    assert len(lines) == items + 5  # one line per item and the five section heads
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(seed_graph.to_json()))
    again = KnowledgeGraph.load(tmp_path)
    assert again.to_json() == seed_graph.to_json()
    # any other node-link JSON (the indented layout of earlier versions) is read whole
    path.write_text(json.dumps(seed_graph.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    assert KnowledgeGraph.load(tmp_path).to_json() == seed_graph.to_json()


def test_a_cut_short_graph_json_is_an_error_not_a_smaller_graph(seed_graph, tmp_path):
    path = seed_graph.save(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2].rsplit("\n", 1)[0] + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cut short"):
        KnowledgeGraph.load(tmp_path)


def test_graph_json_copies_the_lines_of_unchanged_items_from_the_file_before(seed_graph, tmp_path):
    """Written with :class:`Reuse`, the lines of items not named as changed come from the old
    file as they are (the old file is doctored here to show which lines were copied), and
    the items named are encoded afresh; items new or gone since are added and left out."""
    path = seed_graph.save(tmp_path / "before")
    node = sorted(seed_graph.entities)[3]
    link = sorted(seed_graph.relations)[2]
    doc = sorted(seed_graph.documents)[1]
    text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(json.dumps({"id": node}, ensure_ascii=False, separators=(",", ":"))[:-1]):
            text = text.replace(line, line.replace('"mentions":{', '"doctored":1,"mentions":{'))
    assert '"doctored":1' in text
    path.write_text(text, encoding="utf-8")
    g = KnowledgeGraph.from_json(json.loads(json.dumps(seed_graph.to_json())))
    gone = sorted(g.entities)[5]
    del g.entities[gone]
    g.entities[link[0]].aliases.add("新的别名")
    g.documents[doc]["title"] = "改过的标题"
    reuse = Reuse(path, documents={doc}, entities={link[0], gone}, relations=set())
    again = KnowledgeGraph.load(g.save(tmp_path / "after", reuse).parent)
    assert again.entities[node].attrs.get("doctored") == 1  # copied, not encoded
    assert "新的别名" in again.entities[link[0]].aliases and again.documents[doc]["title"] == "改过的标题"
    assert gone not in again.entities
    del again.entities[node].attrs["doctored"]
    assert again.to_json() == g.to_json()
    # with nothing named as changed and nothing doctored, the bytes are those of a whole write
    plain = seed_graph.save(tmp_path / "plain")
    copied = seed_graph.save(tmp_path / "copied", Reuse(plain, set(), set(), set()))
    assert copied.read_bytes() == plain.read_bytes()


@pytest.mark.parametrize("damage", ["cut", "foreign", "reordered_fields"])
def test_graph_json_says_when_the_file_before_cannot_be_reused(seed_graph, tmp_path, damage):
    path = seed_graph.save(tmp_path / "before")
    text = path.read_text(encoding="utf-8")
    if damage == "cut":
        text = text[: len(text) * 2 // 3].rsplit("\n", 1)[0] + "\n"
    elif damage == "foreign":
        text = json.dumps(seed_graph.to_json(), ensure_ascii=False, indent=1)
    else:
        text = text.replace('{"source":', '{"confidence":0,"source":')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="cut short|not a graph.json|out of step"):
        seed_graph.save(tmp_path / "after", Reuse(path, set(), set(), set()))
    assert not (tmp_path / "after" / "graph.json").exists() and not list((tmp_path / "after").iterdir())


def test_report_json_holds_every_document_summary(corpus, tmp_path):
    res = build([str(corpus)], out=tmp_path / "out")
    rep = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert rep["documents"] == list(res.documents) and len(rep["documents"]) == 5
    whole = json.loads(json.dumps(res.report()))
    assert rep.pop("seconds") <= whole.pop("seconds")  # the report is written before the build ends
    assert rep == whole


# -- incremental outputs ---------------------------------------------------------------------------

def change_corpus(corpus: Path, extra: Path) -> None:
    """One article changed (a fact dropped, one added), one deleted, one added."""
    path = corpus / YANGSHAN
    text = path.read_text(encoding="utf-8")
    changed = re.sub(r"依托省第二人民醫.{0,40}?契機[,，]", "", text)
    assert changed != text
    path.write_text(changed + "\n中山大学附属第一医院对口帮扶阳山县人民医院。\n", encoding="utf-8")
    (corpus / "004_6f317e5281ec4d6e.txt").unlink()
    (corpus / "new.txt").write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")


def test_an_incremental_rebuild_equals_a_build_from_scratch(corpus, tmp_path):
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    extra = tmp_path / "extra.txt"
    shutil.move(corpus / "003_4d1f6d756d884607.txt", extra)
    first = build([str(corpus)], out=out)
    first_stores = store_triples(out), cypher_dump(out)
    change_corpus(corpus, extra)
    again = build([str(corpus)], out=out)
    assert (again.analysed, again.cached) == (2, 2)
    m = manifest(out)
    assert sorted(m["incremental"]) == ["graph.json", "graph.lbug", "oxigraph"] and m["base"] == "000001"
    scratch = build([str(corpus)], out=fresh, cache=False)
    assert manifest(fresh)["incremental"] == []
    assert graph_summary(again.graph) == graph_summary(scratch.graph) != graph_summary(first.graph)
    assert KnowledgeGraph.load(out).to_json() == scratch.graph.to_json()
    assert (out / "graph.json").read_bytes() == (fresh / "graph.json").read_bytes()
    assert store_triples(out) == store_triples(fresh)
    assert cypher_dump(out) == cypher_dump(fresh)
    # and back: the changes undone, incrementally again
    shutil.rmtree(corpus)
    shutil.copytree(SEEDS, corpus)
    (corpus / "003_4d1f6d756d884607.txt").unlink()
    back = build([str(corpus)], out=out)
    assert sorted(manifest(out)["incremental"]) == ["graph.json", "graph.lbug", "oxigraph"]
    assert graph_summary(back.graph) == graph_summary(first.graph)
    assert (store_triples(out), cypher_dump(out)) == first_stores


def test_an_unchanged_rebuild_keeps_the_generation_and_rewrites_only_the_report(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    gen = (out / "current").resolve()
    graph_file = (gen / "graph.json").stat().st_mtime_ns
    res = build([str(corpus)], out=out, formats=["nt"])
    assert res.outputs_reused and (out / "current").resolve() == gen
    assert (gen / "graph.json").stat().st_mtime_ns == graph_file
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["documents_cached"] == 5
    nt = {q.triple for q in ox.parse((out / "graph.nt").read_bytes(), format=ox.RdfFormat.N_TRIPLES)}
    assert nt == store_triples(out)


def test_reordered_inputs_are_written_afresh(tmp_path):
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    out = tmp_path / "out"
    build(seeds, out=out)
    res = build(seeds[::-1], out=out)
    assert manifest(out)["incremental"] == [] and not res.outputs_reused
    assert graph_summary(res.graph) == graph_summary(build(seeds[::-1], cache=False).graph)


def test_stores_follow_support_units_that_moved_without_being_named(tiny_graph, tmp_path):
    """An entity no changed article touched can still change: when the one article naming a
    county no longer does, the towns and hospitals of that county roll up to the city. Such
    entities are found by comparing each entity's placement digest with the one the previous
    generation recorded, not from the changed articles."""
    managed = ("Hospital/440000/第二人民医院", "MANAGES", "Hospital/441823/人民医院")
    tiny_graph.entities["County/441823"].mentions = {"d2": 1}  # only article d2 names 阳山县
    before = tmp_path / "before"
    rdf.write_store(tiny_graph, before)
    schema = write_cypher_db(tiny_graph, before)
    after = KnowledgeGraph.from_json(tiny_graph.to_json())
    after.entities["County/441823"].mentions.clear()  # d2 changed: it no longer does
    # what d2's old and new results hold: the county, the MANAGES edge and its two ends
    delta = Delta(documents={"d2"}, entities={"County/441823", *managed[::2]}, relations={managed})
    fresh = tmp_path / "fresh"
    rdf.write_store(after, fresh)
    write_cypher_db(after, fresh)
    moved = moved_entities(placement_digests(tiny_graph, placements(tiny_graph)),
                           placement_digests(after, placements(after)))
    assert {"Town/441823/黎埠镇", "Hospital/441823/黎埠镇/卫生院"} <= moved - delta.entities
    delta.entities |= moved
    store = ox.Store(str(before / "oxigraph"))
    rdf.update_store(store, after, delta.entities, delta.relations, delta.documents, placements(after))
    del store
    assert store_triples(before) == store_triples(fresh) != set()
    assert update_cypher_db(before / "graph.lbug", PropertyRows(after), schema, delta.entities,
                            delta.relations, delta.documents) is not None
    assert cypher_dump(before) == cypher_dump(fresh)
    town = query_embedded(before, "MATCH (t:Town {id: 'Town/441823/黎埠镇'}) RETURN t.support_unit AS u")
    assert town[0]["u"] == "City/441800"
    assert placements(tiny_graph)["Town/441823/黎埠镇"].support_unit == "County/441823"


# -- the folder --------------------------------------------------------------------------------------

def test_a_folder_with_other_things_in_it_is_refused_and_left_alone(tmp_path):
    out = tmp_path / "mine"
    (out / "oxigraph").mkdir(parents=True)
    (out / "oxigraph" / "data").write_text("someone's store")
    (out / "graph.lbug").write_text("someone's database")
    before = sorted(str(p) for p in out.rglob("*"))
    res = CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(out), "-q"])
    assert res.exit_code == 2
    line = res.output.strip()
    assert line.startswith(f"kg: error: {out}: not a health-kg output folder") and "nothing was changed" in line
    assert sorted(str(p) for p in out.rglob("*")) == before
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputFolderError, match="exists and is not a folder"):
        build([str(SEEDS)], out=tmp_path / "file")
    assert (tmp_path / "file").read_text() == "x"


def test_a_folder_of_the_layout_before_generations_is_taken_over(corpus, tmp_path):
    """What `kg build` wrote before: graph.json, report.json, RDF files and stores in the folder."""
    out = tmp_path / "old"
    res = build([str(corpus)], out=tmp_path / "tmp")
    out.mkdir()
    gen = (tmp_path / "tmp" / "current").resolve()
    for name in ("graph.json", "report.json", "graph.lbug"):
        shutil.copyfile(gen / name, out / name)
    shutil.copytree(gen / "oxigraph", out / "oxigraph")
    (out / "graph.ttl").write_text("stale")
    (out / "graph.html").write_text("<html>an export of the old graph</html>")
    (out / ".oxigraph.tmp-abc").mkdir()
    shutil.copytree(tmp_path / "tmp" / "cache", out / "cache")
    again = build([str(corpus)], out=out)
    assert again.cached == 5 and again.graph.to_json() == res.graph.to_json()
    assert all((out / n).is_symlink() for n in ("graph.json", "report.json", "graph.lbug", "oxigraph"))
    assert not (out / "graph.ttl").exists() and not (out / ".oxigraph.tmp-abc").exists()
    assert (out / "graph.html").read_text().startswith("<html>an export")  # the user's, left alone
    assert store_triples(out) == store_triples(tmp_path / "tmp")


def test_outputs_deleted_or_changed_by_hand_are_written_again(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    expected = cypher_dump(out)
    (out / "current" / "graph.lbug").unlink()
    res = build([str(corpus)], out=out)
    assert not res.outputs_reused and cypher_dump(out) == expected
    (out / "graph.lbug").unlink()  # the link this time
    build([str(corpus)], out=out)
    assert (out / "graph.lbug").is_symlink() and cypher_dump(out) == expected
    triples = store_triples(out)
    store = ox.Store(str(out / "current" / "oxigraph"))  # a tool writing into the store behind kg's back
    store.add(ox.Quad(ox.NamedNode("http://x"), ox.NamedNode("http://y"), ox.Literal("z")))
    store.flush()
    del store
    assert len(store_triples(out)) == len(triples) + 1
    res = build([str(corpus)], out=out)
    assert not res.outputs_reused and store_triples(out) == triples
    graph_file = out / "current" / "graph.json"
    graph_file.write_text(graph_file.read_text(encoding="utf-8").replace("阳山县", "阴山县"), encoding="utf-8")
    res = build([str(corpus)], out=out)
    assert not res.outputs_reused and KnowledgeGraph.load(out).to_json() == res.graph.to_json()


def test_leftovers_of_killed_builds_are_removed(corpus, tmp_path):
    out = tmp_path / "out"
    build([str(corpus)], out=out)
    gens = out / "generations"
    (gens / "000007.partial").mkdir()
    (gens / "000007.partial" / "graph.json").write_text("half")
    (out / ".oxigraph.tmp-x1").mkdir()
    (out / ".current.graph.json.123").symlink_to("nowhere")
    build([str(corpus)], out=out, cache=False)
    build([str(corpus)], out=out, cache=False)
    assert sorted(p.name for p in gens.iterdir()) == ["000002", "000003"]
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name not in (".health-kg", ".lock")]


# -- faults: real processes --------------------------------------------------------------------------

def engines(out: Path) -> dict[str, int]:
    """How many articles each reader of the folder sees."""
    from kg.sparql import sparql

    return {"graph.json": len(KnowledgeGraph.load(out).documents),
            "sparql": sparql(out, "SELECT (COUNT(?d) AS ?n) WHERE { ?d a kg:Document }")[0]["n"],
            "cypher": query_embedded(out, "MATCH (d:Document) RETURN count(d) AS n")[0]["n"],
            "report": json.loads((out / "report.json").read_text(encoding="utf-8"))["documents_read"]}


def one_build(out: Path) -> int:
    seen = engines(out)
    assert len(set(seen.values())) == 1, seen
    return seen["graph.json"]


STAGES = ("oxigraph", "graph.json", "graph.lbug", "formats", "report.json", "manifest", "switch", "links")


@pytest.mark.slow
def test_a_build_killed_at_any_stage_of_writing_leaves_one_whole_set(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    base = tmp_path / "base"
    build([str(p) for p in seeds[:2]], out=base)
    assert one_build(base) == 2
    for stage in STAGES:
        out = tmp_path / stage
        shutil.copytree(base, out, symlinks=True)
        env = {**os.environ, "KG_KILL_AT": stage}
        res = subprocess.run(kg_cmd("build", *seeds[:3], "-o", out, "-q", "--formats", "ttl"),
                             capture_output=True, cwd=ROOT, env=env, timeout=300)
        assert res.returncode == -signal.SIGKILL, (stage, res.stderr[-2000:])
        assert one_build(out) == (3 if stage == "links" else 2), stage
        if stage in ("oxigraph", "manifest", "links"):
            done = build([str(p) for p in seeds[:3]], out=out, formats=["ttl"])
            assert one_build(out) == 3 and not done.failures
            assert not [g for g in (out / "generations").iterdir() if g.name.endswith(".partial")]
            assert len(list((out / "generations").iterdir())) <= 2


@pytest.mark.slow
def test_two_builds_into_one_folder_run_one_after_the_other(tmp_path):
    big, out = tmp_path / "big", tmp_path / "out"
    make_bigger_corpus(big, 96)
    first = subprocess.Popen(kg_cmd("build", big, "-o", out, "-q"), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:  # the first build holds the lock
            try:
                if json.loads((out / ".lock").read_text())["pid"] == first.pid:
                    break
            except (OSError, ValueError, KeyError):
                pass
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        # Stop the first build while it holds the lock, so the second surely finds it held (on a
        # loaded machine the first could otherwise finish before the second starts).
        os.killpg(first.pid, signal.SIGSTOP)
        resume = threading.Timer(120, os.killpg, (first.pid, signal.SIGCONT))  # never stuck for good
        resume.start()
        busy = subprocess.run(kg_cmd("build", SEEDS, "-o", out, "-q", "--no-wait"), capture_output=True,
                              cwd=ROOT, timeout=120)
        assert busy.returncode == 3
        err = busy.stderr.decode().strip()
        assert err == (f"kg: error: {out}: another kg build (pid {first.pid}, started "
                       f"{json.loads((out / '.lock').read_text())['since']}) is writing this folder; "
                       f"wait for it to finish, or give another -o")
        second = subprocess.Popen(kg_cmd("build", SEEDS, "-o", out, "-q"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd=ROOT)
        waiting = second.stderr.readline().decode()  # said once it finds the lock held
        os.killpg(first.pid, signal.SIGCONT)
        resume.cancel()
        _, rest = second.communicate(timeout=600)
        assert first.wait(timeout=600) == 0, first.stderr.read()[-2000:]
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert second.returncode == 0, rest[-2000:]
    assert waiting.startswith(f"kg: waiting for another kg build (pid {first.pid}")
    assert one_build(out) == 5  # the second build's inputs, in every store
    assert manifest(out)["base"] == "000001"


def test_a_held_lock_is_waited_for(tmp_path, corpus):
    """The lock is an flock on OUT/.lock: held here, a build waits, and goes on once it is free."""
    out = tmp_path / "out"
    OutputFolder.open(out).close()
    fd = os.open(out / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen(kg_cmd("build", corpus, "-o", out, "-q"), stderr=subprocess.PIPE, cwd=ROOT)
        line = proc.stderr.readline().decode()
        assert line.startswith("kg: waiting for another kg build") and proc.poll() is None
    finally:
        os.close(fd)
    assert proc.wait(timeout=300) == 0
    assert one_build(out) == 5
