"""Settings of the pulled channels, from CDK context (beside infra/config.py's StackConfig).

| context key | local default | otherwise |
| --- | --- | --- |
| `amazonSpApiBaseUrl` | `http://127.0.0.1:3104` (the sandbox) | `https://sellingpartnerapi-na.amazon.com` |
| `amazonMarketplaceIds` | `ATVPDKIKX0DER` | same |
| `amazonPartnerEventBusName` | `aws.partner/sellingpartnerapi.amazon/local` | none: no rule until set |
| `zalandoApiBaseUrl` | `http://127.0.0.1:3106` | `https://api.merchants.zalando.com` |
| `zalandoMerchantId` | the sandbox's merchant | none: the poll schedule is disabled |
| `posStoreTimeZones` | franchise-0042 America/Chicago, franchise-0117 Europe/Berlin | `{}` |

`amazonPartnerEventBusName` is the partner event bus associated with the SP-API EventBridge
destination's partner event source; `posStoreTimeZones` a JSON object, store id -> IANA zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from constructs import Node

from infra import constants as c

LOCAL_PARTNER_EVENT_BUS = f"{c.AMAZON_PARTNER_SOURCE_PREFIX}/{c.LOCAL_ENVIRONMENT}"
LOCAL_ZALANDO_MERCHANT_ID = "6c5f7a0e-7f43-4b4e-9c0e-5a1d2a3b4c5d"
LOCAL_POS_TIME_ZONES = {"franchise-0042": "America/Chicago", "franchise-0117": "Europe/Berlin"}


@dataclass(frozen=True)
class PullChannelsConfig:
    amazon_sp_api_base_url: str
    amazon_marketplace_ids: str
    amazon_partner_event_bus_name: str | None
    zalando_api_base_url: str
    zalando_merchant_id: str | None
    pos_store_time_zones: dict[str, str]

    @classmethod
    def from_context(cls, node: Node, environment: str) -> PullChannelsConfig:
        local = environment == c.LOCAL_ENVIRONMENT

        def ctx(key: str, local_default: Any, default: Any) -> Any:
            value = node.try_get_context(key)
            return (local_default if local else default) if value is None else value

        zones = ctx("posStoreTimeZones", LOCAL_POS_TIME_ZONES, {})
        if isinstance(zones, str):
            zones = json.loads(zones)
        bus = ctx("amazonPartnerEventBusName", LOCAL_PARTNER_EVENT_BUS, None)
        if bus is not None and not str(bus).startswith(c.AMAZON_PARTNER_SOURCE_PREFIX):
            raise ValueError(f"amazonPartnerEventBusName must start with {c.AMAZON_PARTNER_SOURCE_PREFIX}")
        merchant = ctx("zalandoMerchantId", LOCAL_ZALANDO_MERCHANT_ID, None)
        return cls(
            amazon_sp_api_base_url=str(
                ctx("amazonSpApiBaseUrl", "http://127.0.0.1:3104", "https://sellingpartnerapi-na.amazon.com")
            ).rstrip("/"),
            amazon_marketplace_ids=str(ctx("amazonMarketplaceIds", "ATVPDKIKX0DER", "ATVPDKIKX0DER")),
            amazon_partner_event_bus_name=str(bus) if bus else None,
            zalando_api_base_url=str(
                ctx("zalandoApiBaseUrl", "http://127.0.0.1:3106", "https://api.merchants.zalando.com")
            ).rstrip("/"),
            zalando_merchant_id=str(merchant) if merchant else None,
            pos_store_time_zones={str(k): str(v) for k, v in dict(zones).items()},
        )
