"""The settlement kind through the ops API (moto state table): a run started on demand, listed with its
payouts; its exceptions listed by kind, retried onto the finance queue and resolved when settled again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from functions.finance.dal.finance_store import DynamoFinanceStore
from functions.finance.handlers import reconcile_settlement, settlement_worker
from functions.finance.logic.settle import Settler
from functions.ops.handlers.api import Deps
from shared.adapters.exception_store import RETRY_OF, DynamoExceptionStore
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from shared.models import OrderStatus
from shared.models.state import OrderRecord
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import LambdaContext
from tests.fakes.ports import FakeTraceReader, RecordingQueue
from tests.fakes.reconciliation import RecordingStarter
from tests.fakes.state_table import InMemoryStateTable
from tests.support.ops_api import call_ops, resolve_exception
from tests.unit.finance.support import MemoryJournals, amazon_payout, order_of

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _save(dynamodb: Any, fixture: str) -> None:
    order = order_of(fixture)
    DynamoStateStore(STATE_TABLE, dynamodb).save_order(
        OrderRecord(
            order_id=order.order_id, channel=order.channel, channel_order_id=order.channel_order_id,
            status=OrderStatus.ACCEPTED, correlation_id="c-1", updated_at=T0, lines=order.lines, order=order,
        ),
        None,
    )  # fmt: skip


def test_a_settlement_run_on_demand_is_listed_with_its_payouts_and_its_exceptions_retried(
    dynamodb: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", STATE_TABLE)
    monkeypatch.setenv("ERP_BASE_URL", "http://127.0.0.1:9")
    _save(dynamodb, "amazon/order_change_unshipped")
    finance = DynamoFinanceStore(STATE_TABLE, dynamodb)
    exceptions = DynamoExceptionStore(STATE_TABLE, dynamodb)
    erp = MemoryJournals()
    settler = Settler(finance, finance, exceptions, erp, now=lambda: T0)
    finance.save_payout(amazon_payout())
    starter, queue = RecordingStarter(), RecordingQueue()
    deps = Deps(
        store=InMemoryStateTable(), trace=FakeTraceReader(), runs=DynamoReconciliationStore(STATE_TABLE, dynamodb),
        kinds=exceptions, queues={"finance": queue}, settlement_starter=starter,
    )  # fmt: skip

    # WHEN ops starts a settlement run and finance's function runs it
    status, started = call_ops(deps, "POST", "/v1/ops/reconciliations/settlement")
    assert status == 202 and [r.kind for r in starter.started] == ["settlement"]
    reconcile_settlement.lambda_handler(
        starter.started[0].model_dump(mode="json"), LambdaContext(), settler=settler, store=finance
    )

    # THEN the run lists its payout with expected, reported, fees by type and variances
    runs = call_ops(deps, "GET", "/v1/ops/reconciliations/settlement")[1]["runs"]
    assert [(r["run_id"], r["status"]) for r in runs] == [(started["run_id"], "SUCCEEDED")]
    payout = runs[0]["payouts"][0]
    assert (payout["payout_id"], payout["expected"], payout["reported"]) == ("14732846271", "234.28", "234.28")
    assert payout["fees"]["commission"] == "-41.67" and payout["posted"] is True
    assert sorted(v["kind"] for v in payout["variances"]) == ["fee", "unmatched"]

    # AND the exceptions are listed by kind, retried onto the finance queue
    listed = call_ops(deps, "GET", "/v1/ops/exceptions", query={"kind": "settlement"})[1]["exceptions"]
    assert sorted(e["reason"] for e in listed) == ["fee", "unmatched"]
    unmatched = next(e for e in listed if e["reason"] == "unmatched")
    assert unmatched["retryable"] is True
    assert call_ops(deps, "POST", f"/v1/ops/exceptions/{unmatched['id']}/retry")[0] == 202
    body, attributes = queue.sent[0]
    assert json.loads(body) == {"channel": "amazon", "payout_id": "14732846271"}
    assert attributes[RETRY_OF] == unmatched["id"]

    # WHEN the retried message is settled again (nothing changed): still open, journal not posted again
    record = {"messageId": "m-1", "body": body, "attributes": {}, "eventSource": "aws:sqs",
              "messageAttributes": {RETRY_OF: {"stringValue": attributes[RETRY_OF], "dataType": "String"}}}  # fmt: skip
    answer = settlement_worker.lambda_handler({"Records": [record]}, LambdaContext(), settler=settler)
    assert answer == {"batchItemFailures": []}
    assert exceptions.get("settlement", unmatched["id"])["status"] == "OPEN"  # type: ignore[index]
    assert erp.calls == 1

    # AND resolving the fee exception by hand closes it
    fee = next(e for e in listed if e["reason"] == "fee")
    status, resolved = resolve_exception(deps, fee["id"], {"note": "Amazon category fee"}, request_id="req-2")
    assert status == 200 and resolved["status"] == "resolved"
