"""Line changes in an order update (issue 10.4): fewer units, or a line removed, reach the stock, the
warehouse and the ERP; more units are left for a person.

The channel's newest applied `OrderUpdate` is the truth (Shopify `orders/updated` after an order
edit: each line's `current_quantity`, "the line item's quantity, minus the removed quantity"; a line
edited to zero still exists with zero: shopify.dev, Admin API, orderEditSetQuantity). Compared with
what the order's reservation still holds (its lines after earlier changes, minus what shipped):

- a **reduction** of unshipped units gives them back, once per update (the update's change id is
  recorded on the reservation in the same transaction, shared/adapters/state_store.py
  `try_release_lines`); where the SKU's instruction is already at the warehouse, the warehouse is
  asked to stop it and the instruction is sent again, revised (`<order>@<location>~<change id>`, the
  lines left); a warehouse that refuses (the parcel left) keeps the change from those lines, traced
  `line_change_refused`, and they ship as they are;
- the ERP sales order's item sublist is written with the lines the order now has
  (`PATCH ...?replace=item`), each line at its location;
- an **increase** (or a new SKU) needs stock the order never reserved: nothing is changed for it;
  it is traced `line_increase_not_applied` and raised as an `order` exception for a person.

An older update delivered after a newer one compares the newest again: nothing more is given back.
Units already shipped are never "given back" (a refund after shipping also lowers
`current_quantity`: that is a return, not a line change).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from functions.orders.adapters.wms import CancelRefused
from functions.orders.logic.erp_mapping import item_lines
from functions.orders.logic.fulfilment_release import Instructions, Trace, Warehouse
from functions.orders.logic.line_cancellation import give_back_units
from shared.adapters.state_store import StateStore
from shared.models import Order
from shared.models.fulfilment import FulfilmentInstruction, InstructionLine, InstructionStatus, StoredInstruction
from shared.models.order_changes import OrderUpdate
from shared.models.state import Reservation, ReservationStatus
from shared.retry import RetryPolicy

HOP = "erp-order-update"


class SalesOrderLines(Protocol):
    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None: ...


def _quantities(update: OrderUpdate) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in update.lines or []:
        out[line.sku] = out.get(line.sku, 0) + line.quantity
    return out


def apply_line_changes(  # noqa: PLR0913 - the order, its stock, its warehouse and its ERP
    latest: OrderUpdate,
    order: Order,
    store: StateStore,
    instructions: Instructions,
    warehouse: Warehouse,
    erp: SalesOrderLines,
    trace: Trace,
    correlation_id: str,
    now: Callable[[], datetime],
    retry: RetryPolicy | None = None,
) -> dict[str, Any]:
    """What the newest update's lines changed: units given back per SKU, SKUs refused by the
    warehouse, SKUs whose increase was not applied, and whether the ERP lines were written."""
    if latest.lines is None:
        return {"lines": "not_sent"}
    reservation = store.get_reservation(order.order_id)
    if reservation is None or reservation.status is not ReservationStatus.HELD:
        return {"lines": "not_held"}  # not reserved yet (its flow applies the merged update), or done
    wanted = _quantities(latest)
    held = reservation.quantities()
    outstanding = reservation.outstanding()
    change_id = f"update-{latest.change_id}"
    increases = sorted(sku for sku, quantity in wanted.items() if quantity > held.get(sku, 0))
    reductions = {
        sku: min(quantity - wanted.get(sku, 0), outstanding.get(sku, 0))
        for sku, quantity in held.items()
        if wanted.get(sku, 0) < quantity and outstanding.get(sku, 0) > 0
    }
    where = {"order_id": order.order_id, "change_id": latest.change_id}
    if increases:
        trace.record(correlation_id, HOP, "line_increase_not_applied", {**where, "skus": increases})
    # The instructions are read only when this update cuts something (or did, on a redelivery).
    touched = bool(reductions) or change_id in reservation.line_cancellations
    placed = instructions.list(order.channel, order.channel_order_id) if touched else []
    refused = _revise_at_the_warehouse(
        reservation, reductions, change_id, order, placed, instructions, warehouse, trace, now
    )
    for sku in refused:
        reductions.pop(sku, None)
    given: dict[str, int] = {}
    if reductions:
        given = give_back_units(store, order.order_id, reductions, change_id, retry, now)
        if given:
            trace.record(correlation_id, HOP, "lines_reduced", {**where, "released": given})
    # The ERP's lines as the order now stands (an increase or a refused cut: as they were), written
    # whenever this update's cut is on the reservation, so a redelivery after a crash writes them too.
    after = store.get_reservation(order.order_id)
    applied = after is not None and change_id in after.line_cancellations
    erp_written = False
    if (applied or given) and after is not None:
        kept = after.quantities() if after.status is ReservationStatus.HELD else {}
        # Every line the order was placed with: the update's price and tax where it still has the
        # line, the quantity held now; a line cut whole is closed, not dropped from the sublist.
        updated = {line.sku: line for line in latest.lines}
        lines = [
            updated.get(line.sku, line).model_copy(update={"quantity": kept.get(line.sku) or line.quantity})
            for line in order.lines
        ]
        cut_whole = {line.sku for line in order.lines if not kept.get(line.sku)}
        order_now = order.model_copy(update={"lines": lines})
        # Where each line leaves from: its instruction (the same on a redelivery), else the reservation.
        where = {**reservation.line_locations(), **{line.sku: i.location_id for i in placed for line in i.lines}}
        items = item_lines(order_now, reservation.location_id, where, closed=cut_whole)
        erp.close_sales_order_lines(order.order_id, items)
        erp_written = True
    return {"released": given, "refused": sorted(refused), "increases_not_applied": increases, "erp": erp_written}


def _revise_at_the_warehouse(  # noqa: PLR0913
    reservation: Reservation,
    reductions: dict[str, int],
    change_id: str,
    order: Order,
    placed: list[StoredInstruction],
    instructions: Instructions,
    warehouse: Warehouse,
    trace: Trace,
    now: Callable[[], datetime],
) -> set[str]:
    """Each instruction holding a reduced SKU, revised; the SKUs whose warehouse refused (parcel left)."""
    refused: set[str] = set()
    if not reductions:
        return refused
    stamp = now()
    stored = {i.location_id: i for i in placed}
    for location_id, cut in reservation.by_location(reductions).items():
        instruction = stored.get(location_id)
        if instruction is None or instruction.instruction_id.endswith(f"~{change_id}"):
            continue  # not planned yet (the release plans from the reservation), or revised already
        left = {sku: q - cut.get(sku, 0) for sku, q in instruction.quantities().items() if q - cut.get(sku, 0) > 0}
        if instruction.status is InstructionStatus.RELEASED:
            try:
                warehouse.cancel(instruction)
            except CancelRefused:
                refused |= set(cut)
                trace.record(
                    reservation.correlation_id,
                    HOP,
                    "line_change_refused",
                    {"order_id": order.order_id, "location_id": location_id, "skus": sorted(cut)},
                )
                continue
        elif instruction.status is not InstructionStatus.PLANNED:
            continue  # shipped or cancelled: nothing left to revise there
        revised = FulfilmentInstruction(
            instruction_id=f"{order.order_id}@{location_id}~{change_id}",
            location_id=location_id,
            method=instruction.method,
            lines=[InstructionLine(sku=sku, quantity=q) for sku, q in sorted(left.items())] or instruction.lines,
        )
        if not left:
            instructions.move(
                order.channel, order.channel_order_id, location_id, InstructionStatus.CANCELLED,
                [InstructionStatus.RELEASED, InstructionStatus.PLANNED], stamp,
            )  # fmt: skip
            continue
        wms_id = None
        if instruction.status is InstructionStatus.RELEASED:
            wms_id = warehouse.release(revised, order.model_dump(mode="json"))
        instructions.revise(order.channel, order.channel_order_id, revised, wms_id, stamp)
    return refused
