"""Validation against the product master and the location registry (issue 10.1): an order short of a
SKU nobody has heard of (no product master record, no stock position anywhere), or naming a location
the registry does not have, waits ON_HOLD like any short order but also raises one `order`
exception (`validation`) a person can act on: stock alone would never release it."""

from __future__ import annotations

import json

from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.exception_store import MemoryExceptionStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.models.order_flow import FlowInput
from shared.retry import RetryPolicy
from tests.fakes.builders import order
from tests.fakes.state_table import InMemoryStateTable

LOC = "dc-east"


def _run(store: InMemoryStateTable, exceptions: MemoryExceptionStore, lines: dict[str, int], **extra: str) -> list[str]:
    policy = ReservePolicy(LOC, retry=RetryPolicy(sleep=lambda _: None), exceptions=exceptions)
    flow = FlowInput(action="accept", correlation_id="c-1", event_id="e-1", order=order("V-1", lines, **extra))
    result = reserve_stock(flow, store, MemoryTraceStore(), policy)
    assert result.outcome.value == "ON_HOLD"
    return result.problems


def test_a_sku_nobody_knows_holds_the_order_and_raises_one_validation_exception() -> None:
    store, exceptions = InMemoryStateTable(), MemoryExceptionStore()
    store.put_position("KNOWN", LOC, on_hand=0)

    first = _run(store, exceptions, {"KNOWN": 1, "GHOST": 1})
    again = _run(store, exceptions, {"KNOWN": 1, "GHOST": 1})  # the held order tried again

    assert first == again == ["unknown SKU GHOST"]
    [raised] = exceptions.list("order", None, 10)
    assert raised["category"] == "validation" and raised["reason"] == "order validation: unknown SKU GHOST"
    assert raised["failures"] == 2  # one exception per order, counted again
    assert json.loads(raised["input"])["order"]["channel_order_id"] == "V-1"  # what a retry runs again


def test_a_sku_short_here_but_stocked_elsewhere_is_only_short() -> None:
    store, exceptions = InMemoryStateTable(), MemoryExceptionStore()
    store.put_position("ELSEWHERE", "franchise-0117", on_hand=4)

    assert _run(store, exceptions, {"ELSEWHERE": 1}) == []
    assert exceptions.list("order", None, 10) == []


def test_a_pickup_at_a_location_the_registry_does_not_have_is_a_problem() -> None:
    store, exceptions = InMemoryStateTable(), MemoryExceptionStore()
    store.put_position("SKU-1", LOC, on_hand=4)

    assert _run(store, exceptions, {"SKU-1": 1}, location_id="store-999") == ["unknown location store-999"]
