"""Progress bars on stderr (tqdm) that show a total and an ETA, also where the terminal reports
no size (some terminals, emacs shells and CI logs say 0×0: tqdm then drew nothing at all)."""
from __future__ import annotations

import os
import sys

#: Size used when the terminal reports none (or an unusably small one).
FALLBACK = (80, 24)


def size(stream=None) -> tuple[int, int]:
    """(columns, lines) of the terminal ``stream`` (stderr) writes to; each falls back to
    $COLUMNS / $LINES, then to FALLBACK, when the terminal reports less than 20 columns or
    fewer than 2 lines."""
    stream = stream or sys.stderr
    try:
        cols, lines = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        cols = lines = 0

    def usable(n: int, env: str, least: int, default: int) -> int:
        if n >= least:
            return n
        v = os.environ.get(env, "")
        return int(v) if v.isdigit() and int(v) >= least else default

    return usable(cols, "COLUMNS", 20, FALLBACK[0]), usable(lines, "LINES", 2, FALLBACK[1])


def bar(total: int | None, desc: str, unit: str, stream=None):
    """A tqdm bar of ``total`` ``unit`` on ``stream`` (stderr), sized to the terminal."""
    from tqdm import tqdm

    stream = stream or sys.stderr
    cols, lines = size(stream)
    return tqdm(total=total, desc=desc, unit=unit, file=stream, ncols=cols, nrows=lines,
                dynamic_ncols=False, mininterval=0.2)
