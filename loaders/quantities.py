"""Quantities and times stated in a clause: money, experts sent, periods, since/until dates.

Numbers may be written in Arabic or Chinese numerals (派驻17名 / 派驻三名, 投入350万元 /
投入两千万元) and are read by jionlp's money parser; dates (2024年3月5日, 二〇二二年) by
``loaders.dates``. Dates keep the precision they are written with: ``2024-03-05``,
``2019-05`` or ``2022``.
"""
from __future__ import annotations

import re

from kg.model import Quantity

from .dates import Stated, stated_dates
from .jio import jionlp

_CN_NUM = "〇零一二两三四五六七八九十百千"
_MONEY = re.compile(rf"(?:投入|投资|安排|下达|筹集)(?:资金)?约?"
                    rf"(?P<amount>(?:\d[\d,]*(?:\.\d+)?|[{_CN_NUM}]+)[余多]?[万亿]+)元")
_SEND = "派驻|选派|派出|派遣|下派|引进"
_STAFF = "(?:医疗|技术|业务|管理)?(?:专家|医生|医师|医务人员|医护人员|骨干|人员|人才)"
_N = rf"\d+|[{_CN_NUM}]+"
# 派驻17名专家 / 17名派驻专家 / 派驻专家17名
_EXPERTS = re.compile(rf"(?:{_SEND})(?:了)?(?:不少于|超过|共|累计)?(?P<a>{_N})[余多]?名"
                      rf"|(?P<b>{_N})[余多]?名(?:{_SEND})的?(?:{_STAFF})"
                      rf"|(?:{_SEND})(?:了)?(?:{_STAFF})(?:共|累计|达)?(?P<c>{_N})[余多]?名")
_RANGE = re.compile(r"\s*[~～至到—–-]\s*")
_BARE_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)[~～至到—–-]((?:19|20)\d\d)年")  # 2023-2025年
SINCE_AFTER = re.compile(r"\s*(?:以来|起|开始)")
_FROM_BEFORE = re.compile(r"(?:自|从)\s*$")  # 自2015年实施……以来
_UNTIL_AFTER = re.compile(r"\s*(?:止|为止|结束|到期)")
_BY_BEFORE = re.compile(r"(?:截至|截止|到|至)\s*$")  # 截至2024年3月: as of, not since
_BY_AFTER = re.compile(r"\s*(?:前|以前|之前)")  # 2024年3月前完成: a deadline


def _number(numeral: str) -> float | None:
    """An Arabic or Chinese numeral (三, 十七, 两千万, 3,000万, 3000余万: its lower bound) as a number."""
    try:
        got = jionlp().parse_money(numeral + "元")
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    num = got.get("num") if isinstance(got, dict) else None
    if isinstance(num, list):
        num = num[0]
    try:
        return float(num)
    except (TypeError, ValueError):
        return None


def stated_periods(text: str, dates: list[Stated]) -> list[tuple[int, int, str, str]]:
    """``(start, end, since, until)`` of each stated range: 2023年至2025年, 2023年3月～2025年2月, 2023-2025年."""
    out = [(a.start, b.end, a.iso, b.iso) for a, b in zip(dates, dates[1:])
           if _RANGE.fullmatch(text, a.end, b.start)]
    covered = [(s, e) for s, e, *_ in out]
    for m in _BARE_RANGE.finditer(text):
        if not any(s <= m.start() < e for s, e in covered):
            out.append((m.start(), m.end(), m.group(1), m.group(2)))
    return sorted(out)


def quantities(clause: str, year: int | None) -> list[dict]:
    """Money (CNY), experts sent (persons) and periods stated in ``clause``, as ``Quantity`` dicts.

    ``year`` is the year the sentence states, kept on money and experts.
    """
    out = []
    for m in _MONEY.finditer(clause):
        v = _number(m.group("amount"))
        if v is not None:
            out.append(Quantity("money", int(round(v)), "CNY", m.group(), year).__dict__)
    for m in _EXPERTS.finditer(clause):
        v = _number(m.group("a") or m.group("b") or m.group("c"))
        if v is not None and v == int(v):
            out.append(Quantity("experts", int(v), "person", m.group(), year).__dict__)
    for s, e, since, until in stated_periods(clause, stated_dates(clause)):
        out.append(Quantity("period", f"{since}/{until}", "year" if len(since) == 4 else "date",
                            clause[s:e], None).__dict__)
    return out


def time_attrs(sentence: str) -> dict:
    """When the fact a sentence states holds: ``since``, ``until`` (ISO dates at the precision
    written) and ``year`` (the first year the sentence names).

    * since: a date after 自/从 or followed by 起/以来/开始 (自2015年实施……以来, 2022年起), else the start of a range
      (2023年至2025年), else the first date stated to the month or day that is not an end
      or an as-of date (2024年3月5日，甲医院全面托管乙医院 → since 2024-03-05);
    * until: the end of a range, or a date followed by 止/结束/到期.
    """
    dates = stated_dates(sentence)
    if not dates:
        return {}
    attrs: dict = {"year": dates[0].year}
    for d in dates:
        if SINCE_AFTER.match(sentence, d.end) or _FROM_BEFORE.search(sentence, 0, d.start):
            attrs["since"] = d.iso
            break
    for d in dates:
        if _UNTIL_AFTER.match(sentence, d.end):
            attrs["until"] = d.iso
            break
    periods = stated_periods(sentence, dates)
    if periods:
        attrs.setdefault("since", periods[0][2])
        attrs.setdefault("until", periods[0][3])
    if "since" not in attrs:
        in_range = [(s, e) for s, e, *_ in periods]
        for d in dates:
            if len(d.iso) > 4 and not _BY_BEFORE.search(sentence, 0, d.start) and not _BY_AFTER.match(sentence, d.end) \
                    and not _UNTIL_AFTER.match(sentence, d.end) and not any(s <= d.start < e for s, e in in_range):
                attrs["since"] = d.iso
                break
    return attrs
