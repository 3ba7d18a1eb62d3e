"""kg.remote: how long a command waits for a server (issue 16: waiting has bounds)."""
from __future__ import annotations

import time

import pytest

from kg.remote import CONNECT_TIMEOUT, MAX_BACKOFF, TIMEOUT, RetryPolicy


def test_pauses_double_up_to_the_cap():
    p = RetryPolicy(retries=20, backoff=0.5, max_backoff=4.0)
    assert [p.pause(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert RetryPolicy(retries=20).pause(20) == MAX_BACKOFF  # not 0.5 · 2¹⁹ s (three days)


def test_attempts_stop_at_the_deadline_whatever_the_retries():
    p = RetryPolicy(retries=20, timeout=1.0, backoff=0.05, max_backoff=0.2)
    t0 = time.monotonic()
    seen = []
    for n, left in p.attempts():
        seen.append((n, left))
        time.sleep(0.05)  # each attempt fails after a while
    took = time.monotonic() - t0
    assert took <= 1.1, took
    assert [n for n, _ in seen] == list(range(1, len(seen) + 1)) and 3 <= len(seen) < 21
    assert all(0 < left <= 1.0 for _, left in seen)
    assert [left for _, left in seen] == sorted((left for _, left in seen), reverse=True)
    # without retries there is one attempt, with the whole deadline to answer
    (only,) = RetryPolicy(retries=0, timeout=5).attempts()
    assert only[0] == 1 and 4.9 < only[1] <= 5


def test_defaults_fail_within_about_a_minute():
    p = RetryPolicy(retries=20)
    assert p.timeout == TIMEOUT <= 60 and p.connect_timeout == CONNECT_TIMEOUT <= p.timeout
    assert MAX_BACKOFF < p.timeout / 4  # several attempts fit in the deadline
    with pytest.raises(ValueError):
        RetryPolicy(timeout=0)
