"""Canonical order, order line and the order's lifecycle status."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from shared.models.common import (
    Address,
    Channel,
    CustomerRef,
    LocationId,
    Sku,
    StrictModel,
    UtcDatetime,
)
from shared.models.money import Money

ORDER_SCHEMA_VERSION = "1"


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    ON_HOLD = "ON_HOLD"  # not enough stock: nothing reserved, waits for a person or stock
    # Held for payment or fraud review (shared/review.py): stock reserved, nothing sent to the ERP or
    # the warehouse until the payment clears or a person releases it; cancelled through ops.
    IN_REVIEW = "IN_REVIEW"
    ACCEPTED = "ACCEPTED"  # stock reserved (a till sale: taken off on hand) and the ERP sales order exists
    ERP_FAILED = "ERP_FAILED"  # parked for replay once the ERP is back
    CANCELLED = "CANCELLED"


class PaymentStatus(StrEnum):
    """The channel's payment state of the order (Shopify's `financial_status`, upper-cased: "PENDING:
    orders have this status when the payment provider needs time to complete the payment, or when
    manual payment methods are being used"; "EXPIRED: payment wasn't captured before the payment
    provider's deadline"; shopify.dev, Admin API, OrderDisplayFinancialStatus). Marketplaces collect
    payment before they send an order: theirs is None (paid)."""

    PENDING = "PENDING"
    AUTHORIZED = "AUTHORIZED"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


class OrderLine(StrictModel):
    line_id: Annotated[str, Field(min_length=1, max_length=64)]
    sku: Sku
    quantity: Annotated[int, Field(gt=0, le=100_000)]
    unit_price: Money
    tax: Money | None = None
    discount: Money | None = None
    title: str | None = None

    @property
    def total(self) -> Money:
        total = self.unit_price.times(self.quantity)
        if self.discount is not None:
            total = Money(amount=total.amount - self.discount.amount, currency=total.currency)
        if self.tax is not None:
            total = total + self.tax
        return total


# The envelope event type of an order retail-sync itself places (an exchange's replacement, from
# ReturnFlow): its payload is the canonical Order, started by the orders worker without a channel adapter.
REPLACEMENT_ORDER_EVENT = "order.replacement"


def order_id_for(channel: str, channel_order_id: str) -> str:
    """Our order id: stable for a channel's order, so every replay maps to the same id."""
    digest = hashlib.sha256(f"{channel}:{channel_order_id}".encode()).hexdigest()[:20]
    return f"ord_{digest}"


class Order(StrictModel):
    schema_version: str = ORDER_SCHEMA_VERSION
    order_id: str = ""
    channel: Channel
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    placed_at: UtcDatetime
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    lines: Annotated[list[OrderLine], Field(min_length=1, max_length=500)]
    customer: CustomerRef | None = None
    shipping_address: Address | None = None
    # What the buyer paid for shipping, where the channel says (finance compares a payout's charge,
    # which includes it, with the order). Not part of `total` (the goods, their discounts and tax).
    shipping: Money | None = None
    fulfilment_location_id: LocationId | None = None
    payment_status: PaymentStatus | None = None
    status: OrderStatus = OrderStatus.RECEIVED
    source_updated_at: UtcDatetime | None = None

    @model_validator(mode="after")
    def _derive_id_and_check_currency(self) -> Order:
        if not self.order_id:
            object.__setattr__(self, "order_id", order_id_for(self.channel, self.channel_order_id))
        for line in self.lines:
            if line.unit_price.currency != self.currency:
                raise ValueError(
                    f"line {line.line_id} is priced in {line.unit_price.currency}, order in {self.currency}"
                )
        return self

    @property
    def total(self) -> Money:
        total = Money(amount=Decimal("0"), currency=self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    def quantities_by_sku(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.sku] = out.get(line.sku, 0) + line.quantity
        return out

    def to_item(self) -> dict[str, Any]:
        """The JSON-safe form stored in DynamoDB and passed to the OrderFlow."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Order:
        return cls.model_validate(item)


class OrderCancellation(StrictModel):
    schema_version: str = ORDER_SCHEMA_VERSION
    channel: Channel
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    cancelled_at: UtcDatetime
    reason: str | None = None

    @property
    def order_id(self) -> str:
        return order_id_for(self.channel, self.channel_order_id)
