"""eBay Sell Inventory API: `POST /sell/inventory/v1/bulk_update_price_quantity`, 25 SKUs a call.

`{"requests": [{"sku", "shipToLocationAvailability": {"quantity"}}]}`; the answer lists a
`statusCode` per SKU (developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/
bulkUpdatePriceQuantity; "up to 25" per call). eBay has no inventory feed here; a listing may be
revised 250 times a day, which coalescing keeps far below. The per-second figure is not in the
stored pages: 5 calls/s with a burst of 5 is a conservative assumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from functions.availability.adapters.base import ChannelConnector, Limits, StockUpdate
from shared.channels.clients.paced import refused_items

PATH = "/sell/inventory/v1/bulk_update_price_quantity"


class EbayConnector(ChannelConnector):
    channel: ClassVar[str] = "ebay"
    limits: ClassVar[Limits] = Limits(item_rate_per_second=5, item_burst=5, item_batch=25)

    def send_items(self, batch: Sequence[StockUpdate]) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        body = {"requests": [{"sku": u.listing_id, "shipToLocationAvailability": {"quantity": u.units}} for u in batch]}
        answer = self._json(self._send("POST", PATH, headers=headers, json=body)) or {}
        return refused_items(batch, answer.get("responses", []), lambda result: result.get("sku"), _refusal)


def _refusal(result: dict[str, Any]) -> str | None:
    status = int(result.get("statusCode", 200))
    return f"ebay statusCode {status}" if status >= 400 else None
