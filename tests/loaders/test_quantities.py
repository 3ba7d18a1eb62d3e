"""Quantities and times of a clause, in Arabic and Chinese numerals (issue 15, item 5)."""
from __future__ import annotations

import pytest

from loaders.quantities import quantities, time_attrs


def kinds(clause: str, year: int | None = None) -> dict[str, list]:
    out: dict[str, list] = {}
    for q in quantities(clause, year):
        out.setdefault(q["kind"], []).append(q["value"])
    return out


@pytest.mark.parametrize("clause, money", [
    ("每年投入350万元", 3_500_000),
    ("投入两千万元", 20_000_000),
    ("累计投入资金三百五十万元", 3_500_000),
    ("投资约1.2亿元新建住院楼", 120_000_000),
    ("安排十亿元专项资金", 1_000_000_000),
    ("筹集3000余万元", 30_000_000),  # the lower bound
    ("投入3,000万元", 30_000_000),
])
def test_money_in_either_numeral_system(clause, money):
    assert kinds(clause)["money"] == [money]


@pytest.mark.parametrize("clause, experts", [
    ("派驻17名专家", 17),
    ("派驻三名专家", 3),
    ("选派了十二名骨干医师", 12),
    ("每年选派不少于二十名医疗专家常驻", 20),
    ("17名派驻专家轮动坐诊", 17),
    ("派驻专家两名", 2),
    ("累计派出医疗专家一百零五名", 105),
])
def test_experts_sent_in_either_numeral_system(clause, experts):
    assert kinds(clause)["experts"] == [experts]


def test_the_same_clause_reads_the_same_in_both_numeral_systems():
    arabic = quantities("2022年起，甲医院对口帮扶乙县人民医院，派驻3名专家，投入2000万元", 2022)
    chinese = quantities("二〇二二年起，甲医院对口帮扶乙县人民医院，派驻三名专家，投入两千万元", 2022)
    assert [(q["kind"], q["value"], q["year"]) for q in arabic] == [(q["kind"], q["value"], q["year"]) for q in chinese]
    assert time_attrs("2022年起，甲医院对口帮扶乙县人民医院") == time_attrs("二〇二二年起，甲医院对口帮扶乙县人民医院")


def test_words_that_are_not_counts_are_no_quantities():
    assert kinds("派出医疗队开展义诊，投入使用一个月") == {}


@pytest.mark.parametrize("sentence, since", [
    ("二〇二二年起，甲医院对口帮扶乙县人民医院", "2022"),
    ("自2019年以来对口帮扶泸定县人民医院", "2019"),
    ("自二〇一九年五月以来，两院开展合作", "2019-05"),
    ("2024年3月5日，甲医院全面托管乙县人民医院", "2024-03-05"),
    ("二〇二四年三月五日，甲医院与乙县人民医院签订托管协议", "2024-03-05"),
    ("甲医院于2023年6月正式托管乙县人民医院", "2023-06"),
    ("从2024年1月1日开始，甲医院全面托管乙县人民医院", "2024-01-01"),
])
def test_since_at_the_precision_written(sentence, since):
    assert time_attrs(sentence)["since"] == since


@pytest.mark.parametrize("sentence, since, until", [
    ("2023年至2025年，甲医院对口帮扶乙县人民医院", "2023", "2025"),
    ("2023-2025年对口帮扶", "2023", "2025"),
    ("二〇二三年三月至二〇二五年二月，甲医院托管乙医院", "2023-03", "2025-02"),
    ("托管期自2024年3月5日起至2027年3月4日止", "2024-03-05", "2027-03-04"),
])
def test_since_and_until_of_a_stated_period(sentence, since, until):
    attrs = time_attrs(sentence)
    assert (attrs["since"], attrs["until"]) == (since, until)


@pytest.mark.parametrize("sentence", [
    "截至2024年3月5日，甲医院已派驻专家12名",  # as of: not a start
    "2024年，甲医院派驻专家12名",  # a year alone is the report's year
    "甲医院力争2025年6月前完成托管",  # a deadline
])
def test_dates_that_do_not_start_anything(sentence):
    attrs = time_attrs(sentence)
    assert "since" not in attrs and attrs["year"] in (2024, 2025)


def test_the_year_of_a_sentence_in_chinese_numerals():
    assert time_attrs("二〇二三年，两院签订协议")["year"] == 2023
    assert time_attrs("两院签订协议") == {}
