"""Dates in Arabic and Chinese numerals, at the precision written (issue 15, item 5)."""
from __future__ import annotations

import pytest

from kg.model import Document
from loaders.clean import clean
from loaders.dates import iso_date, stated_dates


@pytest.mark.parametrize("text, want", [
    ("发布日期：二〇二三年五月六日", ["2023-05-06"]),
    ("二零二四年十二月三十一日发布", ["2024-12-31"]),
    ("二○二二年三月，两院签约", ["2022-03"]),  # zero typed as a circle
    ("二〇二二年起，对口帮扶", ["2022"]),
    ("2024年3月5日，全面托管", ["2024-03-05"]),
    ("发表于 2024-10-17 00:17:47", ["2024-10-17"]),
    ("2019年5月至2021年12月", ["2019-05", "2021-12"]),
    ("2024年13月5日", []),  # no such month
    ("12024年", []),
])
def test_stated_dates_in_either_numeral_system(text, want):
    assert [d.iso for d in stated_dates(text)] == want


def test_stated_dates_know_where_they_are():
    text = "自二〇二二年三月起，医院派驻专家"
    [d] = stated_dates(text)
    assert text[d.start:d.end] == "二〇二二年三月" and d.year == 2022


@pytest.mark.parametrize("text, want", [
    ("二〇二三年五月六日", "2023-05-06"),
    ("时间：二零二一年十月十日 来源：县卫健局", "2021-10-10"),
    ("2024年5月31日", "2024-05-31"),
    ("二〇二二年三月", None),  # not a full date
])
def test_iso_date_wants_a_full_date(text, want):
    assert iso_date(text) == want


@pytest.mark.parametrize("header, want", [
    ("发布日期：二〇二三年五月六日", "2023-05-06"),
    ("二〇二四年一月十八日 来源：阳山县人民政府", "2024-01-18"),
    ("时间：二零二二年十一月三十日", "2022-11-30"),
])
def test_a_chinese_numeral_date_line_gives_the_publication_date(header, want):
    raw = f"阳山县推进紧密型县域医共体建设\n{header}\n广东省第二人民医院全面托管阳山县人民医院，派驻专家团队常驻县医院开展帮扶工作。"
    doc = clean(Document(id="d", path="-", raw=raw))
    assert doc.published == want
    assert header not in doc.text  # the date line is metadata, not prose
