"""Quantities and times stated in a clause: money, experts sent, periods, since/until years."""
from __future__ import annotations

import re

from kg.model import Quantity

_MONEY = re.compile(r"(?:投入|投资|安排|下达|筹集)(?:资金)?约?(\d+(?:\.\d+)?)(亿|万)元")
_EXPERTS = re.compile(r"(?:派驻|选派|派出|派遣|引进)(?:了)?(?:不少于|超过)?(\d+)名")
_YEAR = re.compile(r"(20\d\d|19\d\d)年")
_SINCE = re.compile(r"(?:自|从)(20\d\d|19\d\d)年(?:以来|起)|(20\d\d|19\d\d)年(?:以来|起)")
_PERIOD = re.compile(r"(20\d\d|19\d\d)年?[~～至到-](20\d\d|19\d\d)年")


def quantities(clause: str, year: int | None) -> list[dict]:
    out = []
    for m in _MONEY.finditer(clause):
        v = float(m.group(1)) * (1e8 if m.group(2) == "亿" else 1e4)
        out.append(Quantity("money", int(round(v)), "CNY", m.group(), year).__dict__)
    for m in _EXPERTS.finditer(clause):
        out.append(Quantity("experts", int(m.group(1)), "person", m.group(), year).__dict__)
    for m in _PERIOD.finditer(clause):
        out.append(Quantity("period", f"{m.group(1)}/{m.group(2)}", "year", m.group(), None).__dict__)
    return out


def time_attrs(sentence: str) -> dict:
    attrs = {}
    m = _SINCE.search(sentence)
    if m:
        attrs["since"] = m.group(1) or m.group(2)
    p = _PERIOD.search(sentence)
    if p:
        attrs.setdefault("since", p.group(1))
        attrs["until"] = p.group(2)
    y = _YEAR.search(sentence)
    if y:
        attrs["year"] = int(y.group(1))
    return attrs
