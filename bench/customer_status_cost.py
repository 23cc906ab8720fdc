"""The customer status's modelled AWS cost: one order's five status events pushed to the helpdesk,
and one status-route read (issue 12.3; `make bench`, section `customer_status`).

The handlers run in this process on moto's DynamoDB with the state the writers leave (an order,
a shipment, a return through its refund); every AWS call they make is counted
(`bench/aws_calls.py`) and priced with `bench/cost.py`'s list prices:

- a status event: EventBridge's delivery to the queue is free (the event itself is paid by its
  publisher), one SQS send (EventBridge's) plus its share of a receive and a delete (batch of 10),
  one Lambda invocation share (batch of 10; 256 MB), billed for the time it waits on its calls
  (`bench/cost.py` LATENCY_MS: 6 ms per DynamoDB call, 300 ms per Zendesk call), the DynamoDB calls counted (a
  consistent read of a small item 1 RRU, a write 1 WRU, a BatchGetItem 1 RRU per return), one
  trace PutItem per push; the Zendesk call is the retailer's own plan, not AWS;
- a status read: one API Gateway REST request, one Lambda invocation (256 MB, waiting on its reads), the reads
  counted; a request without a valid key is refused by API Gateway before any Lambda runs (billed
  as an API Gateway request only when it reaches the stage, which WAF's rate rule also guards).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from decimal import Decimal
from typing import Any

from bench.aws_calls import counting
from bench.cost import LATENCY_MS, MILLION, PRICES

EVENTS = 5  # accepted, shipped, return authorized, inspected, refunded
LAMBDA_GB = Decimal(256) / Decimal(1024)
BATCH = Decimal(10)
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}


def _by_operation(calls: Counter[Any]) -> dict[str, int]:
    """`service:Operation` -> calls, summed over callers and resources."""
    totals: Counter[str] = Counter()
    for (_, service, operation, _), n in calls.items():
        totals[f"{service}:{operation}"] += n
    return dict(sorted(totals.items()))


def _waited_seconds(calls: Counter[Any], http_calls: int) -> Decimal:
    dynamodb = sum(n for (_, service, _, _), n in calls.items() if service == "dynamodb")
    return Decimal(str(dynamodb * LATENCY_MS["dynamodb"] + http_calls * LATENCY_MS["http"])) / 1000


def _units(calls: Counter[Any]) -> tuple[Decimal, Decimal]:
    reads = writes = Decimal(0)
    for (_, service, operation, _), n in calls.items():
        if service != "dynamodb":
            continue
        if operation in WRITES:
            writes += n
        else:
            reads += n  # small items: 1 RRU each (a BatchGetItem of one return: 1)
    return reads, writes


def measure() -> dict[str, Any]:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from moto import mock_aws

    from functions.customer_status.dal.status_store import DynamoStatusStore
    from functions.customer_status.handlers import status_api, status_events
    from functions.customer_status.logic.publish import StatusPublisher
    from functions.customer_status.models.status import OrderStatusView
    from functions.returns.models.returns import RefundStatus, ReturnState
    from shared.adapters.call_markers import DynamoMarkerStore
    from shared.adapters.trace_store import DynamoTraceStore
    from tests.fakes.aws import STATE_TABLE, TRACE_TABLE, create_state_table, create_trace_table
    from tests.fakes.builders import sqs_record
    from tests.support.apigw import FakeLambdaContext
    from tests.unit.customer_status.conftest import record_order, record_return

    class Helpdesk:
        told = 0

        def track(self, view: OrderStatusView, email: str | None) -> None:
            Helpdesk.told += 1

    for name, value in (
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "x"),
        ("AWS_SECRET_ACCESS_KEY", "x"),
    ):
        os.environ.setdefault(name, value)
    order = {"channel": "shopify", "channel_order_id": "1001", "correlation_id": "c"}
    with mock_aws():
        import boto3

        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        create_state_table(dynamodb)
        create_trace_table(dynamodb)
        publisher = StatusPublisher(
            DynamoStatusStore(STATE_TABLE, client=dynamodb),
            DynamoMarkerStore(STATE_TABLE, client=dynamodb, prefix=status_events.MARKER_PREFIX),
            DynamoTraceStore(TRACE_TABLE, client=dynamodb),
            Helpdesk(),
        )
        handler = status_events.StatusRecordHandler(publisher, None)

        def deliver(detail_type: str, detail: dict[str, Any]) -> None:
            body = json.dumps({"detail-type": detail_type, "detail": detail})
            handler(SQSRecord(sqs_record(body)))

        record_order(dynamodb)
        with counting() as pushed:
            deliver("OrderAccepted", order)
            shipment = {**order, "shipment_id": "s1", "shipped_at": "2026-11-24T08:00:00Z"}
            deliver("OrderShipped", {**shipment, "lines": [{"sku": "SKU-1", "quantity": 2}]})
            key = record_return(dynamodb, ReturnState.AWAITING_INSPECTION)
            deliver("ReturnAuthorized", order)
            record_return(dynamodb, ReturnState.INSPECTED, amount="19.99")
            deliver("ReturnInspected", {"return_key": key})
            record_return(dynamodb, ReturnState.REFUNDED, RefundStatus.POSTED, amount="19.99")
            deliver("ReturnStatusChanged", {**order, "return_key": key})
        event = {"pathParameters": {"channel": "shopify", "channel_order_id": "1001"}, "requestContext": {}}
        with counting() as read:
            answer = status_api.lambda_handler(
                event, FakeLambdaContext(), store=DynamoStatusStore(STATE_TABLE, client=dynamodb)
            )
        assert answer["statusCode"] == 200, answer

    rru, wru = _units(pushed)
    per_event = {
        "sqs_request": Decimal(1) + Decimal(2) / BATCH,
        "lambda_request": Decimal(1) / BATCH,
        "lambda_gb_second": LAMBDA_GB * _waited_seconds(pushed, Helpdesk.told) / EVENTS,
        "dynamodb_rru": rru / EVENTS,
        "dynamodb_wru": wru / EVENTS,
    }
    read_rru, _ = _units(read)
    per_read = {
        "apigateway_rest_request": Decimal(1),
        "waf_request": Decimal(1),  # the edge web ACL on the API stage
        "lambda_request": Decimal(1),
        "lambda_gb_second": LAMBDA_GB * _waited_seconds(read, 0),
        "dynamodb_rru": read_rru,
    }

    def per_million(usage: dict[str, Decimal]) -> Decimal:
        return sum((amount * PRICES[meter][0] * MILLION for meter, amount in usage.items()), Decimal(0))

    return {
        "per_event": {k: float(v) for k, v in per_event.items()},
        "usd_per_1m_status_events": float(round(per_million(per_event), 2)),
        "per_read": {k: float(v) for k, v in per_read.items()},
        "usd_per_1m_status_reads": float(round(per_million(per_read), 2)),
        "helpdesk_calls_for_5_events": Helpdesk.told,
        "calls_for_5_events": _by_operation(pushed),
        "calls_for_1_read": _by_operation(read),
    }
