"""The ops API over HTTP: one client, SigV4-signed when the API is not on this machine.

Deployed, the ops routes are IAM-authorized (`AWS_IAM` on `/v1/ops/{proxy+}`): API Gateway invokes
them only for a request signed with Signature Version 4 by a caller allowed `execute-api:Invoke`
on the route ("Control access for invoking an API", Amazon API Gateway developer guide:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html).
The signature is botocore's own (`botocore.auth.SigV4Auth`, service `execute-api`) over the
caller's default credential chain (environment, profile, SSO, instance role), so the CLI signs as
the AWS CLI would. Locally the stack answers on loopback only, unsigned.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_URL = "http://127.0.0.1:3000"
API_URL_ENV = "RETAIL_SYNC_API_URL"
SERVICE = "execute-api"
# `<api id>.execute-api.<region>.amazonaws.com` (and `.amazonaws.com.cn`): the region is in the host.
_EXECUTE_API_HOST = re.compile(r"^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$")
# Only these headers are signed: a proxy on the way may rewrite the others (Connection, Accept-Encoding).
_SIGNED = ("host", "content-type")


class ConfigError(Exception):
    """The CLI cannot call the API as configured (no region, no credentials)."""


class ApiError(Exception):
    """An answer other than 2xx, with the contract's error body (`{"error": {"code", "message", ...}}`)."""

    def __init__(self, status: int, code: str, message: str, correlation_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.correlation_id = correlation_id

    @classmethod
    def from_response(cls, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        # API Gateway's own refusals (403 without execute-api:Invoke, 429) answer `{"message": ...}`.
        error: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
        error = error or {"message": body.get("message")}
        code = str(error.get("code") or f"HTTP_{response.status_code}")
        message = str(error.get("message") or response.reason_phrase or "no error body")
        return cls(response.status_code, code, message, error.get("correlation_id"))


def is_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def region_for(url: str, environ: Mapping[str, str] | None = None) -> str:
    """The region in an execute-api host, else `AWS_REGION` / `AWS_DEFAULT_REGION` (a custom domain)."""
    environ = os.environ if environ is None else environ
    match = _EXECUTE_API_HOST.match(httpx.URL(url).host)
    if match:
        return match.group(1)
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise ConfigError(f"no region in {url}: set AWS_REGION")
    return region


class SigV4Auth(httpx.Auth):
    """Signs each request with SigV4 for API Gateway (`execute-api`), credentials read at signing
    time so refreshed (SSO, role) credentials are used as they rotate."""

    requires_request_body = True  # the payload hash is part of the signature

    def __init__(self, region: str, credentials: Any | None = None, service: str = SERVICE) -> None:
        self.region = region
        self.service = service
        self._credentials = credentials

    def _frozen(self) -> Any:
        credentials = self._credentials
        if credentials is None:
            import botocore.session

            credentials = botocore.session.get_session().get_credentials()
            if credentials is None:
                raise ConfigError("no AWS credentials found (environment, profile, SSO or instance role)")
            self._credentials = credentials
        return credentials.get_frozen_credentials() if hasattr(credentials, "get_frozen_credentials") else credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        from botocore.auth import SigV4Auth as BotocoreSigV4
        from botocore.awsrequest import AWSRequest

        headers = {name: value for name, value in request.headers.items() if name.lower() in _SIGNED}
        signed = AWSRequest(method=request.method, url=str(request.url), data=request.content, headers=headers)
        BotocoreSigV4(self._frozen(), self.service, self.region).add_auth(signed)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in signed.headers:
                request.headers[name] = signed.headers[name]
        yield request


@dataclass
class OpsClient:
    """The ops routes the CLI calls; each answers the parsed JSON body or raises ApiError."""

    http: httpx.Client

    @classmethod
    def connect(cls, api_url: str, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> OpsClient:
        auth = None if is_loopback(api_url) else SigV4Auth(region_for(api_url))
        return cls(httpx.Client(base_url=api_url.rstrip("/"), auth=auth, timeout=timeout, transport=transport))

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise ApiError.from_response(response)
        return response.json()

    def find(self, any_id: str) -> Any:
        return self._call("GET", "/v1/ops/find", params={"id": any_id})

    def order(self, channel: str, channel_order_id: str) -> Any:
        return self._call("GET", f"/v1/ops/orders/{_segment(channel)}/{_segment(channel_order_id)}")

    def transaction(self, correlation_id: str) -> Any:
        return self._call("GET", f"/v1/ops/transactions/{_segment(correlation_id)}")

    def inventory(self, sku: str) -> Any:
        return self._call("GET", f"/v1/ops/inventory/{_segment(sku)}")

    def exceptions(self, kind: str | None, status: str | None, limit: int | None) -> Any:
        params = {k: str(v) for k, v in {"kind": kind, "status": status, "limit": limit}.items() if v is not None}
        return self._call("GET", "/v1/ops/exceptions", params=params)

    def retry_exception(self, exception_id: str) -> Any:
        return self._call("POST", f"/v1/ops/exceptions/{_segment(exception_id)}/retry")

    def resolve_exception(self, exception_id: str, note: str, action: str | None) -> Any:
        body = {"note": note, **({"action": action} if action else {})}
        return self._call("POST", f"/v1/ops/exceptions/{_segment(exception_id)}/resolve", json=body)

    def redrive(self, queue: str) -> Any:
        return self._call("POST", f"/v1/ops/dlq/{_segment(queue)}/redrive")

    def replay_parked(self) -> Any:
        return self._call("POST", "/v1/ops/parked/orders/replay")

    def release_held(self, channel: str, channel_order_id: str) -> Any:
        return self._call("POST", f"/v1/ops/orders/{_segment(channel)}/{_segment(channel_order_id)}/release")

    def cancel_held(self, channel: str, channel_order_id: str) -> Any:
        return self._call("POST", f"/v1/ops/orders/{_segment(channel)}/{_segment(channel_order_id)}/cancel")

    def start_reconciliation(self, kind: str) -> Any:
        return self._call("POST", f"/v1/ops/reconciliations/{_segment(kind)}")

    def reconciliations(self, kind: str, limit: int | None) -> Any:
        params = {"limit": str(limit)} if limit is not None else None
        return self._call("GET", f"/v1/ops/reconciliations/{_segment(kind)}", params=params)


def _segment(value: str) -> str:
    """One path segment: a `/` or `?` in an id must not become another route."""
    from urllib.parse import quote

    return quote(value, safe="")
