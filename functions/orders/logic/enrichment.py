"""A notification that can't be enriched yet is never lost.

Amazon ORDER_CHANGE, Walmart PO_CREATED, eBay ORDER_CONFIRMATION (and Square's order events) carry
too little to make an order: normalizing them reads the order from the vendor. That read can answer
"not found" (SP-API's orders are eventually consistent: a notification may come before getOrder knows
the order), be throttled, time out or be refused. Then:

1. the intake raises `EnrichmentFailed` with a classified reason (`classify`) and the order id the
   read asked for (`WatchedLookup`);
2. the worker fails the record and pushes its next delivery back by a growing delay (SQS
   ChangeMessageVisibility from ApproximateReceiveCount: 30 s, 60 s, 120 s by default);
3. on the last attempt (`max_attempts`, below the queue's maxReceiveCount so SQS never moves it to
   the DLQ on its own) the worker writes an OPEN exception of kind `enrichment` holding the envelope
   as it was queued (a claim-checked one keeps its `payload_ref`), and deletes the message;
4. `POST /v1/ops/exceptions/{id}/retry` puts that envelope back on its queue, tagged with the
   exception id; when it goes through, the worker resolves the exception (`resolution.action` =
   `retried`). A retry that fails again leaves it OPEN, with one more failure counted.

The exception id comes from the delivery (`exception_id(kind, received_at, event_id)`): a delivery
raised twice is one exception. A retried notification whose order already exists changes nothing:
the OrderFlow execution name is the order's, and the intake reports it `already_started`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.metrics import MetricUnit

from shared.adapters.exception_store import RETRY_OF, exception_id
from shared.adapters.trace_store import TraceSink
from shared.errors import EnrichmentFailed, PoisonMessage, Throttled, VendorNotFound
from shared.models import Envelope, utc_now
from shared.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

KIND = "enrichment"
HOP = "orders-worker"
MAX_DELAY_SECONDS = 12 * 3600  # SQS's visibility timeout limit


class Reason(StrEnum):
    NOT_FOUND = "vendor_not_found"  # the vendor does not know the order (yet)
    THROTTLED = "vendor_throttled"  # 429 after the client's own waits
    TIMEOUT = "vendor_timeout"  # no answer in the client's timeout
    ERROR = "vendor_error"  # down (5xx, refused connection), refused (4xx), or not configured


def classify(exc: BaseException) -> Reason:
    """The reason of a failed vendor read, from the connector's domain errors (`shared.adapters.http`)."""
    if isinstance(exc, VendorNotFound):
        return Reason.NOT_FOUND
    if isinstance(exc, Throttled):
        return Reason.THROTTLED
    import httpx  # only on this failure path: the connectors have imported it already

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, httpx.TimeoutException):
            return Reason.TIMEOUT
        cause = cause.__cause__
    return Reason.ERROR


class WatchedLookup:
    """The adapter's vendor lookup, built on first use, noting which order a failed read asked for.

    Only a failure raised by the vendor read itself becomes an enrichment failure: a payload that
    does not map (poison) or a bug in the mapping stays what it was.
    """

    def __init__(self, lookup: Any | None, build: Callable[[], Any]) -> None:
        self._lookup = lookup
        self._build = build
        self.failed: tuple[str | None, BaseException] | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._lookup is None:
            try:
                self._lookup = self._build()
            except PoisonMessage:
                raise
            except Exception as exc:  # the client could not be built (configuration, credentials)
                self.failed = (None, exc)
                raise
        attribute = getattr(self._lookup, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except PoisonMessage:
                raise
            except Exception as exc:
                self.failed = (args[0] if args and isinstance(args[0], str) else None, exc)
                raise

        return call

    def failure(self, channel: str, exc: BaseException) -> EnrichmentFailed | None:
        """`exc` as an enrichment failure, if it is the one a vendor read raised."""
        if self.failed is None or self.failed[1] is not exc:
            return None
        return EnrichmentFailed(classify(exc), channel, self.failed[0], f"{type(exc).__name__}: {exc}"[:500])


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    backoff_seconds: int = 30

    def delay(self, attempt: int) -> int:
        """Seconds before delivery `attempt + 1`: the backoff, doubled after every attempt."""
        return min(self.backoff_seconds * 2 ** max(attempt - 1, 0), MAX_DELAY_SECONDS)


class VisibilityPort(Protocol):
    def delay(self, receipt_handle: str, seconds: int) -> None: ...


class EnrichmentExceptionStore(Protocol):
    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool: ...


def enrichment_exception_id(envelope: Envelope) -> str:
    return exception_id(KIND, envelope.received_at, envelope.event_id)


class EnrichmentRetries:
    """What the envelope worker does with an `EnrichmentFailed`, and with a retried envelope that went through."""

    def __init__(
        self,
        store: EnrichmentExceptionStore,
        queue: VisibilityPort,
        trace: TraceSink,
        policy: RetryPolicy | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.queue = queue
        self.trace = trace
        self.policy = policy or RetryPolicy()
        self.now = now

    def failed(self, record: SQSRecord, envelope: Envelope, failure: EnrichmentFailed) -> dict[str, Any]:
        """Before the last attempt: delay the next delivery and fail the record (raises `failure`).
        On the last: the exception is raised (written) and the record succeeds (deleted)."""
        attempt = int(record.attributes.approximate_receive_count or "1")
        detail: dict[str, Any] = {
            "event_id": envelope.event_id,
            "reason": failure.reason,
            "channel_order_id": failure.channel_order_id,
            "attempt": attempt,
        }
        if attempt < self.policy.max_attempts:
            delay = self.policy.delay(attempt)
            self.queue.delay(record.receipt_handle, delay)
            self.trace.record(envelope.correlation_id, HOP, "enrichment_retry", {**detail, "retry_in_seconds": delay})
            logger.warning("vendor read failed; the notification is retried", **detail, retry_in_seconds=delay)
            raise failure
        exception = enrichment_exception_id(envelope)
        written = self.store.raise_open(
            KIND,
            exception,
            {
                "reason": str(failure.reason),
                "channel": failure.channel,
                "channel_order_id": failure.channel_order_id,
                "correlation_id": envelope.correlation_id,
                "event_id": envelope.event_id,
                "event_type": envelope.event_type,
                "delivery_id": envelope.delivery_id,
                "domain": envelope.domain,
                "received_at": envelope.received_at.isoformat(),
                "error": failure.error,
                "attempts": attempt,
                "envelope": record.body,
            },
            self.now(),
        )
        metrics.add_metric(name="EnrichmentExceptions", unit=MetricUnit.Count, value=1)
        self.trace.record(envelope.correlation_id, HOP, "exception", {**detail, "exception_id": exception})
        logger.error(
            "vendor read failed on the last attempt: the notification is kept as an exception",
            **detail,
            exception_id=exception,
            written=written,
        )
        return {"exception_id": exception, "reason": str(failure.reason)}

    def succeeded(self, record: SQSRecord, envelope: Envelope) -> None:
        """A retried envelope went through: its exception is resolved (a second time changes nothing)."""
        attributes = record.message_attributes
        # `.get` would answer the raw dict: only `[]` answers Powertools' typed attribute.
        attribute = attributes[RETRY_OF] if RETRY_OF in attributes else None  # noqa: SIM401
        exception = attribute.string_value if attribute is not None else None
        if not exception:
            return
        resolved = self.store.resolve(
            KIND,
            exception,
            {"action": "retried", "note": "the notification went through on retry"},
            self.now(),
        )
        self.trace.record(
            envelope.correlation_id, HOP, "exception_resolved", {"exception_id": exception, "changed": resolved}
        )
