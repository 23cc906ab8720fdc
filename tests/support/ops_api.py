"""The ops Lambda handler called as API Gateway's `/v1/ops/{proxy+}` proxy resource calls it (REST, payload 1.0).

call_ops(deps, "GET", "/v1/ops/exceptions", query={"kind": "enrichment"}) -> (status, parsed body)
"""

from __future__ import annotations

import json
from typing import Any

from functions.ops.handlers.api import Deps, lambda_handler
from tests.fakes.builders import LambdaContext

JSON_HEADERS = {"Content-Type": "application/json"}


def ops_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    identity: dict[str, Any] | None = None,
    request_id: str = "req-1",
) -> dict[str, Any]:
    """The proxy event for one ops call; a str body is sent as it is (malformed JSON), anything else as JSON."""
    context: dict[str, Any] = {"requestId": request_id, "path": path, "httpMethod": method, "stage": "prod"}
    if identity is not None:
        context["identity"] = identity
    return {
        "resource": "/v1/ops/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": JSON_HEADERS if headers is None else headers,
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.removeprefix("/v1/ops/")},
        "stageVariables": None,
        "requestContext": context,
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


def ops_response(deps: Deps, method: str, path: str, body: Any = None, **event: Any) -> dict[str, Any]:
    """The handler's proxy response, whole (status, headers and the body as sent)."""
    response: dict[str, Any] = lambda_handler(ops_event(method, path, body, **event), LambdaContext(), deps=deps)
    return response


def call_ops(deps: Deps, method: str, path: str, body: Any = None, **event: Any) -> tuple[int, Any]:
    """The status and the parsed JSON body of one ops call."""
    response = ops_response(deps, method, path, body, **event)
    return response["statusCode"], json.loads(response["body"])


def resolve_exception(deps: Deps, exception_id: str, body: Any, **event: Any) -> tuple[int, Any]:
    """POST /v1/ops/exceptions/{id}/resolve with `body` (an action and a note, or a note alone)."""
    return call_ops(deps, "POST", f"/v1/ops/exceptions/{exception_id}/resolve", body, **event)
