"""`GET /v1/ops/find?id=...`: one id, whichever kind it is, finds the order and says where it is stuck.

The state table (moto) holds what RecordOrder writes, pointer items included; the trace and the
exception store hold what the hops and the orders worker write (tests/support/stuck_orders.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from functions.orders.logic.record_order import record_order
from shared.adapters.state_store import DynamoStateStore, OrderRef
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import OrderCancellation, OrderStatus, order_id_for
from shared.models.order_flow import FlowInput, RecordOrderInput
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import order
from tests.support.ops_transport import OpsLambdaTransport
from tests.support.stuck_orders import ENRICHMENT_EXCEPTION_ID, StuckOrders, seed


@pytest.fixture
def world(dynamodb: Any) -> StuckOrders:
    return seed(dynamodb)


def _find(world: StuckOrders, any_id: str) -> httpx.Response:
    with httpx.Client(transport=OpsLambdaTransport(world.deps), base_url="https://ops.example.com") as client:
        return client.get("/v1/ops/find", params={"id": any_id})


def _orders(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o["order"]["channel"], o["order"]["channel_order_id"]) for o in body["orders"]]


@pytest.mark.parametrize(
    ("any_id", "matched_by"),
    [
        (order_id_for("shopify", "1001"), "order_id"),
        ("SO-4711", "erp_sales_order_id"),
        ("corr-accepted", "correlation_id"),
    ],
)
def test_each_kind_of_id_finds_the_same_order(world: StuckOrders, any_id: str, matched_by: str) -> None:
    response = _find(world, any_id)

    assert response.status_code == 200
    body = response.json()
    assert _orders(body) == [("shopify", "1001")]
    found = body["orders"][0]
    assert matched_by in found["matched_by"]
    assert found["order"]["status"] == "ACCEPTED"
    assert found["order"]["erp_sales_order_id"] == "SO-4711"
    assert found["stuck"] is None
    assert [(e["hop"], e["status"]) for e in found["trace"]] == [("ingest", "accepted"), ("record-order", "accepted")]


def test_a_channel_order_id_finds_that_id_on_every_channel(world: StuckOrders) -> None:
    body = _find(world, "1001").json()

    assert _orders(body) == [("shopify", "1001"), ("walmart", "1001")]
    assert all(o["matched_by"] == ["channel_order_id"] for o in body["orders"])
    held = body["orders"][1]
    assert held["stuck"]["state"] == "ON_HOLD"
    assert "SKU-1" in held["stuck"]["next_action"]


def test_a_parked_order_names_the_replay_as_its_next_action(world: StuckOrders) -> None:
    body = _find(world, "2002").json()

    assert body["orders"][0]["order"]["status"] == "ERP_FAILED"
    assert body["orders"][0]["stuck"]["state"] == "PARKED"
    assert body["orders"][0]["stuck"]["next_action"].startswith("retail-sync orders replay")


@pytest.mark.parametrize("any_id", ["114-3941689-8772232", "corr-amazon", ENRICHMENT_EXCEPTION_ID])
def test_an_order_the_flow_never_recorded_is_found_through_its_open_exception(world: StuckOrders, any_id: str) -> None:
    # GIVEN an Amazon notification whose getOrder failed on every attempt: no order item exists
    body = _find(world, any_id).json()

    # THEN the open exception is the answer, with the retry to run
    assert body["orders"] == []
    assert [e["id"] for e in body["exceptions"]] == [ENRICHMENT_EXCEPTION_ID]
    assert body["exceptions"][0]["channel_order_id"] == "114-3941689-8772232"
    assert body["stuck"]["state"] == "EXCEPTION"
    assert body["stuck"]["next_action"].startswith(f"retail-sync exceptions retry {ENRICHMENT_EXCEPTION_ID}")


def test_a_transaction_that_failed_before_any_order_was_recorded_shows_its_trace(world: StuckOrders) -> None:
    body = _find(world, "corr-inflight").json()

    assert body["orders"] == []
    assert [e["status"] for e in body["trace"]] == ["accepted", "poison"]
    assert body["stuck"]["state"] == "FAILED"
    assert "orders-worker" in body["stuck"]["reason"]
    assert "ValidationError" in body["stuck"]["reason"]


def test_an_unknown_id_answers_404_with_the_error_body(world: StuckOrders) -> None:
    response = _find(world, "nothing-has-this-id")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("query", [{}, {"id": ""}, {"id": "x" * 300}, {"id": "a\u0000b"}])
def test_a_missing_or_unreadable_id_answers_400(world: StuckOrders, query: dict[str, str]) -> None:
    with httpx.Client(transport=OpsLambdaTransport(world.deps), base_url="https://ops.example.com") as client:
        response = client.get("/v1/ops/find", params=query)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_FAILED"


def _pointers(dynamodb: Any) -> list[tuple[str, str]]:
    items = dynamodb.scan(TableName=STATE_TABLE)["Items"]
    return sorted((i["pk"]["S"], i["sk"]["S"]) for i in items if i["pk"]["S"].startswith("ORDERREF#"))


def test_each_pointer_is_written_once_whatever_the_order_goes_through(dynamodb: Any) -> None:
    # GIVEN an order recorded ON_HOLD, then ACCEPTED with its ERP id, then recorded again (a task retry)
    store = DynamoStateStore(STATE_TABLE, dynamodb)
    flow = FlowInput(action="accept", correlation_id="c1", event_id="e1", order=order("77", channel="shopify"))
    for status, erp in [(OrderStatus.ON_HOLD, None), (OrderStatus.ACCEPTED, "SO-1"), (OrderStatus.ACCEPTED, "SO-1")]:
        task = RecordOrderInput(**flow.model_dump(), status=status, erp={"erp_sales_order_id": erp} if erp else None)
        record_order(task, store, MemoryTraceStore())

    # THEN one pointer per id, each naming the order
    order_id = order_id_for("shopify", "77")
    assert _pointers(dynamodb) == [
        ("ORDERREF#CHANNEL_ORDER_ID#77", "shopify#77"),
        ("ORDERREF#ERP_SALES_ORDER_ID#SO-1", "shopify#77"),
        (f"ORDERREF#ORDER_ID#{order_id}", "shopify#77"),
    ]
    assert [r.status for r in store.find_orders(OrderRef.ERP_SALES_ORDER_ID, "SO-1")] == [OrderStatus.ACCEPTED]


def test_a_pointer_lost_to_a_crash_after_the_order_write_is_mended_by_the_retry(dynamodb: Any) -> None:
    # GIVEN RecordOrder wrote the order item and crashed before its pointers
    store = DynamoStateStore(STATE_TABLE, dynamodb)
    flow = FlowInput(action="accept", correlation_id="c1", event_id="e1", order=order("78", channel="shopify"))
    task = RecordOrderInput(**flow.model_dump(), status=OrderStatus.ACCEPTED, erp={"erp_sales_order_id": "SO-2"})
    record_order(task, store, MemoryTraceStore())
    for pk, sk in _pointers(dynamodb):
        dynamodb.delete_item(TableName=STATE_TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    assert store.find_orders(OrderRef.ERP_SALES_ORDER_ID, "SO-2") == []

    # WHEN Step Functions retries the task
    record_order(task, store, MemoryTraceStore())

    # THEN the order is found by its ERP id again
    assert [r.channel_order_id for r in store.find_orders(OrderRef.ERP_SALES_ORDER_ID, "SO-2")] == ["78"]


def test_a_cancellation_tombstone_is_found_by_its_channel_order_id(dynamodb: Any) -> None:
    store = DynamoStateStore(STATE_TABLE, dynamodb)
    cancel = OrderCancellation.model_validate(
        {"channel": "shopify", "channel_order_id": "79", "reason": "customer", "cancelled_at": "2026-11-23T10:00:00Z"}
    )
    store.mark_cancelled(cancel, "c-cancel", datetime(2026, 11, 23, tzinfo=UTC))

    assert [r.status for r in store.find_orders(OrderRef.CHANNEL_ORDER_ID, "79")] == [OrderStatus.CANCELLED]
