"""Lines a channel cancelled on its own give their reserved units back at once, once per change
(issue 10.4: Walmart PO_LINE_AUTOCANCELLED no longer holds stock until the expiry sweep)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from functions.orders.handlers import reserve_stock
from functions.orders.logic.line_cancellation import reduce_order_lines, release_cancelled_lines
from functions.orders.logic.reserve_stock import ReservePolicy
from shared.adapters.trace_store import MemoryTraceStore
from shared.models.order_changes import OrderLinesCancelled
from shared.models.state import ReservationStatus
from shared.retry import RetryPolicy
from tests.fakes.builders import LambdaContext, order
from tests.fakes.state_table import InMemoryStateTable

LOC = "dc-east"


def _reserved(lines: dict[str, int]) -> InMemoryStateTable:
    store = InMemoryStateTable()
    for sku in lines:
        store.put_position(sku, LOC, on_hand=10)
    deps = reserve_stock.Deps(store, MemoryTraceStore(), ReservePolicy(LOC, retry=RetryPolicy(sleep=lambda _: None)))
    event: dict[str, Any] = {
        "action": "accept",
        "correlation_id": "corr-0001",
        "event_id": "evt-1",
        "order": order("1001", lines, channel="walmart").to_item(),
        "cancellation": None,
    }
    assert reserve_stock.lambda_handler(event, LambdaContext(), deps=deps)["outcome"] == "RESERVED"
    return store


def _cancelled(change_id: str, *lines: tuple[str, str, int]) -> OrderLinesCancelled:
    return OrderLinesCancelled.model_validate(
        {
            "channel": "walmart",
            "channel_order_id": "1001",
            "change_id": change_id,
            "cancelled_at": "2026-12-04T10:00:00Z",
            "lines": [{"line_id": line_id, "sku": sku, "quantity": q} for line_id, sku, q in lines],
        }
    )


def _reserved_units(store: InMemoryStateTable, sku: str) -> int:
    return store.get_positions(LOC, [sku])[sku].reserved


def test_an_auto_cancelled_line_gives_its_units_back_once_however_often_it_is_delivered() -> None:
    store = _reserved({"SKU-1": 2, "SKU-2": 1})
    change = _cancelled("PO-1-line-1", ("1", "SKU-1", 1))

    first = release_cancelled_lines(store, change)
    again = release_cancelled_lines(store, change)  # the same change delivered again

    assert (first, again) == ({"SKU-1": 1}, {})
    assert (_reserved_units(store, "SKU-1"), _reserved_units(store, "SKU-2")) == (1, 1)
    reservation = store.get_reservation(change.order_id)
    assert reservation is not None and reservation.status is ReservationStatus.HELD
    assert reservation.quantities() == {"SKU-1": 1, "SKU-2": 1}


def test_the_last_lines_cancelled_release_the_whole_reservation_and_nothing_more() -> None:
    store = _reserved({"SKU-1": 2})

    released = release_cancelled_lines(store, _cancelled("c-1", ("1", "SKU-1", 5)))  # more than was held

    assert released == {"SKU-1": 2}
    assert _reserved_units(store, "SKU-1") == 0  # never below zero
    reservation = store.get_reservation(_cancelled("c-1", ("1", "SKU-1", 1)).order_id)
    assert reservation is not None and reservation.status is ReservationStatus.RELEASED
    assert release_cancelled_lines(store, _cancelled("c-2", ("1", "SKU-1", 1))) == {}


def test_a_cancellation_for_an_order_not_reserved_yet_lowers_the_lines_it_will_reserve() -> None:
    placed = order("1001", {"SKU-1": 3, "SKU-2": 1}, channel="walmart")
    placed = placed.model_copy(
        update={
            "lines": [
                placed.lines[0].model_copy(
                    update={"tax": placed.lines[0].unit_price.times(3).model_copy(update={"amount": Decimal("3.00")})}
                ),
                placed.lines[1],
            ]
        }
    )

    reduced = reduce_order_lines(placed, _cancelled("c-1", ("1", "SKU-1", 1), ("2", "SKU-2", 1)))

    assert [(line.sku, line.quantity) for line in reduced.lines] == [("SKU-1", 2)]
    assert reduced.lines[0].tax is not None and reduced.lines[0].tax.amount == Decimal("2.00")
    assert release_cancelled_lines(InMemoryStateTable(), _cancelled("c-1", ("1", "SKU-1", 1))) == {}
