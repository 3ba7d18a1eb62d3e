"""The whole path, read → clean → extract → link → graph, and the build report.

``analyse(doc)`` is the per-article stage: a pure function of one document. ``build``
maps it over the inputs (in worker processes with ``jobs > 1``) and reduces the
results into one :class:`~kg.graph.KnowledgeGraph` keyed by entity id.
"""
from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from loaders import clean as clean_stage
from loaders import extract as extract_stage
from loaders import link as link_stage
from loaders import read as read_stage

from .graph import KnowledgeGraph, write_atomic
from .model import ArticleResult, Document, Failure


def analyse(doc: Document) -> ArticleResult:
    """Clean, extract and link one document: everything it contributes to the graph."""
    clean_stage.clean(doc)
    found = extract_stage.extract(doc)
    return link_stage.link(doc, found)


def _analyse_safe(doc: Document) -> ArticleResult | Failure:
    try:
        return analyse(doc)
    except Exception as exc:  # one bad article never sinks a batch
        return Failure(doc.path, f"could not be analysed: {type(exc).__name__}: {exc}",
                       record=doc.id if doc.id != Path(doc.path).name else None)


@dataclass
class BuildResult:
    """The graph plus what happened to every input."""

    graph: KnowledgeGraph
    documents: list[dict] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    raw_chars: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    def report(self) -> dict:
        st = self.graph.stats()
        return {
            "documents_read": len(self.documents),
            "documents_failed": len(self.failures),
            "failures": [{"path": f.path, "record": f.record, "reason": f.reason}
                         for f in self.failures],
            "documents": self.documents,
            "entities_by_type": st["nodes"],
            "relations_by_type": st["edges"],
            "evidence": st["evidence"],
            "seconds": round(self.seconds, 3),
            "raw_chars": self.raw_chars,
        }


def _doc_summary(r: ArticleResult) -> dict:
    d = r.doc
    return {
        "id": d.id, "path": d.path, "title": d.title, "published": d.published,
        "source": d.source, "spun": d.spun, "chars_raw": len(d.raw), "chars_clean": len(d.text),
        "entities": len(r.entities), "relations": len(r.relations),
        "steps": [{"name": s.name, "changes": s.changes, "examples": s.examples[:3]}
                  for s in d.steps if s.changes],
        "unresolved": r.unresolved[:20],
    }


def _results(docs: Iterable[Document | Failure], jobs: int) -> Iterator[ArticleResult | Failure]:
    if jobs <= 1:
        for d in docs:
            yield d if isinstance(d, Failure) else _analyse_safe(d)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: list = []
        for d in docs:
            if isinstance(d, Failure):
                yield d
                continue
            pending.append(pool.submit(_analyse_safe, d))
            if len(pending) >= jobs * 16:
                yield pending.pop(0).result()
        for f in pending:
            yield f.result()


def build(inputs: Iterable[str], out: str | Path | None = None, jobs: int = 1,
          progress: bool = False) -> BuildResult:
    """Build the graph from files, folders or globs; write outputs into ``out`` if given."""
    t0 = time.perf_counter()
    graph = KnowledgeGraph()
    res = BuildResult(graph)
    docs = read_stage.iter_documents(list(inputs))
    bar = None
    if progress and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(unit="doc", file=sys.stderr)
    for r in _results(docs, jobs):
        if bar is not None:
            bar.update(1)
        if isinstance(r, Failure):
            res.failures.append(r)
            continue
        graph.add(r)
        res.raw_chars += len(r.doc.raw)
        res.documents.append(_doc_summary(r))
    if bar is not None:
        bar.close()
    res.seconds = time.perf_counter() - t0
    if out is not None:
        write_outputs(res, Path(out))
    return res


def write_outputs(res: BuildResult, out: Path) -> None:
    """Write graph.json, graph.ttl and report.json (each atomically)."""
    from .rdf import write_rdf

    out.mkdir(parents=True, exist_ok=True)
    res.graph.save(out)
    write_rdf(res.graph, out)
    write_atomic(out / "report.json", json.dumps(res.report(), ensure_ascii=False, indent=1))


def summary_line(res: BuildResult) -> str:
    st = res.graph.stats()
    return (f"{len(res.documents)} documents read, {len(res.failures)} failed; "
            f"{sum(st['nodes'].values())} entities, {sum(st['edges'].values())} relations, "
            f"{st['evidence']} pieces of evidence in {res.seconds:.2f}s")

