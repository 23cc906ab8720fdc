"""Transient exceptions retried by themselves on a schedule, with a cap (issue 13.1).

An OPEN exception whose category is transient (`shared/failures.py`: `vendor_down`, `conflict`) and
that keeps what it needs to run again is retried as `POST /v1/ops/exceptions/{id}/retry` would do
(`retry_stored_exception`: the same exactly-once guarantees), once its back-off has passed: 15
minutes after its last failure or retry, doubling with each retry, at most `MAX_AUTO_RETRIES`
times. After that it waits for a person (its alarm and the exceptions list show it). Permanent
categories (`vendor_4xx`, `validation`, `stock`, `internal`) are never retried by the schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from functions.ops.logic.exceptions import EnvelopeQueue, FlowStarter, KindStore, retry_stored_exception
from shared.adapters.exception_store import OPEN, STORED_KINDS
from shared.errors import RetailSyncError
from shared.failures import TRANSIENT
from shared.models import utc_now
from shared.observability import logger

MAX_AUTO_RETRIES = 5
FIRST_BACKOFF = timedelta(minutes=15)
PER_KIND = 200  # open exceptions read per kind and run


@dataclass
class AutoRetryRun:
    retried: list[str] = field(default_factory=list)
    waiting: int = 0  # transient, back-off not over yet
    capped: int = 0  # transient, out of automatic retries: for a person
    failed: list[str] = field(default_factory=list)  # the retry itself was refused (configuration)

    def as_dict(self) -> dict[str, object]:
        return {"retried": self.retried, "waiting": self.waiting, "capped": self.capped, "failed": self.failed}


def _when(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def retry_transient_exceptions(
    store: KindStore,
    queues: dict[str, EnvelopeQueue],
    flow: FlowStarter | None,
    now: Callable[[], datetime] = utc_now,
    max_retries: int = MAX_AUTO_RETRIES,
) -> AutoRetryRun:
    run = AutoRetryRun()
    at = now()
    for kind in STORED_KINDS:
        for item in store.list(kind, OPEN, PER_KIND):
            if item.get("category") not in TRANSIENT:
                continue
            retries = int(item.get("retries", 0))
            if retries >= max_retries:
                run.capped += 1
                continue
            last = max(
                (t for t in (_when(item.get("last_failed_at")), _when(item.get("last_retry_at"))) if t),
                default=None,
            )
            if last is not None and at - last < FIRST_BACKOFF * (2**retries):
                run.waiting += 1
                continue
            exception_id = str(item["exception_id"])
            try:
                retry_stored_exception(store, queues, exception_id, now, flow)
            except RetailSyncError as exc:  # not retryable, not configured, resolved meanwhile
                logger.warning("automatic retry refused", exception_id=exception_id, error=str(exc)[:300])
                run.failed.append(exception_id)
                continue
            run.retried.append(exception_id)
    return run
