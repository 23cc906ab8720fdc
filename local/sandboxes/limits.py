"""Per-operation rate limits for the marketplace sandboxes: token buckets, as the vendors document them.

A vendor's usage plan becomes one ``Bucket`` per operation (Amazon's rate + burst), or one bucket
shared by every call (Shopify's leaky bucket), or a bucket counting items instead of calls
(Zalando's stock updates per minute). A sandbox declares its defaults in ``DEFAULT_RATE_LIMITS``
(operation -> ``{"capacity", "refill_per_second"}``, optionally ``"bucket"`` to share one), marks a
route with ``@limited(operation)`` (or calls ``over_limit`` where the check follows validation) and
answers 429 with ``Retry-After`` when a bucket is empty.

The limits are a fault key of the sandbox, ``rate_limits``:
- ``POST /__admin/faults {"rate_limits": {"getOrder": {"capacity": 2, "refill_per_second": 0}}}``
  replaces those operations' buckets (the others keep theirs); a value ``null`` lifts that
  operation's limit;
- ``{"rate_limits": null}`` lifts every limit; ``DELETE /__admin/faults`` restores the defaults.
Buckets start full whenever the faults change.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from local.sandboxes.base import Handler

RATE_LIMITS_KEY = "rate_limits"
NO_REFILL_RETRY_AFTER_S = 60
_OPERATION_ATTR = "_sandbox_operation"


def limited(operation: str) -> Callable[[Handler], Handler]:
    """Counts each call of the decorated route against ``operation``'s bucket (``RateLimitedMixin``):
    over the limit the route answers ``limit_refusal``; every answer carries ``limit_headers``."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, _OPERATION_ATTR, operation)
        return handler

    return mark


class TokenBucket:
    """``capacity`` tokens, refilled continuously at ``refill_per_second``; a call takes ``cost``.

    A leaky bucket of size n leaking r per second admits exactly what this bucket admits, so it also
    stands for Shopify's "leaky bucket" (the bucket's fill level is ``capacity - tokens``).
    """

    def __init__(self, capacity: float, refill_per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        self._clock = clock
        self._tokens = float(capacity)
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self, cost: float = 1) -> tuple[bool, int, float]:
        """(allowed, whole tokens left, seconds until ``cost`` tokens are there again)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.refill_per_second)
            self._updated = now
            allowed = self._tokens >= cost
            if allowed:
                self._tokens -= cost
            missing = max(0.0, cost - self._tokens) if not allowed else max(0.0, 1 - (self._tokens % 1))
            wait = math.inf if self.refill_per_second <= 0 else missing / self.refill_per_second
            return allowed, int(self._tokens), wait

    def level(self) -> float:
        """Tokens in the bucket now (without taking any)."""
        with self._lock:
            now = self._clock()
            return min(self.capacity, self._tokens + (now - self._updated) * self.refill_per_second)


@dataclass(frozen=True)
class Decision:
    """The answer of a limiter: ``allowed``; when refused, ``retry_after`` whole seconds (>= 1)."""

    allowed: bool
    operation: str
    bucket: str
    capacity: float
    refill_per_second: float
    tokens_left: int
    wait_seconds: float

    @property
    def retry_after(self) -> int:
        if math.isinf(self.wait_seconds):
            return NO_REFILL_RETRY_AFTER_S
        return max(1, math.ceil(self.wait_seconds))


def validate_rate_limits(value: Any, operations: frozenset[str]) -> dict[str, Any] | None:
    """Checks a ``rate_limits`` fault value; ``ValueError`` names what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError('rate_limits must be {"<operation>": {"capacity": n, "refill_per_second": r}} or null')
    checked: dict[str, Any] = {}
    for operation, spec in value.items():
        if operation not in operations:
            raise ValueError(f"rate_limits: unknown operation {operation!r}; known: {', '.join(sorted(operations))}")
        if spec is None:
            checked[operation] = None
            continue
        if not isinstance(spec, dict):
            raise ValueError(f"rate_limits.{operation} must be an object or null")
        capacity, refill = spec.get("capacity"), spec.get("refill_per_second", 0)
        if isinstance(capacity, bool) or not isinstance(capacity, int | float) or capacity < 1:
            raise ValueError(f"rate_limits.{operation}.capacity must be a number >= 1")
        if isinstance(refill, bool) or not isinstance(refill, int | float) or refill < 0:
            raise ValueError(f"rate_limits.{operation}.refill_per_second must be a number >= 0")
        entry: dict[str, Any] = {"capacity": capacity, "refill_per_second": float(refill)}
        if "bucket" in spec:
            entry["bucket"] = str(spec["bucket"])
        checked[operation] = entry
    return checked


class OperationLimiter:
    """Token buckets by operation; operations naming the same ``bucket`` share it."""

    def __init__(self, limits: Mapping[str, Any] | None, clock: Callable[[], float] = time.monotonic) -> None:
        self._limits: dict[str, dict[str, Any]] = {
            op: dict(spec) for op, spec in (limits or {}).items() if spec is not None
        }
        self._buckets: dict[str, TokenBucket] = {}
        for operation, spec in self._limits.items():
            name = spec.get("bucket", operation)
            if name not in self._buckets:
                self._buckets[name] = TokenBucket(spec["capacity"], spec["refill_per_second"], clock)

    def take(self, operation: str, cost: float = 1) -> Decision | None:
        """``None`` when the operation is not limited; else the bucket's decision."""
        spec = self._limits.get(operation)
        if spec is None:
            return None
        name = spec.get("bucket", operation)
        bucket = self._buckets[name]
        allowed, left, wait = bucket.take(cost)
        return Decision(allowed, operation, name, bucket.capacity, bucket.refill_per_second, left, wait)

    def level(self, operation: str) -> tuple[float, float] | None:
        """(tokens now, capacity) of the operation's bucket, or ``None`` when not limited."""
        spec = self._limits.get(operation)
        if spec is None:
            return None
        bucket = self._buckets[spec.get("bucket", operation)]
        return bucket.level(), bucket.capacity


class RateLimitedMixin:
    """For a ``Sandbox`` subclass: a ``rate_limits`` fault key backed by an ``OperationLimiter``.

    The subclass sets ``DEFAULT_RATE_LIMITS``, puts ``{RATE_LIMITS_KEY: defaults}`` in its default
    faults, calls ``self._rebuild_limiter()`` at the end of ``__init__`` and from
    ``on_faults_changed`` (the mixin's own hooks do both), and marks its routes ``@limited(operation)``.
    """

    DEFAULT_RATE_LIMITS: dict[str, Any] = {}
    _limiter: OperationLimiter

    if TYPE_CHECKING:
        # provided by Sandbox
        def faults(self) -> dict[str, Any]: ...

        def fault_response(self, kind: str, retry_after: int) -> Response: ...

    def limit_refusal(self, decision: Decision) -> Response:
        """The vendor's answer to a call over its operation's limit: its throttle answer unless overridden."""
        return self.fault_response("throttle", decision.retry_after)

    def limit_headers(self, decision: Decision) -> dict[str, str]:
        """Headers on every answer of a limited operation (Amazon's rate, Shopify's call count)."""
        return {}

    def over_limit(self, operation: str, cost: float = 1) -> Response | None:
        """``limit_refusal`` when ``operation`` (taking ``cost`` tokens) is over its limit, else ``None``."""
        decision = self._limiter.take(operation, cost)
        if decision is None or decision.allowed:
            return None
        return self.limit_refusal(decision)

    def admit_call(self, handler: Callable[..., Response]) -> tuple[Response | None, dict[str, str]]:
        """Sandbox hook: takes a token for the handler's ``limited`` operation."""
        operation = getattr(handler, _OPERATION_ATTR, None)
        decision = None if operation is None else self._limiter.take(operation)
        if decision is None:
            return None, {}
        headers = self.limit_headers(decision)
        if decision.allowed:
            return None, headers
        refusal = self.limit_refusal(decision)
        refusal.headers.update(headers)
        return refusal, headers

    def _validate_rate_limits(self, value: Any) -> dict[str, Any] | None:
        checked = validate_rate_limits(value, frozenset(self.DEFAULT_RATE_LIMITS))
        if checked is None:
            return None
        # A partial change keeps the other operations' current limits (none once all were lifted).
        current = self.faults().get(RATE_LIMITS_KEY) if hasattr(self, "_faults") else None
        merged = dict(current or {})
        merged.update(checked)
        return {op: spec for op, spec in merged.items() if spec is not None}

    def _rebuild_limiter(self) -> None:
        self._limiter = OperationLimiter(self.faults().get(RATE_LIMITS_KEY))

    # Sandbox hooks (the mixin comes first in the bases, so these win over Sandbox's defaults).
    def validate_extra_fault(self, key: str, value: Any) -> Any:
        if key != RATE_LIMITS_KEY:
            raise ValueError(f"unknown fault {key!r}")
        return self._validate_rate_limits(value)

    def on_faults_changed(self) -> None:
        self._rebuild_limiter()
