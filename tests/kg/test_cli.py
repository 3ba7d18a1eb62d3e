"""The whole CLI path on the seeds (build → ask supports → eval), and bad input."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
QUERY_ARTICLES = ROOT / "tests" / "data" / "query"  # a city and a town as recipients, stated plainly
GOLD = ROOT / "gold" / "seeds.jsonl"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-out")
    res = CliRunner().invoke(main, ["build", str(SEEDS), str(QUERY_ARTICLES), "-o", str(out), "-q"])
    assert res.exit_code == 0, res.output
    return out


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_build_writes_the_default_outputs(built):
    for name in ("graph.json", "report.json", "graph.lbug"):
        assert (built / name).is_file()
    assert (built / "oxigraph").is_dir()
    assert not (built / "graph.ttl").exists()  # RDF files only with --formats
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 7 and report["documents_failed"] == 0  # 5 seeds, 2 query articles
    assert report["entities_by_type"]["Hospital"] > 10
    graph = json.loads((built / "graph.json").read_text(encoding="utf-8"))
    node = graph["nodes"][0]
    assert {"id", "type", "name", "aliases"} <= set(node)
    link = graph["links"][0]
    assert {"source", "target", "type", "evidence"} <= set(link)


def test_ask_supports_names_the_raoping_management_with_its_evidence(built):
    res = invoke("ask", "supports", "--county", "饶平县", "-g", built, "--format", "json", "--wide")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    row = next(r for r in rows if r["supporter"] == "暨南大学附属第一医院")
    assert row["recipient"] == "饶平县" and row["recipient_code"] == "445122"
    assert (row["supporter_type"], row["level"], row["province"]) == ("Hospital", "county", "广东省")
    assert "MANAGES" in row["relation"] and row["evidence"] >= 1
    assert "001_ac16e4c53687c849.txt" in row["documents"]
    # the article by its date and title, as report.json knows it
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    doc = next(d for d in report["documents"] if d["id"] == "001_ac16e4c53687c849.txt")
    assert f"{doc['published']} {doc['title']}" in row["sources"]


def test_ask_supports_default_view_is_compact_and_ordered(built):
    from kg.query import SupportRow

    res = invoke("ask", "supports", "-g", built)
    lines = res.output.splitlines()
    assert res.exit_code == 0 and lines[0].split() == list(SupportRow.VIEW)
    assert "饶平县" in res.output and "County/" not in res.output  # names, not ids
    rows = json.loads(invoke("ask", "supports", "-g", built, "--format", "json").output)
    provinces = [r["province"] for r in rows]
    assert provinces == sorted(provinces, key=provinces.index)  # grouped by province
    assert all(r["relation"] and set(r["relation"]) <= {"SUPPORTS", "MANAGES"} for r in rows)
    wide = json.loads(invoke("ask", "supports", "-g", built, "--format", "json", "--wide").output)
    assert [r["supporter"] for r in wide] == [r["supporter"] for r in rows]
    assert {"supporter_id", "recipient_id", "recipient_code", "edges", "evidence"} <= set(wide[0])


def test_ask_supports_partnerships_only_on_request_and_labelled(tmp_path):
    # Its own two-article input: whether the seeds hold a partnership-only pair depends on the model.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("医联体动态\n深圳市人民医院与河源市紫金县人民医院建立紧密型医联体。\n",
                                          encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("帮扶动态\n广东省人民医院对口帮扶连南瑶族自治县人民医院，派驻专家5名。\n",
                                          encoding="utf-8")
    built = tmp_path / "out"
    assert invoke("build", tmp_path / "in", "-o", built, "-q").exit_code == 0
    plain = json.loads(invoke("ask", "supports", "-g", built, "--format", "json").output)
    assert plain
    res = invoke("ask", "supports", "-g", built, "--with-partnerships")
    assert res.exit_code == 0 and "PARTNERS_WITH" in res.stdout and "not support" in res.stderr
    more = json.loads(invoke("ask", "supports", "-g", built, "--with-partnerships",
                             "--format", "json").output)
    bare = [r for r in more if r["relation"] == ["PARTNERS_WITH"]]
    assert bare and len(more) == len(plain) + len(bare)


@pytest.mark.parametrize("option,names", [
    ("--county", ["饶平县", "饶平", "445122", "饒平縣"]),
    ("--province", ["广东省", "广东", "440000", "廣東"]),
])
def test_ask_supports_filters_match_names_as_users_write_them(built, option, names):
    outs = [invoke("ask", "supports", option, n, "-g", built, "--format", "csv") for n in names]
    assert all(o.exit_code == 0 for o in outs), [o.output for o in outs]
    assert len(outs[0].output.splitlines()) > 1  # some rows
    assert len({o.output for o in outs}) == 1


def test_a_name_that_matches_nothing_exits_1_with_the_closest(built):
    for args in (["ask", "supports", "--county", "不存在县"], ["ask", "partners", "阳山县人民醫院x"],
                 ["explain", "暨南大学附属第一医院", "饶平县人民医院x"], ["ask", "path", "阳山县x", "阳山县"]):
        res = invoke(*args, "-g", built)
        assert res.exit_code == 1, (args, res.output)
        (line,) = res.output.strip().splitlines()
        assert line.startswith("kg: error: no ") and "closest:" in line, line


def test_ask_supports_table_and_csv(built):
    table = invoke("ask", "supports", "-g", built)
    assert table.exit_code == 0 and "饶平县" in table.output and "supporter" in table.output
    csv_out = invoke("ask", "supports", "--province", "广东省", "-g", built, "--format", "csv")
    lines = csv_out.output.strip().splitlines()
    assert lines[0].startswith("province,supporter,") and len(lines) > 3
    assert all("西藏" not in line for line in lines[1:])  # province filter
    city = invoke("ask", "supports", "--level", "city", "-g", built, "--format", "json")
    assert {r["level"] for r in json.loads(city.output)} == {"city"}


def test_explain_prints_the_raw_sentence_file_and_offsets(built):
    res = invoke("explain", "暨南大学附属第一医院", "饶平县人民医院", "-g", built)
    assert res.exit_code == 0, res.output
    assert "MANAGES" in res.output and "全面托管" in res.output
    m = re.search(r"(\S+\.txt):(\d+)-(\d+)", res.output)
    raw = (SEEDS / Path(m.group(1)).name).read_text(encoding="utf-8")
    assert "托管" in raw[int(m.group(2)):int(m.group(3))]


def test_eval_reports_scores_against_the_gold(built):
    res = invoke("eval", GOLD, "-g", built, "--format", "json")
    assert res.exit_code == 0, res.output
    scores = json.loads(res.output)
    for part in ("entities", "relations", "supports_county"):
        assert 0 < scores[part]["f1"] <= 1
    verbose = invoke("eval", GOLD, "-g", built, "-v")
    assert "MISS" in verbose.output or "FP" in verbose.output or verbose.exit_code == 0


def test_stats_and_entities(built):
    st = invoke("stats", "-g", built, "--format", "json")
    counts = json.loads(st.output)
    assert counts["edges"]["LOCATED_IN"] > 10
    ents = invoke("entities", "-g", built, "--type", "County", "--format", "json")
    rows = json.loads(ents.output)
    assert any(r["name"] == "阳山县" and r["code"] == "441823" for r in rows)
    merges = invoke("entities", "-g", built, "--merges")
    assert "context completion" in merges.output


def test_bad_inputs_fail_one_by_one_and_the_rest_is_built(tmp_path):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (bad / "none").mkdir()
    good = bad / "good.txt"
    good.write_text((SEEDS / "002_91cb4612bce1284b.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(bad / "empty.txt"), str(bad / "binary.txt"),
                                    str(bad / "none"), str(tmp_path / "missing.txt"), str(good),
                                    "-o", str(out), "-q"])
    assert res.exit_code == 1  # partial
    errors = [line for line in res.output.splitlines() if line.startswith("kg: error:")]
    for name in ("empty.txt", "binary.txt", "none", "missing.txt"):
        assert any(name in line for line in errors), (name, errors)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents_read"] == 1 and report["documents_failed"] == 4
    nodes = json.loads((out / "graph.json").read_text(encoding="utf-8"))["nodes"]
    assert any("good.txt" in n["mentions"] for n in nodes)


def test_nothing_readable_is_exit_2(tmp_path):
    (tmp_path / "e.txt").write_text("")
    res = invoke("build", tmp_path / "e.txt", "-o", tmp_path / "o")
    assert res.exit_code == 2


def test_missing_graph_is_one_clear_line(tmp_path):
    res = invoke("ask", "supports", "-g", tmp_path / "nowhere")
    assert res.exit_code == 2
    assert "kg build" in res.output and "nowhere" in res.output


def test_every_command_is_documented():
    """Like sqlite-utils: each CLI command must appear in the README or docs/."""
    docs = (ROOT / "README.md").read_text(encoding="utf-8")
    for p in sorted((ROOT / "docs").glob("*.md")):
        docs += p.read_text(encoding="utf-8")

    def walk(cmd, prefix):
        import click

        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                yield from walk(sub, prefix + [name])
        else:
            yield " ".join(prefix)

    missing = [c for c in walk(main, ["kg"]) if f"{c} " not in docs and f"`{c}`" not in docs]
    assert not missing, f"undocumented commands: {missing}"


def test_a_bug_is_an_internal_error_not_partial(built, monkeypatch):
    from kg.graph import KnowledgeGraph

    def boom(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(KnowledgeGraph, "stats", boom)
    monkeypatch.delenv("KG_DEBUG", raising=False)
    res = invoke("stats", "-g", built)
    assert res.exit_code == 4
    assert "internal error: RuntimeError: boom" in res.output
