"""The output folder of `kg build` as one set: a marker, a lock, generations switched in one step.

Layout of an output folder ``OUT`` (the ``-o`` of `kg build`)::

    OUT/.health-kg              marker: a health-kg output folder (JSON, the layout version)
    OUT/.lock                   locked (flock) by the build writing the folder, with its pid
    OUT/generations/000007/     one build's whole set: graph.json, report.json, oxigraph/,
                                graph.lbug, manifest.json (and graph.ttl … when asked for)
    OUT/current                 symlink → generations/000007
    OUT/graph.json              symlink → current/graph.json (and so for every output present)
    OUT/cache/                  per-article results (kg.pipeline), shared by the generations

A build writes a new generation beside the current one (``000008.partial``), renames it
complete and then switches ``current`` with one ``rename(2)`` of a symlink, so a reader
that resolves ``current`` once (:func:`resolve`) reads every file from one build: the old
or the new, never a mix. The previous generation stays until the next build (a reader
still on it can finish); older ones, half-written ``.partial`` ones left by killed builds
and the temporary files of earlier layouts are removed by the next build, under the lock.

Each generation's ``manifest.json`` records the presence fingerprint (size and
modification time of every file) of each output, so a later build sees an output that was
deleted or changed by hand and writes it again instead of trusting it.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Callable

from .errors import FolderBusyError, OutputFolderError

MARKER = ".health-kg"
LOCK = ".lock"
GENERATIONS = "generations"
CURRENT = "current"
MANIFEST = "manifest.json"
CACHE_DIR = "cache"
LAYOUT = 1
PARTIAL = ".partial"
#: Every output a generation can hold; each present one gets a symlink in the folder itself.
OUTPUT_NAMES = ("graph.json", "report.json", "oxigraph", "graph.lbug", "graph.ttl", "graph.nt",
                "graph.jsonld")
#: What a folder written by `kg build` before generations held (adopted on the next build).
_LEGACY = set(OUTPUT_NAMES) | {"cache", "push-sparql.json"}
_LEGACY_TEMP = (".graph.", ".report.json.", ".oxigraph.", ".current.")
_MARKER_TEMP = f"{MARKER}.tmp-"


def resolve(directory: str | os.PathLike) -> Path:
    """The folder a reader reads: ``OUT/current``'s generation when there is one, else ``OUT``.

    Resolve once per command and read every file from the answer, so that a build that
    switches generations meanwhile cannot hand the reader files of two builds.
    """
    d = Path(directory)
    cur = d / CURRENT
    if os.path.lexists(cur):
        try:
            return cur.resolve(strict=True)
        except OSError:
            pass
    return d


def fault_point(stage: str) -> None:
    """Where the fault tests kill a build: ``KG_KILL_AT=stage`` makes the process SIGKILL itself
    here (tests/kg/test_outputs.py runs real builds and checks what readers see afterwards)."""
    if os.environ.get("KG_KILL_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def presence(path: Path) -> list | dict | None:
    """A file's ``[size, mtime_ns]``, a folder's ``{relative path: [size, mtime_ns]}``, or None."""
    try:
        st = path.stat()
    except OSError:
        return None
    if not path.is_dir():
        return [st.st_size, st.st_mtime_ns]
    out = {}
    for p in sorted(path.rglob("*")):
        if p.is_file():
            s = p.stat()
            out[str(p.relative_to(path))] = [s.st_size, s.st_mtime_ns]
    return out


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _symlink(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` in one step (a new symlink renamed over the old name)."""
    tmp = link.with_name(f".current.{link.name}.{os.getpid()}")
    _remove(tmp)
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():  # a store of the layout before generations
        aside = link.with_name(f".current.{link.name}.old.{os.getpid()}")
        os.replace(link, aside)
        os.replace(tmp, link)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.replace(tmp, link)


class OutputFolder:
    """An output folder held by one build: open (check, claim, lock, clean), write a new
    generation, commit it (switch), close. See the module docstring for the layout."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.generations = self.path / GENERATIONS
        self._fd: int | None = None
        self._manifest: tuple[Path, dict | None] | None = None  # (generation, its manifest)

    # -- opening: marker, lock, leftovers -----------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, wait: bool = True,
             notify: Callable[[str], None] | None = None) -> "OutputFolder":
        """Claim ``path`` for a build and lock it; raise OutputFolderError when the folder holds
        other things, FolderBusyError when another build holds it and ``wait`` is False."""
        folder = cls(path)
        folder._claim()
        folder._lock(wait, notify)
        try:
            folder._claim()  # claimed by a build that ran while this one waited: still ours
            folder._clean()
        except BaseException:
            folder.close()
            raise
        return folder

    def _claim(self) -> None:
        p = self.path
        if p.exists() and not p.is_dir():
            raise OutputFolderError(f"{p}: exists and is not a folder; give a folder to -o")
        p.mkdir(parents=True, exist_ok=True)
        marker = p / MARKER
        if marker.is_file():
            try:
                layout = json.loads(marker.read_text(encoding="utf-8")).get("layout")
            except (OSError, ValueError, AttributeError):
                layout = None
            if not isinstance(layout, int) or layout > LAYOUT:
                raise OutputFolderError(f"{p}: {MARKER} is not one this version of health-kg "
                                        f"writes (layout {layout!r}); use another folder with -o")
            return
        names = sorted(x.name for x in p.iterdir() if not x.name.startswith(_MARKER_TEMP))
        if names and not self._legacy(names):
            shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
            raise OutputFolderError(
                f"{p}: not a health-kg output folder (it holds {shown}, and no {MARKER} marker); "
                f"nothing was changed: give -o a new or empty folder")
        tmp = p / f"{_MARKER_TEMP}{os.getpid()}"
        tmp.write_text(json.dumps({"kind": "health-kg output folder", "layout": LAYOUT}) + "\n",
                       encoding="utf-8")
        os.replace(tmp, marker)

    def _legacy(self, names: list[str]) -> bool:
        """A folder an earlier `kg build` wrote: its report.json and graph.json, nothing else
        but the outputs, the cache and temporaries of that layout."""
        p = self.path
        try:
            report = json.loads((p / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not (isinstance(report, dict) and "extractor_version" in report and (p / "graph.json").is_file()):
            return False
        from .export import EXPORTERS  # `kg export` writes into the folder by default

        known = _LEGACY | {e.default for e in EXPORTERS.values()} | {"neo4j-csv"}
        return all(n in known or n.startswith(_LEGACY_TEMP) or n.startswith("graph.lbug.") for n in names)

    def _lock(self, wait: bool, notify: Callable[[str], None] | None) -> None:
        import fcntl

        fd = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                who = self._holder(fd)
                if not wait:
                    raise FolderBusyError(f"{self.path}: another kg build ({who}) is writing this "
                                          f"folder; wait for it to finish, or give another -o") from None
                if notify is not None:
                    notify(f"kg: waiting for another kg build ({who}) to finish writing {self.path}")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps({"pid": os.getpid(), "since": time.strftime(
                "%Y-%m-%dT%H:%M:%S")}).encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0) or b"{}")
            return f"pid {info['pid']}, started {info['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "pid unknown"

    def close(self) -> None:
        """Release the lock (a killed build's lock goes with its process)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "OutputFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _clean(self) -> None:
        """Remove what killed builds left: partial and superseded generations, temporaries."""
        keep = self._kept()
        if self.generations.is_dir():
            for g in self.generations.iterdir():
                if g.name not in keep:
                    _remove(g)
        for x in self.path.iterdir():
            if x.name.startswith(_LEGACY_TEMP + (_MARKER_TEMP,)):
                _remove(x)
        for x in (self.path / CACHE_DIR).glob("*outputs.json*"):  # the layout before's mark
            x.unlink(missing_ok=True)

    def _kept(self) -> set[str]:
        """The current generation and the one before it (a reader may still be on it)."""
        cur = self.current()
        if cur is None:
            return set()
        done = sorted((g.name for g in self.generations.iterdir()
                       if g.name.isdigit() and g.name < cur.name), reverse=True)
        return {cur.name, *done[:1]}

    # -- generations ------------------------------------------------------------------
    def current(self) -> Path | None:
        """The current generation's folder, or None (a new folder, or the layout before)."""
        cur = self.path / CURRENT
        if not cur.is_symlink():
            return None
        try:
            target = cur.resolve(strict=True)
        except OSError:
            return None
        return target if target.parent == self.generations.resolve() else None

    def manifest(self) -> dict | None:
        """The current generation's manifest.json (None when there is none or it is unreadable)."""
        cur = self.current()
        if cur is None:
            return None
        if self._manifest is not None and self._manifest[0] == cur:
            return self._manifest[1]
        try:
            m = json.loads((cur / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            m = None
        m = m if isinstance(m, dict) and m.get("layout") == LAYOUT else None
        self._manifest = (cur, m)
        return m

    def intact(self, name: str) -> bool:
        """Whether the current generation's output ``name`` is as its manifest recorded it."""
        m, cur = self.manifest(), self.current()
        if m is None or cur is None or name not in m.get("outputs", {}):
            return False
        return presence(cur / name) == m["outputs"][name]

    def begin(self) -> Path:
        """A new, empty generation folder (``NNNNNN.partial``) to write the outputs into."""
        self.generations.mkdir(exist_ok=True)
        numbers = [int(g.name.split(".")[0]) for g in self.generations.iterdir()
                   if g.name.split(".")[0].isdigit()]
        path = self.generations / f"{max(numbers, default=0) + 1:06d}{PARTIAL}"
        path.mkdir()
        return path

    def commit(self, partial: Path, manifest: dict) -> Path:
        """Record ``manifest`` (with every output's presence), then switch ``current`` to the
        generation in one step, link the outputs and drop generations no one needs."""
        done = self.write_manifest(partial, manifest)
        final = partial.with_name(partial.name[: -len(PARTIAL)])
        os.replace(partial, final)
        fault_point("switch")
        before = self.current()
        _symlink(f"{GENERATIONS}/{final.name}", self.path / CURRENT)
        fault_point("links")
        self.link_outputs(done["outputs"])
        for g in self.generations.iterdir():
            if g.name not in {final.name, before.name if before else None}:
                _remove(g)
        return final

    def write_manifest(self, generation: Path, manifest: dict) -> dict:
        """Write ``manifest`` into a generation with the presence of each output it holds."""
        outputs = {}
        for name in OUTPUT_NAMES:
            found = presence(generation / name)
            if found is not None:
                outputs[name] = found
        done = dict(manifest, layout=LAYOUT, outputs=outputs)
        tmp = generation / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(done, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, generation / MANIFEST)
        self._manifest = None
        return done

    def link_outputs(self, outputs: dict) -> None:
        """``OUT/NAME → current/NAME`` for every output present; stale links removed."""
        for name in OUTPUT_NAMES:
            link = self.path / name
            if name in outputs:
                if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
                    _symlink(f"{CURRENT}/{name}", link)
            elif link.is_symlink() or os.path.lexists(link):
                _remove(link)
        for x in self.path.glob("graph.lbug.*"):  # sidecars of the layout before
            if not x.is_symlink():
                _remove(x)
