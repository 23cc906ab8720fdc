"""Channel allocation rules: data, validated here, stored in the state table, changed through ops.

A rule set says, per selling channel, which locations feed it and how many of their sellable
units it may promise:

- `pool`: units dedicated to the channel (taken first, from its locations in the order listed);
- `share`: a fraction of what is left at each of its locations after every pool (rounded down);
- `buffer`: units held back from what the channel is told (a margin against the publish lag).

The invariant every valid rule set keeps (tests/unit/availability/test_allocation_properties.py):
at any location, the units committed to all channels together never exceed that location's
available-to-promise, so a marketplace and the web shop never sell the same unit twice. Shares
therefore cannot add up to more than 1 at any location.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from shared.models.base import Model
from shared.models.common import LocationId, Sku

RULES_SCHEMA_VERSION = "1"
ALL_LOCATIONS = "*"
# Channels whose availability is published (one connector each in functions/availability/adapters).
PUBLISHED_CHANNELS = ("amazon", "ebay", "shopify", "walmart", "zalando")
DEFAULT_SCOPE = "default"

Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=5, decimal_places=4)]


class ChannelRule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Literal["amazon", "ebay", "shopify", "walmart", "zalando"]
    # Locations feeding this channel, in the order its pool draws from them; ["*"]: every location.
    locations: Annotated[list[LocationId | Literal["*"]], Field(min_length=1, max_length=100)]
    pool: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    share: Share | None = None
    buffer: Annotated[int, Field(ge=0, le=10_000_000)] = 0

    @field_validator("locations")
    @classmethod
    def _distinct_locations(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("locations must not repeat")
        if ALL_LOCATIONS in value and len(value) > 1:
            raise ValueError('"*" (every location) cannot be combined with named locations')
        return value

    @model_validator(mode="after")
    def _pool_or_share(self) -> ChannelRule:
        if self.pool is None and self.share is None:
            raise ValueError(f"channel {self.channel}: give a pool, a share, or both")
        return self

    @property
    def every_location(self) -> bool:
        return self.locations == [ALL_LOCATIONS]

    def feeds_from(self, location_id: str) -> bool:
        return self.every_location or location_id in self.locations


class AllocationRulesInput(Model):
    """What an operator PUTs: the channels' rules (the store adds version and timestamps)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal["1"] = "1"
    channels: Annotated[list[ChannelRule], Field(min_length=1, max_length=len(PUBLISHED_CHANNELS))]

    @model_validator(mode="after")
    def _consistent(self) -> AllocationRulesInput:
        names = [rule.channel for rule in self.channels]
        if len(set(names)) != len(names):
            raise ValueError("each channel may appear once")
        # Shares of the channels a location feeds must not exceed the whole of what is left there.
        everywhere = sum((r.share or Decimal(0) for r in self.channels if r.every_location), Decimal(0))
        if everywhere > 1:
            raise ValueError(f'shares of channels fed by every location ("*") add up to {everywhere} > 1')
        named: dict[str, Decimal] = defaultdict(Decimal)
        for rule in self.channels:
            if rule.share is not None and not rule.every_location:
                for location_id in rule.locations:
                    named[location_id] += rule.share
        for location_id, total in sorted(named.items()):
            if total + everywhere > 1:
                raise ValueError(
                    f"shares at location {location_id} add up to {total + everywhere} > 1: "
                    "a unit would be promised to two channels"
                )
        return self


class AllocationRules(AllocationRulesInput):
    """A stored rule set: `scope` is "default" or the SKU it overrides the default for."""

    scope: Annotated[str, Field(min_length=1, max_length=64)] = DEFAULT_SCOPE
    version: Annotated[int, Field(ge=1)] = 1
    updated_at: datetime | None = None

    def rule_for(self, channel: str) -> ChannelRule | None:
        return next((rule for rule in self.channels if rule.channel == channel), None)


class ListingIds(Model):
    """How a SKU is known on the channels that do not key stock by the seller SKU
    (Shopify: the inventory item id; Zalando: the EAN). Channels not named use the SKU."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    ids: dict[Literal["amazon", "ebay", "shopify", "walmart", "zalando"], Annotated[str, Field(min_length=1)]]
