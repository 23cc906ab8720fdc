"""A small Zalando zDirect Orders API client: list the orders updated in a window, with their items
and lines.

Zalando does not push orders; they are pulled with ``GET /merchants/{merchant_id}/orders`` (JSON:API,
``include=order_items,order_lines``, ``page[number]`` from 0, ``page[size]``), whose temporal filters
are exclusive (``last_updated_after=t`` returns ``modified_at > t``). Each listed order is returned as
its own JSON:API document (``{"data": Order, "included": [its OrderItems and OrderLines]}``) so one
order travels as one envelope. Calls carry ``Authorization: Bearer <token>``, an OAuth2 client-credentials
token minted from the zDirect app's client id and secret (``shared/adapters/vendor_auth.zalando_token_auth``),
refreshed before it expires and once more after a 401.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from shared.adapters.http import HttpConnector
from shared.adapters.tokens import TokenAuth
from shared.adapters.vendor_auth import zalando_token_auth
from shared.errors import Rejected, Unavailable
from shared.settings import EnvSettings

if TYPE_CHECKING:
    import httpx

ENV_BASE_URL = "ZALANDO_API_BASE_URL"
JSON_API = "application/vnd.api+json"
PAGE_SIZE = 100
MAX_PAGES = 100


class ZalandoApiSettings(EnvSettings):
    zalando_api_base_url: str | None = None


def zalando_time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def order_documents(page: dict[str, Any]) -> list[dict[str, Any]]:
    """Split a listing page into one JSON:API document per order, with only its own items and lines."""
    included = {(r.get("type"), r.get("id")): r for r in page.get("included") or []}
    documents = []
    for order in page.get("data") or []:
        own: list[dict[str, Any]] = []
        for ref in ((order.get("relationships") or {}).get("order_items") or {}).get("data") or []:
            item = included.get(("OrderItem", ref.get("id")))
            if item is None:
                continue
            own.append(item)
            for line_ref in ((item.get("relationships") or {}).get("order_lines") or {}).get("data") or []:
                line = included.get(("OrderLine", line_ref.get("id")))
                if line is not None:
                    own.append(line)
        documents.append({"data": order, "included": own})
    return documents


class ZalandoOrdersClient(HttpConnector):
    system = "zalando"

    def __init__(
        self, base_url: str, auth: TokenAuth, *, timeout: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        super().__init__(base_url, timeout=timeout, client=client, token_auth=auth)
        self._headers = {"Accept": JSON_API}

    @classmethod
    def from_env(cls) -> ZalandoOrdersClient:
        settings = ZalandoApiSettings.from_env()
        if not settings.zalando_api_base_url:
            raise Unavailable(f"{ENV_BASE_URL} is not set", system="zalando")
        return cls(settings.zalando_api_base_url, zalando_token_auth(settings.zalando_api_base_url))

    def list_orders(
        self, merchant_id: str, last_updated_after: datetime, last_updated_before: datetime
    ) -> Iterator[dict[str, Any]]:
        """Every order with ``after < modified_at < before`` as its own document, oldest first."""
        params = {
            "last_updated_after": zalando_time(last_updated_after),
            "last_updated_before": zalando_time(last_updated_before),
            "include": "order_items,order_lines",
            "sort": "modified_at",
            "page[size]": str(PAGE_SIZE),
        }
        path = f"/merchants/{quote(merchant_id, safe='')}/orders"
        for number in range(MAX_PAGES):
            response = self._send("GET", path, headers=self._headers, params={**params, "page[number]": str(number)})
            page = response.json()
            yield from order_documents(page)
            if not (page.get("links") or {}).get("next") or not page.get("data"):
                return
        raise Rejected(f"more than {MAX_PAGES} pages of orders in one window", system="zalando")
