"""Reconciliation exceptions and the inventory audit trail, as the ops routes show them."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

EXCEPTION_KINDS = ("reconciliation",)


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


class ExceptionList(BaseModel):
    status: ExceptionStatus
    kind: str
    exceptions: list[ExceptionView]


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


class AuditList(BaseModel):
    sku: str | None
    entries: list[AuditEntry]
