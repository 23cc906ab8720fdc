"""Square: URL + body signature, sale events routed to orders, orders read back through the API."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from local.signing import sign_square
from shared.channels.base import NormalizationError
from shared.channels.registry import adapter_for
from shared.errors import SignatureInvalid, ValidationFailed
from shared.models import Order, OrderCancellation
from tests.support.events import load_event, load_event_bytes
from tests.unit.channels.conftest import NOW, FakeSquare, envelope, request

KEY = "square-signature-key"
URL = "http://127.0.0.1:3000/v1/webhooks/square"
square = adapter_for("square")


def signed(name: str) -> tuple[bytes, dict[str, str]]:
    body = load_event_bytes(name)
    return body, {"x-square-hmacsha256-signature": sign_square(URL, body, KEY)}


def test_signature_over_notification_url_and_body_verifies() -> None:
    body, headers = signed("square/order_updated_completed")
    square.verify(request(body, headers, "square"), KEY, NOW)


def test_a_signature_made_for_another_notification_url_is_refused() -> None:
    body = load_event_bytes("square/order_updated_completed")
    headers = {"x-square-hmacsha256-signature": sign_square("https://elsewhere.example.com/hook", body, KEY)}
    with pytest.raises(SignatureInvalid):
        square.verify(request(body, headers, "square"), KEY, NOW)


def test_tampered_and_missing_signatures_are_refused() -> None:
    body, headers = signed("square/order_updated_completed")
    with pytest.raises(SignatureInvalid):
        square.verify(request(body.replace(b"COMPLETED", b"CANCELED"), headers, "square"), KEY, NOW)
    with pytest.raises(SignatureInvalid, match="missing"):
        square.verify(request(body, {}, "square"), KEY, NOW)


@pytest.mark.parametrize(
    ("fixture", "domain"),
    [
        ("square/order_updated_completed", "orders"),
        ("square/order_updated_canceled", "orders"),
        ("square/payment_created", "orders"),
        ("square/order_updated_open", None),
        ("square/payment_updated_approved", None),
    ],
)
def test_only_completed_or_canceled_sales_go_to_the_orders_queue(fixture: str, domain: str | None) -> None:
    body, headers = signed(fixture)
    info = square.describe(request(body, headers, "square"), json.loads(body))
    assert info.domain == domain
    assert info.delivery_id == json.loads(body)["event_id"]


def test_order_events_carry_the_order_version_as_source_sequence() -> None:
    body, headers = signed("square/order_updated_completed")
    info = square.describe(request(body, headers, "square"), json.loads(body))
    assert info.source_sequence == 4 and info.event_type == "order.updated"


def test_other_event_types_are_ignored() -> None:
    payload = {
        "merchant_id": "M",
        "type": "customer.created",
        "event_id": "e-1",
        "created_at": "2026-11-23T10:00:00Z",
        "data": {"type": "customer", "id": "C", "object": {}},
    }
    info = square.describe(request(b"{}", {}, "square"), payload)
    assert info.ignored and info.event_type == "customer.created"


def test_an_order_event_without_its_order_change_is_refused_with_field_details() -> None:
    payload = load_event("square/order_updated_completed")
    del payload["data"]["object"]["order_updated"]["state"]
    with pytest.raises(ValidationFailed) as excinfo:
        square.describe(request(b"{}", {}, "square"), payload)
    assert {d["field"] for d in excinfo.value.details} == {"state"}


def test_a_completed_sale_is_read_back_and_normalized_with_cents_as_decimals() -> None:
    api = FakeSquare()
    (order,) = square.normalize(envelope("square", "order.updated", load_event("square/order_updated_completed")), api)
    assert isinstance(order, Order)
    assert api.order_calls == ["CAISENgvlJ6jLWAzERDzjyHVybY"]
    assert order.fulfilment_location_id == "D7AVYMEAPJ3A3"
    assert [(line.sku, line.quantity, line.unit_price.amount) for line in order.lines] == [
        ("IPOD2008PINK", 1, Decimal("199.00")),
        ("CASE-IPOD-CLEAR", 2, Decimal("25.00")),
    ]
    vendor_total = load_event("square/retrieve_order_response")["order"]["total_money"]["amount"]
    assert order.total.amount == Decimal(vendor_total) / 100


def test_a_completed_payment_normalizes_to_the_same_order_as_the_order_event() -> None:
    from_payment = square.normalize(
        envelope("square", "payment.created", load_event("square/payment_created")), FakeSquare()
    )
    from_order = square.normalize(
        envelope("square", "order.updated", load_event("square/order_updated_completed")), FakeSquare()
    )
    assert from_payment == from_order


def test_an_order_still_open_when_read_back_needs_nothing() -> None:
    api = FakeSquare(order={**FakeSquare().order, "state": "OPEN"})
    assert (
        square.normalize(envelope("square", "order.updated", load_event("square/order_updated_completed")), api) == []
    )


def test_a_canceled_order_becomes_a_cancellation() -> None:
    api = FakeSquare(order={**FakeSquare().order, "state": "CANCELED", "updated_at": "2026-11-23T15:10:03.512Z"})
    (cancel,) = square.normalize(envelope("square", "order.updated", load_event("square/order_updated_canceled")), api)
    assert isinstance(cancel, OrderCancellation)
    assert cancel.channel_order_id == "CAISENgvlJ6jLWAzERDzjyHVybY"


def test_a_line_whose_variation_has_no_sku_makes_the_message_poison() -> None:
    api = FakeSquare(skus={"HZZ5UVDBQ7LGNVBW2FUMUP6W": "IPOD2008PINK"})
    with pytest.raises(NormalizationError) as excinfo:
        square.normalize(envelope("square", "order.updated", load_event("square/order_updated_completed")), api)
    assert excinfo.value.details[0]["field"] == "line_items.1.catalog_object_id"


def test_a_line_metadata_sku_wins_and_saves_the_catalog_lookup() -> None:
    order = FakeSquare().order
    order["line_items"][1]["metadata"] = {"sku": "CASE-IPOD-CLEAR"}
    api = FakeSquare(order=order, skus={"HZZ5UVDBQ7LGNVBW2FUMUP6W": "IPOD2008PINK"})
    (normalized,) = square.normalize(
        envelope("square", "order.updated", load_event("square/order_updated_completed")), api
    )
    assert isinstance(normalized, Order) and normalized.lines[1].sku == "CASE-IPOD-CLEAR"
    assert api.sku_calls == [["HZZ5UVDBQ7LGNVBW2FUMUP6W"]]


def test_a_fractional_quantity_cannot_be_reserved() -> None:
    order = FakeSquare().order
    order["line_items"][0]["quantity"] = "1.5"
    with pytest.raises(NormalizationError, match="whole number"):
        square.normalize(
            envelope("square", "order.updated", load_event("square/order_updated_completed")),
            FakeSquare(order=order),
        )


def test_custom_amount_lines_are_skipped() -> None:
    order = FakeSquare().order
    order["line_items"].append(
        {
            "uid": "x1",
            "name": "Custom",
            "quantity": "1",
            "item_type": "CUSTOM_AMOUNT",
            "base_price_money": {"amount": 500, "currency": "USD"},
        }
    )
    (normalized,) = square.normalize(
        envelope("square", "order.updated", load_event("square/order_updated_completed")),
        FakeSquare(order=order),
    )
    assert isinstance(normalized, Order) and len(normalized.lines) == 2


def test_zero_decimal_currencies_are_not_divided_by_a_hundred() -> None:
    order = FakeSquare().order
    for line in order["line_items"]:
        for key in ("base_price_money", "total_tax_money", "total_discount_money"):
            line[key] = {"amount": line[key]["amount"], "currency": "JPY"}
    (normalized,) = square.normalize(
        envelope("square", "order.updated", load_event("square/order_updated_completed")),
        FakeSquare(order=order),
    )
    assert isinstance(normalized, Order) and normalized.lines[0].unit_price.amount == Decimal("19900")
