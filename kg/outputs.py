"""What `kg build` writes into its output folder: the default set, ``--formats``, in full or by delta.

Outputs (docs: README, "What `kg build` writes"):

* by default ``graph.json`` (the graph `kg ask`, `kg explain`, `kg export` … load),
  ``oxigraph/`` (the RDF store of record, `kg sparql`), ``graph.lbug`` (`kg cypher`) and
  ``report.json``;
* on request (``--formats ttl,nt,jsonld`` or later `kg export --format ttl`) the RDF files
  ``graph.ttl``, ``graph.nt``, ``graph.jsonld``, derived from the store by its serialiser.

Every writer streams: graph.json and report.json one item per line, the store a bulk-load
chunk at a time (in a thread: the loader releases the GIL while graph.json and the Cypher
database are written), the Cypher database from Parquet files with ``COPY FROM``.

A build writes a new generation of the folder (kg.outfolder). When the folder's current
generation was built from the cache with the same code, and only a few articles changed,
the stores are not rebuilt: the previous store is copied (Oxigraph's backup hard-links its
immutable files; the Cypher database file is copied) and only the records the changed and
deleted articles touched — found from their old and new cached results by document id —
are retracted and written again (:func:`kg.rdf.update_store`, :func:`kg.cypher.update_cypher_db`,
the latter in a thread beside graph.json); graph.json is spliced from the previous one, only the
delta's lines encoded afresh (:class:`kg.graph.Reuse`). An output missing or changed by hand since it was written is written
whole again.
"""
from __future__ import annotations

import gc
import hashlib
import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .graph import GRAPH_FILE, Reuse, atomic_file
from .model import ArticleResult
from .outfolder import OutputFolder, fault_point

if TYPE_CHECKING:
    from .pipeline import BuildResult

REPORT_FILE = "report.json"
#: The modules that turn the reduced graph into output files: a change to one of them (or to
#: schema/) means the files must be written afresh even when every input is unchanged.
OUTPUT_MODULES = ("pipeline.py", "model.py", "graph.py", "rdf.py", "cypher.py", "outputs.py",
                  "outfolder.py")
#: An incremental build is used while at most this share of the articles changed (more, and
#: bulk-loading everything afresh is faster than retracting record by record).
MAX_CHANGED_SHARE = 0.1


@lru_cache(maxsize=1)
def writer_version() -> str:
    """A hash of the extractor version and of the code and schema that write the output files."""
    from .pipeline import extractor_version

    h = hashlib.sha1(extractor_version().encode())
    here = Path(__file__).resolve().parent
    files = [here / m for m in OUTPUT_MODULES] + sorted((here.parent / "schema").glob("*"))
    for f in files:
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def formats_of(names: Iterable[str]) -> list[str]:
    """``ttl,nt,jsonld`` (or turtle, ntriples) → the RDF format names; ValueError for others."""
    from .rdf import FORMAT_ALIASES

    out = []
    for n in names:
        n = n.strip().lower()
        if not n:
            continue
        if n not in FORMAT_ALIASES:
            raise ValueError(f"unknown format {n!r}: choose from ttl, nt, jsonld")
        out.append(FORMAT_ALIASES[n])
    return list(dict.fromkeys(out))


# -- what changed since the current generation ------------------------------------------------------
@dataclass
class Delta:
    """The records a rebuild must rewrite in the stores: every article whose result is new,
    changed or gone, and the entities and relations its old and new results hold."""

    documents: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    relations: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, result: ArticleResult) -> None:
        self.documents.add(result.doc.id)
        self.entities.update(e.id for e in result.entities)
        self.relations.update(r.key for r in result.relations)
        for e in result.entities:  # an entity's mentions may name other articles' ids
            self.documents.update(e.mentions)
        for r in result.relations:
            self.documents.update(ev.doc for ev in r.evidence)


class Changes:
    """Follows the reduce: each article's cache key in input order, and what the results that
    are new since the folder's current generation touch (see :meth:`delta`)."""

    def __init__(self, manifest: dict | None):
        docs = (manifest or {}).get("documents")
        self.before: list[list[str]] | None = docs if isinstance(docs, list) else None
        self._old = {k for _, k in self.before} if self.before is not None else set()
        self.order: list[tuple[str, str]] = []
        self.keyed = True  # every article had a cache key (a build with the cache)
        self.new = Delta()
        self.new_count = 0

    def add(self, key: str | None, result: ArticleResult) -> None:
        if key is None:
            self.keyed, self.before = False, None  # no cache: nothing to compare with
            return
        self.order.append((result.doc.id, key))
        if self.before is not None and key not in self._old:
            self.new_count += 1
            if self.new_count <= self._limit():
                self.new.add(result)

    def _limit(self) -> int:
        return max(10, int(len(self._old) * MAX_CHANGED_SHARE))

    def delta(self, fetch) -> Delta | None:
        """The delta against the current generation, or None when the stores must be written
        afresh (no earlier build to compare with, too many changes, inputs reordered, or the
        old results of changed articles no longer cached). ``fetch(keys)`` gives cached results."""
        if self.before is None or self.new_count > self._limit():
            return None
        now = {k for _, k in self.order}
        removed = [k for _, k in self.before if k not in now]
        kept_before = [k for _, k in self.before if k in now]
        kept_now = [k for _, k in self.order if k in self._old]
        if kept_before != kept_now or len(removed) + self.new_count > self._limit():
            return None  # reordered inputs change which record's attributes come first
        old = fetch(removed)
        if len(old) != len(removed):
            return None
        delta = self.new
        for r in old:
            delta.add(r)
        return delta


# -- writing ---------------------------------------------------------------------------------------
class _InThread(threading.Thread):
    """Runs ``fn`` in a thread; :meth:`outcome` waits and gives its result or raises its error."""

    def __init__(self, name: str, fn):
        super().__init__(daemon=True, name=name)
        self.fn, self.result, self.error = fn, None, None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # re-raised in the build's thread
            self.error = exc

    def outcome(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.result


class _Loader(_InThread):
    """Bulk-loads the graph into a new store in the background (Oxigraph releases the GIL)."""

    def __init__(self, path: Path, graph, places):
        super().__init__("oxigraph-load", lambda: self._load(path, graph, places))
        self.stop = threading.Event()

    def _load(self, path: Path, graph, places) -> None:
        import pyoxigraph as ox

        from .rdf import load_lines, ntriples_lines

        store = ox.Store(str(path))
        load_lines(store, ntriples_lines(graph, places), self.stop)
        del store

    def wait(self, cancel: bool = False) -> None:
        """Wait for the load (``cancel``: stop after the chunk in progress, and raise nothing)."""
        if cancel:
            self.stop.set()
            self.join()
        else:
            self.outcome()


class _Steps:
    """The writing as a stage of its own on stderr (kg.progress): ``steps(name)`` says which
    output is written now (the one before is done), ``close()`` that the last one is."""

    def __init__(self, total: int, show: bool):
        self.bar, self.now = None, None
        if show:
            from .progress import bar

            self.bar = bar(total, "writing outputs", "file")

    def __call__(self, name: str) -> None:
        if self.bar is not None:
            if self.now is not None:
                self.bar.update(1)
            self.bar.set_postfix_str(name)
        self.now = name

    def close(self) -> None:
        if self.bar is not None:
            if self.now is not None:
                self.bar.update(1)
            self.bar.close()
            self.bar = None


def write_outputs(res: "BuildResult", out: str | Path, fingerprint: str | None = None,
                  changes: Changes | None = None, fetch=None, formats: Iterable[str] = (),
                  folder: OutputFolder | None = None, started: float | None = None,
                  progress: bool = False) -> Path:
    """Write a new generation of ``out`` (or reuse the current one) and switch to it.

    ``fingerprint`` names the graph (writer code + every input's cache key, in order): when
    the current generation was written for the same one and its outputs are intact, only
    report.json (and RDF files newly asked for) are written. ``changes`` and ``fetch`` (cached
    results by key) allow an incremental rebuild of the stores. ``folder`` is the locked
    output folder (opened and closed here when not given). ``started`` (a
    ``time.perf_counter()``) makes the report's ``seconds`` cover the build up to the report;
    ``progress`` shows the writing as a stage on stderr. Returns the generation's folder.
    """
    from .cypher import DB_NAME

    own = folder is None
    folder = OutputFolder.open(out) if own else folder
    steps = None
    try:
        formats = formats_of(formats)
        m, base = folder.manifest(), folder.current()
        stores = (GRAPH_FILE, "oxigraph", DB_NAME)
        if (fingerprint is not None and m is not None and m.get("fingerprint") == fingerprint
                and all(folder.intact(n) for n in stores)):
            res.outputs_reused = True
            if started is not None:
                res.seconds = time.perf_counter() - started
            return _refresh(res, folder, base, m, formats)
        usable = (m is not None and base is not None and m.get("writer") == writer_version()
                  and changes is not None and fetch is not None)
        delta = changes.delta(fetch) if usable else None
        steps = _Steps(4 + bool(formats), progress)
        gen = folder.begin()
        info = _write(res, gen, base if delta is not None else None, folder, m, delta, formats, steps)
        fault_point("report.json")
        if started is not None:
            res.seconds = time.perf_counter() - started
        write_report(res, gen / REPORT_FILE)
        steps.close()
        fault_point("manifest")
        manifest = {"fingerprint": fingerprint, "writer": writer_version(), "created":
                    time.strftime("%Y-%m-%dT%H:%M:%S"), "base": base.name if base else None,
                    "documents": [list(x) for x in changes.order] if changes and changes.keyed else None,
                    "formats": formats, **info}
        return folder.commit(gen, manifest)
    finally:
        if steps is not None:
            steps.close()
        if own:
            folder.close()


def _write(res: "BuildResult", gen: Path, base: Path | None, folder: OutputFolder, m: dict | None,
           delta: Delta | None, formats: list[str], steps: _Steps) -> dict:
    """graph.json, the two stores and the RDF files asked for, into the new generation ``gen``."""
    import pyoxigraph as ox

    from .cypher import DB_NAME, PropertyRows, update_cypher_db, write_cypher_db
    from .query import moved_entities, placement_digests, placements
    from .rdf import STORE_DIR, dump_formats, update_store

    graph = res.graph
    places = placements(graph)
    digests = placement_digests(graph, places)
    if delta is not None:
        before = _read_digests(base)
        if before is None:
            delta = None  # no record of where entities were: the stores are written afresh
        else:
            delta = Delta(delta.documents, delta.entities | moved_entities(before, digests), delta.relations)
    _write_digests(digests, gen)
    store_dir = gen / STORE_DIR
    info: dict = {"incremental": []}
    loader = None
    fault_point("oxigraph")
    if delta is not None and folder.intact(STORE_DIR):
        old = ox.Store.read_only(str(base / STORE_DIR))
        old.backup(str(store_dir))  # hard links to the old store's immutable files
        del old
        store = ox.Store(str(store_dir))
        update_store(store, graph, delta.entities, delta.relations, delta.documents, places)
        del store
        info["incremental"].append(STORE_DIR)
    else:
        loader = _Loader(store_dir, graph, places)
        loader.start()
    def cypher_db() -> tuple[dict, bool]:
        """The Cypher database (schema, whether updated in place rather than written afresh)."""
        fault_point("graph.lbug")
        rows = PropertyRows(graph, places)
        if delta is not None and folder.intact(DB_NAME) and (m or {}).get("ladybug"):
            shutil.copyfile(base / DB_NAME, gen / DB_NAME)
            schema = update_cypher_db(gen / DB_NAME, rows, m["ladybug"], delta.entities,
                                      delta.relations, delta.documents)
            if schema is not None:
                return schema, True
            (gen / DB_NAME).unlink()
        return write_cypher_db(graph, gen, rows), False

    # An update in place runs beside the graph.json splice (ladybug releases the GIL while its
    # queries run); a database written afresh waits, as the store's bulk load already runs beside.
    updater = _InThread("cypher-update", cypher_db) if delta is not None else None
    try:
        if updater is not None:
            updater.start()
        fault_point("graph.json")
        steps(GRAPH_FILE)
        if delta is not None and folder.intact(GRAPH_FILE):
            try:
                graph.save(gen, Reuse(base / GRAPH_FILE, delta.documents, delta.entities, delta.relations))
                info["incremental"].append(GRAPH_FILE)
            except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
                graph.save(gen)  # the old file does not fit after all: every line encoded
        else:
            graph.save(gen)
        steps(DB_NAME)
        schema, in_place = updater.outcome() if updater is not None else cypher_db()
        if in_place:
            info["incremental"].append(DB_NAME)
        info["ladybug"] = schema
    except BaseException:
        if updater is not None:
            updater.join()  # its files are in the generation that is being abandoned
        if loader is not None:
            loader.wait(cancel=True)  # Ctrl-C: do not load the rest of a store no one will use
        raise
    steps(f"{STORE_DIR}/")
    if loader is not None:
        loader.wait()
    gc.collect()  # close the store's files before it is reopened
    if formats:
        fault_point("formats")
        steps(", ".join(formats))
        store = ox.Store.read_only(str(store_dir))
        dump_formats(store, gen, formats)
        del store
    steps(REPORT_FILE)
    return info


#: Where each entity stood when a generation was written (id, tab, digest per line), so the next
#: rebuild finds entities that moved without reading the stores back.
PLACEMENTS_FILE = "placements.tsv"


def _write_digests(digests: dict[str, str], gen: Path) -> None:
    with atomic_file(gen / PLACEMENTS_FILE, "w") as f:
        f.writelines(f"{e}\t{d}\n" for e, d in digests.items())


def _read_digests(gen: Path | None) -> dict[str, str] | None:
    """The placement digests a generation recorded, or None when it has none (or a bad one)."""
    if gen is None:
        return None
    try:
        with open(gen / PLACEMENTS_FILE, encoding="utf-8") as f:
            return dict(line.rstrip("\n").split("\t", 1) for line in f)
    except (OSError, TypeError, ValueError):
        return None


def _refresh(res: "BuildResult", folder: OutputFolder, cur: Path, m: dict, formats: list[str]) -> Path:
    """Nothing changed: report.json, and RDF files asked for that the generation lacks."""
    write_report(res, cur / REPORT_FILE)
    _add_formats(folder, cur, m, formats)
    return cur


def _add_formats(folder: OutputFolder, cur: Path, m: dict, formats: list[str]) -> list[Path]:
    import pyoxigraph as ox

    from .rdf import FILES, STORE_DIR, dump_formats

    missing = [f for f in formats if not (cur / FILES[f]).is_file()]
    if missing:
        store = ox.Store.read_only(str(cur / STORE_DIR))
        dump_formats(store, cur, missing)
        del store
    done = folder.write_manifest(cur, {k: v for k, v in m.items() if k != "outputs"})
    folder.link_outputs(done["outputs"])
    return [cur / FILES[f] for f in formats]


def add_formats(directory: str | Path, formats: Iterable[str]) -> list[Path] | None:
    """Write RDF files into the current generation of a `kg build` folder (under its lock), so
    they belong to the build they are derived from; None when the folder has no generation."""
    formats = formats_of(formats)
    with OutputFolder.open(directory) as folder:
        m, cur = folder.manifest(), folder.current()
        if m is None or cur is None:
            return None
        return [folder.path / p.name for p in _add_formats(folder, cur, m, formats)]


def write_report(res: "BuildResult", path: Path) -> None:
    """report.json, streamed: the build's figures, then one document summary per line."""
    rep = res.report(documents=False)
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic_file(path, "w") as fh:
        head = enc(rep)
        fh.write(head[:-1] + ',\n"documents":[\n')
        sep = ""
        for d in res.documents:
            fh.write(sep)
            fh.write(enc(d))
            sep = ",\n"
        fh.write("\n]}\n")
