"""jionlp, imported once and quietly: it prints a banner on import, and stdout must stay
clean for ``kg … --format json``."""
from __future__ import annotations

import contextlib
import io
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def jionlp() -> ModuleType:
    """The ``jionlp`` module (its import banner swallowed)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp as module
    return module
