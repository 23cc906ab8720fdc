"""A shipment leaving a warehouse for an order."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.models.common import Channel, LocationId, Sku, StrictModel, UtcDatetime

SHIPMENT_SCHEMA_VERSION = "1"


class ShipmentLine(StrictModel):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]


class Shipment(StrictModel):
    schema_version: str = SHIPMENT_SCHEMA_VERSION
    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    shipment_id: Annotated[str, Field(min_length=1, max_length=128)]
    channel: Channel
    channel_order_id: Annotated[str, Field(min_length=1, max_length=128)]
    location_id: LocationId
    lines: Annotated[list[ShipmentLine], Field(min_length=1)]
    carrier: str | None = None
    tracking_number: str | None = None
    source_sequence: Annotated[int, Field(ge=0)]
    shipped_at: UtcDatetime

    def quantities_by_sku(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for line in self.lines:
            out[line.sku] = out.get(line.sku, 0) + line.quantity
        return out
