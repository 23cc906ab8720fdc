"""What can happen to an order after it was placed: updates, fulfilments, refunds, line cancellations.

Each is keyed by channel + channel order id (the order's business key) and carries the channel's
own id for the change (`change_id`), so a replay records nothing twice. None of them goes
through the OrderFlow: the orders worker records them (functions/orders/logic/order_changes.py)
and publishes `OrderUpdated`, `OrderFulfilled`, `RefundPosted`, `OrderLinesCancelled`. A change
for an order we have not seen yet is held and applied when the order arrives.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.models.common import Address, Channel, LocationId, Sku, StrictModel, UtcDatetime
from shared.models.money import Money
from shared.models.orders import OrderLine, order_id_for

ORDER_CHANGE_SCHEMA_VERSION = "1"

ChannelOrderId = Annotated[str, Field(min_length=1, max_length=128)]
ChangeId = Annotated[str, Field(min_length=1, max_length=128)]


class _OrderChange(StrictModel):
    schema_version: str = ORDER_CHANGE_SCHEMA_VERSION
    channel: Channel
    channel_order_id: ChannelOrderId
    change_id: ChangeId

    @property
    def order_id(self) -> str:
        return order_id_for(self.channel, self.channel_order_id)


class OrderUpdate(_OrderChange):
    """The channel's current view of an order (Shopify orders/updated).

    `lines` is the full current line list when the channel sends it; `updated_at` orders the
    updates, so an older one never overwrites a newer one.
    """

    updated_at: UtcDatetime
    financial_status: str | None = None
    fulfilment_status: str | None = None
    shipping_address: Address | None = None
    lines: list[OrderLine] | None = None


class FulfilmentLine(StrictModel):
    line_id: str | None = None
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]


class Fulfilment(_OrderChange):
    """Goods handed to a carrier by the channel or its fulfilment network (Shopify orders/fulfilled)."""

    fulfilled_at: UtcDatetime
    status: str
    lines: Annotated[list[FulfilmentLine], Field(min_length=1)]
    location_id: LocationId | None = None
    carrier: str | None = None
    tracking_numbers: list[str] = Field(default_factory=list)


class RefundLine(StrictModel):
    line_id: str | None = None
    sku: Sku
    quantity: Annotated[int, Field(ge=0)]
    amount: Money | None = None
    tax: Money | None = None
    restock: bool = False


class Refund(_OrderChange):
    """Money given back on an order (Shopify refunds/create). `amount` is what the customer gets."""

    refunded_at: UtcDatetime
    amount: Money
    lines: list[RefundLine] = Field(default_factory=list)
    reason: str | None = None


class CancelledLine(StrictModel):
    line_id: str
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    reason: str | None = None


class OrderLinesCancelled(_OrderChange):
    """Some lines of an order cancelled by the channel (Walmart PO_LINE_AUTOCANCELLED); the rest stand."""

    cancelled_at: UtcDatetime
    lines: Annotated[list[CancelledLine], Field(min_length=1)]
