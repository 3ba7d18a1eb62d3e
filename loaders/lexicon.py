"""The vocabularies in ``loaders/vocab/``, loaded once per process.

Everything a rule matches against (suffixes, stems, cue words, aliases, generic
names) is a data file there; this module only reads those files and builds the
Aho-Corasick automata and regexes the extractor runs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import ahocorasick

from .prepared import code_version, prepared

VOCAB = Path(__file__).parent / "vocab"


def read_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a vocab file."""
    out = []
    for line in (VOCAB / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_tsv(name: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("\t")] for line in read_lines(name)]


def alternation(words) -> re.Pattern:
    """A regex matching any of ``words``, longest first."""
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


@dataclass(frozen=True)
class Alias:
    alias: str
    name: str
    type: str
    region: str | None


@dataclass(frozen=True)
class Cue:
    word: str
    relation: str
    pattern: str
    confidence: float


@dataclass(frozen=True)
class PairWords:
    """The words the partnership scorer reads (``partnership_words.tsv``): word -> (kind, class) pairs."""

    kinds: dict[str, tuple[tuple[str, str], ...]]
    automaton: ahocorasick.Automaton

    _by_kind: dict[str, object] = field(default_factory=dict, repr=False, compare=False)  # (memo)

    def of_kind(self, kind: str) -> dict[str, str]:
        """word -> class for one kind (cue, marker, blocker, label, coref, frame, intro, unit); do not modify it."""
        if kind not in self._by_kind:
            self._by_kind[kind] = {w: c for w, kc in self.kinds.items() for k, c in kc if k == kind}
        return self._by_kind[kind]

    def of_class(self, kind: str, cls: str) -> tuple[str, ...]:
        """The words of one kind and class (coref self: 我院, 本院 …; intro person: 医生, 护士 …)."""
        key = f"{kind}:{cls}"
        if key not in self._by_kind:
            self._by_kind[key] = tuple(w for w, c in self.of_kind(kind).items() if c == cls)
        return self._by_kind[key]


@dataclass
class Lexicon:
    hospital_suffix: re.Pattern
    hospital_stems: ahocorasick.Automaton
    generic_institutions: frozenset[str]
    generic_programs: frozenset[str]
    aliases: dict[str, tuple[Alias, ...]]  # one short name may stand for several (协和医院), told apart by region
    alias_automaton: ahocorasick.Automaton
    other_names: dict[str, frozenset[str]]  # canonical name -> the table's fuller other names for it
    suffix_forms: dict[str, str]  # 疾控中心 -> 疾病预防控制中心
    suffix_variants: tuple[tuple[str, str], ...]  # (卫生院, 中心卫生院): one unit's one institution
    agency_suffixes: list[tuple[str, str, str]]
    agency_suffix: re.Pattern
    cues: dict[str, Cue]
    cue_automaton: ahocorasick.Automaton
    boundary_word_set: frozenset[str]
    boundary_word_lengths: tuple[int, ...]
    boundary_chars: frozenset[str]
    name_breakers: ahocorasick.Automaton
    regions: RegionNames
    area_automaton: ahocorasick.Automaton
    areas: frozenset[str]
    glue_words: frozenset[str]
    unbroken_words: dict[str, tuple[tuple[int, str], ...]]  # boundary char -> (offset in word, word)
    program_triggers: tuple[str, ...]
    own_document: re.Pattern  # after a name in a title: the named institution's own document
    own_place: tuple[str, ...]  # before a bare 县医院: the speaker's own county's (我们县医院)
    military_prefixes: tuple[tuple[str, str], ...]  # written start -> full start, longest first
    pair_words: PairWords
    zones: dict[str, str]  # first two digits of a province's code -> 东部/中部/西部/东北 (east …)


def _automaton(words) -> ahocorasick.Automaton:
    a = ahocorasick.Automaton()
    for w, v in words:
        a.add_word(w, v)
    a.make_automaton()
    return a


@dataclass
class RegionNames:
    """How the scanner finds division names: full names (广东省, 阳山县, 黎埠镇) and province and city
    short names (广东, 潮州) with a small automaton, county short names per article."""

    full: ahocorasick.Automaton  # name -> (name, ((key, flag), ...)); flag False or "two-char"
    shorts: ahocorasick.Automaton  # province and city short names
    county_short: dict[str, str]  # county key -> short name (阳山)
    counties_by_short: dict[str, tuple[str, ...]]  # short name -> county keys (金平 → two counties)
    counties_of: dict[str, tuple[str, ...]]  # city key -> its counties that have a short name


def _region_names() -> RegionNames:
    from .divisions import divisions

    d = divisions()
    full: dict[str, list] = {}
    shorts: dict[str, list] = {}
    county_short = {}
    for r in d.regions.values():
        for f in r.forms:
            full.setdefault(f, []).append((r.key, False))
        if len(r.name) >= 3 or (r.type == "Province" and len(r.name) >= 2):
            full.setdefault(r.name, []).append((r.key, False))
        elif r.type == "County" and len(r.name) == 2:
            # 曹县, 沛县, 和县: kept only where the text backs them up (see extract._two_char_ok).
            full.setdefault(r.name, []).append((r.key, "two-char"))
        for f in r.former:  # 新津县 → 新津区, 郫县 → 郫都区: an old name finds today's unit
            if len(f) >= 3 or r.type == "Province":
                full.setdefault(f, []).append((r.key, False))
            elif r.type == "County" and len(f) == 2:
                full.setdefault(f, []).append((r.key, "two-char"))
        if r.short and len(r.short) >= 2 and r.short != r.name:
            if r.type in ("Province", "City"):
                shorts.setdefault(r.short, []).append((r.key, True))
            elif r.type == "County":
                county_short[r.key] = r.short
    return RegionNames(
        full=_automaton((k, (k, tuple(v))) for k, v in full.items()),
        shorts=_automaton((k, (k, tuple(v))) for k, v in shorts.items()),
        county_short=county_short,
        counties_by_short=_invert(county_short),
        counties_of=_children(county_short, d),
    )


def _children(county_short: dict[str, str], d) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for key in county_short:
        parent = d.get(key).parent
        if parent:
            out.setdefault(parent, []).append(key)
    return {k: tuple(v) for k, v in out.items()}


def _invert(d: dict[str, str]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for k, v in d.items():
        out.setdefault(v, []).append(k)
    return {k: tuple(v) for k, v in out.items()}


def _unbroken(words: list[str], boundary: str) -> dict[str, tuple[tuple[int, str], ...]]:
    """Index the words that hold a boundary char by that char: 协同 → {同: ((1, 协同),)}."""
    out: dict[str, list[tuple[int, str]]] = {}
    for w in words:
        for k, ch in enumerate(w):
            if ch in boundary:
                out.setdefault(ch, []).append((k, w))
    return {ch: tuple(v) for ch, v in out.items()}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The vocabularies and their automata (once per process; built once per version and kept on
    disk, ``loaders.prepared``)."""
    return prepared("lexicon", code_version(), _build)


def _build() -> Lexicon:
    """Load every vocab file and build the automata."""
    aliases: dict[str, list[Alias]] = {}
    other_names: dict[str, set[str]] = {}
    for row in read_tsv("aliases.tsv"):
        a = Alias(row[0], row[1], row[2], row[3] if len(row) > 3 and row[3] else None)
        aliases.setdefault(a.alias, []).append(a)
        if a.type == "Hospital" and a.alias != a.name and a.alias.endswith(("医院", "中心")) and len(a.alias) > 4:
            other_names.setdefault(a.name, set()).add(a.alias)  # 南京鼓楼医院 for 南京大学医学院附属鼓楼医院
    cues = {}
    for row in read_tsv("relation_cues.tsv"):
        cues[row[0]] = Cue(row[0], row[1], row[2], float(row[3]))
    agency = [(r[0], r[1], r[2] if len(r) > 2 else "") for r in read_tsv("agency_suffixes.tsv")]
    boundary_words = read_lines("boundary_words.txt")
    return Lexicon(
        hospital_suffix=alternation(read_lines("hospital_suffixes.txt")),
        hospital_stems=_automaton((w, w) for w in read_lines("hospital_stems.txt")),
        generic_institutions=frozenset(read_lines("generic_institutions.txt")),
        generic_programs=frozenset(read_lines("generic_programs.txt")),
        aliases={k: tuple(v) for k, v in aliases.items()},
        alias_automaton=_automaton((k, k) for k in aliases),
        other_names={k: frozenset(v) for k, v in other_names.items()},
        suffix_forms=dict((r[0], r[1]) for r in read_tsv("hospital_suffix_forms.tsv")),
        suffix_variants=tuple((r[0], r[1]) for r in read_tsv("hospital_suffix_variants.tsv")),
        agency_suffixes=agency,
        agency_suffix=alternation(a[0] for a in agency),
        cues=cues,
        cue_automaton=_automaton((k, k) for k in cues),
        boundary_word_set=frozenset(boundary_words),
        boundary_word_lengths=tuple(sorted({len(w) for w in boundary_words})),
        boundary_chars=frozenset("".join(read_lines("boundary_chars.txt"))),
        name_breakers=_automaton((w, w) for w in boundary_words + read_lines("generic_stems.txt")),
        regions=_region_names(),
        area_automaton=_automaton((w, w) for w in read_lines("areas.txt")),
        areas=frozenset(read_lines("areas.txt")),
        glue_words=frozenset(read_lines("glue_words.txt")),
        unbroken_words=_unbroken(read_lines("unbroken_words.txt"), "".join(read_lines("boundary_chars.txt"))),
        program_triggers=tuple(read_lines("program_triggers.txt")),
        own_document=alternation(read_lines("own_document_words.txt")),
        own_place=tuple(read_lines("own_place_words.txt")),
        military_prefixes=tuple(sorted(((r[0], r[1]) for r in read_tsv("military_prefixes.tsv")),
                                       key=lambda r: -len(r[0]))),
        zones=dict((r[0], r[1]) for r in read_tsv("economic_zones.tsv")),
        pair_words=_pair_words(),
    )


@lru_cache(maxsize=1)
def two_char_words() -> frozenset[str]:
    """The two-character words of jionlp's Chinese word dictionary (担任, 纵横, 帮扶)."""
    from .jio import jionlp

    return frozenset(w for w in jionlp().chinese_word_dictionary_loader() if len(w) == 2)


def _pair_words() -> PairWords:
    kinds: dict[str, list[tuple[str, str]]] = {}
    for row in read_tsv("partnership_words.tsv"):
        kinds.setdefault(row[0], []).append((row[1], row[2]))
    frozen = {w: tuple(v) for w, v in kinds.items()}
    # Frame words (在, 机遇 …) are read around one name and unit words in a column header, never
    # scanned for in a sentence.
    scanned = (w for w, v in frozen.items() if any(k not in ("frame", "intro", "unit") for k, _ in v))
    return PairWords(frozen, _automaton((w, w) for w in scanned))
