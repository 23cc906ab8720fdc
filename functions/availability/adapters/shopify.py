"""Shopify Admin REST: `POST /admin/api/{version}/inventory_levels/set.json` per inventory item.

`{"location_id", "inventory_item_id", "available"}` at the shop location that sells online.
REST Admin limit: a leaky bucket of 40 requests draining at 2/s on the standard plan
(shopify.dev/docs/api/admin-rest/usage/rate-limits): bucket 40, rate 2. No bulk feed over REST.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from functions.availability.adapters.base import ChannelConnector, Limits, StockUpdate

DEFAULT_API_VERSION = "2024-07"


def _numeric(value: str) -> int | str:
    return int(value) if value.isdigit() else value


class ShopifyConnector(ChannelConnector):
    channel: ClassVar[str] = "shopify"
    limits: ClassVar[Limits] = Limits(item_rate_per_second=2, item_burst=40)

    def __init__(self, base_url: str, *, location_id: str, api_version: str = DEFAULT_API_VERSION, **kwargs: Any):
        super().__init__(base_url, **kwargs)
        self.location_id = location_id
        self.api_version = api_version

    def send_items(self, batch: Sequence[StockUpdate]) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.access_token:
            headers["X-Shopify-Access-Token"] = self.access_token
        for update in batch:
            self._send(
                "POST",
                f"/admin/api/{self.api_version}/inventory_levels/set.json",
                headers=headers,
                json={
                    "location_id": _numeric(self.location_id),
                    "inventory_item_id": _numeric(update.listing_id),
                    "available": update.units,
                },
            )
        return {}
