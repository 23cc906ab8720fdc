"""API Gateway REST (v1) Lambda proxy integration: the event in, the proxy result out.

The bridge answers on both shapes of a deployed API's URL. `http://127.0.0.1:3000/v1/...` is a
custom domain whose base path maps to the stage: `path` and `requestContext.path` are both the path
sent. `http://127.0.0.1:3000/local/v1/...` is the default execute-api URL, stage first: `path` loses
the stage and `requestContext.path` keeps it, as AWS sends them. `requestContext.domainName` is the
Host the client called (with its port, which a deployed domain has no need of).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local.api_routes import Match
from local.config import ACCOUNT_ID

STAGE = "local"


@dataclass(frozen=True)
class HttpRequest:
    """What the bridge received, with headers as the client sent them (case and order kept)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def split_stage(path: str) -> str:
    """The resource path of a request: `/local/v1/x` (execute-api shape, stage first) is `/v1/x`."""
    prefix = f"/{STAGE}"
    if path == prefix or path.startswith(prefix + "/"):
        return path[len(prefix) :] or "/"
    return path


def proxy_event(request: HttpRequest, match: Match, *, api_id: str, resource_id: str) -> dict[str, Any]:
    route = match.route
    now = datetime.now(UTC)
    request_id = str(uuid.uuid4())
    headers = list(request.headers)
    names = {name.lower() for name, _ in headers}
    port = next(
        (value.rsplit(":", 1)[-1] for name, value in headers if name.lower() == "host" and ":" in value), "80"
    )
    for name, value in (
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", port),
        ("X-Forwarded-Proto", "http"),
        ("X-Amzn-Trace-Id", f"Root=1-{int(now.timestamp()):08x}-{uuid.uuid4().hex[:24]}"),
    ):
        if name.lower() not in names:
            headers.append((name, value))
    body, is_base64 = _body(request.body)
    user_agent = next((value for name, value in headers if name.lower() == "user-agent"), None)
    iam = route.authorization == "AWS_IAM"
    return {
        "resource": route.resource_path,
        "path": split_stage(request.path),
        "httpMethod": request.method,
        "headers": _single(headers),
        "multiValueHeaders": _multi(headers),
        "queryStringParameters": _single(request.query),
        "multiValueQueryStringParameters": _multi(request.query),
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": api_id,
            "resourceId": resource_id,
            "resourcePath": route.resource_path,
            "httpMethod": request.method,
            "extendedRequestId": request_id.replace("-", "")[:16],
            "requestId": request_id,
            "path": request.path,
            "stage": STAGE,
            "protocol": "HTTP/1.1",
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(time.time() * 1000),
            "domainName": next((v for n, v in headers if n.lower() == "host"), "127.0.0.1"),
            "domainPrefix": "127",
            "identity": {
                "sourceIp": request.source_ip,
                "userAgent": user_agent,
                "accountId": ACCOUNT_ID if iam else None,
                "caller": "AROALOCAL:local" if iam else None,
                "user": "AROALOCAL:local" if iam else None,
                "userArn": f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/local/local" if iam else None,
                "accessKey": "ASIALOCAL" if iam else None,
                "cognitoIdentityPoolId": None,
                "cognitoIdentityId": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "principalOrgId": None,
                "apiKey": None,
                "apiKeyId": None,
            },
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def proxy_response(result: Any, request_id: str) -> HttpResponse:
    """The HTTP answer API Gateway makes of a Lambda proxy result (502 when it is malformed)."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        return gateway_error(502, "Internal server error", request_id)
    headers: list[tuple[str, str]] = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(value)) for value in values or [])
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    headers.append(("x-amzn-RequestId", request_id))
    body = result.get("body") or ""
    if not isinstance(body, str):
        return gateway_error(502, "Internal server error", request_id)
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return HttpResponse(result["statusCode"], headers, raw)


def gateway_error(status: int, message: str, request_id: str) -> HttpResponse:
    """API Gateway's own answers: `{"message": ...}`."""
    return HttpResponse(
        status,
        [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", _error_type(status)),
        ],
        json.dumps({"message": message}).encode(),
    )


def error_response(status: int, code: str, message: str, request_id: str) -> HttpResponse:
    """The contract's error body, for what the bridge itself refuses (unknown routes)."""
    body = {"error": {"code": code, "message": message, "correlation_id": request_id}}
    return HttpResponse(
        status,
        [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id)],
        json.dumps(body).encode(),
    )


def _error_type(status: int) -> str:
    return {403: "MissingAuthenticationTokenException", 413: "RequestTooLargeException"}.get(
        status, "InternalServerErrorException"
    )


def _body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode(), True


def _single(pairs: list[tuple[str, str]]) -> dict[str, str] | None:
    return dict(pairs) or None


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]] | None:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values or None
