"""The configured price connectors, by channel (each marketplace's token minted and refreshed by its
`TokenProvider`; Shopify's custom-app token does not expire)."""

from __future__ import annotations

from functions.pricing.adapters.channels import PRICE_CONNECTORS, PriceConnector
from functions.pricing.settings import PricePublisherSettings
from shared.channels.endpoints import channel_connections


def price_connectors(settings: PricePublisherSettings) -> dict[str, PriceConnector]:
    connections = channel_connections(settings)
    return {
        channel: PRICE_CONNECTORS[channel](**connection, timeout=settings.channel_timeout_seconds)
        for channel, connection in connections.items()
    }
