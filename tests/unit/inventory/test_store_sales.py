"""What each kind of sale does to stock (issue 7 item 6).

- an online order (Shopify, a marketplace, even one fulfilled from a store) reserves: on hand
  unchanged, reserved += q, ON_HOLD when short (tests/unit/orders/test_stock_reservation.py);
- a completed store sale (Square, a POS file's SALE row) is never reserved and never held: on hand
  at its store -= q, once, reserved unchanged; what the count did not hold becomes a variance
  (a reconciliation exception, `sale_exceeded_count`) and on hand stops at zero;
- a store sale and a count are ordered by time: a sale the count already saw changes nothing, and
  a count taken before a sale we applied does not overwrite it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.inventory.dal.positions import DynamoPositionStore
from functions.inventory.logic.movements import apply_effects, effects_of
from functions.inventory.logic.stock import apply_adjustment
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.adapters.state_store import DynamoStateStore
from shared.adapters.store_sale_store import DynamoStoreSaleStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.channels.pos_csv import PosReceipt, order_from_receipt, parse_pos_file
from shared.errors import StaleUpdate
from shared.models import InventoryAdjustment, InventoryMovement, InventoryPosition, Order
from shared.models.order_flow import FlowInput, ReserveOutcome
from shared.retry import RetryPolicy
from shared.store_sales import (
    SaleLine,
    epoch_ms,
    is_store_sale,
    plan_sale,
)
from tests.fakes.aws import STATE_TABLE
from tests.fakes.builders import order
from tests.unit.channels.pull_fakes import POS_FILE, POS_TIME_ZONES, pos_text

STORE = "franchise-0042"
DC = "dc-east"
SOLD_AT = datetime(2026, 11, 23, 10, tzinfo=UTC)  # the builders' placed_at
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
POLICY = ReservePolicy(default_location_id=DC, retry=RetryPolicy(max_attempts=5, sleep=lambda _: None))


# The pure rule -------------------------------------------------------------------------------------


def test_a_covered_sale_takes_its_units_off_on_hand_and_leaves_reserved_alone() -> None:
    current = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=5, reserved=2, version=3)

    plan = plan_sale(current, "SKU-1", STORE, [SaleLine("s1", 2)], epoch_ms(SOLD_AT), NOW)

    assert plan.position is not None
    assert (plan.position.on_hand, plan.position.reserved, plan.taken, plan.shortfall) == (3, 2, 2, 0)
    assert plan.position.version == 4  # a reservation that read version 3 re-reads


def test_a_sale_the_count_did_not_cover_stops_on_hand_at_zero_and_reports_the_shortfall() -> None:
    current = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=1)

    plan = plan_sale(current, "SKU-1", STORE, [SaleLine("s1", 3)], epoch_ms(SOLD_AT), NOW)

    assert plan.position is not None
    assert (plan.position.on_hand, plan.taken, plan.shortfall) == (0, 1, 2)


def test_a_sale_the_last_count_already_saw_changes_nothing() -> None:
    counted = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=5, counted_at_ms=epoch_ms(SOLD_AT) + 1)

    plan = plan_sale(counted, "SKU-1", STORE, [SaleLine("s1", 2)], epoch_ms(SOLD_AT), NOW)

    assert plan.stale and plan.position is None


@given(
    on_hand=st.integers(0, 50),
    reserved=st.integers(0, 50),
    sold=st.lists(st.integers(1, 20), min_size=1, max_size=6),
)
def test_on_hand_is_never_negative_and_every_unit_sold_is_taken_or_reported(
    on_hand: int, reserved: int, sold: list[int]
) -> None:
    current = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=on_hand, reserved=reserved)
    lines = [SaleLine(f"s{i}", q) for i, q in enumerate(sold)]

    plan = plan_sale(current, "SKU-1", STORE, lines, epoch_ms(SOLD_AT), NOW)

    assert plan.position is not None
    assert plan.position.on_hand == max(on_hand - sum(sold), 0) >= 0
    assert plan.taken + plan.shortfall == sum(sold)
    assert plan.position.reserved == reserved
    assert plan.position.available <= plan.position.on_hand


def test_only_completed_till_sales_take_the_store_sale_path() -> None:
    assert is_store_sale(order(channel="square", location_id="D7AVYMEAPJ3A3"))
    assert is_store_sale(order(channel="pos", location_id=STORE))
    # an online order fulfilled from a store (ship from store, pickup) is reserved as usual
    assert not is_store_sale(order(channel="shopify", location_id=STORE))


# Counts against sales, by time ------------------------------------------------------------------


def _count(on_hand: int, at: datetime, sequence: int = 50) -> InventoryAdjustment:
    return InventoryAdjustment(
        event_id=f"count-{sequence}",
        sku="SKU-1",
        location_id=STORE,
        on_hand=on_hand,
        source_sequence=sequence,
        occurred_at=at,
    )


def test_a_count_taken_before_a_sale_we_applied_does_not_overwrite_it() -> None:
    sold = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=4, sold_through_ms=epoch_ms(SOLD_AT))

    assert apply_adjustment(sold, _count(5, SOLD_AT - timedelta(minutes=5)), NOW) is None
    later = apply_adjustment(sold, _count(7, SOLD_AT + timedelta(minutes=5)), NOW)
    assert later is not None and later.on_hand == 7 and later.counted_at_ms == epoch_ms(SOLD_AT) + 300_000


def test_a_cycle_count_movement_older_than_a_sale_is_stale_and_a_newer_one_applies() -> None:
    sold = InventoryPosition(sku="SKU-1", location_id=STORE, on_hand=4, sold_through_ms=epoch_ms(SOLD_AT))

    def count(at: datetime) -> InventoryMovement:
        return InventoryMovement.model_validate(
            {
                "event_id": f"cc-{at.minute}",
                "kind": "cycle_count",
                "sku": "SKU-1",
                "location_id": STORE,
                "quantity": 9,
                "source_sequence": 60,
                "occurred_at": at,
            }
        )

    older = apply_effects(sold, "SKU-1", STORE, effects_of(count(SOLD_AT - timedelta(minutes=1))), NOW)
    newer = apply_effects(sold, "SKU-1", STORE, effects_of(count(SOLD_AT + timedelta(minutes=1))), NOW)

    assert (older.applied, older.position.on_hand) == ((), 4)
    assert (newer.position.on_hand, newer.position.counted_at_ms) == (9, epoch_ms(SOLD_AT) + 60_000)


# ReserveStock and DynamoDB (moto) ---------------------------------------------------------------


class World:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.state = DynamoStateStore(STATE_TABLE, client)
        self.sales = DynamoStoreSaleStore(STATE_TABLE, client)
        self.positions = DynamoPositionStore(STATE_TABLE, client)
        self.trace = MemoryTraceStore()

    def count(self, sku: str, location_id: str, on_hand: int, at: datetime = SOLD_AT - timedelta(hours=2)) -> None:
        self.positions.apply_adjustment(
            InventoryAdjustment(
                event_id=f"count-{sku}",
                sku=sku,
                location_id=location_id,
                on_hand=on_hand,
                source_sequence=10,
                occurred_at=at,
            ),
            NOW,
        )

    def sell(self, sale: Order, event_id: str = "evt-1") -> Any:
        flow = FlowInput(action="accept", correlation_id=f"corr-{event_id}", event_id=event_id, order=sale)
        return reserve_stock(flow, self.state, self.trace, POLICY, now=lambda: NOW, sales=self.sales)

    def position(self, sku: str, location_id: str = STORE) -> InventoryPosition:
        return self.state.get_positions(location_id, [sku])[sku]

    def variances(self) -> list[dict[str, Any]]:
        return DynamoReconciliationStore(STATE_TABLE, client=self.client).exceptions(status="OPEN")


@pytest.fixture
def world(dynamodb: Any) -> World:
    return World(dynamodb)


def test_a_franchise_till_sale_lowers_on_hand_at_its_store_and_is_never_on_hold(world: World) -> None:
    # GIVEN 2 PINK counted at the store, 1 of them reserved for an online pickup order (1 available)
    world.count("PINK", STORE, 2)
    assert world.sell(order("S0", {"PINK": 1}, channel="shopify", location_id=STORE)).outcome is ReserveOutcome.RESERVED
    # WHEN the till sells 2 (more than available: reserving it would have put the sale ON_HOLD)
    sale = order("T1", {"PINK": 2}, channel="pos", location_id=STORE)
    result = world.sell(sale)
    # THEN on hand falls by 2 at the store, the pickup's reservation stays, the flow goes on to the ERP
    assert result.outcome is ReserveOutcome.SOLD and result.location_id == STORE
    assert (world.position("PINK").on_hand, world.position("PINK").reserved) == (0, 1)
    assert world.state.get_reservation(sale.order_id) is None  # nothing for the expiry sweep to give back
    assert world.variances() == []  # the count covered the sale


def test_a_sale_beyond_the_count_is_a_variance_not_a_refusal(world: World) -> None:
    # GIVEN the store has no GREEN on our books (the demo's franchise sale T000984)
    sale = order("T000984", {"GREEN": 1, "PINK": 1}, channel="pos", location_id=STORE)
    world.count("PINK", STORE, 2)

    result = world.sell(sale)

    assert result.outcome is ReserveOutcome.SOLD
    assert [(s.sku, s.requested, s.available) for s in result.shortages] == [("GREEN", 1, 0)]
    assert (world.position("GREEN").on_hand, world.position("PINK").on_hand) == (0, 1)
    [variance] = world.variances()
    assert (variance["sku"], variance["location_id"], variance["source"]) == ("GREEN", STORE, "pos")
    assert (variance["ours"], variance["theirs"], variance["units"]) == (0, -1, -1)
    assert variance["reason"].startswith("sale_exceeded_count")
    assert variance["run_id"] == f"store-sale:{sale.order_id}"


def test_a_sale_delivered_again_lowers_on_hand_once_and_raises_one_variance(world: World) -> None:
    world.count("PINK", STORE, 1)
    sale = order("T2", {"PINK": 2}, channel="square", location_id=STORE)

    outcomes = [world.sell(sale, "payment-event").outcome, world.sell(sale, "order-event").outcome]

    assert outcomes == [ReserveOutcome.SOLD, ReserveOutcome.SOLD]  # the ERP upsert downstream is by external id
    assert world.position("PINK").on_hand == 0
    assert len(world.variances()) == 1
    assert world.trace.entries[-1]["detail"]["already_applied"] == ["PINK"]


def test_a_pos_file_replayed_changes_stock_once(world: World) -> None:
    # GIVEN the franchise file's sales (T000981: 1 PINK + 2 CASE, T000982: 1 BLACK)
    parsed = parse_pos_file(pos_text("pos/franchise-0042_2026-11-22"), POS_TIME_ZONES, POS_FILE)
    sales = [
        order_from_receipt(PosReceipt.model_validate(r))
        for r in parsed.receipts
        if r["transaction_type"] == "SALE" and r["transaction_id"] in ("T000981", "T000982")
    ]
    for sku, units in (("IPOD2008PINK", 4), ("CASE-IPOD-CLEAR", 6), ("IPOD2008BLACK", 3)):
        world.count(sku, STORE, units, at=datetime(2026, 11, 22, 6, tzinfo=UTC))
    # WHEN the file is imported twice (a re-export, a redelivery)
    for _ in range(2):
        for sale in sales:
            assert world.sell(sale, f"evt-{sale.channel_order_id}").outcome is ReserveOutcome.SOLD
    # THEN each sale took its units once
    assert [world.position(s).on_hand for s in ("IPOD2008PINK", "CASE-IPOD-CLEAR", "IPOD2008BLACK")] == [3, 4, 2]


def test_a_sale_older_than_the_last_count_is_already_in_it(world: World) -> None:
    world.count("PINK", STORE, 5, at=SOLD_AT + timedelta(minutes=10))  # counted after the sale

    result = world.sell(order("T3", {"PINK": 2}, channel="pos", location_id=STORE))

    assert result.outcome is ReserveOutcome.SOLD
    assert world.position("PINK").on_hand == 5
    assert world.trace.entries[-1]["detail"]["in_last_count"] == ["PINK"]


def test_a_count_older_than_an_applied_sale_arriving_late_is_refused(world: World) -> None:
    world.count("PINK", STORE, 5)
    world.sell(order("T4", {"PINK": 2}, channel="pos", location_id=STORE))

    with pytest.raises(StaleUpdate):
        world.positions.apply_adjustment(
            InventoryAdjustment(
                event_id="late-count",
                sku="PINK",
                location_id=STORE,
                on_hand=5,
                source_sequence=11,
                occurred_at=SOLD_AT - timedelta(minutes=1),
            ),
            NOW,
        )
    assert world.position("PINK").on_hand == 3


def test_an_online_order_at_the_store_still_reserves(world: World) -> None:
    world.count("PINK", STORE, 4)

    result = world.sell(order("S1", {"PINK": 1}, channel="shopify", location_id=STORE))

    assert result.outcome is ReserveOutcome.RESERVED
    assert (world.position("PINK").on_hand, world.position("PINK").reserved) == (4, 1)
