"""RecordFlowFailure: an OrderFlow step that failed for good becomes one order exception with the
execution input, however often the Catch's task runs."""

from __future__ import annotations

import json
from typing import Any

from functions.orders.handlers import record_flow_failure as handler
from shared.adapters.exception_store import MemoryExceptionStore
from shared.adapters.trace_store import MemoryTraceStore
from tests.fakes.builders import LambdaContext

ACCEPT_INPUT = {
    "action": "accept",
    "correlation_id": "corr-0001",
    "event_id": "evt-1",
    "order": {"channel": "shopify", "channel_order_id": "820982911946154508", "order_id": "ord_1"},
    "cancellation": None,
}
LAMBDA_CAUSE = json.dumps(
    {
        "errorMessage": "PUT /services/rest/record/v1/salesOrder/eid:ord_1: 400",
        "errorType": "ErpRejected",
        "stackTrace": ["  File ..."],
    }
)


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "input": ACCEPT_INPUT,
        "state": "CreateErpSalesOrder",
        "error": {"Error": "ErpRejected", "Cause": LAMBDA_CAUSE},
        "execution_name": "accept-shopify-820982911946154508-evt1",
        "started_at": "2026-12-04T02:52:58.268Z",
    }
    return {**event, **changes}


def test_a_refused_erp_call_is_one_vendor_4xx_exception_keeping_the_flow_input() -> None:
    store, trace = MemoryExceptionStore(), MemoryTraceStore()

    first = handler.lambda_handler(_event(), LambdaContext(), deps=(store, trace))
    again = handler.lambda_handler(_event(), LambdaContext(), deps=(store, trace))  # the task retried

    assert first["exception_id"] == again["exception_id"]
    assert first["exception_id"].startswith("order-20261204T025258268000Z-")
    [item] = store.list("order", None, 10)
    assert item["failures"] == 2  # one exception, its failure counted again
    assert item["category"] == "vendor_4xx"
    assert item["concerns"] == "shopify order 820982911946154508"
    assert item["error"] == "ErpRejected: PUT /services/rest/record/v1/salesOrder/eid:ord_1: 400"
    assert json.loads(item["input"]) == ACCEPT_INPUT  # what a retry starts the flow with
    assert item["state"] == "CreateErpSalesOrder" and item["correlation_id"] == "corr-0001"
    assert [(e["hop"], e["status"]) for e in trace.entries] == [("order-flow", "failed")] * 2


def test_a_cancel_that_failed_names_the_cancelled_order_and_an_unknown_error_is_internal() -> None:
    store, trace = MemoryExceptionStore(), MemoryTraceStore()
    cancel = {
        "action": "cancel",
        "correlation_id": "corr-0002",
        "event_id": "evt-2",
        "order": None,
        "cancellation": {"channel": "amazon", "channel_order_id": "902-3159896-1390916"},
    }

    result = handler.lambda_handler(
        _event(input=json.dumps(cancel), state="CancelOrder", error={"Error": "KeyError", "Cause": "'sku'"}),
        LambdaContext(),
        deps=(store, trace),
    )

    item = store.get("order", result["exception_id"])
    assert item is not None
    assert (item["category"], item["concerns"]) == ("internal", "amazon order 902-3159896-1390916")
    assert item["reason"] == "OrderFlow step CancelOrder failed: KeyError"
    assert item["action"] == "cancel" and item["error"] == "KeyError: 'sku'"


def test_an_order_the_erp_refused_for_good_gives_its_stock_back_and_runs_anew_when_retried() -> None:
    from functions.orders.logic.cancel_order import discard_reservation
    from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
    from shared.models.order_flow import FlowInput
    from shared.retry import RetryPolicy
    from tests.fakes.builders import order
    from tests.fakes.state_table import InMemoryStateTable

    # GIVEN an order holding 2 of 5 units
    state, trace = InMemoryStateTable(), MemoryTraceStore()
    state.put_position("SKU-1", "dc-east", on_hand=5)
    refused = order("820982911946154508", {"SKU-1": 2})
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="evt-1", order=refused)
    policy = ReservePolicy("dc-east", retry=RetryPolicy(sleep=lambda _: None))
    reserve_stock(flow, state, trace, policy)

    def give_back(order_id: str) -> dict[str, int]:
        return discard_reservation(state, order_id, RetryPolicy(sleep=lambda _: None))

    # WHEN the ERP refused its sales order for good (twice: the Catch's task retried)
    failed_input = {**ACCEPT_INPUT, "order": refused.to_item()}
    for _ in range(2):
        handler.lambda_handler(_event(input=failed_input), LambdaContext(), (MemoryExceptionStore(), trace), give_back)

    # THEN the units are back once and no reservation is left; the exception says so
    assert state.position("SKU-1", "dc-east").reserved == 0
    assert state.get_reservation(refused.order_id) is None
    assert ("order-flow", "compensated") in [(e["hop"], e["status"]) for e in trace.entries]
    # AND retrying the order (the exception's input) reserves anew
    assert reserve_stock(flow, state, trace, policy).outcome.value == "RESERVED"
    assert state.position("SKU-1", "dc-east").reserved == 2


def test_a_transient_failure_or_a_failure_after_acceptance_keeps_the_stock() -> None:
    asked: list[str] = []

    def give_back(order_id: str) -> dict[str, int]:
        asked.append(order_id)
        return {}

    deps = (MemoryExceptionStore(), MemoryTraceStore())
    handler.lambda_handler(_event(error={"Error": "ErpUnavailable", "Cause": ""}), LambdaContext(), deps, give_back)
    handler.lambda_handler(_event(state="PublishEvent"), LambdaContext(), deps, give_back)

    assert asked == []
