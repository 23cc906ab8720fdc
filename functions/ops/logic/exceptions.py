"""Ops over exceptions (list, resolve, retry) and the inventory audit trail.

Kinds other than reconciliation (today `enrichment`, functions/orders/logic/enrichment.py) live in
the shared exception store, one partition per kind, their ids naming their kind
(`enrichment-<time>-<hash>`). Retrying one puts its kept envelope back on its queue, tagged with the
exception id, and counts the retry; it stays OPEN until the worker resolves it when the envelope
goes through (`resolution: retried`), so a retry that fails again leaves it open and visible.
Resolving one by hand closes it with a note (`resolution: dismissed`). Either way a resolved
exception stays resolved (409 ALREADY_RESOLVED).

Resolving `accept_theirs` goes through the reconciliation's own correction (position held to the
version and on-hand the run compared, audit entry, dirty marker) plus the exception's status change,
all in one transaction: if the position moved since the exception was raised, nothing is written
and the answer is 409 POSITION_CHANGED (the next run compares again). Only a WMS count is accepted:
the ERP's books are not ours to correct (as in the run). `keep_ours` closes the exception with an
audit entry and changes no stock. A resolved exception stays resolved (409 ALREADY_RESOLVED).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from functions.ops.logic.caller import UNKNOWN_CALLER
from functions.ops.logic.channels import _validation_failed
from functions.ops.models.exceptions import (
    EXCEPTION_KINDS,
    RETRYABLE_KINDS,
    AuditEntry,
    AuditList,
    CloseRequest,
    EnrichmentExceptionView,
    ExceptionList,
    ExceptionStatus,
    ExceptionView,
    Resolution,
    ResolveRequest,
)
from shared.adapters.exception_store import RETRY_OF, kind_of
from shared.errors import AlreadyResolved, NotFound, PositionChanged, ValidationFailed
from shared.models import Envelope, InventoryPosition, utc_now

MAX_LIMIT = 100


class ExceptionStore(Protocol):
    def exceptions(self, limit: int = 100, status: str | None = None) -> list[dict[str, Any]]: ...

    def get_exception(self, exception_id: str) -> dict[str, Any] | None: ...

    def audit_entries(self, limit: int = 100, sku: str | None = None) -> list[dict[str, Any]]: ...

    def resolve(
        self,
        exception_id: str,
        resolution: dict[str, Any],
        audit: dict[str, Any],
        at: datetime,
        correction: tuple[InventoryPosition, int] | None = None,
    ) -> bool: ...


class KindStore(Protocol):
    """The shared exception store (shared/adapters/exception_store.py)."""

    def get(self, kind: str, exception_id: str) -> dict[str, Any] | None: ...

    def list(self, kind: str, status: str | None, limit: int) -> list[dict[str, Any]]: ...

    def mark_retried(self, kind: str, exception_id: str, at: datetime) -> bool: ...

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool: ...


class EnvelopeQueue(Protocol):
    def send(self, body: str, attributes: dict[str, str]) -> str: ...


def parse_status(status: str | None) -> ExceptionStatus:
    try:
        return ExceptionStatus((status or ExceptionStatus.OPEN.value).lower())
    except ValueError:
        raise ValidationFailed(
            "status must be open or resolved", details=[{"field": "status", "message": str(status)[:64]}]
        ) from None


def parse_kind(kind: str | None) -> str:
    kind = kind or EXCEPTION_KINDS[0]
    if kind not in EXCEPTION_KINDS:
        raise ValidationFailed(
            f"kind must be one of {', '.join(EXCEPTION_KINDS)}", details=[{"field": "kind", "message": kind[:64]}]
        )
    return kind


def parse_limit(limit: str | None, default: int = 20) -> int:
    text = limit or str(default)
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ValidationFailed(
            f"limit must be a whole number from 1 to {MAX_LIMIT}", details=[{"field": "limit", "message": text[:64]}]
        )
    return int(text)


def exception_view(item: dict[str, Any]) -> ExceptionView:
    resolution = item.get("resolution") or {}
    return ExceptionView(
        id=item["exception_id"],
        kind=EXCEPTION_KINDS[0],
        sku=item["sku"],
        location_id=item["location_id"],
        source=item["source"],
        ours=item["ours"],
        theirs=item["theirs"],
        units=item["units"],
        value=item.get("value"),
        run_id=item["run_id"],
        raised_at=item["at"],
        status=ExceptionStatus(str(item["status"]).lower()),
        currency=item.get("currency"),
        reason=item.get("reason"),
        resolution=resolution.get("action"),
        resolved_at=item.get("resolved_at"),
        note=resolution.get("note"),
        audit_id=resolution.get("audit_id"),
    )


def list_exceptions(store: ExceptionStore, status: ExceptionStatus, kind: str, limit: int) -> ExceptionList:
    items = store.exceptions(limit, status.value.upper())
    return ExceptionList(status=status, kind=kind, exceptions=[exception_view(item) for item in items])


def audit_trail(store: ExceptionStore, sku: str | None, limit: int) -> AuditList:
    entries = [
        AuditEntry.model_validate({**item, "kind": item.get("kind", "correction")})
        for item in store.audit_entries(limit, sku)
    ]
    return AuditList(sku=sku, entries=entries)


def resolve_exception(
    store: ExceptionStore,
    exception_id: str,
    body: Any,
    now: Callable[[], datetime] = utc_now,
    actor: str = UNKNOWN_CALLER,
) -> ExceptionView:
    try:
        request = ResolveRequest.model_validate(body)
    except ValidationError as exc:
        raise _validation_failed(exc, "resolution") from exc
    item = store.get_exception(exception_id)
    if item is None:
        raise NotFound(f"no exception {exception_id}")
    exception = exception_view(item)
    if exception.status is not ExceptionStatus.OPEN:
        raise AlreadyResolved(f"exception {exception_id} was resolved at {exception.resolved_at}")
    accept = request.action is Resolution.ACCEPT_THEIRS
    if accept and exception.source != "wms":
        raise ValidationFailed(
            "only a WMS count can be accepted: the ERP's books are not ours to correct",
            details=[{"field": "action", "message": f"accept_theirs on a {exception.source} variance"}],
        )
    correction = None
    if accept:
        if "position_version" not in item:
            raise PositionChanged(
                f"exception {exception_id} does not say which version of the position it saw; "
                "keep_ours and let the next run compare again"
            )
        expected = InventoryPosition(
            sku=exception.sku,
            location_id=exception.location_id,
            on_hand=exception.ours,
            version=int(item["position_version"]),
        )
        correction = (expected, exception.theirs)
    at = now()
    audit_id = f"{at.isoformat()}#{exception_id}#{exception.sku}#{exception.location_id}"
    audit = _without_none(
        {
            "audit_id": audit_id,
            "kind": "resolution",
            "exception_id": exception_id,
            "run_id": exception.run_id,
            "sku": exception.sku,
            "location_id": exception.location_id,
            "source": exception.source,
            "action": request.action.value,
            "before": exception.ours,
            "after": exception.theirs if accept else exception.ours,
            "units": exception.units,
            "value": None if exception.value is None else str(exception.value),
            "reason": f"exception resolved: {request.action.value}",
            "note": request.note,
            "actor": actor,
        }
    )
    resolution = {"action": request.action.value, "note": request.note, "audit_id": audit_id}
    if not store.resolve(exception_id, resolution, audit, at, correction):
        current = store.get_exception(exception_id)
        if current is None or str(current.get("status")).lower() != ExceptionStatus.OPEN.value:
            raise AlreadyResolved(f"exception {exception_id} was resolved meanwhile")
        raise PositionChanged(
            f"the position of {exception.sku} at {exception.location_id} changed since the exception was "
            "raised; nothing was written (the next run compares again)"
        )
    resolved = store.get_exception(exception_id)
    return exception_view(resolved if resolved is not None else item)


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# Kinds in the shared exception store ----------------------------------------------------------------


def stored_kind(exception_id: str) -> str | None:
    """The kind of an id kept in the shared store, or None (a reconciliation exception's id)."""
    return kind_of(exception_id, RETRYABLE_KINDS)


def enrichment_view(item: dict[str, Any]) -> EnrichmentExceptionView:
    resolution = item.get("resolution") or {}
    notification: dict[str, Any] | None = None
    payload_ref: str | None = None
    try:
        envelope = Envelope.model_validate_json(str(item.get("envelope") or ""))
        notification, payload_ref = envelope.payload, envelope.payload_ref
    except ValidationError:
        pass
    return EnrichmentExceptionView(
        id=item["exception_id"],
        status=ExceptionStatus(str(item["status"]).lower()),
        reason=item["reason"],
        channel=item["channel"],
        channel_order_id=item.get("channel_order_id"),
        correlation_id=item["correlation_id"],
        raised_at=item["at"],
        last_failed_at=item.get("last_failed_at"),
        event_id=item.get("event_id"),
        event_type=item.get("event_type"),
        delivery_id=item.get("delivery_id"),
        error=item.get("error"),
        attempts=item.get("attempts"),
        failures=item.get("failures", 1),
        retries=item.get("retries", 0),
        last_retry_at=item.get("last_retry_at"),
        notification=notification,
        payload_ref=payload_ref,
        resolution=resolution.get("action"),
        resolved_at=item.get("resolved_at"),
        note=resolution.get("note"),
    )


def list_stored_exceptions(store: KindStore, status: ExceptionStatus, kind: str, limit: int) -> ExceptionList:
    items = store.list(kind, status.value.upper(), limit)
    return ExceptionList(status=status, kind=kind, exceptions=[enrichment_view(item) for item in items])


def _stored(store: KindStore, exception_id: str) -> tuple[str, dict[str, Any]]:
    kind = stored_kind(exception_id)
    item = store.get(kind, exception_id) if kind else None
    if kind is None or item is None:
        raise NotFound(f"no exception {exception_id}")
    if str(item["status"]).lower() != ExceptionStatus.OPEN.value:
        raise AlreadyResolved(f"exception {exception_id} was resolved at {item.get('resolved_at')}")
    return kind, item


def close_stored_exception(
    store: KindStore,
    exception_id: str,
    body: Any,
    now: Callable[[], datetime] = utc_now,
    actor: str = UNKNOWN_CALLER,
) -> EnrichmentExceptionView:
    """Close an OPEN exception by hand, with a note (`{"note": "..."}`)."""
    try:
        request = CloseRequest.model_validate(body)
    except ValidationError as exc:
        raise _validation_failed(exc, "resolution") from exc
    kind, _ = _stored(store, exception_id)
    resolution = {"action": "dismissed", "note": request.note, "actor": actor}
    if not store.resolve(kind, exception_id, resolution, now()):
        raise AlreadyResolved(f"exception {exception_id} was resolved meanwhile")
    item = store.get(kind, exception_id)
    assert item is not None
    return enrichment_view(item)


def retry_stored_exception(
    store: KindStore, queues: dict[str, EnvelopeQueue], exception_id: str, now: Callable[[], datetime] = utc_now
) -> EnrichmentExceptionView:
    """Put the kept envelope back on its queue (same event and correlation ids), tagged with the exception.

    The exception stays OPEN with one more retry counted; the worker resolves it once the envelope
    goes through. Nothing is queued for an exception that is not OPEN.
    """
    kind, item = _stored(store, exception_id)
    queue = queues.get(str(item.get("domain") or "orders"))
    if queue is None:
        raise ValidationFailed(
            f"no queue to retry a {item.get('domain')} exception on",
            details=[{"field": "domain", "message": str(item.get("domain"))}],
        )
    if not store.mark_retried(kind, exception_id, now()):
        raise AlreadyResolved(f"exception {exception_id} was resolved meanwhile")
    queue.send(str(item["envelope"]), {RETRY_OF: exception_id})
    updated = store.get(kind, exception_id)
    return enrichment_view(updated if updated is not None else item)
