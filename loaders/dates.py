"""Dates stated in Chinese text, in Arabic or Chinese numerals, as ISO strings.

``2024-05-31``, ``2024/6/13``, ``2024年3月5日``, ``二〇二三年五月六日``, ``2019年5月`` and
``二〇二二年`` are all read; a date keeps the precision it is written with (``2023-05-06``,
``2019-05``, ``2022``). Chinese numerals are read by jionlp's time parser.
"""
from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from .jio import jionlp

_CN_DIGIT = "〇零○ＯO一二三四五六七八九"
_ZERO = str.maketrans("○ＯO", "〇〇〇")  # zero as some sites type it; jionlp reads 〇
_CN_YEAR = f"[{_CN_DIGIT}]{{4}}"
_CN_MONTH = "十[一二]|[一二三四五六七八九十]"
_CN_DAY = "[二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
#: One date: a year (19xx/20xx, or four Chinese digits), then optionally a month and a day.
DATE_RE = re.compile(
    rf"(?<![\d{_CN_DIGIT}])(?:"
    rf"(?P<y>(?:19|20)\d\d)\s*(?:[-/.]\s*(?P<m>\d{{1,2}})\s*[-/.]\s*(?P<d>\d{{1,2}})(?!\d)"
    rf"|年(?:\s*(?P<m2>\d{{1,2}})\s*月(?:\s*(?P<d2>\d{{1,2}})\s*[日号]?(?!\d))?)?)"
    rf"|(?P<cy>{_CN_YEAR})年(?:(?P<cm>{_CN_MONTH})月(?:(?P<cd>{_CN_DAY})[日号])?)?)")


class Stated(NamedTuple):
    """A date found in text: where it is, and its ISO form at the precision written."""

    start: int
    end: int
    iso: str  # YYYY-MM-DD, YYYY-MM or YYYY
    year: int


def _read(m: re.Match) -> str | None:
    if m.group("y"):
        y = int(m.group("y"))
        mo, d = (m.group("m"), m.group("d")) if m.group("m") else (m.group("m2"), m.group("d2"))
        parts = [p for p in (mo, d) if p]
    else:
        got = jionlp().parse_time(m.group().translate(_ZERO), time_base=0)
        start = got.get("time", [""])[0][:10] if got.get("type") == "time_point" else ""
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", start):
            return None
        y = int(start[:4])
        parts = [start[5:7]] * bool(m.group("cm")) + [start[8:10]] * bool(m.group("cd"))
    try:
        if len(parts) == 2:
            return date(y, int(parts[0]), int(parts[1])).isoformat()
        if parts:
            return date(y, int(parts[0]), 1).isoformat()[:7]
    except ValueError:
        return None
    return f"{y:04d}"


def stated_dates(text: str) -> list[Stated]:
    """Every date written in ``text``, in order (invalid ones such as 2024年13月 left out)."""
    out = []
    for m in DATE_RE.finditer(text):
        iso = _read(m)
        if iso:
            out.append(Stated(m.start(), m.end(), iso, int(iso[:4])))
    return out


def iso_date(text: str) -> str | None:
    """The first full date (year, month and day) in ``text`` as ``YYYY-MM-DD``, else None."""
    for d in stated_dates(text):
        if len(d.iso) == 10:
            return d.iso
    return None
