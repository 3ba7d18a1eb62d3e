"""What a user means by a name: the one rule every command, helper and query parameter uses.

A name typed by a user (``kg ask``, ``kg explain``, the Python helpers, ``kg sparql
--bind``, ``kg cypher -p``) is matched against the graph's entities in tiers; the
first tier with a hit wins:

1. the entity id (``County/441823``);
2. the exact name or an alias (``阳山县``, ``省第二人民医院``);
3. a division code (``441823``, ``440000``): the region with that code;
4. a short or other official form of a division (``阳山``, ``广东``, ``文山州``), from the
   division data (jionlp);
5. the same four again after Traditional → Simplified (OpenCC ``t2s``: ``陽山縣``).

``types`` limits the candidates (a ``--county`` filter wants a region). Several entities
in the winning tier make the name ambiguous (:class:`kg.errors.AmbiguousNameError`, listing
them with their ids); none makes :class:`kg.errors.NameNotFoundError` with the closest names
(:func:`candidates`). Both exit 1 on the command line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from .errors import AmbiguousNameError, NameNotFoundError
from .model import REGION_TYPES, Entity

if TYPE_CHECKING:  # pragma: no cover
    from .graph import KnowledgeGraph

_CODE = re.compile(r"^\d{6}$")


@dataclass
class Candidate:
    """An entity a typed name may mean, with how it matched (see :func:`candidates`)."""

    entity: Entity
    score: float  # 1.0 id or exact name, 0.95 alias, code or short name, lower for partial matches
    matched: str  # the name, alias or code that matched
    how: str  # id | name | alias | code | short | substring | fuzzy (+ " (traditional)")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in Simplified characters (OpenCC t2s); unchanged when it already is."""
    return _t2s().convert(text)


def _allowed(e: Entity, types: Iterable[str] | None) -> bool:
    return types is None or e.type in types


def _exact(graph: "KnowledgeGraph", text: str, types) -> list[Candidate]:
    """Tiers 1–4 for one spelling; the candidates of the first tier that has any."""
    e = graph.entities.get(text)
    if e is not None and _allowed(e, types):
        return [Candidate(e, 1.0, text, "id")]
    named = [e for e in graph.by_name(text) if _allowed(e, types)]
    if named:
        exact = [Candidate(e, 1.0, text, "name") for e in named if e.name == text]
        return exact or [Candidate(e, 0.95, text, "alias") for e in named]
    regions = _region_index(graph)
    if _CODE.match(text):
        hits = [graph.entities[i] for i in regions.get(text, ())]
        hits = [e for e in hits if _allowed(e, types)]
        if hits:
            return [Candidate(e, 0.95, text, "code") for e in hits]
    from loaders.divisions import divisions

    ids = dict.fromkeys(i for r in divisions().lookup(text) for i in regions.get(r.key, ()))
    hits = [graph.entities[i] for i in ids if _allowed(graph.entities[i], types)]
    return [Candidate(e, 0.95, text, "short") for e in hits]


def _region_index(graph: "KnowledgeGraph") -> dict[str, list[str]]:
    """Division key (and code) → ids of the graph's regions carrying it."""
    idx: dict[str, list[str]] = {}
    for e in graph.entities.values():
        if e.type in REGION_TYPES:
            for k in {e.attrs.get("division"), e.attrs.get("code")} - {None, ""}:
                idx.setdefault(str(k), []).append(e.id)
    return idx


def matches(graph: "KnowledgeGraph", name: str,
            types: Iterable[str] | None = None) -> list[Candidate]:
    """The entities ``name`` means by the one rule (module docstring): the winning tier's
    candidates, several when the name is ambiguous, none when nothing matches exactly."""
    text = name.strip()
    if not text:
        return []
    types = tuple(types) if types is not None else None
    found = _exact(graph, text, types)
    if not found:
        simple = simplified(text)
        if simple != text:
            found = _exact(graph, simple, types)
            for c in found:
                c.how += " (traditional)"
    return found


def resolve(graph: "KnowledgeGraph", name: str, types: Iterable[str] | None = None,
            what: str | None = None) -> Entity:
    """The one entity ``name`` means; NameNotFoundError (with the closest names) or
    AmbiguousNameError (with every candidate's id) otherwise."""
    types = tuple(types) if types is not None else None
    found = matches(graph, name, types)
    if len(found) == 1:
        return found[0].entity
    if found:
        raise AmbiguousNameError(name, sorted((c.entity for c in found), key=lambda e: e.id))
    kind = what or ("region" if types and set(types) <= set(REGION_TYPES) else "entity")
    closest = [c.entity.name for c in candidates(graph, name, limit=5, cutoff=0.3, types=types)]
    raise NameNotFoundError(name, kind, dict.fromkeys(closest))


def candidates(graph: "KnowledgeGraph", name: str, limit: int = 10, cutoff: float = 0.5,
               types: Iterable[str] | None = None) -> list[Candidate]:
    """Entities a name may mean, best first: the one rule's matches, else names containing
    the query (or contained in it) and difflib near-misses, ranked by similarity."""
    import difflib

    types = tuple(types) if types is not None else None
    exact = matches(graph, name, types)
    if exact:
        return exact[:limit]
    text = simplified(name.strip())
    best: dict[str, Candidate] = {}
    chars = set(text)
    for e in graph.entities.values():
        if not _allowed(e, types):
            continue
        for n in (e.name, *e.aliases):
            if not n or not chars & set(n):
                continue
            if text in n or n in text:
                score, how = 0.6 + 0.3 * min(len(text), len(n)) / max(len(text), len(n)), "substring"
            else:
                score, how = 0.9 * difflib.SequenceMatcher(None, text, n).ratio(), "fuzzy"
            score = round(score, 3)
            if score >= cutoff and score > (best[e.id].score if e.id in best else 0.0):
                best[e.id] = Candidate(e, score, n, how)
    degree = degrees(graph, best)
    ranked = sorted(best.values(), key=lambda c: (-c.score, -degree.get(c.entity.id, 0), c.entity.id))
    return ranked[:limit]


def degrees(graph: "KnowledgeGraph", ids) -> dict[str, int]:
    """Number of edges at each of ``ids`` (a set or dict), to rank better-connected first."""
    out: dict[str, int] = {}
    for r in graph.relations.values():
        for x in (r.source, r.target):
            if x in ids:
                out[x] = out.get(x, 0) + 1
    return out
