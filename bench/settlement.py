"""AWS calls and modelled cost of settling 1,000 settlement lines (issue 11's closing note).

`python -m bench.settlement [lines]`: an Amazon V2 settlement report of `lines` lines (the fixture's
order block repeated under new order ids: 9 lines per order, a tenth of the orders unknown to us) is
polled, stored, queued and settled against our orders in moto, with the real adapters; every botocore
call is counted, DynamoDB request units are computed from the items written and read (1 WRU per KB
written, 1 RRU per 4 KB read strongly consistent), and the Lambda time is modelled as the measured
in-process compute plus `bench.cost`'s per-call latencies (the ERP journal an HTTP call). Prices are
`bench.cost.PRICES` (us-east-1 list, on-demand). The ERP itself is answered in memory.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "events" / "amazon" / "settlement_report_v2.tsv"
MEMORY_GB = Decimal("0.5")  # the settlement worker's 512 MB
TABLE = "retail-sync-bench-state"
BUCKET = "retail-sync-bench-payloads"


def synthetic_report(lines: int) -> tuple[str, list[str]]:
    """A V2 report of about `lines` lines: the fixture's first order (9 lines) under new order ids."""
    header, summary, *rows = FIXTURE.read_text().splitlines()
    # The fixture's second commission differs from the schedule (a demo case): here it matches.
    block = [r.replace("\t-35.70\t", "\t-29.70\t") for r in rows if "\t113-5467394-8722613\t" in r and "\tOrder\t" in r]
    out, ids, total = [], [], Decimal("0")
    for n in range(max(1, lines // len(block))):
        order_id = f"113-{n:07d}-{n * 7 % 10**7:07d}"
        ids.append(order_id)
        for row in block:
            out.append(row.replace("113-5467394-8722613", order_id))
            total += Decimal(row.split("\t")[14])
    cols = summary.split("\t")
    cols[4] = str(total)
    return "\n".join([header, "\t".join(cols), *out]) + "\n", ids


def _item_kb(item: dict[str, Any]) -> int:
    return max(1, math.ceil(len(json.dumps(item, default=str)) / 1024))


def main(lines: int = 1000) -> dict[str, Any]:
    os.environ.update(
        {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    )
    import boto3
    from moto import mock_aws

    from bench.cost import LATENCY_MS, PRICES
    from functions.finance.adapters.amazon_settlement import parse_settlement_report
    from functions.finance.adapters.aws import S3Reports, SqsQueue
    from functions.finance.dal.finance_store import DynamoFinanceStore
    from functions.finance.logic.intake import payout_of
    from functions.finance.logic.journal import journal_for
    from functions.finance.logic.matching import match_payout
    from functions.finance.logic.settle import Settler
    from functions.finance.models.rules import DEFAULT_FEE_SCHEDULE, Accounts
    from shared.adapters.exception_store import DynamoExceptionStore
    from shared.models.orders import Order

    text, order_ids = synthetic_report(lines)
    template = json.loads((ROOT / "events" / "amazon" / "order_change_unshipped.expected.json").read_text())[0]["data"]
    calls: Counter[tuple[str, str]] = Counter()
    units = {"wru": 0, "rru": 0}

    def before(params: dict[str, Any], model: Any, **_: Any) -> None:  # the call's own parameters
        calls[(model.service_model.service_name, model.name)] += 1
        for item in [params.get("Item")] + [
            w["PutRequest"]["Item"] for ws in (params.get("RequestItems") or {}).values() if isinstance(ws, list)
            for w in ws if "PutRequest" in w
        ]:  # fmt: skip
            if item:
                units["wru"] += _item_kb(item)
        if model.name == "UpdateItem":
            units["wru"] += _item_kb(params.get("ExpressionAttributeValues") or {})

    def after(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        items = [parsed["Item"]] if parsed.get("Item") else []
        items += [i for rs in (parsed.get("Responses") or {}).values() for i in rs]
        items += parsed.get("Items") or [] if model.name == "Query" else []
        units["rru"] += sum(max(1, math.ceil(len(json.dumps(i, default=str)) / 4096)) for i in items)
        if model.name in ("GetItem", "Query") and not items:
            units["rru"] += 1

    class Journals:
        def upsert_journal(self, external_id: str, body: dict[str, Any]) -> str:
            calls[("erp", "PUT journalEntry")] += 1
            return "5001"

    with mock_aws():
        session = boto3.session.Session()
        dynamodb, s3, sqs = session.client("dynamodb"), session.client("s3"), session.client("sqs")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
            BillingMode="PAY_PER_REQUEST",
        )
        s3.create_bucket(Bucket=BUCKET)
        queue = sqs.create_queue(QueueName="finance")["QueueUrl"]
        for i, order_id in enumerate(order_ids):
            if i % 10 == 9:
                continue  # a tenth unknown to us
            order = Order.model_validate({**template, "order_id": "", "channel_order_id": order_id})
            item = {"pk": f"ORDER#amazon#{order_id}", "sk": "ORDER", "channel_order_id": order_id,
                    "order": order.model_dump(mode="json", exclude_none=True)}  # fmt: skip
            dynamodb.put_item(TableName=TABLE, Item={k: _attr(v) for k, v in item.items()})
        for client in (dynamodb, s3, sqs):
            client.meta.events.register("before-parameter-build.*.*", before)
            client.meta.events.register("after-call.*.*", after)

        store = DynamoFinanceStore(TABLE, dynamodb)
        settler = Settler(store, store, DynamoExceptionStore(TABLE, dynamodb), Journals(),
                          now=lambda: datetime(2026, 12, 5, tzinfo=UTC))  # fmt: skip
        # The poller's share: the report into the bucket, one message.
        S3Reports(BUCKET, s3).put("payloads/settlements/amazon/bench.tsv", text)
        SqsQueue(queue, sqs).send(
            json.dumps({"channel": "amazon", "report_ref": "payloads/settlements/amazon/bench.tsv"}), {}
        )
        message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
        payout = payout_of(message["Body"], store, S3Reports(BUCKET, s3).get)
        recon = settler.settle(payout)
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        for client in (dynamodb, s3, sqs):  # what follows is the harness's, not the worker's
            client.meta.events.unregister("before-parameter-build.*.*", before)
            client.meta.events.unregister("after-call.*.*", after)
        # Compute apart from moto (which answers in this process): parse, match and journal in memory.
        orders = store.orders("amazon", order_ids)
        started = time.process_time()
        again = parse_settlement_report(text)
        matched = match_payout(again, orders, {}, DEFAULT_FEE_SCHEDULE["amazon"], Decimal("0.05"))
        journal_for(again, matched.reconciliation, Accounts())
        compute_s = time.process_time() - started

    n_lines = len(payout.lines)
    latency_ms = sum(
        n * LATENCY_MS["http" if service == "erp" else service if service in LATENCY_MS else "dynamodb"]
        for (service, _), n in calls.items()
    )
    duration_s = Decimal(str(compute_s)) + Decimal(latency_ms) / 1000
    cost = {
        "dynamodb": units["wru"] * PRICES["dynamodb_wru"][0] + units["rru"] * PRICES["dynamodb_rru"][0],
        "lambda": PRICES["lambda_request"][0] + duration_s * MEMORY_GB * PRICES["lambda_gb_second"][0],
        "s3": PRICES["s3_put"][0] + PRICES["s3_get"][0],
        "sqs": sum(n for (svc, _), n in calls.items() if svc == "sqs") * PRICES["sqs_request"][0],
    }
    scale = Decimal(1000) / n_lines
    result = {
        "lines": n_lines,
        "orders": len(order_ids),
        "variances": len(recon.variances),
        "calls": {f"{svc} {op}": n for (svc, op), n in sorted(calls.items())},
        "wru": units["wru"],
        "rru": units["rru"],
        "compute_s": round(compute_s, 3),
        "modelled_duration_s": float(duration_s),
        "usd_per_1000_lines": {k: f"{v * scale:.6f}" for k, v in cost.items()},
        "usd_per_1000_lines_total": f"{sum(cost.values()) * scale:.6f}",
    }
    print(json.dumps(result, indent=2))
    return result


def _attr(value: Any) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeSerializer

    return dict(TypeSerializer().serialize(value))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
