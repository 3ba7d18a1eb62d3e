"""Prepared data kept on disk: the division index, the vocabularies' automata and the scorer's model,
built once per version and pickled, so a process starts in about a second instead of five or more.

Every process that analyses articles (``kg build``, each of its workers, the tests) needs the
division index (built from jionlp's and cpca's tables, ~3 s), the lexicon (~0.6 s) and the
partnership model (a 17 MB JSON file, ~1 s). They depend only on the packaged code, vocabularies,
model file and the versions of the data packages, so each is kept as a pickle named by a digest of
exactly those (``code_version``; the model by its file's digest).

Where: ``$KG_PREPARED_DIR``, else ``$XDG_CACHE_HOME/health-kg``, else ``~/.cache/health-kg``.
``KG_PREPARED_DIR=off`` turns the cache off. A pickle that cannot be read is rebuilt; a folder
that cannot be written is skipped (the data is then built in memory, as without the cache). Files
are written under a temporary name and renamed, so concurrent processes never read half a file.
The files are this package's own: like the result cache, never point the folder at files from a
source you do not trust (pickles run code when loaded).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

#: The packages whose data or behaviour the prepared objects depend on.
PACKAGES = ("jionlp", "cpca", "opencc", "pyahocorasick")


def prepared_dir() -> Path | None:
    """The folder of the pickles, or None when ``KG_PREPARED_DIR=off``."""
    env = os.environ.get("KG_PREPARED_DIR")
    if env:
        return None if env.lower() in ("off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "health-kg"


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


def prepared(name: str, version: str, make: Callable[[], T]) -> T:
    """``make()``'s result, read from ``<name>-<version>.pickle`` when that exists and loads, else
    made and written there (best effort). Older versions of ``name`` are removed when a new one
    is written."""
    folder = prepared_dir()
    if folder is None:
        return make()
    path = folder / f"{name}-{version}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except (pickle.UnpicklingError, EOFError, OSError, AttributeError, ImportError, IndexError,
            TypeError, ValueError):
        pass  # a damaged file, or one a different build of the code wrote: made again below
    value = make()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{name}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full disk: the cache is only a shortcut
    return value
