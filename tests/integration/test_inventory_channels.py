"""Channel allocation, publishing and reconciliation through the local stack.

GIVEN a SKU stocked at three locations and allocation rules for five channels, WHEN stock moves
(a burst of WMS movements), the scheduled publisher fires and an on-demand reconciliation runs,
THEN each channel is told exactly what the rules allow (never a unit promised twice), a burst is
one call per channel, and a drift the WMS reports is corrected within tolerance (audited) and
raised as an exception above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from local.stack import LocalStack
from shared.allocation import allocate
from shared.models.allocation import AllocationRules
from tests.integration.flows import (
    Flows,
    unique,
    wait_until,
    with_empty_snapshots,
    wms_adjustment,
)

SHOPIFY_ITEM = "808950810"
ZALANDO_EAN = "4063614512884"
RULES = {
    "channels": [
        {"channel": "amazon", "locations": ["dc-east"], "pool": 10, "buffer": 2},
        {"channel": "shopify", "locations": ["dc-east", "dc-west", "store-7"], "share": "0.5"},
        {"channel": "walmart", "locations": ["dc-east"], "share": "0.25"},
        {"channel": "ebay", "locations": ["dc-east", "dc-west"], "share": "0.25", "buffer": 1},
        {"channel": "zalando", "locations": ["dc-west", "store-7"], "share": "0.25"},
    ]
}


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    yield from with_empty_snapshots(local_stack)


def _journal(flows: Flows, sandbox: str, path: str) -> list[dict[str, Any]]:
    answer = flows.http.get(f"{flows.sandbox_url(sandbox)}/__admin/requests", params={"path": path})
    return [e for e in answer.json()["requests"] if e["status"] is not None and 200 <= e["status"] < 300]


def _told(flows: Flows, sku: str) -> dict[str, list[int]]:
    """Every quantity each marketplace accepted for the SKU, in order (from the sandboxes' journals)."""
    told: dict[str, list[int]] = {}
    for entry in _journal(flows, "amazon", f"/listings/2021-08-01/items/A2SANDBOXSELLER/{sku}"):
        told.setdefault("amazon", []).append(entry["body"]["patches"][0]["value"][0]["quantity"])
    for entry in _journal(flows, "marketplace", "/v3/inventory"):
        if entry["body"]["sku"] == sku:
            told.setdefault("walmart", []).append(entry["body"]["quantity"]["amount"])
    for entry in _journal(flows, "ebay", "/sell/inventory/v1/bulk_update_price_quantity"):
        for request in entry["body"]["requests"]:
            if request["sku"] == sku:
                told.setdefault("ebay", []).append(request["shipToLocationAvailability"]["quantity"])
    for entry in _journal(flows, "shopify", "/admin/api/"):
        if entry["path"].endswith("/inventory_levels/set.json") and entry["body"]["inventory_item_id"] == int(
            SHOPIFY_ITEM
        ):
            told.setdefault("shopify", []).append(entry["body"]["available"])
    for entry in _journal(flows, "zalando", "/merchants/"):
        if entry["path"].endswith("/stocks"):
            for item in entry["body"]["items"]:
                if item["ean"] == ZALANDO_EAN:
                    told.setdefault("zalando", []).append(item["quantity"])
    return told


def _inventory(flows: Flows, sku: str) -> dict[str, Any]:
    answer = flows.ops(f"inventory/{sku}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _assert_within_rules(flows: Flows, sku: str) -> dict[str, int]:
    """The ops view's channels equal the rules applied to its positions, and no location promises
    more than its available-to-promise."""
    view = _inventory(flows, sku)
    atp = {loc["location_id"]: loc["available"] for loc in view["locations"]}
    rules = AllocationRules.model_validate(flows.ops(f"allocation-rules/{sku}").json())
    allocation = allocate(atp, rules)
    assert view["channels"] == {channel: a.units for channel, a in allocation.items()}
    for location_id, units in atp.items():
        assert sum(a.committed.get(location_id, 0) for a in allocation.values()) <= units
    channels: dict[str, int] = view["channels"]
    return channels


def _publish(flows: Flows) -> dict[str, Any]:
    [invocation] = flows.stack.fire_schedule("AvailabilityPublishSchedule")
    assert not invocation.errored, invocation.error
    result: dict[str, Any] = invocation.payload
    return result


def test_channels_stay_within_the_rules_a_burst_is_one_publish_and_reconciliation_corrects_drift(
    flows: Flows,
) -> None:
    sku = unique("SKU-CHAN")
    put = flows.http.put(f"{flows.stack.api_url}/v1/ops/allocation-rules/{sku}", json=RULES)
    assert put.status_code == 200, put.text
    listing = {"shopify": SHOPIFY_ITEM, "zalando": ZALANDO_EAN}
    assert flows.http.put(f"{flows.stack.api_url}/v1/ops/listings/{sku}", json=listing).status_code == 200
    flows.stock(sku, 40, sequence=1, location_id="dc-east")
    flows.stock(sku, 20, sequence=1, location_id="dc-west")
    flows.stock(sku, 12, sequence=1, location_id="store-7")

    # WHEN the publisher's schedule fires
    _publish(flows)

    # THEN every channel was told what the rules give it: dc-east 40 -> amazon pool 10 (told 8),
    # 30 left -> shopify 15, walmart 7, ebay 7; dc-west 20 -> shopify 10, ebay 5, zalando 5; store-7 12
    # -> shopify 6, zalando 3 (shares rounded down, buffers taken off)
    expected = {"amazon": 8, "shopify": 31, "walmart": 7, "ebay": 11, "zalando": 8}
    assert _assert_within_rules(flows, sku) == expected
    assert {channel: sent[-1] for channel, sent in _told(flows, sku).items()} == expected

    # WHEN a burst of 40 WMS movements lands on dc-east between two runs
    deliveries = [flows.delivery("wms", wms_adjustment(sku, 20 + n % 7, 10 + n)) for n in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(flows.accept, deliveries))
    flows.idle()
    before = {channel: len(sent) for channel, sent in _told(flows, sku).items()}
    _publish(flows)

    # THEN each channel whose units changed heard once, computed from the last count (20 + 39 % 7 = 24)
    after = _told(flows, sku)
    assert {channel: len(sent) - before[channel] for channel, sent in after.items()} == {
        "amazon": 0,  # its pool of 10 is still full from dc-east's 20: still 8, not sent again
        "shopify": 1,
        "walmart": 1,
        "ebay": 1,
        "zalando": 0,  # fed by dc-west and store-7 only: unchanged, not sent again
    }
    channels = _assert_within_rules(flows, sku)
    assert {channel: sent[-1] for channel, sent in after.items()} == channels

    # GIVEN the WMS counts 3 more at dc-east (within tolerance) and 15 fewer at dc-west (above it),
    # and the ERP's books agree with the WMS
    on_hand = {loc["location_id"]: loc["on_hand"] for loc in _inventory(flows, sku)["locations"]}
    counted = {"dc-east": on_hand["dc-east"] + 3, "dc-west": on_hand["dc-west"] - 15, "store-7": on_hand["store-7"]}
    rows = [
        {"sku": sku, "location_id": loc, "on_hand": units, "unit_cost": "12.50", "currency": "USD"}
        for loc, units in counted.items()
    ]
    for sandbox in ("wms", "erp"):
        assert flows.http.post(f"{flows.sandbox_url(sandbox)}/__admin/inventory", json=rows).status_code == 200

    # WHEN a reconciliation run is started on demand
    started = flows.http.post(f"{flows.stack.api_url}/v1/ops/reconciliations/inventory")
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    wait_until(lambda: flows.ops(f"reconciliations/inventory/{run_id}").json()["status"] in {"SUCCEEDED", "FAILED"})

    # THEN the run lists the variances in units and value; the small one is corrected and audited,
    # the large one is an exception and our count there is untouched
    run = flows.ops(f"reconciliations/inventory/{run_id}").json()
    assert run["status"] == "SUCCEEDED", run
    mine = {(v["location_id"], v["source"]): v for v in run["variances"] if v["sku"] == sku}
    east, west = mine[("dc-east", "wms")], mine[("dc-west", "wms")]
    assert (east["units"], east["value"], east["action"]) == (3, "37.50", "corrected") and east["audit_id"]
    assert (west["units"], west["value"], west["action"]) == (-15, "-187.50", "exception") and west["exception_id"]
    positions = {loc["location_id"]: loc["on_hand"] for loc in _inventory(flows, sku)["locations"]}
    assert positions == {"dc-east": counted["dc-east"], "dc-west": on_hand["dc-west"], "store-7": on_hand["store-7"]}
    listed = flows.ops("reconciliations/inventory").json()["runs"]
    assert listed[0]["run_id"] == run_id and {"started_at", "finished_at", "variances"} <= set(listed[0])

    # AND the correction republished the SKU's channels, still within the rules
    flows.idle()
    _publish(flows)
    channels = _assert_within_rules(flows, sku)
    assert {channel: sent[-1] for channel, sent in _told(flows, sku).items()} == channels
