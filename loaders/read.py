"""Read: files, folders, globs and stdin → raw ``Document`` records (or ``Failure`` records).

Inputs: ``.txt`` (UTF-8 with or without BOM, GB18030/GBK, Big5 — detected with
charset-normalizer), ``.html``/``.htm`` (main text and metadata via trafilatura),
``.jsonl`` and ``.csv`` (one article per record: ``text`` or ``content``, optional
``title``, ``url``, ``published``, ``source``, ``author``), folders (recursive),
globs, and ``-`` for stdin.

Document ids: the file name (``002_91cb4612bce1284b.txt``); when two inputs share
a name, the shortest tail of their paths that tells them apart (``a/x.txt``).
Records are ``NAME#N``: N is the line number in a JSONL file and the data-row
number (1 = first row after the header) in a CSV file.

``Document.raw`` is the decoded file text; for JSONL/CSV records it is the
record's text and for HTML the main text trafilatura extracted, so offsets in
the clean text map into that.

Nothing here raises on bad input: each unreadable file or record becomes a
``Failure(path, reason, record)`` whose reason says what to do. Symlink loops,
dangling links and folders that cannot be listed are failures too.

Partial reads come back as a ``Document`` *and* a ``Failure`` naming what was left out,
so the build reports them (exit code 1, "partial") without losing the article:

* an article longer than ``MAX_CHARS`` (5 million characters, about 15 MB of Chinese
  UTF-8 — no real article comes near it; a file that size is a dump of many) is cut
  there, at the last paragraph break in the final 10% before the limit, so the
  raw-text offsets of everything kept stay exact; split such a file into articles;
* a UTF-8 (or UTF-16) file cut short inside its last character is read up to that
  character.
"""
from __future__ import annotations

import csv
import errno
import glob
import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import InputError
from kg.model import Document, Failure

ARTICLE_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".csv"}
#: Longest article analysed, in characters; longer ones are cut (see the module docstring).
MAX_CHARS = 5_000_000
STDIN = "-"
_KINDS = ", ".join(sorted(ARTICLE_SUFFIXES))

#: Encodings accepted from detection: Unicode and Chinese ones always; others
#: only for nearly-ASCII text (where a wrong guess cannot garble Chinese).
_CJK_ENCODINGS = {"utf_8", "ascii", "gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "cp936",
                  "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"}


class ReadError(InputError, ValueError):
    """A whole file cannot be read; ``problem`` says why and what to do."""


# --------------------------------------------------------------------------- paths


def iter_paths(inputs: Iterable[str]) -> Iterator[Path | Failure]:
    """Expand inputs (files, folders, globs, ``-``) into article file paths, in a stable order."""
    seen: set[str] = set()

    def once(p: Path) -> Iterator[Path | Failure]:
        if str(p) != STDIN and not p.exists():  # a link to nowhere or to itself, found in a folder
            key = os.path.join(os.path.realpath(p.parent), p.name)
            if key not in seen:
                seen.add(key)
                yield Failure(str(p), _broken_link(p))
            return
        key = str(p) if str(p) == STDIN else str(p.resolve())
        if key not in seen:
            seen.add(key)
            yield p

    for item in inputs:
        item = str(item)
        if item == STDIN:
            yield from once(Path(STDIN))
            continue
        p = Path(item).expanduser()
        if p.is_dir():
            problems: list[Failure] = []
            found = _articles_under(p, problems)
            yield from problems
            if not found and not problems:
                yield Failure(str(p), f"folder holds no articles (looked for {_KINDS} files)")
            for f in found:
                yield from once(f)
        elif p.is_file():
            yield from once(p)
        elif p.exists():
            yield Failure(str(p), "not a regular file or folder")
        elif p.is_symlink():
            yield from once(p)
        elif glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            files: list[Path] = []
            problems = []
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    files += _articles_under(mp, problems)
                elif mp.suffix.lower() in ARTICLE_SUFFIXES and (mp.is_file() or mp.is_symlink()):
                    files.append(mp)
            yield from problems
            if not files and not problems:
                yield Failure(item, f"no article files match this pattern ({_KINDS})")
            for f in files:
                yield from once(f)
        else:
            yield Failure(item, "no such file or folder")


def _articles_under(folder: Path, problems: list[Failure] | None = None) -> list[Path]:
    """Article files under ``folder`` (hidden names skipped, folder links not followed), sorted.

    Links to article files are listed even when broken (the caller reports them);
    a subfolder that cannot be listed goes into ``problems``.
    """
    def unlisted(exc: OSError) -> None:
        if problems is not None:
            problems.append(Failure(str(exc.filename or folder),
                                    f"cannot list this folder ({exc.strerror or exc}); its articles were "
                                    f"skipped: give the build permission to read it"))

    out = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=unlisted):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            x = Path(dirpath) / name
            if name.startswith(".") or x.suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            if x.is_file() or x.is_symlink():
                out.append(x)
    return sorted(out, key=lambda q: q.as_posix())


def _broken_link(p: Path) -> str:
    """Why a symlink cannot be followed: a loop, or a target that is not there."""
    try:
        os.stat(p)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop (too many levels of symbolic links); point the link at a real file"
    try:
        target = os.readlink(p)
    except OSError:
        target = "?"
    return f"broken symlink: it points to {target}, which does not exist"


def doc_ids(paths: list[Path]) -> dict[Path, str]:
    """File name as id; names shared by several paths get the shortest distinguishing path tail."""
    by_name: dict[str, list[Path]] = {}
    for p in paths:
        by_name.setdefault("stdin" if str(p) == STDIN else p.name, []).append(p)
    ids: dict[Path, str] = {}
    for name, group in by_name.items():
        if len(group) == 1:
            ids[group[0]] = name
            continue
        parts = [p.resolve().parts for p in group]
        for k in range(2, max(len(x) for x in parts) + 1):
            tails = ["/".join(x[-k:]) for x in parts]
            if len(set(tails)) == len(tails):
                break
        else:
            tails = [p.resolve().as_posix() for p in group]
        ids.update(zip(group, tails))
    return ids


# --------------------------------------------------------------------------- decoding


def _cut_short(data: bytes, enc: str, notes: list[str] | None) -> str | None:
    """The text before the character the file was cut inside of, when that is its only error."""
    skip = 3 if enc == "utf-8-sig" else 0  # that codec counts offsets after the byte-order mark
    body, enc = data[skip:], ("utf-8" if skip else enc)
    try:
        body.decode(enc)
        return None
    except UnicodeDecodeError as exc:
        if exc.end != len(body) or exc.reason not in ("unexpected end of data", "truncated data"):
            return None
        try:
            text = body[:exc.start].decode(enc)
        except UnicodeDecodeError:
            return None
        cut = skip + exc.start
    if notes is not None:
        notes.append(f"the file ends inside a character (cut short?): read up to byte {cut}, "
                     f"the {len(data) - cut} bytes after it were dropped")
    return text


def decode_bytes(data: bytes, notes: list[str] | None = None) -> str:
    """Decode file bytes: BOMs, then strict UTF-8, then charset-normalizer (GB18030/GBK, Big5, ...).

    A UTF-8/UTF-16 file cut inside its last character is read up to it, and a line
    saying so is added to ``notes``.
    """
    if not data:
        raise ReadError("", "empty file")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                text = _cut_short(data, enc, notes)
                if text is not None:
                    return text
                at = exc.start + (3 if enc == "utf-8-sig" else 0)  # that codec counts after the mark
                raise ReadError("", f"starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} "
                                    f"(bad bytes at offset {at}); re-save it as UTF-8") from None
    head = data[:8192]
    if b"\x00" in head:
        text = _detect(data, ["utf_16", "utf_16_le", "utf_16_be", "utf_32"])
        if text is None or _control_share(text) > 0.02:
            raise ReadError("", "binary file, not text (holds NUL bytes)")
        return text
    controls = sum(1 for b in head if b < 0x20 and b not in (9, 10, 12, 13, 27))
    if controls > 0.05 * len(head):
        raise ReadError("", "binary file, not text (too many control bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
        text = _cut_short(data, "utf-8", notes)
        if text is not None:
            return text
    text = _detect(data, None)
    if text is None:
        raise ReadError("", f"cannot decode: not UTF-8 (bad byte 0x{data[bad]:02x} at offset {bad}), "
                            f"GB18030/GBK or Big5 text; re-save it as UTF-8")
    return text


def _detect(data: bytes, only: list[str] | None) -> str | None:
    import charset_normalizer

    results = charset_normalizer.from_bytes(data, cp_isolation=only) if only else charset_normalizer.from_bytes(data)
    ascii_share = sum(1 for b in data[:8192] if b < 0x80) / max(1, min(len(data), 8192))
    for match in ([results.best()] if results.best() else []) + list(results):
        if match is None:
            continue
        enc = match.encoding
        ok = enc in _CJK_ENCODINGS and match.chaos <= 0.3
        ok = ok or (match.chaos <= 0.1 and ascii_share >= 0.95)
        if ok:
            return str(match)
    return None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:4096]
    return sum(1 for c in sample if ord(c) < 0x20 and c not in "\t\n\r\f") / len(sample)


# --------------------------------------------------------------------------- formats


def read_path(path: Path, doc_id: str | None = None, max_chars: int | None = None) -> list[Document | Failure]:
    """Read one file (or stdin for ``-``) into documents; per-record problems come back as ``Failure``.

    Raises ``ReadError`` (a ``ValueError``) when the file as a whole cannot be read.
    A partial read (an article over ``max_chars``, default ``MAX_CHARS``; a file cut
    inside its last character) gives the document and a ``Failure`` saying what was left out.
    """
    notes: list[str] = []
    out = _read_path(path, doc_id, notes)
    where = STDIN if str(path) == STDIN else str(path)
    limit = MAX_CHARS if max_chars is None else max_chars
    for d in list(out):
        if isinstance(d, Document) and len(d.raw) > limit:
            out.append(_cap(d, limit, where))
    return out + [Failure(where, n) for n in notes]


def _cap(d: Document, limit: int, where: str) -> Failure:
    """Cut ``d.raw`` to at most ``limit`` characters (at a paragraph break near the end if there is one)."""
    n = len(d.raw)
    cut = d.raw.rfind("\n", limit - limit // 10, limit) + 1 or limit
    d.raw = d.raw[:cut]
    record = d.id.rpartition("#")[2] if "#" in d.id else None
    return Failure(where, f"article is {n:,} characters, over the limit of {limit:,}: only the first {cut:,} "
                          f"were read; split the file into articles", record)


def _read_path(path: Path, doc_id: str | None, notes: list[str]) -> list[Document | Failure]:
    path = Path(path)
    is_stdin = str(path) == STDIN
    name = doc_id or ("stdin" if is_stdin else path.name)
    where = STDIN if is_stdin else str(path)
    try:
        data = sys.stdin.buffer.read() if is_stdin else path.read_bytes()
    except OSError as exc:
        raise ReadError(where, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise ReadError(where, "empty file" if not data else "file holds only whitespace")
    kind = _sniff(data) if is_stdin else path.suffix.lower()
    try:
        if kind in (".html", ".htm"):
            return [_read_html(data, where, name, notes)]
        if kind == ".jsonl":
            return list(_read_jsonl(data, where, name, notes))
        if kind == ".csv":
            return list(_read_csv(data, where, name, notes))
        text = decode_bytes(data, notes)
    except ReadError as exc:
        raise ReadError(where, exc.problem) from None
    if not text.strip():
        raise ReadError(where, "file holds no text")
    return [Document(id=name, path=where, raw=text)]


def _sniff(data: bytes) -> str:
    head = data.lstrip()[:512]
    if head.startswith(b"<"):
        return ".html"
    first = data.lstrip().split(b"\n", 1)[0].strip()
    if first.startswith(b"{"):
        try:
            if isinstance(json.loads(first.decode("utf-8", "replace")), dict):
                return ".jsonl"
        except ValueError:
            pass
    return ".txt"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def _read_html(data: bytes, where: str, name: str, notes: list[str] | None = None) -> Document:
    import codecs

    import trafilatura

    html = None
    try:  # bytes that are valid UTF-8 are UTF-8, whatever the page declares
        html = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:4096]) if html is None else None
    if m:
        try:
            enc = m.group(1).decode("ascii").lower().replace("gb2312", "gb18030").replace("gbk", "gb18030")
            if codecs.lookup(enc).name.replace("-", "_") in _CJK_ENCODINGS:  # not latin-1 & co: they decode anything
                html = data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            html = None
    if html is None:
        html = decode_bytes(data, notes)
    try:
        res = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          include_tables=True, deduplicate=False)
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        raise ReadError(where, f"cannot parse the HTML ({type(exc).__name__})") from None
    text = getattr(res, "text", None) if res is not None else None
    if not text or not text.strip():
        raise ReadError(where, "no article text found in the HTML page (is it a list or index page?)")
    from loaders.clean import iso_date

    date = getattr(res, "date", None)
    return Document(id=name, path=where, raw=text,
                    title=(getattr(res, "title", None) or None),
                    published=iso_date(date) if date else None,
                    author=getattr(res, "author", None) or None,
                    source=getattr(res, "sitename", None) or None,
                    url=getattr(res, "url", None) or None)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _record(fields: dict, where: str, name: str, n: int) -> Document | Failure:
    from loaders.clean import iso_date

    # JSON escapes can spell lone surrogates ("\ud800"), which no file can hold: U+FFFD instead
    fields = {k: _SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in fields.items()}
    values = [fields.get(k) for k in ("text", "content") if isinstance(fields.get(k), str)]
    if not values:
        return Failure(where, "record has no 'text' or 'content' string field", str(n))
    text = next((v for v in values if v.strip()), "")
    if not text:
        return Failure(where, "record's text is empty; give it a 'text' or 'content' value", str(n))

    def opt(key: str) -> str | None:
        v = fields.get(key)
        return str(v).strip() or None if v not in (None, "") else None

    pub = opt("published") or opt("date")
    return Document(id=f"{name}#{n}", path=where, raw=text, title=opt("title"), url=opt("url"),
                    published=iso_date(pub) if pub else None, source=opt("source"), author=opt("author"))


def _read_jsonl(data: bytes, where: str, name: str, notes: list[str] | None = None) -> Iterator[Document | Failure]:
    text = decode_bytes(data, notes)
    any_record = False
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        any_record = True
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield Failure(where, f"line {n} is not valid JSON ({getattr(exc, 'msg', exc)}); fix or remove that line",
                          str(n))
            continue
        if not isinstance(obj, dict):
            yield Failure(where, f"line {n} is not a JSON object; expected {{\"text\": ...}}", str(n))
            continue
        yield _record(obj, where, name, n)
    if not any_record:
        raise ReadError(where, "JSONL file holds no records")


def _read_csv(data: bytes, where: str, name: str, notes: list[str] | None = None) -> Iterator[Document | Failure]:
    text = decode_bytes(data, notes)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ReadError(where, f"cannot read the CSV header ({exc or 'no rows'})") from None
    cols = [h.strip().lstrip("\ufeff").lower() for h in header]
    if "text" not in cols and "content" not in cols:
        raise ReadError(where, f"CSV header has no 'text' or 'content' column (found: {', '.join(cols)[:80]})")
    n = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Failure(where, f"CSV parse error near line {reader.line_num}: {exc}; the rest of the file was skipped",
                          str(n + 1))
            break
        n += 1
        if not any(cell.strip() for cell in row):
            n -= 1
            continue
        if len(row) != len(cols):
            yield Failure(where, f"row {n} has {len(row)} fields but the header has {len(cols)}; "
                                 f"quote fields that hold commas", str(n))
            continue
        yield _record(dict(zip(cols, row)), where, name, n)
    if n == 0:
        raise ReadError(where, "CSV file holds a header but no rows")


# --------------------------------------------------------------------------- entry points


def iter_documents(inputs: Iterable[str]) -> Iterator[Document | Failure]:
    """Every article from ``inputs`` as a ``Document``, every problem as a ``Failure``; never raises on bad input."""
    items = list(iter_paths(inputs))
    ids = doc_ids([p for p in items if isinstance(p, Path)])
    for p in items:
        if isinstance(p, Failure):
            yield p
            continue
        try:
            yield from read_path(p, ids[p])
        except ReadError as exc:
            yield Failure(str(p), exc.problem)
        except (OSError, ValueError, UnicodeError) as exc:
            yield Failure(str(p), f"cannot read: {exc}")


def content_hash(doc: Document) -> str:
    """SHA-1 of the raw text: the same article read twice hashes the same."""
    return hashlib.sha1(doc.raw.encode("utf-8", "surrogatepass")).hexdigest()
