"""Query parameters: what a query takes, and how what a user typed becomes a query value.

``kg sparql --bind NAME=VALUE`` and ``kg cypher -p NAME=VALUE`` go through :func:`prepare`.
A query file declares its parameters on comment lines (``#`` in .rq, ``//`` in .cypher)::

    # param county: region       only recipients that are or lie in this region
    # param supporter as ?by: entity   (SPARQL: bound to ?by, where ?supporter is a column)
    # param name: entity, required

KIND says what a value is:

* ``entity`` / ``region``: a name, matched by the one rule of :mod:`kg.names` (exact,
  alias, code, short name, Traditional) against the graph, and passed as the entity's
  id; nothing found or an ambiguous name is an error (exit 1) naming the candidates;
* ``level``: county, city or province; ``relation``: a relation type (any case);
* ``text``: passed as written.

A name the query does not declare (or, in a query that declares none, does not use as
``?NAME`` / ``$NAME``) is an error, so a typo is never ignored. A declared parameter left
out is unbound in SPARQL and ``''`` in Cypher (the embedded database cannot type a null
parameter), so queries test it with ``!BOUND(?x)`` / ``$x = ''``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import QueryError
from .model import REGION_TYPES, RELATION_TYPES

KINDS = ("entity", "region", "level", "relation", "text")
_DECL = re.compile(r"^[ \t]*(?:#|//)[ \t]*param[ \t]+(\w+)(?:[ \t]+as[ \t]+[?$](\w+))?[ \t]*:[ \t]*"
                   r"(\w+)(,[ \t]*required)?\b[ \t]*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Param:
    """One declared parameter: its name, kind, the SPARQL variable it binds, and a help text."""

    name: str
    kind: str
    var: str
    required: bool = False
    help: str = ""


def declared(text: str) -> dict[str, Param]:
    """The parameters a query's comment lines declare, in order (empty when it declares none)."""
    out: dict[str, Param] = {}
    for m in _DECL.finditer(text):
        name, var, kind = m.group(1), m.group(2) or m.group(1), m.group(3)
        if kind not in KINDS:
            raise QueryError(f"parameter {name!r} is declared of kind {kind!r}; "
                             f"kinds are {', '.join(KINDS)}")
        out[name] = Param(name, kind, var, bool(m.group(4)), m.group(5).strip())
    return out


def _used(text: str, lang: str) -> set[str]:
    """Variable (SPARQL) or parameter (Cypher) names a query's text uses, outside comments."""
    body = re.sub(r"(?m)^\s*(#|//).*$", " ", text)
    pattern = r"[?$](\w+)" if lang == "sparql" else r"\$(\w+)"
    return set(re.findall(pattern, body))


def prepare(text: str, given: Mapping[str, Any], lang: str,
            graph: Callable[[], Any] | None = None) -> dict[str, Any]:
    """The values to run ``text`` with: checked against its parameters and resolved.

    ``lang`` is ``sparql`` (keys of the result are variable names, left-out parameters
    absent) or ``cypher`` (keys are parameter names, left-out declared ones ``''``).
    ``graph`` loads the KnowledgeGraph that names are matched against (called only when
    a name needs it). Raises QueryError (exit 2) for unknown names and bad values,
    NameNotFoundError / AmbiguousNameError (exit 1) for names that match no or several
    entities.
    """
    decl = declared(text)
    if decl:
        unknown = [n for n in given if n not in decl]
        takes = ", ".join(decl)
    else:
        used = _used(text, lang)
        unknown = [n for n in given if n.lstrip("?$") not in used]
        takes = ", ".join(sorted(used)) or "none"
    flag = "--bind" if lang == "sparql" else "-p"
    if unknown:
        raise QueryError(f"unknown parameter {', '.join(map(repr, unknown))} ({flag}); "
                         f"this query takes: {takes}")
    missing = [p.name for p in decl.values() if p.required and given.get(p.name) in (None, "")]
    if missing:
        raise QueryError(f"this query needs {' and '.join(f'{flag} {n}=…' for n in missing)}")
    out: dict[str, Any] = {}
    loaded: list = []

    def the_graph():
        if not loaded:
            if graph is None:
                raise QueryError("names are matched against a built graph: give -g DIR")
            loaded.append(graph())
        return loaded[0]

    for name, value in given.items():
        p = decl.get(name)
        key = (p.var if lang == "sparql" else name) if p else name
        out[key] = value if p is None else _value(p, value, the_graph)
    if lang == "cypher":
        for p in decl.values():
            out.setdefault(p.name, "")
    return out


def _value(p: Param, value: Any, graph: Callable[[], Any]) -> Any:
    if value is None or p.kind == "text":
        return value
    text = str(value).strip()
    if p.kind == "level":
        from .query import LEVELS

        if text not in LEVELS:
            raise QueryError(f"parameter {p.name}: unknown level {text!r}; "
                             f"choose from {', '.join(LEVELS)}")
        return text
    if p.kind == "relation":
        if text.upper() not in RELATION_TYPES:
            raise QueryError(f"parameter {p.name}: unknown relation {text!r}; "
                             f"choose from {', '.join(RELATION_TYPES)}")
        return text.upper()
    from .names import resolve

    return resolve(graph(), text, REGION_TYPES if p.kind == "region" else None).id
