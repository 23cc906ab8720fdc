"""A small Square API client: RetrieveOrder and BatchRetrieveCatalogObjects.

Square's order webhooks carry only the order id, location, state and version, and its order
line items carry the catalog variation id, not the SKU; normalizing a Square sale therefore reads
the order (`GET /v2/orders/{order_id}`) and the SKUs of its variations
(`POST /v2/catalog/batch-retrieve`). Workers import this module lazily: httpx stays off the
ingest path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.channels.clients._token import LOCAL_ENVIRONMENT, vendor_access_token
from shared.errors import Rejected, Unavailable
from shared.settings import EnvSettings

if TYPE_CHECKING:
    import httpx

# The Square API version we read payloads as (Square-Version header).
SQUARE_VERSION = "2025-01-23"
ENV_SQUARE_ACCESS_TOKEN = "SQUARE_ACCESS_TOKEN"
# Key of the vendor credentials JSON (`VENDOR_CREDENTIALS_ARN`) that holds the token when deployed.
SECRET_KEY_SQUARE_ACCESS_TOKEN = "square_access_token"
LOCAL_SQUARE_TOKEN = "local-square-token"


class SquareApiSettings(EnvSettings):
    """What the client reads from the environment (the orders worker's construct sets it)."""

    square_api_base_url: str | None = None
    # Wins over the secret (a developer's own sandbox token); never set in a deployed stack.
    square_access_token: str | None = None
    vendor_credentials_arn: str | None = None
    environment_name: str = LOCAL_ENVIRONMENT


class SquareApiClient(HttpConnector):
    system = "square"

    def __init__(
        self, base_url: str, access_token: str, timeout: float = 5.0, client: httpx.Client | None = None
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client)
        self._headers = {
            "Authorization": f"Bearer {access_token}",
            "Square-Version": SQUARE_VERSION,
            "Accept": "application/json",
        }

    @classmethod
    def from_env(cls) -> Self:
        """`SQUARE_API_BASE_URL`; the token from the vendor credentials JSON's `square_access_token`
        (locally `SQUARE_ACCESS_TOKEN` wins and the sandbox's token stands in)."""
        settings = SquareApiSettings.from_env()
        if not settings.square_api_base_url:
            raise Unavailable("SQUARE_API_BASE_URL is not set", system="square")
        return cls(settings.square_api_base_url, access_token(settings))

    def retrieve_order(self, order_id: str) -> dict[str, Any]:
        """The `order` object of RetrieveOrder."""
        response = self._send("GET", f"/v2/orders/{quote(order_id, safe='')}", headers=self._headers)
        order = response.json().get("order")
        if not isinstance(order, dict):
            raise Rejected(f"RetrieveOrder {order_id}: no order in the answer", system="square")
        return order

    def variation_skus(self, catalog_object_ids: list[str]) -> dict[str, str]:
        """`{variation id: sku}` for the ITEM_VARIATION objects that have a SKU."""
        if not catalog_object_ids:
            return {}
        response = self._send(
            "POST",
            "/v2/catalog/batch-retrieve",
            headers=self._headers,
            json={"object_ids": sorted(set(catalog_object_ids)), "include_related_objects": False},
        )
        skus: dict[str, str] = {}
        for obj in response.json().get("objects") or []:
            data = obj.get("item_variation_data") or {}
            if obj.get("type") == "ITEM_VARIATION" and data.get("sku"):
                skus[obj["id"]] = data["sku"]
        return skus


def access_token(settings: SquareApiSettings) -> str:
    """`SQUARE_ACCESS_TOKEN`, else the secret's `square_access_token`, else (local only) the sandbox's.

    Deployed, a missing token is a configuration error: it surfaces as Unavailable (the
    message is retried, then dead-lettered) instead of calling Square with a token it would refuse.
    """
    return vendor_access_token(
        vendor="Square",
        from_env=settings.square_access_token,
        credentials_arn=settings.vendor_credentials_arn,
        secret_key=SECRET_KEY_SQUARE_ACCESS_TOKEN,
        environment_name=settings.environment_name,
        local_token=LOCAL_SQUARE_TOKEN,
        unavailable=Unavailable,
    )
