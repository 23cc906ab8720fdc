"""The OrderFlow task handlers: the exact input/output of docs/wiring.md, errors by class name."""

from __future__ import annotations

from typing import Any

import pytest

from functions.orders.handlers import cancel_order, create_erp_sales_order, record_order, reserve_stock
from functions.orders.handlers._deps import ErpDeps
from functions.orders.logic.reserve_stock import ReservePolicy
from shared.adapters.trace_store import MemoryTraceStore
from shared.errors import ErpBacklogOpen, ErpRejected, ErpThrottled, ErpUnavailable
from shared.models import OrderStatus
from shared.retry import RetryPolicy
from tests.fakes.builders import LambdaContext, cancellation, order
from tests.fakes.ports import FakeErp
from tests.fakes.state_table import InMemoryStateTable

LOC = "dc-east"


@pytest.fixture
def store() -> InMemoryStateTable:
    table = InMemoryStateTable()
    table.put_position("SKU-1", LOC, on_hand=5)
    return table


@pytest.fixture
def trace() -> MemoryTraceStore:
    return MemoryTraceStore()


def _execution_input(**overrides: Any) -> dict[str, Any]:
    """What the orders worker starts the OrderFlow with."""
    return {
        "action": "accept",
        "correlation_id": "corr-0001",
        "event_id": "evt-1",
        "order": order(lines={"SKU-1": 2}).to_item(),
        "cancellation": None,
        **overrides,
    }


def reserved_order_id() -> str:
    return order(lines={"SKU-1": 2}).order_id


def _reserve(store: InMemoryStateTable, trace: MemoryTraceStore, event: dict[str, Any]) -> dict[str, Any]:
    deps = reserve_stock.Deps(store, trace, ReservePolicy(LOC, retry=RetryPolicy(sleep=lambda _: None)))
    return reserve_stock.lambda_handler(event, LambdaContext(), deps=deps)


def test_reserve_stock_answers_outcome_location_and_shortages(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    reserved = _reserve(store, trace, _execution_input())
    assert reserved == {
        "outcome": "RESERVED",
        "location_id": LOC,
        "shortages": [],
        "fulfilments": [
            {
                "instruction_id": f"{reserved_order_id()}@{LOC}",
                "location_id": LOC,
                "method": "SHIP_FROM_DC",
                "lines": [{"sku": "SKU-1", "quantity": 2}],
                "status": "PLANNED",
            }
        ],
        "review": None,
        "problems": [],
    }
    short = _execution_input(order=order("2", {"SKU-1": 9}).to_item())
    assert _reserve(store, trace, short) == {
        "outcome": "ON_HOLD",
        "location_id": LOC,
        "shortages": [{"sku": "SKU-1", "requested": 9, "available": 3}],
        "fulfilments": [],
        "review": None,
        "problems": [],
    }
    assert [(e["hop"], e["status"]) for e in trace.entries] == [
        ("reserve-stock", "reserved"),
        ("reserve-stock", "on_hold"),
    ]


def test_create_erp_sales_order_answers_the_erp_internal_id(store: InMemoryStateTable, trace: MemoryTraceStore) -> None:
    erp = FakeErp()
    event = {
        **_execution_input(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
    }

    result = create_erp_sales_order.lambda_handler(
        event, LambdaContext(), deps=create_erp_sales_order.Deps(store, erp, trace)
    )

    assert result == {"erp_sales_order_id": "1000"}
    assert erp.records[order().order_id]["externalId"] == order().order_id
    assert (trace.entries[-1]["hop"], trace.entries[-1]["status"]) == ("erp", "upserted")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ErpThrottled("429", retry_after=2.0), "throttled"),
        (ErpUnavailable("503"), "failed"),
        (ErpRejected("400"), "failed"),
    ],
)
def test_erp_errors_reach_the_state_machine_by_their_class_name(
    store: InMemoryStateTable, trace: MemoryTraceStore, error: Exception, status: str
) -> None:
    erp = FakeErp()
    erp.fail_with = error
    event = {
        **_execution_input(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
    }

    with pytest.raises(type(error)) as excinfo:
        create_erp_sales_order.lambda_handler(
            event, LambdaContext(), deps=create_erp_sales_order.Deps(store, erp, trace)
        )

    assert type(excinfo.value).__name__ == type(error).__name__  # what Retry/Catch match on
    assert (trace.entries[-1]["hop"], trace.entries[-1]["status"]) == ("erp", status)


def test_an_order_cancelled_while_the_erp_call_was_in_flight_is_closed_in_the_erp(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    class CancelDuringUpsert(FakeErp):
        def upsert_sales_order(self, order_id: str, sales_order: dict[str, Any]) -> str:
            erp_id = super().upsert_sales_order(order_id, sales_order)
            store.mark_cancelled(cancellation(), "corr-0002", order().placed_at)
            return erp_id

    erp = CancelDuringUpsert()
    event = {
        **_execution_input(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
    }

    create_erp_sales_order.lambda_handler(event, LambdaContext(), deps=create_erp_sales_order.Deps(store, erp, trace))

    assert erp.cancelled == [order().order_id]


def test_record_order_takes_the_state_machines_parameters_and_names_the_event(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    # What the RecordErpFailed state passes: its status + the flow fields (see order_flow_construct.py)
    event = {
        "status": "ERP_FAILED",
        "action": "accept",
        "correlation_id": "corr-0001",
        "event_id": "evt-1",
        "order": order().to_item(),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
        "error": {"Error": "ErpUnavailable", "Cause": '{"errorMessage": "503"}'},
    }

    result = record_order.lambda_handler(event, LambdaContext(), deps=record_order.Deps(store, trace))

    assert result["event_type"] == "OrderErpFailed"
    detail = result["detail"]
    assert (detail["order_id"], detail["status"], detail["schema_version"]) == (
        order().order_id,
        "ERP_FAILED",
        "1",
    )
    assert detail["correlation_id"] == "corr-0001"
    assert detail["error"] == {"error": "ErpUnavailable", "cause": '{"errorMessage": "503"}'}
    assert detail["lines"][0]["unit_price"] == {"amount": "19.99", "currency": "USD"}
    assert store.get_order("shopify", "1001").status is OrderStatus.ERP_FAILED  # type: ignore[union-attr]


def test_an_accepted_order_emits_its_ingestion_latency_from_when_it_was_received(
    store: InMemoryStateTable, trace: MemoryTraceStore, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    from datetime import timedelta

    from shared.models import utc_now

    received = utc_now() - timedelta(seconds=3)
    event = {
        "status": "ACCEPTED",
        **_execution_input(received_at=received.isoformat()),
        "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []},
        "erp": {"erp_sales_order_id": "1234"},
    }
    capsys.readouterr()

    record_order.lambda_handler(event, LambdaContext(), deps=record_order.Deps(store, trace))

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    [latency] = [b["OrderIngestionLatency"] for b in blobs if "OrderIngestionLatency" in b]
    value = latency[0] if isinstance(latency, list) else latency
    assert 3000 <= float(value) < 60_000  # ms, webhook received to accepted


def test_cancel_order_releases_stock_closes_the_erp_order_and_names_the_event(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    _reserve(store, trace, _execution_input())
    erp = FakeErp()
    erp.upsert_sales_order(order().order_id, {})
    event = {
        "action": "cancel",
        "correlation_id": "corr-0002",
        "event_id": "evt-2",
        "order": None,
        "cancellation": cancellation().model_dump(mode="json"),
    }

    result = cancel_order.lambda_handler(event, LambdaContext(), deps=cancel_order.Deps(ErpDeps(store, erp, trace)))

    assert result["event_type"] == "OrderCancelled"
    assert {k: result["detail"][k] for k in ("order_id", "status", "schema_version", "correlation_id", "reason")} == {
        "order_id": order().order_id,
        "status": "CANCELLED",
        "schema_version": "1",
        "correlation_id": "corr-0002",
        "reason": "customer",
    }
    assert store.position("SKU-1", LOC).reserved == 0
    assert erp.cancelled == [order().order_id]


def test_cancel_order_raises_erp_unavailable_after_releasing_the_stock(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    _reserve(store, trace, _execution_input())
    erp = FakeErp()
    erp.fail_with = ErpUnavailable("503")
    event = {
        "action": "cancel",
        "correlation_id": "c-00000002",
        "event_id": "e2",
        "cancellation": cancellation().model_dump(mode="json"),
    }

    with pytest.raises(ErpUnavailable):
        cancel_order.lambda_handler(event, LambdaContext(), deps=cancel_order.Deps(ErpDeps(store, erp, trace)))

    assert store.position("SKU-1", LOC).reserved == 0


class _Backlog:
    def __init__(self, open_: bool) -> None:
        self.open_ = open_
        self.opened: list[str] = []

    def is_open(self) -> bool:
        return self.open_

    def open(self, at: str) -> None:
        self.opened.append(at)


def test_a_new_order_joins_the_back_of_an_open_erp_backlog_and_a_replayed_one_goes_to_the_erp(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    erp = FakeErp()
    event = {**_execution_input(), "reservation": {"outcome": "RESERVED", "location_id": LOC, "shortages": []}}
    deps = create_erp_sales_order.Deps(store, erp, trace, backlog=_Backlog(open_=True))

    with pytest.raises(ErpBacklogOpen) as raised:
        create_erp_sales_order.lambda_handler(event, LambdaContext(), deps=deps)
    assert type(raised.value).__name__ == "ErpBacklogOpen"  # OrderFlow parks it without a retry
    assert erp.calls == []
    assert (trace.entries[-1]["hop"], trace.entries[-1]["status"]) == ("erp", "queued_behind_backlog")

    replayed = create_erp_sales_order.lambda_handler({**event, "replay": True}, LambdaContext(), deps=deps)
    assert replayed == {"erp_sales_order_id": "1000"} and erp.calls == [("upsert", order().order_id)]


def test_an_order_recorded_erp_failed_opens_the_erp_backlog_and_an_accepted_one_does_not(
    store: InMemoryStateTable, trace: MemoryTraceStore
) -> None:
    backlog = _Backlog(open_=False)
    reservation = {"outcome": "RESERVED", "location_id": LOC, "shortages": []}
    failed = {**_execution_input(), "reservation": reservation, "status": "ERP_FAILED"}
    failed["error"] = {"Error": "ErpUnavailable", "Cause": "503"}

    answer = record_order.lambda_handler(failed, LambdaContext(), deps=record_order.Deps(store, trace), backlog=backlog)

    assert answer["event_type"] == "OrderErpFailed" and len(backlog.opened) == 1
    accepted = {**_execution_input(event_id="evt-2"), "reservation": reservation, "status": "ACCEPTED"}
    accepted["erp"] = {"erp_sales_order_id": "1000"}
    record_order.lambda_handler(accepted, LambdaContext(), deps=record_order.Deps(store, trace), backlog=backlog)
    assert len(backlog.opened) == 1
