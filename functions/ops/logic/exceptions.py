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

Without `kind`, the list reads every kind (reconciliation's store and each partition of the shared
one), newest first. Retry by kind:
- `enrichment`, `dead_letter`, `channel_command` (and any kind that kept a `queue` and `payload`):
  the kept message goes back on its source queue tagged with the exception id; the exception stays
  OPEN until the worker takes it (resolved `retried`), a failure on its last receive counts one more;
- `order`: a new OrderFlow execution with the kept input (named `<name>-r<retries>`); the exception
  is resolved `retried` at once (with the new execution's name), and a new failure is a new exception;
- `reconciliation`, and any kind that kept nothing to run again: 400 VALIDATION_FAILED saying why
  (resolve it with a note instead).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
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
    StoredExceptionView,
)
from shared.adapters.exception_store import RETRY_OF, kind_of
from shared.errors import AlreadyResolved, NotFound, PositionChanged, UpstreamUnavailable, ValidationFailed
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


class FlowStarter(Protocol):
    def start(self, name: str, execution_input: dict[str, Any]) -> bool: ...


def parse_status(status: str | None) -> ExceptionStatus:
    try:
        return ExceptionStatus((status or ExceptionStatus.OPEN.value).lower())
    except ValueError:
        raise ValidationFailed(
            "status must be open or resolved", details=[{"field": "status", "message": str(status)[:64]}]
        ) from None


def parse_kind(kind: str | None) -> str | None:
    """The kind asked for, or None for every kind."""
    if not kind:
        return None
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
        # A variance above tolerance: someone decides whose count is right.
        category="validation",
        concerns=f"{item['sku']} at {item['location_id']} ({item['source']} count)",
        resolution=resolution.get("action"),
        resolved_at=item.get("resolved_at"),
        note=resolution.get("note"),
        audit_id=resolution.get("audit_id"),
        details={
            k: item.get(k)
            for k in ("sku", "location_id", "source", "ours", "theirs", "units", "value", "currency", "run_id")
        },
    )


def list_exceptions(store: ExceptionStore, status: ExceptionStatus, kind: str, limit: int) -> ExceptionList:
    items = store.exceptions(limit, status.value.upper())
    return ExceptionList(status=status, kind=kind, exceptions=[exception_view(item) for item in items])


def list_every_kind(
    reconciliation: ExceptionStore | None,
    stored: KindStore | None,
    status: ExceptionStatus,
    kind: str | None,
    limit: int,
) -> ExceptionList:
    """The exceptions of `kind`, or of every kind (newest first), in `status`."""
    if reconciliation is None and stored is None:
        raise UpstreamUnavailable("exceptions are not configured (state table)")
    views: list[ExceptionView | EnrichmentExceptionView | StoredExceptionView] = []
    if reconciliation is not None and kind in (None, EXCEPTION_KINDS[0]):
        views.extend(exception_view(item) for item in reconciliation.exceptions(limit, status.value.upper()))
    if stored is not None:
        for each in RETRYABLE_KINDS if kind is None else (kind,) if kind in RETRYABLE_KINDS else ():
            views.extend(stored_view(item) for item in stored.list(each, status.value.upper(), limit))
    views.sort(key=lambda view: _instant(view.raised_at), reverse=True)
    return ExceptionList(status=status, kind=kind, exceptions=views[:limit])


def _instant(at: str) -> datetime:
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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

# What a stored exception keeps that every view already shows at the top level, or that the
# enrichment view names itself.
_COMMON = frozenset(
    {
        "pk", "sk", "exception_id", "kind", "status", "at", "reason", "category", "correlation_id",
        "concerns", "resolution", "resolved_at", "last_failed_at", "error", "failures", "retries",
        "last_retry_at",
    }
)  # fmt: skip
_QUEUED_KINDS = ("enrichment", "dead_letter", "channel_command")


def stored_kind(exception_id: str) -> str | None:
    """The kind of an id kept in the shared store, or None (a reconciliation exception's id)."""
    return kind_of(exception_id, RETRYABLE_KINDS)


def _open(item: dict[str, Any]) -> bool:
    return str(item.get("status")).lower() == ExceptionStatus.OPEN.value


def _enrichment_category(reason: str) -> str:
    # vendor_not_found: the vendor answered 404; throttled, timeout or error: it was not there for us.
    return "vendor_4xx" if reason == "vendor_not_found" else "vendor_down"


def _lifecycle(item: dict[str, Any]) -> dict[str, Any]:
    """What every exception view shows of its failures, retries and resolution."""
    resolution = item.get("resolution") or {}
    return {
        "last_failed_at": item.get("last_failed_at"),
        "error": item.get("error"),
        "failures": item.get("failures", 1),
        "retries": item.get("retries", 0),
        "last_retry_at": item.get("last_retry_at"),
        "resolution": resolution.get("action"),
        "resolved_at": item.get("resolved_at"),
        "note": resolution.get("note"),
    }


def enrichment_view(item: dict[str, Any]) -> EnrichmentExceptionView:
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
        category=item.get("category") or _enrichment_category(str(item["reason"])),
        concerns=f"{item['channel']} order {item.get('channel_order_id') or '(unknown id)'}",
        retryable=_open(item),
        channel=item["channel"],
        channel_order_id=item.get("channel_order_id"),
        correlation_id=item["correlation_id"],
        raised_at=item["at"],
        event_id=item.get("event_id"),
        event_type=item.get("event_type"),
        delivery_id=item.get("delivery_id"),
        attempts=item.get("attempts"),
        notification=notification,
        payload_ref=payload_ref,
        **_lifecycle(item),
        details={
            "channel": item["channel"],
            "channel_order_id": item.get("channel_order_id"),
            "domain": item.get("domain"),
        },
    )


def _retryable(item: dict[str, Any]) -> bool:
    kind = str(item.get("kind"))
    if kind == "order":
        return bool(item.get("input"))
    return bool(item.get("envelope") if kind == "enrichment" else item.get("queue") and item.get("payload"))


def _text(value: Any) -> str | None:
    """A free-text field as text whatever a writer stored (one odd item never breaks the listing)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def stored_view(item: dict[str, Any]) -> EnrichmentExceptionView | StoredExceptionView:
    """The view of an exception of any kind in the shared store."""
    if item.get("kind") == "enrichment":
        return enrichment_view(item)
    return StoredExceptionView(
        id=str(item["exception_id"]),
        kind=str(item["kind"]),
        status=ExceptionStatus(str(item["status"]).lower()),
        raised_at=str(item["at"]),
        reason=item.get("reason"),
        category=item.get("category"),
        correlation_id=item.get("correlation_id"),
        concerns=_text(item.get("concerns")),
        retryable=_open(item) and _retryable(item),
        **_lifecycle(item),
        details={k: v for k, v in item.items() if k not in _COMMON},
    )


def list_stored_exceptions(store: KindStore, status: ExceptionStatus, kind: str, limit: int) -> ExceptionList:
    return list_every_kind(None, store, status, kind, limit)


def _stored(store: KindStore, exception_id: str) -> tuple[str, dict[str, Any]]:
    kind = stored_kind(exception_id)
    item = store.get(kind, exception_id) if kind else None
    if kind is None or item is None:
        raise NotFound(f"no exception {exception_id}")
    if not _open(item):
        raise AlreadyResolved(f"exception {exception_id} was resolved at {item.get('resolved_at')}")
    return kind, item


def close_stored_exception(
    store: KindStore,
    exception_id: str,
    body: Any,
    now: Callable[[], datetime] = utc_now,
    actor: str = UNKNOWN_CALLER,
) -> EnrichmentExceptionView | StoredExceptionView:
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
    return stored_view(item)


def _not_retryable(exception_id: str, why: str) -> ValidationFailed:
    return ValidationFailed(why, details=[{"field": "exception_id", "message": exception_id[:64]}])


def retry_stored_exception(
    store: KindStore,
    queues: dict[str, EnvelopeQueue],
    exception_id: str,
    now: Callable[[], datetime] = utc_now,
    flow: FlowStarter | None = None,
) -> EnrichmentExceptionView | StoredExceptionView:
    """Run the failed work again (see the module's docstring, by kind); nothing for one not OPEN."""
    kind, item = _stored(store, exception_id)
    if kind == "order":
        return _restart_order(store, flow, kind, exception_id, item, now)
    if kind == "enrichment":
        queue_name, body, attributes = str(item.get("domain") or "orders"), str(item["envelope"]), {}
    elif item.get("queue") and item.get("payload"):
        queue_name, body = str(item["queue"]), str(item["payload"])
        attributes = {k: str(v) for k, v in (item.get("attributes") or {}).items()}
    else:
        raise _not_retryable(exception_id, f"a {kind} exception keeps nothing to run again: resolve it with a note")
    queue = queues.get(queue_name)
    if queue is None:
        raise UpstreamUnavailable(f"retrying {kind} exceptions is not configured (no {queue_name} queue)")
    if not store.mark_retried(kind, exception_id, now()):
        raise AlreadyResolved(f"exception {exception_id} was resolved meanwhile")
    queue.send(body, {**attributes, RETRY_OF: exception_id})
    updated = store.get(kind, exception_id)
    return stored_view(updated if updated is not None else item)


def _restart_order(
    store: KindStore,
    flow: FlowStarter | None,
    kind: str,
    exception_id: str,
    item: dict[str, Any],
    now: Callable[[], datetime],
) -> StoredExceptionView | EnrichmentExceptionView:
    """A new OrderFlow execution with the failed one's input: every step is idempotent on the order id
    (reservation per order, ERP upsert by external id, record held to its status), so an order whose
    effects already happened is recorded and published as it is, and nothing is done twice."""
    if flow is None:
        raise UpstreamUnavailable("retrying order exceptions is not configured (OrderFlow)")
    try:
        execution_input = json.loads(str(item.get("input") or ""))
    except ValueError:
        execution_input = None
    if not isinstance(execution_input, dict):
        raise _not_retryable(exception_id, "this order exception kept no OrderFlow input: resolve it with a note")
    retries = int(item.get("retries", 0)) + 1
    base = str(item.get("execution_name") or exception_id.rsplit("-", 1)[-1])
    name = f"{base[:70]}-r{retries}"
    if not store.mark_retried(kind, exception_id, now()):
        raise AlreadyResolved(f"exception {exception_id} was resolved meanwhile")
    flow.start(name, execution_input)
    store.resolve(kind, exception_id, {"action": "retried", "execution_name": name}, now())
    updated = store.get(kind, exception_id)
    return stored_view(updated if updated is not None else item)
