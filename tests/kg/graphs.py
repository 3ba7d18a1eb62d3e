"""Random graphs for tests that compare query engines with the Python helpers."""
from __future__ import annotations

import random

from kg.graph import KnowledgeGraph
from kg.model import Entity, Evidence, Relation

LEVELS = ["Province", "City", "County", "Town"]
KINDS = ["SUPPORTS", "MANAGES", "PARTNERS_WITH", "PARTNERS_WITH", "LEADS", "MEMBER_OF", "RUNS"]


def random_graph(seed: int, n: int = 60, dangling: bool = False) -> KnowledgeGraph:
    """Regions in a tree, organisations located in them (none, one or two places), random
    edges of every kind with 0–2 pieces of evidence; ``dangling`` adds edges to an id that
    is not a node, as a graph merged from partial results can have."""
    rnd = random.Random(seed)
    g = KnowledgeGraph()
    regions: dict[str, list[str]] = {t: [] for t in LEVELS}
    for depth, level in enumerate(LEVELS):
        for i in range(2 + depth * 3):
            eid = f"{level}/{seed}-{i}"
            g.add_entity(Entity(eid, level, f"{level}{i}", attrs={"code": f"{depth}{i:05d}"},
                                mentions={"d0": 1}))
            regions[level].append(eid)
            if depth and rnd.random() < 0.85:
                up = rnd.choice(regions[LEVELS[depth - 1]] + regions["Province"])
                g.add_relation(Relation(eid, "LOCATED_IN", up, evidence=[Evidence("d0", "s", 0, 1, "r")]))
    every = sum(regions.values(), [])
    orgs = []
    for i in range(n):
        typ = rnd.choice(["Hospital", "Hospital", "Agency", "University", "Alliance", "Program"])
        eid = f"{typ}/{seed}-{i}"
        g.add_entity(Entity(eid, typ, f"{typ}名{i}", {f"别名{i}"} if rnd.random() < 0.3 else set(),
                            mentions={f"d{rnd.randint(1, 3)}": 1}))
        orgs.append(eid)
        for _ in range(rnd.choice([0, 1, 1, 2])):
            g.add_relation(Relation(eid, "LOCATED_IN", rnd.choice(every),
                                    evidence=[Evidence("d0", "s", 0, 1, "r")]))
    nodes = orgs + every + (["Hospital/missing"] if dangling else [])
    for i in range(n * 2):
        a, b = rnd.sample(nodes, 2)
        evs = [Evidence(f"d{rnd.randint(1, 4)}", f"句子{i}-{k}", k, k + 5, "r", 0.7)
               for k in range(rnd.randint(0, 2))]
        g.add_relation(Relation(a, rnd.choice(KINDS), b, {"year": 2020 + i % 4}, evidence=evs))
    g.documents = {f"d{i}": {"id": f"d{i}", "path": f"d{i}.txt", "published": f"2024-0{i + 1}-01"}
                   for i in range(5)}
    return g
