"""The demo's settlement act (issue 11): Amazon's V2 settlement report polled from the SP-API sandbox,
a Shopify Payments payout put on the finance queue, each settled and its journal posted to the ERP
sandbox once; then a settlement run started twice through the ops API (nothing posted twice)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx

from local.demo.driver import Done, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import Settle
from local.signing import EVENTS_DIR
from local.stack import LocalStack

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
RUN_TIMEOUT_S = 60.0


def _run(client: httpx.Client, api_url: str) -> dict[str, Any]:
    started = client.post(f"{api_url}/v1/ops/reconciliations/settlement")
    if started.status_code != 202:
        return {"status": f"refused {started.status_code}"}
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + RUN_TIMEOUT_S
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        run = client.get(f"{api_url}/v1/ops/reconciliations/settlement/{run_id}").json()
        if run.get("status") in {"SUCCEEDED", "FAILED"}:
            break
        time.sleep(0.1)
    return run


def settle(client: httpx.Client, stack: LocalStack, step: Settle, ns: Namespace, idle: Callable[[], None]) -> Done:
    report = ns.text((EVENTS_DIR / step.amazon_report).read_text())
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    client.post(
        f"{stack.sandbox_urls['amazon']}/__admin/reports",
        json={"reportType": REPORT_TYPE, "document": report, "createdTime": created},
    ).raise_for_status()
    stack.fire_schedule("SettlementPollerSchedule")
    payout = ns.data(fixture_json(step.shopify_payouts))["payouts"][0]
    transactions = ns.data(fixture_json(step.shopify_transactions))["transactions"]
    boto3.client("sqs").send_message(
        QueueUrl=stack.physical_id("FinanceQueue"),
        MessageBody=json.dumps({"channel": "shopify", "payout": payout, "transactions": transactions}),
    )
    idle()
    first, second = _run(client, stack.api_url), _run(client, stack.api_url)
    journals = client.get(f"{stack.sandbox_urls['erp']}/__admin/journals").json()["items"]
    wanted = {ns.id("14732846271"), ns.id("623721858")}
    mine = [j for j in journals if j["externalId"].rsplit("-", 1)[-1] in wanted]
    payouts = {p["channel"]: p for p in second.get("payouts", []) if p["payout_id"] in wanted}
    kinds = {channel: tuple(sorted({v["kind"] for v in p["variances"]})) for channel, p in payouts.items()}
    ok = (
        first.get("status") == second.get("status") == "SUCCEEDED"
        and len(mine) == 2
        and kinds == {c: tuple(sorted(k)) for c, k in step.expect_variances.items()}
        and all(p["posted"] for p in payouts.values())
    )
    parts = [
        f"{c} {p['payout_id']}: expected {p['expected']} reported {p['reported']} {p['currency']}, "
        f"fees {p['fees']}, variances {list(kinds[c]) or 'none'}"
        for c, p in sorted(payouts.items())
    ]
    text = f"run {second.get('run_id')}: {second.get('status')}; {len(mine)} journals; " + "; ".join(parts)
    return Done(step.label, text, ok, detail={"payouts": payouts, "journals": mine})
