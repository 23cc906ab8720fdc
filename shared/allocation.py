"""Channel allocation (pure): per-location available-to-promise + rules -> units per channel.

Order of work, per SKU:
1. Pools, channel by channel in the rules' order (earlier channels have priority), each drawing
   from its locations in the order listed until the pool is full or they are empty.
2. Shares of what each location has left after every pool: floor(share x left), so the shares
   of one location (at most 1 together, which the rules' validation guarantees) never add up to
   more than what is left.
3. Buffers: a channel is told its units minus its buffer (never below zero). Held-back units stay
   committed to that channel: they are not offered elsewhere.

Hence, at every location: sum over channels of committed units <= ATP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from shared.atp import available_to_promise
from shared.models import InventoryPosition
from shared.models.allocation import AllocationRules, ChannelRule


@dataclass(frozen=True)
class ChannelAllocation:
    channel: str
    units: int  # what the channel is told it may sell
    committed: dict[str, int] = field(default_factory=dict)  # per location, buffer included
    buffer_held: int = 0

    @property
    def committed_total(self) -> int:
        return sum(self.committed.values())


def atp_by_location(positions: Iterable[InventoryPosition]) -> dict[str, int]:
    return {p.location_id: max(available_to_promise(p), 0) for p in positions}


def _feeding(rule: ChannelRule, locations: Iterable[str]) -> list[str]:
    known = list(locations)
    if rule.every_location:
        return sorted(known)
    return [location_id for location_id in rule.locations if location_id in set(known)]


def _floor_share(share: Decimal, units: int) -> int:
    return int((share * units).to_integral_value(rounding=ROUND_FLOOR))


def allocate(atp: Mapping[str, int], rules: AllocationRules | None) -> dict[str, ChannelAllocation]:
    """Units per channel (every channel in the rules, in their order); no rules: nothing is offered."""
    if rules is None:
        return {}
    left = {location_id: max(int(units), 0) for location_id, units in atp.items()}
    committed: dict[str, dict[str, int]] = {rule.channel: {} for rule in rules.channels}

    for rule in rules.channels:
        need = rule.pool or 0
        for location_id in _feeding(rule, left):
            if need <= 0:
                break
            take = min(need, left[location_id])
            if take:
                committed[rule.channel][location_id] = take
                left[location_id] -= take
                need -= take

    after_pools = dict(left)
    for rule in rules.channels:
        if rule.share is None:
            continue
        for location_id in _feeding(rule, after_pools):
            take = _floor_share(rule.share, after_pools[location_id])
            if take:
                mine = committed[rule.channel]
                mine[location_id] = mine.get(location_id, 0) + take
                left[location_id] -= take
    if any(units < 0 for units in left.values()):  # only reachable with rules that bypassed validation
        raise ValueError("allocation rules promise more than a location holds")

    result: dict[str, ChannelAllocation] = {}
    for rule in rules.channels:
        total = sum(committed[rule.channel].values())
        told = max(total - rule.buffer, 0)
        result[rule.channel] = ChannelAllocation(
            channel=rule.channel,
            units=told,
            committed=dict(sorted(committed[rule.channel].items())),
            buffer_held=total - told,
        )
    return result


def channel_units(positions: Iterable[InventoryPosition], rules: AllocationRules | None) -> dict[str, int]:
    """What each channel may sell of one SKU (the ops view's `channels`, what the publisher pushes)."""
    return {channel: a.units for channel, a in allocate(atp_by_location(positions), rules).items()}
