"""Recorded returns -> ReturnFlow requests and execution names."""

from __future__ import annotations

from typing import Any

from functions.returns.logic.start import execution_name, request_from_event
from tests.support.events import load_expected


def test_loop_return_created_starts_a_flow_keyed_by_source_and_return_id() -> None:
    [expected] = load_expected("loop/return_created")
    detail = {**expected["data"], "correlation_id": "corr-12345678"}
    request = request_from_event("ReturnAuthorized", detail)
    assert request is not None
    assert request.return_key == "loop:1673"
    assert (request.channel, request.channel_order_id) == ("shopify", "820982911946154508")
    assert [(line.sku, line.quantity) for line in request.lines] == [("IPOD2008BLACK", 1)]
    assert not request.refunded_by_channel


def test_closed_return_starts_nothing() -> None:
    [expected] = load_expected("loop/return_closed")
    detail = {**expected["data"], "correlation_id": "corr-12345678"}
    assert request_from_event("ReturnAuthorized", detail) is None


def test_execution_name_is_the_business_key_made_safe_and_distinct() -> None:
    assert execution_name("loop", "1673") == "loop_1673"
    odd = execution_name("walmart", "a:b")
    assert odd != execution_name("walmart", "a_b")
    assert len(execution_name("loop", "x" * 200)) <= 80


def _store_return(return_id: str, **order: str) -> dict[str, Any]:
    """StoreReturnRecorded's detail for a return at franchise-0042's till; `order` names an online order."""
    return {
        "schema_version": "1",
        "channel": "pos",
        "return_id": return_id,
        **order,
        "location_id": "franchise-0042",
        "status": "COMPLETED",
        "returned_at": "2026-11-23T00:03:27Z",
        "amount": {"amount": "210.94", "currency": "USD"},
        "lines": [{"line_id": "1", "sku": "IPOD2008BLACK", "quantity": 1}],
        "correlation_id": "corr-12345678",
    }


def test_a_store_return_of_an_online_order_starts_a_flow_for_that_order_refunded_at_the_till() -> None:
    detail = _store_return("franchise-0042-R7", channel_order_id="450789469", order_channel="shopify")

    request = request_from_event("StoreReturnRecorded", detail)

    assert request is not None and request.return_key == "pos:franchise-0042-R7"
    assert (request.channel, request.channel_order_id) == ("shopify", "450789469")
    assert request.refunded_by_channel and request.location_id == "franchise-0042"  # restocked at the store


def test_a_store_return_of_the_stores_own_sale_starts_no_flow() -> None:
    detail = _store_return("franchise-0042-T000983")  # no channel_order_id: the store's own sale
    assert request_from_event("StoreReturnRecorded", detail) is None


def test_a_walmart_return_is_not_taken_as_refunded_by_walmart() -> None:
    # Seller-fulfilled Walmart returns are refunded by the seller (Issue a refund API); the
    # notification itself says "Non Refunded".
    [expected] = load_expected("walmart/return_created")
    request = request_from_event("ReturnAuthorized", {**expected["data"], "correlation_id": "corr-12345678"})

    assert request is not None and request.return_key == "walmart:98765432101234"
    assert not request.refunded_by_channel
