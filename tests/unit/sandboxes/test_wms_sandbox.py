"""WMS sandbox: the inventory snapshot reconciliation reads, seeded through its admin API."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from functions.reconciliation.adapters.snapshots import HttpSnapshotSource
from local.sandboxes import WmsSandbox
from shared.errors import Unavailable


def test_seeded_counts_come_back_in_the_snapshot_with_their_cost(wms: WmsSandbox) -> None:
    seeded = httpx.post(
        f"{wms.url}/__admin/inventory",
        json={
            "items": [{"sku": "SKU-1", "location_id": "dc-east", "on_hand": 43, "unit_cost": "12.5", "currency": "USD"}]
        },
    )
    httpx.post(f"{wms.url}/__admin/inventory", json=[{"sku": "SKU-2", "location_id": "dc-west", "on_hand": 0}])

    snapshot = httpx.get(f"{wms.url}/snapshot/inventory").json()
    only_east = httpx.get(f"{wms.url}/snapshot/inventory", params={"location_id": "dc-east"}).json()

    assert seeded.status_code == 200
    assert snapshot["count"] == 2 and snapshot["as_of"].endswith("Z")
    assert snapshot["items"][0] == {
        "sku": "SKU-1",
        "location_id": "dc-east",
        "on_hand": 43,
        "unit_cost": "12.5",
        "currency": "USD",
    }
    assert [row["sku"] for row in only_east["items"]] == ["SKU-1"]
    assert [j["path"] for j in wms.journal()] == ["/snapshot/inventory", "/snapshot/inventory"]


@pytest.mark.parametrize(
    "row",
    [
        {"sku": "SKU-1", "location_id": "dc-east", "on_hand": -1},
        {"sku": "SKU-1", "location_id": "dc-east", "on_hand": 1, "unit_cost": "cheap"},
        {"sku": "SKU-1", "location_id": "dc-east", "on_hand": 1, "unit_cost": "1", "currency": "dollars"},
        {"location_id": "dc-east", "on_hand": 1},
    ],
)
def test_a_bad_row_is_400_and_stores_nothing(wms: WmsSandbox, row: dict[str, object]) -> None:
    good = {"sku": "SKU-9", "location_id": "dc-east", "on_hand": 1}

    answer = httpx.post(f"{wms.url}/__admin/inventory", json=[good, row])

    assert answer.status_code == 400 and "error" in answer.json()
    assert httpx.get(f"{wms.url}/__admin/inventory").json()["count"] == 0


def test_the_reconciliation_reader_parses_the_snapshot_and_fails_on_an_outage(wms: WmsSandbox) -> None:
    wms.seed_inventory([{"sku": "SKU-1", "location_id": "dc-east", "on_hand": 7, "unit_cost": "80"}])
    source = HttpSnapshotSource("wms", wms.url)

    rows = source.snapshot()
    wms.set_faults({"outage": True})

    assert [(r.sku, r.on_hand, r.unit_cost, r.currency) for r in rows] == [("SKU-1", 7, Decimal("80"), "USD")]
    with pytest.raises(Unavailable):
        source.snapshot()
