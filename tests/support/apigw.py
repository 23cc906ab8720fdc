"""API Gateway REST (v1) proxy events and a Lambda context, for driving handlers in unit tests."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any


def rest_event(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    resource: str = "/v1/webhooks/{source}",
    path_parameters: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    base64_encoded: bool = False,
    domain: str = "api.example.com",
    stage: str = "prod",
    stage_in_url: bool = False,
) -> dict[str, Any]:
    """The event API Gateway's Lambda proxy integration sends (REST API, payload format 1.0).

    `path` is the resource path the API routes on. As AWS sends it: called on the default URL
    (`stage_in_url`, `https://<api>.execute-api.<region>.amazonaws.com/<stage>/...`), `path` loses
    the stage and `requestContext.path` keeps it; called on a custom domain (base path mapped to the
    stage, the default here), both are the path the client sent.
    """
    headers = {"Host": domain, "X-Forwarded-Proto": "https", **(headers or {})}
    if body is None:
        encoded = None
    elif base64_encoded:
        encoded = base64.b64encode(body).decode("ascii")
    else:
        encoded = body.decode("utf-8")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}" if stage_in_url else path,
            "stage": stage,
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": "203.0.113.10", "userAgent": headers.get("User-Agent", "test")},
            "accountId": "123456789012",
            "apiId": "abc123",
        },
        "body": encoded,
        "isBase64Encoded": base64_encoded,
    }


@dataclass
class FakeLambdaContext:
    function_name: str = "retail-sync-ingest"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:retail-sync-ingest"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name: str = "/aws/lambda/retail-sync-ingest"
    log_stream_name: str = "2026/11/23/[$LATEST]abcdef"
    remaining_ms: int = 9_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms
