"""Each channel's price API, in its real shape, paced by its documented limits.

A connector gets one run's price updates for its channel (already coalesced: one per SKU, only
where the channel does not show that price yet) and sends them in the vendor's batches, taking its
tokens first. What the vendor refuses for good (4xx, a per-item error) is `refused` (the publisher
raises a `price` exception); a 429, a 5xx or the run's deadline leaves the rest for the next run.

- Shopify (REST Admin): `PUT /admin/api/{version}/variants/{variant_id}.json` with `{"variant":
  {"id", "price", "compare_at_price"}}` (decimal strings; `compare_at_price` null ends a sale),
  https://shopify.dev/docs/api/admin-rest/latest/resources/product-variant#put-variants-variant-id;
  leaky bucket 40, 2 requests/s (https://shopify.dev/docs/api/admin-rest/usage/rate-limits).
- Amazon (SP-API Listings Items): `PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=`
  replacing `/attributes/purchasable_offer` with `[{"marketplace_id", "currency", "our_price":
  [{"schedule": [{"value_with_tax"}]}]}]` (https://developer-docs.amazon.com/sp-api/docs/manage-purchasable-offer);
  the answer's `status` is `ACCEPTED` or `INVALID` with `issues` (a price Amazon will not take);
  5 requests/s, burst 10 (patchListingsItem's usage plan).
- Walmart: `PUT /v3/price` with `{"sku", "pricing": [{"currentPriceType": "BASE", "currentPrice":
  {"currency", "amount"}}]}` per SKU (https://developer.walmart.com/us-marketplace/docs/update-pricing-for-a-single-item;
  "price updates received with an earlier timestamp are ignored"); the stored pages give no per-second
  figure: 5 a second with a burst of 5 is a conservative assumption, the first 429 stops the run.
- eBay (Sell Inventory): `POST /sell/inventory/v1/bulk_update_price_quantity` with `{"requests":
  [{"offers": [{"offerId", "price": {"value", "currency"}}]}]}`, one SKU per call ("Only one SKU (one
  product) can be updated per call", up to 25 offers), a `statusCode` per offer in `responses`
  (https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkUpdatePriceQuantity);
  a listing may be revised 250 times a day, which coalescing keeps far below.
- Zalando (zDirect Prices API): `POST /merchants/{merchant_id}/prices` with `{"product_prices": [{"ean",
  "sales_channel_id", "regular_price": {"amount", "currency"}, "promotional_price"?}]}`, up to 1,000 EANs
  a request, 30 requests and 8,000 price updates a minute
  (https://developers.merchants.zalando.com/docs/offers-prices-api.html); one `status` per price in the
  answer's `results`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import quote

from shared.channels.clients.paced import PacedConnector, refused_items
from shared.channels.clients.walmart_api import walmart_headers
from shared.errors import Rejected, Throttled, Unavailable
from shared.models.catalog import EffectivePrice
from shared.rate_limit import OutOfTime


@dataclass(frozen=True)
class PriceUpdate:
    sku: str
    listing_id: str  # the channel's key for the item's price (ProductMaster.listings)
    price: EffectivePrice


@dataclass
class PriceOutcome:
    sent: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # SKU -> the channel's reason (an exception)
    later: dict[str, str] = field(default_factory=dict)  # SKU -> why it waits for the next run
    calls: int = 0


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


class PriceConnector(PacedConnector):
    batch: ClassVar[int] = 1

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        """One call for `batch`; SKU -> the channel's reason for each price it refused."""
        raise NotImplementedError

    def publish(self, updates: Sequence[PriceUpdate], deadline: float | None = None) -> PriceOutcome:
        outcome = PriceOutcome()
        for start in range(0, len(updates), self.batch):
            batch = updates[start : start + self.batch]
            try:
                self.bucket.acquire(1.0, deadline)
            except OutOfTime:
                outcome.later.update({u.sku: "out of time for the rate limit" for u in updates[start:]})
                return outcome
            outcome.calls += 1
            try:
                refused = self.send(batch)
            except (Throttled, Unavailable) as exc:
                outcome.later.update({u.sku: type(exc).__name__ for u in updates[start:]})
                return outcome
            except Rejected as exc:
                outcome.refused.update({u.sku: str(exc)[:300] for u in batch})
                continue
            outcome.refused.update(refused)
            outcome.sent.extend(u.sku for u in batch if u.sku not in refused)
        return outcome


class ShopifyPrices(PriceConnector):
    channel: ClassVar[str] = "shopify"
    rate_per_second: ClassVar[float] = 2
    burst: ClassVar[float] = 40

    def __init__(self, base_url: str, *, api_version: str = "2024-07", **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.api_version = api_version

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.access_token:  # read when the call is made (a token rotated in the secret is picked up)
            headers["X-Shopify-Access-Token"] = self.access_token
        for update in batch:
            variant: dict[str, Any] = {
                "id": int(update.listing_id) if update.listing_id.isdigit() else update.listing_id,
                "price": _money(update.price.amount),
                "compare_at_price": _money(update.price.compare_at) if update.price.compare_at else None,
            }
            path = f"/admin/api/{self.api_version}/variants/{quote(update.listing_id, safe='')}.json"
            self._send("PUT", path, headers=headers, json={"variant": variant})
        return {}


class AmazonPrices(PriceConnector):
    channel: ClassVar[str] = "amazon"
    rate_per_second: ClassVar[float] = 5
    burst: ClassVar[float] = 10

    def __init__(self, base_url: str, *, seller_id: str, marketplace_id: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        refused: dict[str, str] = {}
        for update in batch:
            offer = {
                "marketplace_id": self.marketplace_id,
                "currency": update.price.currency,
                "our_price": [{"schedule": [{"value_with_tax": float(update.price.amount)}]}],
            }
            response = self._send(
                "PATCH",
                f"/listings/2021-08-01/items/{quote(self.seller_id, safe='')}/{quote(update.listing_id, safe='')}",
                params={"marketplaceIds": self.marketplace_id},
                headers={"Accept": "application/json"},
                json={
                    "productType": "PRODUCT",
                    "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}],
                },
            )
            body = self._json(response) or {}
            if body.get("status") not in (None, "ACCEPTED"):
                issues = "; ".join(str(i.get("message")) for i in body.get("issues") or [] if isinstance(i, dict))
                refused[update.sku] = f"amazon {body.get('status')}: {issues}"[:300]
        return refused


class WalmartPrices(PriceConnector):
    channel: ClassVar[str] = "walmart"
    rate_per_second: ClassVar[float] = 5
    burst: ClassVar[float] = 5

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        headers = walmart_headers(with_body=True)
        for update in batch:
            pricing = {
                "currentPriceType": "BASE",
                "currentPrice": {"currency": update.price.currency, "amount": float(update.price.amount)},
            }
            self._send("PUT", "/v3/price", headers=headers, json={"sku": update.listing_id, "pricing": [pricing]})
        return {}


class EbayPrices(PriceConnector):
    channel: ClassVar[str] = "ebay"
    rate_per_second: ClassVar[float] = 5
    burst: ClassVar[float] = 5

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        body = {
            "requests": [
                {
                    "offers": [
                        {
                            "offerId": u.listing_id,
                            "price": {"value": _money(u.price.amount), "currency": u.price.currency},
                        }
                    ]
                }
                for u in batch
            ]
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        answer = self._json(
            self._send("POST", "/sell/inventory/v1/bulk_update_price_quantity", headers=headers, json=body)
        )
        return refused_items(batch, (answer or {}).get("responses", []), lambda r: str(r.get("offerId")), _ebay_refusal)


class ZalandoPrices(PriceConnector):
    channel: ClassVar[str] = "zalando"
    rate_per_second: ClassVar[float] = 30 / 60
    burst: ClassVar[float] = 30
    batch: ClassVar[int] = 1000

    def __init__(self, base_url: str, *, merchant_id: str, sales_channel_id: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.merchant_id = merchant_id
        self.sales_channel_id = sales_channel_id

    def send(self, batch: Sequence[PriceUpdate]) -> dict[str, str]:
        prices = []
        for u in batch:
            entry: dict[str, Any] = {"ean": u.listing_id, "sales_channel_id": self.sales_channel_id}
            if u.price.on_sale and u.price.compare_at is not None:
                entry["regular_price"] = {"amount": float(u.price.compare_at), "currency": u.price.currency}
                entry["promotional_price"] = {"amount": float(u.price.amount), "currency": u.price.currency}
            else:
                entry["regular_price"] = {"amount": float(u.price.amount), "currency": u.price.currency}
            prices.append(entry)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        path = f"/merchants/{quote(self.merchant_id, safe='')}/prices"
        answer = self._json(self._send("POST", path, headers=headers, json={"product_prices": prices}))
        return refused_items(
            batch,
            (answer or {}).get("results", []),
            lambda r: (r.get("product_price") or {}).get("ean"),
            _zalando_refusal,
        )


def _ebay_refusal(result: dict[str, Any]) -> str | None:
    return f"ebay statusCode {result.get('statusCode')}" if int(result.get("statusCode", 200)) >= 400 else None


def _zalando_refusal(result: dict[str, Any]) -> str | None:
    if result.get("status") in (None, "ACCEPTED"):
        return None
    return f"zalando {result.get('status')}: {result.get('description', '')}"[:300]


# Every channel's price connector, by channel.
PRICE_CONNECTORS: dict[str, type[PriceConnector]] = {
    cls.channel: cls for cls in (ShopifyPrices, AmazonPrices, WalmartPrices, EbayPrices, ZalandoPrices)
}
