"""In-memory fulfilment instructions and warehouse (shared/adapters/fulfilment_instructions.py and
functions/orders/adapters/wms.py keep the same contract on DynamoDB and HTTP)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from functions.orders.adapters.wms import CancelRefused
from shared.adapters.state_store import iso
from shared.models import OrderStatus
from shared.models.fulfilment import FulfilmentInstruction, InstructionStatus, StoredInstruction


class InMemoryInstructions:
    def __init__(self, order_status: Callable[[str, str], OrderStatus | None]) -> None:
        self.items: dict[tuple[str, str, str], StoredInstruction] = {}
        self.order_status = order_status

    def list(self, channel: str, channel_order_id: str) -> list[StoredInstruction]:
        return [
            item.model_copy(deep=True)
            for (c, o, _), item in sorted(self.items.items())
            if (c, o) == (channel, channel_order_id)
        ]

    def plan(
        self,
        channel: str,
        channel_order_id: str,
        order_id: str,
        instructions: Sequence[FulfilmentInstruction],
        correlation_id: str,
        at: datetime,
    ) -> None:
        for instruction in instructions:
            self.items.setdefault(
                (channel, channel_order_id, instruction.location_id),
                StoredInstruction.model_validate(
                    {
                        **instruction.model_dump(),
                        "status": InstructionStatus.PLANNED,
                        "order_id": order_id,
                        "channel": channel,
                        "channel_order_id": channel_order_id,
                        "correlation_id": correlation_id,
                        "updated_at": iso(at),
                    }
                ),
            )

    def mark_released(self, channel: str, channel_order_id: str, location_id: str, wms_id: str, at: datetime) -> bool:
        item = self.items.get((channel, channel_order_id, location_id))
        if item is None or item.status is not InstructionStatus.PLANNED:
            return False
        if self.order_status(channel, channel_order_id) is OrderStatus.CANCELLED:
            return False
        self.items[(channel, channel_order_id, location_id)] = item.model_copy(
            update={"status": InstructionStatus.RELEASED, "wms_id": wms_id, "updated_at": iso(at)}
        )
        return True

    def move(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        to: InstructionStatus,
        from_statuses: Sequence[InstructionStatus],
        at: datetime,
    ) -> bool:
        item = self.items.get((channel, channel_order_id, location_id))
        if item is None or item.status not in from_statuses:
            return False
        self.items[(channel, channel_order_id, location_id)] = item.model_copy(
            update={"status": to, "updated_at": iso(at)}
        )
        return True

    def revise(
        self, channel: str, channel_order_id: str, revised: FulfilmentInstruction, wms_id: str | None, at: datetime
    ) -> None:
        key = (channel, channel_order_id, revised.location_id)
        changes: dict[str, Any] = {
            "instruction_id": revised.instruction_id,
            "lines": revised.lines,
            "updated_at": iso(at),
        }
        if wms_id is not None:
            changes["wms_id"] = wms_id
        self.items[key] = self.items[key].model_copy(update=changes)

    def record_shipment(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        shipment_id: str,
        units: Mapping[str, int],
        at: datetime,
    ) -> StoredInstruction | None:
        key = (channel, channel_order_id, location_id)
        item = self.items.get(key)
        if item is None or shipment_id in item.shipments:
            return None
        shipped = dict(item.shipped)
        for sku, quantity in units.items():
            shipped[sku] = shipped.get(sku, 0) + quantity
        item = item.model_copy(update={"shipped": shipped, "shipments": [*item.shipments, shipment_id]})
        shippable = (InstructionStatus.PLANNED, InstructionStatus.RELEASED, InstructionStatus.CANCEL_REFUSED)
        if item.fully_shipped() and item.status in shippable:
            item = item.model_copy(update={"status": InstructionStatus.SHIPPED})
        self.items[key] = item
        return item.model_copy(deep=True)

    def status_of(self, channel: str, channel_order_id: str, location_id: str) -> InstructionStatus:
        return self.items[(channel, channel_order_id, location_id)].status


class FakeWarehouse:
    """The WMS and the stores: upsert by instruction id, cancel refused once the parcel left."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []
        self.shipped: set[str] = set()
        self.before_answer: Callable[[], None] | None = None

    def release(self, instruction: FulfilmentInstruction, order: dict[str, Any]) -> str:
        self.calls.append(("release", instruction.instruction_id))
        record = self.orders.setdefault(
            instruction.instruction_id,
            {"id": f"FO-{len(self.orders) + 1}", "status": "RELEASED", "lines": instruction.quantities()},
        )
        if self.before_answer is not None:
            self.before_answer()
        return str(record["id"])

    def cancel(self, instruction: FulfilmentInstruction) -> bool:
        self.calls.append(("cancel", instruction.instruction_id))
        record = self.orders.get(instruction.instruction_id)
        if record is None:
            return False
        if instruction.instruction_id in self.shipped:
            raise CancelRefused("409 ALREADY_SHIPPED", system="wms", status=409)
        record["status"] = "CANCELLED"
        return True

    def picks(self) -> dict[str, str]:
        return {key: str(record["status"]) for key, record in self.orders.items()}
