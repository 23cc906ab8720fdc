"""Domain exceptions and the closed list of error codes the API answers with.

Handlers never build error bodies by hand: they raise one of these and one exception
handler per API maps it to its status code and `{"error": {...}}` body.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    SIGNATURE_INVALID = "SIGNATURE_INVALID"  # 401: bad, missing or unverifiable signature
    TIMESTAMP_STALE = "TIMESTAMP_STALE"  # 401: signed timestamp outside the tolerance window
    MALFORMED_BODY = "MALFORMED_BODY"  # 400: not JSON / not the vendor's shape
    VALIDATION_FAILED = "VALIDATION_FAILED"  # 400: parsed but a field is invalid (details list the fields)
    UNKNOWN_SOURCE = "UNKNOWN_SOURCE"  # 404: no adapter for /v1/webhooks/{source}
    NOT_FOUND = "NOT_FOUND"  # 404: ops lookups for something we do not know
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # 413: body over 256 KiB
    DELIVERY_IN_PROGRESS = "DELIVERY_IN_PROGRESS"  # 409: the same delivery is being accepted right now; retry
    POSITION_CHANGED = "POSITION_CHANGED"  # 409: the stock position moved since the exception was raised
    ALREADY_RESOLVED = "ALREADY_RESOLVED"  # 409: the reconciliation exception was resolved before
    THROTTLED = "THROTTLED"  # 429: over the API's rate
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # 405
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"  # 503: could not durably queue; the vendor should retry
    INTERNAL = "INTERNAL"  # 500


STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.SIGNATURE_INVALID: 401,
    ErrorCode.TIMESTAMP_STALE: 401,
    ErrorCode.MALFORMED_BODY: 400,
    ErrorCode.VALIDATION_FAILED: 400,
    ErrorCode.UNKNOWN_SOURCE: 404,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.DELIVERY_IN_PROGRESS: 409,
    ErrorCode.POSITION_CHANGED: 409,
    ErrorCode.ALREADY_RESOLVED: 409,
    ErrorCode.THROTTLED: 429,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.UPSTREAM_UNAVAILABLE: 503,
    ErrorCode.INTERNAL: 500,
}


class RetailSyncError(Exception):
    """Base for errors that become an API answer."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    @property
    def status(self) -> int:
        return STATUS_BY_CODE[self.code]


class SignatureInvalid(RetailSyncError):
    code = ErrorCode.SIGNATURE_INVALID


class TimestampStale(RetailSyncError):
    code = ErrorCode.TIMESTAMP_STALE


class MalformedBody(RetailSyncError):
    code = ErrorCode.MALFORMED_BODY


class ValidationFailed(RetailSyncError):
    code = ErrorCode.VALIDATION_FAILED


class UnknownSource(RetailSyncError):
    code = ErrorCode.UNKNOWN_SOURCE


class NotFound(RetailSyncError):
    code = ErrorCode.NOT_FOUND


class PayloadTooLarge(RetailSyncError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class DeliveryInProgress(RetailSyncError):
    code = ErrorCode.DELIVERY_IN_PROGRESS


class UpstreamUnavailable(RetailSyncError):
    code = ErrorCode.UPSTREAM_UNAVAILABLE


class PositionChanged(RetailSyncError):
    code = ErrorCode.POSITION_CHANGED


class AlreadyResolved(RetailSyncError):
    code = ErrorCode.ALREADY_RESOLVED


# Domain outcomes raised inside workers and state machine tasks (not API answers).
# Their class names are the Step Functions error names that Retry/Catch match on.


class StaleUpdate(Exception):
    """A source update older than (or the same as) what we already applied."""


class InsufficientStock(Exception):
    """Not enough available stock to reserve."""

    def __init__(self, sku: str, location_id: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}@{location_id}: requested {requested}, available {available}")
        self.sku = sku
        self.location_id = location_id
        self.requested = requested
        self.available = available


class ConcurrentModification(Exception):
    """An optimistic-lock write lost a race; the caller re-reads and retries."""


class ErpThrottled(Exception):
    """The ERP answered 429 (or its concurrency limit): back off and retry."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ErpUnavailable(Exception):
    """The ERP is down (5xx, timeout, connection refused): retry later, park if it persists."""


class ErpBacklogOpen(ErpUnavailable):
    """Orders parked during an ERP outage are still waiting to be replayed: a new order joins the back
    of the line (OrderFlow parks it at once, no retry) so the ERP receives them in the order accepted."""


class ErpRejected(Exception):
    """The ERP refused the record (4xx other than 429): retrying will not help."""


class PoisonMessage(Exception):
    """A queued message that can never be processed (unknown shape); it goes to the DLQ."""


class VendorNotFound(Exception):
    """A vendor read answered "no such record" (404): the mixin of each vendor client's not-found error."""


class EnrichmentFailed(Exception):
    """The vendor read that completes a notification failed (not found, throttled, timed out, refused).

    The orders worker retries the message with backoff, then turns it into an `enrichment` exception.
    """

    def __init__(self, reason: str, channel: str, channel_order_id: str | None, error: str) -> None:
        super().__init__(f"{channel} {channel_order_id or '?'}: {reason}: {error}")
        self.reason = reason
        self.channel = channel
        self.channel_order_id = channel_order_id
        self.error = error
