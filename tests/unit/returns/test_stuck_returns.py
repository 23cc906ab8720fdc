"""The return-status reconciliation: a return stuck past its state's allowance becomes the return's
exception once; final states, exceptions and returns still within policy are left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from functions.returns.dal.return_store import DynamoReturnStore, MemoryReturnStore
from functions.returns.logic.flow_steps import return_exception_id
from functions.returns.logic.stuck_returns import allowances, sweep_stuck_returns
from functions.returns.models.returns import CaseLine, ReturnCase, ReturnState
from tests.fakes.aws import STATE_TABLE

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
TIMEOUT = 21 * 24 * 3600


def _case(key: str, state: ReturnState, created_days_ago: float, idle_hours: float) -> ReturnCase:
    created = NOW - timedelta(days=created_days_ago)
    return ReturnCase(
        return_key=f"loop:{key}",
        source="loop",
        source_return_id=key,
        channel="shopify",
        channel_order_id="1001",
        correlation_id=f"corr-{key}",
        status=state,
        lines=[CaseLine(sku="SKU-1", quantity=1)],
        created_at=created,
        updated_at=NOW - timedelta(hours=idle_hours),
    )


class Exceptions:
    def __init__(self) -> None:
        self.raised: dict[str, dict[str, Any]] = {}

    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool:
        if exception_id in self.raised:
            return False
        self.raised[exception_id] = {"kind": kind, **record}
        return True


def test_only_returns_past_their_states_allowance_are_raised_and_a_second_sweep_changes_nothing() -> None:
    store = MemoryReturnStore()
    cases = [
        _case("1", ReturnState.INSPECTED, 2, idle_hours=7),  # the refund never followed: stuck
        _case("2", ReturnState.INSPECTED, 1, idle_hours=2),  # still within 6 hours
        _case("3", ReturnState.AWAITING_INSPECTION, 25, idle_hours=22 * 24),  # past the flow's own timeout
        _case("4", ReturnState.AWAITING_INSPECTION, 10, idle_hours=10 * 24),  # the warehouse may still come
        _case("5", ReturnState.REFUNDED, 3, idle_hours=70),  # final
        _case("6", ReturnState.EXCEPTION, 3, idle_hours=70),  # already a person's
        _case("7", ReturnState.INSPECTED, 40, idle_hours=40 * 24),  # older than the lookback: not read
    ]
    for case in cases:
        store.create(case)
    exceptions = Exceptions()

    first = sweep_stuck_returns(store, exceptions, NOW, allowances(TIMEOUT))
    second = sweep_stuck_returns(store, exceptions, NOW, allowances(TIMEOUT))

    assert first.raised == ["loop:1", "loop:3"] and first.looked_at == 6
    assert second.raised == [] and second.already_raised == ["loop:1", "loop:3"]
    raised = exceptions.raised[return_exception_id(cases[0])]
    assert (raised["kind"], raised["reason"], raised["stuck_in"]) == ("return", "stuck", "INSPECTED")
    assert raised["correlation_id"] == "corr-1" and "7.0 h" in raised["error"]


def test_the_same_exception_as_the_flows_own_so_a_return_already_raised_is_not_raised_twice() -> None:
    store = MemoryReturnStore()
    stuck = _case("9", ReturnState.INSPECTED, 1, idle_hours=8)
    store.create(stuck)
    exceptions = Exceptions()
    exceptions.raised[return_exception_id(stuck)] = {"reason": "refund_failed"}  # RecordException's

    run = sweep_stuck_returns(store, exceptions, NOW, allowances(TIMEOUT))

    assert run.raised == [] and run.already_raised == ["loop:9"]


def test_the_day_index_finds_the_returns_created_on_a_day(dynamodb: Any) -> None:
    store = DynamoReturnStore(STATE_TABLE, client=dynamodb)
    for key, days in (("a", 1), ("b", 1), ("c", 2)):
        assert store.create(_case(key, ReturnState.AWAITING_INSPECTION, days, idle_hours=1))
    assert not store.create(_case("a", ReturnState.AWAITING_INSPECTION, 1, idle_hours=1))  # a replayed start

    yesterday = store.created_on((NOW - timedelta(days=1)).date())

    assert [case.return_key for case in yesterday] == ["loop:a", "loop:b"]
    assert [case.return_key for case in store.created_on((NOW - timedelta(days=2)).date())] == ["loop:c"]
    assert store.created_on(NOW.date()) == []
