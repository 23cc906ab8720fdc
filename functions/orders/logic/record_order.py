"""RecordOrder: write the order's outcome (ACCEPTED / ON_HOLD / ERP_FAILED) and name the event to publish."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from functions.orders.logic.events import order_event
from functions.orders.logic.order_lifecycle import next_status
from shared.adapters.held_orders import WAITING, HeldOrder, HeldOrdersPort
from shared.adapters.state_store import StateStore
from shared.adapters.trace_store import TraceSink
from shared.errors import ConcurrentModification
from shared.models import OrderStatus, utc_now
from shared.models.order_flow import DomainEvent, RecordOrderInput
from shared.models.state import OrderRecord
from shared.retry import RetryPolicy

HOP = "record-order"


def record_order(
    task: RecordOrderInput,
    store: StateStore,
    trace: TraceSink,
    retry: RetryPolicy | None = None,
    now: Callable[[], datetime] = utc_now,
    held: HeldOrdersPort | None = None,
) -> DomainEvent:
    """The order item moves to the requested status unless the lifecycle forbids it.

    A cancelled order stays cancelled: the flow then publishes OrderCancelled again rather than an
    OrderAccepted for an order that no longer exists (consumers dedupe on order id + status).
    The write is conditioned on the status it was read with, so a concurrent cancel always wins.
    """
    retry = retry or RetryPolicy()
    order = task.require_order()
    cid = task.correlation_id
    shortages = [s.model_dump() for s in task.reservation.shortages] if task.reservation else []
    error = task.error.model_dump() if task.error else None
    fulfilments = [f.model_dump(mode="json") for f in task.reservation.fulfilments] if task.reservation else []
    for attempt in range(retry.max_attempts):
        current = store.get_order(order.channel, order.channel_order_id)
        current_status = current.status if current else None
        status = next_status(current_status, task.status)
        if status is OrderStatus.CANCELLED:
            trace.record(cid, HOP, "cancelled", {"order_id": order.order_id, "requested": task.status.value})
            return order_event(status, order, cid, cancel_reason=current.cancel_reason if current else None)
        record = OrderRecord(
            order_id=order.order_id,
            channel=order.channel,
            channel_order_id=order.channel_order_id,
            status=status,
            correlation_id=cid,
            updated_at=now(),
            erp_sales_order_id=(task.erp.erp_sales_order_id if task.erp else None)
            or (current.erp_sales_order_id if current else None),
            lines=order.lines,
            order=order.model_copy(update={"status": status}),
            location_id=(task.reservation.location_id if task.reservation else None)
            or (current.location_id if current else None),
        )
        if store.save_order(record, current_status):
            trace.record(cid, HOP, status.value.lower(), {"order_id": order.order_id})
            if held is not None:
                _keep_held(held, task, record, status, current_status, now)
            return order_event(
                status,
                order,
                cid,
                erp_sales_order_id=record.erp_sales_order_id,
                location_id=record.location_id,
                shortages=shortages if status is OrderStatus.ON_HOLD else None,
                problems=task.reservation.problems if task.reservation and status is OrderStatus.ON_HOLD else None,
                review=task.reservation.review if task.reservation and status is OrderStatus.IN_REVIEW else None,
                # Where it leaves from: the fulfilment release sends each to the WMS or the store.
                fulfilments=fulfilments if status is OrderStatus.ACCEPTED else None,
                error=error if status is OrderStatus.ERP_FAILED else None,
            )
        retry.pause(attempt)
    raise ConcurrentModification(f"order {order.order_id} kept changing while being recorded")


def _keep_held(
    held: HeldOrdersPort,
    task: RecordOrderInput,
    record: OrderRecord,
    status: OrderStatus,
    before: OrderStatus | None,
    now: Callable[[], datetime],
) -> None:
    """An order going ON_HOLD is kept where HeldOrdersRetry finds it; one leaving ON_HOLD is not."""
    if status in WAITING:
        received = task.received_at or now()
        held.hold(
            HeldOrder(
                order_id=record.order_id,
                received_at=received.isoformat().replace("+00:00", "Z"),
                location_id=record.location_id,
                execution_input=task.execution_input(),
            )
        )
    elif before in WAITING:
        held.release(record.order_id)
