"""Exceptions (reconciliation, enrichment) and the inventory audit trail, as the ops routes show them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The first is what `GET /v1/ops/exceptions` lists when no kind is asked for.
EXCEPTION_KINDS = ("reconciliation", "enrichment")
# Kinds kept in the shared exception store (shared/adapters/exception_store.py), retried by ops.
RETRYABLE_KINDS = ("enrichment",)


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    ACCEPT_THEIRS = "accept_theirs"  # our on-hand set to their count (WMS only), audited, republished
    KEEP_OURS = "keep_ours"  # nothing changes but the exception, closed with an audit entry


class ResolveRequest(BaseModel):
    """Body of `POST /v1/ops/exceptions/{exception_id}/resolve`."""

    model_config = ConfigDict(extra="forbid")

    action: Resolution
    note: Annotated[str, Field(min_length=1, max_length=1000)]


class ExceptionView(BaseModel):
    id: str
    kind: str  # "reconciliation"
    sku: str
    location_id: str
    source: str  # "wms" | "erp": whose count differs from ours
    ours: int
    theirs: int
    units: int  # theirs - ours
    value: Decimal | None  # units x unit cost, when a cost is known
    run_id: str
    raised_at: str
    status: ExceptionStatus
    # Extensions beyond the brief's fields.
    currency: str | None = None
    reason: str | None = None
    resolution: str | None = None  # the action taken
    resolved_at: str | None = None
    note: str | None = None
    audit_id: str | None = None


class EnrichmentExceptionView(BaseModel):
    """A notification whose vendor read failed on every attempt, kept so it can be retried."""

    id: str
    kind: Literal["enrichment"] = "enrichment"
    status: ExceptionStatus
    reason: str  # vendor_not_found | vendor_throttled | vendor_timeout | vendor_error
    channel: str
    channel_order_id: str | None
    correlation_id: str
    raised_at: str
    last_failed_at: str | None = None
    event_id: str | None = None
    event_type: str | None = None
    delivery_id: str | None = None
    error: str | None = None  # the last vendor error, as the connector raised it
    attempts: int | None = None  # deliveries tried before the exception was raised
    failures: int = 1  # times it ended as an exception (a failed retry adds one)
    retries: int = 0  # retries asked for through ops
    last_retry_at: str | None = None
    notification: dict[str, Any] | None = None  # the vendor's notification, as received
    payload_ref: str | None = None  # where a claim-checked notification is kept instead
    resolution: str | None = None  # "retried" (it went through) | "dismissed" (closed by a person)
    resolved_at: str | None = None
    note: str | None = None


class CloseRequest(BaseModel):
    """Body of `POST /v1/ops/exceptions/{exception_id}/resolve` for a kind other than reconciliation."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["dismiss"] = "dismiss"
    note: Annotated[str, Field(min_length=1, max_length=1000)]


class ExceptionList(BaseModel):
    status: ExceptionStatus
    kind: str
    exceptions: list[ExceptionView | EnrichmentExceptionView]


class AuditEntry(BaseModel):
    audit_id: str
    at: str
    kind: str  # "correction" (a run, within tolerance) | "resolution" (ops resolved an exception)
    sku: str
    location_id: str
    source: str | None = None
    run_id: str | None = None
    exception_id: str | None = None
    action: str | None = None  # a resolution's action
    before: int | None = None  # our on-hand before / after
    after: int | None = None
    units: int | None = None
    value: Decimal | None = None
    reason: str | None = None
    note: str | None = None
    # Who made the change: the IAM caller of the ops route (`requestContext.identity.userArn`), or
    # `retail-sync:reconciliation` for a run's own correction.
    actor: str | None = None


class AuditList(BaseModel):
    sku: str | None
    entries: list[AuditEntry]
