"""The configured price connectors, by channel (each marketplace's token minted and refreshed by its
`TokenProvider`; Shopify's custom-app token does not expire)."""

from __future__ import annotations

from typing import Any

from functions.pricing.adapters.channels import (
    AmazonPrices,
    EbayPrices,
    PriceConnector,
    ShopifyPrices,
    WalmartPrices,
    ZalandoPrices,
)
from functions.pricing.settings import PricePublisherSettings
from shared.adapters.vendor_auth import amazon_token_auth, walmart_token_auth, zalando_token_auth
from shared.channels.clients._token import read_token, shopify_token
from shared.errors import Unavailable


def price_connectors(settings: PricePublisherSettings) -> dict[str, PriceConnector]:
    s = settings
    common: dict[str, Any] = {"timeout": s.channel_timeout_seconds}
    found: dict[str, PriceConnector] = {}
    if s.shopify_admin_base_url:
        token = read_token(shopify_token(s.shopify_access_token, Unavailable))
        found["shopify"] = ShopifyPrices(
            s.shopify_admin_base_url, access_token=token, api_version=s.shopify_api_version, **common
        )
    if s.amazon_sp_api_base_url and s.amazon_seller_id:
        found["amazon"] = AmazonPrices(
            s.amazon_sp_api_base_url,
            seller_id=s.amazon_seller_id,
            marketplace_id=s.amazon_marketplace_ids.split(",")[0].strip(),
            token_auth=amazon_token_auth(),
            **common,
        )
    if s.walmart_api_base_url:
        found["walmart"] = WalmartPrices(
            s.walmart_api_base_url, token_auth=walmart_token_auth(s.walmart_api_base_url), **common
        )
    if s.ebay_api_base_url:
        from shared.channels.clients.ebay_api import INVENTORY_SCOPE, user_token_auth

        # bulkUpdatePriceQuantity takes the seller's user token with the sell.inventory scope.
        found["ebay"] = EbayPrices(s.ebay_api_base_url, token_auth=user_token_auth(INVENTORY_SCOPE), **common)
    if s.zalando_api_base_url and s.zalando_merchant_id and s.zalando_sales_channel_id:
        found["zalando"] = ZalandoPrices(
            s.zalando_api_base_url,
            merchant_id=s.zalando_merchant_id,
            sales_channel_id=s.zalando_sales_channel_id,
            token_auth=zalando_token_auth(s.zalando_api_base_url),
            **common,
        )
    return found
