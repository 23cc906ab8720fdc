"""WMS, POS and ERP: `t=,v1=` signatures with a 300 s window; the WMS's events become commands."""

from __future__ import annotations

import json

import pytest

from local.signing import sign_hmac_t_v1
from shared.channels.base import NormalizationError
from shared.channels.registry import adapter_for
from shared.errors import SignatureInvalid, TimestampStale, ValidationFailed
from shared.models import InventoryAdjustment, Shipment
from tests.support.events import load_event, load_event_bytes
from tests.unit.channels.conftest import NOW, envelope, request

SECRET = "wms-secret"
T = int(NOW.timestamp())
wms = adapter_for("wms")


@pytest.mark.parametrize("source", ["wms", "pos", "erp"])
def test_own_systems_verify_a_fresh_signature(source: str) -> None:
    body = load_event_bytes("wms/inventory_adjusted")
    adapter_for(source).verify(request(body, {"X-Signature": sign_hmac_t_v1(body, SECRET, T)}, source), SECRET, NOW)


@pytest.mark.parametrize("source", ["wms", "pos", "erp"])
def test_own_systems_refuse_stale_future_tampered_and_missing_signatures(source: str) -> None:
    adapter = adapter_for(source)
    body = load_event_bytes("wms/inventory_adjusted")
    with pytest.raises(TimestampStale):
        adapter.verify(request(body, {"X-Signature": sign_hmac_t_v1(body, SECRET, T - 301)}, source), SECRET, NOW)
    with pytest.raises(TimestampStale):
        adapter.verify(request(body, {"X-Signature": sign_hmac_t_v1(body, SECRET, T + 301)}, source), SECRET, NOW)
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(body + b" ", {"X-Signature": sign_hmac_t_v1(body, SECRET, T)}, source), SECRET, NOW)
    with pytest.raises(SignatureInvalid):
        adapter.verify(request(body, {}, source), SECRET, NOW)


@pytest.mark.parametrize(
    ("fixture", "event_type", "sequence"),
    [
        ("wms/inventory_adjusted", "inventory.adjusted", 101),
        ("wms/shipment_shipped", "shipment.shipped", 107),
    ],
)
def test_wms_events_go_to_the_inventory_queue_with_their_sequence(fixture: str, event_type: str, sequence: int) -> None:
    body = load_event(fixture)
    info = wms.describe(request(b"", {}, "wms"), body)
    assert (info.delivery_id, info.event_type, info.domain, info.source_sequence) == (
        body["event_id"],
        event_type,
        "inventory",
        sequence,
    )
    assert info.occurred_at is not None


def test_wms_event_types_we_do_not_handle_are_ignored() -> None:
    info = wms.describe(request(b"", {}, "wms"), load_event("wms/receipt_closed"))
    assert info.ignored and info.delivery_id == "wms-evt-000108"


@pytest.mark.parametrize("source", ["pos", "erp"])
def test_pos_and_erp_events_are_verified_but_ignored_for_now(source: str) -> None:
    info = adapter_for(source).describe(request(b"", {}, source), load_event("wms/inventory_adjusted"))
    assert info.ignored
    assert (
        adapter_for(source).normalize(envelope(source, "inventory.adjusted", load_event("wms/inventory_adjusted")))
        == []
    )


def test_a_wms_adjustment_with_missing_and_invalid_fields_is_refused_with_details() -> None:
    body = load_event("wms/inventory_adjusted")
    del body["sku"]
    body["on_hand"] = -1
    body["occurred_at"] = "2026-11-23T09:00:00"  # no offset
    with pytest.raises(ValidationFailed) as excinfo:
        wms.describe(request(b"", {}, "wms"), body)
    assert {d["field"] for d in excinfo.value.details} == {"sku", "on_hand", "occurred_at"}


def test_a_sku_the_canonical_model_refuses_is_caught_at_the_edge() -> None:
    body = load_event("wms/inventory_adjusted")
    body["sku"] = "SKU WITH SPACES"
    with pytest.raises(ValidationFailed) as excinfo:
        wms.describe(request(b"", {}, "wms"), body)
    assert excinfo.value.details[0]["field"] == "sku"


def test_an_event_without_event_id_is_refused() -> None:
    body = load_event("wms/receipt_closed")
    del body["event_id"]
    with pytest.raises(ValidationFailed) as excinfo:
        wms.describe(request(b"", {}, "wms"), body)
    assert excinfo.value.details == [{"field": "event_id", "message": "Field required"}]


def test_adjustment_and_shipment_normalize_to_their_commands() -> None:
    (adjustment,) = wms.normalize(
        envelope("wms", "inventory.adjusted", load_event("wms/inventory_adjusted"), "inventory")
    )
    (shipment,) = wms.normalize(envelope("wms", "shipment.shipped", load_event("wms/shipment_shipped"), "inventory"))
    assert (
        isinstance(adjustment, InventoryAdjustment) and adjustment.on_hand == 40 and adjustment.source_sequence == 101
    )
    assert isinstance(shipment, Shipment) and shipment.source_sequence == 107 and len(shipment.lines) == 2


def test_a_queued_wms_event_that_no_longer_fits_is_poison() -> None:
    body = json.loads(load_event_bytes("wms/inventory_adjusted"))
    body["on_hand"] = "many"
    with pytest.raises(NormalizationError):
        wms.normalize(envelope("wms", "inventory.adjusted", body, "inventory"))
