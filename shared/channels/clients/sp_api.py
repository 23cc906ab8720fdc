"""A small Amazon Selling Partner API client: Orders API v0 getOrder, getOrderItems and getOrders.

ORDER_CHANGE notifications carry the order id, its status and SKUs but no prices, so normalizing an
Amazon order reads it with getOrder (``GET /orders/v0/orders/{orderId}``) and getOrderItems
(``GET /orders/v0/orders/{orderId}/orderItems``, paged with ``NextToken``); the backup poll lists
recently updated orders with getOrders (``GET /orders/v0/orders``). Calls send the Login with Amazon
access token in ``x-amz-access-token`` (SP-API no longer needs SigV4), minted from the seller's refresh
token and refreshed before its hour runs out (``shared/adapters/vendor_auth.amazon_token_auth``); a 403
``Unauthorized`` to a stale token mints once more and retries. Imported lazily by the workers: httpx
stays off the ingest path.

Amazon answers 429 ``QuotaExceeded`` beyond an operation's usage plan (getOrder 0.5 requests a second,
burst 30; getOrders 0.0167, burst 20); the client waits and retries a throttled call a bounded number
of times (``max_retries``), waiting ``Retry-After`` when sent, else the time one token takes at the
operation's documented rate, capped at ``max_wait_seconds``; then it raises ``Throttled`` so the
queue retries the message later.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.adapters.tokens import TokenAuth
from shared.adapters.vendor_auth import amazon_token_auth
from shared.errors import Rejected, Throttled, Unavailable, VendorNotFound
from shared.settings import EnvSettings

if TYPE_CHECKING:
    import httpx

ENV_BASE_URL = "AMAZON_SP_API_BASE_URL"


class SpApiSettings(EnvSettings):
    amazon_sp_api_base_url: str | None = None


# Documented default rates (requests per second): the wait before retrying a throttled call.
OPERATION_RATES = {
    "getOrders": 0.0167,
    "getOrder": 0.5,
    "getOrderItems": 0.5,
    "getReports": 0.0222,
    "getReportDocument": 0.0167,
}
MAX_RESULTS_PER_PAGE = 100
MAX_PAGES = 50


def sp_api_time(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, as SP-API's date parameters expect."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SpApiClient(HttpConnector):
    system = "amazon"

    not_found_error: type[Rejected] | None = VendorNotFound

    def __init__(
        self,
        base_url: str,
        auth: TokenAuth,
        *,
        timeout: float = 5.0,
        client: httpx.Client | None = None,
        max_retries: int = 2,
        max_wait_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client, token_auth=auth)
        self._headers = {"Accept": "application/json"}
        self._max_retries = max_retries
        self._max_wait = max_wait_seconds
        self._sleep = sleep
        self.throttled_calls = 0

    @classmethod
    def from_settings(cls, settings: SpApiSettings) -> SpApiClient:
        """``AMAZON_SP_API_BASE_URL`` (the regional endpoint, or the sandbox) and the LWA token provider."""
        if not settings.amazon_sp_api_base_url:
            raise Unavailable(f"{ENV_BASE_URL} is not set", system="amazon")
        return cls(settings.amazon_sp_api_base_url, amazon_token_auth())

    @classmethod
    def from_env(cls) -> SpApiClient:
        return cls.from_settings(SpApiSettings.from_env())

    # ----- operations ---------------------------------------------------------------------------

    def get_order(self, order_id: str) -> dict[str, Any]:
        """getOrder's ``payload`` (the Order)."""
        body = self._call("getOrder", "GET", f"/orders/v0/orders/{quote(order_id, safe='')}")
        payload = body.get("payload")
        if not isinstance(payload, dict):
            raise Rejected(f"getOrder {order_id}: no payload in the answer", system="amazon")
        return payload

    def get_order_items(self, order_id: str) -> list[dict[str, Any]]:
        """Every OrderItem of the order (getOrderItems, following ``NextToken``)."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            params = {"NextToken": token} if token else None
            body = self._call(
                "getOrderItems", "GET", f"/orders/v0/orders/{quote(order_id, safe='')}/orderItems", params=params
            )
            payload = body.get("payload") or {}
            items.extend(payload.get("OrderItems") or [])
            token = payload.get("NextToken")
            if not token:
                return items
        raise Rejected(f"getOrderItems {order_id}: more than {MAX_PAGES} pages", system="amazon")

    def get_orders(
        self,
        marketplace_ids: list[str],
        last_updated_after: datetime,
        last_updated_before: datetime | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Orders updated in ``[after, before]`` (getOrders, every page), oldest update first."""
        params: dict[str, str] = {
            "MarketplaceIds": ",".join(marketplace_ids),
            "LastUpdatedAfter": sp_api_time(last_updated_after),
            "MaxResultsPerPage": str(MAX_RESULTS_PER_PAGE),
        }
        if last_updated_before is not None:
            params["LastUpdatedBefore"] = sp_api_time(last_updated_before)
        for _ in range(MAX_PAGES):
            body = self._call("getOrders", "GET", "/orders/v0/orders", params=params)
            payload = body.get("payload") or {}
            yield from payload.get("Orders") or []
            token = payload.get("NextToken")
            if not token:
                return
            # NextToken overrides the other criteria; MarketplaceIds stays required.
            params = {"MarketplaceIds": ",".join(marketplace_ids), "NextToken": token}
        raise Rejected(f"getOrders: more than {MAX_PAGES} pages in one window", system="amazon")

    # ----- Reports API 2021-06-30 (settlement reports: Amazon schedules them, getReports finds them) --

    def get_reports(self, report_types: list[str], created_since: datetime) -> list[dict[str, Any]]:
        """Every DONE report of `report_types` created since `created_since` (getReports, every page)."""
        params: dict[str, str] = {
            "reportTypes": ",".join(report_types),
            "createdSince": sp_api_time(created_since),
            "processingStatuses": "DONE",
            "pageSize": "100",
        }
        reports: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            body = self._call("getReports", "GET", "/reports/2021-06-30/reports", params=params)
            reports.extend(body.get("reports") or [])
            token = body.get("nextToken")
            if not token:
                return reports
            params = {"nextToken": str(token)}
        raise Rejected(f"getReports: more than {MAX_PAGES} pages", system="amazon")

    def get_report_document(self, document_id: str) -> str:
        """The document's text: getReportDocument's presigned URL downloaded (gunzipped when GZIP)."""
        path = f"/reports/2021-06-30/documents/{quote(document_id, safe='')}"
        document = self._call("getReportDocument", "GET", path)
        url = document.get("url")
        if not isinstance(url, str):
            raise Rejected(f"getReportDocument {document_id}: no url in the answer", system="amazon")
        import httpx

        try:
            # A presigned URL: no SP-API token, another host (S3) than the connector's.
            response = httpx.get(url, timeout=self._timeout)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            raise Unavailable(f"report document {document_id}: {exc.__class__.__name__}", system="amazon") from exc
        if response.status_code >= 400:
            raise Unavailable(f"report document {document_id}: {response.status_code}", system="amazon")
        raw = response.content
        if str(document.get("compressionAlgorithm") or "").upper() == "GZIP":
            import gzip

            raw = gzip.decompress(raw)
        # Flat-file reports are UTF-8 in most marketplaces; Amazon JP's Cp1252/Shift-JIS ones are not handled.
        return raw.decode("utf-8-sig", errors="replace")

    # ----- plumbing -----------------------------------------------------------------------------

    def _call(self, operation: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                response = self._send(method, path, headers=self._headers, **kwargs)
            except Throttled as exc:
                self.throttled_calls += 1
                if attempt >= self._max_retries:
                    raise
                attempt += 1
                wait = exc.retry_after if exc.retry_after is not None else 1 / OPERATION_RATES.get(operation, 1.0)
                self._sleep(min(wait, self._max_wait))
                continue
            body = response.json()
            return body if isinstance(body, dict) else {}
