"""Typed records that cross the pipeline stages: read → clean → extract → link → graph.

Every stage takes and returns these small dataclasses, never loose dicts, so a
reader can follow one article from its raw bytes to the edges it produced.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

#: Node types (see gold/FORMAT.md). Regions are the first five.
REGION_TYPES = ("Province", "City", "County", "Town", "Village")
ENTITY_TYPES = REGION_TYPES + (
    "Hospital", "Alliance", "Agency", "University", "Program", "Policy",
)
#: Edge types. The first five are partnerships between organisations.
PARTNERSHIP_TYPES = ("SUPPORTS", "MANAGES", "PARTNERS_WITH", "LEADS", "MEMBER_OF")
RELATION_TYPES = PARTNERSHIP_TYPES + ("LOCATED_IN", "ISSUED_BY", "RUNS")
#: Kinds that count as "X supports county Y" once rolled up to the county.
SUPPORT_TYPES = ("SUPPORTS", "MANAGES")
_PLACES = {"Province", "City", "County", "Town"}
#: Which entity types each relation may join: (source types, target types).
RELATION_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "SUPPORTS": (frozenset({"Hospital", "Agency", "University", "Alliance"} | _PLACES),
                 frozenset({"Hospital"} | _PLACES)),
    "MANAGES": (frozenset({"Hospital", "University"}), frozenset({"Hospital"})),
    "PARTNERS_WITH": (frozenset({"Hospital", "Agency", "University", "Province", "City", "County", "Alliance"}),
                      frozenset({"Hospital", "Agency", "University", "Province", "City", "County", "Alliance"})),
    "LEADS": (frozenset({"Hospital", "Agency", "University"}), frozenset({"Alliance"})),
    "MEMBER_OF": (frozenset({"Hospital"}), frozenset({"Alliance"})),
    "ISSUED_BY": (frozenset({"Policy"}), frozenset({"Agency"})),
    "RUNS": (frozenset({"Agency", "Hospital", "University"} | _PLACES), frozenset({"Program"})),
}


def pickled_by_fields(cls):
    """Pickle instances as ``cls(*field values)``: a constructor call reads back ~40% faster than
    pickle's default (a bare object, then its attributes set one by one), and results cross
    processes and the result cache by the tens of thousands."""
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_fields
@dataclass
class OffsetMap:
    """Maps each clean-text character to the raw-text span it came from.

    ``starts[i]``/``ends[i]`` are the raw offsets of clean character ``i``.
    ``raw_span(a, b)`` gives the raw span of the clean span ``[a, b)``.
    """

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        if not self.starts:
            return (start, end)
        if end <= start:
            pos = self.starts[min(start, len(self.starts) - 1)]
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])

    def __len__(self) -> int:
        return len(self.starts)


@pickled_by_fields
@dataclass
class CleanStep:
    """What one cleaning step did to one document (for the build report)."""

    name: str
    changes: int = 0
    examples: list[str] = field(default_factory=list)


@pickled_by_fields
@dataclass
class Document:
    """One article: raw text as read, clean Simplified text, metadata and the map between them."""

    id: str
    path: str
    raw: str
    text: str = ""
    offsets: OffsetMap = field(default_factory=OffsetMap)
    title: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    source: str | None = None
    author: str | None = None
    url: str | None = None
    spun: bool = False
    steps: list[CleanStep] = field(default_factory=list)
    site: str | None = None  # the site a page comes from, from chrome the clean text drops (县人民政府 > …)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-file span of the clean-text span ``[start, end)``."""
        return self.offsets.raw_span(start, end)


@dataclass
class Mention:
    """A surface mention of an entity in a document's clean text, before linking.

    ``name`` is the mention as repaired and completed by the extractor (e.g. the
    text says 县人民医院 and the article is about 阳山县 → 阳山县人民医院 after linking),
    ``text`` is what the clean text says at ``[start, end)``.
    """

    text: str
    type: str
    start: int
    end: int
    name: str = ""
    rule: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Quantity:
    """A number stated next to a fact: experts sent, money, counts, periods."""

    kind: str  # experts | money | count | period | ...
    value: float | int | str
    unit: str
    text: str
    year: int | None = None


@pickled_by_fields
@dataclass(slots=True)
class Evidence:
    """Where a fact was read: the sentence and its span in the raw file (slots: millions of them)."""

    doc: str
    sentence: str
    start: int  # raw-file character offsets of the sentence (or the cue span)
    end: int
    rule: str
    confidence: float = 0.8
    path: str | None = None
    published: str | None = None

    def key(self) -> tuple:
        return (self.doc, self.start, self.end, self.rule)


@pickled_by_fields
@dataclass
class Entity:
    """A node: one real-world entity, with a stable readable id."""

    id: str
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    attrs: dict[str, Any] = field(default_factory=dict)  # code, region, lat, lon, parent, ...
    mentions: dict[str, int] = field(default_factory=dict)  # doc id -> mention count

    def merge(self, other: "Entity") -> None:
        """Fold another record of the same entity into this one."""
        self.aliases |= other.aliases
        self.aliases.discard(self.name)
        for k, v in other.attrs.items():
            if k not in self.attrs or self.attrs[k] in (None, "", []):
                self.attrs[k] = v
        for d, n in other.mentions.items():
            self.mentions[d] = self.mentions.get(d, 0) + n


@pickled_by_fields
@dataclass
class Relation:
    """An edge ``source -[type]-> target`` between entity ids, with all its evidence."""

    source: str
    type: str
    target: str
    attrs: dict[str, Any] = field(default_factory=dict)  # since, until, year, as_of, quantities
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)

    def merge(self, other: "Relation") -> None:
        """Fold another record of the same edge into this one (evidence deduplicated)."""
        seen = self.__dict__.get("_seen")
        if seen is None or len(seen) != len(self.evidence):
            seen = {e.key() for e in self.evidence}
            self.__dict__["_seen"] = seen
        for e in other.evidence:
            if e.key() not in seen:
                self.evidence.append(e)
                seen.add(e.key())
        for k, v in other.attrs.items():
            if k == "quantities":
                have = self.attrs.setdefault("quantities", [])
                for q in v:
                    if q not in have:
                        have.append(q)
            elif k == "as_of":
                self.attrs[k] = max(filter(None, [self.attrs.get(k), v]), default=None)
            elif k == "since":
                self.attrs[k] = min(filter(None, [self.attrs.get(k), v]), default=None)
            elif k not in self.attrs or self.attrs[k] in (None, ""):
                self.attrs[k] = v

    @property
    def confidence(self) -> float:
        """Noisy-or of the evidence confidences: more independent evidence, more confidence."""
        p = 1.0
        for e in self.evidence:
            p *= 1.0 - e.confidence
        return round(1.0 - p, 4)


@pickled_by_fields
@dataclass
class ArticleResult:
    """Everything one article contributes: the output of the pure per-article stage."""

    doc: Document
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    merges: list[dict[str, str]] = field(default_factory=list)  # surface -> id, with reason
    unresolved: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Failure:
    """A document or record that could not be read, and why."""

    path: str
    reason: str
    record: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}#{self.record}" if self.record else self.path
        return f"{where}: {self.reason}"
