"""Settings of the channel-outbound worker (read once per cold start).

A channel is called only when its API base URL is set (the same variables and context keys as the
availability publisher and the orders worker's enrichment: `shared/channels/endpoints.py`, where the
tokens come from too).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.channels.endpoints import ChannelApiSettings
from shared.settings import TablesSettings


class OutboundSettings(TablesSettings, ChannelApiSettings):
    channel_outbound_dlq_url: Annotated[str, Field(min_length=1)]
    channel_outbound_queue_url: Annotated[str, Field(min_length=1)]

    zalando_merchant_id: str | None = None  # unset: no Zalando confirmations (no sandbox default here)
    zalando_tracking_settle_seconds: Annotated[float, Field(ge=0)] = 5.0  # tracking -> line updates
