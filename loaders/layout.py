"""Layout: tables and lists written as text — which names share a row, and what each column is.

Notices and reports give partnerships as tables (``序号 支援医院 受援医院``, tab, ``|``
or space separated; an empty cell means "the same as the row above"), as
``甲——乙`` / ``甲：乙；丙`` lines, and as one-name-per-line lists under a heading. A
sentence splitter cuts such rows apart (at ；) or runs them together; this module
reads them by line instead:

* a **row** is a line that is little more than party names and separators; its
  **cells** are the runs of names between column separators (names joined by 、；,和
  share a cell);
* a **table** is a run of rows, with the header line above it when there is one; a
  header cell is classed by its words (``label`` in ``vocab/partnership_words.tsv``:
  giver 支援医院, receiver 受援单位 …; place 所在市州; index 序号);
* a row with fewer cells than the row above inherits the missing leading cells
  (tables whose separators collapse to one space), and an empty cell between explicit
  separators (tab, ``|``) inherits the cell above.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.model import Mention

from .lexicon import lexicon

#: What separates columns on a row line.
_COLUMN = re.compile(r"\t|｜|\||——+|—|－+|-{2,}|→|：|:| +")
#: What may stand in a row besides names and separators: numbering, joiners, dashes.
_FILLER = re.compile(r"[\s\d一二三四五六七八九十〇零.、，,；;()（）第序号项—\-－–→>/|｜·•*：:和及与等]+")
#: A note in brackets on a row (甲医院——乙县人民医院（重症医学科、麻醉科）): no prose, just a remark.
_NOTE = re.compile(r"（[^（）\n]{0,30}）|\([^()\n]{0,30}\)")
#: A department written right after a hospital's name on a row: 重症医学科, 心血管内科, 感染病区.
_DEPARTMENT = re.compile(r"^[\u4e00-\u9fff]{0,7}?(?:科|病区)(?![\u4e00-\u9fff])")
_PLACE_HEAD = re.compile(r"(所在|市州|市（州）|地区|区域|所属)")
_INDEX_HEAD = re.compile(r"^(序号|编号|No\.?)$")


@dataclass
class Row:
    """One row line: its span and, per column, the party mentions in that cell."""

    line: int
    start: int
    end: int
    cells: list[list[int] | None]  # None: a cell that names no one we know
    inherited: set[int] = field(default_factory=set)  # columns copied from the row above


@dataclass
class Table:
    """A run of rows; ``columns`` classes each column by its header (giver, receiver, place …)."""

    rows: list[Row]
    columns: list[str]
    heading: tuple[int, int] | None  # the header line, or else the line just above the table


#: A line that opens another item or section: 二、 （三） 【记录3】 2. ——
ITEM_START = re.compile(r"\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[)）]|【|\d+[、.．)）]|——|[-•·*])")


def line_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every line of ``text``, newlines excluded."""
    out, pos = [], 0
    for part in text.split("\n"):
        out.append((pos, pos + len(part)))
        pos += len(part) + 1
    return out


def _header_class(cell: str) -> str:
    cell = cell.strip()
    if _INDEX_HEAD.match(cell):
        return "index"
    labels = lexicon().pair_words.of_kind("label")
    found = [c for w, c in labels.items() if w in cell]
    if "receiver" in found:
        return "receiver"
    if "giver" in found:
        return "giver"
    if _cue_then_region(cell):
        return "receiver"
    if _PLACE_HEAD.search(cell):
        return "place"
    return "other"


def _cue_then_region(cell: str) -> bool:
    """A header naming the places helped: a partnership cue, then a level of region (对口指导市州,
    帮扶县区, 支援乡镇)."""
    pw = lexicon().pair_words
    for unit in pw.of_kind("unit"):
        if cell.endswith(unit) and len(cell) > len(unit):
            head = cell[:-len(unit)]
            if any(w in head for w in pw.of_kind("cue")):
                return True
    return False


_EXPLICIT = re.compile(r"\t|｜|\|")
#: Arrows and long dashes inside a cell of a tab- or bar-separated line part columns too
#: (支援医院 → 受援医院｜合作方式).
_STRONG = re.compile(r"\s*(?:——+|→|⟶|=>|－－+)\s*")


def _explicit_cells(line: str) -> list[tuple[int, int]]:
    """The (start, end) in ``line`` of each cell of a tab- or bar-separated line, its pieces parted
    again at arrows and long dashes."""
    out, pos = [], 0
    for piece in _EXPLICIT.split(line):
        lo = pos
        for m in _STRONG.finditer(piece):
            out.append((lo, pos + m.start()))
            lo = pos + m.end()
        out.append((lo, pos + len(piece)))
        pos += len(piece) + 1
    return out


def _header(text: str, a: int, b: int) -> list[str] | None:
    """The column classes of a header line (no names, only labels), or None."""
    line = text[a:b]
    explicit = _EXPLICIT.search(line) is not None
    cells = [c for c in ([line[x:y] for x, y in _explicit_cells(line)] if explicit else _COLUMN.split(line))
             if c.strip()]
    if len(cells) < 2 or any(len(c.strip()) > 12 for c in cells):
        return None
    classes = [_header_class(c) for c in cells]
    if not any(c in ("giver", "receiver") for c in classes):
        return None
    classes = _giver_inferred(classes)
    # Rows keep an explicit number column (as a cell of no one); space-separated rows lose it.
    return classes if explicit else [c for c in classes if c != "index"]


def _giver_inferred(classes: list[str]) -> list[str]:
    """Header classes with the one unlabelled column before the receivers read as the givers when no
    column is labelled so (省级救治中心——对口指导市州)."""
    if "giver" in classes or "receiver" not in classes:
        return classes
    before = [j for j, c in enumerate(classes[:classes.index("receiver")]) if c == "other"]
    if len(before) != 1:
        return classes
    return [("giver" if j == before[0] else c) for j, c in enumerate(classes)]


_FIELDS = re.compile(r"\S+")


def _aligned_row(text: str, a: int, b: int, header: list[str], parties: list[int],
                 mentions: list[Mention]) -> list | None:
    """A space-separated line with as many fields as its header has columns (序号 姓名 派出单位 科室
    服务单位 over 1 覃志刚 甲医院 普通外科 乙县人民医院): one cell per field, the number column
    left out as the header's classes leave it out; None if the fields do not line up or a name
    crosses a field."""
    fields = [m.span() for m in _FIELDS.finditer(text, a, b)]
    if len(header) < 3 or len(fields) != len(header):
        return None
    inside = [i for i in parties if a <= mentions[i].start and mentions[i].end <= b]
    cells: list = []
    for (x, y), cls in zip(fields, header):
        if any(x <= mentions[i].start < y < mentions[i].end for i in inside):
            return None
        if cls != "index":
            got = [i for i in inside if x <= mentions[i].start < y]
            cells.append(got or None)
    return cells if sum(1 for c in cells if c) >= 2 else None


def _row(text: str, a: int, b: int, parties: list[int], mentions: list[Mention]) -> list | None:
    """The cells of a row line — per column, the party mentions in it, ``[]`` for an empty cell
    (it inherits from the row above) and ``None`` for a cell naming no one we know (a dash, a
    number, an unrecognised name) — or None if the line is prose."""
    inside = [i for i in parties if a <= mentions[i].start and mentions[i].end <= b]
    if not inside:
        return None
    line = text[a:b]
    if _EXPLICIT.search(line):
        cells: list = []
        spans = _explicit_cells(line)
        for k, (x, y) in enumerate(spans):
            lo, hi = a + x, a + y
            piece = line[x:y]
            if not piece.strip() and (k == 0 and line.lstrip().startswith(("|", "｜"))
                                      or k == len(spans) - 1 and line.rstrip().endswith(("|", "｜"))):
                continue  # | 甲 | 乙 |: the outer bars open and close the row, no empty cells
            got = [i for i in inside if lo <= mentions[i].start < hi]
            cells.append(got if got else ([] if not piece.strip() else None))
        return cells if sum(1 for c in cells if c) >= 1 and len(cells) >= 2 else None
    rest, pos = [], a
    for i in inside:
        rest.append(text[pos:mentions[i].start])
        pos = mentions[i].end
    rest.append(text[pos:b])
    # A department right after a name (甲医院重症医学科——乙县人民医院重症医学科) is part of its cell.
    bare = [rest[0]] + [_DEPARTMENT.sub("", piece, count=1) for piece in rest[1:]]
    if len(_FILLER.sub("", _NOTE.sub("", "".join(bare)))) > 4:
        return None
    cells = [[inside[0]]]
    for gap, i in zip(rest[1:-1], inside[1:]):
        if _COLUMN.search(gap) and not re.fullmatch(r"\s*[、，,；;和及与]\s*", gap):
            cells.append([i])
        else:
            cells[-1].append(i)
    return cells


_PIECE = re.compile(r"[^；;。]+")


def _segments(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The pieces of a prose line between ；/。, each after its last colon (名单：甲—乙)."""
    out = []
    for m in _PIECE.finditer(text, a, b):
        x, y = m.span()
        colon = max(text.rfind("：", x, y), text.rfind(":", x, y))
        if colon >= 0:
            x = colon + 1
        if y > x:
            out.append((x, y))
    return out


def tables(text: str, parties: list[int], mentions: list[Mention]) -> list[Table]:
    """Every table and list block in the text (rows of one cell are list items)."""
    lines = line_spans(text)
    out: list[Table] = []
    cur: list[Row] = []
    columns: list[str] = []
    fields: list[str] = []  # a space-separated header's classes, the number column kept
    heading: tuple[int, int] | None = None

    def close():
        nonlocal cur, columns
        if cur and (len(cur) >= 2 or sum(1 for c in cur[0].cells if c) >= 2):
            out.append(Table(cur, columns, heading))
        cur, columns = [], []

    for n, (a, b) in enumerate(lines):
        cells = (fields and _aligned_row(text, a, b, fields, parties, mentions)) or \
            _row(text, a, b, parties, mentions)
        if cells is None:
            close()
            inline = []
            for x, y in _segments(text, a, b):
                got = _row(text, x, y, parties, mentions)
                if got is not None and sum(1 for c in got if c) >= 2:
                    inline.append(Row(n, x, y, got))
            if inline:
                # 名单：1.甲—乙；2.丙—丁: pairs listed inside one line.
                out.append(Table(inline, [], (a, inline[0].start)))
            head = _header(text, a, b)
            if head is not None:
                columns = head
                fields = [] if _EXPLICIT.search(text, a, b) else \
                    _giver_inferred([_header_class(c) for c in _COLUMN.split(text[a:b]) if c.strip()])
                if [c for c in fields if c != "index"] != columns:
                    fields = []
            elif text[a:b].strip():
                fields = []
            heading = (a, b) if b > a else heading
            continue
        row = Row(n, a, b, cells)
        if cur:
            prev = cur[-1].cells
            if any(c == [] for c in cells):
                for j, c in enumerate(cells):
                    if c == [] and j < len(prev) and prev[j]:
                        cells[j] = list(prev[j])
                        row.inherited.add(j)
            elif len(cells) < len(prev) and all(c is not None for c in cells):
                missing = len(prev) - len(cells)
                row.cells = [list(c) if c else c for c in prev[:missing]] + cells
                row.inherited.update(range(missing))
        cur.append(row)
    close()
    return out
