"""Trace hops are written once per correlation id per invocation (issue 13), and still read hop by hop.

The orders worker records two hops per delivery (`normalized`, `flow_started`): held by the entry
point and written together they cost one write unit instead of two.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.cost import item_size
from shared.adapters.trace_store import WRITE_UNIT_BYTES, DynamoTraceStore
from shared.observability import entry_point, trace_batch
from tests.fakes.aws import TRACE_TABLE
from tests.support.apigw import FakeLambdaContext


@pytest.fixture
def trace(dynamodb: Any) -> DynamoTraceStore:
    return DynamoTraceStore(TRACE_TABLE, dynamodb)


def _items(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TRACE_TABLE)["Items"]


def _hops(trace: DynamoTraceStore, correlation_id: str) -> list[str]:
    return [f"{e['hop']}:{e['status']}" for e in trace.events(correlation_id)]


def test_an_invocations_hops_for_one_order_are_one_item_and_read_back_in_order(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    @entry_point
    def handler(event: dict[str, Any], context: Any) -> str:
        trace.record("c-1", "orders-worker", "received", {"order_id": "o-1"})
        trace.record("c-1", "orders-worker", "flow_started", {"order_id": "o-1"})
        assert _items(dynamodb) == []  # held until the invocation ends
        return "done"

    assert handler({}, FakeLambdaContext()) == "done"

    assert len(_items(dynamodb)) == 1
    assert _hops(trace, "c-1") == ["orders-worker:received", "orders-worker:flow_started"]
    assert trace.events("c-1")[0]["detail"] == {"order_id": "o-1"}


def test_hops_for_different_orders_in_one_batch_are_written_under_each_correlation_id(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    with trace_batch():
        for n in (1, 2):
            trace.record(f"c-{n}", "orders-worker", "received", {"order_id": f"o-{n}"})
            trace.record(f"c-{n}", "orders-worker", "flow_started", {"order_id": f"o-{n}"})

    assert len(_items(dynamodb)) == 2
    assert _hops(trace, "c-2") == ["orders-worker:received", "orders-worker:flow_started"]


def test_an_invocation_that_raises_still_writes_the_hops_it_recorded(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    @entry_point
    def handler(event: dict[str, Any], context: Any) -> None:
        trace.record("c-1", "create-erp-sales-order", "failed", {"error": "Unavailable"})
        raise RuntimeError("ERP down")

    with pytest.raises(RuntimeError):
        handler({}, FakeLambdaContext())

    assert _hops(trace, "c-1") == ["create-erp-sales-order:failed"]


def test_outside_an_entry_point_each_hop_is_written_at_once_as_a_flat_item(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    trace.record("c-1", "ingest", "accepted", {"source": "shopify"})

    (item,) = _items(dynamodb)
    assert item["hop"] == {"S": "ingest"} and "entries" not in item
    assert _hops(trace, "c-1") == ["ingest:accepted"]


def test_flat_and_batched_items_of_one_order_read_as_one_time_ordered_trace(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    trace.record("c-1", "ingest", "accepted")
    with trace_batch():
        trace.record("c-1", "reserve-stock", "reserved")
        trace.record("c-1", "record-order", "recorded")
    trace.record("c-1", "channel-outbound", "sent")

    assert _hops(trace, "c-1") == [
        "ingest:accepted",
        "reserve-stock:reserved",
        "record-order:recorded",
        "channel-outbound:sent",
    ]


def test_hops_past_one_write_unit_are_split_so_no_item_costs_more_than_one(
    dynamodb: Any, trace: DynamoTraceStore
) -> None:
    with trace_batch():
        for n in range(12):
            trace.record("c-1", "order-changes", f"line_{n}", {"sku": f"SKU-{n:04d}", "note": "x" * 120})

    items = _items(dynamodb)
    assert 2 <= len(items) < 12
    assert all(item_size(item) <= WRITE_UNIT_BYTES for item in items)  # DynamoDB's own size rules
    assert _hops(trace, "c-1") == [f"order-changes:line_{n}" for n in range(12)]


def test_a_trace_write_that_fails_is_logged_and_never_fails_the_finished_invocation(
    dynamodb: Any, trace: DynamoTraceStore, caplog: pytest.LogCaptureFixture
) -> None:
    broken = DynamoTraceStore("no-such-table", dynamodb)

    @entry_point
    def handler(event: dict[str, Any], context: Any) -> str:
        broken.record("c-1", "orders-worker", "received")
        trace.record("c-2", "orders-worker", "received")
        return "done"

    assert handler({}, FakeLambdaContext()) == "done"

    assert _hops(trace, "c-2") == ["orders-worker:received"]
    assert "trace entries not written" in caplog.text


def test_a_nested_invocation_writes_its_own_hops_when_it_ends(dynamodb: Any, trace: DynamoTraceStore) -> None:
    with trace_batch():
        trace.record("c-1", "orders-worker", "received")
        with trace_batch():
            trace.record("c-1", "reserve-stock", "reserved")
        assert _hops(trace, "c-1") == ["reserve-stock:reserved"]

    assert _hops(trace, "c-1") == ["orders-worker:received", "reserve-stock:reserved"]
