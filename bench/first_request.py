"""What a function's first request costs after its cold import, timed in the same interpreter.

Lambda bills and the caller waits for the init phase (the import) and then the first invoke. A
function whose import got faster by loading things on first use has only moved the cost, so `make
bench` times one representative request right after the import, in the asset interpreter:

- ingest: one signed Shopify `orders/create` through `lambda_handler`, with the real AWS
  adapters (Powertools idempotency, SQS publisher, trace writer) and the function's settings;
- the ops API: `GET /v1/ops/orders/shopify/<id>` through its `lambda_handler`, the real DynamoDB
  state store;
- the orders worker: one SQS record carrying that Shopify order's envelope (idempotency record,
  normalization by the Shopify channel, one OrderFlow execution started, trace).

botocore builds, signs and parses every call as in Lambda; only the HTTP send is answered in
memory (`RUNNER` below patches `Endpoint._send` inside the timed region, so importing botocore's
endpoint machinery counts). The AWS call latency itself is not included (a few ms per call in a
region). `RUNNER` is source text run inside the asset interpreter, where `bench` is not importable:
it uses only the standard library and botocore.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.warm_ingest import _rest_event

SECRET = "bench-secret"
_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "ORDERS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench-orders",
    "INVENTORY_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench-inventory",
}

# Runs in the asset interpreter after the import: `_handler` is the handler, argv[5] the event file.
RUNNER = """
def _first_request(handler, event_path):
    import time
    wall, cpu = time.perf_counter(), time.process_time()
    import json
    from botocore.awsrequest import AWSResponse
    from botocore.endpoint import Endpoint

    answers = {
        "SendMessage": {"MessageId": "4f1ad1d1-bench", "MD5OfMessageBody": "x"},
        "StartExecution": {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:flow:x", "startDate": 0},
        # Deployed, the signing secret comes from Secrets Manager only (issue 14.5): the first
        # request pays for its GetSecretValue like the real one does.
        "GetSecretValue": {"Name": "bench", "SecretString": json.dumps({"shopify": "__SECRET__"})},
    }

    class Raw:
        def __init__(self, body):
            self._body = body

        def stream(self, *args, **kwargs):
            yield self._body

    def send(self, request):
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
        body = json.dumps(answers.get(operation, {})).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
        return AWSResponse(request.url, 200, headers, Raw(body))

    Endpoint._send = send

    class Context:
        function_name = "bench"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        memory_limit_in_mb = 512
        aws_request_id = "bench-first-request"
        log_group_name = "/aws/lambda/bench"
        log_stream_name = "bench"

        def get_remaining_time_in_millis(self):
            return 30_000

    with open(event_path) as file:
        event = json.load(file)
    answer = handler(event, Context())
    # An API answers its status; a queue worker its failed records (0: the whole batch done).
    status = answer["statusCode"] if "statusCode" in answer else len(answer.get("batchItemFailures", []))
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, status
""".replace("__SECRET__", SECRET)


def request_for(logical_id: str, folder: Path) -> tuple[Path, dict[str, str], int] | None:
    """The representative first request of a function: its event file, the environment it needs
    on top of the template's, and the status it must answer; None when it has none here."""
    if logical_id == "IngestFunction":
        from local.signing import fixture_request

        body, headers = fixture_request("shopify/orders_create", secret=SECRET)
        return _write(folder / "ingest.json", _rest_event(body, headers)), dict(_ENV), 202
    if logical_id == "OpsApiFunction":
        event = _ops_event("/v1/ops/orders/shopify/5001")
        return _write(folder / "ops.json", event), dict(_ENV), 404  # the stubbed table knows no order
    if logical_id == "OrdersWorkerFunction":
        return _write(folder / "orders.json", _sqs_event(_shopify_envelope())), dict(_ENV), 0
    return None


def _shopify_envelope() -> str:
    from local.signing import fixture_request
    from shared.models import Envelope

    body, _ = fixture_request("shopify/orders_create", secret=SECRET)
    envelope = Envelope(
        event_id="0123456789abcdef0123456789abcdef",
        source="shopify",
        event_type="orders/create",
        domain="orders",
        delivery_id="bench-delivery-1",
        correlation_id="bench-correlation-1",
        payload=json.loads(body),
    )
    return envelope.model_dump_json()


def _sqs_event(body: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "bench",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1796310000000",
                    "SenderId": "bench",
                    "ApproximateFirstReceiveTimestamp": "1796310000001",
                },
                "messageAttributes": {},
                "md5OfBody": "x",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench-orders",
                "awsRegion": "us-east-1",
            }
        ]
    }


def _write(path: Path, event: dict[str, Any]) -> Path:
    path.write_text(json.dumps(event))
    return path


def _ops_event(path: str) -> dict[str, Any]:
    event = _rest_event(b"", {"Host": "ops.example.com"})
    event.update(
        resource="/v1/ops/orders/{channel}/{channel_order_id}",
        path=path,
        httpMethod="GET",
        body=None,
        pathParameters={"channel": "shopify", "channel_order_id": path.rsplit("/", 1)[-1]},
    )
    event["requestContext"].update(
        path=path,
        httpMethod="GET",
        identity={"userArn": "arn:aws:sts::123456789012:assumed-role/ops-read/bench", "sourceIp": "203.0.113.10"},
    )
    return event
