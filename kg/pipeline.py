"""The whole path, read → clean → extract → link → graph, and the build report.

``analyse(doc)`` is the per-article stage: a pure function of one document (it
works on a copy and reads only the document and the packaged vocabularies), so
its result can be computed anywhere — in this process, in worker processes with
``jobs > 1``, on a Dask cluster — and cached by the document's content. ``build``
maps it over the inputs and reduces the results, in input order, into one
:class:`~kg.graph.KnowledgeGraph` keyed by entity id and relation key.

Incremental builds: with an output folder, every article's result is stored in
``OUT/cache/results.sqlite`` under a key made of its content hash, everything
else the result depends on (id, path, reader metadata) and the extractor's
version (:func:`extractor_version`: a hash of the loaders' code and vocabularies,
the model and the package versions). A rebuild analyses only articles whose key
is new, and re-reduces the graph from the current inputs' results, so a changed
article's old facts and a deleted article's facts are gone. The output files and stores are
written by kg.outputs into a new generation of the folder (kg.outfolder), held under a lock
for the whole build; with few changes the stores are updated rather than rebuilt. See
docs/scale.md.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import pickle
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import zlib
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from loaders import clean as clean_stage
from loaders import extract as extract_stage
from loaders import link as link_stage
from loaders import read as read_stage
from loaders import scorer
from loaders.prepared import code_version, file_version

from .graph import KnowledgeGraph
from .model import ArticleResult, Document, Failure, OffsetMap, pickled_by_fields
from .outfolder import CACHE_DIR

CACHE_FILE = "results.sqlite"
#: Documents per cache look-up and per task sent to a worker process: enough to amortise
#: the round trip, few enough to keep both workers busy (4 batches per worker in flight).
BATCH = 32


def analyse(doc: Document) -> ArticleResult:
    """Clean, extract and link one document: everything it contributes to the graph.

    Pure: the input document is not modified (cleaning fills a shallow copy), and the
    result depends only on the document's fields and the packaged vocabularies.
    """
    return linked(doc).result()


def linked(doc: Document) -> "link_stage.Linker":
    """Clean, extract and link one document's entities, stopping before its relations are decided
    (what training and ``kg eval -v`` look into). The input document is not modified."""
    doc = dataclasses.replace(doc, steps=[])
    clean_stage.clean(doc)
    lk = link_stage.Linker(doc, extract_stage.extract(doc))
    lk.link_all()
    return lk


@pickled_by_fields
@dataclass
class Analysed:
    """One article's result as shipped between processes and cached: the document is slimmed
    (no raw/clean text or offset map — the evidence already holds sentences and raw offsets)."""

    result: ArticleResult
    chars_raw: int
    chars_clean: int

    @classmethod
    def of(cls, r: ArticleResult) -> "Analysed":
        d = r.doc
        slim = dataclasses.replace(d, raw="", text="", offsets=OffsetMap())
        return cls(dataclasses.replace(r, doc=slim), len(d.raw), len(d.text))


def _analyse_safe(doc: Document) -> Analysed | Failure:
    try:
        return Analysed.of(analyse(doc))
    except Exception as exc:  # one bad article never sinks a batch
        return Failure(doc.path, f"could not be analysed: {type(exc).__name__}: {exc}",
                       record=doc.id if doc.id != Path(doc.path).name else None)


def _dump(a: Analysed) -> bytes:
    return zlib.compress(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL), 1)


def _load(blob: bytes) -> Analysed:
    return pickle.loads(zlib.decompress(blob))


def _analyse_batch(docs: list[Document], dump: bool = False) -> list[Analysed | bytes | Failure]:
    """Analyse a batch (a worker's task); with ``dump``, results come back in the cache's format."""
    out: list[Analysed | bytes | Failure] = []
    for d in docs:
        r = _analyse_safe(d)
        out.append(_dump(r) if dump and isinstance(r, Analysed) else r)
    return out


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while the process pool may fork: Python drops a KeyboardInterrupt raised
    in an at-fork hook (the build then ran on to the end), and a forked worker must not die of
    one before its initializer ignores SIGINT. A SIGINT that came meanwhile is acted on at exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    old = signal.signal(signal.SIGINT, lambda signum, frame: got.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
    if got and callable(old):
        old(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt


def _warm_worker(parent: int) -> None:
    """Process-pool initializer: exit with the parent, and load the vocabularies, division data and
    automata once per worker."""
    _exit_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker tracebacks
    gc.enable()  # a forked worker inherits the parent's disabled collector
    analyse(Document(id="warm", path="-", raw="广东省清远市阳山县人民医院对口帮扶。"))


#: How often a worker checks that the build that started it is still there, in seconds.
PARENT_CHECK = 0.5


def _exit_with(parent: int) -> None:
    """End this worker process soon after ``parent`` dies: a killed build's workers would
    otherwise wait on their task queue for ever (they hold its other end themselves)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK)
        os._exit(1)

    threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()


# --------------------------------------------------------------------------- cache


def extractor_version() -> str:
    """What a cached result is valid for: the loaders' code and vocabularies and the data packages'
    versions (``loaders.prepared.code_version``), the partnership model file in use, the typed model
    and this package's version (16 hex digits)."""
    try:
        scorer_model = file_version(scorer.model_path())
    except OSError:
        scorer_model = "-"  # analysing will say the model is missing
    return _extractor_version(code_version(), scorer_model)


@lru_cache(maxsize=4)
def _extractor_version(code: str, scorer_model: str) -> str:
    from importlib import metadata

    h = hashlib.sha1(f"{code};model={scorer_model};".encode())
    h.update(Path(__file__).with_name("model.py").read_bytes())
    try:
        h.update(f"health-kg={metadata.version('health-kg')};".encode())
    except metadata.PackageNotFoundError:
        h.update(b"health-kg=-;")
    return h.hexdigest()[:16]


def cache_key(doc: Document) -> str:
    """The content hash of the raw text plus everything else the result depends on: the id and
    path (written into the evidence), reader-supplied metadata and the extractor version."""
    meta = "\0".join(str(x) for x in (doc.id, doc.path, doc.title, doc.published, doc.source,
                                        doc.author, doc.url))
    h = hashlib.sha1(f"{extractor_version()}\0{meta}\0".encode("utf-8", "surrogatepass"))
    h.update(read_stage.content_hash(doc).encode())
    return h.hexdigest()


class ResultCache:
    """Per-article results keyed by :func:`cache_key`, in one SQLite file (stdlib ``sqlite3``).

    Values are zlib-compressed pickles of :class:`Analysed`; the cache is the build's own
    scratch data (never load one from an untrusted source). After a build, entries no
    current input used are dropped, so the file tracks the last build.
    """

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / CACHE_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:  # not a database (truncated, overwritten): start afresh
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                p.unlink(missing_ok=True)
            self.db = self._open()
        self.used: set[str] = set()
        self.order: list[str] = []  # keys in input order (the graph's fingerprint)
        self.present = 0  # used keys that have a row (found or stored in this build)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        return db

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT key, value FROM results WHERE key IN ({','.join('?' * len(part))})"
            found.update(self.db.execute(q, part).fetchall())
        self.used.update(keys)
        self.order.extend(keys)
        self.present += len(found)
        return found

    def fetch(self, keys: list[str]) -> list[ArticleResult]:
        """The cached results of ``keys`` (those still there and readable), without counting them
        as used by this build: an incremental build reads a changed article's old result."""
        out = []
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT value FROM results WHERE key IN ({','.join('?' * len(part))})"
            for (blob,) in self.db.execute(q, part):
                try:
                    out.append(_load(blob).result)
                except Exception:  # unreadable: the caller sees one fewer and rebuilds
                    pass
        return out

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        if items:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", items)
            self.db.execute("COMMIT")
            self.present += len(items)

    def prune(self) -> int:
        """Drop entries no input of this build used (changed, deleted or older-version articles)."""
        total = self.db.execute("SELECT count(*) FROM results").fetchone()[0]
        if total <= self.present:
            return 0
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM keep")
        self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in self.used))
        n = self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM keep)").rowcount
        self.db.execute("COMMIT")
        return n

    def close(self) -> None:
        self.db.close()


# --------------------------------------------------------------------------- build


class DocumentLog:
    """The per-document summaries of a build, in input order, kept in a temporary file (one
    JSON line each) rather than in memory: a sequence of dicts that is read back on demand."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._n = 0

    def append(self, summary: dict) -> None:
        self._file.seek(0, 2)
        self._file.write(json.dumps(summary, ensure_ascii=False).encode("utf-8") + b"\n")
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[dict]:
        self._file.flush()
        self._file.seek(0)
        pos, n = 0, 0
        while n < self._n:
            self._file.seek(pos)
            line = self._file.readline()
            pos = self._file.tell()
            n += 1
            yield json.loads(line)

    def __getitem__(self, i: int) -> dict:
        return list(self)[i]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


@dataclass
class BuildResult:
    """The graph plus what happened to every input (``documents``: a summary per document)."""

    graph: KnowledgeGraph
    documents: DocumentLog = field(default_factory=DocumentLog)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    raw_chars: int = 0
    cached: int = 0  # documents whose result came from the cache
    analysed: int = 0  # documents analysed in this build
    jobs: int = 1
    outputs_reused: bool = False  # graph and RDF files were already current (nothing changed)

    @property
    def ok(self) -> bool:
        return not self.failures

    def report(self, documents: bool = True) -> dict:
        """What report.json holds (``documents=False``: all but the per-document summaries)."""
        st = self.graph.stats()
        rep = {
            "documents_read": len(self.documents),
            "documents_failed": len(self.failures),
            "documents_cached": self.cached,
            "documents_analysed": self.analysed,
            "failures": [{"path": f.path, "record": f.record, "reason": f.reason}
                         for f in self.failures],
            "entities_by_type": st["nodes"],
            "relations_by_type": st["edges"],
            "evidence": st["evidence"],
            "seconds": round(self.seconds, 3),
            "raw_chars": self.raw_chars,
            "jobs": self.jobs,
            "outputs_reused": self.outputs_reused,
            "extractor_version": extractor_version(),
        }
        if documents:
            rep["documents"] = list(self.documents)
        return rep


def _doc_summary(a: Analysed) -> dict:
    r, d = a.result, a.result.doc
    return {
        "id": d.id, "path": d.path, "title": d.title, "published": d.published,
        "source": d.source, "spun": d.spun, "chars_raw": a.chars_raw, "chars_clean": a.chars_clean,
        "entities": len(r.entities), "relations": len(r.relations),
        "steps": [{"name": s.name, "changes": s.changes, "examples": s.examples[:3]}
                  for s in d.steps if s.changes],
        "unresolved": r.unresolved[:20],
    }


def _batched(items: Iterable, n: int) -> Iterator[list]:
    batch: list = []
    for x in items:
        batch.append(x)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Batch:
    """Documents in input order; ``slots[i]`` is the outcome (a cached or shipped blob, a result
    or a failure), None until analysed."""

    items: list[Document | Failure]
    keys: list[str | None]
    slots: list[Analysed | bytes | Failure | None]
    new: set[str] = field(default_factory=set)  # keys to store once analysed
    future: Future | None = None


def _outcomes(docs: Iterable[Document | Failure], jobs: int, cache: ResultCache | None,
              stats: BuildResult) -> Iterator[tuple[str | None, Analysed | Failure]]:
    """(cache key, result) in input order: from the cache where the key is known, else analysed
    (inline, or in ``jobs`` worker processes with a bounded window of batches in flight)."""
    pool: ProcessPoolExecutor | None = None
    window: deque[_Batch] = deque()
    inline_left = BATCH if jobs > 1 else 0  # the first misses are analysed here: a one-article
    # change never waits for a pool, and forked workers inherit the vocabularies already loaded

    def finish(b: _Batch) -> Iterator[tuple[str | None, Analysed | Failure]]:
        if b.future is not None:
            done = iter(b.future.result())
            b.slots = [next(done) if s is None else s for s in b.slots]
        elif any(s is None for s in b.slots):
            todo = iter(_analyse_batch([d for d, s in zip(b.items, b.slots) if s is None]))
            b.slots = [next(todo) if s is None else s for s in b.slots]
        fresh = []
        for d, k, s in zip(b.items, b.keys, b.slots):
            if isinstance(s, Failure):
                yield k, s
                continue
            if isinstance(s, bytes):
                try:
                    a = _load(s)
                except Exception:  # an unreadable cache entry is a miss
                    a = _analyse_safe(d)
                    if isinstance(a, Failure):
                        yield k, a
                        continue
                    s = None
                    b.new.add(k)
            else:
                a = s
            if k is not None and k in b.new:
                fresh.append((k, s if isinstance(s, bytes) else _dump(a)))
            yield k, a
        if cache is not None:
            cache.put_many(fresh)

    try:
        for items in _batched(docs, BATCH):
            keys = [cache_key(d) if cache is not None and isinstance(d, Document) else None for d in items]
            hits = cache.get_many([k for k in keys if k]) if cache is not None else {}
            slots: list = [d if isinstance(d, Failure) else hits.get(k) for d, k in zip(items, keys)]
            b = _Batch(items, keys, slots, {k for k, s in zip(keys, slots) if k and s is None})
            todo = [d for d, s in zip(items, slots) if s is None]
            stats.cached += sum(1 for d, s in zip(items, slots) if isinstance(d, Document) and s is not None)
            stats.analysed += len(todo)
            if todo and jobs > 1 and (pool is not None or len(todo) > inline_left):
                if pool is None:
                    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_warm_worker,
                                               initargs=(os.getpid(),))
                with _sigint_deferred():  # submit() forks the workers
                    b.future = pool.submit(_analyse_batch, todo, cache is not None)
            elif todo:
                inline_left -= len(todo)
            window.append(b)
            while len(window) > 4 * jobs or (pool is None and window):
                yield from finish(window.popleft())
        while window:
            yield from finish(window.popleft())
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def build(inputs: Iterable[str], out: str | Path | None = None, jobs: int = 1,
          progress: bool = False, cache: bool | str | Path = True, formats: Iterable[str] = (),
          wait: bool = True, notify: Callable[[str], None] | None = None) -> BuildResult:
    """Build the graph from files, folders or globs; write outputs into ``out`` if given.

    ``cache``: True keeps per-article results in ``out/cache/`` (when ``out`` is given),
    a path keeps them there instead, False neither reads nor writes any (see the module
    docstring). ``jobs > 1`` analyses in that many worker processes. ``formats`` adds RDF
    files (``ttl``, ``nt``, ``jsonld``) to the default outputs (kg.outputs). The output
    folder is locked for the whole build: with ``wait`` a second build waits for the first
    (``notify`` gets one line saying so), else it raises FolderBusyError; a folder that holds
    anything but health-kg outputs raises OutputFolderError before anything is written.
    """
    from .outfolder import OutputFolder
    from .outputs import Changes, formats_of, write_outputs, writer_version

    formats = formats_of(formats)
    t0 = time.perf_counter()
    folder = OutputFolder.open(out, wait=wait, notify=notify) if out is not None else None
    graph = KnowledgeGraph()
    res = BuildResult(graph, jobs=jobs)
    cache_dir = (Path(out) / CACHE_DIR if out is not None else None) if cache is True else (cache or None)
    show = progress and sys.stderr.isatty()
    store = bar = None
    gc_was = gc.isenabled()
    try:
        store = ResultCache(cache_dir) if cache_dir is not None else None
        changes = Changes(folder.manifest() if folder is not None else None)
        inputs = list(inputs)
        items = list(read_stage.iter_paths(inputs))
        docs = read_stage.iter_documents(inputs, items)
        if show:
            from .progress import bar as progress_bar

            bar = progress_bar(read_stage.count_articles(items), "reading and analysing", "doc")
        gc.disable()  # the graph is millions of small acyclic objects: collecting them is pure cost
        for key, r in _outcomes(docs, jobs, store, res):
            if bar is not None:
                if bar.n >= bar.total:  # the count was an estimate (a CSV field with line breaks)
                    bar.total = bar.n + 1
                bar.update(1)
            if isinstance(r, Failure):
                res.failures.append(r)
                continue
            graph.add(r.result)
            changes.add(key, r.result)
            res.raw_chars += r.chars_raw
            res.documents.append(_doc_summary(r))
        graph.compact()
        if bar is not None:
            bar.total = bar.n  # an estimate above what came is corrected when it is known
            bar.close()
            bar = None
        if folder is not None:
            fingerprint = None
            if store is not None:
                h = hashlib.sha1(writer_version().encode())
                for k in store.order:
                    h.update(k.encode())
                fingerprint = h.hexdigest()
            write_outputs(res, out, fingerprint, changes, store.fetch if store is not None else None,
                          formats, folder, started=t0, progress=show)
        if store is not None:
            store.prune()
    finally:
        if gc_was:
            gc.enable()
        if store is not None:
            store.close()
        if bar is not None:
            bar.close()
        if folder is not None:
            folder.close()
    res.seconds = time.perf_counter() - t0  # the whole build, writing the outputs included
    return res


def summary_line(res: BuildResult) -> str:
    st = res.graph.stats()
    cache = f" ({res.cached} from the cache)" if res.cached else ""
    return (f"{len(res.documents)} documents read{cache}, {len(res.failures)} failed; "
            f"{sum(st['nodes'].values())} entities, {sum(st['edges'].values())} relations, "
            f"{st['evidence']} pieces of evidence in {res.seconds:.2f}s")
