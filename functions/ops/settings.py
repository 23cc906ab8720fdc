"""Settings of the ops API (read once per cold start)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from shared.settings import TablesSettings

# The selling channels whose available-to-sell the inventory view reports. The other webhook
# sources (wms, pos, erp) are the retailer's own systems, not channels that sell online.
DEFAULT_CHANNELS = ("shopify", "square")


class OpsSettings(TablesSettings):
    channels: tuple[str, ...] = DEFAULT_CHANNELS
    # Locations that fulfil online orders; empty means every location does.
    online_fulfilment_location_ids: tuple[str, ...] = ()
    # Replay of parked orders needs both; without them the route answers 503.
    orders_parking_queue_url: Annotated[str, Field(min_length=1)] | None = None
    order_flow_arn: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("channels", "online_fulfilment_location_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value
