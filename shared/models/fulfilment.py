"""Sourcing rules and fulfilment instructions (issue 10.1): where an order's units ship from.

Sourcing rules are data (`shared/data/sourcing_rules.json`, deployed with the functions): the first
rule whose `channels` names the order's channel (or `"*"`) gives the candidate
locations in order of preference, whether the order may be split over several of them and into
how many at most. An order that names its own fulfilment location (store pickup, a store sale, a
channel-chosen node) is never re-sourced.

A fulfilment instruction is one location's share of one order: its lines, and how they leave
(`SHIP_FROM_DC` for DCs, 3PLs and dark stores, `SHIP_FROM_STORE` for a store shipping an online
order, `STORE_PICKUP` when the customer collects). Its id, `<order_id>@<location_id>`, is the
external id the warehouse or the store is given, so a resend upserts instead of duplicating.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from shared.models.base import Model
from shared.models.common import LocationId, Sku

ANY_CHANNEL = "*"


class SourcingRule(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=64)]
    channels: Annotated[list[str], Field(min_length=1, max_length=20)]
    # Candidate locations, most preferred first; each must exist and fulfil online orders.
    locations: Annotated[list[LocationId], Field(min_length=1, max_length=20)]
    allow_split: bool = False
    max_locations: Annotated[int, Field(ge=1, le=10)] = 1

    @field_validator("locations", "channels")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("entries must not repeat")
        return value

    def applies_to(self, channel: str) -> bool:
        return ANY_CHANNEL in self.channels or channel in self.channels


class SourcingRules(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal["1"] = "1"
    rules: Annotated[list[SourcingRule], Field(min_length=1, max_length=50)]

    def rule_for(self, channel: str) -> SourcingRule | None:
        return next((rule for rule in self.rules if rule.applies_to(channel)), None)


class FulfilmentMethod(StrEnum):
    SHIP_FROM_DC = "SHIP_FROM_DC"
    SHIP_FROM_STORE = "SHIP_FROM_STORE"
    STORE_PICKUP = "STORE_PICKUP"


class InstructionLine(Model):
    sku: Sku
    quantity: Annotated[int, Field(gt=0)]


class InstructionStatus(StrEnum):
    PLANNED = "PLANNED"  # sourced and reserved, not yet sent
    RELEASED = "RELEASED"  # the warehouse or store has it
    SHIPPED = "SHIPPED"  # every unit shipped (partial shipments add up to it)
    CANCELLED = "CANCELLED"  # the warehouse or store confirmed the cancel
    CANCEL_REFUSED = "CANCEL_REFUSED"  # too late: the parcel had left


class FulfilmentInstruction(Model):
    instruction_id: str
    location_id: LocationId
    method: FulfilmentMethod
    lines: Annotated[list[InstructionLine], Field(min_length=1)]
    status: InstructionStatus = InstructionStatus.PLANNED

    def quantities(self) -> dict[str, int]:
        return {line.sku: line.quantity for line in self.lines}


def instruction_id(order_id: str, location_id: str) -> str:
    return f"{order_id}@{location_id}"


class StoredInstruction(FulfilmentInstruction):
    """An instruction as the state table keeps it (shared/adapters/fulfilment_instructions.py)."""

    model_config = ConfigDict(extra="ignore")

    order_id: str
    channel: str
    channel_order_id: str
    correlation_id: str
    wms_id: str | None = None
    shipped: dict[str, int] = Field(default_factory=dict)
    shipments: list[str] = Field(default_factory=list)
    updated_at: str | None = None

    def fully_shipped(self) -> bool:
        return all(self.shipped.get(line.sku, 0) >= line.quantity for line in self.lines)
