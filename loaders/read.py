"""Read: files, folders, globs and stdin → raw ``Document`` records (or ``Failure`` records).

Inputs: ``.txt`` (UTF-8 with or without BOM, UTF-16/32 with a BOM, GB18030/GBK, Big5:
decoded as what the bytes most plausibly are for Chinese text, see :func:`decode_bytes`),
``.html``/``.htm`` (main text and metadata via trafilatura; the declared charset is a
hint that is checked), ``.jsonl`` and ``.csv`` (one article per record: ``text`` or
``content``, optional ``title``, ``url``, ``published``, ``source``, ``author``), folders
(recursive), globs, and ``-`` for stdin. Only regular files are read (a FIFO would wait
for ever, a device never ends), at most ``MAX_PAGE_BYTES`` of an article file and
``MAX_FILE_BYTES`` of a record file.

Document ids: the file name (``002_91cb4612bce1284b.txt``); when two inputs share
a name, the shortest tail of their paths that tells them apart (``a/x.txt``).
Records are ``NAME#N``: N is the line number in a JSONL file and the data-row
number (1 = first row after the header) in a CSV file.

``Document.raw`` is the decoded file text; for JSONL/CSV records it is the
record's text and for HTML the main text trafilatura extracted, so offsets in
the clean text map into that.

Nothing here raises on bad input: each unreadable file or record becomes a
``Failure(path, reason, record)`` whose reason says what to do. Symlink loops,
dangling links, named pipes, devices and folders that cannot be listed are failures too.

Partial reads come back as a ``Document`` *and* a ``Failure`` naming what was left out,
so the build reports them (exit code 1, "partial") without losing the article:

* an article longer than ``MAX_CHARS`` (5 million characters, about 15 MB of Chinese
  UTF-8 — no real article comes near it; a file that size is a dump of many) is cut
  there, at the last paragraph break in the final 10% before the limit, so the
  raw-text offsets of everything kept stay exact; split such a file into articles;
* a file over its size limit is read up to the last line break in it;
* a UTF-8 (or UTF-16) file cut short inside its last character is read up to that
  character;
* a few undecodable byte sequences (at most 1% of the characters) become U+FFFD, counted;
* an encoding that is a guess (another reading is about as plausible) is read, and said so;
* a page whose main text cannot be told apart is read whole, menus and all.

A few NUL bytes are kept in the raw text (cleaning drops them, keeping offsets exact).
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import errno
import glob
import hashlib
import html as html_lib
import io
import json
import os
import re
import stat
import sys
from html import parser as html_parser
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import InputError
from kg.model import Document, Failure

ARTICLE_SUFFIXES = {".txt", ".html", ".htm", ".jsonl", ".csv"}
#: Longest article analysed, in characters; longer ones are cut (see the module docstring).
MAX_CHARS = 5_000_000
STDIN = "-"
_KINDS = ", ".join(sorted(ARTICLE_SUFFIXES))


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
        elif p.exists() or p.is_symlink():  # the reader says what a FIFO or a device is
            yield from once(p)
        elif glob.has_magic(item):
            matches = sorted(glob.glob(item, recursive=True))
            files: list[Path] = []
            problems = []
            for m in matches:
                mp = Path(m)
                if mp.is_dir():
                    files += _articles_under(mp, problems)
                elif mp.suffix.lower() in ARTICLE_SUFFIXES:
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

    Links to article files are listed even when broken, and named pipes, devices and
    sockets with an article's name too (the reader reports them); a subfolder that cannot
    be listed goes into ``problems``.
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
            if not name.startswith(".") and x.suffix.lower() in ARTICLE_SUFFIXES:
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


def _cut_short(data: bytes, enc: str) -> tuple[str, str] | None:
    """(the text before the character the file was cut inside of, a note saying so), when
    that cut is the data's only error in ``enc``."""
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
    return text, (f"the file ends inside a character (cut short?): read up to byte {cut}, "
                  f"the {len(data) - cut} bytes after it were dropped")


#: Encodings Chinese text comes in, tried in this order (the first wins a tie).
CHINESE_ENCODINGS = ("utf-8", "gb18030", "big5hkscs", "cp950")
#: Tried too when NUL bytes are many (ASCII in UTF-16/32 holds NULs).
WIDE_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
#: A share of NUL bytes above this is binary or UTF-16/32; below it, blemishes (cleaning drops them).
NUL_SHARE = 0.01
#: A reading may replace at most this share of its characters (undecodable bytes) and still be used.
MAX_REPLACED = 0.01
#: A decode is certain when the chosen reading is at least 10^CERTAIN times likelier than any other
#: (summed over its characters) and its characters are, on average, no rarer than 10^-IMPLAUSIBLE.
#: Ordinary Chinese text averages 10^-3 to 10^-4 a character; TYPICAL bounds it.
CERTAIN = 3.0
IMPLAUSIBLE = 5.5
TYPICAL = 4.5
_UNKNOWN = 11.0  # cost of a character jionlp never saw (its rarest: about 10)
_SCORED = re.compile(r"[^\t\n\r\x20-\x7e]")  # ASCII reads the same in every 8-bit candidate


@dataclass
class Reading:
    """One way to decode a file: the encoding, the text, and what it had to replace."""

    encoding: str
    text: str
    replaced: int = 0  # undecodable byte sequences that became U+FFFD
    note: str | None = None  # what a partial reading left out or replaced
    cost: float = 0.0  # mean −log10 frequency of its non-ASCII characters in Chinese text
    scored: int = 0  # how many characters the cost is over


@lru_cache(maxsize=1)
def _char_costs() -> dict[str, float]:
    """−log10 of each character's frequency in Chinese text (jionlp's character distribution)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp  # prints a banner on import

        dist = jionlp.char_distribution_loader()
    costs = {c: v["log_prob"] for c, v in dist.items()}
    costs["\ufffd"] = _UNKNOWN
    return costs


@lru_cache(maxsize=None)
def _simplified(c: str) -> str:
    out = _t2s().convert(c)
    return out if len(out) == 1 else c


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def plausibility(text: str, sample: int = 2000) -> tuple[float, int]:
    """How plausible ``text`` is as Chinese: (mean −log10 frequency of its non-ASCII
    characters, in their Simplified form when that is commoner; how many were scored).

    Frequencies from jionlp's character distribution; unseen characters cost 11 (rarer
    than any it saw). Common Chinese characters cost about 2–4, mojibake 6–11.
    """
    chars = _SCORED.findall(text, 0, 200_000)[:sample]
    if not chars:
        return 0.0, 0
    costs = _char_costs()
    total = 0.0
    for c in chars:
        own = costs.get(c, _UNKNOWN)
        # a Traditional form is rare in the (mostly Simplified) counts: score its Simplified one
        total += min(own, costs.get(_simplified(c), _UNKNOWN)) if own > 4.0 else own
    return total / len(chars), len(chars)


def _readings(data: bytes, encodings: Iterable[str]) -> list[Reading]:
    """Every reading of ``data`` in ``encodings``: strict, cut short at the end, or with at most
    MAX_REPLACED of its characters replaced."""
    out = []
    for enc in dict.fromkeys(encodings):
        try:
            out.append(Reading(enc, data.decode(enc)))
            continue
        except UnicodeDecodeError as exc:
            first = exc.start
        except LookupError:
            continue
        cut = _cut_short(data, enc)
        if cut is not None:
            out.append(Reading(enc, cut[0], note=cut[1]))
            continue
        text = data.decode(enc, "replace")
        replaced = len(text) - len(data.decode(enc, "ignore"))
        if replaced <= MAX_REPLACED * len(text):
            out.append(Reading(enc, text, replaced, f"{replaced} byte sequence{'s' * (replaced != 1)} "
                                                    f"not valid in {enc.upper()} (the first at byte {first}) "
                                                    f"became U+FFFD"))
    return out


def _sample(text: str, n: int = 24) -> str:
    s = " ".join(text[:400].split())[:n]
    return "".join(c if c.isprintable() else "?" for c in s)


def choose_reading(readings: list[Reading], prefer: Iterable[str] = ()) -> tuple[Reading, str | None]:
    """The most plausible reading as Chinese text, and a note when that choice is a guess.

    A reading in a ``prefer`` encoding (a page's declared charset; UTF-8, which random
    bytes seldom are) is kept unless another reads clearly better (10^CERTAIN times likelier)
    as ordinary Chinese (characters no rarer than 10^-TYPICAL on average): a declaration
    is a hint to verify, not a fact.
    """
    for r in readings:
        r.cost, r.scored = plausibility(r.text)  # a U+FFFD costs as much as an unseen character
    order = {r.encoding: i for i, r in enumerate(readings)}
    ranked = sorted(readings, key=lambda r: (r.cost, order[r.encoding]))
    best = ranked[0]
    for enc in prefer:
        hint = next((r for r in readings if r.encoding == enc and not r.replaced), None)
        if hint is not None:
            if not ((hint.cost - best.cost) * hint.scored >= CERTAIN and best.cost <= TYPICAL):
                best = hint
            break
    others = [r for r in ranked if r.text != best.text]
    if best.scored and best.cost > IMPLAUSIBLE:
        return best, (f"the encoding is a guess: no reading looks like Chinese text; read as "
                      f"{best.encoding.upper()} ({_sample(best.text)!r}…); re-save it as UTF-8")
    if others and (others[0].cost - best.cost) * best.scored < CERTAIN:
        alt = others[0]
        return best, (f"the encoding is a guess: read as {best.encoding.upper()} ({_sample(best.text)!r}…), "
                      f"but {alt.encoding.upper()} reads almost as well ({_sample(alt.text)!r}…); "
                      f"re-save it as UTF-8 to be sure")
    return best, None


#: Every byte but the control bytes that mark a binary file (below 0x20, except NUL, tab, newline,
#: form feed, carriage return and escape): deleted, what is left is counted.
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 0x20 and b not in (0, 9, 10, 12, 13, 27)))
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_bytes(data: bytes, notes: list[str] | None = None, declared: str | None = None) -> str:
    """Decode file bytes as what they most plausibly are for Chinese text.

    BOMs first; then UTF-8 when the bytes are valid UTF-8 with enough multi-byte characters
    to be sure; otherwise every reading in UTF-8, GB18030, Big5 (and UTF-16/32 when NUL
    bytes are many; the ``declared`` charset of a page) is scored with jionlp's character
    frequencies and the most plausible wins (:func:`choose_reading`). A reading may be cut
    short inside its last character or replace a few undecodable bytes with U+FFFD; a line
    saying so goes to ``notes``, as does an uncertain choice. A few NUL bytes are kept
    (cleaning drops them). Raises ReadError with the reason when nothing reads as text.
    """
    if not data:
        raise ReadError("", "empty file")
    failed: list[tuple[str, UnicodeDecodeError]] = []
    for enc in [enc for bom, enc in _BOMS if data.startswith(bom)]:  # FF FE 00 00: UTF-32, or UTF-16 + U+0000
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            failed.append((enc, exc))
    if failed:
        enc, exc = failed[0]
        cut = _cut_short(data, enc)
        if cut is not None:
            _note(notes, cut[1])
            return cut[0]
        at = exc.start + (3 if enc == "utf-8-sig" else 0)  # that codec counts after the mark
        raise ReadError("", f"starts with a {enc.upper()} byte-order mark but is not valid {enc.upper()} "
                            f"(bad bytes at offset {at}); re-save it as UTF-8")
    nuls = data.count(b"\x00")
    wide = nuls > NUL_SHARE * len(data)
    head = data[:8192]
    controls = len(head.translate(None, _NOT_CONTROL))
    if not wide and controls > 0.05 * len(head):
        raise ReadError("", "binary file, not text (too many control bytes)")
    if not wide:
        try:
            text = data.decode("utf-8")
            if text.isascii() or len(data) - len(text) >= 32:  # 16+ multi-byte characters: UTF-8 for sure
                return text
        except UnicodeDecodeError:
            pass
    encodings = ([_codec(declared)] if declared else []) + list(WIDE_ENCODINGS if wide else CHINESE_ENCODINGS)
    readings = _readings(data, encodings)
    if wide:  # UTF-16/32 that reads as text, or binary
        readings = [r for r in readings if not r.replaced and _control_share(r.text) <= 0.02
                    and plausibility(r.text)[0] <= IMPLAUSIBLE]
        if not readings:
            raise ReadError("", f"binary file, not text ({nuls:,} of its {len(data):,} bytes are NUL)")
    if not any(not r.replaced for r in readings):
        text = _detect(data)  # another encoding of nearly-ASCII text (Latin-1 & co.)
        if text is not None:
            return text
    if not readings:
        bad = _first_bad(data)
        raise ReadError("", f"cannot decode: not UTF-8 (bad byte 0x{data[bad]:02x} at offset {bad}), GB18030/GBK "
                            f"or Big5 text, even with 1% of it replaced; re-save it as UTF-8")
    best, doubt = choose_reading(readings, ([_codec(declared)] if declared else []) + ["utf-8"])
    _note(notes, best.note)
    _note(notes, doubt)
    return best.text


#: Declared charsets read with the encoding that contains them (GB2312 and GBK pages hold GB18030
#: characters; Big5 pages HKSCS ones).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "big5": "big5hkscs"}


def _codec(name: str) -> str:
    """A charset name as Python's codec name (its superset for GB2312, GBK and Big5); "" if unknown."""
    try:
        canon = codecs.lookup(name).name
    except LookupError:
        return ""
    return _SUPERSETS.get(canon, canon)


def _note(notes: list[str] | None, note: str | None) -> None:
    if notes is not None and note:
        notes.append(note)


def _first_bad(data: bytes) -> int:
    try:
        data.decode("utf-8")
        return 0
    except UnicodeDecodeError as exc:
        return exc.start


def _detect(data: bytes) -> str | None:
    """charset-normalizer's reading of nearly-ASCII text in a non-Chinese encoding, if clean."""
    import charset_normalizer

    ascii_share = sum(1 for b in data[:8192] if b < 0x80) / max(1, min(len(data), 8192))
    if ascii_share < 0.95:
        return None
    best = charset_normalizer.from_bytes(data).best()
    return str(best) if best is not None and best.chaos <= 0.1 else None


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:4096]
    return sum(1 for c in sample if ord(c) < 0x20 and c not in "\t\n\r\f") / len(sample)


# --------------------------------------------------------------------------- formats


def read_path(path: Path, doc_id: str | None = None, max_chars: int | None = None) -> list[Document | Failure]:
    """Read one file (or stdin for ``-``) into documents; per-record problems come back as ``Failure``.

    Raises ``ReadError`` (a ``ValueError``) when the file as a whole cannot be read. Only
    regular files are read (a FIFO would wait for ever, a device never ends), at most
    ``MAX_PAGE_BYTES`` of an article file and ``MAX_FILE_BYTES`` of a JSONL or CSV file.
    A partial read (an article over ``max_chars``, default ``MAX_CHARS``; a file over its
    size limit; a file cut inside its last character; bytes that had to be replaced; an
    encoding that is a guess) gives the document and a ``Failure`` saying what happened.
    """
    notes: list[str] = []
    out, size = _read_path(path, doc_id, notes)
    where = STDIN if str(path) == STDIN else str(path)
    limit = MAX_CHARS if max_chars is None else max_chars
    for d in list(out):
        if isinstance(d, Document) and len(d.raw) > limit:
            out.append(_cap(d, limit, where, size))
            size = None
    if size is not None:
        notes.insert(0, f"file is {size:,} bytes, over the limit of {_limit(where):,} for this kind of file: "
                        f"only what its first {_limit(where):,} bytes hold was read; split it")
    return out + [Failure(where, n) for n in notes]


def _cap(d: Document, limit: int, where: str, size: int | None = None) -> Failure:
    """Cut ``d.raw`` to at most ``limit`` characters (at a paragraph break near the end if there is one)."""
    n = len(d.raw)
    cut = d.raw.rfind("\n", limit - limit // 10, limit) + 1 or limit
    d.raw = d.raw[:cut]
    record = d.id.rpartition("#")[2] if "#" in d.id else None
    length = f"{n:,} characters" if size is None else f"over {n:,} characters (a file of {size:,} bytes)"
    return Failure(where, f"article is {length}, over the limit of {limit:,}: only the first {cut:,} "
                          f"were read; split the file into articles", record)


#: Largest article file read (text, HTML), in bytes: room for MAX_CHARS characters of any encoding.
MAX_PAGE_BYTES = 4 * MAX_CHARS
#: Largest record file read (JSONL, CSV), in bytes; records past it are reported, not read.
MAX_FILE_BYTES = 256 * 2**20
_KIND_NAMES = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device",
               stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _limit(where: str) -> int:
    return MAX_FILE_BYTES if Path(where).suffix.lower() in (".jsonl", ".csv") or where == STDIN else MAX_PAGE_BYTES


def _read_bytes(path: Path, limit: int) -> tuple[bytes, int | None]:
    """At most ``limit`` bytes of a regular file (or stdin), and the size when it is larger.

    Anything but a regular file is a ReadError: opened without blocking and checked on the
    open descriptor, so a FIFO or a device swapped in meanwhile is caught too.
    """
    if str(path) == STDIN:
        data = sys.stdin.buffer.read(limit + 1)
        return (data, None) if len(data) <= limit else (data[:limit], len(data))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        kind = stat.S_IFMT(os.stat(path).st_mode)
        fd = os.open(path, flags) if kind == stat.S_IFREG else None
    except OSError as exc:
        raise ReadError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if fd is None:
        what = _KIND_NAMES.get(kind, "not a file")
        link = f"; it is a link to {os.path.realpath(path)}" if os.path.islink(path) else ""
        raise ReadError(str(path), f"not a regular file ({what}{link}); only regular files are read")
    with open(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadError(str(path), "not a regular file (it changed while being opened)")
        try:
            data = fh.read(limit)
        except OSError as exc:
            raise ReadError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return data, (size if size > limit else None)


def _read_path(path: Path, doc_id: str | None, notes: list[str]) -> tuple[list[Document | Failure], int | None]:
    """The file's documents and records, and its size when it was over its limit (only its
    first part was read, up to the last line break in it)."""
    path = Path(path)
    is_stdin = str(path) == STDIN
    name = doc_id or ("stdin" if is_stdin else path.name)
    where = STDIN if is_stdin else str(path)
    data, size = _read_bytes(path, _limit(where))
    if size is not None:
        data = data[: data.rfind(b"\n") + 1] or data
    if not data.strip():
        raise ReadError(where, "empty file" if not data else "file holds only whitespace")
    kind = _sniff(data) if is_stdin else path.suffix.lower()
    try:
        if kind in (".html", ".htm"):
            return [_read_html(data, where, name, notes)], size
        if kind == ".jsonl":
            return list(_read_jsonl(data, where, name, notes)), size
        if kind == ".csv":
            return list(_read_csv(data, where, name, notes)), size
        text = decode_bytes(data, notes)
    except ReadError as exc:
        raise ReadError(where, exc.problem) from None
    if not text.strip():
        raise ReadError(where, "file holds no text")
    return [Document(id=name, path=where, raw=text)], size


def _sniff(data: bytes) -> str:
    head = data.lstrip()[:512]
    if head.startswith(b"<"):
        return ".html"
    first = data.lstrip().split(b"\n", 1)[0].strip()
    if first.startswith(b"{"):
        try:
            if isinstance(json.loads(first.decode("utf-8", "replace")), dict):
                return ".jsonl"
        except (ValueError, RecursionError):
            pass
    return ".txt"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
#: Attribute values longer than this (inline images, data blobs) are dropped before extraction:
#: they are never article text, and an 11 MB one took trafilatura 8 s.
_MAX_ATTRIBUTE = 4096


def _parse_html(html: str):
    """An lxml tree of the page, with libxml2's limits lifted (nesting past 256, text nodes
    and attributes over 10 MB) and giant attribute values dropped; None if it does not parse
    or hits a limit even so (nesting past 2048: the tree would have lost what lies deeper)."""
    from lxml.html import HTMLParser, fromstring

    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                        remove_pis=True, huge_tree=True)
    try:
        tree = fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except Exception:  # lxml raises several types on hopeless markup
        return None
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        return None
    for el in tree.iter():
        for key, value in list(el.attrib.items()):
            if len(value) > _MAX_ATTRIBUTE:
                del el.attrib[key]
    return tree


def _read_html(data: bytes, where: str, name: str, notes: list[str] | None = None) -> Document:
    """The main text and metadata of a page (trafilatura); when it finds none, the page's whole
    text, unless that is mostly links (a list or index page) or nothing at all."""
    import trafilatura

    m = _META_CHARSET.search(data[:4096])
    html = decode_bytes(data, notes, declared=m.group(1).decode("ascii") if m else None)
    tree = _parse_html(html)
    res = None
    if tree is not None:
        try:
            res = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False,
                                              include_tables=True, deduplicate=False)
        except Exception:  # trafilatura raises many types on broken markup: the fallback reads it
            res = None
    text = getattr(res, "text", None) if res is not None else None
    title = getattr(res, "title", None) or None
    if not text or not text.strip():
        page = _PageText.of(html)
        if not page.text:
            raise ReadError(where, "the page holds no text (only markup, scripts or styles)")
        if page.link_share >= 0.5:
            raise ReadError(where, f"no article text: {page.link_share:.0%} of the page's text is links "
                                   f"(a list or index page?)")
        deep = f" (its markup nests {page.depth} levels deep)" if page.depth > 256 else ""
        _note(notes, f"no main text could be told apart from the rest of the page{deep}: its whole text "
                     f"was read, menus included")
        text, title = page.text, title or page.title or None
    text = _with_page_title(html, title, text)
    from loaders.clean import iso_date

    date = getattr(res, "date", None)
    return Document(id=name, path=where, raw=text, title=title,
                    published=iso_date(date) if date else None,
                    author=getattr(res, "author", None) or None,
                    source=getattr(res, "sitename", None) or None,
                    url=getattr(res, "url", None) or None)


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


def _with_page_title(html: str, headline: str | None, text: str) -> str:
    """The text with the page's ``<title>`` as its first line, unless the text already opens with it.

    A page title is often the only place a hospital's site names itself (院长赴甲县调研-乙医院:
    乙 is who 我院 is), and its headline states the news; the main-text extractor leaves both out.
    """
    m = _TITLE_TAG.search(html, 0, 65536)
    line = " ".join(html_lib.unescape(m.group(1)).split()) if m else ""
    if not line or len(line) > 160:
        line = " ".join((headline or "").split())
    text = text.lstrip()
    first, _, rest = text.partition("\n")
    if not line or line == first.strip():
        return text
    if first.strip() and line.startswith(first.strip()):  # the headline, then the site: one line
        return f"{line}\n{rest}"
    return f"{line}\n{text}"


class _PageText(html_parser.HTMLParser):
    """A page's text outside scripts and styles, read as a stream of tags (the standard
    library's parser: no nesting limit), with the share of it inside links."""

    SKIP = {"script", "style", "noscript", "template", "svg", "title"}
    BREAK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "article", "blockquote", "pre", "dd", "dt", "table", "ul", "ol", "header", "footer"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.titles: list[str] = []
        self.skip: list[str] = []
        self.links = self.link_chars = self.chars = self.open = self.depth = 0

    @classmethod
    def of(cls, html: str) -> "_PageText":
        p = cls()
        p.feed(html)
        p.close()
        return p

    def handle_starttag(self, tag, attrs):
        self.open += 1
        self.depth = max(self.depth, self.open)
        if tag in self.SKIP:
            self.skip.append(tag)
        elif tag == "a":
            self.links += 1
        if tag in self.BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.open = max(0, self.open - 1)
        if self.skip and self.skip[-1] == tag:
            self.skip.pop()
        elif tag == "a":
            self.links = max(0, self.links - 1)
        if tag in self.BREAK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skip:
            if self.skip[-1] == "title":
                self.titles.append(data)
            return
        self.parts.append(data)
        n = len("".join(data.split()))
        self.chars += n
        if self.links:
            self.link_chars += n

    @property
    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).split("\n"))
        return "\n".join(line for line in lines if line)

    @property
    def title(self) -> str:
        return " ".join("".join(self.titles).split())

    @property
    def link_share(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


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

    def opt(key: str) -> str | None:  # a metadata value; lists and objects are not metadata
        v = fields.get(key)
        return str(v).strip() or None if isinstance(v, (str, int, float)) and v != "" else None

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
        except RecursionError:
            yield Failure(where, f"line {n} nests brackets too deeply to read (over "
                                 f"{sys.getrecursionlimit()} levels); fix or remove that line", str(n))
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
        except csv.Error as exc:  # the reader starts afresh on the next line
            n += 1
            yield Failure(where, f"row {n} (near line {reader.line_num}) cannot be parsed: {exc}", str(n))
            continue
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


def iter_documents(inputs: Iterable[str],
                   items: list[Path | Failure] | None = None) -> Iterator[Document | Failure]:
    """Every article from ``inputs`` as a ``Document``, every problem as a ``Failure``; never raises on bad input.

    ``items``: the inputs already expanded by :func:`iter_paths` (so a caller that counted
    them first does not walk the folders twice).
    """
    items = list(iter_paths(inputs)) if items is None else items
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
        except Exception as exc:  # one hostile file never sinks the batch
            yield Failure(str(p), f"could not be read: {type(exc).__name__}: {exc}")


def count_articles(items: Iterable[Path | Failure]) -> int:
    """About how many records :func:`iter_documents` yields for expanded inputs, to show a total.

    One per file or failure; one per non-blank line of a .jsonl and per line after the
    header of a .csv, counted on the bytes the reader will read (regular files only, up to
    ``MAX_FILE_BYTES``) without decoding: a CSV field holding line breaks makes it an
    over-estimate. Standard input counts one.
    """
    n = 0
    for p in items:
        suffix = p.suffix.lower() if isinstance(p, Path) and str(p) != STDIN else ""
        if suffix not in (".jsonl", ".csv"):
            n += 1
            continue
        try:
            data, _ = _read_bytes(p, MAX_FILE_BYTES)
        except ReadError:
            n += 1  # it will be one failure
            continue
        lines = sum(1 for line in data.splitlines() if line.strip())
        n += max(1, lines - 1 if suffix == ".csv" else lines)
    return n


def content_hash(doc: Document) -> str:
    """SHA-1 of the raw text: the same article read twice hashes the same."""
    return hashlib.sha1(doc.raw.encode("utf-8", "surrogatepass")).hexdigest()
