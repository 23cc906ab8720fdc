"""Client-side rate limiting: a token bucket per channel operation, with an injectable clock.

The publisher runs with reserved concurrency 1, so one bucket per process is the whole
account's budget. A bucket starts full (the vendor's burst) and refills at the vendor's rate;
`acquire` waits for tokens, or says no when the wait would run past the caller's deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], None]
_EPSILON = 1e-9


class OutOfTime(Exception):
    """Waiting for the rate limit would pass the deadline: the rest waits for the next run."""


@dataclass
class TokenBucket:
    rate_per_second: float
    burst: float
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    _tokens: float = field(init=False)
    _updated: float = field(init=False)

    def __post_init__(self) -> None:
        if self.rate_per_second <= 0 or self.burst < 1:
            raise ValueError("a bucket needs a positive rate and a burst of at least 1")
        self._tokens = float(self.burst)
        self._updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate_per_second)
        self._updated = now

    def acquire(self, cost: float = 1.0, deadline: float | None = None) -> None:
        """Take `cost` tokens, sleeping until they are there; OutOfTime if that passes `deadline`."""
        if cost > self.burst:
            raise ValueError(f"a call costing {cost} can never fit a bucket of {self.burst}")
        self._refill()
        while self._tokens < cost - _EPSILON:  # float refills land a hair short of a whole token
            wait = max((cost - self._tokens) / self.rate_per_second, _EPSILON)
            if deadline is not None and self.clock() + wait > deadline:
                raise OutOfTime(f"{wait:.2f} s to wait for the rate limit")
            self.sleep(wait)
            self._refill()
        self._tokens = max(self._tokens - cost, 0.0)
