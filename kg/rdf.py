"""RDF: the graph as triples (N-Triples, Turtle, JSON-LD) and as an embedded Oxigraph store.

Every edge is written twice: as the direct triple ``s kg:TYPE o`` (simple queries stay
simple) and as a reified ``rdf:Statement`` node that carries the edge's attributes and
links (``prov:wasDerivedFrom``) to one ``kg:Evidence`` PROV entity per sentence, which
``prov:wasQuotedFrom`` its article. Standard reification rather than RDF-star / RDF 1.2
triple terms because rdflib (and so pySHACL) cannot read triple terms; see docs/rdf.md.

The N-Triples lines are built directly from the graph with strings (proper escaping, no
blank nodes, deterministic IRIs and order) because rdflib is ~100x slower on big graphs.
They are streamed into the embedded Oxigraph store, the RDF store of record, with its bulk
loader a chunk at a time; graph.ttl, graph.nt and graph.jsonld are derived from the store
when asked for (:func:`dump_formats`), streamed to disk by its own serialiser. A rebuild
after a few articles changed retracts and re-adds only the records they touched
(:func:`update_store`).
"""
from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

from .graph import KnowledgeGraph, atomic_file
from .model import RELATION_TYPES, Entity, Evidence, Relation

if TYPE_CHECKING:  # pragma: no cover
    from .query import Placement

BASE = "https://health-kg.org/"
KG = BASE + "ontology#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"

#: Prefixes predeclared in ``kg sparql`` and used in Turtle output.
PREFIXES = {
    "kg": KG,
    "rdf": RDF_NS,
    "rdfs": RDFS_NS,
    "xsd": XSD,
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": SKOS,
    "prov": PROV,
    "schema": SCHEMA,
    "org": "http://www.w3.org/ns/org#",
}

STORE_DIR = "oxigraph"
FILES = {"turtle": "graph.ttl", "ntriples": "graph.nt", "jsonld": "graph.jsonld"}


# -- IRIs ----------------------------------------------------------------------------
# Characters kept as they are in an IRI path: RFC 3987 iunreserved / sub-delims / ":@/"
# plus the Unicode ranges of ucschar. Everything else (space, %, #, ?, <>, controls,
# private use …) is percent-encoded, so the mapping from id to IRI is injective.
_UCS = "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef" + "".join(
    f"{chr(p * 0x10000)}-{chr(p * 0x10000 + 0xFFFD)}" for p in range(1, 15))
_IRI_UNSAFE = re.compile(f"[^A-Za-z0-9\\-._~!$&'()*+,;=:@/{_UCS}]")


def _pct(m: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "surrogatepass"))


def _segment(text: str) -> str:
    return _IRI_UNSAFE.sub(_pct, text)


def iri(entity_id: str) -> str:
    """The IRI of an entity: readable, e.g. ``https://health-kg.org/id/County/441823``."""
    return BASE + "id/" + _segment(entity_id)


def doc_iri(doc_id: str) -> str:
    """The IRI of an article (a ``kg:Document``)."""
    return BASE + "doc/" + _segment(doc_id)


def _hash(*parts: Any) -> str:
    return hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"),
                           digest_size=12).hexdigest()


def statement_iri(key: tuple[str, str, str]) -> str:
    """The IRI of the reified statement of edge ``(source, type, target)`` (stable across runs)."""
    return BASE + "stmt/" + _hash(*key)


def evidence_iri(key: tuple[str, str, str], ev: Evidence) -> str:
    """The IRI of one piece of evidence of one edge (stable; same sentence → same node)."""
    return BASE + "evidence/" + _hash(*key, ev.doc, ev.start, ev.end, ev.rule, ev.sentence)


def entity_id_of(node_iri: str) -> str | None:
    """Inverse of :func:`iri`: the entity id of an entity IRI (None for other IRIs)."""
    from urllib.parse import unquote

    prefix = BASE + "id/"
    return unquote(node_iri[len(prefix):]) if node_iri.startswith(prefix) else None


# -- N-Triples terms -----------------------------------------------------------------
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
            ord("\t"): "\\t"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in _ESCAPES})
_ESCAPES.update({c: "\ufffd" for c in range(0xD800, 0xE000)})  # lone surrogates


def _u(value: str) -> str:
    return f"<{value}>"


_NEEDS_ESCAPE = re.compile(r'[\\"\x00-\x1f\ud800-\udfff]')


def _esc(text: str) -> str:
    """Escaped for a literal (most text needs nothing: searching is much cheaper than translate)."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _s(text: str) -> str:
    """A plain (xsd:string) literal."""
    return '"' + _esc(str(text)) + '"'


def _zh(text: str) -> str:
    return '"' + _esc(str(text)) + '"@zh'


def _typed(lexical: str, datatype: str) -> str:
    return '"' + _esc(lexical) + '"^^<' + XSD + datatype + ">"


def _int(v: int) -> str:
    return _typed(str(int(v)), "integer")


def _decimal(v: float) -> str | None:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        return None
    return _decimal_of(float(v))


@lru_cache(maxsize=65536)
def _decimal_of(v: float) -> str:  # confidences repeat: a few thousand distinct values
    return _typed(format(Decimal(repr(v)).normalize(), "f"), "decimal")


def _double(v: float) -> str | None:
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        return None
    return _typed(repr(float(v)), "double")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")


def _when(v: Any) -> str | None:
    """A date-ish attribute as xsd:date / gYearMonth / gYear when valid, else a string."""
    if v is None or v == "":
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return _typed(f"{v:04d}", "gYear") if 0 < v < 10000 else _int(v)
    s = str(v)
    if _DATE.match(s):
        try:
            date.fromisoformat(s)
            return _typed(s, "date")
        except ValueError:
            return _s(s)
    if _YEAR_MONTH.match(s):
        return _typed(s, "gYearMonth")
    if _YEAR.match(s):
        return _typed(s, "gYear")
    return _s(s)


def _scalar(v: Any) -> str | None:
    """Any other attribute value: typed by its Python type; None when not a scalar."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return _typed("true" if v else "false", "boolean")
    if isinstance(v, int):
        return _int(v)
    if isinstance(v, float):
        return _double(v)
    if isinstance(v, str):
        return _s(v)
    return None


_ATTR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
A = f"<{RDF_NS}type>"
P = {name: f"<{KG}{name}>" for name in (
    "entityId", "code", "division", "region", "mentionedIn", "supportUnit", "province",
    "cityUnit", "countyUnit", "within",
    "evidenceCount", "documentCount", "confidence",
    "since", "until", "asOf", "year", "quantity", "kind", "unit", "text", "sentence",
    "startOffset", "endOffset", "rule", "docId", "path", "source", "spun",
    "Evidence", "Document", "Quantity")}
S_NAME = f"<{SCHEMA}name>"
S_ALT = f"<{SCHEMA}alternateName>"
S_LON = f"<{SCHEMA}longitude>"
S_LAT = f"<{SCHEMA}latitude>"
S_HEADLINE = f"<{SCHEMA}headline>"
S_DATE = f"<{SCHEMA}datePublished>"
S_AUTHOR = f"<{SCHEMA}author>"
S_URL = f"<{SCHEMA}url>"
RDFS_LABEL = f"<{RDFS_NS}label>"
SKOS_PREF = f"<{SKOS}prefLabel>"
SKOS_ALT = f"<{SKOS}altLabel>"
PROV_ENTITY = f"<{PROV}Entity>"
PROV_DERIVED = f"<{PROV}wasDerivedFrom>"
PROV_QUOTED = f"<{PROV}wasQuotedFrom>"
RDF_STATEMENT = f"<{RDF_NS}Statement>"
RDF_SUBJECT = f"<{RDF_NS}subject>"
RDF_PREDICATE = f"<{RDF_NS}predicate>"
RDF_OBJECT = f"<{RDF_NS}object>"
RDF_VALUE = f"<{RDF_NS}value>"

#: Entity attributes with a fixed property; other scalar attributes become kg:<name>.
_ENTITY_ATTRS = {"code": P["code"], "division": P["division"], "region": P["region"]}
_SKIP_ENTITY_ATTRS = {"lon", "lat"}
_RELATION_WHEN = {"since": P["since"], "until": P["until"], "as_of": P["asOf"]}


# -- triples -------------------------------------------------------------------------
def _entity_lines(e: Entity, place: "Placement | None" = None,
                  docs: set[str] | None = None) -> Iterator[str]:
    """An entity's own triples (``docs``: its kg:mentionedIn only to these articles)."""
    s = _u(iri(e.id))
    yield f"{s} {A} <{KG}{e.type}> .\n"
    yield f"{s} {P['entityId']} {_s(e.id)} .\n"
    yield f"{s} {S_NAME} {_s(e.name)} .\n"
    yield f"{s} {RDFS_LABEL} {_zh(e.name)} .\n"
    yield f"{s} {SKOS_PREF} {_zh(e.name)} .\n"
    for a in sorted(e.aliases):
        if a and a != e.name:
            yield f"{s} {SKOS_ALT} {_zh(a)} .\n"
            yield f"{s} {S_ALT} {_s(a)} .\n"
    for k, v in e.attrs.items():
        if k in _SKIP_ENTITY_ATTRS:
            continue
        prop = _ENTITY_ATTRS.get(k) or (f"<{KG}{k}>" if _ATTR_NAME.match(k) else None)
        if prop is None:
            continue
        for item in (v if isinstance(v, (list, tuple, set)) else [v]):
            o = _scalar(item)
            if o is not None:
                yield f"{s} {prop} {o} .\n"
    lon, lat = _double(e.attrs.get("lon")), _double(e.attrs.get("lat"))
    if lon is not None and lat is not None:
        yield f"{s} {S_LON} {lon} .\n"
        yield f"{s} {S_LAT} {lat} .\n"
    for d in sorted(e.mentions):
        if docs is None or d in docs:
            yield f"{s} {P['mentionedIn']} {_u(doc_iri(d))} .\n"
    if place is not None:
        yield from _placement_lines(s, e, place)


def _placement_lines(s: str, e: Entity, place: "Placement") -> Iterator[str]:
    """Where the entity is, from kg.query.placements (what the example queries join on)."""
    for prop, target in (("supportUnit", place.support_unit), ("province", place.province),
                         ("cityUnit", place.city), ("countyUnit", place.county)):
        if target is not None:
            yield f"{s} {P[prop]} {_u(iri(target))} .\n"
    for r in place.within:
        yield f"{s} {P['within']} {_u(iri(r))} .\n"
    if not e.attrs.get("region") and place.region:
        yield f"{s} {P['region']} {_s(place.region)} .\n"


def _relation_lines(r: Relation, docs: set[str] | None = None) -> Iterator[str]:
    """An edge's direct triple and its statement (``docs``: its evidence from these articles only)."""
    s, o, p = _u(iri(r.source)), _u(iri(r.target)), f"<{KG}{r.type}>"
    yield f"{s} {p} {o} .\n"
    st = _u(statement_iri(r.key))
    yield f"{st} {A} {RDF_STATEMENT} .\n"
    yield f"{st} {RDF_SUBJECT} {s} .\n"
    yield f"{st} {RDF_PREDICATE} {p} .\n"
    yield f"{st} {RDF_OBJECT} {o} .\n"
    conf = _decimal(r.confidence)
    if conf is not None:
        yield f"{st} {P['confidence']} {conf} .\n"
    yield f"{st} {P['evidenceCount']} {_int(len(r.evidence))} .\n"
    yield f"{st} {P['documentCount']} {_int(len({e.doc for e in r.evidence}))} .\n"
    for k, v in r.attrs.items():
        if k in _RELATION_WHEN:
            lit = _when(v)
            if lit is not None:
                yield f"{st} {_RELATION_WHEN[k]} {lit} .\n"
        elif k == "year":
            lit = _int(v) if isinstance(v, int) and not isinstance(v, bool) else _scalar(v)
            if lit is not None:
                yield f"{st} {P['year']} {lit} .\n"
        elif k == "quantities":
            for q in v or []:
                if isinstance(q, dict):
                    yield from _quantity_lines(st, r.key, q)
        elif k != "confidence" and _ATTR_NAME.match(k):
            for item in (v if isinstance(v, (list, tuple, set)) else [v]):
                lit = _scalar(item)
                if lit is not None:
                    yield f"{st} <{KG}{k}> {lit} .\n"
    for ev in r.evidence:
        if docs is not None and ev.doc not in docs:
            continue
        e = _u(evidence_iri(r.key, ev))
        yield f"{st} {PROV_DERIVED} {e} .\n"
        yield f"{e} {A} {P['Evidence']} .\n"
        yield f"{e} {A} {PROV_ENTITY} .\n"
        yield f"{e} {PROV_QUOTED} {_u(doc_iri(ev.doc))} .\n"
        yield f"{e} {P['sentence']} {_s(ev.sentence or '')} .\n"
        yield f"{e} {P['startOffset']} {_int(ev.start)} .\n"
        yield f"{e} {P['endOffset']} {_int(ev.end)} .\n"
        yield f"{e} {P['rule']} {_s(ev.rule or '')} .\n"
        c = _decimal(ev.confidence)
        if c is not None:
            yield f"{e} {P['confidence']} {c} .\n"


def _quantity_lines(st: str, key: tuple, q: dict) -> Iterator[str]:
    node = _u(BASE + "quantity/" + _hash(*key, json.dumps(q, sort_keys=True, ensure_ascii=False,
                                                           default=str)))
    yield f"{st} {P['quantity']} {node} .\n"
    yield f"{node} {A} {P['Quantity']} .\n"
    for k, prop in (("kind", P["kind"]), ("unit", P["unit"]), ("text", P["text"])):
        if q.get(k) not in (None, ""):
            yield f"{node} {prop} {_s(q[k])} .\n"
    val = q.get("value")
    lit = _int(val) if isinstance(val, int) and not isinstance(val, bool) else (
        _decimal(val) if isinstance(val, float) else _scalar(val))
    if lit is not None:
        yield f"{node} {RDF_VALUE} {lit} .\n"
    if isinstance(q.get("year"), int):
        yield f"{node} {P['year']} {_int(q['year'])} .\n"


def _document_lines(graph: KnowledgeGraph, only: Iterable[str] | None = None) -> Iterator[str]:
    """Every article's lines (those of ``only``): the graph's documents and any only known from
    evidence or mentions, with path and date taken from the evidence where the document lacks them."""
    from .query import source_label

    want = set(only) if only is not None else None
    fill: dict[str, dict] = {}  # documents that need something from the evidence
    for r in graph.relations.values():
        for ev in r.evidence:
            d = ev.doc
            if want is not None and d not in want:
                continue
            have = graph.documents.get(d)
            if have is not None and have.get("path") and have.get("published"):
                continue
            f = fill.setdefault(d, {})
            if ev.path and not f.get("path"):
                f["path"] = ev.path
            if ev.published and not f.get("published"):
                f["published"] = ev.published
    ids = set(graph.documents) if want is None else {d for d in want if d in graph.documents}
    ids.update(fill)
    for e in graph.entities.values():
        ids.update(e.mentions if want is None else (d for d in e.mentions if d in want))
    for doc_id in sorted(ids):
        d = dict(graph.documents.get(doc_id) or {"id": doc_id})
        for k, v in fill.get(doc_id, {}).items():
            if not d.get(k):
                d[k] = v
        s = _u(doc_iri(doc_id))
        yield f"{s} {A} {P['Document']} .\n"
        yield f"{s} {A} {PROV_ENTITY} .\n"
        yield f"{s} {P['docId']} {_s(doc_id)} .\n"
        yield f"{s} {RDFS_LABEL} {_s(source_label(doc_id, d.get('title'), d.get('published')))} .\n"
        if d.get("path"):
            yield f"{s} {P['path']} {_s(d['path'])} .\n"
        if d.get("title"):
            yield f"{s} {S_HEADLINE} {_s(d['title'])} .\n"
        if d.get("published"):
            yield f"{s} {S_DATE} {_when(d['published'])} .\n"
        if d.get("source"):
            yield f"{s} {P['source']} {_s(d['source'])} .\n"
        if d.get("author"):
            yield f"{s} {S_AUTHOR} {_s(d['author'])} .\n"
        if d.get("url"):
            yield f"{s} {S_URL} {_typed(str(d['url']), 'anyURI')} .\n"
        if d.get("spun") is not None:
            yield f"{s} {P['spun']} {_scalar(bool(d['spun']))} .\n"


def ntriples_lines(graph: KnowledgeGraph, places: "dict[str, Placement] | None" = None,
                   entities: Iterable[str] | None = None,
                   relations: Iterable[tuple[str, str, str]] | None = None,
                   documents: Iterable[str] | None = None) -> Iterator[str]:
    """The graph as N-Triples lines (each ending in newline), in a stable order, no blank nodes.

    ``places`` is :func:`kg.query.placements` when already computed. ``entities``,
    ``relations``, ``documents`` (ids, keys, ids) limit the lines to those records' and, for
    the entities' mentions and the relations' evidence, to those articles' (records missing
    from the graph give none): what an incremental build re-adds.
    """
    from .query import placements

    places = placements(graph) if places is None else places
    subset = entities is not None or relations is not None or documents is not None
    docs = set(documents or ()) if subset else None
    eids = sorted(graph.entities) if not subset else sorted(e for e in entities or () if e in graph.entities)
    for eid in eids:
        yield from _entity_lines(graph.entities[eid], places.get(eid), docs)
    keys = (sorted(graph.relations) if not subset
            else sorted(k for k in relations or () if k in graph.relations))
    for key in keys:
        yield from _relation_lines(graph.relations[key], docs)
    yield from _document_lines(graph, docs)


def to_ntriples(graph: KnowledgeGraph) -> str:
    """The whole graph as one N-Triples string (small graphs: tests, notebooks)."""
    return "".join(ntriples_lines(graph))


def to_turtle(graph: KnowledgeGraph) -> str:
    """Turtle with the usual prefixes, from the store's serialiser (small graphs)."""
    import pyoxigraph as ox

    return to_store(graph).dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(),
                                prefixes=PREFIXES).decode("utf-8")


def to_rdflib(graph: KnowledgeGraph, nt: str | None = None):
    """An ``rdflib.Graph`` of the same triples (for pySHACL; slow on big graphs)."""
    import rdflib

    g = rdflib.Graph()
    for k, v in PREFIXES.items():
        g.bind(k, v)
    g.parse(data=to_ntriples(graph) if nt is None else nt, format="nt")
    return g


# -- JSON-LD -------------------------------------------------------------------------
def load_context() -> dict:
    """The JSON-LD context shipped in schema/context.jsonld (the inner ``@context`` object)."""
    from schema import HERE

    with open(HERE / "context.jsonld", encoding="utf-8") as fh:
        return json.load(fh)["@context"]


class _Compactor:
    """Writes terms with the context's terms and prefixes, exactly round-trippable."""

    def __init__(self, ctx: dict):
        self.prefixes = sorted(((v, k) for k, v in ctx.items()
                                if isinstance(v, str) and v.endswith(("#", "/"))),
                               key=lambda x: -len(x[0]))
        self.terms: dict[str, tuple[str, dict]] = {}
        for term, d in ctx.items():
            d = {"@id": d} if isinstance(d, str) else d
            if term.startswith("@") or d.get("@id", "").endswith(("#", "/")):
                continue
            full = self.expand(d["@id"])
            self.terms.setdefault(full, (term, d))

    def expand(self, value: str) -> str:
        pre, _, local = value.partition(":")
        for ns, name in self.prefixes:
            if name == pre:
                return ns + local
        return value

    def compact(self, value: str) -> str:
        for ns, name in self.prefixes:
            if value.startswith(ns) and len(value) > len(ns) and not value[len(ns):].startswith("//"):
                return f"{name}:{value[len(ns):]}"
        return value

    def key(self, pred: str) -> tuple[str, dict]:
        hit = self.terms.get(pred)
        return hit if hit else (self.compact(pred), {})

    def value(self, term, d: dict):
        import pyoxigraph as ox

        coerce, lang = d.get("@type"), d.get("@language")
        if isinstance(term, ox.NamedNode):
            return term.value if coerce == "@id" else {"@id": term.value}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        dt = term.datatype.value
        if term.language:
            if lang == term.language and coerce is None:
                return term.value
            return {"@value": term.value, "@language": term.language}
        if coerce and coerce != "@id" and self.expand(coerce) == dt:
            return term.value
        if dt == XSD + "string":
            return term.value if coerce is None and lang is None else {"@value": term.value}
        return {"@value": term.value, "@type": self.compact(dt)}


def jsonld_nodes(quads: Iterable, ctx: dict | None = None) -> Iterator[dict]:
    """Triples (or quads) as compact JSON-LD node objects, one per run of the same subject.

    An on-disk store yields its triples ordered by subject, so each node is built and
    written at once; a subject met again later gives a second node object with the same
    ``@id``, which JSON-LD merges.
    """
    import pyoxigraph as ox

    c = _Compactor(load_context() if ctx is None else ctx)
    rdf_type = RDF_NS + "type"
    node: dict | None = None
    sid = None
    for q in quads:
        if q.subject.value != sid:
            if node is not None:
                yield _node_out(node)
            sid = q.subject.value
            node = {"@id": sid}
        pred = q.predicate.value
        if pred == rdf_type and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(c.compact(q.object.value))
            continue
        k, d = c.key(pred)
        node.setdefault(k, []).append(c.value(q.object, d))
    if node is not None:
        yield _node_out(node)


def _node_out(node: dict) -> dict:
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in node.items()}


def to_jsonld(graph: KnowledgeGraph) -> dict:
    """Compact JSON-LD: ``{"@context": <schema/context.jsonld>, "@graph": [nodes]}`` (small graphs)."""
    ctx = load_context()
    quads = sorted(to_store(graph), key=lambda q: q.subject.value)  # stable: one node per subject
    return {"@context": ctx, "@graph": list(jsonld_nodes(quads, ctx))}


def write_jsonld(store, fh: IO[str]) -> None:
    """Write an on-disk store as :func:`to_jsonld`'s document, one node per line (streamed)."""
    import pyoxigraph as ox

    ctx = load_context()
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    fh.write('{"@context":' + enc(ctx) + ',\n"@graph":[\n')
    sep = ""
    for node in jsonld_nodes(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), ctx):
        fh.write(sep)
        fh.write(enc(node))
        sep = ",\n"
    fh.write("\n]}\n")


# -- the embedded store ----------------------------------------------------------------
#: Triples per bulk-load call: Oxigraph's loader holds one call's triples in memory (~1.5 KB
#: each with its indexes), so a graph of millions of triples loads in bounded memory
#: (smaller calls cost no more time: 50,000 and 200,000 took the same CPU seconds).
LOAD_CHUNK = 50_000


def store_path(graph_dir: str | os.PathLike) -> Path:
    return Path(graph_dir) / STORE_DIR


def _chunks(lines: Iterable[str], size: int = LOAD_CHUNK) -> Iterator[bytes]:
    buf: list[str] = []
    for line in lines:
        buf.append(line)
        if len(buf) >= size:
            yield "".join(buf).encode("utf-8")
            buf.clear()
    if buf:
        yield "".join(buf).encode("utf-8")


def load_lines(store, lines: Iterable[str], stop: threading.Event | None = None) -> None:
    """Bulk-load N-Triples lines into ``store`` a chunk at a time (the loader releases the GIL);
    ``stop`` set ends the load after the chunk in progress."""
    import pyoxigraph as ox

    for chunk in _chunks(lines):
        if stop is not None and stop.is_set():
            return
        store.bulk_load(input=chunk, format=ox.RdfFormat.N_TRIPLES)
    store.flush()


def write_store(source: KnowledgeGraph | str | bytes | Iterable[str], out: str | os.PathLike,
                places: "dict[str, Placement] | None" = None) -> Path:
    """Build OUT/oxigraph from a graph (or N-Triples text or lines), replacing any old one whole.

    The store is built in a temporary sibling folder and swapped in by renames, so an
    interrupted build leaves the previous store in place (a leftover ``.oxigraph.old-*``
    from a crash between the two renames is put back by :func:`open_store`).
    """
    import pyoxigraph as ox

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    final = out / STORE_DIR
    tmp = Path(tempfile.mkdtemp(prefix=f".{STORE_DIR}.tmp-", dir=out))
    try:
        store = ox.Store(str(tmp))
        if isinstance(source, KnowledgeGraph):
            lines: Iterable[str] = ntriples_lines(source, places)
        elif isinstance(source, (str, bytes)):
            text = source.decode("utf-8") if isinstance(source, bytes) else source
            lines = text.splitlines(keepends=True)
        else:
            lines = source
        load_lines(store, lines)
        del store
        gc.collect()
        old = None
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{STORE_DIR}.old-", dir=out))
            os.rmdir(old)
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for stale in out.glob(f".{STORE_DIR}.tmp-*"):  # left by builds killed earlier
        shutil.rmtree(stale, ignore_errors=True)
    return final


def open_store(graph_dir: str | os.PathLike, read_only: bool = True):
    """Open the store of a graph folder (its current generation).

    A folder of an older layout without a store gets one built from its graph.json.
    """
    import pyoxigraph as ox

    from .outfolder import resolve

    graph_dir = resolve(graph_dir)
    path = graph_dir / STORE_DIR
    if not path.exists():
        olds = sorted(graph_dir.glob(f".{STORE_DIR}.old-*"))
        if olds:  # a build died between its two renames: put the previous store back
            os.replace(olds[-1], path)
        else:
            graph = KnowledgeGraph.load(graph_dir)  # GraphNotFoundError if nothing there
            write_store(graph, graph_dir)
    return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))


def to_store(graph: KnowledgeGraph):
    """An in-memory pyoxigraph store of the graph (for tests and notebooks)."""
    import pyoxigraph as ox

    store = ox.Store()
    for chunk in _chunks(ntriples_lines(graph)):
        store.bulk_load(input=chunk, format=ox.RdfFormat.N_TRIPLES)
    return store


_RELATION_PREDICATES = frozenset(f"{KG}{t}" for t in RELATION_TYPES)


def update_store(store, graph: KnowledgeGraph, entities: Iterable[str],
                 relations: Iterable[tuple[str, str, str]], documents: Iterable[str],
                 places: "dict[str, Placement]") -> int:
    """Bring a store of an earlier graph up to ``graph`` for the records that changed.

    ``documents`` are the articles that changed, were deleted or are new; ``entities`` and
    ``relations`` (keys) what their old and new results hold, with the entities whose placement
    (support unit, province, city, county, the regions they stand in) changed
    (:func:`kg.query.placement_digests` against the previous generation's). What those
    articles said is retracted by document id:
    each article's node, the evidence nodes quoted from it (with their statements' links to
    them) and the entities' kg:mentionedIn links to it. The entities' and relations' other
    triples (an entity's own, not the relation triples it is the subject of; a relation's
    direct triple, its statement and quantity nodes) are retracted whole. Then the current
    lines of all of it are added. Evidence and mentions from other articles are not touched:
    they cannot have changed. Returns the number of triples retracted.
    """
    import pyoxigraph as ox

    dg = ox.DefaultGraph()
    entities = set(entities)
    relations, documents = set(relations), set(documents)
    doc_nodes = {doc_iri(d) for d in documents}
    mentioned, derived = KG + "mentionedIn", ox.NamedNode(PROV + "wasDerivedFrom")
    quoted, quantity = ox.NamedNode(PROV + "wasQuotedFrom"), KG + "quantity"
    doomed: list = []
    for d in sorted(doc_nodes):
        node = ox.NamedNode(d)
        doomed.extend(store.quads_for_pattern(node, None, None, dg))
        for q in store.quads_for_pattern(None, quoted, node, dg):
            doomed.extend(store.quads_for_pattern(q.subject, None, None, dg))
            doomed.extend(store.quads_for_pattern(None, derived, q.subject, dg))
    for eid in entities:
        for q in store.quads_for_pattern(ox.NamedNode(iri(eid)), None, None, dg):
            p = q.predicate.value
            if p not in _RELATION_PREDICATES and (p != mentioned or q.object.value in doc_nodes):
                doomed.append(q)
    for key in relations:
        s, o = ox.NamedNode(iri(key[0])), ox.NamedNode(iri(key[2]))
        doomed.append(ox.Quad(s, ox.NamedNode(KG + key[1]), o, dg))
        for q in store.quads_for_pattern(ox.NamedNode(statement_iri(key)), None, None, dg):
            if q.predicate == derived:
                continue  # links to evidence: retracted with the evidence's article
            doomed.append(q)
            if q.predicate.value == quantity:
                doomed.extend(store.quads_for_pattern(q.object, None, None, dg))
    for q in doomed:
        store.remove(q)
    text = "".join(ntriples_lines(graph, places, entities, relations, documents))
    if text:
        store.load(input=text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    return len(doomed)


# -- RDF files, derived from the store ---------------------------------------------------------
#: The RDF files `kg build --formats` and `kg export` write, by format name (and short name).
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "turtle": "turtle",
                  "ntriples": "ntriples"}


def dump_formats(store, out: str | os.PathLike, formats: Iterable[str],
                 paths: dict[str, Path] | None = None) -> list[Path]:
    """Write RDF files (``turtle``, ``ntriples``, ``jsonld``) from the store, each streamed to a
    temporary file and renamed into place; ``paths`` overrides a format's file name in ``out``."""
    import pyoxigraph as ox

    done = []
    for f in dict.fromkeys(FORMAT_ALIASES[x] for x in formats):
        path = (paths or {}).get(f) or Path(out) / FILES[f]
        if f == "jsonld":
            with atomic_file(path, "w") as fh:
                write_jsonld(store, fh)
        else:
            fmt = ox.RdfFormat.TURTLE if f == "turtle" else ox.RdfFormat.N_TRIPLES
            with atomic_file(path, "wb") as fh:
                store.dump(fh, format=fmt, from_graph=ox.DefaultGraph(),
                           prefixes=PREFIXES if f == "turtle" else None)
        done.append(path)
    return done


def write_rdf(graph: KnowledgeGraph, out: Path) -> None:
    """Write the Oxigraph store and graph.nt, graph.ttl, graph.jsonld (from it) into ``out``."""
    import pyoxigraph as ox

    path = write_store(graph, out)
    store = ox.Store.read_only(str(path))
    try:
        dump_formats(store, out, FILES)
    finally:
        del store
        gc.collect()


# -- SHACL validation ----------------------------------------------------------------------
SH = "http://www.w3.org/ns/shacl#"


class ValidationReport:
    """pySHACL's results, split by severity; ``ok`` when there is no violation."""

    def __init__(self, results: list[dict], text: str = ""):
        self.results = results
        self.text = text

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r["severity"] == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    @property
    def ok(self) -> bool:
        return self.violations == 0

    def summary(self, examples: int = 3) -> str:
        """One line per (severity, message) with a count and a few focus nodes."""
        groups: dict[tuple[str, str], list[dict]] = {}
        for r in self.results:
            groups.setdefault((r["severity"], r["message"]), []).append(r)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        lines = [f"{'conforms' if self.ok else 'does not conform'}: {self.violations} violations, "
                 f"{self.warnings} warnings, {self.count('Info')} infos"]
        for (sev, msg), rs in sorted(groups.items(), key=lambda x: (order.get(x[0][0], 3), x[0][1])):
            focus = ", ".join(_short(r["focus"]) for r in rs[:examples])
            more = f", … (+{len(rs) - examples})" if len(rs) > examples else ""
            lines.append(f"{sev:<9} {len(rs):>5}  {msg}  [{focus}{more}]")
        return "\n".join(lines)


def _short(node: str) -> str:
    eid = entity_id_of(node)
    return eid if eid is not None else node.replace(BASE, "")


def validate(graph: KnowledgeGraph | str | os.PathLike, nt: str | None = None) -> ValidationReport:
    """SHACL-validate the graph (pySHACL over graph + ontology, no inference)."""
    import pyshacl
    import rdflib

    from schema import ONTOLOGY, SHAPES

    if not isinstance(graph, KnowledgeGraph):
        graph = KnowledgeGraph.load(graph)
    data = to_rdflib(graph, nt)
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    ont = rdflib.Graph().parse(ONTOLOGY, format="turtle")
    _, report, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none",
                                       allow_warnings=True)
    ns = rdflib.Namespace(SH)
    results = []
    for res in report.subjects(rdflib.RDF.type, ns.ValidationResult):
        sev = report.value(res, ns.resultSeverity)
        msg = report.value(res, ns.resultMessage)
        path = report.value(res, ns.resultPath)
        results.append({
            "severity": str(sev).rsplit("#", 1)[-1] if sev else "Violation",
            "message": str(msg) if msg else f"{report.value(res, ns.sourceConstraintComponent)}",
            "focus": str(report.value(res, ns.focusNode)),
            "path": str(path) if path is not None else None,
            "value": str(report.value(res, ns.value)) if report.value(res, ns.value) else None,
            "shape": str(report.value(res, ns.sourceShape)),
        })
    results.sort(key=lambda r: (r["severity"], r["message"], r["focus"]))
    return ValidationReport(results, text)
