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
