"""kg.params: what a query declares it takes, and how `--bind` / `-p` values become query values."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import NameNotFoundError, QueryError
from kg.params import declared, prepare
from twins import QUERIES  # tests/kg/twins.py

SPARQL = """# param county: region   only this region
# param supporter as ?by: entity
# param name: entity, required
SELECT ?x WHERE { ?x kg:entityId ?county . FILTER (!BOUND(?by) || ?by = ?x) }"""
CYPHER = """// param county: region
// param level: level
MATCH (n:Entity) WHERE $county = '' OR n.id = $county RETURN n.id AS x"""


def test_declarations_read_name_kind_variable_and_required():
    d = declared(SPARQL)
    assert [(p.name, p.kind, p.var, p.required) for p in d.values()] == [
        ("county", "region", "county", False), ("supporter", "entity", "by", False),
        ("name", "entity", "name", True)]
    assert d["county"].help == "only this region"
    with pytest.raises(QueryError, match="kinds are"):
        declared("# param x: colour")


def test_names_become_ids_by_the_one_rule(tiny_graph):
    got = prepare(SPARQL, {"county": "阳山", "supporter": "省第二人民医院", "name": "441823"}, "sparql",
                  lambda: tiny_graph)
    assert got == {"county": "County/441823", "by": "Hospital/440000/第二人民医院",
                   "name": "County/441823"}
    with pytest.raises(NameNotFoundError):
        prepare(SPARQL, {"county": "不存在县", "name": "阳山县"}, "sparql", lambda: tiny_graph)
    with pytest.raises(NameNotFoundError):  # a region parameter takes regions only
        prepare(SPARQL, {"county": "阳山县人民医院", "name": "阳山县"}, "sparql", lambda: tiny_graph)


def test_left_out_parameters_are_unbound_in_sparql_and_empty_in_cypher(tiny_graph):
    assert prepare(CYPHER, {}, "cypher", lambda: tiny_graph) == {"county": "", "level": ""}
    assert prepare(CYPHER, {"level": "city"}, "cypher", lambda: tiny_graph)["level"] == "city"
    assert "county" not in prepare(SPARQL, {"name": "阳山县"}, "sparql", lambda: tiny_graph)


@pytest.mark.parametrize("text,lang,given,message", [
    (SPARQL, "sparql", {"countyy": "阳山", "name": "阳山县"}, "unknown parameter 'countyy'"),
    (CYPHER, "cypher", {"county": "阳山", "lvl": "city"}, "unknown parameter 'lvl'"),
    (SPARQL, "sparql", {"county": "阳山"}, "needs --bind name="),
    (CYPHER, "cypher", {"level": "town"}, "unknown level 'town'"),
    ("SELECT ?x WHERE { ?x ?p ?want }", "sparql", {"wanted": "a"}, "this query takes: p, want, x"),
    ("MATCH (n) WHERE n.id = $id RETURN n", "cypher", {"ids": "a"}, "this query takes: id"),
])
def test_unknown_missing_and_bad_values_are_errors(tiny_graph, text, lang, given, message):
    with pytest.raises(QueryError, match=message):
        prepare(text, given, lang, lambda: tiny_graph)


def test_undeclared_names_the_query_uses_pass_as_written(tiny_graph):
    assert prepare("SELECT ?x WHERE { ?x schema:name ?n }", {"n": "阳山"}, "sparql") == {"n": "阳山"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_cli_filters_by_a_parameter_and_refuses_a_typo(seed_build):
    """`kg cypher -p county=饶平县` filters as the .rq twin does; a typo is an error, not ignored."""
    _, out = seed_build
    every = json.loads(invoke("cypher", "-g", out, "-f", QUERIES / "supports_county.cypher",
                              "--format", "json").output)
    for cmd, flag, ext in (("cypher", "-p", "cypher"), ("sparql", "--bind", "rq")):
        res = invoke(cmd, "-g", out, "-f", QUERIES / f"supports_county.{ext}", flag, "county=饶平县",
                     "--format", "json")
        rows = json.loads(res.output)
        assert res.exit_code == 0 and rows and len(rows) < len(every)
        assert {r["recipient"] for r in rows} == {"饶平县"}
        typo = invoke(cmd, "-g", out, "-f", QUERIES / f"supports_county.{ext}", flag, "countyy=饶平县")
        assert typo.exit_code == 2 and "unknown parameter 'countyy'" in typo.output
        assert "county, province, supporter, level" in typo.output
