"""Settings of the availability functions (read once per cold start).

A channel is published to only when its API base URL is set; its identifiers come with it, and
its token from the vendor's credentials (`shared/channels/endpoints.py`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.channels.endpoints import ChannelApiSettings
from shared.settings import EnvSettings


class AvailabilitySettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=3)]


class PublisherSettings(AvailabilitySettings, ChannelApiSettings):
    # Stop starting new channel calls this long after the run began (the schedule is every minute).
    publisher_budget_seconds: Annotated[float, Field(gt=0, le=900)] = 50.0
    publisher_max_skus: Annotated[int, Field(ge=1, le=100_000)] = 5_000
    shopify_location_id: str = "1"
