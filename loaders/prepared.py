"""Prepared data kept on disk: the division index, the vocabularies' automata and the scorer's model,
built once per version and pickled, so a process that analyses starts in about 2 s instead of 8.

Every process that analyses articles (``kg build``, each of its workers, the tests) needs the
division index (built from jionlp's and cpca's tables, ~3 s), the lexicon (~0.6 s) and the
partnership model (a 17 MB JSON file, ~1 s). They depend only on the packaged code, vocabularies,
model file and the versions of the data packages, so each is kept as a pickle named by a digest of
exactly those (``code_version``; the model by that and its file's digest).

Where: ``$KG_PREPARED_DIR``, else ``$XDG_CACHE_HOME/health-kg``, else ``~/.cache/health-kg``.
``KG_PREPARED_DIR=off`` turns the cache off. A file whose digest does not check or that cannot be
unpickled is made again; a folder that cannot be written is skipped (the data is then built in
memory, as without the cache). Files are written under a temporary name and renamed, so concurrent
processes never read half a file; the four newest versions of each are kept.
The files are this package's own: like the result cache, never point the folder at files from a
source you do not trust (pickles run code when loaded).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, TypeVar

from kg.graph import write_atomic

T = TypeVar("T")

#: The packages whose data or behaviour the prepared objects depend on.
PACKAGES = ("jionlp", "cpca", "opencc", "pyahocorasick")


def prepared_dir() -> Path | None:
    """The folder of the pickles, or None when ``KG_PREPARED_DIR=off`` or there is no home folder."""
    env = os.environ.get("KG_PREPARED_DIR")
    if env:
        return None if env.lower() in ("off", "0", "none") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "health-kg"
    try:
        return Path.home() / ".cache" / "health-kg"
    except RuntimeError:  # no HOME and no passwd entry (a container run under a bare uid)
        return None


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of ``loaders/*.py``, every file in ``loaders/vocab/``, the versions of the data
    packages (``PACKAGES``) and Python's major.minor: what the division index and lexicon are
    built from (16 hex digits)."""
    h = hashlib.sha1()
    here = Path(__file__).parent
    for f in sorted(here.glob("*.py")) + sorted((here / "vocab").glob("*")):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    for pkg in PACKAGES:
        try:
            v = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            v = "-"
        h.update(f"{pkg}={v};".encode())
    h.update(f"py{sys.version_info[0]}.{sys.version_info[1]}".encode())
    return h.hexdigest()[:16]


def file_version(path: str | Path) -> str:
    """A digest of one file's bytes (16 hex digits), for data read from a file (the model); worked
    out again only when the file's size or modification time changes. Raises OSError."""
    st = os.stat(path)
    return _file_digest(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:16]


#: How many versions of each prepared object are kept (two checkouts, or a test that swaps the
#: model, then do not keep deleting each other's files).
KEEP = 4
#: A temporary file older than this (seconds) was left by a process killed while writing.
STALE_TMP = 3600


def prepared(name: str, version: str, make: Callable[[], T]) -> T:
    """``make()``'s result, read from ``<name>-<version>.pickle`` when that exists and its digest
    checks, else made and written there (best effort). The file holds the SHA-256 of the pickle
    before the pickle, so a damaged file is made again instead of unpickled (a damaged pickle of an
    Aho-Corasick automaton can crash the process). The ``KEEP`` newest versions of ``name`` stay."""
    folder = prepared_dir()
    if folder is None:
        return make()
    path = folder / f"{name}-{version}.pickle"
    try:
        blob = path.read_bytes()
        if len(blob) > 32 and hashlib.sha256(blob[32:]).digest() == blob[:32]:
            return pickle.loads(blob[32:])
    except FileNotFoundError:
        pass
    except Exception:  # unreadable, or written by code that no longer unpickles it: made again below
        pass
    value = make()
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomic(path, hashlib.sha256(payload).digest() + payload)
        _tidy(folder, name)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only or full disk, or an object that does not pickle: the cache is a shortcut
    return value


def _tidy(folder: Path, name: str) -> None:
    """Remove all but the ``KEEP`` newest versions of ``name`` and temporaries killed writers left."""
    now = time.time()
    versions = []
    for p in folder.glob(f"{name}-*.pickle"):
        try:
            versions.append((p.stat().st_mtime, p))
        except OSError:
            continue
    for _, p in sorted(versions, reverse=True)[KEEP:]:
        p.unlink(missing_ok=True)
    for p in folder.glob(f".{name}-*.pickle.*"):  # (write_atomic's temporaries)
        try:
            if now - p.stat().st_mtime > STALE_TMP:
                p.unlink(missing_ok=True)
        except OSError:
            continue
