"""CancelOrder: stop what the warehouse or stores were told, mark the order cancelled (or leave a
tombstone), release its stock, close the ERP order.

After release to the warehouse (issue 10.2) the warehouse is asked first, instruction by
instruction, because a parcel that left cannot be called back:
- every released instruction stopped (or none was released yet): the whole order is cancelled as
  before; instructions still PLANNED are marked CANCELLED, so a release racing this cancel stops
  what it sent (functions/orders/logic/fulfilment_release.py);
- some refused (409 ALREADY_SHIPPED) or already shipped: the order is not cancelled. What was
  stopped (and what was never sent) is cancelled line by line: its reserved units given back once,
  its ERP sales order lines closed; the refused part keeps its reservation, which its shipment
  consumes. The flow publishes `OrderCancelRefused` naming both parts, and the trace says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from functions.orders.adapters.erp import ErpPort
from functions.orders.adapters.wms import CancelRefused
from functions.orders.logic.erp_mapping import item_lines
from functions.orders.logic.events import cancellation_event
from functions.orders.logic.fulfilment_release import Instructions, Warehouse
from functions.orders.logic.line_cancellation import give_back_units
from shared.adapters.state_store import CommitResult, StateStore
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification, ErpRejected, ErpThrottled, ErpUnavailable
from shared.models import order_id_for, utc_now
from shared.models.fulfilment import InstructionStatus, StoredInstruction
from shared.models.order_flow import DomainEvent, FlowInput
from shared.models.state import ReservationStatus
from shared.reservation import plan_reservation_release
from shared.retry import RetryPolicy

HOP = "cancel-order"
CANCEL_REFUSED_EVENT = "OrderCancelRefused"
RELEASED = InstructionStatus.RELEASED
PLANNED = InstructionStatus.PLANNED
ERP_HOP = "erp"


def release_reservation(
    store: StateStore, order_id: str, retry: RetryPolicy, now: Callable[[], datetime] = utc_now
) -> dict[str, int]:
    """Give a HELD reservation's outstanding units back; units released per SKU ({} if nothing was held)."""
    return _give_back_all(store, order_id, retry, now, discard=False)


def discard_reservation(
    store: StateStore, order_id: str, retry: RetryPolicy, now: Callable[[], datetime] = utc_now
) -> dict[str, int]:
    """Compensation: a HELD reservation's outstanding units given back and the reservation deleted,
    so the order can run again from the start (units given back per SKU; {} if none was held)."""
    return _give_back_all(store, order_id, retry, now, discard=True)


def _give_back_all(
    store: StateStore, order_id: str, retry: RetryPolicy, now: Callable[[], datetime], *, discard: bool
) -> dict[str, int]:
    for attempt in range(retry.max_attempts):
        reservation = store.get_reservation(order_id)
        if reservation is None or reservation.status is not ReservationStatus.HELD:
            return {}
        outstanding = reservation.outstanding()
        releases = plan_reservation_release(reservation, outstanding, store.get_positions)
        commit = store.try_discard if discard else store.try_release
        if commit(reservation, releases, now()) is CommitResult.COMMITTED:
            return {release.sku: release.quantity for release in releases}
        retry.pause(attempt)
    doing = "discarded" if discard else "released"
    raise ConcurrentModification(f"reservation of {order_id} kept changing while being {doing}")


@dataclass
class WarehouseCancel:
    """What the warehouse and stores answered: the instructions stopped (or never sent, now
    cancelled), and those refused because their parcel left."""

    stopped: list[StoredInstruction] = field(default_factory=list)
    refused: list[StoredInstruction] = field(default_factory=list)


def stop_released(
    instructions: Instructions, warehouse: Warehouse, channel: str, channel_order_id: str, at: datetime
) -> WarehouseCancel:
    """Stops every instruction of the order, each answer recorded. One still PLANNED is cancelled
    here, so a release racing this cancel stops what it sent (functions/orders/logic/fulfilment_release.py);
    one the release moved to RELEASED meanwhile is stopped at the warehouse like any released one."""
    outcome = WarehouseCancel()
    for instruction in instructions.list(channel, channel_order_id):
        location = instruction.location_id
        if instruction.status in (InstructionStatus.SHIPPED, InstructionStatus.CANCEL_REFUSED):
            outcome.refused.append(instruction)
            continue
        if instruction.status is InstructionStatus.CANCELLED or (
            instruction.status is PLANNED
            and instructions.move(channel, channel_order_id, location, InstructionStatus.CANCELLED, [PLANNED], at)
        ):
            outcome.stopped.append(instruction)
            continue
        try:
            warehouse.cancel(instruction)
        except CancelRefused:
            instructions.move(channel, channel_order_id, location, InstructionStatus.CANCEL_REFUSED, [RELEASED], at)
            outcome.refused.append(instruction)
            continue
        instructions.move(channel, channel_order_id, location, InstructionStatus.CANCELLED, [RELEASED], at)
        outcome.stopped.append(instruction)
    return outcome


def cancel_order(
    flow: FlowInput,
    store: StateStore,
    erp: ErpPort,
    trace: TraceSink,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
    fulfilment: tuple[Instructions, Warehouse] | None = None,
) -> DomainEvent:
    """Every step is idempotent, so the task can be retried as a whole.

    The order item is marked first: from then on ReserveStock refuses to reserve (its transaction
    checks the order item), so a release here can never race a reservation into leaking stock.
    ERP errors propagate (by class name) after the stock is released. `fulfilment` (the instruction
    store and the WMS) is asked first when given.
    """
    retry = retry or RetryPolicy()
    cancellation = flow.require_cancellation()
    cid = flow.correlation_id
    warehouse_answer = WarehouseCancel()
    if fulfilment is not None:
        instructions, warehouse = fulfilment
        channel, channel_order_id = cancellation.channel, cancellation.channel_order_id
        warehouse_answer = stop_released(instructions, warehouse, channel, channel_order_id, now())
        if warehouse_answer.refused:
            return refuse_cancel(flow, store, erp, trace, warehouse_answer, retry, now)
    record = store.mark_cancelled(cancellation, cid, now())
    released = release_reservation(store, record.order_id, retry, now)
    try:
        erp_closed = erp.cancel_sales_order(record.order_id)
    except (ErpThrottled, ErpUnavailable, ErpRejected) as exc:
        trace.record(cid, ERP_HOP, "failed", {"order_id": record.order_id, "error": type(exc).__name__})
        raise
    trace.record(
        cid,
        HOP,
        "cancelled",
        {
            "order_id": record.order_id,
            "released": released,
            "tombstone": record.order is None,
            "erp": erp_closed,
            "warehouse_stopped": [i.location_id for i in warehouse_answer.stopped],
        },
    )
    return cancellation_event(
        cancellation,
        cid,
        erp_sales_order_id=record.erp_sales_order_id,
        released=[{"sku": sku, "quantity": q} for sku, q in sorted(released.items())],
    )


def refuse_cancel(
    flow: FlowInput,
    store: StateStore,
    erp: ErpPort,
    trace: TraceSink,
    answer: WarehouseCancel,
    retry: RetryPolicy,
    now: Callable[[], datetime],
) -> DomainEvent:
    """Part of the order left the building: cancel only what was stopped or never sent, line by line."""
    cancellation = flow.require_cancellation()
    cid = flow.correlation_id
    channel, channel_order_id = cancellation.channel, cancellation.channel_order_id
    cancelled_parts = answer.stopped
    units: Counter[str] = Counter()
    for part in cancelled_parts:
        units.update(part.quantities())
    current = store.get_order(channel, channel_order_id)
    order_id = current.order_id if current else order_id_for(channel, channel_order_id)
    released = give_back_units(store, order_id, units, f"cancel-{flow.event_id}", retry, now) if units else {}
    erp_closed = False
    if units and current is not None and current.order is not None and current.erp_sales_order_id:
        # Where each line leaves from is what its instruction says (the same on a redelivery).
        where = {line.sku: i.location_id for i in [*answer.stopped, *answer.refused] for line in i.lines}
        header = current.location_id or next(iter(where.values()))
        lines = item_lines(current.order, header, where, closed=units)
        try:
            erp.close_sales_order_lines(order_id, lines)
        except (ErpThrottled, ErpUnavailable, ErpRejected) as exc:
            trace.record(cid, ERP_HOP, "failed", {"order_id": order_id, "error": type(exc).__name__})
            raise
        erp_closed = True
    refused = [{"location_id": i.location_id, "lines": i.quantities()} for i in answer.refused]
    cancelled = [{"location_id": i.location_id, "lines": i.quantities()} for i in cancelled_parts]
    trace.record(
        cid,
        HOP,
        "cancel_refused",
        {
            "order_id": order_id,
            "reason": "ALREADY_SHIPPED",
            "refused": refused,
            "cancelled": cancelled,
            "released": released,
            "erp_lines_closed": erp_closed,
        },
    )
    detail = {
        "schema_version": "1",
        "order_id": order_id,
        "channel": channel,
        "channel_order_id": channel_order_id,
        "status": current.status.value if current else None,
        "reason": "ALREADY_SHIPPED",
        "refused": refused,
        "cancelled": cancelled,
        "correlation_id": cid,
    }
    return DomainEvent(event_type=CANCEL_REFUSED_EVENT, detail=detail)
