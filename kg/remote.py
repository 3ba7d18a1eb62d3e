"""How long to wait for a server: the retry policy shared by SPARQL endpoints and Bolt servers.

Every request to a server (a query, a push batch) gets a connect timeout, a deadline that
covers all its attempts, and retries with exponential backoff that is capped, so a server
that is down, refuses connections, or accepts them and never answers costs about a minute
by default, never days.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator

#: Defaults a user can accept: a dead or silent server fails the command within about a minute.
CONNECT_TIMEOUT = 10.0
TIMEOUT = 60.0
MAX_BACKOFF = 8.0


@dataclass(frozen=True)
class RetryPolicy:
    """Retries, timeouts and backoff for one request, in seconds.

    ``retries``: attempts after the first, on connection errors, timeouts and transient
    server errors. ``timeout``: the deadline of the request, every attempt and pause
    included (also what one attempt may wait for an answer). ``connect_timeout``: the
    longest wait for a server to accept a connection (and, on Bolt, to greet). The pause
    before attempt *n* + 1 is ``backoff · 2ⁿ⁻¹`` seconds, at most ``max_backoff``.
    """

    retries: int = 4
    timeout: float = TIMEOUT
    connect_timeout: float = CONNECT_TIMEOUT
    backoff: float = 0.5
    max_backoff: float = MAX_BACKOFF

    def __post_init__(self) -> None:
        if self.retries < 0 or self.timeout <= 0 or self.connect_timeout <= 0 or self.backoff < 0:
            raise ValueError(f"retries must be ≥ 0 and timeouts > 0: {self}")

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)

    def attempts(self) -> Iterator[tuple[int, float]]:
        """(attempt number, seconds left before the deadline), pausing between attempts.

        Stops after ``retries + 1`` attempts, or earlier when the deadline would pass
        before the next attempt could start.
        """
        deadline = time.monotonic() + self.timeout
        for n in range(1, self.retries + 2):
            if n > 1:
                pause = self.pause(n - 1)
                if deadline - time.monotonic() <= pause:
                    return
                time.sleep(pause)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            yield n, left
