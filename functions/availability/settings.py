"""Settings of the availability functions (read once per cold start).

A channel is published to only when its API base URL is set; its identifiers come with it.
Access tokens are minted from each vendor's credentials in Secrets Manager
(`shared/adapters/vendor_auth.py`); only Shopify's custom-app token, which does not expire, is a
configured value (`SHOPIFY_ACCESS_TOKEN`; unset, the local sandbox's).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class AvailabilitySettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]


class PublisherSettings(AvailabilitySettings):
    # Stop starting new channel calls this long after the run began (the schedule is every minute).
    publisher_budget_seconds: Annotated[float, Field(gt=0, le=900)] = 50.0
    publisher_max_skus: Annotated[int, Field(ge=1, le=100_000)] = 5_000
    channel_timeout_seconds: float = 10.0

    amazon_sp_api_base_url: str | None = None
    amazon_seller_id: str = "A2SANDBOXSELLER"
    amazon_marketplace_ids: str = "ATVPDKIKX0DER"  # comma list (shared with the order pollers): the first

    walmart_api_base_url: str | None = None

    ebay_api_base_url: str | None = None

    shopify_admin_base_url: str | None = None
    shopify_location_id: str = "1"
    shopify_api_version: str = "2024-07"
    # A local developer's own token only: deployed, the vendor secret's `shopify_access_token`.
    shopify_access_token: str | None = None

    zalando_api_base_url: str | None = None
    zalando_merchant_id: str = "local-merchant"
    zalando_sales_channel_id: str = "local-sales-channel"
