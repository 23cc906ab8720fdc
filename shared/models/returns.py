"""Returns: a return authorization (RMA) from a returns platform or a marketplace, and a store return."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from shared.models.common import Channel, CustomerRef, LocationId, Sku, StrictModel, UtcDatetime
from shared.models.money import Money

RETURN_SCHEMA_VERSION = "1"


class ReturnStatus(StrEnum):
    OPEN = "OPEN"  # authorized, goods not yet back
    IN_REVIEW = "IN_REVIEW"  # held by the platform for a person
    CLOSED = "CLOSED"  # processed: refunded, exchanged or credited
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class ExchangeItem(StrictModel):
    """What the customer takes instead of money for a returned unit (one unit of `sku` at
    `unit_price`, `tax` on it). `order_id` is the channel order the returns platform already made
    for it, when it names one (Loop's `exchanges[].exchange_order_id`, a Shopify order)."""

    sku: Sku
    unit_price: Money
    tax: Money | None = None
    title: str | None = None
    exchange_id: str | None = None
    order_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None


class ReturnLine(StrictModel):
    line_id: str | None = None
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    reason: str | None = None
    refund_amount: Money | None = None
    # What the customer asked for: `refund` (money or store credit) or `exchange` (the unit
    # replaced by `exchange`, shipped once the returned goods are inspected).
    outcome: Literal["refund", "exchange"] = "refund"
    exchange: ExchangeItem | None = None

    @model_validator(mode="after")
    def _exchange_names_its_item(self) -> ReturnLine:
        if (self.outcome == "exchange") != (self.exchange is not None):
            raise ValueError("an exchange line names its exchange item, and only an exchange line does")
        return self


class ReturnAuthorization(StrictModel):
    """One return as the platform sees it now; `updated_at` orders the versions of one return.

    `source` is who authorized it (`loop`, `walmart`); `channel` / `channel_order_id` name the
    order the goods were bought on (a Loop return is for a Shopify order).
    """

    schema_version: str = RETURN_SCHEMA_VERSION
    source: Channel
    return_id: Annotated[str, Field(min_length=1, max_length=128)]
    channel: Channel
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    status: ReturnStatus
    created_at: UtcDatetime
    updated_at: UtcDatetime
    lines: Annotated[list[ReturnLine], Field(min_length=1)]
    customer: CustomerRef | None = None
    refund_total: Money | None = None
    tracking_numbers: list[str] = Field(default_factory=list)


class StoreReturn(StrictModel):
    """Goods brought back to a store and refunded there (Square POS refund) at `location_id`."""

    schema_version: str = RETURN_SCHEMA_VERSION
    channel: Channel
    return_id: Annotated[str, Field(min_length=1, max_length=128)]
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    # Buy online, return in store: the channel of the online order `channel_order_id` names
    # (None: the store's own sale).
    order_channel: Channel | None = None
    location_id: LocationId
    status: str
    returned_at: UtcDatetime
    amount: Money
    lines: list[ReturnLine] = Field(default_factory=list)
    reason: str | None = None


class InspectedReturnLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    condition: Literal["resellable", "refurbish", "damaged", "unsellable"]


class ReturnInspection(StrictModel):
    """The warehouse's inspection of a return's goods (the WMS `return.inspected` webhook, CONTRACT.md).

    `return_key` is the return's business key `<source>:<source_return_id>`; `location_id` is where
    the goods were inspected (and where restocked units go back into stock)."""

    schema_version: str = RETURN_SCHEMA_VERSION
    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    return_key: Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[a-z][a-z0-9_]*:.+$")]
    location_id: LocationId
    sequence: Annotated[int, Field(ge=0)]
    lines: list[InspectedReturnLine]
    occurred_at: UtcDatetime
