"""CreateErpSalesOrder: upsert the sales order in the ERP, keyed by our order id."""

from __future__ import annotations

from typing import Protocol

from functions.orders.adapters.erp import ErpPort
from functions.orders.logic.erp_mapping import sales_order_payload
from functions.orders.logic.order_lifecycle import blocks_reservation
from shared.adapters.state_store import StateStore
from shared.adapters.trace_store import TraceSink
from shared.errors import ErpBacklogOpen, ErpRejected, ErpThrottled, ErpUnavailable
from shared.models.order_flow import ErpSalesOrderOutput, FlowInput, ReserveStockOutput

HOP = "erp"


class CreateErpInput(FlowInput):
    reservation: ReserveStockOutput


class BacklogPort(Protocol):
    def is_open(self) -> bool: ...


def create_erp_sales_order(
    task: CreateErpInput, store: StateStore, erp: ErpPort, trace: TraceSink, backlog: BacklogPort | None = None
) -> ErpSalesOrderOutput:
    """The ERP's internal id for the order. ERP errors propagate by class name for the state machine.

    A cancellation that lands while the ERP call is in flight would leave an open sales order for a
    cancelled order, so the order item is checked before the call and again after it.

    While orders parked in an ERP outage wait for their replay (the ERP backlog is open), a new order
    joins the back of the line: ErpBacklogOpen, which OrderFlow does not retry, records ERP_FAILED and
    parks it, and the replay posts it after the older ones. A replayed order is the line's head.
    """
    order = task.require_order()
    cid = task.correlation_id
    if backlog is not None and not task.replay and backlog.is_open():
        trace.record(cid, HOP, "queued_behind_backlog", {"order_id": order.order_id})
        raise ErpBacklogOpen(f"order {order.order_id}: parked orders go to the ERP first")

    def cancelled() -> bool:
        current = store.get_order(order.channel, order.channel_order_id)
        return blocks_reservation(current.status if current else None)

    if cancelled():
        trace.record(cid, HOP, "skipped_cancelled", {"order_id": order.order_id})
        return ErpSalesOrderOutput(erp_sales_order_id=None)
    try:
        line_locations = {
            line.sku: fulfilment.location_id for fulfilment in task.reservation.fulfilments for line in fulfilment.lines
        }
        payload = sales_order_payload(order, task.reservation.location_id, line_locations)
        erp_id = erp.upsert_sales_order(order.order_id, payload)
    except ErpThrottled as exc:
        # Trace details go to DynamoDB, which refuses floats.
        retry_after = None if exc.retry_after is None else str(exc.retry_after)
        trace.record(cid, HOP, "throttled", {"order_id": order.order_id, "retry_after": retry_after})
        raise
    except (ErpUnavailable, ErpRejected) as exc:
        trace.record(cid, HOP, "failed", {"order_id": order.order_id, "error": type(exc).__name__})
        raise
    trace.record(cid, HOP, "upserted", {"order_id": order.order_id, "erp_sales_order_id": erp_id})
    if cancelled():
        erp.cancel_sales_order(order.order_id)
        trace.record(cid, HOP, "cancelled", {"order_id": order.order_id, "erp_sales_order_id": erp_id})
    return ErpSalesOrderOutput(erp_sales_order_id=erp_id)
