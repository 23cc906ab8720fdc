"""Inventory: what the warehouse reports (adjustments, movements), the positions we keep per SKU and
location, and the locations themselves.

Position states are kept apart (docs/inventory.md): `on_hand` (physically at the location, damaged
units included), `reserved` (held for orders), `in_transit` (inbound to this location, not yet
received), `damaged` (damaged or quarantined, on hand but not sellable) and `safety_stock` (a buffer
never promised). Available-to-promise is derived from them and never stored:
`max(on_hand - reserved - damaged - safety_stock, 0)`; in-transit units are not available.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, computed_field, field_validator, model_validator

from shared.models.common import LocationId, Sku, StrictModel, UtcDatetime
from shared.models.movement_kind import MovementKind

INVENTORY_SCHEMA_VERSION = "1"


class InventoryAdjustment(StrictModel):
    """A warehouse count change at one location.

    `on_hand` is the absolute count after the change (the WMS is the book of record for
    physical stock); `delta` is informational. `source_sequence` orders the WMS's stream so an
    older report never overwrites a newer one. Applied like a cycle count.
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


ABSOLUTE_KINDS = frozenset({MovementKind.CYCLE_COUNT, MovementKind.SAFETY_STOCK})


class InventoryMovement(StrictModel):
    """One stock movement of one SKU at one location, as the WMS (or POS) reported it.

    `quantity` is the units moved (> 0) for flows, the signed non-zero delta for `adjustment`, and
    the absolute level (>= 0) for `cycle_count` and `safety_stock`. `counterpart_location_id` is the
    destination of a `transfer_out` and the origin of a `transfer_in`.
    """

    schema_version: str = INVENTORY_SCHEMA_VERSION
    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    kind: MovementKind
    sku: Sku
    location_id: LocationId
    quantity: int
    counterpart_location_id: LocationId | None = None
    from_quarantine: bool = False
    reference: Annotated[str, Field(max_length=128)] | None = None
    reason: Annotated[str, Field(max_length=128)] | None = None
    source_sequence: Annotated[int, Field(ge=0)]
    occurred_at: UtcDatetime

    @model_validator(mode="after")
    def _quantity_fits_kind(self) -> InventoryMovement:
        if self.kind is MovementKind.ADJUSTMENT:
            if self.quantity == 0:
                raise ValueError("an adjustment needs a non-zero signed delta in quantity")
        elif self.kind in ABSOLUTE_KINDS:
            if self.quantity < 0:
                raise ValueError(f"{self.kind.value} quantity is an absolute level and cannot be negative")
        elif self.quantity <= 0:
            raise ValueError(f"{self.kind.value} quantity must be a positive number of units")
        if self.kind is MovementKind.TRANSFER_OUT and not self.counterpart_location_id:
            raise ValueError("a transfer_out names its destination in counterpart_location_id")
        if self.counterpart_location_id is not None and self.counterpart_location_id == self.location_id:
            raise ValueError("a transfer's counterpart location must differ from its location")
        return self


class InventoryPosition(StrictModel):
    """Stock of one SKU at one location. Available-to-promise is derived, never stored.

    `last_sequence` is the highest source sequence applied to the position; `count_sequence` the
    sequence of the last absolute count (None on items written before counts were told apart from
    deltas: then the last sequence was a count). Deltas older than the last count are already in it.
    """

    sku: Sku
    location_id: LocationId
    on_hand: Annotated[int, Field(ge=0)] = 0
    reserved: Annotated[int, Field(ge=0)] = 0
    in_transit: Annotated[int, Field(ge=0)] = 0
    damaged: Annotated[int, Field(ge=0)] = 0
    safety_stock: Annotated[int, Field(ge=0)] = 0
    last_sequence: int = -1
    count_sequence: int | None = None
    safety_sequence: int = -1
    # Store sales (the POS is not in the WMS's sequence) are ordered against counts by time, epoch ms:
    # the time of the last absolute count, and of the latest till sale applied (0: none yet).
    counted_at_ms: int = 0
    sold_through_ms: int = 0
    version: int = 0
    updated_at: UtcDatetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def available(self) -> int:
        """Available-to-promise: on hand less reserved, damaged / quarantined and safety stock."""
        return max(self.on_hand - self.reserved - self.damaged - self.safety_stock, 0)

    @property
    def counted_at_sequence(self) -> int:
        """The sequence of the last absolute count (legacy items: their last sequence)."""
        return self.last_sequence if self.count_sequence is None else self.count_sequence

    def to_item(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"available"}, exclude_none=True)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> InventoryPosition:
        data = {k: v for k, v in item.items() if k in cls.model_fields}
        for key in (
            "on_hand",
            "reserved",
            "in_transit",
            "damaged",
            "safety_stock",
            "last_sequence",
            "count_sequence",
            "safety_sequence",
            "counted_at_ms",
            "sold_through_ms",
            "version",
        ):
            if data.get(key) is not None:
                data[key] = int(data[key])
        return cls.model_validate(data)


class LocationKind(StrEnum):
    STORE = "store"
    DARK_STORE = "dark_store"
    REGIONAL_DC = "regional_dc"
    THIRD_PARTY = "3pl"


class Location(StrictModel):
    """A stock-holding location in the hierarchy (a store under its regional DC, ...)."""

    location_id: LocationId
    name: Annotated[str, Field(min_length=1, max_length=128)]
    kind: LocationKind
    parent: LocationId | None = None
    fulfils_online: bool
    time_zone: Annotated[str, Field(min_length=1, max_length=64)]

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value
