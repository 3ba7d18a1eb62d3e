"""loaders.divisions: the division data's seats of government."""
from __future__ import annotations

import pytest

from loaders.divisions import divisions


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
