"""Ops API answers (CONTRACT.md "Ops API"), one model per route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from functions.reconciliation.models.runs import ReconciliationRun
from shared.models import OrderLine


class TraceEntry(BaseModel):
    at: str
    hop: str
    status: str
    detail: dict[str, Any]


class TransactionTimeline(BaseModel):
    correlation_id: str
    events: list[TraceEntry]


class OrderView(BaseModel):
    order_id: str
    channel: str
    channel_order_id: str
    status: str
    erp_sales_order_id: str | None
    correlation_id: str
    lines: list[OrderLine]
    # Extensions beyond the contract's fields.
    location_id: str | None = None
    cancel_reason: str | None = None
    updated_at: str | None = None


class LocationStock(BaseModel):
    """One position: its states kept apart; `available` (to promise) is derived from them."""

    location_id: str
    on_hand: int
    reserved: int
    available: int
    in_transit: int = 0
    damaged: int = 0
    safety_stock: int = 0
    last_sequence: int
    updated_at: str | None


class InventoryView(BaseModel):
    sku: str
    locations: list[LocationStock]
    channels: dict[str, int]


class StartedRun(BaseModel):
    run_id: str
    kind: str
    status: str


class RunList(BaseModel):
    kind: str
    runs: list[ReconciliationRun]


class ReplayResult(BaseModel):
    replayed: int


class HeldRelease(BaseModel):
    """An order ON_HOLD for stock started again by an operator: our order id and its new execution."""

    order_id: str
    execution: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    correlation_id: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    """The error body's schema (for the API's description): `shared.http_answers` writes the body
    itself, byte for byte what this model writes (tests/unit/shared/test_http_answers.py)."""

    error: ErrorDetail
