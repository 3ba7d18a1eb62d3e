"""loaders.divisions: the division data's seats of government, and the old names of renamed and
re-graded units (issue 15, item 4)."""
from __future__ import annotations

import pytest

from loaders.divisions import divisions
from loaders.jio import jionlp


@pytest.mark.parametrize("province,capital", [
    ("广东省", "广州市"), ("四川省", "成都市"), ("西藏自治区", "拉萨市"), ("辽宁省", "沈阳市"),
    ("海南省", "海口市"), ("云南省", "昆明市"), ("黑龙江省", "哈尔滨市"), ("山东省", "济南市"),
])
def test_a_province_is_governed_from_its_capital(province, capital):
    """The provinces whose capital lies farthest from cpca's point are among these."""
    d = divisions()
    (key,) = [r.key for r in d.lookup(province) if r.type == "Province"]
    assert d.seat(key).name == capital


def test_every_province_with_cities_has_one_of_them_as_seat():
    d = divisions()
    for key in d.provinces:
        cities = [k for k in d.children.get(key, []) if d.regions[k].type == "City"]
        seat = d.seat(key)
        if any(d.regions[k].lon is not None for k in cities) and d.regions[key].lon is not None:
            assert seat is not None and seat.key in cities and seat.parent == key
        else:
            assert seat is None  # 北京市, 上海市 … have no city level
    assert d.seat("441823") is None  # only provinces have a seat here


# -- former names (issue 15, item 4) ------------------------------------------------------------

@pytest.mark.parametrize("old, today, code", [
    ("新津县", "新津区", "510132"),  # 撤县设区, jionlp's change list
    ("盘县", "盘州市", "520281"),  # 撤县设市 with a new name
    ("襄樊市", "襄阳市", "420600"),  # a renamed prefecture-level city
    ("株洲县", "渌口区", None),  # renamed on the change
    ("即墨市", "即墨区", "370215"),  # 撤市设区, only in cpca's older table
    ("梁平县", "梁平区", None),
    ("那曲地区", "那曲市", "540600"),  # 地改市
    ("无为县", "无为市", "340225"),  # the location data predates the change: the unit is renamed
])
def test_an_old_name_finds_todays_unit(old, today, code):
    d = divisions()
    [r] = d.lookup(old)
    assert r.name == today and old in r.former
    if code:
        assert r.code == code


def test_a_full_path_may_use_an_old_name():
    d = divisions()
    assert d.resolve_path("四川省成都市新津县").name == "新津区"
    assert d.resolve_path("湖北省襄樊市").name == "襄阳市"


def test_an_old_name_that_is_another_units_name_today_is_not_taken():
    """大同 南郊区 and 矿区 became 云冈区; 矿区 is still the name of a district of 阳泉."""
    d = divisions()
    assert [r.name for r in d.lookup("矿区")] == ["矿区"]
    assert "南郊区" in d.lookup("云冈区")[0].former


def test_every_change_in_jionlps_list_resolves_to_the_unit_it_names():
    """The kind: each dated change whose new unit the data has, and whose old name no other unit
    bears today, takes a reader of the old name to that unit."""
    d = divisions()
    names = {r.name for r in d.regions.values() if r.type != "Town"}
    checked = 0
    for ch in jionlp().china_location_change_loader():
        (prov, _), (city, _), (county, _) = ch["old_loc"]
        new = [n for n in ch["new_loc"] if n]
        old = county or city
        want = d.resolve_path("".join(new))
        if want is None or want.name != new[-1] or old in names or old == new[-1]:
            continue
        assert want.key in {r.key for r in d.lookup(old)}, (old, new)
        checked += 1
    assert checked >= 60
