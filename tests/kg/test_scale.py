"""Beyond one machine: the per-article stage as a Dask job, reduced into the same graph `kg build` makes."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graph import KnowledgeGraph
from kg.model import Document
from kg.pipeline import analyse
from loaders.read import iter_documents

distributed = pytest.importorskip("dask.distributed", reason="pip install 'health-kg[test]' for dask")

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_analyse_mapped_on_a_local_dask_cluster_gives_the_kg_build_graph(tmp_path):
    docs = [d for d in iter_documents([str(SEEDS)]) if isinstance(d, Document)]
    assert len(docs) == 5
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        futures = client.map(analyse, docs, pure=False)
        results = client.gather(futures)
        assert len(client.scheduler_info()["workers"]) == 2
    # The reduction: fold each article's result into the graph, keyed by entity id, in input order.
    graph = KnowledgeGraph()
    for r in results:
        graph.add(r)

    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(SEEDS), "-o", str(out), "-q", "--no-cache"])
    assert res.exit_code == 0, res.output
    built = KnowledgeGraph.load(out)

    assert set(graph.entities) == set(built.entities)
    assert set(graph.relations) == set(built.relations)
    assert ({k: len(r.evidence) for k, r in graph.relations.items()}
            == {k: len(r.evidence) for k, r in built.relations.items()})
    assert set(graph.documents) == set(built.documents)
