"""A split order (issue 10.1/10.2): reserved at two locations in one transaction, released as two
instructions, shipped in parts (each part consumes only its own location's hold), cancelled after
release (the warehouse asked first; a parcel that left refuses the cancel)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.orders.logic.cancel_order import CANCEL_REFUSED_EVENT, cancel_order
from functions.orders.logic.fulfilment_release import note_shipment, release_order
from functions.orders.logic.record_order import record_order
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.trace_store import MemoryTraceStore
from shared.models import OrderStatus
from shared.models.fulfilment import InstructionStatus
from shared.models.order_flow import ErpSalesOrderOutput, FlowInput, RecordOrderInput
from shared.models.state import ReservationStatus
from shared.retry import RetryPolicy
from shared.sourcing import load_rules
from tests.fakes.builders import adjustment, cancellation, order, shipment
from tests.fakes.instructions import FakeWarehouse, InMemoryInstructions
from tests.fakes.ports import FakeErp
from tests.unit.inventory.test_inventory_worker import World

NO_WAIT = RetryPolicy(max_attempts=5, sleep=lambda _: None)
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
POLICY = ReservePolicy("dc-east", retry=NO_WAIT, rules=load_rules())
ORDER = order("S-1", {"BOOT": 1, "SCARF": 2})
DC, STORE = "dc-east", "store-12"


class Split:
    """GIVEN boots only at the DC and scarves only at the ship-from-store store, an accepted order for both."""

    def __init__(self) -> None:
        self.world = World()
        self.world.deliver("c-1", adjustment("BOOT", on_hand=4, sequence=1, location_id=DC))
        self.world.deliver("c-2", adjustment("SCARF", on_hand=5, sequence=1, location_id=STORE))
        self.store = self.world.store
        self.trace = MemoryTraceStore()
        self.erp = FakeErp()
        self.instructions = InMemoryInstructions(self._status)
        self.warehouse = FakeWarehouse()
        flow = FlowInput(action="accept", correlation_id="corr-s1", event_id="evt-s1", order=ORDER)
        self.reserved = reserve_stock(flow, self.store, self.trace, POLICY)
        recorded = record_order(
            RecordOrderInput(
                **flow.model_dump(),
                status=OrderStatus.ACCEPTED,
                reservation=self.reserved,
                erp=ErpSalesOrderOutput(erp_sales_order_id="SO-1"),
            ),
            self.store,
            self.trace,
        )
        self.accepted: dict[str, Any] = recorded.detail
        self.erp.records[ORDER.order_id] = {"externalId": ORDER.order_id}

    def _status(self, channel: str, channel_order_id: str) -> OrderStatus | None:
        found = self.store.get_order(channel, channel_order_id)
        return found.status if found else None

    def release(self) -> dict[str, Any]:
        return release_order(self.accepted, self.store, self.instructions, self.warehouse, self.trace, lambda: NOW)

    def cancel(self, event_id: str = "evt-cancel") -> Any:
        flow = FlowInput(action="cancel", correlation_id="corr-c", event_id=event_id, cancellation=cancellation("S-1"))
        return cancel_order(
            flow, self.store, self.erp, self.trace, NO_WAIT, lambda: NOW, (self.instructions, self.warehouse)
        )

    def held(self, location_id: str, sku: str) -> tuple[int, int]:
        position = self.store.position(sku, location_id)
        return position.on_hand, position.reserved

    def ship(self, location_id: str, lines: dict[str, int], shipment_id: str, sequence: int) -> None:
        parcel = shipment("S-1", lines, location_id=location_id, shipment_id=shipment_id, sequence=sequence)
        self.world.deliver(f"e-{shipment_id}", parcel)
        note_shipment(parcel, "corr-ship", self.instructions, self.trace, lambda: NOW)


def test_an_order_no_single_location_can_fill_is_reserved_at_two_in_one_go() -> None:
    split = Split()

    assert split.reserved.outcome.value == "RESERVED"
    assert [(f.location_id, f.method.value, f.quantities()) for f in split.reserved.fulfilments] == [
        (DC, "SHIP_FROM_DC", {"BOOT": 1}),
        (STORE, "SHIP_FROM_STORE", {"SCARF": 2}),
    ]
    assert (split.held(DC, "BOOT"), split.held(STORE, "SCARF")) == ((4, 1), (5, 2))
    assert split.accepted["fulfilments"][1]["instruction_id"] == f"{ORDER.order_id}@{STORE}"


def test_each_instruction_is_sent_once_whatever_is_delivered_again() -> None:
    split = Split()

    split.release()
    split.release()  # the OrderAccepted redelivered

    assert split.warehouse.calls == [
        ("release", f"{ORDER.order_id}@{DC}"),
        ("release", f"{ORDER.order_id}@{STORE}"),
    ]
    assert {loc: split.instructions.status_of("shopify", "S-1", loc) for loc in (DC, STORE)} == {
        DC: InstructionStatus.RELEASED,
        STORE: InstructionStatus.RELEASED,
    }


def test_shipped_in_parts_each_part_consumes_only_its_own_locations_hold() -> None:
    split = Split()
    split.release()

    split.ship(STORE, {"SCARF": 1}, "p-1", 2)
    split.ship(STORE, {"SCARF": 1}, "p-1", 2)  # the same parcel reported twice
    assert split.held(STORE, "SCARF") == (4, 1)
    assert split.instructions.status_of("shopify", "S-1", STORE) is InstructionStatus.RELEASED

    split.ship(STORE, {"SCARF": 1}, "p-2", 3)
    split.ship(DC, {"BOOT": 1}, "p-3", 2)

    assert (split.held(DC, "BOOT"), split.held(STORE, "SCARF")) == ((3, 0), (3, 0))
    assert {loc: split.instructions.status_of("shopify", "S-1", loc) for loc in (DC, STORE)} == {
        DC: InstructionStatus.SHIPPED,
        STORE: InstructionStatus.SHIPPED,
    }
    reservation = split.store.get_reservation(ORDER.order_id)
    assert reservation is not None and reservation.status is ReservationStatus.CONSUMED


def test_a_cancel_after_release_stops_both_parts_and_gives_every_unit_back() -> None:
    split = Split()
    split.release()

    event = split.cancel()

    assert event.event_type == "OrderCancelled"
    assert split.warehouse.picks() == {f"{ORDER.order_id}@{DC}": "CANCELLED", f"{ORDER.order_id}@{STORE}": "CANCELLED"}
    assert (split.held(DC, "BOOT"), split.held(STORE, "SCARF")) == ((4, 0), (5, 0))
    assert split.erp.cancelled == [ORDER.order_id]


def test_a_cancel_after_one_parcel_left_cancels_only_the_part_still_in_the_building() -> None:
    split = Split()
    split.release()
    split.warehouse.shipped.add(f"{ORDER.order_id}@{DC}")  # the boots left the DC

    event = split.cancel()
    again = split.cancel()  # the cancel delivered again

    assert event.event_type == again.event_type == CANCEL_REFUSED_EVENT
    assert event.detail["refused"] == [{"location_id": DC, "lines": {"BOOT": 1}}]
    assert event.detail["cancelled"] == [{"location_id": STORE, "lines": {"SCARF": 2}}]
    order_now = split.store.get_order("shopify", "S-1")
    assert order_now is not None and order_now.status is OrderStatus.ACCEPTED
    # the scarves go back once; the boots stay held for their shipment to consume
    assert (split.held(DC, "BOOT"), split.held(STORE, "SCARF")) == ((4, 1), (5, 0))
    closed = [line for line in split.erp.records[ORDER.order_id]["item"]["items"] if line.get("isClosed")]
    assert [line["item"]["externalId"] for line in closed] == ["SCARF"]
    # the sublist is replaced whole: the store's line keeps its location
    assert closed[0]["location"] == {"externalId": STORE}
    assert split.erp.cancelled == []

    split.ship(DC, {"BOOT": 1}, "p-boot", 2)
    assert split.held(DC, "BOOT") == (3, 0)
    assert split.instructions.status_of("shopify", "S-1", DC) is InstructionStatus.SHIPPED


def test_a_cancel_landing_while_an_instruction_is_sent_stops_what_was_sent() -> None:
    split = Split()

    # WHEN the cancel is recorded between the WMS taking the instruction and its release being recorded
    def cancel_once() -> None:
        split.warehouse.before_answer = None
        split.cancel()

    split.warehouse.before_answer = cancel_once

    split.release()

    assert set(split.warehouse.picks().values()) == {"CANCELLED"}
    assert {loc: split.instructions.status_of("shopify", "S-1", loc) for loc in (DC, STORE)} == {
        DC: InstructionStatus.CANCELLED,
        STORE: InstructionStatus.CANCELLED,
    }
    assert (split.held(DC, "BOOT"), split.held(STORE, "SCARF")) == ((4, 0), (5, 0))


def test_a_cancelled_order_is_never_released() -> None:
    split = Split()
    split.cancel()

    assert split.release() == {"order_id": ORDER.order_id, "released": []}
    assert split.warehouse.calls == []


def test_a_release_recorded_between_the_cancels_read_and_its_write_is_stopped_at_the_warehouse() -> None:
    split = Split()
    planned = split.reserved.fulfilments
    split.instructions.plan("shopify", "S-1", ORDER.order_id, planned, "corr-s1", NOW)
    for instruction in planned:  # the release sent both, and has not recorded it yet
        split.warehouse.release(instruction, split.accepted)
    real_move = split.instructions.move

    def move_after_the_release(*args: Any, **kwargs: Any) -> bool:
        channel, channel_order_id, location_id, to, from_statuses, at = args
        if InstructionStatus.PLANNED in from_statuses:  # the release records RELEASED just before
            split.instructions.mark_released(channel, channel_order_id, location_id, "FO-x", at)
        return real_move(*args, **kwargs)

    split.instructions.move = move_after_the_release  # type: ignore[method-assign]

    assert split.cancel().event_type == "OrderCancelled"

    assert set(split.warehouse.picks().values()) == {"CANCELLED"}  # nothing left to pick
    assert {loc: split.instructions.status_of("shopify", "S-1", loc) for loc in (DC, STORE)} == {
        DC: InstructionStatus.CANCELLED,
        STORE: InstructionStatus.CANCELLED,
    }
