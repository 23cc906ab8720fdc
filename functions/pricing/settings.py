"""Settings of the pricing functions (read once per cold start).

A channel gets prices only when its API base URL is set (the same variables, with the same
meaning, as the availability publisher's); tokens are minted from the vendor secret.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.channels.endpoints import ChannelApiSettings
from shared.settings import EnvSettings


class PricingSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]


class PricingWorkerSettings(PricingSettings):
    # Promotions: one-time EventBridge Scheduler schedules run the publisher at a sale's start and end.
    price_publisher_arn: str | None = None
    price_scheduler_role_arn: str | None = None
    price_schedule_group: str = "default"


class PricePublisherSettings(PricingSettings, ChannelApiSettings):
    publisher_budget_seconds: Annotated[float, Field(gt=0, le=900)] = 50.0
    publisher_max_skus: Annotated[int, Field(ge=1, le=100_000)] = 5_000


class CatalogBackfillSettings(PricingWorkerSettings):
    erp_base_url: Annotated[str, Field(min_length=8)]
    erp_timeout_seconds: float = 10.0
