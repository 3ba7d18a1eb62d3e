"""Questions users ask of the graph, as plain functions returning typed rows.

Each helper returns :class:`Rows` (a list of dataclass rows) that prints as a table,
csv or json and turns into a pandas DataFrame with ``.to_frame()``.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, fields
from typing import ClassVar, Generic, Iterable, TypeVar

from .errors import QueryError
from .graph import KnowledgeGraph
from .model import PARTNERSHIP_TYPES, REGION_TYPES, RELATION_TYPES, SUPPORT_TYPES, Entity
from .names import candidates, degrees, resolve

T = TypeVar("T")


class Rows(list, Generic[T]):
    """A list of dataclass rows with table / csv / json renderings and a column view.

    ``columns`` is the view that renders and becomes the DataFrame: a helper's compact
    default (the row class's ``VIEW``), ``wide()`` for every field, ``select([...])`` for
    any of them in any order. The rows themselves always hold every field.
    """

    def __init__(self, rows: Iterable[T] = (), columns: list[str] | None = None,
                 view: list[str] | None = None):
        super().__init__(rows)
        self._columns = columns
        self._view = view

    @classmethod
    def of(cls, row_class, rows: Iterable = ()) -> "Rows":
        """Rows of ``row_class`` showing its ``VIEW`` (every field when it declares none)."""
        every = [f.name for f in fields(row_class)]
        return cls(rows, columns=every, view=list(getattr(row_class, "VIEW", every)))

    @property
    def all_columns(self) -> list[str]:
        """Every field of the rows, in declaration order."""
        if self._columns:
            return self._columns
        if not self:
            return []
        first = self[0]
        return [f.name for f in fields(first)] if hasattr(first, "__dataclass_fields__") else list(first)

    @property
    def columns(self) -> list[str]:
        """The columns shown: the view (a helper's compact default), else every field."""
        return list(self._view) if self._view else self.all_columns

    def wide(self) -> "Rows[T]":
        """The same rows showing every column (ids, codes and counts)."""
        return Rows(self, columns=self.all_columns, view=self.all_columns)

    def select(self, columns: Iterable[str]) -> "Rows[T]":
        """The same rows showing ``columns`` in that order; QueryError names unknown ones."""
        want = [c.strip() for c in columns if c.strip()]
        have = self.all_columns
        unknown = [c for c in want if c not in have]
        if unknown or not want:
            raise QueryError(f"unknown column(s) {', '.join(map(repr, unknown)) or '(none given)'}; "
                             f"choose from {', '.join(have)}")
        return Rows(self, columns=have, view=want)

    def records(self) -> list[dict]:
        """Every row as a dict of the shown columns."""
        cols = self.columns
        out = []
        for r in self:
            rec = asdict(r) if hasattr(r, "__dataclass_fields__") else dict(r)
            out.append({c: rec.get(c) for c in cols})
        return out

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
        if not cols or not self:
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


# -- where things are: region chains, units at each level, the support roll-up -------------

_LEVELS = {"province": "Province", "city": "City", "county": "County"}
LEVELS = tuple(_LEVELS)
_DEPTH = {"Province": 1, "City": 2, "County": 3, "Town": 4, "Village": 5}


def _level(level: str | None) -> str | None:
    if level is None:
        return None
    if level not in _LEVELS:
        raise QueryError(f"unknown level {level!r}; choose from {', '.join(_LEVELS)}")
    return level


def _division_regions(key: str) -> list[Entity]:
    """Regions above a division key from the packaged division data, most specific first.

    Used only when the graph lacks the LOCATED_IN chain, so flows and region filters
    still know that 阳山县 lies in 清远市 and 广东省.
    """
    from loaders.divisions import divisions

    return [_division_entity(r) for r in divisions().chain(key)]


def _division_entity(r) -> Entity:
    return Entity(f"{r.type}/{r.key}", r.type, r.name, {r.short} - {r.name, ""},
                  {"code": r.code, "division": r.key, "lon": r.lon, "lat": r.lat})


class Places:
    """Where the entities of one graph are: region chains, units per level, support units.

    Indexes LOCATED_IN once and memoises the chains, so the helpers stay linear in the
    number of edges. One instance answers for one graph as it is.
    """

    def __init__(self, graph: KnowledgeGraph):
        self.graph = graph
        self._located: dict[str, list[str]] = {}
        for r in graph.relations.values():
            if r.type == "LOCATED_IN":
                self._located.setdefault(r.source, []).append(r.target)
        self._chains: dict[str, list[Entity]] = {}

    def parent(self, eid: str) -> Entity | None:
        """The most specific region an entity is LOCATED_IN."""
        best = None
        for t in self._located.get(eid, ()):
            e = self.graph.entities.get(t)
            if e is not None and (best is None or _DEPTH.get(e.type, 0) > _DEPTH.get(best.type, 0)):
                best = e
        return best

    def located(self, eid: str) -> list[Entity]:
        """The regions above an entity along the graph's LOCATED_IN edges only, nearest first."""
        out: list[Entity] = []
        seen, cur = {eid}, self.parent(eid)
        while cur is not None and cur.id not in seen:
            out.append(cur)
            seen.add(cur.id)
            cur = self.parent(cur.id)
        return out

    def chain(self, eid: str) -> list[Entity]:
        """The entity itself (if a region) and every region it stands in, most specific first.

        Follows LOCATED_IN; when that stops short of a province and an entity on it carries
        a ``division`` key, the rest comes from the division data. An institution placed
        only in a province stands in the province's seat (广东省第二人民医院 → 广州市,
        :meth:`loaders.divisions.Divisions.seat`).
        """
        if eid in self._chains:
            return self._chains[eid]
        e = self.graph.entities.get(eid)
        chain: list[Entity] = []
        if e is not None:
            chain = ([e] if e.type in REGION_TYPES else []) + self.located(eid)
            if not any(x.type == "Province" for x in chain):
                chain = self._complete(e, chain)
            if e.type not in REGION_TYPES and chain and chain[0].type == "Province":
                chain = self._seat(chain)
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

    def _seat(self, chain: list[Entity]) -> list[Entity]:
        from loaders.divisions import divisions

        key = chain[0].attrs.get("division") or chain[0].attrs.get("code")
        seat = divisions().seat(str(key)) if key else None
        if seat is None:
            return chain
        return [self.graph.entities.get(f"City/{seat.key}") or _division_entity(seat)] + chain

    def within(self, eid: str, region: Entity) -> bool:
        """Whether an entity is ``region`` or stands in it, at any level."""
        return any(r.id == region.id for r in self.chain(eid))

    def label(self, eid: str) -> str:
        """Full administrative path of the place an entity is in (广东省清远市阳山县), or ''."""
        e = self.graph.entities.get(eid)
        if e is not None and e.attrs.get("region"):
            return str(e.attrs["region"])
        located = [r for r in self.chain(eid) if r.type in REGION_TYPES]
        return "".join(r.name for r in reversed(located))

    def unit(self, eid: str, level: str) -> Entity | None:
        """The graph's region of ``level`` an entity stands in; a coarser one when the graph
        has none at that level (北京市 has no city level: at city level it stays 北京市)."""
        want = _DEPTH[_LEVELS[level]]
        nodes = [r for r in self.chain(eid) if r.id in self.graph.entities]
        exact = [r for r in nodes if _DEPTH.get(r.type) == want]
        if exact:
            return exact[0]
        above = [r for r in nodes if _DEPTH.get(r.type, 99) < want]
        return max(above, key=lambda r: _DEPTH[r.type]) if above else None

    def province(self, eid: str) -> Entity | None:
        """The graph's province an entity is or stands in."""
        p = self.unit(eid, "province")
        return p if p is not None and p.type == "Province" else None

    def support_unit(self, eid: str) -> Entity | None:
        """The county (or, lacking one, the city or province) an entity belongs to.

        Along LOCATED_IN only, and only places some article names count: a town whose
        county no article mentions (同卡镇 in 八宿县) rolls up to the nearest named level
        above it (昌都市).
        """
        e = self.graph.entities.get(eid)
        if e is None:
            return None
        chain = [e] if e.type in ("County", "City", "Province") else self.located(eid)
        named = [a for a in chain if a.mentions] or chain
        for t in ("County", "City", "Province"):
            for a in named:
                if a.type == t:
                    return a
        return None


def support_unit(graph: KnowledgeGraph, eid: str) -> Entity | None:
    """The county (or city, or province) an entity rolls up to when counting support
    (:meth:`Places.support_unit`)."""
    return Places(graph).support_unit(eid)


@dataclass
class Placement:
    """Where one entity is, as the stores keep it for the example queries (ids of graph nodes).

    ``within``: every region it is or stands in; ``province``/``city``/``county``: its unit
    at each level (:meth:`Places.unit`); ``support_unit``: its support roll-up; ``region``:
    the path label.
    """

    support_unit: str | None
    province: str | None
    city: str | None
    county: str | None
    within: list[str]
    region: str


def placements(graph: KnowledgeGraph) -> dict[str, Placement]:
    """Entity id → :class:`Placement`, computed once by :class:`Places` for kg.rdf and kg.cypher."""
    places = Places(graph)
    out = {}
    for eid in graph.entities:
        def node(e):
            return e.id if e is not None and e.id in graph.entities else None

        out[eid] = Placement(node(places.support_unit(eid)), node(places.province(eid)),
                             node(places.unit(eid, "city")), node(places.unit(eid, "county")),
                             [r.id for r in places.chain(eid) if r.id in graph.entities],
                             places.label(eid))
    return out


def placement_digests(graph: KnowledgeGraph, places: dict[str, Placement]) -> dict[str, str]:
    """Entity id → a 16-hex-digit digest of where the stores say it is (its ``region``
    attribute and its :class:`Placement`). A rebuild compares these with the previous
    generation's to find entities that moved without any changed article naming them (a county
    no longer named: its towns roll up to the city)."""
    import hashlib

    out = {}
    for eid, at in places.items():
        e = graph.entities.get(eid)
        if e is None:
            continue
        v = e.attrs.get("region")
        key = (sorted(map(str, v)) if isinstance(v, (list, tuple, set)) else v, at.support_unit,
               at.province, at.city, at.county, at.within, at.region)
        out[eid] = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=8).hexdigest()
    return out


def moved_entities(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Entity ids whose :func:`placement_digests` differ between two graphs (new and gone ones too)."""
    return {e for e in before.keys() | after.keys() if before.get(e) != after.get(e)}


# -- what the evidence says: dates, figures, sources ------------------------------------------

def source_label(doc: str, title: str | None = None, published: str | None = None) -> str:
    """An article as a reader names it: ``2024-10-17 潮州市着力…`` (its date, then its title,
    or its file name when it has no title). kg.rdf and kg.cypher store it on documents."""
    return " ".join(str(x) for x in (published, title or doc) if x)


def _sources(graph: KnowledgeGraph, evidence) -> list[str]:
    first: dict[str, str | None] = {}
    for ev in evidence:
        if not first.get(ev.doc):
            first[ev.doc] = ev.published
    labels = set()
    for d, published in first.items():
        meta = graph.documents.get(d) or {}
        labels.add(source_label(d, meta.get("title"), meta.get("published") or published))
    return sorted(labels)


def _when(values) -> list[str]:
    return [str(v) for v in values if v not in (None, "")]


def largest_figure(relations, kind: str) -> int | float | None:
    """The largest number of ``kind`` (experts, money …) any edge's quantities state."""
    vals = [q.get("value") for r in relations for q in (r.attrs.get("quantities") or ())
            if isinstance(q, dict) and q.get("kind") == kind]
    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(nums) if nums else None


def _timing(relations) -> tuple[str | None, str | None]:
    since = _when(r.attrs.get("since") for r in relations)
    as_of = _when(r.attrs.get("as_of") for r in relations)
    return (min(since) if since else None, max(as_of) if as_of else None)


# -- supports ---------------------------------------------------------------------------------

@dataclass
class SupportRow:
    """Who supports (SUPPORTS) or manages (MANAGES) which place, one row per (supporter, recipient).

    ``recipient`` is the county the supported end stands in (a city or province when it has
    no county: ``level`` says which); ``since``/``as_of`` the earliest start date and latest
    article date of the edges; ``experts``/``money`` (CNY) the largest figure any source
    states for them (not a sum: articles restate figures); ``sources`` the articles, dated.
    """

    VIEW: ClassVar[tuple[str, ...]] = ("province", "supporter", "recipient", "level", "relation",
                                       "since", "as_of", "experts", "money", "sources")
    province: str
    supporter: str
    recipient: str
    level: str  # county | city | province
    relation: list[str]  # MANAGES, SUPPORTS (and PARTNERS_WITH with with_partnerships)
    since: str | None
    as_of: str | None
    experts: int | float | None
    money: int | float | None
    sources: list[str]  # "YYYY-MM-DD title" of every article behind the row
    supporter_type: str
    recipient_code: str | None
    edges: int  # graph edges behind the row
    evidence: int  # sentences behind them
    documents: list[str]  # their article ids
    supporter_id: str
    recipient_id: str
    province_id: str | None

    @property
    def county_id(self) -> str:
        """The recipient's id (the name kg.evaluate reads)."""
        return self.recipient_id


def _supports_partnership(graph, places, r) -> tuple[str, str] | None:
    """(supporter, supported) of a PARTNERS_WITH that reads as support, else None: a hospital
    with a county or with one of its institutions; the hospital from outside is the
    supporter, whichever way the text put it."""
    a, b = graph.entities.get(r.source), graph.entities.get(r.target)
    if a is None or b is None:
        return None
    src, dst = r.source, r.target
    if b.type == "Hospital" and a.type in ("County", "Hospital", "Town"):
        src, dst = dst, src
    elif not (a.type == "Hospital" and b.type in ("County", "Hospital", "Town")):
        return None
    unit = places.support_unit(dst)
    if unit is None or unit.type != "County":
        return None
    if places.support_unit(src) is None and graph.entities[src].type != "Hospital":
        return None
    return src, dst


def supports(graph: KnowledgeGraph, county: str | None = None, province: str | None = None,
             supporter: str | None = None, level: str | None = None,
             with_partnerships: bool = False) -> Rows[SupportRow]:
    """Who supports or manages which county (or city, or province), one row per pair.

    SUPPORTS and MANAGES edges count; the supported end rolls up to the county it stands
    in (:meth:`Places.support_unit`), and support inside one unit is not listed. With
    ``with_partnerships``, bare partnerships (PARTNERS_WITH between an outside hospital and
    a county or its institutions) are added; their ``relation`` says PARTNERS_WITH.
    ``county``/``province``: only recipients that are or lie in that region; ``supporter``:
    that entity, or those standing in that region; ``level``: only recipients of that level.
    Names follow :func:`kg.names.resolve` (NameNotFoundError, AmbiguousNameError).
    Ordered by the recipient's province, the recipient, the supporter.
    """
    level = _level(level)
    places = Places(graph)
    where = [resolve(graph, x, REGION_TYPES) for x in (county, province) if x]
    who = resolve(graph, supporter) if supporter else None
    kinds = SUPPORT_TYPES + (("PARTNERS_WITH",) if with_partnerships else ())
    acc: dict[tuple[str, str], list] = {}
    for r in graph.relations.values():
        if r.type not in kinds:
            continue
        if r.type == "PARTNERS_WITH":
            pair = _supports_partnership(graph, places, r)
            if pair is None:
                continue
            src, dst = pair
        else:
            src, dst = r.source, r.target
        unit = places.support_unit(dst)
        s = graph.entities.get(src)
        if unit is None or s is None or s.id == unit.id or places.support_unit(src) is unit:
            continue
        if level and unit.type != _LEVELS[level]:
            continue
        if not all(places.within(unit.id, x) for x in where):
            continue
        if who is not None and not (s.id == who.id or places.within(s.id, who)):
            continue
        acc.setdefault((s.id, unit.id), []).append(r)
    rows = []
    for (sid, uid), rels in acc.items():
        s, u = graph.entities[sid], graph.entities[uid]
        p = places.province(uid)
        since, as_of = _timing(rels)
        evs = [e for r in rels for e in r.evidence]
        rows.append(SupportRow(
            p.name if p else "", s.name, u.name, u.type.lower(), sorted({r.type for r in rels}),
            since, as_of, largest_figure(rels, "experts"), largest_figure(rels, "money"),
            _sources(graph, evs), s.type, u.attrs.get("code"), len(rels), len(evs),
            sorted({e.doc for e in evs}), sid, uid,
            p.id if p else None))
    code = lambda eid: (graph.entities[eid].attrs.get("code") or "") if eid else ""
    rows.sort(key=lambda x: (code(x.province_id), x.recipient_code or "", x.recipient, x.supporter,
                             x.supporter_id))
    return Rows.of(SupportRow, rows)


# -- entities and merges (kg entities) ----------------------------------------------------------

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
    return Rows.of(EntityRow, rows)


@dataclass
class MergeRow:
    surface: str
    id: str  # empty when the linker left the surface unresolved (the reason says why)
    reason: str
    doc: str


def merge_rows(graph: KnowledgeGraph) -> Rows[MergeRow]:
    """Which surface forms became which node, and why (alias table, context, code match);
    decisions the linker could not make are rows with no id."""
    seen, rows = set(), []
    for m in graph.merges:
        k = (m.get("surface"), m.get("id"), m.get("reason"))
        if k in seen:
            continue
        seen.add(k)
        rows.append(MergeRow(m.get("surface", ""), m.get("id", ""), m.get("reason", ""),
                             m.get("doc", "")))
    rows.sort(key=lambda r: (r.id, r.surface))
    return Rows.of(MergeRow, rows)


# -- evidence ------------------------------------------------------------------------------------

@dataclass
class EvidenceRow:
    VIEW: ClassVar[tuple[str, ...]] = ("source", "relation", "target", "published", "title",
                                       "sentence")
    source: str
    relation: str
    target: str
    published: str | None
    title: str | None
    sentence: str
    doc: str
    path: str | None
    start: int  # raw-file character offsets of the sentence
    end: int
    rule: str
    confidence: float
    source_id: str
    target_id: str


def evidence(graph: KnowledgeGraph, a: str, b: str, relation: str | None = None) -> Rows[EvidenceRow]:
    """The sentences behind every edge between two entities (either direction), of one
    ``relation`` kind if given; names by :func:`kg.names.resolve`."""
    x, y = resolve(graph, a), resolve(graph, b)
    kind = _kind(relation, RELATION_TYPES)
    rows = []
    for r in graph.relations.values():
        if {r.source, r.target} != {x.id, y.id} or (kind and r.type != kind):
            continue
        s, t = graph.entities[r.source].name, graph.entities[r.target].name
        for ev in r.evidence:
            meta = graph.documents.get(ev.doc) or {}
            rows.append(EvidenceRow(s, r.type, t, meta.get("published") or ev.published,
                                    meta.get("title"), ev.sentence, ev.doc, ev.path, ev.start,
                                    ev.end, ev.rule, ev.confidence, r.source, r.target))
    rows.sort(key=lambda x: (x.source_id, x.relation, x.target_id, x.doc, x.start, x.end, x.rule))
    return Rows.of(EvidenceRow, rows)


def _kind(kind: str | None, allowed, what: str = "relation") -> str | None:
    if not kind:
        return None
    k = kind.upper()
    if k not in allowed:
        raise QueryError(f"unknown {what} kind {kind!r}; choose from {', '.join(allowed)}")
    return k


# -- partners and partnerships ------------------------------------------------------------------

@dataclass
class PartnerRow:
    VIEW: ClassVar[tuple[str, ...]] = ("entity", "direction", "relation", "other", "other_type",
                                       "since", "as_of", "sources")
    entity: str
    direction: str  # out: entity -[relation]-> other; in: other -[relation]-> entity
    relation: str
    other: str
    other_type: str
    since: str | None
    as_of: str | None
    sources: list[str]
    evidence: int
    documents: int
    confidence: float
    entity_id: str
    other_id: str


def partners(graph: KnowledgeGraph, name: str) -> Rows[PartnerRow]:
    """One entity's partnerships (SUPPORTS, MANAGES, PARTNERS_WITH, LEADS, MEMBER_OF), both ways.

    ``name`` by :func:`kg.names.resolve`."""
    me = resolve(graph, name)
    rows = []
    for r in graph.relations.values():
        if r.type not in PARTNERSHIP_TYPES:
            continue
        for here, other, direction in ((r.source, r.target, "out"), (r.target, r.source, "in")):
            if here == me.id and other in graph.entities:
                o = graph.entities[other]
                since, as_of = _timing([r])
                rows.append(PartnerRow(me.name, direction, r.type, o.name, o.type, since, as_of,
                                       _sources(graph, r.evidence), len(r.evidence), _docs(r),
                                       r.confidence, me.id, o.id))
    rows.sort(key=lambda x: (PARTNERSHIP_TYPES.index(x.relation), x.direction, x.other, x.other_id))
    return Rows.of(PartnerRow, rows)


def _docs(r) -> int:
    return len({e.doc for e in r.evidence})


@dataclass
class PartnershipRow:
    VIEW: ClassVar[tuple[str, ...]] = ("source", "relation", "target", "target_region", "since",
                                       "as_of", "sources")
    source: str
    relation: str
    target: str
    source_type: str
    target_type: str
    source_region: str
    target_region: str
    since: str | None
    as_of: str | None
    sources: list[str]
    evidence: int
    confidence: float
    source_id: str
    target_id: str


def partnerships(graph: KnowledgeGraph, kind: str | None = None,
                 region: str | None = None) -> Rows[PartnershipRow]:
    """Partnership edges (of one kind), optionally only those touching a region at any level.

    An edge is within 广东省 when either end is 广东省 or stands in one of its cities,
    counties or towns; ``region`` by :func:`kg.names.resolve`.
    """
    kind = _kind(kind, PARTNERSHIP_TYPES, "partnership")
    places = Places(graph)
    where = resolve(graph, region, REGION_TYPES) if region else None
    rows = []
    for r in graph.relations.values():
        if r.type not in PARTNERSHIP_TYPES or (kind and r.type != kind):
            continue
        s, t = graph.entities.get(r.source), graph.entities.get(r.target)
        if s is None or t is None:
            continue
        if where and not (places.within(s.id, where) or places.within(t.id, where)):
            continue
        since, as_of = _timing([r])
        rows.append(PartnershipRow(s.name, r.type, t.name, s.type, t.type,
                                   places.label(s.id), places.label(t.id), since, as_of,
                                   _sources(graph, r.evidence), len(r.evidence), r.confidence,
                                   s.id, t.id))
    rows.sort(key=lambda x: (PARTNERSHIP_TYPES.index(x.relation), x.source_id, x.target_id))
    return Rows.of(PartnershipRow, rows)


# -- flows ----------------------------------------------------------------------------------------

@dataclass
class FlowRow:
    """Support between two regions of one level: the data behind a flow map."""

    VIEW: ClassVar[tuple[str, ...]] = ("source_region", "target_region", "source_level",
                                       "target_level", "count", "supporters", "recipients",
                                       "evidence")
    source_region: str
    target_region: str
    source_level: str  # the level of source_region: the one asked for, or coarser (see flows)
    target_level: str
    count: int  # SUPPORTS/MANAGES edges from an entity in source_region to one in target_region
    supporters: int  # distinct entities at the source end of those edges
    recipients: int  # distinct entities at the target end
    evidence: int  # sentences behind those edges (an edge read in three articles counts 3)
    internal: bool  # both ends in the same region
    kinds: list[str]
    pairs: list[str]  # "supporter→supported" names behind the count
    source_code: str | None
    target_code: str | None
    source_lon: float | None
    source_lat: float | None
    target_lon: float | None
    target_lat: float | None
    source_id: str
    target_id: str


def flows(graph: KnowledgeGraph, level: str = "province", internal: bool = True) -> Rows[FlowRow]:
    """Support (SUPPORTS/MANAGES) edges counted between regions at one level: a flow map's data.

    Each end rolls up to the region of ``level`` it stands in (:meth:`Places.unit`): a
    hospital placed only in its province stands in the province's seat city, and a place
    with nothing known at that level stays at the coarser one (``source_level`` says so).
    ``北京市 SUPPORTS 同卡镇卫生院`` counts as 北京市 → 西藏自治区 at province level and
    北京市 → 昌都市 at city level. Edges with an end in no known region are left out;
    ``internal=False`` also leaves out support inside one region.
    """
    _level(level)
    places = Places(graph)
    acc: dict[tuple[str, str], list] = {}
    for r in graph.relations.values():
        if r.type not in SUPPORT_TYPES:
            continue
        a, b = places.unit(r.source, level), places.unit(r.target, level)
        if a is None or b is None or (not internal and a.id == b.id):
            continue
        acc.setdefault((a.id, b.id), []).append(r)
    rows = []
    for (sa, sb), rels in acc.items():
        a, b = graph.entities[sa], graph.entities[sb]
        name = lambda x: graph.entities[x].name if x in graph.entities else x
        rows.append(FlowRow(a.name, b.name, a.type.lower(), b.type.lower(), len(rels),
                            len({r.source for r in rels}), len({r.target for r in rels}),
                            sum(len(r.evidence) for r in rels), a.id == b.id,
                            sorted({r.type for r in rels}),
                            sorted(f"{name(r.source)}→{name(r.target)}" for r in rels),
                            _code(a), _code(b), _num(a.attrs.get("lon")), _num(a.attrs.get("lat")),
                            _num(b.attrs.get("lon")), _num(b.attrs.get("lat")), a.id, b.id))
    rows.sort(key=lambda x: (-x.count, x.source_code or "", x.target_code or "", x.source_id,
                             x.target_id))
    return Rows.of(FlowRow, rows)


def _code(e: Entity) -> str | None:
    c = e.attrs.get("code")
    return str(c) if c not in (None, "") else None


def _num(v) -> float | None:
    try:
        return None if v is None or v == "" else float(v)
    except (TypeError, ValueError):
        return None


# -- programmes and policies ---------------------------------------------------------------------

@dataclass
class ProgramRow:
    VIEW: ClassVar[tuple[str, ...]] = ("program", "run_by", "regions")
    program: str
    run_by: list[str]
    regions: list[str]
    evidence: int
    documents: int
    id: str


def programs(graph: KnowledgeGraph, region: str | None = None) -> Rows[ProgramRow]:
    """Named programmes with who runs them (RUNS) and where; only those in ``region`` if given
    (a runner or the programme itself is or stands in it; by :func:`kg.names.resolve`)."""
    places = Places(graph)
    where = resolve(graph, region, REGION_TYPES) if region else None
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
        if where and not (any(places.within(x.id, where) for x in runners)
                          or places.within(p.id, where)):
            continue
        docs = set(p.mentions) | {e.doc for r in runs for e in r.evidence}
        rows.append(ProgramRow(p.name, sorted({x.name for x in runners}),
                               sorted({places.label(x.id) for x in runners} - {""}),
                               sum(len(r.evidence) for r in runs), len(docs), p.id))
    rows.sort(key=lambda x: (-x.documents, x.program, x.id))
    return Rows.of(ProgramRow, rows)


@dataclass
class PolicyRow:
    VIEW: ClassVar[tuple[str, ...]] = ("policy", "issued_by", "published")
    policy: str
    issued_by: list[str]
    issuer_regions: list[str]
    published: str | None  # earliest date of an article that mentions it
    documents: int
    id: str


def policies(graph: KnowledgeGraph, issuer: str | None = None) -> Rows[PolicyRow]:
    """Named policy documents with their issuers (ISSUED_BY).

    ``issuer`` (by :func:`kg.names.resolve`) keeps the policies that entity issued, or, for
    a region, those of issuers standing in it (广东省 → 广东省卫生健康委员会's too).
    """
    places = Places(graph)
    who = resolve(graph, issuer) if issuer else None
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
        if who and not any(x.id == who.id or places.within(x.id, who) for x in issuers):
            continue
        docs = set(p.mentions) | {e.doc for r in edges for e in r.evidence}
        dates = [graph.documents.get(d, {}).get("published") for d in docs]
        dates += [e.published for r in edges for e in r.evidence]
        rows.append(PolicyRow(p.name, sorted({x.name for x in issuers}),
                              sorted({places.label(x.id) for x in issuers} - {""}),
                              min(filter(None, dates), default=None), len(docs), p.id))
    rows.sort(key=lambda x: (x.published or "9999", x.policy))
    return Rows.of(PolicyRow, rows)


# -- lookup and paths ---------------------------------------------------------------------------

@dataclass
class EntityMatch:
    VIEW: ClassVar[tuple[str, ...]] = ("name", "type", "score", "how", "region", "id")
    name: str
    type: str
    score: float  # 1.0 exact name or id, 0.95 alias/code/short name, lower for partial matches
    matched: str  # the name, alias or code that matched
    how: str  # id | name | alias | code | short | substring | fuzzy
    region: str
    degree: int
    id: str


def entity(graph: KnowledgeGraph, name: str, limit: int = 10,
           cutoff: float = 0.5) -> Rows[EntityMatch]:
    """Look an entity up by name, forgivingly; several rows mean the name is ambiguous.

    The one rule's matches first (:func:`kg.names.matches`: id and exact name 1.0, alias,
    code and short name 0.95); without one, names containing the query (or contained in
    it) and difflib near-misses, ranked by similarity and then by number of edges.
    """
    found = candidates(graph, name, limit=limit, cutoff=cutoff)
    places = Places(graph)
    degree = degrees(graph, {c.entity.id for c in found})
    rows = [EntityMatch(c.entity.name, c.entity.type, c.score, c.matched, c.how,
                        places.label(c.entity.id), degree.get(c.entity.id, 0), c.entity.id)
            for c in found]
    rows.sort(key=lambda x: (-x.score, -x.degree, x.id))
    return Rows.of(EntityMatch, rows)


@dataclass
class HopRow:
    VIEW: ClassVar[tuple[str, ...]] = ("step", "source", "relations", "direction", "target")
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
    are not connected. ``kinds`` limits the edges walked (e.g. only partnerships). Names
    by :func:`kg.names.resolve`.
    """
    import networkx as nx

    x, y = resolve(graph, a), resolve(graph, b)
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
    try:
        best = nx.shortest_path(g, x.id, y.id)
    except nx.NetworkXNoPath:
        best = []
    rows = []
    for i, (u, v) in enumerate(zip(best, best[1:]), 1):
        rels = sorted(between[frozenset((u, v))], key=lambda r: RELATION_TYPES.index(r.type)
                      if r.type in RELATION_TYPES else 99)
        fwd = [r for r in rels if r.source == u]
        arrow = "→" if len(fwd) == len(rels) else "←" if not fwd else "↔"
        rows.append(HopRow(i, graph.entities[u].name, [r.type for r in rels], arrow,
                           graph.entities[v].name, sum(len(r.evidence) for r in rels), u, v))
    return Rows.of(HopRow, rows)
