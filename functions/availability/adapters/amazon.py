"""Amazon SP-API: Listings Items `patchListingsItem` per SKU, `JSON_LISTINGS_FEED` in bulk.

- Item: `PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=...` replacing
  `/attributes/fulfillment_availability`. Default limit 5 requests/s per account, burst 5
  ("Listings Items API Rate Limits", developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits).
- Feed: `POST /feeds/2021-06-30/documents` (a feed document and its upload URL), `PUT` the JSON to
  that URL, then `POST /feeds/2021-06-30/feeds` with `feedType` `JSON_LISTINGS_FEED`. createFeed's
  default rate is 0.0083 requests/s with a burst of 15 ("Feeds API Rate Limits"): about 30 an hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from functions.availability.adapters.base import ChannelConnector, Limits, StockUpdate

LISTINGS_PATH = "/listings/2021-08-01/items"
FEEDS_PATH = "/feeds/2021-06-30"
FEED_CONTENT_TYPE = "application/json; charset=UTF-8"
ACCEPT_JSON = {"Accept": "application/json"}
PRODUCT_TYPE = "PRODUCT"  # fulfillment_availability patches do not depend on the product type


def _availability_patch(units: int) -> list[dict[str, Any]]:
    return [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": units}],
        }
    ]


class AmazonConnector(ChannelConnector):
    channel: ClassVar[str] = "amazon"
    limits: ClassVar[Limits] = Limits(
        item_rate_per_second=5, item_burst=5, feeds_per_hour=30, feed_threshold=50, feed_max_items=10_000
    )

    def __init__(self, base_url: str, *, seller_id: str, marketplace_id: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id

    def send_items(self, batch: Sequence[StockUpdate]) -> dict[str, str]:
        refused: dict[str, str] = {}
        for update in batch:
            response = self._send(
                "PATCH",
                f"{LISTINGS_PATH}/{quote(self.seller_id, safe='')}/{quote(update.listing_id, safe='')}",
                params={"marketplaceIds": self.marketplace_id},
                headers=ACCEPT_JSON,
                json={"productType": PRODUCT_TYPE, "patches": _availability_patch(update.units)},
            )
            body = self._json(response) or {}
            if body.get("status") not in (None, "ACCEPTED"):
                refused[update.sku] = f"amazon status {body.get('status')}"
        return refused

    def send_feed(self, updates: Sequence[StockUpdate]) -> str:
        document = self._json(
            self._send("POST", f"{FEEDS_PATH}/documents", headers=ACCEPT_JSON, json={"contentType": FEED_CONTENT_TYPE})
        )
        content = {
            "header": {"sellerId": self.seller_id, "version": "2.0", "issueLocale": "en_US"},
            "messages": [
                {
                    "messageId": i,
                    "sku": update.listing_id,
                    "operationType": "PATCH",
                    "productType": PRODUCT_TYPE,
                    "patches": _availability_patch(update.units),
                }
                for i, update in enumerate(updates, start=1)
            ],
        }
        # A presigned upload URL: it carries its own authorization, not the SP-API token.
        self._send("PUT", document["url"], authorize=False, headers={"Content-Type": FEED_CONTENT_TYPE}, json=content)
        feed = self._json(
            self._send(
                "POST",
                f"{FEEDS_PATH}/feeds",
                headers=ACCEPT_JSON,
                json={
                    "feedType": "JSON_LISTINGS_FEED",
                    "marketplaceIds": [self.marketplace_id],
                    "inputFeedDocumentId": document["feedDocumentId"],
                },
            )
        )
        return str(feed["feedId"])
