"""The one error family: every error retail-sync raises on purpose, and the closed list of codes
the APIs answer with.

    RetailSyncError (code -> HTTP status)
    |- the API's answers: SignatureInvalid, TimestampStale, MalformedBody, ValidationFailed, ...
    |- outside systems (`system` names which: "erp", "walmart", "shopify", ...):
    |    Throttled(system, retry_after)  429 or a concurrency limit: back off, retry
    |    Unavailable(system)             5xx, timeout, refused connection: retry later
    |    Rejected(system, status)        4xx: the same call fails again; VendorNotFound is the 404
    |    ErpThrottled / ErpUnavailable / ErpRejected: the ERP's, named apart because OrderFlow parks
    |    orders on an ERP outage only (Step Functions match the class name, its `errorType`)
    '- domain outcomes: StaleUpdate, InsufficientStock, ConcurrentModification, PoisonMessage,
         EnrichmentFailed

Handlers never build error bodies by hand: they raise one of these and one exception handler per
API maps it to its status code and `{"error": {...}}` body. Workers and state machine tasks let
them propagate: their class names are what Retry/Catch and the failure categories
(shared/failures.py) match on.
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


# Outside systems ---------------------------------------------------------------------------------


class OutsideSystemError(RetailSyncError):
    """What a system outside retail-sync answered (or did not): `system` says which."""

    def __init__(self, message: str, *, system: str = "outside system", details: list[dict[str, Any]] | None = None):
        super().__init__(message, details=details)
        self.system = system


class Throttled(OutsideSystemError):
    """The system answered 429 (or its concurrency limit): back off `retry_after` seconds if it said."""

    code = ErrorCode.THROTTLED

    def __init__(self, message: str, retry_after: float | None = None, *, system: str = "outside system") -> None:
        super().__init__(message, system=system)
        self.retry_after = retry_after


class Unavailable(OutsideSystemError):
    """The system is down (5xx, timeout, refused connection): retry later."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class Rejected(OutsideSystemError):
    """The system refused the call (4xx other than 429): retrying the same call will not help.
    `answer_status` is its HTTP status when it answered one."""

    def __init__(self, message: str, *, system: str = "outside system", status: int | None = None) -> None:
        super().__init__(message, system=system)
        self.answer_status = status


class VendorNotFound(Rejected):
    """A vendor read answered "no such record" (404)."""


# Domain outcomes raised inside workers and state machine tasks (not API answers).
# Their class names are the Step Functions error names that Retry/Catch match on.


class StaleUpdate(RetailSyncError):
    """A source update older than (or the same as) what we already applied."""


class InsufficientStock(RetailSyncError):
    """Not enough available stock to reserve."""

    def __init__(self, sku: str, location_id: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}@{location_id}: requested {requested}, available {available}")
        self.sku = sku
        self.location_id = location_id
        self.requested = requested
        self.available = available


class ConcurrentModification(RetailSyncError):
    """An optimistic-lock write lost a race; the caller re-reads and retries."""


class ErpThrottled(Throttled):
    """The ERP answered 429 (or its concurrency limit): back off and retry."""

    def __init__(self, message: str, retry_after: float | None = None, *, system: str = "erp") -> None:
        super().__init__(message, retry_after, system=system)


class ErpUnavailable(Unavailable):
    """The ERP is down (5xx, timeout, connection refused): retry later, park if it persists."""

    def __init__(self, message: str, *, system: str = "erp") -> None:
        super().__init__(message, system=system)


class ErpBacklogOpen(ErpUnavailable):
    """Orders parked during an ERP outage are still waiting to be replayed: a new order joins the back
    of the line (OrderFlow parks it at once, no retry) so the ERP receives them in the order accepted."""


class ErpRejected(Rejected):
    """The ERP refused the record (4xx other than 429): retrying will not help."""

    def __init__(self, message: str, status: int | None = None, *, system: str = "erp") -> None:
        super().__init__(message, system=system, status=status)


class PoisonMessage(RetailSyncError):
    """A queued message that can never be processed (unknown shape); it goes to the DLQ."""


class EnrichmentFailed(RetailSyncError):
    """The vendor read that completes a notification failed (not found, throttled, timed out, refused).

    The orders worker retries the message with backoff, then turns it into an `enrichment` exception.
    """

    def __init__(self, reason: str, channel: str, channel_order_id: str | None, error: str) -> None:
        super().__init__(f"{channel} {channel_order_id or '?'}: {reason}: {error}")
        self.reason = reason
        self.channel = channel
        self.channel_order_id = channel_order_id
        self.error = error
