"""What one order costs on AWS, modelled from what the local stack really does (issue 13 item 5).

One Shopify order travels webhook -> API Gateway -> ingest -> SQS -> orders worker -> OrderFlow
(reserve, ERP, record, publish) in the local stack; every AWS request it causes is captured on the
wire (the serialized request and the parsed answer, so DynamoDB's request units come from the real
item sizes), every Lambda invocation with its memory and run time, every log line at the deployed
level, every OrderFlow execution's history. AWS list prices (us-east-1, on-demand, no free tier)
turn that into dollars per 1M orders, by service, for the **accept path** (webhook to accepted order
published), apart for the **release** that follows it (issue 10: the order's fulfilment instructions
to the WMS or the stores, through the ErpFulfilment consumer), and apart for the rest that follows
(`after`: availability re-published to the channels, channel outbound, customer status).

Prices, as AWS lists them (checked 2026-12; each page named beside its figure):
- API Gateway REST APIs: $3.50 per million requests (first 333M) - aws.amazon.com/api-gateway/pricing
- AWS WAF: $0.60 per million requests the web ACL on the API's stage inspects (the $5 per web ACL and
  $1 per rule a month are fixed, not per order) - aws.amazon.com/waf/pricing
- Lambda: $0.20 per 1M requests, $0.0000166667 per GB-second (x86, billed per 1 ms) -
  aws.amazon.com/lambda/pricing
- SQS standard: $0.40 per million requests, each 64 KB chunk of a payload a request -
  aws.amazon.com/sqs/pricing
- DynamoDB on-demand: $0.625 per million write request units (1 KB each; transactional 2x) and
  $0.125 per million read request units (4 KB strongly consistent, half for eventually consistent,
  2x transactional) - aws.amazon.com/dynamodb/pricing/on-demand (after the November 2024 cut)
- Step Functions Express: $1.00 per million requests, $0.00001667 per GB-second, duration rounded
  up to 100 ms, memory billed in 64 MB chunks (50 MB + definition + data); Standard: $0.025 per
  1,000 state transitions - aws.amazon.com/step-functions/pricing
- EventBridge: $1.00 per million custom events (64 KB chunks) - aws.amazon.com/eventbridge/pricing
- CloudWatch Logs: $0.50 per GB ingested (standard and vended, first tier) -
  aws.amazon.com/cloudwatch/pricing
- X-Ray: $5.00 per million traces recorded; the default sampling rule (1 per second, then 5%)
  records about 5% at volume - aws.amazon.com/xray/pricing
- Secrets Manager: $0.05 per 10,000 API calls - aws.amazon.com/secrets-manager/pricing
- S3 Standard: $0.005 per 1,000 PUT, $0.0004 per 1,000 GET - aws.amazon.com/s3/pricing

Modelled, and said so in the output: a Lambda invocation's billed time is its CPU time measured
here (the handler's thread), scaled to the CPU share its memory buys (1,769 MB is one vCPU, Lambda
developer guide "Configuring memory"), plus a modelled round trip for every outside call it waits
on (`LATENCY_MS`: DynamoDB, SQS, Step Functions, EventBridge, Secrets Manager, S3 in-region; a
vendor or ERP HTTP call at a typical NetSuite REST answer), because wall time against moto and the
sandboxes on loopback says nothing about a real network;
the Lambda platform adds START/END/REPORT lines (about 330 bytes) to each invocation's logs; the
event source mapping's empty long polls and the stored-data charges are monthly fixed costs, not
per order, and are left out; a received message counts one ReceiveMessage and one
DeleteMessageBatch request whatever the batch held (an upper bound at volume, where batches fill).
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore.client
import httpx

from bench.aws_calls import _who
from infra.constants import ID_OPS_API_FUNCTION

MILLION = Decimal(1_000_000)

PRICES: dict[str, tuple[Decimal, str]] = {
    "apigateway_rest_request": (Decimal("3.50") / MILLION, "per request"),
    "waf_request": (Decimal("0.60") / MILLION, "per request inspected"),
    "lambda_request": (Decimal("0.20") / MILLION, "per invocation"),
    "lambda_gb_second": (Decimal("0.0000166667"), "per GB-s"),
    "sqs_request": (Decimal("0.40") / MILLION, "per 64 KB request"),
    "dynamodb_wru": (Decimal("0.625") / MILLION, "per WRU"),
    "dynamodb_rru": (Decimal("0.125") / MILLION, "per RRU"),
    "sfn_express_request": (Decimal("1.00") / MILLION, "per execution"),
    "sfn_express_gb_second": (Decimal("0.00001667"), "per GB-s"),
    "sfn_standard_transition": (Decimal("0.025") / Decimal(1000), "per transition"),
    "events_event": (Decimal("1.00") / MILLION, "per 64 KB event"),
    "logs_gb": (Decimal("0.50"), "per GB"),
    "xray_trace": (Decimal("5.00") / MILLION, "per trace recorded"),
    "secrets_call": (Decimal("0.05") / Decimal(10_000), "per call"),
    "s3_put": (Decimal("0.005") / Decimal(1000), "per PUT"),
    "s3_get": (Decimal("0.0004") / Decimal(1000), "per GET"),
}
XRAY_SAMPLED_SHARE = Decimal("0.05")
LAMBDA_PLATFORM_LOG_BYTES = 330  # START, END and REPORT lines of one invocation
SFN_LOG_EVENT_BYTES = 350  # one execution-history event logged without execution data
EXPRESS_MEMORY_CHUNK_MB = 64

FULL_VCPU_MB = 1769
LATENCY_MS = {
    "dynamodb": 6.0,
    "sqs": 10.0,
    "stepfunctions": 25.0,
    "events": 15.0,
    "secretsmanager": 20.0,
    "s3": 25.0,
    "lambda": 20.0,
    "http": 300.0,
}

# Which functions belong to the accept path (webhook to accepted order); the rest follow it.
ACCEPT_PATH_FUNCTIONS = ("Ingest", "OrdersWorker", "ReserveStock", "CreateErpSalesOrder", "RecordOrder", "CancelOrder")


def _item_bytes(value: Any) -> int:
    """The DynamoDB size of one typed attribute value (developer guide, 'Item sizes and formats')."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner) * 3 // 4 if isinstance(inner, str) else len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_item_bytes({kind[0]: member}) for member in inner)
    if kind == "L":
        return 3 + sum(1 + _item_bytes(member) for member in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _item_bytes(member) for name, member in inner.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + _item_bytes(value) for name, value in item.items())


def _table_id(name: str) -> str:
    parts = name.split("-")
    return parts[2] if len(parts) >= 4 else name


def stored_item_size(table: str, key: dict[str, Any]) -> int:
    """The size of the item as the local stack's DynamoDB (moto, in this process) holds it now."""
    from moto.dynamodb.models import dynamodb_backends

    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            if table in backend.tables:
                try:
                    item = backend.get_item(table, key)
                except Exception:  # noqa: BLE001 - a key the table does not hold: nothing stored
                    return 0
                return int(item.size()) if item is not None else 0
    return 0


def _units(size: int, unit: int) -> int:
    return max(1, math.ceil(size / unit))


@dataclass
class Usage:
    """What one order caused, by path ('accept' or 'after')."""

    requests: dict[tuple[str, str], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    detail: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    # DynamoDB write units by (path, operation, table id), for the floor (`accept_floor`).
    writes: Counter[tuple[str, str, str]] = field(default_factory=Counter)

    def add(self, path: str, meter: str, amount: float | Decimal | int, note: str = "") -> None:
        self.requests[(path, meter)] += Decimal(str(amount))
        if note:
            self.detail[(path, meter)].append(note)

    def add_write(self, path: str, operation: str, table: str, units: int, note: str = "") -> None:
        """DynamoDB write units, metered and kept by operation and table (what `accept_floor` reads)."""
        self.add(path, "dynamodb_wru", units, note)
        self.writes[(path, operation, table)] += units

    def dollars_per_million(self) -> dict[tuple[str, str], Decimal]:
        return {(path, meter): per_million(meter, amount) for (path, meter), amount in self.requests.items()}


def per_million(meter: str, amount: Decimal) -> Decimal:
    """Dollars per 1M orders for `amount` of `meter` per order, at its list price."""
    return amount * PRICES[meter][0] * MILLION


@dataclass(frozen=True)
class FloorPart:
    """One part of the accept path's cost that a requirement fixes, whatever the tuning."""

    part: str
    required_by: str
    meter: str
    amount: Decimal

    @property
    def dollars_per_million(self) -> Decimal:
        return per_million(self.meter, self.amount)


def accept_floor(usage: Usage) -> list[FloorPart]:
    """What one accepted order costs at the least while the accept path keeps what is asked of it.

    Taken from the measured usage, each part at the amount measured or at its least where the
    measurement holds more than the requirement does; Lambda GB-seconds, read units, logs and
    X-Ray are left at zero, so the figure is a floor, not an estimate:
    - the REST API and the WAF request: issue 14.2 puts a web ACL on the edge, and only REST APIs
      take one ("Choose between REST APIs and HTTP APIs", API Gateway developer guide:
      "AWS WAF: REST API yes, HTTP API no");
    - the durable enqueue before the 202 and its delete (DESIGN "Store first, work later");
    - two Lambda requests, the ingest function and the orders worker (DESIGN's data flow);
    - one Express execution (OrderFlow, DESIGN) and one event (OrderAccepted on the domain bus);
    - the idempotency writes at the edge (delivery id) and in the domain (business key), as
      Powertools' idempotency makes them, a put then an update (DESIGN "Exactly one business effect");
    - the reservation's transaction: every line's position and the reservation all or none, under
      optimistic locks (no overselling; transactional writes cost twice, DynamoDB pricing);
    - one write unit for the order item and one trace item for each of the two invocations
      (DESIGN "Every hop writes to the trace"; an invocation's hops are one item since eebaf57).
    """

    def measured(meter: str) -> Decimal:
        return usage.requests.get(("accept", meter), Decimal(0))

    def written(operation: str, table: str) -> Decimal:
        return Decimal(usage.writes.get(("accept", operation, table), 0))

    idempotency = Decimal(
        sum(
            units for (path, _, table), units in usage.writes.items() if (path, table) == ("accept", "IdempotencyTable")
        )
    )
    return [
        FloorPart(
            "API Gateway REST request",
            "issue 14.2: WAF on the edge (HTTP APIs take no web ACL)",
            "apigateway_rest_request",
            measured("apigateway_rest_request"),
        ),
        FloorPart("WAF request inspected", "issue 14.2", "waf_request", measured("waf_request")),
        FloorPart(
            "SQS send + delete", "DESIGN 1: durably queued before the 202", "sqs_request", measured("sqs_request")
        ),
        FloorPart("Lambda requests: ingest, orders worker", "DESIGN data flow", "lambda_request", Decimal(2)),
        FloorPart(
            "OrderFlow Express execution",
            "DESIGN: OrderFlow (Express)",
            "sfn_express_request",
            measured("sfn_express_request"),
        ),
        FloorPart("OrderAccepted event", "DESIGN: domain events on the bus", "events_event", measured("events_event")),
        FloorPart(
            "idempotency writes, edge and domain", "DESIGN 2: exactly one business effect", "dynamodb_wru", idempotency
        ),
        FloorPart(
            "reservation transaction",
            "no overselling: all lines or none",
            "dynamodb_wru",
            written("TransactWriteItems", "StateTable"),
        ),
        FloorPart("order item, one write unit", "the order's state", "dynamodb_wru", Decimal(1)),
        FloorPart(
            "trace items, one per invocation above", "DESIGN 6: every hop in the trace", "dynamodb_wru", Decimal(2)
        ),
    ]


def _function_id(name: str) -> str:
    """`RetailSync-local-IngestFunction-ABC` -> `Ingest`."""
    parts = name.split("-")
    return parts[2].removesuffix("Function") if len(parts) >= 4 else name


# The operator's reads (the ops API, which a harness polls while a flow runs) are not the flow's.
OPERATOR = "ops:"


# The handlers of the accept path, as `_who` names them (`<domain>:<handler module>`).
ACCEPT_PATH_CALLERS = (
    "ingest:",
    "orders:orders_worker",
    "orders:reserve_stock",
    "orders:create_erp_sales_order",
    "orders:record_order",
    "orders:cancel_order",
)
# What follows an accepted order on its way to the warehouse (issue 10): the fulfilment release.
RELEASE_FUNCTIONS = ("ErpFulfilment",)
RELEASE_CALLERS = ("orders:erp_fulfilment",)


def _path_of_function(name: str, forced: str | None) -> str:
    if forced:
        return forced
    if any(f"-{fn}Function" in name for fn in RELEASE_FUNCTIONS):
        return "release"
    return "accept" if any(f"-{fn}Function" in name for fn in ACCEPT_PATH_FUNCTIONS) else "after"


def _path_of_caller(who: str, forced: str | None) -> str:
    if forced and who != "event source mapping (Lambda)":
        return forced
    if who.startswith(ACCEPT_PATH_CALLERS) or who.startswith("OrderFlow"):
        return "accept"
    if who.startswith(RELEASE_CALLERS):
        return "release"
    if who == "event source mapping (Lambda)":
        return "esm"
    return "after"


_CURRENT = threading.local()  # the invocation running on this thread: waited-on latency, ms


def _waited(service: str) -> None:
    if getattr(_CURRENT, "io_ms", None) is not None:
        _CURRENT.io_ms += LATENCY_MS[service]


class _Meter:
    """Captures requests on the wire (botocore `_make_request`) and Lambda invocations.

    `path` set: one flow other than an order is metered (bench/return_cost.py: "return"), and
    everything it causes is that flow's, whoever calls. `calls` counts the requests by
    `service:operation` (an empty long poll left out: a fixed monthly cost).
    """

    def __init__(self, usage: Usage, path: str | None = None) -> None:
        self.usage = usage
        self.path = path
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.express_arns: set[str] = set()
        self.started_executions: list[tuple[str, str]] = []

    def dynamodb(self, path: str, operation: str, body: dict[str, Any], answer: dict[str, Any]) -> None:
        def write(table: str, item: dict[str, Any] | None, key: dict[str, Any] | None, factor: int = 1) -> None:
            size = max(item_size(item), stored_item_size(table, key) if key else 0)
            table_id = _table_id(table)
            self.usage.add_write(
                path, operation, table_id, factor * _units(size, 1024), f"{operation} {table_id} {size} B"
            )

        def read(units: float, table: str) -> None:
            self.usage.add(path, "dynamodb_rru", units, f"{operation} {_table_id(table)}")

        consistent = 1.0 if body.get("ConsistentRead") else 0.5
        if operation == "PutItem":
            write(body["TableName"], body["Item"], None)
        elif operation in ("UpdateItem", "DeleteItem"):
            write(body["TableName"], (answer.get("Attributes") or None), body["Key"])
        elif operation == "TransactWriteItems":
            for entry in body["TransactItems"]:
                ((kind, spec),) = entry.items()
                write(spec["TableName"], spec.get("Item"), spec.get("Key"), factor=2)
        elif operation == "BatchWriteItem":
            for table, requests in body["RequestItems"].items():
                for request in requests:
                    put = request.get("PutRequest")
                    write(table, put["Item"] if put else None, None if put else request["DeleteRequest"]["Key"])
        elif operation == "GetItem":
            read(_units(item_size(answer.get("Item")), 4096) * consistent, body["TableName"])
        elif operation == "Query":
            size = sum(item_size(item) for item in answer.get("Items", []))
            read(_units(size, 4096) * consistent, body["TableName"])
        elif operation == "BatchGetItem":
            for table, items in answer.get("Responses", {}).items():
                asked = body["RequestItems"][table]
                factor = 1.0 if asked.get("ConsistentRead") else 0.5
                for item in items:
                    read(_units(item_size(item), 4096) * factor, table)
        elif operation == "TransactGetItems":
            for response in answer.get("Responses", []):
                read(2 * _units(item_size(response.get("Item")), 4096), "transact")

    def request(self, service: str, operation: str, body: dict[str, Any], answer: dict[str, Any], who: str) -> None:
        path = _path_of_caller(who, self.path)
        if path == "esm":
            if operation == "ReceiveMessage" and not answer.get("Messages"):
                return  # an empty long poll: a monthly fixed cost, not the order's
            path = self.path or ("accept" if "OrdersQueue" in str(body.get("QueueUrl", "")) else "after")
        with self.lock:
            self.calls[f"{service}:{operation}"] += 1
            if service == "dynamodb":
                self.dynamodb(path, operation, body, answer)
            elif service == "sqs":
                size = len(body.get("MessageBody", "")) if operation == "SendMessage" else 0
                self.usage.add(path, "sqs_request", max(1, math.ceil(size / 65536)), f"{operation}")
            elif service == "events" and operation == "PutEvents":
                for entry in body.get("Entries", []):
                    self.usage.add(path, "events_event", max(1, math.ceil(len(json.dumps(entry)) / 65536)))
            elif service == "stepfunctions" and operation == "StartExecution":
                self.started_executions.append((body["stateMachineArn"], answer.get("executionArn", "")))
                if not self.path:  # a Standard flow is billed per transition (bench/return_cost.py)
                    self.usage.add(path, "sfn_express_request", 1, "StartExecution")
            elif service == "secretsmanager":
                self.usage.add(path, "secrets_call", 1, operation)
            elif service == "s3" and operation in ("PutObject", "GetObject"):
                self.usage.add(path, "s3_put" if operation == "PutObject" else "s3_get", 1, operation)


@contextmanager
def metering(usage: Usage, path: str | None = None) -> Iterator[_Meter]:
    """Capture every AWS request (on the wire) and every Lambda invocation while the order runs
    (with `path`, while that flow runs: all of it is charged to `path`)."""
    from local.lambda_runtime import InProcessRuntime

    meter = _Meter(usage, path)
    client_class: Any = botocore.client.BaseClient
    original_request = client_class._make_request
    original_invoke = InProcessRuntime.invoke

    def make_request(self: Any, operation_model: Any, request_dict: dict[str, Any], request_context: Any) -> Any:
        answer = original_request(self, operation_model, request_dict, request_context)
        _waited(self.meta.service_model.service_name if self.meta.service_model.service_name in LATENCY_MS else "s3")
        who = _who()
        if who != "harness" and not who.startswith(OPERATOR):
            raw = request_dict.get("body") or b"{}"
            service = self.meta.service_model.service_name
            try:
                body = json.loads(raw) if raw[:1] in (b"{", "{") else _query_body(request_dict)
            except ValueError:
                body = _query_body(request_dict)
            meter.request(service, operation_model.name, body, answer[1] if isinstance(answer, tuple) else {}, who)
        return answer

    def invoke(self: Any, spec: Any, event: Any, *, wait_for_slot: bool = False) -> Any:
        outer = getattr(_CURRENT, "io_ms", None)
        _CURRENT.io_ms = 0.0
        cpu_started = time.thread_time()
        try:
            outcome = original_invoke(self, spec, event, wait_for_slot=wait_for_slot)
        finally:
            cpu_ms = (time.thread_time() - cpu_started) * 1000
            io_ms = _CURRENT.io_ms
            _CURRENT.io_ms = outer
        if not outcome.throttled and f"-{ID_OPS_API_FUNCTION}" not in spec.name:
            share = min(1.0, spec.memory_mb / FULL_VCPU_MB)
            billed_ms = max(1, math.ceil(cpu_ms / share + io_ms))
            path = _path_of_function(spec.name, meter.path)
            with meter.lock:
                usage.add(path, "lambda_request", 1, _function_id(spec.name))
                usage.add(
                    path,
                    "lambda_gb_second",
                    Decimal(spec.memory_mb) / 1024 * Decimal(billed_ms) / 1000,
                    f"{_function_id(spec.name)} {spec.memory_mb} MB {billed_ms} ms "
                    f"(CPU {cpu_ms:.0f} ms here, waits {io_ms:.0f} ms)",
                )
                usage.add(path, "logs_gb", Decimal(LAMBDA_PLATFORM_LOG_BYTES) / 1024**3)
        return outcome

    original_send = httpx.Client.send

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        _waited("http")
        return original_send(self, request, **kwargs)

    client_class._make_request = make_request
    InProcessRuntime.invoke = invoke  # type: ignore[method-assign]
    httpx.Client.send = send  # type: ignore[method-assign]
    try:
        with _counting_log_bytes(usage, path):
            yield meter
    finally:
        client_class._make_request = original_request
        InProcessRuntime.invoke = original_invoke  # type: ignore[method-assign]
        httpx.Client.send = original_send  # type: ignore[method-assign]


def _query_body(request_dict: dict[str, Any]) -> dict[str, Any]:
    body = request_dict.get("body")
    if isinstance(body, dict):
        return body
    return {}


@contextmanager
def _counting_log_bytes(usage: Usage | None, forced: str | None = None) -> Iterator[None]:
    """Every line a handler logs to stdout at the deployed level, counted (and not printed); with
    no usage, only kept off the console."""
    import logging
    import sys

    original = logging.StreamHandler.emit

    def emit(self: logging.StreamHandler[Any], record: logging.LogRecord) -> None:
        if self.stream in (sys.stdout, sys.__stdout__):
            if usage is None:
                return
            who = _who()
            path = forced or _path_of_caller(who, None)
            path = "accept" if path == "esm" else path
            usage.add(path, "logs_gb", Decimal(len(self.format(record).encode()) + 1) / 1024**3)
            return
        original(self, record)

    logging.StreamHandler.emit = emit  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        logging.StreamHandler.emit = original  # type: ignore[method-assign]


def _express_execution(
    usage: Usage, stack: Any, machine_arn: str, execution_arn: str, task_ms: float, path: str = "accept"
) -> None:
    """Duration, memory and logged history of one OrderFlow execution, from moto's execution."""
    import boto3

    region = os.environ.get("AWS_REGION", "us-east-1")
    sfn = boto3.client("stepfunctions", endpoint_url=stack.aws_url, region_name=region)
    described = sfn.describe_state_machine(stateMachineArn=machine_arn)
    history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    # Its duration is what its tasks took (their modelled billed time) and its own service calls.
    seconds = float(task_ms) / 1000 + sum(
        LATENCY_MS["dynamodb"] / 1000 for e in history if e["type"] == "TaskScheduled"
    )
    billed_s = Decimal(math.ceil(max(seconds, 0.001) * 10)) / 10
    definition_mb = Decimal(len(described["definition"].encode())) / 1024**2
    memory_mb = math.ceil((Decimal(50) + definition_mb) / EXPRESS_MEMORY_CHUNK_MB) * EXPRESS_MEMORY_CHUNK_MB
    usage.add(path, "sfn_express_gb_second", Decimal(memory_mb) / 1024 * billed_s, f"{seconds:.2f}s")
    level = _template_log_level(stack, machine_arn)
    if level == "ALL":
        logged = len(history)
    elif level in ("ERROR", "FATAL"):
        logged = sum(
            1
            for event in history
            if "Failed" in event["type"] or "Aborted" in event["type"] or "TimedOut" in event["type"]
        )
    else:
        logged = 0
    usage.add(path, "logs_gb", Decimal(logged * SFN_LOG_EVENT_BYTES) / 1024**3, f"OrderFlow {level}: {logged} events")


def _template_log_level(stack: Any, machine_arn: str) -> str:
    """The state machine's LoggingConfiguration level as the template deploys it."""
    name = machine_arn.rsplit(":", 1)[-1]
    for logical_id, resource in stack.template.of_type("AWS::StepFunctions::StateMachine").items():
        if logical_id in name:
            return str(resource["Properties"].get("LoggingConfiguration", {}).get("Level", "OFF"))
    return "OFF"


def _warm_up_order(base_url: str) -> dict[str, Any]:
    """The second Shopify fixture for one unit (the WMS fixture stocks two), as a new delivery."""
    from local.signing import EVENTS_DIR, signed_headers

    order = json.loads((EVENTS_DIR / "shopify/orders_create_second.json").read_text())
    for line in order["line_items"]:
        line["quantity"] = 1
    body = json.dumps(order).encode()
    headers = json.loads((EVENTS_DIR / "shopify/orders_create_second.headers.json").read_text())
    headers["X-Shopify-Webhook-Id"] = "bench-warm-up-0001"
    return {"content": body, "headers": signed_headers("shopify", body, headers=headers, base_url=base_url)}


def measure() -> Usage:
    """Boot the local stack at the deployed log level, stock the SKUs, meter one Shopify order."""
    from local.config import LocalConfig
    from local.signing import fixture_request
    from local.stack import LocalStack

    os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
    usage = Usage()
    config = LocalConfig(
        api_port=0, aws_port=0, sandbox_base_port=0, visibility_scale=0.05, schedules=False, quiet=True
    )
    with _counting_log_bytes(None), LocalStack(config) as stack, httpx.Client(timeout=30) as client:
        for fixture in ("wms/inventory_adjusted", "wms/inventory_adjusted_black", "wms/inventory_adjusted_green"):
            body, headers = fixture_request(fixture, base_url=stack.api_url)
            client.post(f"{stack.api_url}/v1/webhooks/wms", content=body, headers=headers).raise_for_status()
        # A first order warms every function of the path (their cold starts are not per order).
        client.post(f"{stack.api_url}/v1/webhooks/shopify", **_warm_up_order(stack.api_url)).raise_for_status()
        stack.wait_idle(60)
        warm = client.get(f"{stack.api_url}/v1/ops/orders/shopify/450789469").json()
        if warm.get("status") != "ACCEPTED":
            raise RuntimeError(f"the warm-up order did not get accepted: {warm}")
        with metering(usage) as meter:
            body, headers = fixture_request("shopify/orders_create", base_url=stack.api_url)
            client.post(f"{stack.api_url}/v1/webhooks/shopify", content=body, headers=headers).raise_for_status()
            stack.wait_idle(60)
        usage.add("accept", "apigateway_rest_request", 1, "POST /v1/webhooks/shopify")
        usage.add("accept", "waf_request", 1, "the edge web ACL inspects the webhook")
        usage.add("accept", "logs_gb", Decimal(400) / 1024**3, "API Gateway access log line")
        usage.add("accept", "xray_trace", XRAY_SAMPLED_SHARE, "default sampling rule")
        task_ms = sum(
            Decimal(note.split(" MB ")[1].split(" ms")[0])
            for note in usage.detail[("accept", "lambda_gb_second")]
            if note.split(" ")[0] in ("ReserveStock", "CreateErpSalesOrder", "RecordOrder")
        )
        for machine_arn, execution_arn in meter.started_executions:
            _express_execution(usage, stack, machine_arn, execution_arn, float(task_ms))
        order = client.get(f"{stack.api_url}/v1/ops/orders/shopify/820982911946154508").json()
        if order.get("status") != "ACCEPTED":
            raise RuntimeError(f"the bench order did not get accepted: {order}")
    return usage
