"""Returns: a return authorization (RMA) from a returns platform or a marketplace, and a store return."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.models.common import Channel, CustomerRef, LocationId, Sku, StrictModel, UtcDatetime
from shared.models.money import Money

RETURN_SCHEMA_VERSION = "1"


class ReturnStatus(StrEnum):
    OPEN = "OPEN"  # authorized, goods not yet back
    IN_REVIEW = "IN_REVIEW"  # held by the platform for a person
    CLOSED = "CLOSED"  # processed: refunded, exchanged or credited
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class ReturnLine(StrictModel):
    line_id: str | None = None
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]
    reason: str | None = None
    refund_amount: Money | None = None


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
    location_id: LocationId
    status: str
    returned_at: UtcDatetime
    amount: Money
    lines: list[ReturnLine] = Field(default_factory=list)
    reason: str | None = None
