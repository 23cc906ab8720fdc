"""API Gateway's stage throttling, read from the template, applied by the HTTP bridge.

The stage's `MethodSettings` give a rate and a burst per resource path and method (`/*` `*` is
the stage default); API Gateway answers a request over its method's token bucket with the
`THROTTLED` gateway response, which the template defines (the contract's 429 error body).
moto skips `AWS::ApiGateway::Stage`, so without this the local API would never throttle.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from local.api_event import HttpResponse
from local.template import Template

_DEFAULT_THROTTLED = {"message": "Too Many Requests"}


@dataclass
class _Bucket:
    rate: float
    burst: float
    tokens: float
    stamp: float = field(default_factory=time.monotonic)

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class _Setting:
    resource_path: str  # "/v1/webhooks/{source}" or "/*"
    method: str  # "POST", "ANY" or "*"
    rate: float
    burst: float


class Throttling:
    """Token buckets per method setting; `admit(resource_path, method)` is False when throttled."""

    def __init__(self, settings: list[_Setting], throttled_template: str | None, status: int = 429) -> None:
        self._settings = settings
        self._buckets: dict[_Setting, _Bucket] = {}
        self._lock = threading.Lock()
        self._template = throttled_template
        self._status = status

    @classmethod
    def from_template(cls, template: Template) -> Throttling:
        settings: list[_Setting] = []
        for stage in template.of_type("AWS::ApiGateway::Stage").values():
            for entry in stage.get("Properties", {}).get("MethodSettings") or []:
                if "ThrottlingRateLimit" not in entry and "ThrottlingBurstLimit" not in entry:
                    continue
                path = _resource_path(str(entry.get("ResourcePath", "/*")))
                rate = float(entry.get("ThrottlingRateLimit", 10_000))
                burst = float(entry.get("ThrottlingBurstLimit", max(rate, 1)))
                settings.append(_Setting(path, str(entry.get("HttpMethod", "*")).upper(), rate, burst))
        template_body, status = None, 429
        for response in template.of_type("AWS::ApiGateway::GatewayResponse").values():
            properties = response.get("Properties", {})
            if properties.get("ResponseType") == "THROTTLED":
                template_body = (properties.get("ResponseTemplates") or {}).get("application/json")
                status = int(properties.get("StatusCode", 429))
        return cls(settings, template_body, status)

    def _setting_for(self, resource_path: str, method: str) -> _Setting | None:
        for wanted_path, wanted_methods in ((resource_path, (method, "ANY", "*")), ("/*", ("*",))):
            for wanted in wanted_methods:
                for setting in self._settings:
                    if setting.resource_path == wanted_path and setting.method == wanted:
                        return setting
        return None

    def admit(self, resource_path: str, method: str) -> bool:
        setting = self._setting_for(resource_path, method.upper())
        if setting is None:
            return True
        with self._lock:
            bucket = self._buckets.get(setting)
            if bucket is None:
                bucket = self._buckets[setting] = _Bucket(setting.rate, setting.burst, setting.burst)
            return bucket.take()

    def throttled_response(self, request_id: str) -> HttpResponse:
        if self._template is None:
            body = json.dumps(_DEFAULT_THROTTLED)
        else:
            body = self._template.replace("$context.requestId", request_id)
        headers: list[tuple[str, str]] = [
            ("Content-Type", "application/json"),
            ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", "TooManyRequestsException"),
        ]
        return HttpResponse(self._status, headers, body.encode())


def _resource_path(setting_path: str) -> str:
    """MethodSettings write `/v1/webhooks/{source}` as `/~1v1~1webhooks~1{source}`."""
    if setting_path == "/*":
        return setting_path
    return setting_path.removeprefix("/").replace("~1", "/") or "/"


def describe(throttling: Throttling) -> list[dict[str, Any]]:
    """The settings in force (for logs and tests)."""
    return [dict(vars(setting)) for setting in throttling._settings]
