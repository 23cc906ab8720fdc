"""The customer-safe order status (issue 12.3): what a helpdesk agent, or the customer, may see.

`GET /v1/status/orders/{channel}/{channel_order_id}` answers it and the customer-service connector
pushes it. It says what happened to the order, its parcels, its returns and refunds, and nothing
else: no internal ids (order id, ERP ids, correlation ids, credit memo ids), no personal data
(names, addresses, e-mails, phones), no internal reasons (an ERP outage is just "processing").
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict

from shared.models.base import Model


class CustomerOrderStatus(StrEnum):
    PROCESSING = "PROCESSING"  # received, being confirmed (stock, ERP; an outage is not the customer's news)
    CONFIRMED = "CONFIRMED"  # accepted: stock reserved, the sales order exists
    ON_HOLD = "ON_HOLD"  # waiting for stock or a person
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"  # every unit not cancelled has left
    CANCELLED = "CANCELLED"


class CustomerReturnStatus(StrEnum):
    REQUESTED = "REQUESTED"  # authorized, waiting for the parcel to reach the warehouse
    RECEIVED = "RECEIVED"  # inspected, the refund is on its way
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"  # nothing to refund (or refunded by the marketplace itself)
    REJECTED = "REJECTED"
    UNDER_REVIEW = "UNDER_REVIEW"  # an exception a person is looking at


class _View(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusLine(_View):
    sku: str
    title: str | None = None
    quantity: int
    shipped: int = 0
    cancelled: int = 0


class ShipmentLine(_View):
    sku: str
    quantity: int


class ShipmentView(_View):
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: str
    lines: list[ShipmentLine]


class RefundView(_View):
    status: str  # PENDING | REFUNDED | NONE
    amount: str | None = None
    currency: str | None = None
    refunded_at: str | None = None


class ReturnView(_View):
    reference: str  # the returns platform's or marketplace's return number, which the customer has
    status: CustomerReturnStatus
    requested_at: str
    lines: list[ShipmentLine]
    refund: RefundView


class OrderStatusView(_View):
    channel: str
    channel_order_id: str
    status: CustomerOrderStatus
    placed_at: str | None = None
    currency: str | None = None
    updated_at: str
    lines: list[StatusLine]
    shipments: list[ShipmentView]
    returns: list[ReturnView]
