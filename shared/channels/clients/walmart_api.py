"""A small Walmart Marketplace Orders API client: get one purchase order.

Walmart's PO_CREATED notification names the order and its lines but carries no prices, currency
or ship-to address, so normalizing it reads the order with `GET /v3/orders/{purchaseOrderId}`, sending
the access token in `WM_SEC.ACCESS_TOKEN`: a client-credentials token (15 minutes) minted from the
seller's client id and secret (`shared/adapters/vendor_auth.walmart_token_auth`), refreshed before it
expires and once more after a 401. Workers import this module lazily (httpx stays off the ingest path).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.adapters.oauth import WALMART_SERVICE_NAME
from shared.adapters.tokens import TokenAuth
from shared.adapters.vendor_auth import walmart_token_auth
from shared.errors import Rejected, Unavailable, VendorNotFound
from shared.settings import EnvSettings

if TYPE_CHECKING:
    import httpx


def walmart_headers(with_body: bool = False, correlation_id: str | None = None) -> dict[str, str]:
    """Walmart's request headers besides the token: a correlation id per call (`WM_QOS.CORRELATION_ID`,
    a new GUID as hex unless the caller gives one), the service name (`WM_SVC.NAME`)."""
    headers = {"WM_QOS.CORRELATION_ID": correlation_id or uuid.uuid4().hex, "WM_SVC.NAME": WALMART_SERVICE_NAME}
    headers["Accept"] = "application/json"
    if with_body:
        headers["Content-Type"] = "application/json"
    return headers


class WalmartApiSettings(EnvSettings):
    walmart_api_base_url: str | None = None


class WalmartApiClient(HttpConnector):
    system = "walmart"

    # Typed as the base's: ReturnFlow's Walmart refunds reuse this client with none (an unknown
    # order is a refusal there, functions/returns/adapters/channel_refunds.py).
    not_found_error: type[Rejected] | None = VendorNotFound

    def __init__(self, base_url: str, auth: TokenAuth, timeout: float = 5.0, client: httpx.Client | None = None):
        super().__init__(base_url, timeout=timeout, client=client, token_auth=auth)

    @classmethod
    def from_env(cls) -> WalmartApiClient:
        settings = WalmartApiSettings.from_env()
        if not settings.walmart_api_base_url:
            raise Unavailable("WALMART_API_BASE_URL is not set", system="walmart")
        return cls(settings.walmart_api_base_url, walmart_token_auth(settings.walmart_api_base_url))

    def get_order(self, purchase_order_id: str) -> dict[str, Any]:
        """The `order` object of GET /v3/orders/{purchaseOrderId}."""
        response = self._send("GET", order_path(purchase_order_id), headers=self.headers())
        order = response.json().get("order")
        if not isinstance(order, dict):
            raise self.rejected(f"GET order {purchase_order_id}: no order in the answer")
        return order

    @staticmethod
    def headers(with_body: bool = False) -> dict[str, str]:
        """Walmart's request headers besides the token: a correlation id per call, the service name."""
        return walmart_headers(with_body)


def order_path(purchase_order_id: str) -> str:
    return f"/v3/orders/{quote(purchase_order_id, safe='')}"
