"""Finance in the state table (moto): orders read where the order tasks write them, one posting per journal,
settlements and runs stored, a settlement run through the handler with a stored payout."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from functions.finance.dal.finance_store import DynamoFinanceStore
from functions.finance.handlers import reconcile_settlement
from functions.finance.logic.settle import Settler
from shared.adapters.exception_store import DynamoExceptionStore
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from shared.models import OrderStatus
from shared.models.state import OrderRecord
from tests.fakes.aws import STATE_TABLE
from tests.unit.finance.support import AMAZON_ORDER, MemoryJournals, amazon_payout, our_orders

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(dynamodb: Any) -> DynamoFinanceStore:
    orders = DynamoStateStore(STATE_TABLE, dynamodb)
    for order in our_orders().values():
        record = OrderRecord(
            order_id=order.order_id,
            channel=order.channel,
            channel_order_id=order.channel_order_id,
            status=OrderStatus.ACCEPTED,
            correlation_id="c-1",
            updated_at=T0,
            lines=order.lines,
            order=order,
        )
        assert orders.save_order(record, None)
    return DynamoFinanceStore(STATE_TABLE, dynamodb)


def test_orders_are_read_where_the_order_tasks_wrote_them(store: DynamoFinanceStore) -> None:
    found = store.orders("amazon", [AMAZON_ORDER, "902-3159896-1390916"])

    order = found[AMAZON_ORDER]
    assert order is not None and order.total.amount == Decimal("453.18")
    assert found["902-3159896-1390916"] is None


def test_a_posting_is_recorded_once(store: DynamoFinanceStore) -> None:
    store.mark_posted("settlement-amazon-1", "5001", T0)
    store.mark_posted("settlement-amazon-1", "9999", T0)

    assert store.posting("settlement-amazon-1") == "5001"
    assert store.posting("settlement-amazon-2") is None


def test_a_settlement_run_settles_the_stored_payouts_and_ops_reads_the_run(
    dynamodb: Any, store: DynamoFinanceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", STATE_TABLE)
    monkeypatch.setenv("ERP_BASE_URL", "http://127.0.0.1:9")
    exceptions = DynamoExceptionStore(STATE_TABLE, dynamodb)
    erp = MemoryJournals()
    settler = Settler(store, store, exceptions, erp, now=lambda: T0)
    store.save_payout(amazon_payout())

    answer = reconcile_settlement.lambda_handler({"source": "aws.events"}, _Context(), settler=settler, store=store)
    again = reconcile_settlement.lambda_handler({"source": "aws.events"}, _Context(), settler=settler, store=store)

    assert answer["status"] == again["status"] == "SUCCEEDED"
    assert answer["payouts"] == 1 and answer["exceptions"] == 2
    assert erp.calls == 1
    open_ones = exceptions.list("settlement", "OPEN", 10)
    assert sorted(item["reason"] for item in open_ones) == ["fee", "unmatched"]
    runs = DynamoReconciliationStore(STATE_TABLE, dynamodb).list_runs("settlement")
    assert {run.run_id for run in runs} == {answer["run_id"], again["run_id"]}
    assert all(run.status.value == "SUCCEEDED" and run.exceptions == 2 for run in runs)
    settled = store.order_settlements("amazon", "14732846271")
    assert {s.channel_order_id: s.matched for s in settled} == {AMAZON_ORDER: True, "902-3159896-1390916": False}


class _Context:
    function_name = "finance-reconcile-settlement"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:finance-reconcile-settlement"
    aws_request_id = "req-1"
