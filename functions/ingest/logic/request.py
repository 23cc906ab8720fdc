"""From API Gateway's proxy event to a `WebhookRequest`: route, correlation id, body, public URL.

The edge reads the REST (payload format 1.0) event directly instead of through Powertools'
`APIGatewayRestResolver`: one path with two methods does not need a router, and importing
`aws_lambda_powertools.event_handler` costs about 60 ms of cold start on its own (its package
imports the AppSync resolver, asyncio and every event data class). The route pattern is the one
the resolver compiles for `/v1/webhooks/<source>` (any trailing slashes allowed), so the same
paths match.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from shared.channels.delivery import Headers, WebhookRequest
from shared.errors import MalformedBody, PayloadTooLarge
from shared.limits import WEBHOOK_MAX_BODY_BYTES

CORRELATION_HEADER = "X-Correlation-Id"
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Powertools' `<source>` group (RFC 3986 safe and unsafe characters, word characters), `/*$` as
# APIGatewayRestResolver compiles it.
_WEBHOOK_PATH = re.compile(r"^/v1/webhooks/(?P<source>[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+)/*$")


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """The parts of the proxy event the edge reads."""

    method: str
    source: str | None  # None: the path is not `/v1/webhooks/<source>`
    headers: Headers
    event: Mapping[str, Any]

    @property
    def query(self) -> dict[str, str]:
        return dict(self.event.get("queryStringParameters") or {})


def api_request(event: Mapping[str, Any]) -> ApiRequest:
    match = _WEBHOOK_PATH.match(str(event.get("path") or ""))
    return ApiRequest(
        method=str(event.get("httpMethod") or "").upper(),
        source=match.group("source") if match else None,
        headers=Headers(event.get("headers") or {}),
        event=event,
    )


def correlation_id_for(headers: Headers) -> str:
    """The caller's `X-Correlation-Id` when it is a sane id, else a new one."""
    sent = headers.get(CORRELATION_HEADER) or ""
    return sent if _CORRELATION_ID.match(sent) else uuid.uuid4().hex


def webhook_request(request: ApiRequest, source: str, webhook_base_url: str | None) -> WebhookRequest:
    """The delivery as it arrived (body bytes decoded); PayloadTooLarge / MalformedBody otherwise."""
    event = request.event
    raw = event.get("body") or ""
    # Base64 grows the body by a third: refuse the obviously oversized before decoding it.
    if len(raw) > 2 * WEBHOOK_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is over {WEBHOOK_MAX_BODY_BYTES} bytes")
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedBody("body is not valid base64") from exc
    else:
        body = raw.encode("utf-8")
    query = event.get("multiValueQueryStringParameters") or {}
    path = public_path(event) + (f"?{urlencode(query, doseq=True)}" if query else "")
    return WebhookRequest(
        method=str(event.get("httpMethod") or ""),  # as sent (routing compares it upper-cased)
        path_with_query=path,
        body=body,
        headers=request.headers,
        endpoint_url=endpoint_url(source, event, request.headers, webhook_base_url),
    )


def public_path(event: Mapping[str, Any]) -> str:
    """The path the vendor called, which is what Walmart signs (and Square, inside the URL).

    On API Gateway's default URL `path` loses the stage (`/dev/v1/webhooks/walmart` arrives as
    `/v1/webhooks/walmart`) while `requestContext.path` keeps it; behind a custom domain both are the
    public path (with the base-path mapping's prefix, if any). So `requestContext.path` holds on both.
    """
    return str((event.get("requestContext") or {}).get("path") or event.get("path") or "")


def endpoint_url(
    source: str, event: Mapping[str, Any], headers: Headers, webhook_base_url: str | None
) -> str | None:
    """The URL the vendor was told to call (Square signs it, eBay hashes it in its challenge).

    WEBHOOK_BASE_URL when set (an explicit override: `<base>/v1/webhooks/<source>`), else the URL this
    request was sent to: `requestContext.domainName` (or the Host header) and the public path.
    """
    if webhook_base_url:
        return f"{webhook_base_url.rstrip('/')}/v1/webhooks/{source}"
    host = (event.get("requestContext") or {}).get("domainName") or headers.get("Host")
    if not host:
        return None
    return f"{headers.get('X-Forwarded-Proto') or 'https'}://{host}{public_path(event)}"
