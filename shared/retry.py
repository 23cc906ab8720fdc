"""Bounded, jittered retries for optimistic-lock conflicts."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 0.02
    cap_seconds: float = 0.25
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def pause(self, attempt: int) -> None:
        """Full jitter: a random wait up to an exponentially growing cap, so racing writers spread out."""
        self.sleep(self.jitter() * min(self.cap_seconds, self.base_seconds * 2**attempt))
