"""`GET /v1/ops/find?id=<any id>`: the orders an id names, where each is stuck, and its trace."""

from __future__ import annotations

from enum import StrEnum

from functions.ops.models.responses import OrderView, TraceEntry
from shared.models.base import Model


class MatchedBy(StrEnum):
    CHANNEL_ORDER_ID = "channel_order_id"
    ORDER_ID = "order_id"
    ERP_SALES_ORDER_ID = "erp_sales_order_id"
    CORRELATION_ID = "correlation_id"
    EXCEPTION = "exception"  # an open exception names the id (an order the flow never recorded)


class Stuck(Model):
    """Why an order is not moving on, and what an operator does about it."""

    state: str  # ON_HOLD, ERP_FAILED (parked), EXCEPTION, FAILED (the trace's last hop failed)
    reason: str
    next_action: str


class ExceptionSummary(Model):
    id: str
    kind: str
    status: str
    reason: str
    channel: str | None = None
    channel_order_id: str | None = None
    correlation_id: str | None = None
    raised_at: str | None = None
    failures: int | None = None
    retries: int | None = None


class FoundOrder(Model):
    matched_by: list[MatchedBy]
    order: OrderView
    stuck: Stuck | None
    trace: list[TraceEntry]


class FindResult(Model):
    id: str
    orders: list[FoundOrder]
    exceptions: list[ExceptionSummary]  # open exceptions about the id or the orders found
    # The transaction under the id when it is a correlation id no recorded order carries
    # (an order still in flight, or one whose delivery failed before the flow recorded it).
    trace: list[TraceEntry]
    stuck: Stuck | None  # for that transaction, when its last hop failed
