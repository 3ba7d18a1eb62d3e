"""kg.names: the one rule that turns what a user typed into an entity.

Checked on the hand-made graph (tests/conftest.py) and on the seed graph; every tier with
names written the ways users write them, and the errors a user sees.
"""
from __future__ import annotations

import pytest

from kg.errors import AmbiguousNameError, NameNotFoundError
from kg.model import REGION_TYPES
from kg.names import candidates, matches, resolve, simplified


@pytest.mark.parametrize("typed,eid,how", [
    ("County/441823", "County/441823", "id"),
    ("阳山县", "County/441823", "name"),
    ("县人民医院", "Hospital/441823/人民医院", "alias"),
    ("441823", "County/441823", "code"),
    ("440000", "Province/440000", "code"),
    ("阳山", "County/441823", "short"),
    ("广东", "Province/440000", "alias"),  # the fixture lists 广东 as an alias
    ("西藏", "Province/540000", "short"),
    ("陽山縣", "County/441823", "name (traditional)"),
    ("廣東省第二人民醫院", "Hospital/440000/第二人民医院", "name (traditional)"),
    ("  阳山县 ", "County/441823", "name"),
])
def test_each_tier(tiny_graph, typed, eid, how):
    (m,) = matches(tiny_graph, typed)
    assert (m.entity.id, m.how) == (eid, how)
    assert resolve(tiny_graph, typed).id == eid


def test_the_first_tier_with_a_hit_wins(seed_graph):
    """An exact name beats a short name; a code means the region, not what lies in it."""
    assert [m.entity.id for m in matches(seed_graph, "441823")] == ["County/441823"]
    hospital = next(e for e in seed_graph.entities.values() if e.type == "Hospital"
                    and e.attrs.get("code") == "441823")
    assert hospital.id not in {m.entity.id for m in matches(seed_graph, "441823")}


def test_types_limit_the_candidates(tiny_graph):
    assert resolve(tiny_graph, "阳山县", REGION_TYPES).type == "County"
    with pytest.raises(NameNotFoundError, match="no region called '阳山县人民医院'"):
        resolve(tiny_graph, "阳山县人民医院", REGION_TYPES)


def test_nothing_found_suggests_the_closest_names(seed_graph):
    with pytest.raises(NameNotFoundError) as err:
        resolve(seed_graph, "阳山县人民医")
    assert "阳山县人民医院" in err.value.closest and "closest: 阳山县人民医院" in str(err.value)
    with pytest.raises(NameNotFoundError) as err:
        resolve(seed_graph, "饒平縣人民醫")  # Traditional and cut short: still suggested
    assert "饶平县人民医院" in err.value.closest


def test_a_name_shared_by_several_entities_is_ambiguous(seed_graph):
    shared = {}
    for e in seed_graph.entities.values():
        for a in e.aliases:
            shared.setdefault(a, set()).add(e.id)
    alias, ids = next((a, ids) for a, ids in sorted(shared.items()) if len(ids) > 1
                      and not seed_graph.by_name(a)[0].name == a)
    with pytest.raises(AmbiguousNameError) as err:
        resolve(seed_graph, alias)
    assert all(i in str(err.value) for i in ids) and "give the full name or the id" in str(err.value)
    for i in ids:  # the id is always exact
        assert resolve(seed_graph, i).id == i


def test_candidates_rank_the_rule_first_then_near_misses(seed_graph):
    assert candidates(seed_graph, "阳山")[0].how == "short"
    near = candidates(seed_graph, "阳山人民医院")
    assert near[0].entity.name == "阳山县人民医院" and near[0].score < 1
    assert [c.score for c in near] == sorted((c.score for c in near), reverse=True)


def test_simplified():
    assert simplified("陽山縣人民醫院") == "阳山县人民医院"
    assert simplified("阳山县") == "阳山县"
