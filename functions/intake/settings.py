"""The intake functions' environment (the pollers and the POS file import), read once per cold start.

Variable names are unique across the stack (the local stack runs every handler in one process with
the union of their environments).
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator

from shared.settings import PullIntakeSettings

ENV_AMAZON_SP_API_BASE_URL = "AMAZON_SP_API_BASE_URL"
ENV_AMAZON_MARKETPLACE_IDS = "AMAZON_MARKETPLACE_IDS"
ENV_ZALANDO_API_BASE_URL = "ZALANDO_API_BASE_URL"
ENV_ZALANDO_MERCHANT_ID = "ZALANDO_MERCHANT_ID"
ENV_POS_STORE_TIME_ZONES = "POS_STORE_TIME_ZONES"


class PollerSettings(PullIntakeSettings):
    state_table_name: Annotated[str, Field(min_length=3)]


class AmazonPollerSettings(PollerSettings):
    amazon_sp_api_base_url: Annotated[str, Field(min_length=8)]
    # Comma-separated marketplace ids the seller sells in (getOrders requires them).
    amazon_marketplace_ids: Annotated[str, Field(min_length=1)] = "ATVPDKIKX0DER"
    amazon_poll_overlap_seconds: Annotated[int, Field(ge=0)] = 30 * 60
    amazon_poll_first_lookback_seconds: Annotated[int, Field(gt=0)] = 6 * 3600

    @property
    def marketplace_ids(self) -> list[str]:
        return [m.strip() for m in self.amazon_marketplace_ids.split(",") if m.strip()]


class ZalandoPollerSettings(PollerSettings):
    zalando_api_base_url: Annotated[str, Field(min_length=8)]
    zalando_merchant_id: Annotated[str, Field(min_length=1)]
    zalando_poll_overlap_seconds: Annotated[int, Field(ge=0)] = 15 * 60
    zalando_poll_settle_seconds: Annotated[int, Field(ge=0)] = 60
    zalando_poll_first_lookback_seconds: Annotated[int, Field(gt=0)] = 6 * 3600


class PosFilesSettings(PullIntakeSettings):
    pos_files_bucket_name: Annotated[str, Field(min_length=3)]
    # JSON {"<store_id>": "<IANA time zone>"}: the stores' wall clocks the files are written in.
    pos_store_time_zones: dict[str, str] = {}

    @field_validator("pos_store_time_zones", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value
