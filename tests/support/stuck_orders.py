"""Orders in every state an operator looks for, written by the real order tasks into moto.

Used by the ops find-route tests and the operator CLI tests: the state table holds what
RecordOrder writes (order items and their pointer items), the trace table what the hops write,
the exception store what the orders worker raises when a vendor read fails on every attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from functions.inventory.dal.positions import DynamoPositionStore
from functions.ops.handlers.api import Deps
from functions.orders.logic.record_order import record_order
from shared.adapters.exception_store import DynamoExceptionStore
from shared.adapters.state_store import DynamoStateStore
from shared.adapters.trace_store import DynamoTraceStore
from shared.models import InventoryAdjustment, OrderStatus
from shared.models.order_flow import FlowInput, RecordOrderInput
from tests.fakes.aws import STATE_TABLE, TRACE_TABLE
from tests.fakes.builders import envelope, order

RAISED_AT = datetime(2026, 11, 23, 10, 5, tzinfo=UTC)
ENRICHMENT_EXCEPTION_ID = "enrichment-20261123T100500000000Z-0123456789ab"


@dataclass(frozen=True)
class StuckOrders:
    deps: Deps
    store: DynamoStateStore
    trace: DynamoTraceStore
    exceptions: DynamoExceptionStore


def _record(
    store: DynamoStateStore,
    trace: DynamoTraceStore,
    channel: str,
    channel_order_id: str,
    correlation_id: str,
    status: OrderStatus,
    erp_id: str | None = None,
    **extra: Any,
) -> None:
    flow = FlowInput(
        action="accept",
        correlation_id=correlation_id,
        event_id=f"evt-{channel_order_id}",
        order=order(channel_order_id, {"SKU-1": 2}, channel=channel),
    )
    trace.record(correlation_id, "ingest", "accepted", {"source": channel, "event_type": "orders/create"})
    record_order(
        RecordOrderInput(
            **flow.model_dump(), status=status, erp={"erp_sales_order_id": erp_id} if erp_id else None, **extra
        ),
        store,
        trace,
    )


def seed(dynamodb: Any) -> StuckOrders:
    """- shopify 1001: ACCEPTED, ERP sales order SO-4711, correlation corr-accepted;
    - walmart 1001: the same channel order id on another channel, ON_HOLD (corr-held);
    - ebay 2002: ERP_FAILED, parked for replay (corr-parked);
    - amazon 114-3941689-8772232: never recorded, its vendor read failed: an open enrichment exception;
    - corr-inflight: a delivery whose orders-worker hop failed before any order was recorded;
    - SKU-1: 7 on hand at dc-east."""
    store = DynamoStateStore(STATE_TABLE, dynamodb)
    trace = DynamoTraceStore(TRACE_TABLE, dynamodb)
    exceptions = DynamoExceptionStore(STATE_TABLE, dynamodb)
    _record(store, trace, "shopify", "1001", "corr-accepted", OrderStatus.ACCEPTED, "SO-4711")
    _record(store, trace, "walmart", "1001", "corr-held", OrderStatus.ON_HOLD)
    _record(store, trace, "ebay", "2002", "corr-parked", OrderStatus.ERP_FAILED)
    trace.record("corr-amazon", "ingest", "accepted", {"source": "amazon", "event_type": "ORDER_CHANGE"})
    trace.record("corr-amazon", "orders-worker", "exception", {"exception_id": ENRICHMENT_EXCEPTION_ID})
    exceptions.raise_open(
        "enrichment",
        ENRICHMENT_EXCEPTION_ID,
        {
            "reason": "vendor_not_found",
            "channel": "amazon",
            "channel_order_id": "114-3941689-8772232",
            "correlation_id": "corr-amazon",
            "event_id": "evt-amazon",
            "event_type": "ORDER_CHANGE",
            "error": "VendorNotFound",
            "attempts": 4,
            "domain": "orders",
            "envelope": envelope(
                "evt-amazon",
                source="amazon",
                correlation_id="corr-amazon",
                payload={"NotificationType": "ORDER_CHANGE"},
            ).model_dump_json(),
        },
        RAISED_AT,
    )
    trace.record("corr-inflight", "ingest", "accepted", {"source": "shopify", "event_type": "orders/create"})
    trace.record("corr-inflight", "orders-worker", "poison", {"error": "ValidationError"})
    DynamoPositionStore(STATE_TABLE, dynamodb).apply_adjustment(
        InventoryAdjustment(
            event_id="evt-stock",
            sku="SKU-1",
            location_id="dc-east",
            on_hand=7,
            source_sequence=1,
            occurred_at=RAISED_AT,
        ),
        RAISED_AT,
    )
    deps = Deps(store=store, trace=trace, kinds=exceptions)
    return StuckOrders(deps=deps, store=store, trace=trace, exceptions=exceptions)
