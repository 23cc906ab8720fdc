"""The ops API answers the contract's shapes, its 404s and its error body."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.ops.handlers.api import Deps
from functions.ops.settings import OpsSettings
from functions.orders.logic.record_order import record_order
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import OrderStatus
from shared.models.order_flow import FlowInput, RecordOrderInput
from tests.fakes.builders import LambdaContext, cancellation, order
from tests.fakes.ports import FakeOrderFlow, FakeParkingQueue, FakeTraceReader
from tests.fakes.state_table import InMemoryStateTable
from tests.support.ops_api import ops_response


def _call(deps: Deps, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    response = ops_response(deps, method, path, headers=headers or {})
    assert response["multiValueHeaders"]["Content-Type"] == ["application/json"]
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def store() -> InMemoryStateTable:
    return InMemoryStateTable()


def _deps(store: InMemoryStateTable, **overrides: Any) -> Deps:
    return Deps(**{"store": store, "trace": FakeTraceReader(), **overrides})


def test_transaction_timeline_lists_hops_in_time_order() -> None:
    trace = FakeTraceReader(
        {
            "corr-1": [
                {"at": "2026-11-23T10:00:00.120Z", "hop": "order-flow", "status": "published", "detail": {}},
                {
                    "at": "2026-11-23T10:00:00.000100Z",
                    "hop": "ingest",
                    "status": "accepted",
                    "detail": {"n": 1},
                },
                {
                    "at": "2026-11-23T10:00:00.120500Z",
                    "hop": "record-order",
                    "status": "accepted",
                    "detail": {},
                },
            ]
        }
    )

    status, body = _call(_deps(InMemoryStateTable(), trace=trace), "GET", "/v1/ops/transactions/corr-1")

    assert status == 200
    assert body["correlation_id"] == "corr-1"
    assert [e["hop"] for e in body["events"]] == ["ingest", "order-flow", "record-order"]
    assert set(body["events"][0]) == {"at", "hop", "status", "detail"}


def test_an_unknown_transaction_is_404_with_the_error_body(store: InMemoryStateTable) -> None:
    status, body = _call(_deps(store), "GET", "/v1/ops/transactions/nope", headers={"X-Correlation-Id": "ops-42"})

    assert status == 404
    assert body == {
        "error": {
            "code": "NOT_FOUND",
            "message": "no transaction with correlation id nope",
            "correlation_id": "ops-42",
        }
    }


def test_order_view_answers_the_contract_fields(store: InMemoryStateTable) -> None:
    store.put_position("SKU-1", "dc-east", on_hand=5)
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="e1", order=order("1001", {"SKU-1": 2}))
    reservation = reserve_stock(flow, store, MemoryTraceStore(), ReservePolicy("dc-east"))
    record_order(
        RecordOrderInput(
            **flow.model_dump(),
            status=OrderStatus.ACCEPTED,
            reservation=reservation,
            erp={"erp_sales_order_id": "4711"},
        ),
        store,
        MemoryTraceStore(),
    )

    status, body = _call(_deps(store), "GET", "/v1/ops/orders/shopify/1001")

    assert status == 200
    assert {
        k: body[k]
        for k in ("order_id", "channel", "channel_order_id", "status", "erp_sales_order_id", "correlation_id")
    } == {
        "order_id": order("1001").order_id,
        "channel": "shopify",
        "channel_order_id": "1001",
        "status": "ACCEPTED",
        "erp_sales_order_id": "4711",
        "correlation_id": "corr-0001",
    }
    assert body["lines"] == [
        {
            "line_id": "1",
            "sku": "SKU-1",
            "quantity": 2,
            "unit_price": {"amount": "19.99", "currency": "USD"},
            "tax": None,
            "discount": None,
            "title": None,
        }
    ]


def test_a_cancellation_tombstone_shows_as_a_cancelled_order_without_lines(store: InMemoryStateTable) -> None:
    store.mark_cancelled(cancellation("2002", reason="fraud"), "corr-0002", order().placed_at)

    status, body = _call(_deps(store), "GET", "/v1/ops/orders/shopify/2002")

    assert (status, body["status"], body["lines"], body["erp_sales_order_id"]) == (200, "CANCELLED", [], None)


def test_an_unknown_order_is_404(store: InMemoryStateTable) -> None:
    status, body = _call(_deps(store), "GET", "/v1/ops/orders/shopify/missing")

    assert status == 404 and body["error"]["code"] == "NOT_FOUND"


def test_inventory_view_lists_locations_and_what_each_channel_may_sell(store: InMemoryStateTable) -> None:
    store.put_position("SKU-1", "dc-east", on_hand=10, reserved=3)
    store.put_position("SKU-1", "store-7", on_hand=4, reserved=0)
    store.put_position("SKU-2", "dc-east", on_hand=1)

    status, body = _call(_deps(store), "GET", "/v1/ops/inventory/SKU-1")

    assert status == 200
    assert body["sku"] == "SKU-1"
    assert [(loc["location_id"], loc["on_hand"], loc["reserved"], loc["available"]) for loc in body["locations"]] == [
        ("dc-east", 10, 3, 7),
        ("store-7", 4, 0, 4),
    ]
    assert set(body["locations"][0]) == {
        "location_id",
        "on_hand",
        "reserved",
        "available",
        "in_transit",
        "damaged",
        "safety_stock",
        "last_sequence",
        "updated_at",
    }
    assert body["channels"] == {}  # no allocation rules yet: no channel is offered anything


def test_an_unknown_sku_is_404(store: InMemoryStateTable) -> None:
    status, body = _call(_deps(store), "GET", "/v1/ops/inventory/NOPE")

    assert status == 404 and body["error"]["code"] == "NOT_FOUND"


def test_an_unknown_route_is_404_with_the_error_body(store: InMemoryStateTable) -> None:
    status, body = _call(_deps(store), "GET", "/v1/ops/nothing-here")

    assert status == 404 and body["error"]["code"] == "NOT_FOUND"


def test_replay_restarts_each_parked_order_under_a_new_name_and_empties_the_queue(
    store: InMemoryStateTable,
) -> None:
    parked = [
        json.dumps(
            FlowInput(
                action="accept", correlation_id="corr-0001", event_id=f"evt-{i}", order=order(str(i))
            ).execution_input()
        )
        for i in range(12)
    ]
    queue, flow = FakeParkingQueue([*parked, "not a flow input"]), FakeOrderFlow()

    status, body = _call(_deps(store, parking=queue, flow=flow), "POST", "/v1/ops/parked/orders/replay")

    assert (status, body) == (200, {"replayed": 12})
    assert len(flow.executions) == 12
    assert all("-replay-" in name for name in flow.executions)
    assert [m.body for m in queue.in_flight] == ["not a flow input"]  # left for a person, not deleted


def test_replay_without_a_parking_queue_configured_is_503(store: InMemoryStateTable) -> None:
    status, body = _call(_deps(store), "POST", "/v1/ops/parked/orders/replay")

    assert status == 503 and body["error"]["code"] == "UPSTREAM_UNAVAILABLE"


def test_an_unexpected_failure_is_500_internal_with_the_error_body(store: InMemoryStateTable) -> None:
    class Broken(FakeTraceReader):
        def events(self, correlation_id: str) -> list[dict[str, Any]]:
            raise RuntimeError("table gone")

    status, body = _call(_deps(store, trace=Broken()), "GET", "/v1/ops/transactions/c")

    assert status == 500
    assert body["error"]["code"] == "INTERNAL"
    assert body["error"]["correlation_id"]


def test_ops_settings_need_only_the_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", "state")
    monkeypatch.setenv("TRACE_TABLE_NAME", "trace")

    settings = OpsSettings.from_env()

    assert settings.orders_parking_queue_url is None
    assert settings.reconciliation_function_name is None


def _held_order_1001(store: InMemoryStateTable) -> Any:
    """Shopify order 1001 recorded ON_HOLD for stock by RecordOrder: the held list it joined."""
    from functions.orders.handlers import record_order as record_handler
    from shared.adapters.held_orders import MemoryHeldOrders

    held = MemoryHeldOrders()
    on_hold = {
        "status": "ON_HOLD",
        "action": "accept",
        "correlation_id": "corr-0001",
        "event_id": "evt-1",
        "order": order("1001").to_item(),
        "reservation": {"outcome": "ON_HOLD", "location_id": "dc-east", "shortages": []},
    }
    record_handler.lambda_handler(
        on_hold, LambdaContext(), deps=record_handler.Deps(store, MemoryTraceStore()), held=held
    )
    return held


def test_an_operator_releases_an_order_on_hold_and_one_not_on_hold_is_404(store: InMemoryStateTable) -> None:
    held, flow = _held_order_1001(store), FakeOrderFlow()
    deps = _deps(store, held=held, flow=flow)

    status, body = _call(deps, "POST", "/v1/ops/orders/shopify/1001/release")
    assert status == 202 and body["order_id"] == order("1001").order_id
    assert "-release-" in body["execution"] and list(flow.executions) == [body["execution"]]
    assert flow.executions[body["execution"]]["event_id"] == "evt-1"  # the kept input

    status, error = _call(deps, "POST", "/v1/ops/orders/shopify/9999/release")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"
    assert _call(_deps(store, held=held), "POST", "/v1/ops/orders/shopify/1001/release")[0] == 503


def test_an_operator_cancels_an_order_on_hold_through_the_cancel_flow_and_one_not_on_hold_is_404(
    store: InMemoryStateTable,
) -> None:
    from shared.models.order_flow import FlowInput

    held, flow = _held_order_1001(store), FakeOrderFlow()

    status, body = _call(_deps(store, held=held, flow=flow), "POST", "/v1/ops/orders/shopify/1001/cancel")

    assert status == 202 and body["order_id"] == order("1001").order_id and "-ops-cancel-" in body["execution"]
    started = FlowInput.model_validate(flow.executions[body["execution"]])
    assert started.action.value == "cancel" and started.correlation_id == "corr-0001"  # one trace for the order
    assert started.cancellation is not None and started.cancellation.channel_order_id == "1001"
    assert started.cancellation.reason is not None and started.cancellation.reason.startswith(
        "cancelled by an operator"
    )
    status, error = _call(_deps(store, held=held, flow=flow), "POST", "/v1/ops/orders/shopify/9999/cancel")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"
