"""Settings of channel publishing and reconciliation, from CDK context (beside StackConfig).

| context key | local default | otherwise |
| --- | --- | --- |
| `walmartApiBaseUrl` | the marketplace sandbox (`:3102`) | `https://marketplace.walmartapis.com` |
| `ebayApiBaseUrl` | the eBay sandbox (`:3108`) | `https://api.ebay.com` |
| `shopifyAdminBaseUrl` | the Shopify sandbox (`:3105`) | none: Shopify not published to until set |
| `shopifyLocationId` | `1` | `1` |
| `amazonSellerId` | the SP-API sandbox's seller | none: Amazon not published to until set |
| `zalandoSalesChannelId` | Zalando's documented example id | none: Zalando not published to until set |
| `wmsBaseUrl` | the WMS sandbox (`:3109`) | `https://wms.example.invalid` |
| `reconciliationSchedule` | `rate(1 hour)` | same |
| `reconciliationToleranceUnits` / `...Value` | 5 / 100 | same |

Amazon's and Zalando's base URLs, marketplace ids and merchant id are the pulled channels' own
(infra/intake/config.py), so every function sees one value per variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Node

from infra import constants as c
from infra.intake.config import PullChannelsConfig

LOCAL_AMAZON_SELLER_ID = "A2SANDBOXSELLER"
LOCAL_ZALANDO_SALES_CHANNEL_ID = "091dcbdd-7839-4f39-aa05-324eb4599df0"


@dataclass(frozen=True)
class AvailabilityConfig:
    amazon_sp_api_base_url: str
    amazon_marketplace_ids: str
    amazon_seller_id: str
    walmart_api_base_url: str
    ebay_api_base_url: str
    shopify_admin_base_url: str
    shopify_location_id: str
    zalando_api_base_url: str
    zalando_merchant_id: str
    zalando_sales_channel_id: str
    wms_base_url: str
    reconciliation_schedule: str
    tolerance_units: int
    tolerance_value: str

    @classmethod
    def from_context(cls, node: Node, environment: str) -> AvailabilityConfig:
        local = environment == c.LOCAL_ENVIRONMENT
        pulled = PullChannelsConfig.from_context(node, environment)

        def ctx(key: str, local_default: Any, default: Any) -> str:
            value = node.try_get_context(key)
            chosen = (local_default if local else default) if value is None else value
            return "" if chosen is None else str(chosen).rstrip("/")

        # An empty id or URL turns that channel's publishing off (functions/availability/adapters/registry.py).
        return cls(
            amazon_sp_api_base_url=pulled.amazon_sp_api_base_url,
            amazon_marketplace_ids=pulled.amazon_marketplace_ids,
            amazon_seller_id=ctx("amazonSellerId", LOCAL_AMAZON_SELLER_ID, None),
            walmart_api_base_url=ctx(
                "walmartApiBaseUrl", "http://127.0.0.1:3102", "https://marketplace.walmartapis.com"
            ),
            ebay_api_base_url=ctx("ebayApiBaseUrl", "http://127.0.0.1:3108", "https://api.ebay.com"),
            shopify_admin_base_url=ctx("shopifyAdminBaseUrl", "http://127.0.0.1:3105", None),
            shopify_location_id=ctx("shopifyLocationId", "1", "1"),
            zalando_api_base_url=pulled.zalando_api_base_url,
            zalando_merchant_id=pulled.zalando_merchant_id or "",
            zalando_sales_channel_id=ctx("zalandoSalesChannelId", LOCAL_ZALANDO_SALES_CHANNEL_ID, None),
            wms_base_url=ctx("wmsBaseUrl", "http://127.0.0.1:3109", "https://wms.example.invalid"),
            reconciliation_schedule=ctx("reconciliationSchedule", c.RECONCILIATION_SCHEDULE, c.RECONCILIATION_SCHEDULE),
            tolerance_units=int(ctx("reconciliationToleranceUnits", 5, 5)),
            tolerance_value=ctx("reconciliationToleranceValue", "100", "100"),
        )

    def publisher_environment(self) -> dict[str, str]:
        return {
            c.ENV_AMAZON_SP_API_BASE_URL: self.amazon_sp_api_base_url,
            c.ENV_AMAZON_MARKETPLACE_IDS: self.amazon_marketplace_ids,
            c.ENV_AMAZON_SELLER_ID: self.amazon_seller_id,
            c.ENV_WALMART_API_BASE_URL: self.walmart_api_base_url,
            c.ENV_EBAY_API_BASE_URL: self.ebay_api_base_url,
            c.ENV_SHOPIFY_ADMIN_BASE_URL: self.shopify_admin_base_url,
            c.ENV_SHOPIFY_LOCATION_ID: self.shopify_location_id,
            c.ENV_ZALANDO_API_BASE_URL: self.zalando_api_base_url,
            c.ENV_ZALANDO_MERCHANT_ID: self.zalando_merchant_id,
            c.ENV_ZALANDO_SALES_CHANNEL_ID: self.zalando_sales_channel_id,
            c.ENV_SHOPIFY_API_VERSION: c.SHOPIFY_ADMIN_API_VERSION,
            c.ENV_PUBLISHER_BUDGET_SECONDS: str(c.AVAILABILITY_PUBLISHER_BUDGET_SECONDS),
            c.ENV_PUBLISHER_MAX_SKUS: str(c.AVAILABILITY_PUBLISHER_MAX_SKUS),
            c.ENV_CHANNEL_TIMEOUT_SECONDS: str(c.CHANNEL_TIMEOUT_SECONDS),
        }
