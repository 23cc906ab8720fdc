"""Settings of the returns functions (read once per cold start; each function gets only its own)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings, TablesSettings

DEFAULT_INSPECTION_TIMEOUT_SECONDS = 21 * 24 * 3600  # three weeks for the goods to reach the warehouse


class ReturnEventsSettings(TablesSettings):
    return_flow_arn: Annotated[str, Field(min_length=20)]
    inspection_timeout_seconds: Annotated[int, Field(ge=1)] = DEFAULT_INSPECTION_TIMEOUT_SECONDS


class StuckReturnsSettings(EnvSettings):
    """The hourly stuck-return sweep: the state table, and the wait the flow allows the warehouse."""

    state_table_name: Annotated[str, Field(min_length=1)]
    inspection_timeout_seconds: Annotated[int, Field(ge=1)] = DEFAULT_INSPECTION_TIMEOUT_SECONDS


class ReturnStepSettings(TablesSettings):
    """Every outside system a step may call; a step that does not call one gets no URL for it."""

    return_flow_arn: str | None = None
    event_bus_name: str | None = None  # the report step announces each outcome (ReturnStatusChanged)
    erp_base_url: str | None = None
    erp_timeout_seconds: float = 10.0
    inventory_queue_url: str | None = None
    orders_queue_url: str | None = None  # PostRefund: an exchange's replacement order
    shopify_admin_base_url: str | None = None
    walmart_api_base_url: str | None = None  # Walmart's Orders API: a seller-fulfilled return's refund
    ebay_api_base_url: str | None = None  # eBay's Fulfillment API: issueRefund for a return of an eBay order
    shopify_api_version: str = "2024-07"
    # Vendor tokens: deployed, only the vendor secret's `shopify_access_token` / `loop_api_key`
    # (VENDOR_CREDENTIALS_ARN); these variables are a local developer's override and are ignored there.
    shopify_access_token: str | None = None
    loop_api_base_url: str | None = None
    loop_api_key: str | None = None
    channel_timeout_seconds: float = 10.0
