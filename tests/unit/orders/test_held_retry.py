"""Orders ON_HOLD for stock are kept, and started again oldest first once every line is available;
one delivery of stock restarts no more orders than it can serve (issue 10.4)."""

from __future__ import annotations

from typing import Any

from functions.orders.handlers import record_order
from shared.adapters.held_orders import MemoryHeldOrders
from shared.adapters.trace_store import MemoryTraceStore
from shared.held_retry import retry_held_orders
from shared.models import OrderStatus
from tests.fakes.builders import LambdaContext, order
from tests.fakes.state_table import InMemoryStateTable

LOC = "dc-east"


class Flow:
    def __init__(self) -> None:
        self.started: list[dict[str, Any]] = []

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        self.started.append(execution_input)
        return True


def _on_hold(store: InMemoryStateTable, held: MemoryHeldOrders, channel_order_id: str, units: int, at: str) -> None:
    event = {
        "status": "ON_HOLD",
        "action": "accept",
        "correlation_id": f"corr-{channel_order_id}",
        "event_id": f"evt-{channel_order_id}",
        "order": order(channel_order_id, {"SKU-1": units}).to_item(),
        "reservation": {"outcome": "ON_HOLD", "location_id": LOC, "shortages": []},
        "received_at": at,
    }
    deps = record_order.Deps(store, MemoryTraceStore())
    assert record_order.lambda_handler(event, LambdaContext(), deps=deps, held=held)["event_type"] == "OrderOnHold"


def test_held_orders_start_again_oldest_first_and_only_as_many_as_the_stock_serves() -> None:
    store, held, flow = InMemoryStateTable(), MemoryHeldOrders(), Flow()
    store.put_position("SKU-1", LOC, on_hand=0)
    _on_hold(store, held, "1002", 2, "2026-12-04T10:00:02Z")
    _on_hold(store, held, "1001", 2, "2026-12-04T10:00:01Z")
    _on_hold(store, held, "1003", 1, "2026-12-04T10:00:03Z")

    # WHEN nothing arrived: nothing starts
    assert retry_held_orders(held, store, flow, LOC).still_short == 3 and flow.started == []

    # WHEN 3 units arrive: the oldest (2 units) starts, the next (2 units) does not fit, the third (1) does
    store.put_position("SKU-1", LOC, on_hand=3)
    run = retry_held_orders(held, store, flow, LOC)

    assert [i["order"]["channel_order_id"] for i in flow.started] == ["1001", "1003"]
    assert run.still_short == 1
    assert flow.started[0]["received_at"] == "2026-12-04T10:00:01Z"  # the kept input, as first received


def test_an_order_leaving_on_hold_is_no_longer_kept_and_a_cancelled_one_is_let_go() -> None:
    store, held, flow = InMemoryStateTable(), MemoryHeldOrders(), Flow()
    store.put_position("SKU-1", LOC, on_hand=5)
    _on_hold(store, held, "1001", 1, "2026-12-04T10:00:01Z")
    _on_hold(store, held, "1002", 1, "2026-12-04T10:00:02Z")

    # 1001 is accepted by its restarted flow: RecordAccepted lets it go from the held orders
    accepted = {
        "status": "ACCEPTED",
        "action": "accept",
        "correlation_id": "corr-1001",
        "event_id": "evt-1001",
        "order": order("1001", {"SKU-1": 1}).to_item(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
        "erp": {"erp_sales_order_id": "77"},
    }
    record_order.lambda_handler(accepted, LambdaContext(), deps=record_order.Deps(store, MemoryTraceStore()), held=held)
    assert list(held.items) == [order("1002").order_id]

    # 1002 was cancelled meanwhile (CancelOrder does not go through RecordOrder): the next run lets it go
    record = store.get_order("shopify", "1002")
    assert record is not None
    store.orders[("shopify", "1002")] = record.model_copy(update={"status": OrderStatus.CANCELLED})
    run = retry_held_orders(held, store, flow, LOC)

    assert run.let_go == [order("1002").order_id] and flow.started == [] and held.items == {}


def test_a_held_item_with_an_unreadable_input_is_left_for_a_person_and_blocks_no_other() -> None:
    from shared.adapters.held_orders import HeldOrder

    store, held, flow = InMemoryStateTable(), MemoryHeldOrders(), Flow()
    store.put_position("SKU-1", LOC, on_hand=5)
    held.hold(HeldOrder("ord_broken", "2026-12-04T09:00:00Z", LOC, {"action": "accept"}))
    _on_hold(store, held, "1001", 1, "2026-12-04T10:00:01Z")

    run = retry_held_orders(held, store, flow, LOC)

    assert run.unreadable == ["ord_broken"] and "ord_broken" in held.items
    assert [i["order"]["channel_order_id"] for i in flow.started] == ["1001"]
