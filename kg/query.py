"""Questions users ask of the graph, as plain functions returning typed rows.

Each helper returns :class:`Rows` (a list of dataclass rows) that prints as a table,
csv or json and turns into a pandas DataFrame with ``.to_frame()``.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields
from typing import Generic, Iterable, TypeVar

from .graph import KnowledgeGraph
from .errors import QueryError
from .model import PARTNERSHIP_TYPES, REGION_TYPES, RELATION_TYPES, SUPPORT_TYPES, Entity

T = TypeVar("T")


class Rows(list, Generic[T]):
    """A list of dataclass rows with table / csv / json renderings."""

    def __init__(self, rows: Iterable[T] = (), columns: list[str] | None = None):
        super().__init__(rows)
        self._columns = columns

    @property
    def columns(self) -> list[str]:
        if self._columns:
            return self._columns
        return [f.name for f in fields(self[0])] if self else []

    def records(self) -> list[dict]:
        return [asdict(r) if hasattr(r, "__dataclass_fields__") else dict(r) for r in self]

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(self.records(), columns=self.columns or None)

    def to_json(self) -> str:
        return json.dumps(self.records(), ensure_ascii=False, indent=1)

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=self.columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for rec in self.records():
            w.writerow({k: _cell(v) for k, v in rec.items()})
        return buf.getvalue()

    def to_table(self) -> str:
        cols = self.columns
        if not cols:
            return "(no rows)"
        cells = [[_cell(rec.get(c)) for c in cols] for rec in self.records()]
        widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(cols)]
        line = lambda vals: "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths))
        out = [line(cols), line(["-" * w for w in widths])] + [line(r) for r in cells]
        return "\n".join(s.rstrip() for s in out)

    def render(self, fmt: str = "table") -> str:
        out = {"table": self.to_table, "csv": self.to_csv, "json": self.to_json}[fmt]()
        return out.rstrip("\n")  # the caller prints one newline


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple, set)):
        return ",".join(str(x) for x in v)
    return str(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


@dataclass
class SupportRow:
    supporter: str
    supporter_type: str
    county: str
    county_type: str
    county_code: str | None
    relations: list[str]
    evidence: int
    documents: list[str]
    supporter_id: str
    county_id: str


def support_unit(graph: KnowledgeGraph, eid: str) -> Entity | None:
    """The county (or, lacking one, the city or province) an entity belongs to.

    Only places some article names count: a town whose county no article mentions
    (同卡镇 in 八宿县) rolls up to the nearest named level above it (昌都市).
    """
    e = graph.entities.get(eid)
    if e is None:
        return None
    chain = [e] if e.type in ("County", "City", "Province") else graph.ancestors(eid)
    named = [a for a in chain if a.mentions] or chain
    for t in ("County", "City", "Province"):
        for a in named:
            if a.type == t:
                return a
    return None


def _matches(graph: KnowledgeGraph, e: Entity, name: str | None) -> bool:
    if not name:
        return True
    if name in (e.name, *e.aliases) or e.id == name:
        return True
    return any(name in (a.name, *a.aliases) for a in graph.ancestors(e.id))


def supports(graph: KnowledgeGraph, county: str | None = None, province: str | None = None,
             supporter: str | None = None) -> Rows[SupportRow]:
    """Which organisations support which counties, one row per (supporter, county).

    SUPPORTS and MANAGES edges count, and so does a PARTNERS_WITH between an outside
    hospital and a county or one of its institutions. Edges to a hospital or town roll
    up to the county it lies in; support inside one county is not listed.
    """
    acc: dict[tuple[str, str], dict] = {}
    for r in graph.relations.values():
        src, dst = r.source, r.target
        if r.type == "PARTNERS_WITH":
            a, b = graph.entities.get(src), graph.entities.get(dst)
            if a is None or b is None:
                continue
            # The hospital from outside is the supporter, whichever way the text put it.
            if b.type == "Hospital" and a.type in ("County", "Hospital", "Town"):
                src, dst = dst, src
            elif not (a.type == "Hospital" and b.type in ("County", "Hospital", "Town")):
                continue
        elif r.type not in SUPPORT_TYPES:
            continue
        unit = support_unit(graph, dst)
        if unit is None:
            continue
        s = graph.entities.get(src)
        if s is None or s.id == unit.id or support_unit(graph, src) is unit:
            continue
        if r.type == "PARTNERS_WITH" and support_unit(graph, src) is None and s.type != "Hospital":
            continue
        if r.type == "PARTNERS_WITH" and unit.type != "County":
            continue
        if not _matches(graph, unit, county) or not _matches(graph, unit, province):
            continue
        if not _matches(graph, s, supporter):
            continue
        row = acc.setdefault((s.id, unit.id), {"kinds": set(), "ev": 0, "docs": set()})
        row["kinds"].add(r.type)
        row["ev"] += len(r.evidence)
        row["docs"].update(e.doc for e in r.evidence)
    rows = []
    for (sid, uid), v in acc.items():
        s, u = graph.entities[sid], graph.entities[uid]
        rows.append(SupportRow(s.name, s.type, u.name, u.type, u.attrs.get("code"),
                               sorted(v["kinds"]), v["ev"], sorted(v["docs"]), sid, uid))
    rows.sort(key=lambda x: (x.county_code or "", x.county, x.supporter))
    return Rows(rows)


@dataclass
class EntityRow:
    id: str
    type: str
    name: str
    code: str | None
    region: str | None
    aliases: list[str]
    mentions: int
    documents: int


def entity_rows(graph: KnowledgeGraph, etype: str | None = None) -> Rows[EntityRow]:
    """Every entity (of one type if given) with its code, aliases and mention counts."""
    rows = [EntityRow(e.id, e.type, e.name, e.attrs.get("code"), e.attrs.get("region"),
                      sorted(e.aliases), sum(e.mentions.values()), len(e.mentions))
            for e in graph.entities.values() if etype is None or e.type == etype]
    rows.sort(key=lambda r: (r.type, r.id))
    return Rows(rows)


@dataclass
class MergeRow:
    surface: str
    id: str
    reason: str
    doc: str


def merge_rows(graph: KnowledgeGraph) -> Rows[MergeRow]:
    """Which surface forms became which node, and why (alias table, context, code match)."""
    seen, rows = set(), []
    for m in graph.merges:
        k = (m.get("surface"), m.get("id"), m.get("reason"))
        if k in seen:
            continue
        seen.add(k)
        rows.append(MergeRow(m.get("surface", ""), m.get("id", ""), m.get("reason", ""),
                             m.get("doc", "")))
    rows.sort(key=lambda r: (r.id, r.surface))
    return Rows(rows, columns=["surface", "id", "reason", "doc"])


def find(graph: KnowledgeGraph, name: str) -> list[Entity]:
    """Entities called ``name`` (id, name or alias); falls back to names containing it."""
    if name in graph.entities:
        return [graph.entities[name]]
    hits = graph.by_name(name)
    if hits:
        return hits
    return [e for e in graph.entities.values() if name in e.name]


@dataclass
class EvidenceRow:
    source: str
    relation: str
    target: str
    doc: str
    path: str | None
    start: int
    end: int
    sentence: str
    rule: str
    confidence: float
    published: str | None


def evidence(graph: KnowledgeGraph, a: str, b: str) -> Rows[EvidenceRow]:
    """The sentences behind every edge between two entities, in either direction."""
    ids_a = {e.id for e in find(graph, a)}
    ids_b = {e.id for e in find(graph, b)}
    rows = []
    for r in graph.relations.values():
        if (r.source in ids_a and r.target in ids_b) or (r.source in ids_b and r.target in ids_a):
            s, t = graph.entities[r.source].name, graph.entities[r.target].name
            for ev in r.evidence:
                rows.append(EvidenceRow(s, r.type, t, ev.doc, ev.path, ev.start, ev.end,
                                        ev.sentence, ev.rule, ev.confidence, ev.published))
    return Rows(rows)


# -- partnerships, flows, programmes, lookup and paths (issue 8) ---------------------------

_LEVELS = {"province": "Province", "city": "City", "county": "County"}
_DEPTH = {"Province": 1, "City": 2, "County": 3, "Town": 4, "Village": 5}


def _columns(cls) -> list[str]:
    """Column names of a row class, so even an empty result has its columns (to_frame, csv)."""
    return [f.name for f in fields(cls)]


def _division_regions(key: str) -> list[Entity]:
    """Regions above a division key from the packaged division data, most specific first.

    Used only when the graph lacks the LOCATED_IN chain, so flows and region filters
    still know that 阳山县 lies in 清远市 and 广东省.
    """
    try:
        from loaders.divisions import divisions
    except ImportError:  # pragma: no cover - the loaders ship with the package
        return []
    out = []
    for r in divisions().chain(key):
        out.append(Entity(f"{r.type}/{r.key}", r.type, r.name, {r.short} - {r.name, ""},
                          {"code": r.code, "division": r.key, "lon": r.lon, "lat": r.lat}))
    return out


class Places:
    """Region chains for many entities of one graph, computed once each.

    ``KnowledgeGraph.ancestors`` scans every edge per step; the helpers below ask for
    thousands of chains, so this indexes LOCATED_IN once and memoises the chains.
    """

    def __init__(self, graph: KnowledgeGraph):
        self.graph = graph
        self._located: dict[str, list[str]] = {}
        for r in graph.relations.values():
            if r.type == "LOCATED_IN":
                self._located.setdefault(r.source, []).append(r.target)
        self._chains: dict[str, list[Entity]] = {}
        self._keys: dict[str, set[str]] = {}

    def parent(self, eid: str) -> Entity | None:
        best = None
        for t in self._located.get(eid, ()):
            e = self.graph.entities.get(t)
            if e is not None and (best is None or _DEPTH.get(e.type, 0) > _DEPTH.get(best.type, 0)):
                best = e
        return best

    def chain(self, eid: str) -> list[Entity]:
        """The entity itself (if a region) and every region above it, most specific first.

        Follows LOCATED_IN in the graph; when that chain stops short of a province and an
        entity on it carries a ``division`` key, the rest comes from the division data.
        """
        if eid in self._chains:
            return self._chains[eid]
        e = self.graph.entities.get(eid)
        chain: list[Entity] = []
        if e is not None:
            chain = [e] if e.type in REGION_TYPES else []
            seen, cur = {eid}, self.parent(eid)
            while cur is not None and cur.id not in seen:
                chain.append(cur)
                seen.add(cur.id)
                cur = self.parent(cur.id)
            if not any(x.type == "Province" for x in chain):
                chain = self._complete(e, chain)
        self._chains[eid] = chain
        return chain

    def _complete(self, e: Entity, chain: list[Entity]) -> list[Entity]:
        for x in [e] + chain:
            key = x.attrs.get("division") or x.attrs.get("code")
            if not key:
                continue
            have = {str(y.attrs.get("division") or y.attrs.get("code")) for y in chain}
            for r in _division_regions(str(key)):
                if r.attrs["division"] not in have:
                    chain.append(self.graph.entities.get(r.id, r))
            chain.sort(key=lambda y: -_DEPTH.get(y.type, 0))
            break
        return chain

    def keys(self, region: str) -> set[str]:
        """Every way of writing ``region``: graph ids/names plus division keys (广东 → 440000)."""
        if region not in self._keys:
            keys = {region}
            try:
                from loaders.divisions import divisions

                keys |= {r.key for r in divisions().lookup(region)}
            except ImportError:  # pragma: no cover
                pass
            for e in self.graph.by_name(region):
                if e.type in REGION_TYPES:
                    keys |= _region_names(e)
            self._keys[region] = keys
        return self._keys[region]

    def within(self, eid: str, region: str) -> bool:
        """Whether an entity is the region or lies inside it (any level)."""
        keys = self.keys(region)
        return any(_region_names(r) & keys for r in self.chain(eid))

    def label(self, eid: str) -> str:
        """Full administrative path of the place an entity is in (广东省清远市阳山县), or ''."""
        e = self.graph.entities.get(eid)
        if e is not None and e.attrs.get("region"):
            return str(e.attrs["region"])
        return "".join(r.name for r in reversed(self.chain(eid)))

    def unit(self, eid: str, level: str) -> Entity | None:
        """The region of ``level`` an entity lies in; a coarser one if the chain stops above it.

        (北京市 is a province with no city level, so at city level it stays 北京市.)
        """
        want = _DEPTH[_LEVELS[level]]
        chain = self.chain(eid)
        exact = [r for r in chain if _DEPTH.get(r.type) == want]
        if exact:
            return exact[0]
        above = [r for r in chain if _DEPTH.get(r.type, 99) < want]
        return max(above, key=lambda r: _DEPTH[r.type]) if above else None


def _region_names(e: Entity) -> set[str]:
    keys = {e.id, e.name, *e.aliases}
    for k in ("code", "division"):
        if e.attrs.get(k):
            keys.add(str(e.attrs[k]))
    return keys


def region_chain(graph: KnowledgeGraph, eid: str) -> list[Entity]:
    """An entity (if a region) and the regions above it, most specific first."""
    return Places(graph).chain(eid)


def in_region(graph: KnowledgeGraph, eid: str, region: str) -> bool:
    """Whether an entity is ``region`` or lies inside it, at any level."""
    return Places(graph).within(eid, region)


def _resolve(graph: KnowledgeGraph, name: str) -> list[Entity]:
    """Entities a user means by ``name``: exact id/name/alias, else the best fuzzy candidate."""
    hits = find(graph, name)
    if hits:
        return hits
    cands = entity(graph, name, limit=2)
    if cands and cands[0].score >= 0.6 and (len(cands) == 1 or cands[1].score < cands[0].score):
        return [graph.entities[cands[0].id]]
    return []


def _docs(r) -> int:
    return len({e.doc for e in r.evidence})


@dataclass
class PartnerRow:
    entity: str
    direction: str  # out: entity -[relation]-> other; in: other -[relation]-> entity
    relation: str
    other: str
    other_type: str
    evidence: int
    documents: int
    confidence: float
    entity_id: str
    other_id: str


def partners(graph: KnowledgeGraph, name: str) -> Rows[PartnerRow]:
    """One entity's partnerships (SUPPORTS, MANAGES, PARTNERS_WITH, LEADS, MEMBER_OF), both ways."""
    ids = {e.id for e in _resolve(graph, name)}
    rows = []
    for r in graph.relations.values():
        if r.type not in PARTNERSHIP_TYPES:
            continue
        for me, other, direction in ((r.source, r.target, "out"), (r.target, r.source, "in")):
            if me in ids and other in graph.entities:
                m, o = graph.entities[me], graph.entities[other]
                rows.append(PartnerRow(m.name, direction, r.type, o.name, o.type, len(r.evidence),
                                       _docs(r), r.confidence, m.id, o.id))
    rows.sort(key=lambda x: (x.entity_id, PARTNERSHIP_TYPES.index(x.relation), x.direction, x.other))
    return Rows(rows, columns=_columns(PartnerRow))


@dataclass
class PartnershipRow:
    source: str
    relation: str
    target: str
    source_type: str
    target_type: str
    source_region: str
    target_region: str
    evidence: int
    confidence: float
    source_id: str
    target_id: str


def partnerships(graph: KnowledgeGraph, kind: str | None = None,
                 region: str | None = None) -> Rows[PartnershipRow]:
    """Partnership edges (of one kind), optionally only those touching a region at any level.

    An edge is within 广东省 when either end is 广东省 or lies in one of its cities,
    counties or towns (through the ancestors of each end).
    """
    if kind is not None:
        kind = kind.upper()
        if kind not in PARTNERSHIP_TYPES:
            raise QueryError(f"unknown partnership kind {kind!r}; choose from "
                             + ", ".join(PARTNERSHIP_TYPES))
    places = Places(graph)
    rows = []
    for r in graph.relations.values():
        if r.type not in PARTNERSHIP_TYPES or (kind and r.type != kind):
            continue
        s, t = graph.entities.get(r.source), graph.entities.get(r.target)
        if s is None or t is None:
            continue
        if region and not (places.within(s.id, region) or places.within(t.id, region)):
            continue
        rows.append(PartnershipRow(s.name, r.type, t.name, s.type, t.type,
                                   places.label(s.id), places.label(t.id),
                                   len(r.evidence), r.confidence, s.id, t.id))
    rows.sort(key=lambda x: (PARTNERSHIP_TYPES.index(x.relation), x.source_id, x.target_id))
    return Rows(rows, columns=_columns(PartnershipRow))


@dataclass
class FlowRow:
    source_region: str
    target_region: str
    source_code: str | None
    target_code: str | None
    count: int  # SUPPORTS/MANAGES edges between the two regions
    evidence: int
    source_lon: float | None
    source_lat: float | None
    target_lon: float | None
    target_lat: float | None
    internal: bool  # both ends in the same region
    kinds: list[str]
    pairs: list[str]  # "supporter → supported" names behind the count
    source_id: str
    target_id: str


def flows(graph: KnowledgeGraph, level: str = "province", internal: bool = True) -> Rows[FlowRow]:
    """Support (SUPPORTS/MANAGES) edges counted between regions at one level: a flow map's data.

    ``北京市 SUPPORTS 同卡镇卫生院`` counts as 北京市 → 西藏自治区 at province level and
    北京市 → 昌都市 at city level. Edges whose ends have no known region are left out;
    ``internal=False`` also leaves out support inside one region.
    """
    if level not in _LEVELS:
        raise QueryError(f"unknown level {level!r}; choose from {', '.join(_LEVELS)}")
    places = Places(graph)
    acc: dict[tuple[str, str], dict] = {}
    units: dict[str, Entity] = {}
    for r in graph.relations.values():
        if r.type not in SUPPORT_TYPES:
            continue
        a, b = places.unit(r.source, level), places.unit(r.target, level)
        if a is None or b is None or (not internal and a.id == b.id):
            continue
        units[a.id], units[b.id] = a, b
        v = acc.setdefault((a.id, b.id), {"n": 0, "ev": 0, "kinds": set(), "pairs": []})
        v["n"] += 1
        v["ev"] += len(r.evidence)
        v["kinds"].add(r.type)
        v["pairs"].append(f"{graph.entities[r.source].name}→{graph.entities[r.target].name}"
                          if r.source in graph.entities and r.target in graph.entities
                          else f"{r.source}→{r.target}")
    rows = []
    for (sa, sb), v in acc.items():
        a, b = units[sa], units[sb]
        rows.append(FlowRow(a.name, b.name, _code(a), _code(b), v["n"], v["ev"],
                            _num(a.attrs.get("lon")), _num(a.attrs.get("lat")),
                            _num(b.attrs.get("lon")), _num(b.attrs.get("lat")),
                            a.id == b.id, sorted(v["kinds"]), sorted(v["pairs"]), a.id, b.id))
    rows.sort(key=lambda x: (-x.count, x.source_code or "", x.target_code or ""))
    return Rows(rows, columns=_columns(FlowRow))


def _code(e: Entity) -> str | None:
    c = e.attrs.get("code") or e.attrs.get("division")
    return str(c) if c and "/" not in str(c) else None


def _num(v) -> float | None:
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None


@dataclass
class ProgramRow:
    program: str
    run_by: list[str]
    regions: list[str]
    evidence: int
    documents: int
    id: str


def programs(graph: KnowledgeGraph, region: str | None = None) -> Rows[ProgramRow]:
    """Named programmes with who runs them (RUNS) and where; only those in ``region`` if given."""
    places = Places(graph)
    runs_of: dict[str, list] = {}
    for r in graph.relations.values():
        if r.type == "RUNS":
            runs_of.setdefault(r.target, []).append(r)
    rows = []
    for p in graph.entities.values():
        if p.type != "Program":
            continue
        runs = runs_of.get(p.id, [])
        runners = [graph.entities[r.source] for r in runs if r.source in graph.entities]
        if region and not (any(places.within(x.id, region) for x in runners)
                           or places.within(p.id, region)):
            continue
        docs = set(p.mentions) | {e.doc for r in runs for e in r.evidence}
        rows.append(ProgramRow(p.name, sorted({x.name for x in runners}),
                               sorted({places.label(x.id) for x in runners} - {""}),
                               sum(len(r.evidence) for r in runs), len(docs), p.id))
    rows.sort(key=lambda x: (-x.documents, x.program))
    return Rows(rows, columns=_columns(ProgramRow))


@dataclass
class PolicyRow:
    policy: str
    issued_by: list[str]
    issuer_regions: list[str]
    published: str | None  # earliest date of an article that mentions it
    documents: int
    id: str


def policies(graph: KnowledgeGraph, issuer: str | None = None) -> Rows[PolicyRow]:
    """Named policy documents with their issuers (ISSUED_BY).

    ``issuer`` matches an issuer's name, alias or id, part of its name (卫健委), or a
    region the issuer lies in (广东省 → policies of 广东省卫生健康委员会 too).
    """
    places = Places(graph)
    issued: dict[str, list] = {}
    for r in graph.relations.values():
        if r.type == "ISSUED_BY":
            issued.setdefault(r.source, []).append(r)
    rows = []
    for p in graph.entities.values():
        if p.type != "Policy":
            continue
        edges = issued.get(p.id, [])
        issuers = [graph.entities[r.target] for r in edges if r.target in graph.entities]
        if issuer and not any(issuer == x.id or any(issuer in n for n in (x.name, *x.aliases))
                              or places.within(x.id, issuer) for x in issuers):
            continue
        docs = set(p.mentions) | {e.doc for r in edges for e in r.evidence}
        dates = [graph.documents.get(d, {}).get("published") for d in docs]
        dates += [e.published for r in edges for e in r.evidence]
        rows.append(PolicyRow(p.name, sorted({x.name for x in issuers}),
                              sorted({places.label(x.id) for x in issuers} - {""}),
                              min(filter(None, dates), default=None), len(docs), p.id))
    rows.sort(key=lambda x: (x.published or "9999", x.policy))
    return Rows(rows, columns=_columns(PolicyRow))


@dataclass
class EntityMatch:
    name: str
    type: str
    score: float  # 1.0 exact name or id, 0.95 alias, lower for partial and fuzzy matches
    matched: str  # the name or alias that matched
    how: str  # id | name | alias | substring | fuzzy
    region: str
    degree: int
    id: str


def entity(graph: KnowledgeGraph, name: str, limit: int = 10,
           cutoff: float = 0.5) -> Rows[EntityMatch]:
    """Look an entity up by name or alias, forgivingly; several rows mean the name is ambiguous.

    Exact names (and ids) score 1.0 and aliases 0.95; otherwise names containing the
    query (or contained in it) and difflib near-misses are ranked by similarity.
    """
    import difflib

    name = name.strip()
    best: dict[str, tuple[float, str, str]] = {}

    def offer(e: Entity, score: float, matched: str, how: str) -> None:
        if score >= cutoff and score > best.get(e.id, (0.0,))[0]:
            best[e.id] = (round(score, 3), matched, how)

    if name in graph.entities:
        offer(graph.entities[name], 1.0, name, "id")
    for e in graph.by_name(name):
        offer(e, 1.0 if e.name == name else 0.95, name, "name" if e.name == name else "alias")
    if not best:
        chars = set(name)
        for e in graph.entities.values():
            for n in (e.name, *e.aliases):
                if not n or not chars & set(n):
                    continue
                ratio = difflib.SequenceMatcher(None, name, n).ratio()
                if name in n or n in name:
                    offer(e, 0.6 + 0.3 * min(len(name), len(n)) / max(len(name), len(n)),
                          n, "substring")
                else:
                    offer(e, 0.9 * ratio, n, "fuzzy")
    degree: dict[str, int] = {}
    for r in graph.relations.values():
        for x in (r.source, r.target):
            if x in best:
                degree[x] = degree.get(x, 0) + 1
    places = Places(graph)
    rows = [EntityMatch(graph.entities[i].name, graph.entities[i].type, s, m, how,
                        places.label(i), degree.get(i, 0), i)
            for i, (s, m, how) in best.items()]
    rows.sort(key=lambda x: (-x.score, -x.degree, x.id))
    return Rows(rows[:limit], columns=_columns(EntityMatch))


@dataclass
class HopRow:
    step: int
    source: str
    relations: list[str]  # every edge kind between the two, e.g. [SUPPORTS, PARTNERS_WITH]
    direction: str  # → when the edge points from source to target as written, ← otherwise
    target: str
    evidence: int
    source_id: str
    target_id: str


def path(graph: KnowledgeGraph, a: str, b: str,
         kinds: Iterable[str] | None = None) -> Rows[HopRow]:
    """How two entities connect: the shortest path over the graph taken as undirected.

    One row per hop with the relation kinds and their direction; no rows when the two
    are not connected. ``kinds`` limits the edges walked (e.g. only partnerships).
    """
    import networkx as nx

    want = {k.upper() for k in kinds} if kinds else None
    g = nx.Graph()
    g.add_nodes_from(graph.entities)
    between: dict[frozenset, list] = {}
    for r in graph.relations.values():
        if want and r.type not in want:
            continue
        if r.source in graph.entities and r.target in graph.entities and r.source != r.target:
            g.add_edge(r.source, r.target)
            between.setdefault(frozenset((r.source, r.target)), []).append(r)
    best = None
    for x in _resolve(graph, a):
        for y in _resolve(graph, b):
            try:
                p = nx.shortest_path(g, x.id, y.id)
            except nx.NetworkXNoPath:
                continue
            if best is None or len(p) < len(best):
                best = p
    rows = []
    for i, (u, v) in enumerate(zip(best or [], (best or [])[1:]), 1):
        rels = sorted(between[frozenset((u, v))], key=lambda r: RELATION_TYPES.index(r.type)
                      if r.type in RELATION_TYPES else 99)
        fwd = [r for r in rels if r.source == u]
        arrow = "→" if len(fwd) == len(rels) else "←" if not fwd else "↔"
        rows.append(HopRow(i, graph.entities[u].name, [r.type for r in rels], arrow,
                           graph.entities[v].name, sum(len(r.evidence) for r in rels), u, v))
    return Rows(rows, columns=_columns(HopRow))
