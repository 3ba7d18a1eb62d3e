"""Read: files, folders, globs → raw ``Document`` records (or ``Failure`` records)."""
from __future__ import annotations

import glob
import hashlib
from pathlib import Path
from typing import Iterable, Iterator

from kg.model import Document, Failure

ARTICLE_SUFFIXES = {".txt"}


def iter_paths(inputs: Iterable[str]) -> Iterator[Path | Failure]:
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                yield Failure(str(p), "folder holds no articles (.txt)")
            yield from found
        elif p.is_file():
            yield p
        else:
            matches = sorted(glob.glob(item, recursive=True))
            if matches:
                yield from (Path(m) for m in matches if Path(m).is_file())
            else:
                yield Failure(item, "no such file or folder")


def read_path(path: Path) -> list[Document]:
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data[:4096]:
        raise ValueError("binary file, not text")
    text = data.decode("utf-8-sig")
    return [Document(id=path.name, path=str(path), raw=text)]


def iter_documents(inputs: Iterable[str]) -> Iterator[Document | Failure]:
    for p in iter_paths(inputs):
        if isinstance(p, Failure):
            yield p
            continue
        try:
            yield from read_path(p)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            yield Failure(str(p), str(exc))


def content_hash(doc: Document) -> str:
    return hashlib.sha1(doc.raw.encode("utf-8")).hexdigest()
