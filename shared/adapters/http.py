"""Base for HTTP connectors: one httpx client per connector, statuses mapped to domain errors."""

from __future__ import annotations

from typing import Any

import httpx

from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


class HttpConnector:
    """Owns an httpx client; subclasses call `_send` and get domain exceptions for failures.

    The exception classes are parameters so each outside system can raise its own
    (the ERP raises ErpThrottled; a marketplace connector its own equivalents).
    """

    throttled_error: type[ErpThrottled] = ErpThrottled
    unavailable_error: type[Exception] = ErpUnavailable
    rejected_error: type[Exception] = ErpRejected
    # When set, a 404 raises this instead of `rejected_error` (reads and cancels treat "no such record"
    # as an answer, not a failure).
    not_found_error: type[Exception] | None = None

    def __init__(self, base_url: str, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._client = client

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(base_url=self._base_url, timeout=self._timeout)
        return self._client

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, path, **kwargs)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise self.unavailable_error(f"{method} {path}: {exc.__class__.__name__}") from exc
        if response.status_code == 429:
            raise self.throttled_error(f"{method} {path}: 429", retry_after=retry_after_seconds(response))
        if response.status_code >= 500:
            raise self.unavailable_error(f"{method} {path}: {response.status_code}")
        if response.status_code == 404 and self.not_found_error is not None:
            raise self.not_found_error(f"{method} {path}: 404")
        if response.status_code >= 400:
            raise self.rejected_error(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response
