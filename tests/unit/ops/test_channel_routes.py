"""Ops routes for allocation rules, listing ids and reconciliation runs."""

from __future__ import annotations

import json

import pytest

from functions.ops.handlers.api import Deps
from tests.fakes.availability import MemoryAvailabilityStore
from tests.fakes.ports import FakeTraceReader
from tests.fakes.reconciliation import MemoryReconciliationStore, RecordingStarter
from tests.fakes.state_table import InMemoryStateTable
from tests.support.ops_api import call_ops

RULES = {
    "channels": [
        {"channel": "amazon", "locations": ["dc-east"], "pool": 5, "buffer": 1},
        {"channel": "shopify", "locations": ["dc-east", "store-7"], "share": "0.5"},
        {"channel": "ebay", "locations": ["dc-east"], "share": "0.5"},
    ]
}


@pytest.fixture
def availability() -> MemoryAvailabilityStore:
    return MemoryAvailabilityStore()


@pytest.fixture
def runs(availability: MemoryAvailabilityStore) -> MemoryReconciliationStore:
    return MemoryReconciliationStore(availability)


@pytest.fixture
def starter() -> RecordingStarter:
    return RecordingStarter()


@pytest.fixture
def deps(availability: MemoryAvailabilityStore, runs: MemoryReconciliationStore, starter: RecordingStarter) -> Deps:
    state = InMemoryStateTable()
    state.put_position("SKU-1", "dc-east", on_hand=25, reserved=4)
    state.put_position("SKU-1", "store-7", on_hand=6)
    return Deps(store=state, trace=FakeTraceReader(), availability=availability, runs=runs, starter=starter)


def test_putting_rules_stores_a_new_version_and_republishes_every_sku(
    deps: Deps, availability: MemoryAvailabilityStore
) -> None:
    status, body = call_ops(deps, "PUT", "/v1/ops/allocation-rules", RULES)
    again, second = call_ops(deps, "PUT", "/v1/ops/allocation-rules", RULES)

    assert status == 200 and body["version"] == 1 and body["scope"] == "default"
    assert again == 200 and second["version"] == 2
    assert [m.sku for m in availability.dirty(10)] == ["ALL"]
    assert call_ops(deps, "GET", "/v1/ops/allocation-rules")[1]["channels"][0]["channel"] == "amazon"


def test_the_inventory_view_shows_each_channels_units_under_the_rules(deps: Deps) -> None:
    call_ops(deps, "PUT", "/v1/ops/allocation-rules", RULES)

    status, body = call_ops(deps, "GET", "/v1/ops/inventory/SKU-1")

    # dc-east ATP 21: amazon pool 5 (told 4), 16 left -> shopify 8, ebay 8; store-7 ATP 6 -> shopify 3
    assert status == 200
    assert body["channels"] == {"amazon": 4, "shopify": 11, "ebay": 8}


def test_a_sku_override_wins_over_the_default_and_republishes_that_sku_only(
    deps: Deps, availability: MemoryAvailabilityStore
) -> None:
    call_ops(deps, "PUT", "/v1/ops/allocation-rules", RULES)
    availability.markers.clear()

    status, body = call_ops(
        deps,
        "PUT",
        "/v1/ops/allocation-rules/SKU-1",
        {"channels": [{"channel": "zalando", "locations": ["*"], "share": 1}]},
    )

    assert status == 200 and body["scope"] == "SKU-1"
    assert [m.sku for m in availability.dirty(10)] == ["SKU-1"]
    assert call_ops(deps, "GET", "/v1/ops/inventory/SKU-1")[1]["channels"] == {"zalando": 27}


def test_rules_that_would_sell_a_unit_twice_are_400_and_change_nothing(
    deps: Deps, availability: MemoryAvailabilityStore
) -> None:
    bad = {
        "channels": [
            {"channel": "amazon", "locations": ["*"], "share": 0.6},
            {"channel": "ebay", "locations": ["dc-east"], "share": 0.6},
        ]
    }

    status, body = call_ops(deps, "PUT", "/v1/ops/allocation-rules", bad)

    assert status == 400 and body["error"]["code"] == "VALIDATION_FAILED"
    assert "shares at location dc-east" in json.dumps(body["error"]["details"])
    assert availability.rules == {} and availability.dirty(10) == []
    assert call_ops(deps, "GET", "/v1/ops/allocation-rules")[0] == 404


def test_a_body_that_is_not_json_is_400_malformed(deps: Deps) -> None:
    status, body = call_ops(deps, "PUT", "/v1/ops/allocation-rules", "{not json")

    assert status == 400 and body["error"]["code"] == "MALFORMED_BODY"


def test_listing_ids_are_stored_and_the_sku_republished(deps: Deps, availability: MemoryAvailabilityStore) -> None:
    status, body = call_ops(deps, "PUT", "/v1/ops/listings/SKU-1", {"shopify": "808950810", "zalando": "4063614512884"})

    assert status == 200 and body["ids"]["shopify"] == "808950810"
    assert availability.listing_ids("SKU-1") == {"shopify": "808950810", "zalando": "4063614512884"}
    assert [m.sku for m in availability.dirty(10)] == ["SKU-1"]


def test_starting_a_reconciliation_answers_202_with_its_run_and_hands_it_over(
    deps: Deps, runs: MemoryReconciliationStore, starter: RecordingStarter
) -> None:
    status, body = call_ops(deps, "POST", "/v1/ops/reconciliations/inventory")

    assert status == 202 and body["status"] == "QUEUED" and body["kind"] == "inventory"
    assert [r.run_id for r in starter.started] == [body["run_id"]]
    listed = call_ops(deps, "GET", "/v1/ops/reconciliations/inventory")[1]
    assert [r["run_id"] for r in listed["runs"]] == [body["run_id"]]
    assert set(listed["runs"][0]) >= {"run_id", "status", "started_at", "finished_at", "variances"}
    assert call_ops(deps, "GET", f"/v1/ops/reconciliations/inventory/{body['run_id']}")[1]["status"] == "QUEUED"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_reconciliation_kind_is_404(deps: Deps, method: str) -> None:
    status, body = call_ops(deps, method, "/v1/ops/reconciliations/payments")

    assert status == 404 and "unknown reconciliation kind" in body["error"]["message"]


def test_an_unknown_run_is_404(deps: Deps) -> None:
    assert call_ops(deps, "GET", "/v1/ops/reconciliations/inventory/nope")[0] == 404


def test_on_demand_runs_without_a_reconciliation_function_are_503(deps: Deps) -> None:
    unconfigured = Deps(store=deps.store, trace=deps.trace, availability=deps.availability, runs=deps.runs)

    status, body = call_ops(unconfigured, "POST", "/v1/ops/reconciliations/inventory")

    assert status == 503 and body["error"]["code"] == "UPSTREAM_UNAVAILABLE"
