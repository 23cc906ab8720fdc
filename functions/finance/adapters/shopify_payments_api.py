"""Shopify Payments through the REST Admin API: payouts since a date, a payout's balance transactions.

`GET /admin/api/<version>/shopify_payments/payouts.json?date_min=&status=paid` and
`GET .../shopify_payments/balance/transactions.json?payout_id=` (pages followed through the `Link`
header's `rel="next"`), with `X-Shopify-Access-Token`; shapes in shopify_payouts.py. A 429 (the
store's leaky bucket, 40 requests leaking 2 a second) is raised as `Throttled` with `Retry-After`:
the scheduled poll runs again later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.adapters.http import HttpConnector

if TYPE_CHECKING:
    import httpx

MAX_PAGES = 50


def _next(response: httpx.Response) -> str | None:
    link = response.links.get("next") if response.headers.get("Link") else None
    return str(link["url"]) if link and link.get("url") else None


class ShopifyPaymentsApi(HttpConnector):
    system = "shopify"

    def __init__(self, base_url: str, *, access_token: str, api_version: str, timeout: float = 10.0, **kwargs: Any):
        super().__init__(base_url, timeout=timeout, **kwargs)
        self._headers = {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
        self._version = api_version

    def _pages(self, path: str, params: dict[str, str], key: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        url: str | None = f"/admin/api/{self._version}/{path}"
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            response = self._send("GET", url, headers=self._headers, params=params)
            body = response.json()
            found.extend((body.get(key) if isinstance(body, dict) else None) or [])
            url, params = _next(response), {}  # the next page's URL carries its own page_info
        return found

    def paid_payouts(self, date_min: str) -> list[dict[str, Any]]:
        return self._pages("shopify_payments/payouts.json", {"date_min": date_min, "status": "paid"}, "payouts")

    def transactions(self, payout_id: str) -> list[dict[str, Any]]:
        return self._pages("shopify_payments/balance/transactions.json", {"payout_id": payout_id}, "transactions")
