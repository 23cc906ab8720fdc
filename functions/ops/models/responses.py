"""Ops API answers (CONTRACT.md "Ops API"), one model per route."""

from __future__ import annotations

from typing import Any

from shared.models import OrderLine
from shared.models.base import Model
from shared.models.reconciliation import ReconciliationRun


class TraceEntry(Model):
    at: str
    hop: str
    status: str
    detail: dict[str, Any]


class TransactionTimeline(Model):
    correlation_id: str
    events: list[TraceEntry]


class OrderShipmentView(Model):
    """One shipment of the order as the ERP took it (its item fulfilment)."""

    shipment_id: str
    location_id: str | None = None
    lines: list[dict[str, Any]]
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: str | None = None
    erp_item_fulfillment_id: str | None = None


class OrderFulfilmentView(Model):
    """One fulfilment instruction: where part of the order leaves from and how far it got."""

    instruction_id: str
    location_id: str
    method: str  # SHIP_FROM_DC | SHIP_FROM_STORE | STORE_PICKUP
    status: str  # PLANNED | RELEASED | SHIPPED | CANCELLED | CANCEL_REFUSED
    lines: list[dict[str, Any]]
    wms_id: str | None = None
    shipped: dict[str, int] = {}


class ChannelCallView(Model):
    """One call to the channel for the order (the channel outbound worker's exactly-once record):
    `ACKNOWLEDGE`, or `SHIPMENT#<shipment id>` for a shipment confirmed."""

    call: str
    status: str  # SENT once the channel took it; CLAIMED while it is being made
    reference: str | None = None
    sent_at: str | None = None


class OrderView(Model):
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
    shipments: list[OrderShipmentView] = []
    fulfilments: list[OrderFulfilmentView] = []
    channel_calls: list[ChannelCallView] = []


class LocationStock(Model):
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


class InventoryView(Model):
    sku: str
    locations: list[LocationStock]
    channels: dict[str, int]


class StartedRun(Model):
    run_id: str
    kind: str
    status: str


class RunList(Model):
    kind: str
    runs: list[ReconciliationRun]


class ReplayResult(Model):
    replayed: int


class HeldRelease(Model):
    """An order ON_HOLD for stock started again, or cancelled, by an operator: our order id and the
    execution that does it."""

    order_id: str
    execution: str


class ErrorDetail(Model):
    code: str
    message: str
    correlation_id: str
    details: list[dict[str, Any]] | None = None


class ErrorResponse(Model):
    """The error body's schema (for the API's description): `shared.http_answers` writes the body
    itself, byte for byte what this model writes (tests/unit/shared/test_http_answers.py)."""

    error: ErrorDetail
