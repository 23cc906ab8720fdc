"""WMS `inventory.moved` at the edge: routed to the inventory queue, refused with field details."""

from __future__ import annotations

from typing import Any

import pytest

from shared.channels.registry import adapter_for
from shared.errors import ValidationFailed
from shared.models import InventoryMovement, MovementKind
from tests.support.events import load_event
from tests.unit.channels.conftest import envelope, request

wms = adapter_for("wms")


def test_a_movement_goes_to_the_inventory_queue_with_its_sequence() -> None:
    info = wms.describe(request(b"", {}, "wms"), load_event("wms/movement_receipt"))
    assert (info.domain, info.event_type, info.source_sequence) == ("inventory", "inventory.moved", 201)


@pytest.mark.parametrize(
    ("fixture", "kind", "quantity", "counterpart"),
    [
        ("movement_transfer_out", MovementKind.TRANSFER_OUT, 6, "D7AVYMEAPJ3A3"),
        ("movement_transfer_in", MovementKind.TRANSFER_IN, 6, "dc-east"),
        ("movement_cycle_count", MovementKind.CYCLE_COUNT, 57, None),
        ("movement_adjustment", MovementKind.ADJUSTMENT, -1, None),
        ("movement_safety_stock", MovementKind.SAFETY_STOCK, 3, None),
    ],
)
def test_each_movement_carries_its_number_in_its_own_field(
    fixture: str, kind: MovementKind, quantity: int, counterpart: str | None
) -> None:
    [movement] = wms.normalize(envelope("wms", "inventory.moved", load_event(f"wms/{fixture}"), "inventory"))
    assert isinstance(movement, InventoryMovement)
    assert (movement.kind, movement.quantity, movement.counterpart_location_id) == (kind, quantity, counterpart)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"movement": "teleport"}, "movement"),
        ({"quantity": 0}, "quantity"),
        ({"to_location_id": None}, "body"),
        ({"to_location_id": "dc-east"}, "body"),
        ({"sku": "bad sku!"}, "sku"),
    ],
)
def test_an_invalid_movement_is_refused_before_it_is_queued(change: dict[str, Any], field: str) -> None:
    body = {**load_event("wms/movement_transfer_out"), **change}
    with pytest.raises(ValidationFailed) as refused:
        wms.describe(request(b"", {}, "wms"), body)
    assert field in {detail["field"] for detail in refused.value.details}


def test_a_cycle_count_without_its_count_is_refused() -> None:
    body = load_event("wms/movement_cycle_count")
    del body["on_hand"]
    with pytest.raises(ValidationFailed, match="missing or has invalid fields"):
        wms.describe(request(b"", {}, "wms"), body)
