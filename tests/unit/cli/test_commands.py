"""The operator CLI against the real ops routes: every command goes through httpx into the ops Lambda
handler (tests/support/ops_transport.py), whose state is what the order tasks and workers wrote.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import Runtime, app
from shared.adapters.exception_store import RETRY_OF
from shared.models import order_id_for
from shared.models.order_flow import FlowInput
from tests.fakes.builders import order
from tests.fakes.ports import FakeOrderFlow, FakeParkingQueue, RecordingQueue
from tests.fakes.reconciliation import MemoryReconciliationStore, RecordingStarter
from tests.support.ops_transport import OpsLambdaTransport
from tests.support.stuck_orders import ENRICHMENT_EXCEPTION_ID, StuckOrders, seed


@pytest.fixture
def world(dynamodb: Any) -> StuckOrders:
    return seed(dynamodb)


def _run(world: StuckOrders, *args: str, **deps: Any) -> Any:
    transport = OpsLambdaTransport(dataclasses.replace(world.deps, **deps))
    runtime = Runtime(transport=transport, console=Console(width=220, color_system=None))
    result = CliRunner().invoke(app, ["--api-url", "http://127.0.0.1:3000", *args], obj=runtime)
    result.transport = transport  # type: ignore[attr-defined]  # the requests it answered
    return result


@pytest.mark.parametrize("any_id", ["1001", order_id_for("shopify", "1001"), "SO-4711", "corr-accepted"])
def test_find_shows_the_order_its_erp_id_lines_and_trace_from_any_of_its_ids(world: StuckOrders, any_id: str) -> None:
    result = _run(world, "find", any_id)

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "shopify order 1001" in out
    assert "ACCEPTED" in out
    assert "SO-4711" in out
    assert "SKU-1" in out
    assert "record-order" in out  # the trace timeline
    assert "nothing is stuck" in out


def test_find_says_where_an_order_is_stuck_and_what_to_do(world: StuckOrders) -> None:
    result = _run(world, "find", "2002")

    assert result.exit_code == 0
    assert "PARKED" in result.stdout
    assert "retail-sync orders replay" in result.stdout


def test_find_reaches_an_order_the_flow_never_recorded_through_its_open_exception(world: StuckOrders) -> None:
    result = _run(world, "find", "114-3941689-8772232")

    assert result.exit_code == 0
    assert "EXCEPTION" in result.stdout
    assert f"retail-sync exceptions retry {ENRICHMENT_EXCEPTION_ID}" in result.stdout


def test_find_json_is_the_api_answer(world: StuckOrders) -> None:
    result = _run(world, "find", "1001", "--json")

    body = json.loads(result.stdout)
    assert [(o["order"]["channel"], o["order"]["status"]) for o in body["orders"]] == [
        ("shopify", "ACCEPTED"),
        ("walmart", "ON_HOLD"),
    ]
    assert body["orders"][1]["stuck"]["state"] == "ON_HOLD"


def test_an_unknown_id_exits_1_with_the_contract_error_code_and_message(world: StuckOrders) -> None:
    result = _run(world, "find", "no-such-id")

    assert result.exit_code == 1
    assert "NOT_FOUND (404)" in result.stderr
    assert "no order, transaction or open exception is known by no-such-id" in result.stderr
    assert result.stdout == ""


def test_order_trace_and_inventory_read_their_routes(world: StuckOrders) -> None:
    order_result = _run(world, "order", "walmart", "1001")
    trace_result = _run(world, "trace", "corr-inflight")
    stock_result = _run(world, "inventory", "SKU-1", "--json")

    assert order_result.exit_code == 0 and "ON_HOLD" in order_result.stdout
    assert trace_result.exit_code == 0 and "poison" in trace_result.stdout
    assert json.loads(stock_result.stdout)["locations"][0]["on_hand"] == 7


def test_an_order_id_with_a_slash_stays_one_path_segment(world: StuckOrders) -> None:
    result = _run(world, "order", "shopify", "10/01")

    assert result.exit_code == 1
    assert "NOT_FOUND" in result.stderr
    assert result.transport.requests[0].url.raw_path == b"/v1/ops/orders/shopify/10%2F01"


def test_exceptions_are_listed_retried_and_resolved(world: StuckOrders) -> None:
    # GIVEN the open enrichment exception of the Amazon order
    queue = RecordingQueue()
    listed = _run(world, "exceptions", "list", "--kind", "enrichment", "--status", "open")
    assert listed.exit_code == 0
    assert ENRICHMENT_EXCEPTION_ID in listed.stdout

    # WHEN it is retried: its kept envelope goes back on the orders queue, tagged with the exception
    retried = _run(world, "exceptions", "retry", ENRICHMENT_EXCEPTION_ID, queues={"orders": queue})
    assert retried.exit_code == 0, retried.output
    assert "retries: 1" in retried.stdout
    assert [attributes for _, attributes in queue.sent] == [{RETRY_OF: ENRICHMENT_EXCEPTION_ID}]

    # AND then closed by hand: it is no longer open, and finding the order no longer finds anything stuck
    resolved = _run(world, "exceptions", "resolve", ENRICHMENT_EXCEPTION_ID, "--note", "order cancelled by Amazon")
    assert resolved.exit_code == 0, resolved.output
    assert "resolved" in resolved.stdout
    assert _run(world, "find", "114-3941689-8772232").exit_code == 1

    # AND a second resolve is refused with the contract's code
    again = _run(world, "exceptions", "resolve", ENRICHMENT_EXCEPTION_ID, "--note", "again")
    assert again.exit_code == 1
    assert "ALREADY_RESOLVED" in again.stderr


def test_resolve_needs_a_note(world: StuckOrders) -> None:
    result = _run(world, "exceptions", "resolve", ENRICHMENT_EXCEPTION_ID)

    assert result.exit_code == 2  # a usage error: nothing was sent
    assert "--note" in result.stderr


class RecordingRedrive:
    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        self.moves: list[tuple[str, str]] = []

    def move(self, dlq_url: str, queue_url: str, limit: int, budget_seconds: float) -> int:
        self.moves.append((dlq_url, queue_url))
        moved, self.waiting = min(self.waiting, limit), 0
        return moved


def test_redrive_moves_the_named_dlq_back_to_its_source_queue_through_the_route(world: StuckOrders) -> None:
    redrive = RecordingRedrive(waiting=3)
    dlqs = {"orders": {"queue": "https://sqs/orders", "dlq": "https://sqs/orders-dlq"}}

    result = _run(world, "dlq", "redrive", "orders", redrive=redrive, dead_letter_queues=dlqs)
    unknown = _run(world, "dlq", "redrive", "payments", redrive=redrive, dead_letter_queues=dlqs)

    assert result.exit_code == 0, result.output
    assert "moved 3 message(s) from the orders dead-letter queue" in result.stdout
    assert redrive.moves == [("https://sqs/orders-dlq", "https://sqs/orders")]
    assert unknown.exit_code == 1 and "NOT_FOUND (404)" in unknown.stderr and "known: orders" in unknown.stderr


def test_replay_restarts_each_parked_order(world: StuckOrders) -> None:
    parked = FlowInput(action="accept", correlation_id="corr-parked", event_id="e", order=order("2002", channel="ebay"))
    flow = FakeOrderFlow()

    result = _run(world, "orders", "replay", parking=FakeParkingQueue([parked.model_dump_json()]), flow=flow)

    assert result.exit_code == 0, result.output
    assert "replayed 1 parked order(s)" in result.stdout
    assert len(flow.executions) == 1


def test_replay_without_a_parking_queue_reports_the_503(world: StuckOrders) -> None:
    result = _run(world, "orders", "replay")

    assert result.exit_code == 1
    assert "(503)" in result.stderr


def test_a_reconciliation_is_started_and_listed(world: StuckOrders) -> None:
    runs, starter = MemoryReconciliationStore(), RecordingStarter()

    started = _run(world, "recon", "start", "inventory", "--json", runs=runs, starter=starter)
    listed = _run(world, "recon", "list", "inventory", runs=runs, starter=starter)

    run_id = json.loads(started.stdout)["run_id"]
    assert [r.run_id for r in starter.started] == [run_id]
    assert listed.exit_code == 0
    assert run_id in listed.stdout
    assert "QUEUED" in listed.stdout


def test_an_unknown_reconciliation_kind_exits_1(world: StuckOrders) -> None:
    result = _run(world, "recon", "list", "payroll", runs=MemoryReconciliationStore())

    assert result.exit_code == 1
    assert "unknown reconciliation kind: payroll" in result.stderr


def test_an_order_on_hold_is_released_by_hand_and_one_not_held_is_reported(world: StuckOrders) -> None:
    from functions.orders.handlers import record_order as record_handler
    from shared.adapters.held_orders import MemoryHeldOrders
    from shared.adapters.trace_store import MemoryTraceStore
    from tests.fakes.builders import LambdaContext

    held, flow = MemoryHeldOrders(), FakeOrderFlow()
    on_hold = {
        "status": "ON_HOLD",
        "action": "accept",
        "correlation_id": "corr-held",
        "event_id": "e-held",
        "order": order("3003", channel="ebay").to_item(),
        "reservation": {"outcome": "ON_HOLD", "location_id": "dc-east", "shortages": []},
    }
    deps = record_handler.Deps(world.deps.store, MemoryTraceStore())  # type: ignore[arg-type]
    record_handler.lambda_handler(on_hold, LambdaContext(), deps=deps, held=held)

    released = _run(world, "orders", "release", "ebay", "3003", held=held, flow=flow)
    missing = _run(world, "orders", "release", "ebay", "2002", held=held, flow=flow)  # stuck, but not ON_HOLD

    assert released.exit_code == 0, released.output
    assert "ebay order 3003 started again" in released.stdout and len(flow.executions) == 1
    assert missing.exit_code == 1 and "NOT_FOUND (404)" in missing.stderr
