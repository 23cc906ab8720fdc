"""Sourcing (pure, issue 10.1): which locations an order's units are reserved at and leave from.

The rules are data (shared/models/fulfilment.py, `shared/data/sourcing_rules.json`). For an order:

1. An order that names its fulfilment location (store pickup, a channel-chosen node) is held there,
   all lines or none: the customer was promised that place.
2. Otherwise the first rule for its channel lists candidate locations in order of preference. The
   first candidate holding every line takes the whole order: no split when none is needed.
3. If none does and the rule allows a split, candidates are taken in order, each given every line
   it can fill whole (a SKU's units leave from one place, so a line is never cut in two), until
   every line has a place; a plan needing more than `max_locations` places is not taken.
4. Otherwise the order is short: nothing is reserved and it waits ON_HOLD, its shortages those of
   the first candidate (where it would have gone had stock been there).

The plan's writes go to DynamoDB in one transaction with the reservation (all or nothing), under
the same optimistic locks as a single-location reservation (shared/reservation.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shared.locations import LocationRegistry, load_locations
from shared.models import InventoryPosition, LocationKind, Order
from shared.models.fulfilment import (
    FulfilmentInstruction,
    FulfilmentMethod,
    InstructionLine,
    SourcingRules,
    instruction_id,
)
from shared.models.state import Reservation, Shortage
from shared.reservation import PositionReserve, plan_reservation

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "data" / "sourcing_rules.json"

Positions = Mapping[str, Mapping[str, InventoryPosition]]  # location -> sku -> position


class InvalidSourcingRules(ValueError):
    """A rule names a location that does not exist or does not fulfil online orders."""


@dataclass(frozen=True)
class Candidates:
    locations: tuple[str, ...]
    allow_split: bool = False
    max_locations: int = 1
    pickup: bool = False  # the order named its location: a store there means the customer collects


@dataclass(frozen=True)
class SourcingPlan:
    # Per location (in the order chosen), the units reserved there; empty when short.
    lines_by_location: dict[str, dict[str, int]] = field(default_factory=dict)
    writes: tuple[PositionReserve, ...] = ()
    shortages: tuple[Shortage, ...] = ()

    @property
    def is_short(self) -> bool:
        return bool(self.shortages)

    @property
    def location_id(self) -> str:
        """The first location: the reservation's own (the ERP order's header location)."""
        return next(iter(self.lines_by_location))


def check_rules(rules: SourcingRules, registry: LocationRegistry) -> SourcingRules:
    for rule in rules.rules:
        for location_id in rule.locations:
            location = registry.get(location_id)
            if location is None:
                raise InvalidSourcingRules(f"rule {rule.name!r}: unknown location {location_id}")
            if not location.fulfils_online:
                raise InvalidSourcingRules(f"rule {rule.name!r}: {location_id} does not fulfil online orders")
    return rules


@lru_cache(maxsize=4)
def load_rules(path: Path = DEFAULT_RULES_FILE) -> SourcingRules:
    """The rules the functions' asset carries (a retailer edits `shared/data/sourcing_rules.json`
    and deploys), checked against the location registry once per container."""
    return check_rules(SourcingRules.model_validate_json(path.read_bytes()), load_locations())


def candidates_for(order: Order, rules: SourcingRules | None, default_location_id: str) -> Candidates:
    if order.fulfilment_location_id:
        return Candidates((order.fulfilment_location_id,), pickup=True)
    rule = rules.rule_for(order.channel) if rules is not None else None
    if rule is None:
        return Candidates((default_location_id,))
    return Candidates(tuple(rule.locations), rule.allow_split, rule.max_locations)


def plan_sourcing(quantities: Mapping[str, int], candidates: Candidates, positions: Positions) -> SourcingPlan:
    """`positions` holds what was read for the candidates (a location not read counts as empty)."""
    first = candidates.locations[0]
    for location_id in candidates.locations:
        single = plan_reservation(quantities, location_id, positions.get(location_id, {}))
        if not single.is_short:
            return SourcingPlan({location_id: dict(sorted(quantities.items()))}, single.writes)
    if candidates.allow_split and candidates.max_locations > 1:
        split = _split(quantities, candidates, positions)
        if split is not None:
            return split
    short = plan_reservation(quantities, first, positions.get(first, {}))
    return SourcingPlan(shortages=short.shortages)


def _split(quantities: Mapping[str, int], candidates: Candidates, positions: Positions) -> SourcingPlan | None:
    left = dict(sorted(quantities.items()))
    chosen: dict[str, dict[str, int]] = {}
    writes: list[PositionReserve] = []
    for location_id in candidates.locations:
        here = positions.get(location_id, {})
        fills = {sku: q for sku, q in left.items() if sku in here and here[sku].available >= q}
        if not fills:
            continue
        plan = plan_reservation(fills, location_id, here)
        chosen[location_id] = fills
        writes.extend(plan.writes)
        for sku in fills:
            del left[sku]
        if not left:
            break
    if left or len(chosen) > candidates.max_locations:
        return None
    return SourcingPlan(chosen, tuple(writes))


def method_at(location_id: str, registry: LocationRegistry, pickup: bool = False) -> FulfilmentMethod:
    location = registry.get(location_id)
    at_store = location is not None and location.kind is LocationKind.STORE
    if at_store:
        return FulfilmentMethod.STORE_PICKUP if pickup else FulfilmentMethod.SHIP_FROM_STORE
    return FulfilmentMethod.SHIP_FROM_DC


def instructions(
    order_id: str, lines_by_location: Mapping[str, Mapping[str, int]], registry: LocationRegistry, pickup: bool = False
) -> list[FulfilmentInstruction]:
    return [
        FulfilmentInstruction(
            instruction_id=instruction_id(order_id, location_id),
            location_id=location_id,
            method=method_at(location_id, registry, pickup),
            lines=[InstructionLine(sku=sku, quantity=q) for sku, q in sorted(units.items())],
        )
        for location_id, units in lines_by_location.items()
    ]


def reservation_instructions(
    reservation: Reservation, registry: LocationRegistry, pickup: bool = False
) -> list[FulfilmentInstruction]:
    """The instructions a reservation stands for (a replay answers with what was reserved)."""
    return instructions(reservation.order_id, reservation.by_location(reservation.quantities()), registry, pickup)
