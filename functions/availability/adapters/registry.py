"""The configured channel connectors, by channel name."""

from __future__ import annotations

from typing import Any

from functions.availability.adapters.amazon import AmazonConnector
from functions.availability.adapters.base import ChannelConnector, FeedLedger
from functions.availability.adapters.ebay import EbayConnector
from functions.availability.adapters.shopify import ShopifyConnector
from functions.availability.adapters.walmart import WalmartConnector
from functions.availability.adapters.zalando import ZalandoConnector
from functions.availability.settings import PublisherSettings
from shared.adapters.vendor_auth import amazon_token_auth, walmart_token_auth, zalando_token_auth
from shared.channels.clients._token import shopify_token
from shared.errors import Unavailable


def connectors_from_settings(settings: PublisherSettings, ledger: FeedLedger) -> dict[str, ChannelConnector]:
    """One connector per channel whose base URL is configured; each marketplace's token is minted
    and refreshed by its `TokenProvider` (Shopify's custom-app token does not expire)."""
    s = settings
    common: dict[str, Any] = {"ledger": ledger, "timeout": s.channel_timeout_seconds}
    found: dict[str, ChannelConnector] = {}
    if s.amazon_sp_api_base_url and s.amazon_seller_id:
        found["amazon"] = AmazonConnector(
            s.amazon_sp_api_base_url,
            seller_id=s.amazon_seller_id,
            marketplace_id=s.amazon_marketplace_ids.split(",")[0].strip(),
            token_auth=amazon_token_auth(),
            **common,
        )
    if s.walmart_api_base_url:
        found["walmart"] = WalmartConnector(
            s.walmart_api_base_url, token_auth=walmart_token_auth(s.walmart_api_base_url), **common
        )
    if s.ebay_api_base_url:
        from shared.channels.clients.ebay_api import INVENTORY_SCOPE, user_token_auth

        found["ebay"] = EbayConnector(s.ebay_api_base_url, token_auth=user_token_auth(INVENTORY_SCOPE), **common)
    if s.shopify_admin_base_url:
        found["shopify"] = ShopifyConnector(
            s.shopify_admin_base_url,
            location_id=s.shopify_location_id,
            api_version=s.shopify_api_version,
            access_token=shopify_token(s.shopify_access_token, Unavailable),
            **common,
        )
    if s.zalando_api_base_url and s.zalando_merchant_id and s.zalando_sales_channel_id:
        found["zalando"] = ZalandoConnector(
            s.zalando_api_base_url,
            merchant_id=s.zalando_merchant_id,
            sales_channel_id=s.zalando_sales_channel_id,
            token_auth=zalando_token_auth(s.zalando_api_base_url),
            **common,
        )
    return found
