"""ReturnFlow's steps in order against in-memory ports: exactly-once outside writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.returns.dal.return_store import MemoryReturnStore
from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.models.returns import (
    Inspection,
    PurchasedLine,
    RequestedLine,
    ReturnRequest,
    ReturnState,
)
from shared.adapters.trace_store import MemoryTraceStore
from shared.models.money import Money
from tests.unit.returns.support import loop_request, shopify_order

PLACED = datetime(2026, 11, 1, tzinfo=UTC)


class Erp:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def upsert(self, record_type: str, external_id: str, body: dict[str, Any]) -> str:
        self.records[(record_type, external_id)] = body
        return f"{record_type}-{len(self.records)}"


class Channel:
    def __init__(self) -> None:
        self.refunds: list[tuple[str, str]] = []
        self.lines: list[Any] = []

    def refund(
        self, channel: str, channel_order_id: str, refund_id: str, amount: str, currency: str, lines: Any
    ) -> str:
        self.refunds.append((refund_id, amount))
        self.lines.append(lines)
        return f"shopify-refund-{len(self.refunds)}"


class Platform:
    def __init__(self) -> None:
        self.reports: list[tuple[str, bool]] = []

    def report(self, source: str, source_return_id: str, processed: bool) -> bool:
        self.reports.append((source_return_id, processed))
        return True


class Flow:
    def __init__(self) -> None:
        self.handed: list[tuple[str, dict[str, Any]]] = []

    def start(self, name: str, execution_input: dict[str, Any]) -> bool:
        return True

    def hand_over(self, task_token: str, output: dict[str, Any]) -> bool:
        self.handed.append((task_token, output))
        return True


class Inventory:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, envelopes: list[dict[str, Any]]) -> None:
        self.sent.extend(envelopes)


@pytest.fixture
def steps() -> ReturnSteps:
    store = MemoryReturnStore()
    store.orders[("shopify", "1001")] = shopify_order(
        PLACED,
        PurchasedLine(
            line_id="466157049",
            sku="A",
            quantity=2,
            unit_price=Money(amount="25.00", currency="USD"),
            tax=Money(amount="4.00", currency="USD"),
        ),
    )
    return ReturnSteps(
        store,
        MemoryTraceStore(),
        erp=Erp(),
        channel_refunds=Channel(),
        platform=Platform(),
        inventory=Inventory(),
        flow=Flow(),
        clock=lambda: PLACED + timedelta(days=5),
    )


def request(return_id: str, units: int) -> ReturnRequest:
    return loop_request(return_id, PLACED + timedelta(days=4), RequestedLine(sku="A", quantity=units))


def inspection(return_key: str, units: int, event_id: str = "wms-1") -> Inspection:
    return Inspection.model_validate(
        {
            "event_id": event_id,
            "return_key": return_key,
            "location_id": "dc-east",
            "sequence": 7,
            "lines": [{"sku": "A", "quantity": units, "condition": "resellable"}],
            "occurred_at": PLACED + timedelta(days=6),
        }
    )


def run_to_refund(steps: ReturnSteps, key: str, found: int) -> None:
    steps.authorize(key)
    steps.await_inspection(key, "token-1")
    assert steps.inspection_reported(inspection(key, found)) == "handed_over"
    steps.settle(key, inspection(key, found))
    steps.post_refund(key)
    steps.report_outcome(key)


def test_partial_return_refunds_once_and_restocks_only_after_inspection(steps: ReturnSteps) -> None:
    assert steps.apply_policy(request("R1", 1))["approved"]
    steps.authorize("loop:R1")
    assert steps.inventory.sent == []  # type: ignore[union-attr]
    run_to_refund(steps, "loop:R1", 1)
    # GIVEN every step runs again (Step Functions retries, a replayed event)
    run_to_refund_again = [
        steps.authorize("loop:R1"),
        steps.settle("loop:R1", inspection("loop:R1", 1)),
        steps.post_refund("loop:R1"),
        steps.report_outcome("loop:R1"),
    ]
    assert run_to_refund_again[-1] == {"status": "REFUNDED"}
    case = steps.store.get("loop:R1")
    assert case is not None and case.status is ReturnState.REFUNDED
    assert case.refund.amount == "27.00"  # 25.00 + half of the 4.00 tax
    assert steps.channel_refunds.refunds == [("refund-loop:R1", "27.00")]  # type: ignore[union-attr]
    # the channel's own line id, kept from the order when the refund was computed (Shopify's line_item_id)
    # and per line what is refunded of it and its tax (Walmart refunds by amounts per line)
    assert steps.channel_refunds.lines == [  # type: ignore[union-attr]
        [{"sku": "A", "quantity": 1, "line_id": "466157049", "amount": "25.00", "tax": "2.00"}]
    ]
    assert list(steps.erp.records) == [("returnAuthorization", "loop:R1"), ("creditMemo", "refund-loop:R1")]  # type: ignore[union-attr]
    assert [e["payload"]["movement"] for e in steps.inventory.sent] == ["return_to_stock"]  # type: ignore[union-attr]
    assert steps.platform.reports == [("R1", True)]  # type: ignore[union-attr]


def test_duplicate_inspection_hands_nothing_over_again(steps: ReturnSteps) -> None:
    steps.apply_policy(request("R1", 1))
    steps.await_inspection("loop:R1", "token-1")
    assert steps.inspection_reported(inspection("loop:R1", 1)) == "handed_over"
    assert steps.inspection_reported(inspection("loop:R1", 1)) == "duplicate"
    assert steps.inspection_reported(inspection("loop:R1", 1, event_id="wms-2")) == "duplicate"
    assert len(steps.flow.handed) == 1  # type: ignore[union-attr]


def test_inspection_before_the_wait_is_handed_over_when_the_flow_gets_there(steps: ReturnSteps) -> None:
    steps.apply_policy(request("R1", 1))
    assert steps.inspection_reported(inspection("loop:R1", 1)) == "held"
    assert steps.await_inspection("loop:R1", "token-1") == {"waiting": False}
    assert [token for token, _ in steps.flow.handed] == ["token-1"]  # type: ignore[union-attr]


def test_second_return_of_the_same_order_is_held_to_what_is_left(steps: ReturnSteps) -> None:
    assert steps.apply_policy(request("R1", 1))["approved"]
    assert not steps.apply_policy(request("R2", 2))["approved"]
    rejected = steps.store.get("loop:R2")
    assert rejected is not None and rejected.status is ReturnState.REJECTED
    assert rejected.rejected_reasons == ["A: 2 requested but only 1 of 2 bought can still be returned"]
    assert steps.apply_policy(request("R3", 1))["approved"]


def test_an_inspection_that_never_comes_becomes_one_return_exception_for_ops(steps: ReturnSteps) -> None:
    from shared.adapters.exception_store import MemoryExceptionStore

    exceptions = MemoryExceptionStore()
    steps.exceptions = exceptions
    steps.apply_policy(request("R9", 1))
    steps.authorize("loop:R9")
    steps.await_inspection("loop:R9", "token-9")

    # WHEN the wait times out, and RecordException runs again (a Lambda retry)
    steps.record_exception("loop:R9", "States.Timeout", "inspection not reported in time")
    steps.record_exception("loop:R9", "States.Timeout", "inspection not reported in time")

    # THEN the return is EXCEPTION, nothing refunded, and ops sees one open `return` exception
    case = steps.store.get("loop:R9")
    assert case is not None and case.status is ReturnState.EXCEPTION and case.task_token is None
    assert steps.channel_refunds.refunds == []  # type: ignore[union-attr]
    [raised] = exceptions.list("return", "OPEN", 10)
    assert raised["reason"] == "inspection_timeout" and raised["stuck_in"] == "AWAITING_INSPECTION"
    assert raised["concerns"] == "return loop:R9 of shopify order 1001"
    assert (raised["return_key"], raised["channel"], raised["channel_order_id"]) == ("loop:R9", "shopify", "1001")
    assert raised["correlation_id"] == "corr-12345678" and raised["failures"] == 2


def test_a_policy_step_that_failed_before_the_return_was_stored_is_an_exception_keeping_the_request(
    steps: ReturnSteps,
) -> None:
    from shared.adapters.exception_store import MemoryExceptionStore

    exceptions = MemoryExceptionStore()
    steps.exceptions = exceptions
    asked = request("R10", 1).model_dump(mode="json")

    # WHEN ApplyPolicy failed for good (nothing stored) and RecordException runs, twice (a retry)
    first = steps.record_exception("loop:R10", "ProvisionedThroughputExceededException", "table busy", asked)
    steps.record_exception("loop:R10", "ProvisionedThroughputExceededException", "table busy", asked)

    # THEN one open `return` exception holds the request (nothing else does), and no return exists
    assert first["status"] == "EXCEPTION"
    assert steps.store.get("loop:R10") is None
    [raised] = exceptions.list("return", "OPEN", 10)
    assert raised["stuck_in"] == "POLICY" and raised["failures"] == 2
    assert raised["concerns"] == "return loop:R10 of shopify order 1001"
    assert json.loads(raised["request"])["source_return_id"] == "R10"
