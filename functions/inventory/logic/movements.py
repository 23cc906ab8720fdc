"""Stock movements (pure): what each kind does to a position, and a batch of them applied at once.

A movement becomes one `Effect` per position it touches (a transfer out touches two: on hand at the
origin, in transit at the destination). Effects on one position are aggregated: however many
movements a batch holds for a hot SKU, the position is written once (docs/inventory.md).

Ordering rules, per SKU and location (the WMS sequence is the source order):
- deltas (receipt, pick, sale, return, transfer, damage, write-off, adjustment) commute, so they
  apply in any order, each once (idempotent by event id: a marker item per event and position);
  a delta to `on_hand` not newer than the last absolute count is already in that count: stale;
- a cycle count (absolute) applies only when newer than every change applied to `on_hand`, so an
  older count never overwrites later movements;
- safety stock (absolute) has its own sequence;
- a count taken before the latest till sale applied here (`sold_through_ms`, shared/store_sales.py)
  is stale too: the POS is not in the WMS's sequence, so sales and counts are ordered by time.
Counts never go negative: a batch's net change that would take a counter below zero leaves zero
and reports the shortfall (the WMS knew of units we missed; reconciliation will see it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from shared.models import InventoryMovement, InventoryPosition, MovementKind

DELTA_COUNTERS = ("on_hand", "in_transit", "damaged")


@dataclass(frozen=True)
class Effect:
    """What one movement does to one position (deltas, or an absolute level)."""

    event_id: str
    kind: MovementKind
    sku: str
    location_id: str
    sequence: int
    on_hand: int = 0
    in_transit: int = 0
    damaged: int = 0
    count: int | None = None
    safety_stock: int | None = None
    at_ms: int = 0  # when it happened (epoch ms): orders a count against till sales

    @property
    def key(self) -> tuple[str, str]:
        return (self.sku, self.location_id)

    @property
    def is_absolute(self) -> bool:
        return self.count is not None or self.safety_stock is not None

    @property
    def touches_on_hand(self) -> bool:
        return self.count is not None or self.on_hand != 0

    def delta(self, counter: str) -> int:
        value: int = getattr(self, counter)
        return value


def effects_of(movement: InventoryMovement) -> list[Effect]:
    """The effects of one movement; a transfer out also adds to the destination's in-transit."""
    kind, q = movement.kind, movement.quantity

    def here(**changes: int | None) -> Effect:
        return Effect(
            event_id=movement.event_id,
            kind=kind,
            sku=movement.sku,
            location_id=movement.location_id,
            sequence=movement.source_sequence,
            at_ms=int(movement.occurred_at.timestamp() * 1000),
            **changes,  # type: ignore[arg-type]
        )

    if kind in (MovementKind.RECEIPT, MovementKind.ADJUSTMENT):
        return [here(on_hand=q)]
    if kind in (MovementKind.PICK, MovementKind.STORE_SALE):
        return [here(on_hand=-q)]
    if kind is MovementKind.RETURN_TO_STOCK:
        # Released from quarantine: the units were on hand already, they only become sellable.
        return [here(damaged=-q)] if movement.from_quarantine else [here(on_hand=q)]
    if kind is MovementKind.DAMAGE:
        return [here(damaged=q)]
    if kind is MovementKind.WRITE_OFF:
        return [here(on_hand=-q, damaged=-q)]
    if kind is MovementKind.TRANSFER_IN:
        return [here(on_hand=q, in_transit=-q)]
    if kind is MovementKind.TRANSFER_OUT:
        destination = movement.counterpart_location_id
        assert destination is not None  # the model requires it for transfer_out
        inbound = Effect(
            event_id=movement.event_id,
            kind=kind,
            sku=movement.sku,
            location_id=destination,
            sequence=movement.source_sequence,
            in_transit=q,
        )
        return [here(on_hand=-q), inbound]
    if kind is MovementKind.CYCLE_COUNT:
        return [here(count=q)]
    return [here(safety_stock=q)]  # MovementKind.SAFETY_STOCK


def group_effects(movements: Iterable[InventoryMovement]) -> dict[tuple[str, str], list[Effect]]:
    """Effects per (sku, location), each event at most once per position, in source order."""
    groups: dict[tuple[str, str], dict[str, Effect]] = {}
    for movement in movements:
        for effect in effects_of(movement):
            groups.setdefault(effect.key, {}).setdefault(effect.event_id, effect)
    return {
        key: sorted(by_event.values(), key=lambda e: (e.sequence, e.event_id))
        for key, by_event in sorted(groups.items())
    }


@dataclass(frozen=True)
class PositionChange:
    """A position after a group of effects, and which of them changed something."""

    position: InventoryPosition
    applied: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    shortfall: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def apply_effects(
    current: InventoryPosition | None,
    sku: str,
    location_id: str,
    effects: Sequence[Effect],
    at: datetime,
) -> PositionChange:
    """The exact semantics (the DAL's read-then-write path, and the model the fast path must match).

    Effects are taken in source order; deltas are summed and the net applied once, clamped at zero,
    so the outcome does not depend on how the batch happened to be ordered.
    """
    base = current or InventoryPosition(sku=sku, location_id=location_id, count_sequence=-1)
    on_hand = base.on_hand
    count_sequence = base.counted_at_sequence
    last_sequence = base.last_sequence
    safety_stock, safety_sequence = base.safety_stock, base.safety_sequence
    counted_at_ms = base.counted_at_ms
    net = dict.fromkeys(DELTA_COUNTERS, 0)
    applied: list[str] = []
    stale: list[str] = []
    for effect in sorted(effects, key=lambda e: (e.sequence, e.event_id)):
        if effect.count is not None:
            if effect.sequence <= last_sequence or effect.at_ms < base.sold_through_ms:
                stale.append(effect.event_id)
                continue
            # Deltas summed so far are older than this count: the count already reflects them.
            on_hand, net["on_hand"] = effect.count, 0
            count_sequence = last_sequence = effect.sequence
            counted_at_ms = max(counted_at_ms, effect.at_ms)
            applied.append(effect.event_id)
        elif effect.safety_stock is not None:
            if effect.sequence <= safety_sequence:
                stale.append(effect.event_id)
                continue
            safety_stock, safety_sequence = effect.safety_stock, effect.sequence
            applied.append(effect.event_id)
        else:
            on_hand_fresh = effect.sequence > count_sequence
            if effect.on_hand and on_hand_fresh:
                net["on_hand"] += effect.on_hand
                last_sequence = max(last_sequence, effect.sequence)
            net["in_transit"] += effect.in_transit
            net["damaged"] += effect.damaged
            if (effect.on_hand and on_hand_fresh) or effect.in_transit or effect.damaged:
                applied.append(effect.event_id)
            else:
                stale.append(effect.event_id)
    totals = {"on_hand": on_hand, "in_transit": base.in_transit, "damaged": base.damaged}
    shortfall: dict[str, int] = {}
    for counter in DELTA_COUNTERS:
        value = totals[counter] + net[counter]
        if value < 0:
            shortfall[counter] = -value
        totals[counter] = max(value, 0)
    if not applied:
        return PositionChange(position=base, stale=tuple(stale))
    position = base.model_copy(
        update={
            **totals,
            "last_sequence": last_sequence,
            "count_sequence": count_sequence,
            "counted_at_ms": counted_at_ms,
            "safety_stock": safety_stock,
            "safety_sequence": safety_sequence,
            "version": base.version + 1,
            "updated_at": at,
        }
    )
    return PositionChange(position=position, applied=tuple(applied), stale=tuple(stale), shortfall=shortfall)


@dataclass(frozen=True)
class GroupResult:
    """What happened to one position: the change (applied / stale) and the repeated deliveries."""

    change: PositionChange
    duplicates: tuple[str, ...] = ()
    fast: bool = False
    writes: int = 0  # items written in the committed transaction (markers + the position)


@dataclass(frozen=True)
class FastUpdate:
    """A group of deltas as one conditional ADD: no read, and concurrent batches do not conflict.

    Valid only while the condition holds: every on-hand delta newer than the last count, none of
    them older than what was applied (so `last_sequence` moves forward), and no counter driven below
    zero. Otherwise the DAL falls back to reading the position and `apply_effects`.
    """

    net: dict[str, int]
    min_on_hand_sequence: int | None
    max_on_hand_sequence: int | None

    @property
    def needs(self) -> dict[str, int]:
        """Counter -> the value it must hold at least (only for counters the batch lowers)."""
        return {counter: -delta for counter, delta in self.net.items() if delta < 0}


def fast_update(effects: Sequence[Effect]) -> FastUpdate | None:
    """The ADD form of a group, or None when it holds an absolute level (read-then-write instead)."""
    if any(effect.is_absolute for effect in effects):
        return None
    net = {counter: sum(effect.delta(counter) for effect in effects) for counter in DELTA_COUNTERS}
    sequences = [effect.sequence for effect in effects if effect.on_hand]
    return FastUpdate(
        net=net,
        min_on_hand_sequence=min(sequences) if sequences else None,
        max_on_hand_sequence=max(sequences) if sequences else None,
    )
