"""Clean: raw article text → clean Simplified prose, metadata, and the offset map back to raw.

``clean(doc)`` runs small steps in order (see ``STEPS``); each one edits the text
through ``Buf``, which carries, for every current character, the raw span it came
from, so ``doc.raw_span(a, b)`` stays exact whatever the steps did.

Conventions of the clean text (for the extraction stage):

* Simplified Chinese (OpenCC ``t2s``), pinyin glosses and broken-encoding holes removed.
* Paragraphs are separated by a single ``"\\n"``; no blank lines, no leading or
  trailing spaces; runs of spaces become one space.
* Punctuation in Chinese text is full width: ，。；：！？（）、 (ASCII ``, ; : ! ? ( )``
  next to Chinese become full width; ``,`` between digits, ``:`` in times and URLs,
  ``.`` and ``%`` stay ASCII; full-width letters and digits become ASCII).
  Runs such as ``，，`` ``，、`` ``，。`` collapse to the strongest mark.
  Split sentences on 。！？； and newlines.
* Spun (synonym-swapped) words are repaired (``doc.spun`` tells whether the
  document was detected as spun); a repaired word maps to the raw span of the
  spun word.
* Metadata: ``title`` (headline as written, in clean-text form, never invented),
  ``published`` (ISO date), ``source`` (outlet), ``author``. Values the reader
  already set (JSONL/CSV fields, HTML metadata) are kept.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import ahocorasick
import numpy as np
import opencc

from kg.model import CleanStep, Document, OffsetMap

from .dates import DATE_RE, iso_date  # noqa: F401  (iso_date: the readers take it from here)

VOCAB = Path(__file__).with_name("vocab")
_T2S = opencc.OpenCC("t2s")
_MAX_EXAMPLES = 5

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")


# --------------------------------------------------------------------------- buffer


class Buf:
    """Text being cleaned plus, per character, the raw span ``[s[i], e[i])`` it came from."""

    __slots__ = ("text", "s", "e")

    def __init__(self, text: str, s: np.ndarray, e: np.ndarray):
        self.text, self.s, self.e = text, s, e

    @classmethod
    def of(cls, raw: str) -> "Buf":
        idx = np.arange(len(raw), dtype=np.int64)
        return cls(raw, idx, idx + 1)

    def edit(self, edits: list[tuple[int, int, str]], whole: bool = False,
             maps: list[list[tuple[int, int]]] | None = None) -> None:
        """Apply sorted, non-overlapping ``(a, b, replacement)`` edits (``a < b``).

        A replacement of the same length maps character by character (unless
        ``whole``); any other maps each new character to the whole replaced span,
        unless ``maps`` (one list per edit, as long as its replacement) says where each
        came from: ``(i, j)`` per replacement character, the current characters
        ``[a + i, a + j)`` (``0 <= i < j <= b - a``; neighbours may overlap, both ends
        non-decreasing).
        """
        if not edits:
            return
        text, n = self.text, len(self.text)
        starts, ends, reps = zip(*edits)
        a = np.asarray(starts, dtype=np.int64)
        b = np.asarray(ends, dtype=np.int64)
        rl = np.fromiter(map(len, reps), dtype=np.int64, count=len(reps))
        prev = np.concatenate(([0], b[:-1]))
        gaps = [text[p:q] for p, q in zip(prev.tolist(), starts)]
        new_text = "".join([x for pair in zip(gaps, reps) for x in pair]) + text[ends[-1]:]
        k = len(edits)
        # segments alternate gap_0, edit_0, gap_1, edit_1, ..., tail
        seg_s = np.empty(2 * k + 1, dtype=np.int64)
        seg_e = np.empty(2 * k + 1, dtype=np.int64)
        seg_len = np.empty(2 * k + 1, dtype=np.int64)
        seg_step = np.ones(2 * k + 1, dtype=np.int64)
        copy = np.zeros(k, dtype=bool) if whole else rl == (b - a)
        seg_s[0:2 * k:2] = prev
        seg_e[0:2 * k:2] = prev
        seg_len[0:2 * k:2] = a - prev
        seg_s[1:2 * k:2] = a
        seg_e[1:2 * k:2] = np.where(copy, a, b - 1)
        seg_len[1:2 * k:2] = rl
        seg_step[1:2 * k:2] = copy
        seg_s[-1] = seg_e[-1] = b[-1]
        seg_len[-1] = n - b[-1]
        total = int(seg_len.sum())
        if total == 0:
            self.text, self.s, self.e = "", self.s[:0], self.e[:0]
            return
        seg_start_new = np.cumsum(seg_len) - seg_len
        within = np.arange(total, dtype=np.int64) - np.repeat(seg_start_new, seg_len)
        step = np.repeat(seg_step, seg_len)
        idx_s = np.repeat(seg_s, seg_len) + within * step
        idx_e = np.repeat(seg_e, seg_len) + within * step
        if maps:  # one (i, j) per replacement character
            at, src_s, src_e = [], [], []
            for new_at, old_at, spans in zip(seg_start_new[1:2 * k:2].tolist(), starts, maps):
                for t, (i, j) in enumerate(spans):
                    at.append(new_at + t)
                    src_s.append(old_at + i)
                    src_e.append(old_at + j - 1)
            idx_s[at] = src_s
            idx_e[at] = src_e
        self.text, self.s, self.e = new_text, self.s[idx_s], self.e[idx_e]

    def delete(self, spans: Iterable[tuple[int, int]], new_text: str | None = None) -> None:
        """Delete sorted, non-overlapping spans (``new_text``: the result, if already known)."""
        spans = [(a, b) for a, b in spans if b > a]
        if not spans:
            return
        n = len(self.text)
        arr = np.asarray(spans, dtype=np.int64)
        delta = np.zeros(n + 1, dtype=np.int32)
        delta[arr[:, 0]] += 1
        delta[arr[:, 1]] -= 1
        keep = np.cumsum(delta[:n]) == 0
        if new_text is None:
            text = self.text
            prev = [0] + arr[:, 1].tolist()
            new_text = "".join([text[p:q] for p, q in zip(prev, arr[:, 0].tolist() + [n])])
        self.text = new_text
        self.s, self.e = self.s[keep], self.e[keep]

    def sub(self, pattern: re.Pattern, repl: Callable[[re.Match], str | None] | str) -> tuple[int, list[str]]:
        """Regex substitution that keeps the map; ``repl`` may return None to skip a match."""
        text = self.text
        if repl == "":
            spans = [m.span() for m in pattern.finditer(text)]
            spans = [(a, b) for a, b in spans if b > a]
            examples = [_example(text, a, b, "") for a, b in spans[:_MAX_EXAMPLES]]
            self.delete(spans)
            return len(spans), examples
        edits, examples = [], []
        for m in pattern.finditer(text):
            if m.end() == m.start():
                continue
            rep = repl if isinstance(repl, str) else repl(m)
            if rep is None or rep == m.group():
                continue
            edits.append((m.start(), m.end(), rep))
            if len(examples) < _MAX_EXAMPLES:
                examples.append(_example(text, m.start(), m.end(), rep))
        if edits and all(len(r) == q - p for p, q, r in edits):
            pieces, prev = [], 0
            for p, q, r in edits:
                pieces += (text[prev:p], r)
                prev = q
            pieces.append(text[prev:])
            self.text = "".join(pieces)  # same lengths: the map is unchanged
        else:
            self.edit(edits)
        return len(edits), examples

    def lines(self) -> list[tuple[int, int, str]]:
        """``(start, end, line)`` for each line (end excludes the newline)."""
        out, pos = [], 0
        for line in self.text.split("\n"):
            out.append((pos, pos + len(line), line))
            pos += len(line) + 1
        return out

    def offsets(self) -> OffsetMap:
        return OffsetMap(starts=self.s.tolist(), ends=self.e.tolist())


def _example(text: str, a: int, b: int, rep: str) -> str:
    old = text[a:b].replace("\n", "⏎")
    if len(old) > 40:
        old = old[:37] + "…"
    return f"{old} → {rep.replace(chr(10), '⏎')}" if rep else f"−{old}"


def _delete_lines(buf: Buf, spans: list[tuple[int, int]]) -> list[str]:
    """Delete whole lines (with their newline); returns examples."""
    text = buf.text
    edits = []
    for a, b in sorted(set(spans)):
        b = min(b + 1, len(text))  # take the newline
        if edits and a < edits[-1][1]:
            a = edits[-1][1]
        if b > a:
            edits.append((a, b, ""))
    examples = [_example(text, a, b, "") for a, b, _ in edits if text[a:b].strip()][:_MAX_EXAMPLES]
    buf.edit(edits)
    return examples


# --------------------------------------------------------------------------- vocab


@functools.lru_cache(maxsize=None)
def _boilerplate_rx() -> dict[str, list[tuple[re.Pattern, int]]]:
    """Markers of each kind (and each length limit) joined into one regex."""
    out: dict[str, list[tuple[re.Pattern, int]]] = {}
    for kind, items in load_boilerplate().items():
        by_limit: dict[int, list[str]] = {}
        for rx, lim in items:
            by_limit.setdefault(lim, []).append(rx.pattern)
        if kind == "inline":  # kept apart: each runs as its own substitution
            out[kind] = [(re.compile(rx.pattern, re.M), lim) for rx, lim in items]
            continue
        out[kind] = [(re.compile("|".join(f"(?:{p})" for p in pats), re.M), lim) for lim, pats in by_limit.items()]
    # footer, tail, block, title and line markers in one search; the group name tells which
    strong = "|".join(f"(?P<{k}>{'|'.join(f'(?:{rx.pattern})' for rx, _ in load_boilerplate()[k])})"
                      for k in ("footer", "tail", "block", "title", "line") if load_boilerplate()[k])
    out["strong"] = [(re.compile(strong or "(?!)", re.M), 0)]
    return out


@functools.lru_cache(maxsize=None)
def load_boilerplate(path: str | None = None) -> dict[str, list[tuple[re.Pattern, int]]]:
    """Parse ``boilerplate.txt`` into ``{kind: [(regex, max_len)]}``."""
    kinds: dict[str, list[tuple[re.Pattern, int]]] = {
        k: [] for k in ("short", "line", "footer", "tail", "block", "inline", "title")}
    p = Path(path) if path else VOCAB / "boilerplate.txt"
    for n, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        kind, _, rx = raw.partition("\t")
        kind, _, limit = kind.strip().partition(":")
        if kind not in kinds or not rx:
            raise ValueError(f"{p}:{n}: expected KIND<TAB>REGEX with KIND in {sorted(kinds)}")
        kinds[kind].append((re.compile(rx), int(limit) if limit else 40))
    return kinds


@dataclass(frozen=True)
class SpinRule:
    """One row of ``spin.tsv``."""

    spun: str
    real: str
    when: str  # always | context | spun
    signal: bool
    before: re.Pattern | None
    after: re.Pattern | None


@functools.lru_cache(maxsize=None)
def load_spin(path: str | None = None) -> tuple[SpinRule, ...]:
    """Parse ``spin.tsv`` (see its header for the columns)."""
    p = Path(path) if path else VOCAB / "spin.tsv"
    rules, header = [], None
    for n, raw in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if header is None:
            header = cols
            continue
        cols += [""] * (6 - len(cols))
        spun, real, when, signal, before, after = cols[:6]
        if when not in ("always", "context", "spun") or not spun:
            raise ValueError(f"{p}:{n}: bad row (when must be always|context|spun)")
        rules.append(SpinRule(spun, real, when, signal.strip() == "1",
                              re.compile(f"(?:{before})$") if before else None,
                              re.compile(after) if after else None))
    return tuple(rules)


@functools.lru_cache(maxsize=None)
def _spin_index(path: str | None = None):
    """Spin rules by spun form (table order) and an Aho-Corasick automaton over all spun forms."""
    rules = load_spin(path)
    by_form: dict[str, list[SpinRule]] = {}
    for r in rules:
        by_form.setdefault(r.spun, []).append(r)
    auto = ahocorasick.Automaton()
    for form in by_form:
        auto.add_word(form, form)
    if by_form:
        auto.make_automaton()
    signals = frozenset(r.spun for r in rules if r.signal)
    return by_form, auto, signals


def _spin_hits(text: str) -> list[tuple[int, str]]:
    """(start, spun form) of every known spun form in ``text``, by start then longest first."""
    by_form, auto, _ = _spin_index(None)
    if not by_form or not text:
        return []
    hits = [(end - len(form) + 1, form) for end, form in auto.iter(text)]
    hits.sort(key=lambda h: (h[0], -len(h[1])))
    return hits


@functools.lru_cache(maxsize=None)
def _mojibake_words() -> dict[int, list[str]]:
    """Words from ``clean_mojibake_words.txt`` keyed by the GBK trail byte of their last char (file order)."""
    out: dict[int, list[str]] = {}
    for line in (VOCAB / "clean_mojibake_words.txt").read_text(encoding="utf-8").splitlines():
        w = line.strip()
        if len(w) < 2 or w.startswith("#"):
            continue
        b = _gbk(w[-1])
        if b and len(b) == 2:
            out.setdefault(b[1], []).append(w)
    return out


# --------------------------------------------------------------------------- steps

def _ranges(codepoints: Iterable[int]) -> str:
    """A regex character-class body for sorted code points, as ranges."""
    out, run = [], []
    for cp in codepoints:
        if run and cp == run[-1] + 1:
            run.append(cp)
            continue
        if run:
            out.append(re.escape(chr(run[0])) + ("-" + re.escape(chr(run[-1])) if len(run) > 1 else ""))
        run = [cp]
    if run:
        out.append(re.escape(chr(run[0])) + ("-" + re.escape(chr(run[-1])) if len(run) > 1 else ""))
    return "".join(out)


#: Invisible characters dropped before anything else reads the text: every format
#: character (Unicode category Cf: zero-width spaces and joiners, direction marks,
#: BOM, soft hyphen, tags …; Unicode assigns them only in planes 0, 1 and 14) and
#: the variation selectors (FE00–FE0F, E0100–E01EF, Mongolian 180B–180D and 180F).
_INVISIBLE = frozenset(chr(cp) for cp in (
    {cp for plane in (range(0x20000), range(0xE0000, 0xE1000)) for cp in plane
     if unicodedata.category(chr(cp)) == "Cf"}
    | set(range(0xFE00, 0xFE10)) | set(range(0xE0100, 0xE01F0)) | {0x180B, 0x180C, 0x180D, 0x180F}))
# One character class, so one fast scan: the BMP invisibles by name, and every character
# beyond the BMP (rare; the replacement keeps all but the invisible ones).
_CONTROL_RE = re.compile("\r\n|[\r\u00a0\u2000-\u200a\u202f\u205f\u3000\x00-\x08\x0b-\x1f\x7f-\x9f"
                         "\u2028\u2029\ufffd\ud800-\udfff"
                         + _ranges(sorted(ord(c) for c in _INVISIBLE if c <= "\uffff")) + "\U00010000-\U0010ffff]")


def normalize_controls(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Newlines to ``\\n``; odd spaces to ASCII space; control, format (Cf), variation-selector,
    U+FFFD and lone-surrogate chars dropped."""
    def repl(m: re.Match) -> str | None:
        c = m.group()
        if c > "\uffff":
            return "" if c in _INVISIBLE else None
        if c[0] == "\r" or c in "\u2028\u2029":
            return "\n"
        if c in "\x0b\x0c\x1c\x1d\x1e\x1f\x85":
            return "\n"
        if c == "\x09" or c == "\u00a0" or "\u2000" <= c <= "\u200a" or c in "\u202f\u205f\u3000":
            return " "
        return ""
    n, ex = buf.sub(_CONTROL_RE, repl)
    return CleanStep("controls", n, ex)


def drop_private_use(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Drop private-use characters (U+E000–F8FF and planes 15–16: font icons, GBK user-defined codes).

    Runs after ``repair_mojibake``: a GBK pair read one byte off can land in the
    user-defined area, and the repair needs those characters to realign the bytes.
    """
    cps = np.frombuffer(buf.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    private = ((cps >= 0xE000) & (cps <= 0xF8FF)) | (cps >= 0xF0000)
    if not private.any():
        return CleanStep("private_use", 0, [])
    edges = np.flatnonzero(np.diff(np.concatenate(([0], private.view(np.int8), [0]))))
    spans = list(zip(edges[0::2].tolist(), edges[1::2].tolist()))
    examples = [_example(buf.text, a, b, "") for a, b in spans[:_MAX_EXAMPLES]]
    buf.delete(spans)
    return CleanStep("private_use", len(spans), examples)


_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PY = f"a-zA-Z{_TONED}"
_PINYIN_RE = re.compile(
    # 報(bào)訊, 衛(wèi)生; and ?shù) holes where a character and its "(" were lost together
    rf"[(（?](?:(?<=[{CJK}?][(（])|(?<=\?))(?=[{_PY}]*[{_TONED}])[{_PY}]{{1,8}}[)）]"
)


def strip_pinyin(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Drop pinyin readings glued after characters (``報(bào)訊`` → ``報訊``) and ``?shù)`` holes.

    Only toned syllables count, so real parentheses — ``(8.16%)``, ``(試行)``, ``(CT)`` — stay.
    """
    n, ex = buf.sub(_PINYIN_RE, "")
    return CleanStep("pinyin", n, ex)


_HOLE_RE = re.compile(
    rf"(\?(?<!\?\?)(?:\?|(?=[{_PY}]*[{_TONED}])[{_PY}]{{1,8}}\))?)(?!\?)([^\s?]{{1,16}})")
_GLOSS_TAIL = re.compile(rf"[(（][{_PY}]{{1,8}}[)）]$")


def _gbk(c: str) -> bytes | None:
    """GBK bytes of one character (user-defined area via GB18030), None if it has none."""
    try:
        return c.encode("gbk")
    except UnicodeEncodeError:
        try:
            b = c.encode("gb18030")
        except UnicodeEncodeError:
            return None
        return b if len(b) == 2 else None


class _Realigned(NamedTuple):
    """A run re-decoded one byte on: its text, how many run chars it consumed, the lost
    character's surviving trail byte, and per decoded char the run chars ``[i, j)`` holding its bytes."""

    text: str
    used: int
    trail: int
    spans: list[tuple[int, int]]


def _realign_bytes(run: str, wide: frozenset[int]) -> _Realigned | None:
    """Shift-decode ``run`` (GBK, ASCII chars at indexes in ``wide`` taken as their full-width form)."""
    if ord(run[0]) < 0x80 and 0 not in wide:
        return None  # the lost character's trail byte is never ASCII here
    chars = "".join(chr(ord(c) + 0xFEE0) if i in wide else c for i, c in enumerate(run)) if wide else run
    try:
        data = chars.encode("gbk")
    except UnicodeEncodeError:
        parts = []
        for c in chars:
            cb = _gbk(c)
            if cb is None:
                break
            parts.append(cb)
        data = b"".join(parts)
        chars = chars[:len(parts)]
    bounds = list(itertools.accumulate(1 if ord(c) < 0x80 else 2 for c in chars))
    if len(data) < 3 or data[0] < 0x40:
        return None
    out, pos = [], 1
    while pos + 1 < len(data):
        if data[pos] < 0x80:
            return None  # the realigned text would hold ASCII: not this kind of damage
        try:
            ch = data[pos:pos + 2].decode("gb18030")
        except UnicodeDecodeError:
            return None
        if not _CJK_RE.match(ch):
            return None
        out.append(ch)
        pos += 2
        if pos in bounds:
            used = bounds.index(pos) + 1
            if not any(ord(c) < 0x80 for c in run[:used]):
                return None
            # decoded char k is bytes 1+2k and 2+2k: the run's chars holding them
            spans = [(bisect.bisect_right(bounds, 1 + 2 * k), bisect.bisect_right(bounds, 2 + 2 * k) + 1)
                     for k in range(len(out))]
            return _Realigned("".join(out), used, data[0], spans)
    return None


def _realign(run: str) -> _Realigned | None:
    """Re-decode ``run`` as GBK shifted by one byte (see ``_Realigned``).

    ASCII letters in the run may stand for their full-width forms (a site folded
    ``Ｔ`` to ``T``), so the few combinations are tried, narrowest first; the first
    whose characters are all common (GB2312 once simplified) wins.
    """
    ascii_at = [i for i, c in enumerate(run) if "!" <= c <= "~"][:3]
    for k in range(len(ascii_at) + 1):
        for combo in itertools.combinations(ascii_at, k):
            got = _realign_bytes(run, frozenset(combo))
            if got and all(_common(c) for c in got.text):
                return got
    return None


def _common(c: str) -> bool:
    """Whether ``c`` (or its Simplified form) is a GB2312 character: realigned text must read as common text."""
    try:
        _t2s_char(c).encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def repair_mojibake(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Repair GBK text whose bytes were split by a lost byte (``當?shù)厝罕娽t療`` → ``當地群眾醫療``).

    The characters after a ``?`` hole were decoded one byte off until an ASCII-range
    byte (``t``, ``O``, ``x``) re-synchronised them; decode them again on the right
    boundary. The lost characters are guessed from ``clean_mojibake_words.txt``
    (a word starting with the character before a one-``?`` hole, or any word for a
    ``??`` hole, whose last character has the surviving trail byte), else dropped.

    Offsets stay exact: a repaired character maps to the damaged characters that
    held its bytes (a guessed one to the hole and the char with its trail byte),
    and the text after the re-synchronising byte keeps its own offsets.
    """
    if "?" not in buf.text:
        return CleanStep("mojibake", 0, [])
    words = _mojibake_words()
    text = buf.text
    edits, maps, examples = [], [], []
    for m in _HOLE_RE.finditer(text):
        hole, run = m.group(1), m.group(2)
        got = _realign(run)
        if not got:
            continue
        before = _GLOSS_TAIL.sub("", text[max(0, m.start() - 12):m.start()])
        prev = before[-1:] if before else ""
        cands = words.get(got.trail, [])
        if hole.startswith("??"):
            fit = [w for w in cands if len(w) == 2]
        else:
            fit = [w[1:] for w in cands if w[0] == prev]
        guess = fit[0] if fit else ""
        r0 = len(hole)  # the run, relative to the hole
        spans = [(0, r0 + 1)] * len(guess) + [(r0 + i, r0 + j) for i, j in got.spans]
        edits.append((m.start(), m.start(2) + got.used, guess + got.text))
        maps.append(spans)
        if len(examples) < _MAX_EXAMPLES:
            examples.append(_example(text, m.start(), m.start(2) + got.used, guess + got.text))
    buf.edit(edits, maps=maps)
    return CleanStep("mojibake", len(edits), examples)


@functools.lru_cache(maxsize=65536)
def _t2s_char(c: str) -> str:
    out = _T2S.convert(c)
    return out if len(out) == 1 else c


def _t2s_table(text: str) -> dict[int, str]:
    return {ord(c): _t2s_char(c) for c in set(text) if c >= "\u2e80"}


def _encodes(c: str, codec: str) -> bool:
    try:
        c.encode(codec)
        return True
    except UnicodeError:
        return False


_HAN = [chr(cp) for r in (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00)) for cp in r]


@functools.lru_cache(maxsize=1)
def _maybe_traditional() -> np.ndarray:
    """Per BMP code point (and one past it): whether OpenCC's t2s changes it and GB2312 (the
    Simplified set) lacks it. A text without any is Simplified already and is left alone
    without loading the division data."""
    t2s = opencc.OpenCC("t2s")  # its own converter: tests swap ``_T2S``
    out = np.zeros(0x10001, dtype=bool)
    out[[ord(c) for c in _HAN if t2s.convert(c) != c and not _encodes(c, "gb2312")]] = True
    return out


@dataclass(frozen=True)
class _Script:
    """What tells Traditional text from Simplified, and the names conversion must not touch.

    * ``traditional``: characters t2s changes that are valid in no Simplified text — not
      GB2312 and in no division name (濛阳镇, 鮀江街道 are Simplified names in the data).
    * ``simplified``: GB2312 characters whose Traditional form differs and that Big5 lacks
      (县, 医, 们): a sentence full of them is written in Simplified.
    * ``names``: division names t2s would rewrite (乾安县 → 干安县, 於潜镇 → 于潜镇, 藉口镇 → 借口镇),
      found in either script and kept as the data writes them.
    """

    score: np.ndarray  # per BMP code point (and one past it): 1 traditional-only, -1 simplified-only, 2 sentence end
    table: dict[int, str]  # traditional-only character → its Simplified form
    names: ahocorasick.Automaton | None
    in_names: re.Pattern  # the characters of ``names`` that t2s rewrites (乾, 於, 藉 …)


@functools.lru_cache(maxsize=1)
def _script() -> _Script:
    from .divisions import divisions

    t2s, s2t = opencc.OpenCC("t2s"), opencc.OpenCC("s2t")
    names = {r.name for r in divisions().regions.values()}
    in_names = set("".join(names))
    trad = [c for c in _HAN if t2s.convert(c) != c and c not in in_names and not _encodes(c, "gb2312")]
    simp = [c for c in _HAN if _encodes(c, "gb2312") and s2t.convert(c) != c and not _encodes(c, "big5")]
    table = {}
    for c in trad:
        out = t2s.convert(c)
        if len(out) == 1:
            table[ord(c)] = out
    keep = sorted(n for n in names if t2s.convert(n) != n)
    rewritten = {c for n in keep for c, o in zip(n, t2s.convert(n)) if c != o}
    auto = None
    if keep:
        auto = ahocorasick.Automaton()
        for n in keep:
            auto.add_word(n, n)
        auto.make_automaton()
    score = np.zeros(0x10001, dtype=np.int8)
    score[[ord(c) for c in trad]] = 1
    score[[ord(c) for c in simp]] = -1
    score[[ord(c) for c in _SENTENCE_ENDS]] = 2
    return _Script(score, table, auto, re.compile("[" + _ranges(sorted(map(ord, rewritten))) + "]" if rewritten else "(?!)"))


_SENTENCE_ENDS = "。！？；\n"


def _convert_traditional(run: str, script: _Script) -> str:
    """OpenCC t2s (phrase level) of a Traditional run, same length, division names kept.

    A line whose phrase conversion would change its length is converted character by
    character; a division name t2s would rewrite (found after converting only the
    traditional-only characters, so 乾安縣 and 乾安县 both count) is put back as written
    in the data. Phrases never span a sentence end, so converting a whole text gives each
    sentence what converting it alone would.
    """
    conv = _T2S.convert(run)
    if len(conv) != len(run):
        table = _t2s_table(run)
        out = []
        for line in run.split("\n"):
            c = _T2S.convert(line)
            out.append(c if len(c) == len(line) else line.translate(table))
        conv = "\n".join(out)
    if script.names is None or not script.in_names.search(run):
        return conv
    keys = run.translate(script.table)
    hits, done = [], -1
    for end, name in sorted(script.names.iter(keys), key=lambda h: (h[0] - len(h[1]), -len(h[1]))):
        start = end - len(name) + 1
        if start > done:
            hits.append((start, name))
            done = end
    if not hits:
        return conv
    pieces, prev = [], 0
    for start, name in hits:
        pieces += (conv[prev:start], name)
        prev = start + len(name)
    pieces.append(conv[prev:])
    return "".join(pieces)


def to_simplified(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Traditional → Simplified with OpenCC ``t2s``, sentence by sentence, keeping the map exact.

    Text already in Simplified is never converted: t2s would rewrite characters that are
    valid in Simplified names (乾安县 → 干安县, 於潜镇 → 于潜镇). A sentence (split at
    。！？； and newlines) is converted whole — phrase-level, division names protected,
    see ``_convert_traditional`` — when its traditional-only characters outnumber its
    simplified-only ones (see ``_Script``); in a sentence that is mostly Simplified only
    the traditional-only characters are replaced; a sentence with none is kept as is.
    Every change is one character for one character.
    """
    text = buf.text
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if not _maybe_traditional().take(cps, mode="clip").any():
        return CleanStep("t2s", 0, [])
    script = _script()
    score = script.score.take(cps, mode="clip")
    if not (score == 1).any():
        return CleanStep("t2s", 0, [])
    conv = _convert_traditional(text, script)  # phrases never cross a sentence end: convert once
    if (score == -1).any():  # then put back what is not a Traditional sentence
        conv = _keep_simplified_sentences(text, conv, score, script)
    if conv == text:
        return CleanStep("t2s", 0, [])
    diff = np.nonzero(cps != np.frombuffer(conv.encode("utf-32-le"), dtype=np.uint32))[0]
    examples, seen = [], set()
    for i in diff[:200].tolist():
        pair = f"{text[i]} → {conv[i]}"
        if pair not in seen and len(examples) < _MAX_EXAMPLES:
            seen.add(pair)
            examples.append(pair)
    buf.text = conv  # same length: the map is unchanged
    return CleanStep("t2s", int(len(diff)), examples)


def _keep_simplified_sentences(text: str, conv: str, score: np.ndarray, script: _Script) -> str:
    """``conv`` (all of ``text`` converted) with each sentence that is not Traditional taken back
    from ``text``: as is when Simplified, with only its traditional-only characters replaced
    when mostly Simplified (see ``to_simplified``); ``score`` per character (see ``_Script``)."""
    # sentences: 0 Simplified, 1 mostly Simplified with some Traditional, 2 Traditional; one with
    # neither kind of character (a date, a number, 日前) goes with the sentence before it
    starts = np.concatenate(([0], np.flatnonzero(score == 2) + 1))
    starts = starts[starts < len(text)]
    trad = np.add.reduceat((score == 1).astype(np.int32), starts)
    simp = np.add.reduceat((score == -1).astype(np.int32), starts)
    kind = np.where(trad == 0, 0, np.where(trad > simp, 2, 1))
    decided = (trad > 0) | (simp > 0)
    if not decided.all():
        last = np.maximum.accumulate(np.where(decided, np.arange(len(kind)), -1))
        kind = kind[np.where(last >= 0, last, np.argmax(decided))]
    change = np.concatenate(([0], np.flatnonzero(kind[1:] != kind[:-1]) + 1))
    bounds = starts[change].tolist() + [len(text)]
    out: list[str] = []
    for k, a, b in zip(kind[change].tolist(), bounds, bounds[1:]):
        out.append(conv[a:b] if k == 2 else text[a:b].translate(script.table) if k == 1 else text[a:b])
    return "".join(out)


_LONGEST_BOILERPLATE = 250
#: A headline under a 相关阅读 marker: a short line that does not end as a sentence does.
_HEADLINE_MAX = 60
_SENTENCE_ENDS = tuple("。！？!?…")


def drop_boilerplate(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Drop site chrome, legal footers, spam title lines and ``???`` runs (markers in vocab/boilerplate.txt)."""
    kinds = _boilerplate_rx()
    strong = kinds["strong"][0][0]
    n_inline, ex_inline = 0, []
    for rx, _ in kinds["inline"]:
        n, ex = buf.sub(rx, "")
        n_inline += n
        ex_inline += ex
    text = buf.text
    total = max(len(text), 1)
    drop: list[tuple[int, int]] = []
    cut_at = None
    in_block = False  # inside a block of other stories' headlines (相关阅读 …)
    for a, b, line in buf.lines():
        s = line.strip()
        if in_block:
            if s and len(s) <= _HEADLINE_MAX and not s.endswith(_SENTENCE_ENDS):
                drop.append((a, b))
                continue
            in_block = False  # a blank line or a sentence of prose ends it
        if not s and a < b:
            drop.append((a, b))
            continue
        if not s:
            continue
        if len(s) > _LONGEST_BOILERPLATE:
            continue  # a long paragraph is prose, whatever words it holds
        m = strong.search(s)
        if m:
            drop.append((a, b))
            if cut_at is None and (m.lastgroup == "footer" and a >= 0.6 * total
                                   or m.lastgroup == "tail" and a >= 0.3 * total):
                cut_at = a
            in_block = m.lastgroup in ("footer", "block")
        elif any(len(s) <= lim and rx.search(s) for rx, lim in kinds["short"]):
            drop.append((a, b))
    if cut_at is not None:
        drop = [(a, b) for a, b in drop if a < cut_at]
        drop.append((cut_at, len(text) - 1 if text.endswith("\n") else len(text)))
    examples = ex_inline + _delete_lines(buf, drop)
    return CleanStep("boilerplate", n_inline + len(drop), examples[:_MAX_EXAMPLES])


#: Hard-wrapped text (PDF exports, fixed-width attachments): lines of about one length, broken
#: wherever the width ran out — inside sentences and names (湖南省肿瘤⏎医院). The usual width of a
#: Chinese 公文 line is 28 characters; exports run 25–50.
_WRAP_MIN, _WRAP_MAX = 20, 60
#: A line within this many characters of the document's wrap width was cut by the width, not
#: ended (a line breaks early rather than open with ，or 。).
_WRAP_SLACK = 2
#: How many lines must be cut at one width (and what share of the lines of 16 characters or more).
_WRAP_LINES, _WRAP_SHARE = 4, 0.4
#: Lines longer than the width (a title, a link) are few in wrapped text: at most 2 or this share.
_WRAP_OVER = 0.1
#: What ends a line on purpose (a sentence, a label) and what opens one (a list item, a row).
_WRAP_END = tuple("。！？：；…”」』")
_WRAP_OPENS = re.compile(r"\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+(?:[.、．]|\s)|"
                         r"第[一二三四五六七八九十\d]+[条章节]|[-—•●▲■◆※]|附件)")
_ROW_GAP = re.compile(r"\t|\S {2,}\S|｜|\||…{2}|\.{4}|·{3}")  # columns, or a contents line's leaders
_LATIN = re.compile(r"[A-Za-z]")


def join_wrapped_lines(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Join lines that a fixed width broke (PDF exports: ``湖南省肿瘤⏎医院帮扶保靖县人民医院``).

    Only in a document where at least ``_WRAP_LINES`` lines (and ``_WRAP_SHARE`` of the lines
    of 16 characters or more) are within ``_WRAP_SLACK`` characters of one width between
    ``_WRAP_MIN`` and ``_WRAP_MAX``, and at most ``_WRAP_OVER`` are longer. Such a line is joined
    to the next unless it ends a sentence or a label, either looks like a table row, or the next
    opens a list item, is an addressee or label line (short, ending in ：) or is blank.
    """
    text = buf.text
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    lengths = [len(text[a:b].strip()) for a, b in spans]
    longer = [n for n in lengths if n >= 16]
    width, best = 0, 0
    for w in sorted(set(n for n in longer if _WRAP_MIN <= n <= _WRAP_MAX)):
        k = sum(1 for n in longer if w - _WRAP_SLACK <= n <= w)
        if k >= best:
            width, best = w, k
    over = sum(1 for n in longer if n > width)  # a width that cut lines leaves none longer
    if best < _WRAP_LINES or best < _WRAP_SHARE * len(longer) or over > max(2, _WRAP_OVER * len(longer)):
        return CleanStep("wrapped lines", 0, [])
    edits: list[tuple[int, int, str]] = []
    for i in range(len(spans) - 1):
        (a, b), (c, d) = spans[i], spans[i + 1]
        line, nxt = text[a:b].rstrip(), text[c:d]
        if not width - _WRAP_SLACK <= len(line.strip()) <= width or line.endswith(_WRAP_END):
            continue
        if not nxt.strip() or _WRAP_OPENS.match(nxt) or _ROW_GAP.search(line) or _ROW_GAP.search(nxt):
            continue
        if nxt.rstrip().endswith("：") and len(nxt.strip()) < width - _WRAP_SLACK:
            continue  # an addressee or a label on its own line (各县（市、区）卫生健康局：)
        lo, hi = a + len(line), c + (len(nxt) - len(nxt.lstrip()))
        glue = " " if _LATIN.match(line[-1:]) and _LATIN.match(nxt.lstrip()[:1]) else ""  # words, not digits
        edits.append((lo, hi, glue))
    examples = [_example(text, max(a - 6, 0), min(b + 6, len(text)), text[max(a - 6, 0):a] + g + text[b:b + 6])
                for a, b, g in edits[:_MAX_EXAMPLES]]
    if edits:
        buf.edit(edits)
    return CleanStep("wrapped lines", len(edits), examples)


_WIDTH_TABLE = {i: i - 0xFEE0 for i in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH_TABLE.update({i: i - 0xFEE0 for i in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH_TABLE.update({i: i - 0xFEE0 for i in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_WIDTH_TABLE.update({ord(k): v for k, v in {
    "．": ".", "％": "%", "﹢": "+", "＋": "+", "﹣": "-", "－": "-", "＝": "=", "／": "/",
    "﹐": "，", "﹑": "、", "﹒": ".", "﹔": "；", "﹕": "：", "︰": "：", "﹖": "？", "﹗": "！",
    "﹙": "（", "﹚": "）", "，": "，", "｡": "。", "､": "、",
}.items()})
_WIDTH_ANY = re.compile("[" + "".join(chr(k) for k in _WIDTH_TABLE) + "]")
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201d\u2026\u00b7"
_WIDE_RE = re.compile(f"[{_WIDE}]")
_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}


def _count_diff(a: str, b: str) -> int:
    x = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    y = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    return int(np.count_nonzero(x != y))


_PUNCT_RE = re.compile(
    rf",(?:(?<=[{_WIDE},;],)|(?=[{_WIDE}]))|;(?:(?<=[{_WIDE},;];)|(?=[{_WIDE}]))"
    rf"|:(?<=[{_WIDE}]:)(?!//)|!(?<=[{_WIDE}]!)|\?(?<=[{_WIDE}]\?)")
_PAREN_RE = re.compile(r"\(([^()\n]{0,120})\)")


def normalize_width(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Full-width letters/digits → ASCII; ASCII ``, ; : ! ? ( )`` in Chinese text → full width.

    Every change is one character for one character, so the map is untouched.
    """
    text = buf.text
    new = text.translate(_WIDTH_TABLE) if _WIDTH_ANY.search(text) else text
    changed = _count_diff(text, new) if new != text else 0
    examples: list[str] = []
    new, n = _PUNCT_RE.subn(lambda m: _FULL[m.group()], new)
    if n:
        changed += n
        examples.append(f", ; : ! ? → ，；：！？ ×{n}")

    def paren(m: re.Match) -> str:
        inner = m.group(1)
        before, after = new[m.start() - 1:m.start()], new[m.end():m.end() + 1]
        if _WIDE_RE.search(inner) or _WIDE_RE.match(before or " ") or _WIDE_RE.match(after or " "):
            return "（" + inner + "）"
        return m.group()

    if "(" in new:
        new2 = _PAREN_RE.sub(paren, new)
        if new2 != new:
            n = _count_diff(new, new2)
            changed += n
            examples.append(f"（） ×{n // 2}")
            new = new2
    buf.text = new  # one-to-one: the map is unchanged
    return CleanStep("width", changed, examples)


# ----- metadata

#: A label of the page's own dates and source; 时间：/日期：/来源： only as a label of their own, not
#: 起止时间：, 签约日期：, 资金来源： (fields of a record the text is about).
_META_LABEL = re.compile(
    r"(发表于|发布时间|发布日期|发稿时间|更新时间|(?<![\u4e00-\u9fff])(?:时间|日期)[:：]"
    r"|(?<![\u4e00-\u9fff])(?:信息|文章|稿件|新闻|消息)?来源[:：]|作者[:：]"
    r"|访问量|浏览(?:次数|量)?[:：]|点击(?:数|量)?[:：]|阅读(?:数|量)?[:：]|字号|打印)")
_SOURCE_RE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:信息|文章|稿件|新闻|消息)?来源[:：]\s*(.+?)(?=\s|$|访问量|浏览|阅读|点击|发布|发表|作者|编辑|时间|日期|字号)")
_SPEAKS_FOR = re.compile(r"医院|卫生院|保健院|大学|学院")  # a source that is an institution an article may call 我院
#: A page header that is only an institution's name (and its short form): 甲医院（甲院）.
_SITE_NAME = re.compile(rf"[{CJK}0-9〇]{{2,30}}(?:医院|卫生院|保健院|大学|学院)(?:[（(][{CJK}]{{2,12}}[)）])?")
#: The first step of a breadcrumb when it names a government or health body: 城口县人民政府 > 新闻中心.
_BREADCRUMB_SITE = re.compile(rf"\s*(?:首页\s*[>›»/]\s*)?([{CJK}]{{2,20}}?(?:人民政府|政府|融媒体中心|卫生健康委员会|"
                              rf"卫生健康局|卫健委|卫健局|卫生局))\s*(?:门户网站|网站)?\s*[>›»]")
_AUTHOR_LABEL = re.compile(r"作者[:：]\s*([^\s，,。:：|]{2,12})")
_REPORTER = re.compile(rf"(?:特约记者|本报记者|记者|通讯员)\s*([{CJK}]{{2,3}}?)(?=近日|日前|从|在|报道|摄|讯|\s|[，,、。]|$)")
_BYLINE = re.compile(rf"^[（(]\s*(?:文[/／]\s*)?([{CJK}]{{2,4}})(?:\s+[^（）()]{{1,12}})?\s*[)）]$")
_NOT_A_NAME = {"小编", "佚名", "本网", "本站", "admin", "编辑", "管理员", "网络", "查看", "原创", "互联网", "未知"}


def _opens_with_date(s: str) -> bool:
    """Whether ``s`` starts with a date (2024-05-31 …, 二〇二三年五月六日 …)."""
    return bool(DATE_RE.match(s, len(s) - len(s.lstrip())))


def _is_meta_line(s: str) -> bool:
    return len(s) <= 120 and (bool(_META_LABEL.search(s)) or (_opens_with_date(s) and iso_date(s[:16]) is not None))


def _is_headline(s: str) -> bool:
    if not (4 <= len(s) <= 80) or s.endswith(("。", "；", "，", "：")) or _is_meta_line(s):
        return False
    return len(_CJK_RE.findall(s)) >= 0.3 * len(s)


def _is_prose(s: str) -> bool:
    return len(s) >= 60 or (len(s) >= 20 and ("。" in s or s.count("，") >= 2))


def extract_metadata(buf: Buf, doc: Document) -> CleanStep:
    """Title, date, source and author from the header; drops the dateline and the chrome above the title.

    The title is the headline just above the first dateline (or the first headline-like
    line before the prose starts); a text that opens with prose gets no title.
    """
    lines = [(a, b, s) for a, b, s in buf.lines()]
    nonempty = [(i, a, b, s.strip()) for i, (a, b, s) in enumerate(lines) if s.strip()]
    body_at = next((k for k, (_, _, _, s) in enumerate(nonempty) if _is_prose(s)), len(nonempty))
    header = nonempty[:body_at]
    meta_idx = [k for k, (_, _, _, s) in enumerate(header) if _is_meta_line(s)]
    found: list[str] = []
    drop: list[tuple[int, int]] = []

    title_k = None
    if doc.title is None:
        if meta_idx:
            first = meta_idx[0]
            above = [k for k in range(first) if _is_headline(header[k][3])]
            below = [k for k in range(first + 1, len(header)) if k not in meta_idx and _is_headline(header[k][3])]
            title_k = above[-1] if above else (below[0] if below else None)
        else:
            cands = [k for k in range(len(header)) if _is_headline(header[k][3])]
            title_k = cands[0] if cands else None
        if title_k is not None:
            doc.title = header[title_k][3]
            found.append(f"title: {doc.title}")
            # everything above the headline is site chrome, but for the site's own name (a
            # hospital's page header): it says who 我院 is, so the text keeps it
            site = next((k for k in range(title_k) if _SITE_NAME.fullmatch(header[k][3])), None)
            if site is not None:
                found.append(f"site: {header[site][3]}")
            crumb = next((m for k in range(title_k) if (m := _BREADCRUMB_SITE.match(header[k][3]))), None)
            if crumb is not None and doc.site is None:  # 城口县人民政府 > 新闻中心: whose page it is
                doc.site = crumb.group(1)
                found.append(f"site: {doc.site}")
            drop += [(header[k][1], header[k][2]) for k in range(title_k) if k != site]
    else:
        title_k = next((k for k, h in enumerate(header) if h[3] == doc.title.strip()), None)

    for k in meta_idx:
        s = header[k][3]
        if doc.published is None and (d := iso_date(s)):
            doc.published = d
            found.append(f"published: {d}")
        if doc.source is None:
            src = None
            if m := _SOURCE_RE.search(s):
                src = m.group(1).strip("：: ")
            elif _opens_with_date(s):
                rest = DATE_RE.sub("", s, count=1)
                rest = re.sub(r"^\s*\d{1,2}:\d\d(?::\d\d)?", "", rest).strip()
                src = re.sub(r"\d+$", "", rest).strip() or None
            if src and src not in _NOT_A_NAME and len(src) <= 30:
                doc.source = src
                found.append(f"source: {src}")
                if _SPEAKS_FOR.search(src):
                    continue  # the line names who 我院 is: the text keeps it (extraction reads it)
        if doc.author is None and (m := _AUTHOR_LABEL.search(s)) and m.group(1) not in _NOT_A_NAME:
            doc.author = m.group(1)
            found.append(f"author: {doc.author}")
        drop.append((header[k][1], header[k][2]))

    if doc.published is None:
        for _, _, _, s in header[:8]:
            if d := iso_date(s):
                doc.published = d
                found.append(f"published: {d}")
                break
    if doc.author is None:
        opening = " ".join(s for _, _, _, s in nonempty[body_at:body_at + 1])[:120]
        m = _REPORTER.search(opening) or _AUTHOR_LABEL.search(opening)
        if m and m.group(1) not in _NOT_A_NAME:
            doc.author = m.group(1)
            found.append(f"author: {doc.author}")
    for i, a, b, s in nonempty[-3:]:
        m = _BYLINE.match(s)
        if m and i > 0 and len(nonempty) > 1:
            if doc.author is None and m.group(1) not in _NOT_A_NAME:
                doc.author = m.group(1)
                found.append(f"author: {doc.author}")
            drop.append((a, b))
    examples = _delete_lines(buf, drop)
    return CleanStep("metadata", len(drop), (found + examples)[:_MAX_EXAMPLES + 4])


def _is_subsequence(frag: str, title: str) -> bool:
    it = iter(title)
    return all(c in it for c in frag)


def drop_seo_fragments(buf: Buf, doc: Document) -> CleanStep:
    """Remove title fragments injected into sentences as SEO spam (seed 001).

    A fragment is a run of title characters, read in title order, that recurs ≥3
    times as a whole run; it counts as injected when at least one ≥3-char such run
    is not a contiguous piece of the title. An occurrence is kept when it extends
    into a longer contiguous piece of the title (real text quoting the headline).
    The fragments must cover ≥40% of the title, as a chopped-up title does.
    """
    title = re.sub(r"\W", "", doc.title or "")
    if len(title) < 6:
        return CleanStep("seo_fragments", 0, [])
    text = buf.text
    in_title = set(title)
    runs = Counter(run for run in (
        "".join(g) for k, g in itertools.groupby(text, in_title.__contains__) if k) if len(run) >= 2)
    frags = [r for r, c in runs.items() if c >= 3 and len(r) >= 3 and r not in title and _is_subsequence(r, title)]
    used = set()
    for f in frags:
        used |= set(f)
    if len(used) < 0.4 * len(set(title)):
        return CleanStep("seo_fragments", 0, [])  # a few common phrases, not a chopped-up title
    for r, c in runs.items():
        if c >= 3 and len(r) == 2 and r in title and not (set(r) & used):
            # where r stands as a whole run of title characters
            starts = [m.start() for m in re.finditer(re.escape(r), text)
                      if (m.start() == 0 or text[m.start() - 1] not in in_title)
                      and (m.end() == len(text) or text[m.end()] not in in_title)]
            loose = sum(1 for p in starts if p == 0 or not _CJK_RE.match(text[p - 1]))
            if loose * 2 >= len(starts):
                frags.append(r)
    spans = []
    for f in sorted(frags, key=len, reverse=True):
        for m in re.finditer(re.escape(f), text):
            p, q = m.start(), m.end()
            if (p > 0 and text[p - 1] + f in title) or (q < len(text) and f + text[q] in title):
                continue
            spans.append((p, q))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a < merged[-1][1]:
            continue
        merged.append((a, b))
    examples = [f"−{text[a:b]}" for a, b in merged[:_MAX_EXAMPLES]]
    buf.delete(merged)
    return CleanStep("seo_fragments", len(merged), examples)


def is_spun(text: str, min_hits: int = 5, min_kinds: int = 3, per_k: float = 1.0,
            hits: list[tuple[int, str]] | None = None) -> bool:
    """Whether ``text`` reads as machine-spun: enough known spun forms, of enough kinds, densely enough."""
    signals = _spin_index(None)[2]
    if hits is None:
        hits = _spin_hits(text)
    found = [form for _, form in hits if form in signals]
    return (len(found) >= min_hits and len(set(found)) >= min_kinds
            and len(found) * 1000 / max(len(text), 1) >= per_k)


def repair_spin(buf: Buf, doc: Document) -> CleanStep:
    """Repair synonym-spun words from ``spin.tsv`` (``国夷易近医院`` → ``人民医院``); sets ``doc.spun``.

    ``always`` rows apply everywhere, ``context`` rows where their before/after
    context holds, ``spun`` rows only in documents detected as spun. Where spun
    forms overlap, the earliest start wins, then the longest form.
    """
    by_form = _spin_index(None)[0]
    text = buf.text
    hits = _spin_hits(text)
    doc.spun = is_spun(text, hits=hits)
    edits, examples = [], []
    done = 0
    for p, form in hits:
        if p < done:
            continue
        for r in by_form[form]:
            if r.when == "spun" and not doc.spun:
                continue
            if r.before is not None and not r.before.search(text, max(0, p - 12), p):
                continue
            if r.after is not None and not r.after.match(text, p + len(form)):
                continue
            done = p + len(form)
            edits.append((p, done, r.real))
            if len(examples) < _MAX_EXAMPLES:
                examples.append(f"{form} → {r.real}")
            break
    buf.edit(edits, whole=True)  # a repaired word maps to the whole spun word
    return CleanStep("spin", len(edits), examples)


_PUNCT_RUN = re.compile(r"[，、。；：！？](?:\s*[，、。；：！？])+")
_RANK = {"。": 5, "！": 5, "？": 5, "；": 4, "：": 3, "、": 2, "，": 1}


def collapse_punctuation(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Collapse runs like ``，，`` ``，、`` ``，。`` to their strongest mark (。！？ > ； > ： > 、 > ，)."""
    def repl(m: re.Match) -> str:
        marks = [c for c in m.group() if c in _RANK]
        return max(marks, key=lambda c: _RANK[c])
    n, ex = buf.sub(_PUNCT_RUN, repl)
    return CleanStep("punctuation", n, ex)


#: A pair of markdown emphasis marks around text on one line (**甲医院**, ~~丙~~), as chat exports and
#: markdown pages keep them; not a lone run (李**). (__ is left alone: ____年__月__日 form blanks look
#: the same.)
_EMPHASIS = re.compile(r"(?<![*~])(\*\*|~~)(?=[^\s*~])[^\n]*?[^\s*~]\1(?![*~])")


def drop_emphasis(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Delete paired markdown emphasis marks: ``**首都医科大学宣武医院**`` is the name, not ``**首都…``."""
    text = buf.text
    spans = []
    for m in _EMPHASIS.finditer(text):
        k = len(m.group(1))
        spans += [(m.start(), m.start() + k), (m.end() - k, m.end())]
    examples = [_example(text, a, b, "") for a, b in spans[:_MAX_EXAMPLES]]
    buf.delete(spans)
    return CleanStep("emphasis", len(spans) // 2, examples)


_SENT_RE = re.compile(r"[^。！？；\n]+[。！？；]?")


def _key(s: str) -> str:
    return s.replace(" ", "").replace("\t", "")


def dedupe(buf: Buf, doc: Document | None = None) -> CleanStep:
    """Keep repeated paragraphs and sentences once; drop a cut-off lead that a later paragraph completes."""
    lines = [(a, b, _key(s)) for a, b, s in buf.lines()]
    seen: set[str] = set()
    drop: list[tuple[int, int]] = []
    filled = [(a, b, k) for a, b, k in lines if k]
    for j, (a, b, k) in enumerate(filled):
        if len(k) >= 8 and k in seen:
            drop.append((a, b))
            continue
        nxt = [x[2] for x in filled[j + 1:j + 4]]
        if len(k) >= 20 and any(len(n) > len(k) and n.startswith(k) for n in nxt):
            drop.append((a, b))
            continue
        seen.add(k)
    examples = _delete_lines(buf, drop)
    n = len(drop)
    # sentences
    seen_s: set[str] = set()
    spans = []
    for m in _SENT_RE.finditer(buf.text):
        k = _key(m.group())
        if len(k) < 12:
            continue
        if k in seen_s:
            spans.append((m.start(), m.end()))
        else:
            seen_s.add(k)
    examples += [f"−{buf.text[a:b][:30]}" for a, b in spans[:_MAX_EXAMPLES]]
    buf.delete(spans)
    return CleanStep("dedupe", n + len(spans), examples[:_MAX_EXAMPLES])


_WS_TRAIL = re.compile(r" +(?=\n)")
_WS_AFTER_NL = re.compile(r"\n([ \n]+)")
_WS_RUN = re.compile(r" ( +)")


def tidy_whitespace(buf: Buf, doc: Document | None = None) -> CleanStep:
    """One ``\\n`` between paragraphs, no blank lines, no edge spaces, single spaces inside lines.

    Only deletions: a paragraph break keeps the first raw newline it came from.
    """
    n, ex = buf.sub(_WS_TRAIL, "")
    for rx in (_WS_AFTER_NL, _WS_RUN):
        spans = [m.span(1) for m in rx.finditer(buf.text)]
        buf.delete(spans)
        n += len(spans)
    text = buf.text
    lead = len(text) - len(text.lstrip(" \n"))
    tail = len(text) - len(text.rstrip(" \n"))
    edge = [(0, lead)] if lead else []
    if tail and len(text) - tail > lead:
        edge.append((len(text) - tail, len(text)))
    elif tail and not lead:
        edge = [(0, len(text))]
    buf.delete(edge)
    return CleanStep("whitespace", n + len(edge), ex[:2])


#: The cleaning pipeline, in order. Each step edits the buffer and reports what it did.
STEPS: list[Callable[[Buf, Document], CleanStep]] = [
    normalize_controls,
    repair_mojibake,
    drop_private_use,
    strip_pinyin,
    to_simplified,
    drop_boilerplate,
    normalize_width,
    drop_emphasis,
    join_wrapped_lines,
    extract_metadata,
    drop_seo_fragments,
    repair_spin,
    collapse_punctuation,
    dedupe,
    tidy_whitespace,
]


def clean(doc: Document) -> Document:
    """Clean ``doc.raw`` into ``doc.text`` with metadata, steps and the offset map (in place; returns doc)."""
    buf = Buf.of(doc.raw or "")
    if doc.title:
        doc.title = clean_fragment(doc.title) or None
    steps: dict[str, CleanStep] = {}
    for fn in STEPS:
        st = fn(buf, doc)
        if st.name in steps:
            prev = steps[st.name]
            prev.changes += st.changes
            prev.examples = (prev.examples + st.examples)[:_MAX_EXAMPLES]
        else:
            steps[st.name] = st
    doc.text = buf.text
    doc.offsets = buf.offsets()
    doc.steps = list(steps.values())
    return doc


def clean_fragment(s: str) -> str:
    """Character-level cleaning of a short string (a title from metadata): same conventions as the text."""
    buf = Buf.of(s)
    doc = Document(id="-", path="-", raw=s)
    for fn in (normalize_controls, repair_mojibake, drop_private_use, strip_pinyin, to_simplified,
               normalize_width, tidy_whitespace):
        fn(buf, doc)
    return buf.text.replace("\n", " ")


def run_step(step: Callable[[Buf, Document], CleanStep], text: str, doc: Document | None = None) -> tuple[Buf, CleanStep]:
    """Run one step on ``text`` alone (for tests and ``kg clean --steps``)."""
    buf = Buf.of(text)
    return buf, step(buf, doc or Document(id="-", path="-", raw=text))
