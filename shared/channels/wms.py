"""The warehouse (WMS): stock counts and shipments, in the payload we defined (events/wms/README.md).

- `inventory.adjusted` -> `InventoryAdjustment` (absolute `on_hand` after the change, `delta` for
  information, `sequence` as the source sequence);
- `shipment.shipped` -> `Shipment` (consumes the order's reservation at that location);
- `inventory.moved` -> `InventoryMovement` (receipt, pick, store sale, return to stock, transfer
  out / in, damage, write-off, adjustment by delta, cycle count, safety stock; `movement` says which).
Both go to the inventory queue; the inventory worker applies them under the per SKU and location
sequence guard, so a stale or repeated event changes nothing.
- `return.inspected` -> `ReturnInspection` (CONTRACT.md, "Returns"): to the orders queue, where
  returns are recorded; the orders worker publishes `ReturnInspected` once per event id and the
  returns domain hands it to the waiting ReturnFlow (functions/returns/logic/events.py).
Other event types: 202 ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from shared.channels.own_system import CommandSystemAdapter
from shared.channels.registry import register
from shared.models import InventoryAdjustment, InventoryMovement, MovementKind, Shipment, ShipmentLine
from shared.models.base import Model
from shared.models.returns import ReturnInspection

INVENTORY_ADJUSTED = "inventory.adjusted"
INVENTORY_MOVED = "inventory.moved"
SHIPMENT_SHIPPED = "shipment.shipped"
RETURN_INSPECTED = "return.inspected"


class _Wms(Model):
    model_config = ConfigDict(extra="ignore")

    event_id: Annotated[str, Field(min_length=1, max_length=128)]
    sequence: Annotated[int, Field(ge=0)]


class WmsInventoryAdjusted(_Wms):
    event_type: Literal["inventory.adjusted"]
    location_id: str
    sku: str
    on_hand: Annotated[int, Field(ge=0)]
    delta: int | None = None
    reason: str | None = None
    occurred_at: AwareDatetime


class WmsShipmentLine(Model):
    model_config = ConfigDict(extra="ignore")

    sku: str
    quantity: Annotated[int, Field(gt=0)]


class WmsShipmentShipped(_Wms):
    event_type: Literal["shipment.shipped"]
    shipment_id: str
    channel: str
    channel_order_id: str
    location_id: str
    lines: Annotated[list[WmsShipmentLine], Field(min_length=1)]
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: AwareDatetime


# Which payload field carries the number for each movement (events/wms/README.md).
_QUANTITY_FIELD = {
    MovementKind.ADJUSTMENT: "delta",
    MovementKind.CYCLE_COUNT: "on_hand",
    MovementKind.SAFETY_STOCK: "safety_stock",
}


class WmsInventoryMoved(_Wms):
    event_type: Literal["inventory.moved"]
    movement: MovementKind
    location_id: str
    sku: str
    quantity: Annotated[int, Field(gt=0)] | None = None
    delta: int | None = None
    on_hand: Annotated[int, Field(ge=0)] | None = None
    safety_stock: Annotated[int, Field(ge=0)] | None = None
    to_location_id: str | None = None
    from_location_id: str | None = None
    from_quarantine: bool = False
    reference: str | None = None
    reason: str | None = None
    occurred_at: AwareDatetime

    @model_validator(mode="after")
    def _fields_for_movement(self) -> WmsInventoryMoved:
        needed = _QUANTITY_FIELD.get(self.movement, "quantity")
        if getattr(self, needed) is None:
            raise ValueError(f"a {self.movement.value} movement needs `{needed}`")
        if self.movement is MovementKind.TRANSFER_OUT and not self.to_location_id:
            raise ValueError("a transfer_out movement needs `to_location_id`")
        return self

    def amount(self) -> int:
        value: int = getattr(self, _QUANTITY_FIELD.get(self.movement, "quantity"))
        return value


WmsCommand = InventoryAdjustment | InventoryMovement | Shipment | ReturnInspection
C = TypeVar("C", InventoryAdjustment, InventoryMovement, Shipment)


def _canonical(model: type[C], event: _Wms, **fields: Any) -> C:
    """The WMS payload is ours and names its fields as the canonical models do: those carry over,
    its `sequence` becomes the source sequence, and `fields` add or replace the rest."""
    alike = {name: getattr(event, name) for name in type(event).model_fields if name in model.model_fields}
    return model(**{**alike, "source_sequence": event.sequence, **fields})


def command_from_wms(body: dict[str, Any]) -> WmsCommand:
    """A WMS event body -> its canonical command (pydantic ValidationError when it does not fit)."""
    if body.get("event_type") == RETURN_INSPECTED:
        inspected = {key: value for key, value in body.items() if key not in ("event_type", "return_id")}
        return ReturnInspection.model_validate({**inspected, "return_key": body.get("return_id")})
    if body.get("event_type") == INVENTORY_MOVED:
        moved = WmsInventoryMoved.model_validate(body)
        transfer_out = moved.movement is MovementKind.TRANSFER_OUT
        return _canonical(
            InventoryMovement,
            moved,
            kind=moved.movement,
            quantity=moved.amount(),
            counterpart_location_id=moved.to_location_id if transfer_out else moved.from_location_id,
        )
    if body.get("event_type") == SHIPMENT_SHIPPED:
        shipped = WmsShipmentShipped.model_validate(body)
        lines = [ShipmentLine(sku=line.sku, quantity=line.quantity) for line in shipped.lines]
        return _canonical(Shipment, shipped, lines=lines)
    return _canonical(InventoryAdjustment, WmsInventoryAdjusted.model_validate(body))


@register
class WmsAdapter(CommandSystemAdapter):
    source = "wms"
    label = "WMS"
    handled = {
        INVENTORY_ADJUSTED: "inventory",
        INVENTORY_MOVED: "inventory",
        SHIPMENT_SHIPPED: "inventory",
        RETURN_INSPECTED: "orders",
    }

    def command(self, body: dict[str, Any]) -> WmsCommand:
        return command_from_wms(body)

    def happened_at(self, command: WmsCommand) -> datetime | None:
        return command.shipped_at if isinstance(command, Shipment) else command.occurred_at
