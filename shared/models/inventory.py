"""Inventory: adjustments reported by the warehouse and the positions we keep per SKU and location."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, computed_field

from shared.models.common import LocationId, Sku, StrictModel, UtcDatetime

INVENTORY_SCHEMA_VERSION = "1"


class InventoryAdjustment(StrictModel):
    """A warehouse count change at one location.

    `on_hand` is the absolute count after the change (the WMS is the book of record for
    physical stock); `delta` is informational. `source_sequence` orders the WMS's stream so an
    older report never overwrites a newer one.
    """

    schema_version: str = INVENTORY_SCHEMA_VERSION
    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    sku: Sku
    location_id: LocationId
    on_hand: Annotated[int, Field(ge=0)]
    delta: int | None = None
    reason: str | None = None
    source_sequence: Annotated[int, Field(ge=0)]
    occurred_at: UtcDatetime


class InventoryPosition(StrictModel):
    """Stock of one SKU at one location. Available is derived, never stored."""

    sku: Sku
    location_id: LocationId
    on_hand: Annotated[int, Field(ge=0)] = 0
    reserved: Annotated[int, Field(ge=0)] = 0
    last_sequence: int = -1
    version: int = 0
    updated_at: UtcDatetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)

    def to_item(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"available"}, exclude_none=True)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> InventoryPosition:
        data = {k: v for k, v in item.items() if k in cls.model_fields}
        for key in ("on_hand", "reserved", "last_sequence", "version"):
            if key in data:
                data[key] = int(data[key])
        return cls.model_validate(data)
