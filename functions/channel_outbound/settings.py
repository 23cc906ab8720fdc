"""Settings of the channel-outbound worker (read once per cold start).

A channel is called only when its API base URL is set (the same variables and context keys as the
availability publisher and the orders worker's enrichment). Amazon, Walmart, Zalando and eBay tokens
are minted and refreshed from the vendor credentials in Secrets Manager (`shared/adapters/vendor_auth.py`,
`shared/channels/clients/ebay_api.py`); Shopify's custom-app token does not expire and stays a
configured value (`SHOPIFY_ACCESS_TOKEN`, locally the sandbox's).
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

    walmart_api_base_url: str | None = None
    ebay_api_base_url: str | None = None

    zalando_api_base_url: str | None = None
    zalando_merchant_id: str | None = None
    zalando_tracking_settle_seconds: Annotated[float, Field(ge=0)] = 5.0  # tracking -> line updates

    shopify_admin_base_url: str | None = None
    shopify_api_version: str = "2024-07"
    # A local developer's own token only: deployed, the vendor secret's `shopify_access_token`.
    shopify_access_token: str | None = None
