"""Line changes in an order update (issue 10.4): a cut reaches the stock, the warehouse (its
instruction stopped and sent again, revised) and the ERP, once however often the update comes; a
parcel that left keeps its lines; more units are not reserved behind anyone's back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from functions.orders.logic.line_changes import apply_line_changes
from shared.models.fulfilment import InstructionStatus
from shared.models.order_changes import OrderUpdate
from tests.unit.orders.test_split_fulfilment import DC, NO_WAIT, NOW, ORDER, STORE, Split


def _update(at: str, **quantities: int) -> OrderUpdate:
    lines = [
        line.model_copy(update={"quantity": quantities[line.sku]}) for line in ORDER.lines if quantities.get(line.sku)
    ]
    return OrderUpdate(
        channel="shopify",
        channel_order_id="S-1",
        change_id=at.replace(":", "").replace("-", ""),
        updated_at=datetime.fromisoformat(at).replace(tzinfo=UTC),
        lines=lines,
    )


def _apply(split: Split, update: OrderUpdate) -> dict[str, Any]:
    return apply_line_changes(
        update,
        ORDER,
        split.store,
        split.instructions,
        split.warehouse,
        split.erp,
        split.trace,
        "corr-u",
        lambda: NOW,
        NO_WAIT,
    )


def test_a_cut_after_release_revises_the_instruction_gives_the_units_back_and_rewrites_the_erp_lines() -> None:
    split = Split()
    split.release()
    cut = _update("2026-11-23T11:00:00", BOOT=1, SCARF=1)

    first = _apply(split, cut)
    again = _apply(split, cut)  # the OrderUpdated delivered again

    assert first["released"] == {"SCARF": 1} and again["released"] == {}
    assert split.held(STORE, "SCARF") == (5, 1) and split.held(DC, "BOOT") == (4, 1)
    revised = f"{ORDER.order_id}@{STORE}~update-{cut.change_id}"
    assert split.warehouse.picks() == {
        f"{ORDER.order_id}@{DC}": "RELEASED",
        f"{ORDER.order_id}@{STORE}": "CANCELLED",
        revised: "RELEASED",
    }
    [stored] = [i for i in split.instructions.list("shopify", "S-1") if i.location_id == STORE]
    assert (stored.instruction_id, stored.quantities(), stored.status) == (
        revised,
        {"SCARF": 1},
        InstructionStatus.RELEASED,
    )
    lines = {line["item"]["externalId"]: line for line in split.erp.records[ORDER.order_id]["item"]["items"]}
    assert (lines["SCARF"]["quantity"], lines["SCARF"]["location"]) == (1, {"externalId": STORE})
    assert lines["BOOT"]["quantity"] == 1 and "location" not in lines["BOOT"]


def test_a_line_removed_stops_its_instruction_and_an_older_update_after_it_changes_nothing() -> None:
    split = Split()
    split.release()

    _apply(split, _update("2026-11-23T11:00:00", BOOT=1))  # the scarves removed
    _apply(split, _update("2026-11-23T10:30:00", BOOT=1, SCARF=1))  # an older version, late: not newest

    assert split.instructions.status_of("shopify", "S-1", STORE) is InstructionStatus.CANCELLED
    assert split.held(STORE, "SCARF") == (5, 0)
    # the ERP closes the removed line (it stays in the sublist, at its location) and keeps the other
    lines = {line["item"]["externalId"]: line for line in split.erp.records[ORDER.order_id]["item"]["items"]}
    assert (lines["SCARF"].get("isClosed"), lines["SCARF"]["location"]) == (True, {"externalId": STORE})
    assert lines["BOOT"]["quantity"] == 1 and not lines["BOOT"].get("isClosed")


def test_a_cut_the_warehouse_refuses_because_the_parcel_left_keeps_its_units() -> None:
    split = Split()
    split.release()
    split.warehouse.shipped.add(f"{ORDER.order_id}@{STORE}")

    outcome = _apply(split, _update("2026-11-23T11:00:00", BOOT=1, SCARF=1))

    assert outcome["refused"] == ["SCARF"] and outcome["released"] == {}
    assert split.held(STORE, "SCARF") == (5, 2)
    assert ("erp-order-update", "line_change_refused") in [(e["hop"], e["status"]) for e in split.trace.entries]


def test_more_units_are_not_reserved_behind_anyones_back() -> None:
    split = Split()
    split.release()

    outcome = _apply(split, _update("2026-11-23T11:00:00", BOOT=3, SCARF=2))

    assert outcome["increases_not_applied"] == ["BOOT"] and outcome["released"] == {}
    assert split.held(DC, "BOOT") == (4, 1)
    assert split.warehouse.calls.count(("cancel", f"{ORDER.order_id}@{DC}")) == 0
