"""Settings of the channel-outbound worker (read once per cold start).

A channel is called only when its API base URL is set (the same variables and context keys as the
availability publisher and the orders worker's enrichment). Tokens: `SHOPIFY_ACCESS_TOKEN`,
`AMAZON_SP_API_ACCESS_TOKEN`, `ZALANDO_ACCESS_TOKEN` (configured values, locally the sandboxes'); Walmart and eBay read
theirs like the enrichment clients do (`WALMART_ACCESS_TOKEN` / the webhook secret, eBay's refresh
token from the webhook secret).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import TablesSettings


class OutboundSettings(TablesSettings):
    channel_outbound_dlq_url: Annotated[str, Field(min_length=1)]
    channel_outbound_queue_url: Annotated[str, Field(min_length=1)]
    channel_timeout_seconds: float = 10.0

    amazon_sp_api_base_url: str | None = None
    amazon_marketplace_ids: str = "ATVPDKIKX0DER"  # comma list: confirmations name the first
    amazon_sp_api_access_token: str = "local-amazon-lwa-token"

    walmart_api_base_url: str | None = None
    ebay_api_base_url: str | None = None

    zalando_api_base_url: str | None = None
    zalando_merchant_id: str | None = None
    zalando_access_token: str = "local-zalando-token"
    zalando_tracking_settle_seconds: Annotated[float, Field(ge=0)] = 5.0  # tracking -> line updates

    shopify_admin_base_url: str | None = None
    shopify_api_version: str = "2024-07"
    shopify_access_token: str = "local-shopify-token"
