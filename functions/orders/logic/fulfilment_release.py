"""Fulfilment release (issue 10.1/10.2): an accepted order's instructions go to the warehouse or the
store, each once; a shipment counts against its location's instruction.

`OrderAccepted` carries the order's fulfilment instructions (one per location: a split order has
several; ReserveStock planned them from the sourcing rules). For each, in order:

1. the instruction is stored PLANNED (unless already there);
2. it is sent to the WMS (DC, 3PL, dark store) or the store's fulfilment tasks, upserted by its id,
   so a redelivered event or a retry after a crash re-sends the same instruction, never a second pick;
3. it moves PLANNED -> RELEASED in one transaction with a check that the order is not cancelled.

An order cancelled before step 1 is not released. One cancelled between steps 2 and 3 (CancelOrder
found the instruction PLANNED and marked it CANCELLED) loses that transaction: the instruction just
sent is cancelled at the WMS again (compensation), so nothing is picked for a cancelled order.

Calls per instruction: one PUT to the WMS; DynamoDB: the order read, a conditional put, one
transaction (update + condition check); the instructions Query once per event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from functions.orders.logic.erp_fulfilment import StoredOrder
from shared.errors import PoisonMessage
from shared.models import OrderStatus
from shared.models.fulfilment import FulfilmentInstruction, InstructionStatus, StoredInstruction
from shared.models.shipment import Shipment

HOP = "fulfilment"


class Orders(Protocol):
    def get_order(self, channel: str, channel_order_id: str) -> StoredOrder | None: ...


class Instructions(Protocol):
    def list(self, channel: str, channel_order_id: str) -> list[StoredInstruction]: ...

    def plan(
        self,
        channel: str,
        channel_order_id: str,
        order_id: str,
        instructions: Sequence[FulfilmentInstruction],
        correlation_id: str,
        at: datetime,
    ) -> None: ...

    def mark_released(
        self, channel: str, channel_order_id: str, location_id: str, wms_id: str, at: datetime
    ) -> bool: ...

    def move(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        to: InstructionStatus,
        from_statuses: Sequence[InstructionStatus],
        at: datetime,
    ) -> bool: ...

    def revise(
        self, channel: str, channel_order_id: str, revised: FulfilmentInstruction, wms_id: str | None, at: datetime
    ) -> None: ...

    def record_shipment(
        self,
        channel: str,
        channel_order_id: str,
        location_id: str,
        shipment_id: str,
        units: Mapping[str, int],
        at: datetime,
    ) -> StoredInstruction | None: ...


class Warehouse(Protocol):
    def release(self, instruction: FulfilmentInstruction, order: dict[str, Any]) -> str: ...

    def cancel(self, instruction: FulfilmentInstruction) -> bool: ...


class Trace(Protocol):
    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any]) -> None: ...


def release_order(
    detail: dict[str, Any],
    orders: Orders,
    instructions: Instructions,
    warehouse: Warehouse,
    trace: Trace,
    now: Callable[[], datetime],
) -> dict[str, Any]:
    """`detail` is an OrderAccepted event's. Answers what was released (for the batch's log)."""
    try:
        order_id, channel, channel_order_id = (str(detail[k]) for k in ("order_id", "channel", "channel_order_id"))
        planned = [FulfilmentInstruction.model_validate(f) for f in detail.get("fulfilments") or []]
    except (KeyError, ValueError) as exc:
        raise PoisonMessage("OrderAccepted without an order or with unreadable fulfilments") from exc
    cid = str(detail.get("correlation_id") or order_id)
    if not planned:  # a till sale (already handed over) or an order accepted before sourcing
        return {"order_id": order_id, "released": []}
    current = orders.get_order(channel, channel_order_id)
    if current is None or current.status is OrderStatus.CANCELLED:
        trace.record(cid, HOP, "skipped_cancelled", {"order_id": order_id})
        return {"order_id": order_id, "released": []}
    instructions.plan(channel, channel_order_id, order_id, planned, cid, now())
    released: list[str] = []
    for instruction in instructions.list(channel, channel_order_id):
        if instruction.status is not InstructionStatus.PLANNED:
            continue  # released before (a redelivery), shipped, or cancelled
        wms_id = warehouse.release(instruction, detail)
        if instructions.mark_released(channel, channel_order_id, instruction.location_id, wms_id, now()):
            released.append(instruction.location_id)
            trace.record(
                cid,
                HOP,
                "released",
                {
                    "order_id": order_id,
                    "location_id": instruction.location_id,
                    "method": instruction.method.value,
                    "wms_id": wms_id,
                    "lines": instruction.quantities(),
                },
            )
            continue
        # Cancelled while it was being sent: stop what was just sent.
        stopped = warehouse.cancel(instruction)
        instructions.move(
            channel,
            channel_order_id,
            instruction.location_id,
            InstructionStatus.CANCELLED,
            [InstructionStatus.PLANNED],
            now(),
        )
        trace.record(
            cid, HOP, "compensated", {"order_id": order_id, "location_id": instruction.location_id, "stopped": stopped}
        )
    return {"order_id": order_id, "released": released}


def note_shipment(
    shipment: Shipment, correlation_id: str, instructions: Instructions, trace: Trace, now: Callable[[], datetime]
) -> StoredInstruction | None:
    """A shipment (OrderShipped) against its location's instruction, once per shipment id."""
    stored = instructions.record_shipment(
        shipment.channel,
        shipment.channel_order_id,
        shipment.location_id,
        shipment.shipment_id,
        shipment.quantities_by_sku(),
        now(),
    )
    if stored is not None:
        trace.record(
            correlation_id or stored.order_id,
            HOP,
            "shipped" if stored.fully_shipped() else "partly_shipped",
            {"order_id": stored.order_id, "location_id": stored.location_id, "shipment_id": shipment.shipment_id},
        )
    return stored
