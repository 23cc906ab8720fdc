"""The configured channel connectors, by channel name."""

from __future__ import annotations

from functions.availability.adapters.amazon import AmazonConnector
from functions.availability.adapters.base import ChannelConnector, FeedLedger
from functions.availability.adapters.ebay import EbayConnector
from functions.availability.adapters.shopify import ShopifyConnector
from functions.availability.adapters.walmart import WalmartConnector
from functions.availability.adapters.zalando import ZalandoConnector
from functions.availability.settings import PublisherSettings
from shared.channels.endpoints import channel_connections

CONNECTORS: dict[str, type[ChannelConnector]] = {
    "amazon": AmazonConnector,
    "walmart": WalmartConnector,
    "ebay": EbayConnector,
    "shopify": ShopifyConnector,
    "zalando": ZalandoConnector,
}


def connectors_from_settings(settings: PublisherSettings, ledger: FeedLedger) -> dict[str, ChannelConnector]:
    """One connector per channel whose base URL is configured; each marketplace's token is minted
    and refreshed by its `TokenProvider` (Shopify's custom-app token does not expire)."""
    connections = channel_connections(settings)
    if "shopify" in connections:
        connections["shopify"]["location_id"] = settings.shopify_location_id
    return {
        channel: CONNECTORS[channel](**connection, ledger=ledger, timeout=settings.channel_timeout_seconds)
        for channel, connection in connections.items()
    }
