"""Settings of the finance functions (read once per cold start)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class FinanceSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]
    erp_base_url: Annotated[str, Field(min_length=8)]
    erp_timeout_seconds: float = 10.0
    # A difference within it (per order, fee or payout, in the payout's currency) is not a variance.
    settlement_tolerance: Annotated[Decimal, Field(ge=0)] = Decimal("0.05")
    # The channels whose stored payouts a settlement run reconciles, and how many of each (newest first).
    settlement_channels: str = "amazon,shopify,walmart,ebay,square"
    settlement_run_payouts: Annotated[int, Field(ge=1, le=1000)] = 50
    payload_bucket_name: str | None = None  # large reports arrive by reference (the ingest claim check)


class SettlementPollerSettings(FinanceSettings):
    """The poller's: it stores each new report in the payload bucket and queues it for the worker."""

    finance_queue_url: Annotated[str, Field(min_length=8)]
    payload_bucket_name: Annotated[str, Field(min_length=3)]
    # Shopify Payments is polled when its Admin API is configured.
    shopify_admin_base_url: str | None = None
    shopify_api_version: str = "2024-07"
    shopify_access_token: str | None = None
    amazon_sp_api_base_url: str | None = None  # Amazon's reports are polled when it is set
    # Walmart's recon reports, eBay's and Square's payouts are polled when their APIs are configured
    # (the channel clients read their own credentials: shared/channels/clients/).
    walmart_api_base_url: str | None = None
    ebay_api_base_url: str | None = None
    square_api_base_url: str | None = None
