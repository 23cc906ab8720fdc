"""A small Walmart Marketplace Orders API client: get one purchase order.

Walmart's PO_CREATED notification names the order and its lines but carries no prices, currency
or ship-to address, so normalizing it reads the order with `GET /v3/orders/{purchaseOrderId}`.
Workers import this module lazily (httpx stays off the ingest path).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

import httpx

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import LOCAL_ENVIRONMENT, vendor_access_token
from shared.errors import ErpThrottled, VendorNotFound
from shared.settings import EnvSettings

LOCAL_WALMART_TOKEN = "local-walmart-token"
# Key of the webhook secret JSON (`WEBHOOK_SECRETS_ARN`) that holds the token when deployed.
SECRET_KEY_WALMART_ACCESS_TOKEN = "walmart_access_token"


class WalmartApiSettings(EnvSettings):
    walmart_api_base_url: str | None = None
    # The OAuth access token (client-credentials grant); wins over the secret. Locally the sandbox accepts any.
    walmart_access_token: str | None = None
    webhook_secrets_arn: str | None = None
    environment_name: str = LOCAL_ENVIRONMENT


class WalmartApiThrottled(ErpThrottled):
    """Walmart answered 429: retry later (transient)."""


class WalmartApiUnavailable(Exception):
    """Walmart is down or timed out: retry later (transient)."""


class WalmartApiRejected(Exception):
    """Walmart refused the call (4xx other than 429), e.g. an unknown purchase order."""


class WalmartApiNotFound(WalmartApiRejected, VendorNotFound):
    """GET /v3/orders/{purchaseOrderId}: no such purchase order (yet)."""


class WalmartApiClient(HttpConnector):
    throttled_error = WalmartApiThrottled
    unavailable_error = WalmartApiUnavailable
    rejected_error = WalmartApiRejected
    not_found_error = WalmartApiNotFound

    def __init__(self, base_url: str, access_token: str, timeout: float = 5.0, client: httpx.Client | None = None):
        super().__init__(base_url, timeout=timeout, client=client)
        self._token = access_token

    @classmethod
    def from_env(cls) -> WalmartApiClient:
        settings = WalmartApiSettings.from_env()
        if not settings.walmart_api_base_url:
            raise WalmartApiUnavailable("WALMART_API_BASE_URL is not set")
        return cls(settings.walmart_api_base_url, access_token(settings))

    def get_order(self, purchase_order_id: str) -> dict[str, Any]:
        """The `order` object of GET /v3/orders/{purchaseOrderId}."""
        headers = {
            "WM_SEC.ACCESS_TOKEN": self._token,
            "WM_QOS.CORRELATION_ID": uuid.uuid4().hex,
            "WM_SVC.NAME": "Walmart Marketplace",
            "Accept": "application/json",
        }
        response = self._send("GET", f"/v3/orders/{quote(purchase_order_id, safe='')}", headers=headers)
        order = response.json().get("order")
        if not isinstance(order, dict):
            raise WalmartApiRejected(f"GET order {purchase_order_id}: no order in the answer")
        return order


def access_token(settings: WalmartApiSettings) -> str:
    """`WALMART_ACCESS_TOKEN`, else the secret's `walmart_access_token`, else (local only) the sandbox's.

    Deployed, a missing token is a configuration error (WalmartApiUnavailable: retried, then
    dead-lettered) rather than a call Walmart would refuse."""
    return vendor_access_token(
        vendor="Walmart",
        from_env=settings.walmart_access_token,
        webhook_secrets_arn=settings.webhook_secrets_arn,
        secret_key=SECRET_KEY_WALMART_ACCESS_TOKEN,
        environment_name=settings.environment_name,
        local_token=LOCAL_WALMART_TOKEN,
        unavailable=WalmartApiUnavailable,
    )
