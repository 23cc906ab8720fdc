"""Settings of the pricing functions (read once per cold start).

A channel gets prices only when its API base URL is set (the same variables, with the same
meaning, as the availability publisher's); tokens are minted from the vendor secret.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class PricingSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]


class PricingWorkerSettings(PricingSettings):
    # Promotions: one-time EventBridge Scheduler schedules run the publisher at a sale's start and end.
    price_publisher_arn: str | None = None
    price_scheduler_role_arn: str | None = None
    price_schedule_group: str = "default"


class PricePublisherSettings(PricingSettings):
    publisher_budget_seconds: Annotated[float, Field(gt=0, le=900)] = 50.0
    publisher_max_skus: Annotated[int, Field(ge=1, le=100_000)] = 5_000
    channel_timeout_seconds: float = 10.0

    amazon_sp_api_base_url: str | None = None
    amazon_seller_id: str = "A2SANDBOXSELLER"
    amazon_marketplace_ids: str = "ATVPDKIKX0DER"
    walmart_api_base_url: str | None = None
    ebay_api_base_url: str | None = None
    shopify_admin_base_url: str | None = None
    shopify_api_version: str = "2024-07"
    shopify_access_token: str | None = None
    zalando_api_base_url: str | None = None
    zalando_merchant_id: str = "local-merchant"
    zalando_sales_channel_id: str = "local-sales-channel"


class CatalogBackfillSettings(PricingWorkerSettings):
    erp_base_url: Annotated[str, Field(min_length=8)]
    erp_timeout_seconds: float = 10.0
