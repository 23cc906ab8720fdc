"""Items the orders domain keeps in the state table (wiring.md, "State table items")."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.models import Order, OrderLine, OrderStatus
from shared.models.base import Model


class StoredModel(Model):
    model_config = ConfigDict(extra="ignore")


class ReservationStatus(StrEnum):
    HELD = "HELD"
    RELEASED = "RELEASED"
    CONSUMED = "CONSUMED"


class ReservationLine(StoredModel):
    sku: str
    quantity: Annotated[int, Field(gt=0)]


class Reservation(StoredModel):
    """Stock held for one order at one location.

    `consumed` counts units per SKU already shipped (the inventory worker consumes a reservation
    shipment by shipment), `shipments` lists the shipment ids applied, `version` is the
    optimistic lock for those read-modify-write updates.
    """

    order_id: str
    status: ReservationStatus = ReservationStatus.HELD
    location_id: str
    lines: list[ReservationLine]
    correlation_id: str
    created_at: datetime
    hold_expires_at: int
    consumed: dict[str, int] = Field(default_factory=dict)
    shipments: list[str] = Field(default_factory=list)
    # Channel line cancellations (`OrderLinesCancelled` change ids) already given back, each once.
    line_cancellations: list[str] = Field(default_factory=list)
    version: int = 0

    def quantities(self) -> dict[str, int]:
        return {line.sku: line.quantity for line in self.lines}

    def outstanding(self) -> dict[str, int]:
        """Units still held per SKU (reserved and not yet shipped)."""
        return {
            line.sku: line.quantity - self.consumed.get(line.sku, 0)
            for line in self.lines
            if line.quantity - self.consumed.get(line.sku, 0) > 0
        }


class OrderRecord(StoredModel):
    """The order item: the latest status of one channel order, or a cancellation tombstone."""

    order_id: str
    channel: str
    channel_order_id: str
    status: OrderStatus
    correlation_id: str
    updated_at: datetime
    erp_sales_order_id: str | None = None
    lines: list[OrderLine] = Field(default_factory=list)
    order: Order | None = None
    location_id: str | None = None
    cancel_reason: str | None = None


class Shortage(Model):
    """A line the location cannot cover: what was asked, what was available."""

    sku: str
    requested: int
    available: int
