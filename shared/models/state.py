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
    # Where this line's units are held when sourcing split the order over several locations
    # (shared/sourcing.py); None: at the reservation's `location_id`. A SKU is held at one place.
    location_id: str | None = None


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

    def location_of(self, sku: str) -> str:
        for line in self.lines:
            if line.sku == sku and line.location_id:
                return line.location_id
        return self.location_id

    def line_locations(self) -> dict[str, str]:
        """Where each SKU is held (the ERP's per-line location)."""
        return {line.sku: self.location_of(line.sku) for line in self.lines}

    def locations(self) -> list[str]:
        """Every location holding a line, the reservation's own first."""
        others = sorted({self.location_of(line.sku) for line in self.lines} - {self.location_id})
        return [self.location_id, *others]

    def by_location(self, units: dict[str, int]) -> dict[str, dict[str, int]]:
        """`units` per SKU grouped by where the reservation holds each SKU (locations in order)."""
        grouped: dict[str, dict[str, int]] = {}
        for sku, quantity in sorted(units.items()):
            grouped.setdefault(self.location_of(sku), {})[sku] = quantity
        return {loc: grouped[loc] for loc in self.locations() if loc in grouped}

    def outstanding_at(self, location_id: str) -> dict[str, int]:
        """Units still held per SKU at one location."""
        return {sku: q for sku, q in self.outstanding().items() if self.location_of(sku) == location_id}

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
