"""Settlements through the local stack (issue 11): Amazon's settlement report polled from the SP-API
sandbox and a Shopify payout, settled from the finance queue, journals in the ERP sandbox once, the
settlement run on demand listed by the ops API with its payouts, its exceptions listed by kind.

GIVEN Shopify order 450789469 accepted through its webhook (the payout's charge), and Amazon's
settlement report seeded in the SP-API sandbox (its orders are not ours here: every Amazon order line
is unmatched and goes to suspense)
WHEN the poller's schedule fires, the Shopify payout is queued, and a settlement run is started twice
THEN each payout's journal is in the ERP once, the Shopify payout matches with no variance, the Amazon
one raises one exception per unknown order, and the runs list both payouts.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import boto3

from functions.finance.adapters.amazon_settlement import REPORT_TYPE
from tests.integration.flows import Flows, wait_until
from tests.support.events import EVENTS_DIR, load_event

MINE = ("settlement-amazon-14732846271", "settlement-shopify-623721858")


def _journals(flows: Flows) -> list[dict[str, Any]]:
    """This test's journals: the session's stack is shared (the demo's finance act posts its own,
    namespaced payouts into the same ERP sandbox), so only the fixture payouts' external ids count."""
    journals: list[dict[str, Any]] = flows.stack.sandboxes.erp.journals()
    return [j for j in journals if j.get("externalId") in MINE]


def _status(flows: Flows, channel: str, channel_order_id: str) -> str | None:
    answer = flows.ops(f"orders/{channel}/{channel_order_id}")
    return str(answer.json()["status"]) if answer.status_code == 200 else None


def _run(flows: Flows) -> dict[str, Any]:
    started = flows.http.post(f"{flows.stack.api_url}/v1/ops/reconciliations/settlement")
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]

    def done() -> bool:
        return flows.ops(f"reconciliations/settlement/{run_id}").json()["status"] in ("SUCCEEDED", "FAILED")

    wait_until(done, timeout=60)
    run: dict[str, Any] = flows.ops(f"reconciliations/settlement/{run_id}").json()
    return run


def test_payouts_are_settled_posted_once_and_reconciled_on_demand(flows: Flows) -> None:
    flows.stock("IPOD2008GREEN", 50, sequence=int(time.time()))
    flows.accept(flows.shopify_delivery(load_event("shopify/orders_create_second")))
    wait_until(lambda: _status(flows, "shopify", "450789469") == "ACCEPTED", timeout=60)
    report = (EVENTS_DIR / "amazon" / "settlement_report_v2.tsv").read_text()
    flows.stack.sandboxes.amazon.seed_report(REPORT_TYPE, report, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))

    # WHEN the poller runs and the Shopify payout arrives on the finance queue
    flows.stack.fire_schedule("SettlementPollerSchedule")
    payout = load_event("shopify/payouts_response")["payouts"][0]
    transactions = load_event("shopify/balance_transactions_response")["transactions"]
    boto3.client("sqs").send_message(
        QueueUrl=flows.stack.physical_id("FinanceQueue"),
        MessageBody=json.dumps({"channel": "shopify", "payout": payout, "transactions": transactions}),
    )
    wait_until(lambda: len(_journals(flows)) >= 2, timeout=60)

    # THEN one journal per payout, balanced, by external id
    ids = sorted(j["externalId"] for j in _journals(flows))
    assert ids == list(MINE)

    # WHEN a settlement run is started on demand, twice
    first, second = _run(flows), _run(flows)

    # THEN both runs list both payouts; the journals are still the same two records
    assert first["status"] == second["status"] == "SUCCEEDED"
    payouts = {p["channel"]: p for p in second["payouts"] if p["payout_id"] in ("14732846271", "623721858")}
    shopify = payouts["shopify"]
    assert (shopify["expected"], shopify["reported"], shopify["variances"]) == ("642.82", "642.82", [])
    assert shopify["fees"] == {"payment_processing": "-18.94"} and shopify["posted"] is True
    amazon = payouts["amazon"]
    assert {v["kind"] for v in amazon["variances"]} == {"unmatched"}
    assert amazon["unmatched"] == "206.20" and amazon["posted"] is True  # 182.95 + 23.25 to suspense
    assert len(_journals(flows)) == 2
    listed = flows.http.get(f"{flows.stack.api_url}/v1/ops/exceptions", params={"kind": "settlement"}).json()
    concerns = {e["details"]["channel_order_id"] for e in listed["exceptions"] if e["kind"] == "settlement"}
    assert concerns >= {"113-5467394-8722613", "902-3159896-1390916"}
