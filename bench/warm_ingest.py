"""Warm CPU time of the ingest handler per webhook, AWS stubbed at the HTTP layer.

The real handler runs with its real AWS adapters (Powertools idempotency on DynamoDB, the SQS
publisher, the trace writer): botocore still validates, serializes, signs and parses every call;
only the HTTP send is answered in memory. Each webhook is a new delivery (a fresh delivery id), so
every one takes the full accept path. CPU time is `time.process_time()`; the machine's noise
shows in wall time, far less in CPU time.
"""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from botocore.awsrequest import AWSResponse

_RESPONSES = {  # what the stubbed AWS answers per operation (X-Amz-Target / query Action)
    "SendMessage": {"MessageId": "4f1ad1d1-bench", "MD5OfMessageBody": "x"},
}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body


def _fake_send(self: Any, request: Any) -> AWSResponse:
    target = request.headers.get("X-Amz-Target", b"")
    operation = (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
    body = json.dumps(_RESPONSES.get(operation, {})).encode()
    headers: Any = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
    return AWSResponse(request.url, 200, headers, _Raw(body))


@contextmanager
def stubbed_aws() -> Iterator[None]:
    env = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "IDEMPOTENCY_TABLE_NAME": "bench-idempotency",
        "TRACE_TABLE_NAME": "bench-trace",
        "ORDERS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench-orders",
        "INVENTORY_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench-inventory",
        "PAYLOAD_BUCKET_NAME": "bench-payloads",
        "RETAIL_SYNC_WEBHOOK_SECRET_SHOPIFY": "bench-secret",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "ERROR",
        "POWERTOOLS_SERVICE_NAME": "ingest",
    }
    with mock.patch.dict(os.environ, env), mock.patch("botocore.endpoint.Endpoint._send", _fake_send):
        yield


def measure(webhooks: int = 2000, *, botocore_stub: bool = False) -> dict[str, Any]:
    """CPU per accepted webhook. Default: the AWS ports replaced by in-memory ones (the handler's
    own work: routing, signature, dedupe logic, envelope, serialization). `botocore_stub=True`:
    the real AWS adapters with botocore answered in memory (adds botocore's per-call CPU)."""
    from local.signing import fixture_request, sign_shopify

    with stubbed_aws():
        from functions.ingest.adapters.memory import MemoryDedupe, MemoryPublisher, MemorySecrets
        from functions.ingest.handlers import webhook
        from functions.ingest.logic.ports import IngestPorts
        from shared.adapters.trace_store import MemoryTraceStore

        webhook.default_ports.cache_clear()
        deps = None  # botocore_stub: the AWS ports, built from the settings above
        if not botocore_stub:
            deps = IngestPorts(
                secrets=MemorySecrets({"shopify": "bench-secret"}),
                dedupe=MemoryDedupe(),
                publisher=MemoryPublisher(),
                trace=MemoryTraceStore(),
                webhook_base_url="https://api.example.com",
            )

        body, headers = fixture_request("shopify/orders_create", secret="bench-secret")
        context = _Context()
        samples = []
        for _ in range(webhooks + 50):
            delivery_headers = dict(headers, **{"X-Shopify-Webhook-Id": str(uuid.uuid4())})
            delivery_headers["X-Shopify-Hmac-Sha256"] = sign_shopify(body, "bench-secret")
            event = _rest_event(body, delivery_headers)
            started = time.process_time()
            answer = webhook.lambda_handler(event, context, deps=deps)  # type: ignore[arg-type]
            samples.append(time.process_time() - started)
            if answer["statusCode"] != 202 or json.loads(answer["body"]).get("duplicate"):
                raise RuntimeError(f"the bench webhook was not accepted: {answer}")
        samples = samples[50:]  # warm-up: first calls build clients and caches
        webhook.default_ports.cache_clear()
    return {
        "webhooks": webhooks,
        "aws": "botocore answered in memory" if botocore_stub else "ports in memory",
        "cpu_ms_median": statistics.median(samples) * 1000,
        "cpu_ms_p95": statistics.quantiles(samples, n=20)[-1] * 1000,
        "cpu_ms_mean": statistics.fmean(samples) * 1000,
    }


class _Context:
    function_name = "bench-ingest"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-ingest"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/bench-ingest"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _rest_event(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "resource": "/v1/webhooks/{source}",
        "path": "/v1/webhooks/shopify",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"source": "shopify"},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/v1/webhooks/{source}",
            "httpMethod": "POST",
            "path": "/prod/v1/webhooks/shopify",
            "stage": "prod",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.10"},
            "accountId": "123456789012",
            "apiId": "bench",
        },
        "body": body.decode(),
        "isBase64Encoded": False,
    }
