"""Exceptions of every kind and the inventory audit trail, as the ops routes show them.

Every exception has the same shape (`ExceptionSummary`): `id`, `kind`, `status`, `reason`,
`category` (shared/failures.py), `correlation_id` where one exists, `concerns` (the business key:
an order, a SKU at a location, a queue's message), when it was raised, whether it can be retried,
its resolution, and `details` (what only that kind has). Reconciliation and enrichment exceptions
also keep their fields at the top level, as they were first answered.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from shared.adapters.exception_store import STORED_KINDS
from shared.models.base import Model

# `GET /v1/ops/exceptions?kind=` takes one of these; without it, it lists them all.
EXCEPTION_KINDS = ("reconciliation", *STORED_KINDS)
# Kinds kept in the shared exception store (shared/adapters/exception_store.py).
RETRYABLE_KINDS = STORED_KINDS


class ExceptionStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Resolution(StrEnum):
    ACCEPT_THEIRS = "accept_theirs"  # our on-hand set to their count (WMS only), audited, republished
    KEEP_OURS = "keep_ours"  # nothing changes but the exception, closed with an audit entry


class ResolveRequest(Model):
    """Body of `POST /v1/ops/exceptions/{exception_id}/resolve`."""

    model_config = ConfigDict(extra="forbid")

    action: Resolution
    note: Annotated[str, Field(min_length=1, max_length=1000)]


class ExceptionSummary(Model):
    """What every exception answers, whatever its kind."""

    id: str
    kind: str
    status: ExceptionStatus
    raised_at: str
    reason: str | None = None
    # vendor_4xx | vendor_down | validation | stock | conflict | internal (shared/failures.py)
    category: str | None = None
    correlation_id: str | None = None
    concerns: str | None = None  # what it is about, in words an operator searches for
    retryable: bool = False  # POST .../retry runs the failed work again
    resolution: str | None = None
    resolved_at: str | None = None
    note: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class StoredExceptionView(ExceptionSummary):
    """An exception of a kind kept in the shared store (order, dead_letter, channel_command, ...)."""

    last_failed_at: str | None = None
    error: str | None = None
    failures: int = 1
    retries: int = 0
    last_retry_at: str | None = None


class ExceptionView(ExceptionSummary):
    """A reconciliation variance above tolerance."""

    kind: str  # "reconciliation"
    sku: str
    location_id: str
    source: str  # "wms" | "erp": whose count differs from ours
    ours: int
    theirs: int
    units: int  # theirs - ours
    value: Decimal | None  # units x unit cost, when a cost is known
    run_id: str
    # Extensions beyond the brief's fields.
    currency: str | None = None
    audit_id: str | None = None


class EnrichmentExceptionView(ExceptionSummary):
    """A notification whose vendor read failed on every attempt, kept so it can be retried."""

    kind: Literal["enrichment"] = "enrichment"
    reason: str  # vendor_not_found | vendor_throttled | vendor_timeout | vendor_error
    channel: str
    channel_order_id: str | None
    correlation_id: str
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


class CloseRequest(Model):
    """Body of `POST /v1/ops/exceptions/{exception_id}/resolve` for a kind other than reconciliation."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["dismiss"] = "dismiss"
    note: Annotated[str, Field(min_length=1, max_length=1000)]


class ExceptionList(Model):
    status: ExceptionStatus
    kind: str | None  # None: every kind, newest first
    exceptions: list[ExceptionView | EnrichmentExceptionView | StoredExceptionView]


class AuditEntry(Model):
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


class AuditList(Model):
    sku: str | None
    entries: list[AuditEntry]
