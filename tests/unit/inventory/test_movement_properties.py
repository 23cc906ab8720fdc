"""Invariants of positions under any interleaving of movements, redeliveries and reservations."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.inventory.logic.movements import apply_effects, group_effects
from shared.models import InventoryMovement, InventoryPosition, MovementKind

LOC = "dc-east"
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
LOCAL_KINDS = [k for k in MovementKind if k is not MovementKind.TRANSFER_OUT]


@st.composite
def movements(draw: st.DrawFn) -> list[InventoryMovement]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        kind = draw(st.sampled_from(LOCAL_KINDS))
        if kind is MovementKind.ADJUSTMENT:
            quantity = draw(st.integers(min_value=-20, max_value=20).filter(bool))
        elif kind in (MovementKind.CYCLE_COUNT, MovementKind.SAFETY_STOCK):
            quantity = draw(st.integers(min_value=0, max_value=40))
        else:
            quantity = draw(st.integers(min_value=1, max_value=20))
        out.append(
            InventoryMovement(
                event_id=f"e{i}",
                kind=kind,
                sku="SKU-1",
                location_id=LOC,
                quantity=quantity,
                from_quarantine=draw(st.booleans()),
                source_sequence=draw(st.integers(min_value=0, max_value=60)),
                occurred_at=NOW,
            )
        )
    return out


class Position:
    """The DAL's semantics in memory: a marker per event, one aggregated write per batch."""

    def __init__(self) -> None:
        self.position: InventoryPosition | None = None
        self.markers: set[str] = set()

    def apply(self, batch: list[InventoryMovement]) -> None:
        effects = [e for e in group_effects(batch).get(("SKU-1", LOC), []) if e.event_id not in self.markers]
        change = apply_effects(self.position, "SKU-1", LOC, effects, NOW)
        self.markers.update(e.event_id for e in effects)
        if change.changed:
            self.position = change.position

    def reserve(self, quantity: int) -> None:
        # What ReserveStock does under its version lock: only what is available to promise.
        if self.position is not None and self.position.available >= quantity:
            self.position = self.position.model_copy(update={"reserved": self.position.reserved + quantity})

    def release(self, quantity: int) -> None:
        if self.position is not None:
            self.position = self.position.model_copy(
                update={"reserved": self.position.reserved - min(quantity, self.position.reserved)}
            )


def check(position: InventoryPosition | None) -> None:
    if position is None:
        return
    p = InventoryPosition.model_validate(position.model_dump(exclude={"available"}))  # constraints re-checked
    assert p.on_hand >= 0 and p.reserved >= 0 and p.damaged >= 0 and p.in_transit >= 0 and p.safety_stock >= 0
    assert p.available == max(p.on_hand - p.reserved - p.damaged - p.safety_stock, 0)
    assert 0 <= p.available <= p.on_hand
    assert "available" not in p.to_item()


@settings(max_examples=150, deadline=None)
@given(
    moves=movements(),
    data=st.data(),
)
def test_any_interleaving_keeps_counts_non_negative_and_atp_derived(
    moves: list[InventoryMovement], data: st.DataObject
) -> None:
    # GIVEN the movements delivered in any order, some twice, in batches of any size, with
    # reservations and releases in between
    delivered = data.draw(
        st.permutations(moves + data.draw(st.lists(st.sampled_from(moves), max_size=5)) if moves else [])
    )
    position = Position()
    i = 0
    while i < len(delivered):
        size = data.draw(st.integers(min_value=1, max_value=6))
        position.apply(delivered[i : i + size])
        check(position.position)
        if data.draw(st.booleans()):
            position.reserve(data.draw(st.integers(min_value=1, max_value=5)))
        else:
            position.release(data.draw(st.integers(min_value=1, max_value=5)))
        check(position.position)
        i += size


@settings(max_examples=100, deadline=None)
@given(moves=movements(), data=st.data())
def test_redelivering_everything_changes_nothing(moves: list[InventoryMovement], data: st.DataObject) -> None:
    position = Position()
    position.apply(moves)
    before = position.position
    position.apply(data.draw(st.permutations(moves)))
    assert position.position == before


@settings(max_examples=100, deadline=None)
@given(
    deltas=st.lists(st.integers(min_value=-5, max_value=30).filter(bool), min_size=1, max_size=20),
    data=st.data(),
)
def test_deltas_after_a_count_give_the_same_stock_in_any_order(deltas: list[int], data: st.DataObject) -> None:
    # GIVEN a count large enough that no order of the deltas can drive stock below zero
    count = InventoryMovement(
        event_id="count",
        kind=MovementKind.CYCLE_COUNT,
        sku="SKU-1",
        location_id=LOC,
        quantity=200,
        source_sequence=1,
        occurred_at=NOW,
    )
    moves = [
        InventoryMovement(
            event_id=f"d{i}",
            kind=MovementKind.ADJUSTMENT,
            sku="SKU-1",
            location_id=LOC,
            quantity=q,
            source_sequence=2 + i,
            occurred_at=NOW,
        )
        for i, q in enumerate(deltas)
    ]
    position = Position()
    position.apply([count])
    shuffled = data.draw(st.permutations(moves))
    for start in range(0, len(shuffled), 3):
        position.apply(shuffled[start : start + 3])
    assert position.position is not None
    assert position.position.on_hand == 200 + sum(deltas)
    assert position.position.last_sequence == 1 + len(deltas)
