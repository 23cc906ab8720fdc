"""A price change's modelled AWS cost: one ERP `price.updated` with a promotion, from the webhook to
five channels, and the promotion's start and end (issue 12; `make bench`, section `prices`).

The pricing worker and the price publisher run in this process on moto (DynamoDB and EventBridge
Scheduler); every AWS call they make is counted (`bench/aws_calls.py`) and priced with
`bench/cost.py`'s list prices. The channel calls are the vendors' HTTP APIs (not AWS), answered by
in-memory connectors. What is counted per price change:

- ingest: one API Gateway REST request and the webhook function's four calls (the delivery's
  idempotency PutItem and UpdateItem, the SQS send, the trace PutItem), as `python -m bench calls`
  measures them for any delivery;
- the catalog queue: the send above, its share of a receive and a delete (batch of 10), one Lambda
  invocation share;
- the worker's calls (counted): the versioned PutItem, the dirty marker's UpdateItem, one
  CreateSchedule per boundary still ahead (two for a promotion);
- the publisher, once for the change and once per boundary (three runs, each for this SKU alone):
  its reads and writes (counted), one Lambda invocation each (a boundary's invocation is Scheduler's,
  $1.00 per million invocations); the every-minute run itself is a fixed $0.01 a day whatever the
  number of changes, not counted per change.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.aws_calls import counting
from bench.cost import LATENCY_MS, MILLION, PRICES

LAMBDA_GB = Decimal(256) / Decimal(1024)
BATCH = Decimal(10)
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
SCHEDULER_INVOCATION = Decimal("1.00") / MILLION
INGEST_CALLS = {"dynamodb_wru": Decimal(3), "sqs_request": Decimal(1)}  # idempotency x2 + trace, one send
# Ingest runs at 512 MB (infra/ingest) and waits on those four calls.
INGEST_GB_SECONDS = Decimal("0.5") * Decimal(str(3 * LATENCY_MS["dynamodb"] + LATENCY_MS["sqs"])) / Decimal(1000)
CHANNELS = ("shopify", "amazon", "walmart", "ebay", "zalando")


def _usage(calls: Counter[Any]) -> dict[str, Decimal]:
    reads = writes = scheduler = waited = Decimal(0)
    for (_, service, operation, _), n in calls.items():
        if service == "dynamodb":
            waited += Decimal(str(LATENCY_MS["dynamodb"])) * n
            if operation in WRITES:
                writes += n
            else:
                reads += n
        elif service == "scheduler":
            scheduler += n
            waited += Decimal(str(LATENCY_MS["events"])) * n
    return {"dynamodb_rru": reads, "dynamodb_wru": writes, "scheduler_calls": scheduler, "waited_ms": waited}


def measure() -> dict[str, Any]:
    from moto import mock_aws

    from functions.pricing.adapters.channels import PriceConnector, PriceOutcome
    from functions.pricing.adapters.scheduler import SchedulerBoundaries
    from functions.pricing.dal.price_store import DynamoPriceStore
    from functions.pricing.handlers import price_publisher
    from functions.pricing.handlers.pricing_worker import handle_record
    from functions.pricing.logic.publish import publish_prices
    from shared.adapters.exception_store import MemoryExceptionStore, exception_id
    from shared.models.envelope import Envelope
    from tests.fakes.aws import STATE_TABLE, create_state_table
    from tests.support.apigw import FakeLambdaContext
    from tests.support.events import load_event

    class Accepting(PriceConnector):
        channel = "bench"
        rate_per_second = 1000
        burst = 1000

        def publish(self, updates: Any, deadline: float | None = None) -> PriceOutcome:
            return PriceOutcome(sent=[u.sku for u in updates], calls=len(updates))

    for name, value in (
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "x"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
    ):
        os.environ.setdefault(name, value)
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = now + timedelta(hours=1), now + timedelta(hours=2)
    item = {**load_event("erp/item_updated"), "sku": "BENCH-1"}
    price = {
        **load_event("erp/price_updated"),
        "sku": "BENCH-1",
        "sale": {"price": "179.00", "starts_at": start.isoformat(), "ends_at": end.isoformat()},
    }

    def envelope(body: dict[str, Any]) -> str:
        return Envelope(
            event_id=body["event_id"],
            source="erp",
            event_type=body["event_type"],
            domain="catalog",
            delivery_id=body["event_id"],
            received_at=now,
            correlation_id="bench-price-change",
            payload=body,
        ).model_dump_json()

    with mock_aws():
        import boto3

        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_state_table(dynamodb)
        store = DynamoPriceStore(
            STATE_TABLE, client=dynamodb, table=boto3.resource("dynamodb", region_name="us-east-1").Table(STATE_TABLE)
        )
        boundaries = SchedulerBoundaries(
            "arn:aws:lambda:us-east-1:123456789012:function:publisher",
            "arn:aws:iam::123456789012:role/scheduler",
            client=boto3.client("scheduler", region_name="us-east-1"),
        )
        connectors: dict[str, PriceConnector] = {c: Accepting("http://127.0.0.1:9") for c in CHANNELS}
        handle_record(envelope(item), store, boundaries)
        publish_prices(store, connectors, MemoryExceptionStore(), now, exception_id=exception_id)
        with counting() as worker:
            handle_record(envelope({**price, "event_id": "bench-price"}), store, boundaries)
        runs: list[Counter[Any]] = []
        ports = (store, connectors, MemoryExceptionStore())
        for at in (None, start, end):  # the change's own run, then each boundary's (Scheduler's input)
            event = {} if at is None else {"price_boundary": {"sku": "BENCH-1", "version": 12, "at": at.isoformat()}}
            with counting() as run:
                report = price_publisher.lambda_handler(event, FakeLambdaContext(), ports=ports)
            assert report["sent"] == dict.fromkeys(sorted(CHANNELS), 1), report
            runs.append(run)

    work = _usage(worker)
    published = [_usage(r) for r in runs]
    waited = (work["waited_ms"] + sum(p["waited_ms"] for p in published)) / 1000
    usage = {
        "apigateway_rest_request": Decimal(1),
        "waf_request": Decimal(1),  # the edge web ACL on the API stage
        "sqs_request": INGEST_CALLS["sqs_request"] + Decimal(2) / BATCH,
        "lambda_request": Decimal(1) + Decimal(1) / BATCH + Decimal(3),  # ingest, worker share, 3 publisher runs
        "lambda_gb_second": LAMBDA_GB * waited + INGEST_GB_SECONDS,
        "dynamodb_wru": INGEST_CALLS["dynamodb_wru"] + work["dynamodb_wru"] + sum(p["dynamodb_wru"] for p in published),
        "dynamodb_rru": work["dynamodb_rru"] + sum(p["dynamodb_rru"] for p in published),
    }
    dollars = sum((amount * PRICES[meter][0] * MILLION for meter, amount in usage.items()), Decimal(0))
    dollars += 2 * SCHEDULER_INVOCATION * MILLION  # the start's and the end's invocations
    by_operation: Counter[str] = Counter()
    for counted in (worker, *runs):
        for (_, service, operation, _), n in counted.items():
            by_operation[f"{service}:{operation}"] += n
    return {
        "usage_per_price_change": {k: float(v) for k, v in usage.items()},
        "usd_per_1m_price_changes": float(round(dollars, 2)),
        "aws_calls_after_ingest": dict(sorted(by_operation.items())),
        "channels": len(CHANNELS),
        "channel_calls_per_change": 3 * len(CHANNELS),
        "schedules_per_promotion": int(work["scheduler_calls"]),
    }
