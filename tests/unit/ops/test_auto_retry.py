"""Transient exceptions are retried by the schedule with a doubling back-off and a cap; permanent ones
never (issue 13.1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.ops.handlers.api import Deps, lambda_handler
from functions.ops.logic.auto_retry import MAX_AUTO_RETRIES, retry_transient_exceptions
from shared.adapters.exception_store import MemoryExceptionStore
from tests.fakes.builders import LambdaContext, order
from tests.fakes.ports import FakeOrderFlow, FakeTraceReader
from tests.fakes.state_table import InMemoryStateTable

RAISED = datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
INPUT = json.dumps({"action": "accept", "correlation_id": "c", "event_id": "e", "order": order().to_item()})


def _raise(store: MemoryExceptionStore, exception_id: str, category: str) -> None:
    record = {"reason": "r", "category": category, "input": INPUT, "execution_name": exception_id}
    store.raise_open("order", exception_id, record, RAISED)


def test_a_transient_exception_is_retried_after_its_back_off_and_a_permanent_one_never() -> None:
    store, flow = MemoryExceptionStore(), FakeOrderFlow()
    _raise(store, "order-20261204T100000000000Z-aaaaaaaaaaaa", "vendor_down")
    _raise(store, "order-20261204T100000000000Z-bbbbbbbbbbbb", "vendor_4xx")

    early = retry_transient_exceptions(store, {}, flow, now=lambda: RAISED + timedelta(minutes=5))
    due = retry_transient_exceptions(store, {}, flow, now=lambda: RAISED + timedelta(minutes=16))

    assert (early.retried, early.waiting) == ([], 1)
    assert due.retried == ["order-20261204T100000000000Z-aaaaaaaaaaaa"]
    assert len(flow.executions) == 1  # the kept input started once; the 4xx waits for a person


def test_the_schedule_stops_at_the_cap_and_leaves_the_rest_to_a_person() -> None:
    store, flow = MemoryExceptionStore(), FakeOrderFlow()
    _raise(store, "order-20261204T100000000000Z-cccccccccccc", "vendor_down")
    for n in range(MAX_AUTO_RETRIES):  # five retries asked already (by the schedule or by hand)
        store.mark_retried("order", "order-20261204T100000000000Z-cccccccccccc", RAISED + timedelta(hours=n))

    run = retry_transient_exceptions(store, {}, flow, now=lambda: RAISED + timedelta(days=30))

    assert (run.retried, run.capped) == ([], 1) and flow.executions == {}


def test_the_ops_function_runs_the_retries_when_its_schedule_fires() -> None:
    store, flow = MemoryExceptionStore(), FakeOrderFlow()
    _raise(store, "order-20261204T100000000000Z-dddddddddddd", "conflict")
    deps = Deps(store=InMemoryStateTable(), trace=FakeTraceReader(), kinds=store, flow=flow)
    scheduled: dict[str, Any] = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}

    result = lambda_handler(scheduled, LambdaContext(), deps=deps)

    assert result["retried"] == ["order-20261204T100000000000Z-dddddddddddd"]
