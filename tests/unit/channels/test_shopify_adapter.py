"""Shopify: HMAC over the raw body, topics from the header, orders normalized with exact money."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from local.signing import fixture_request, sign_shopify
from shared.channels.base import NormalizationError
from shared.channels.registry import adapter_for
from shared.errors import SignatureInvalid, ValidationFailed
from shared.models import Order
from tests.support.events import load_event, load_event_bytes, load_headers
from tests.unit.channels.conftest import NOW, envelope, request

SECRET = "shopify-app-secret"
shopify = adapter_for("shopify")


def signed(name: str = "shopify/orders_create", **overrides: str) -> tuple[bytes, dict[str, str]]:
    body = load_event_bytes(name)
    headers = {**load_headers(name), "X-Shopify-Hmac-Sha256": sign_shopify(body, SECRET), **overrides}
    return body, headers


def test_valid_hmac_over_the_raw_body_verifies() -> None:
    body, headers = signed()
    shopify.verify(request(body, headers), SECRET, NOW)


def test_header_names_are_case_insensitive() -> None:
    body, headers = signed()
    lowered = {k.lower(): v for k, v in headers.items()}
    shopify.verify(request(body, lowered), SECRET, NOW)
    assert shopify.describe(request(body, lowered), json.loads(body)).delivery_id == headers["X-Shopify-Webhook-Id"]


def test_a_body_changed_after_signing_is_refused() -> None:
    body, headers = signed()
    tampered = body.replace(b'"199.00"', b'"1.00"', 1)
    with pytest.raises(SignatureInvalid, match="does not match"):
        shopify.verify(request(tampered, headers), SECRET, NOW)


def test_reserialized_json_does_not_verify_because_signatures_cover_raw_bytes() -> None:
    body, headers = signed()
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode()
    with pytest.raises(SignatureInvalid):
        shopify.verify(request(compact, headers), SECRET, NOW)


def test_a_missing_hmac_header_is_refused() -> None:
    body, headers = signed()
    del headers["X-Shopify-Hmac-Sha256"]
    with pytest.raises(SignatureInvalid, match="missing"):
        shopify.verify(request(body, headers), SECRET, NOW)


def test_orders_create_goes_to_the_orders_queue_keyed_by_the_webhook_id() -> None:
    body, headers = signed()
    info = shopify.describe(request(body, headers), json.loads(body))
    assert (info.delivery_id, info.event_type, info.domain) == (
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "orders/create",
        "orders",
    )
    assert info.occurred_at is not None and info.occurred_at.isoformat().startswith("2022-01-01T00:00:01")


def test_the_event_id_is_the_delivery_id_when_the_webhook_id_is_absent() -> None:
    body, headers = signed()
    del headers["X-Shopify-Webhook-Id"]
    info = shopify.describe(request(body, headers), json.loads(body))
    assert info.delivery_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"


@pytest.mark.parametrize("topic", ["products/update", "customers/create", "app/uninstalled"])
def test_topics_not_handled_are_ignored(topic: str) -> None:
    body, headers = signed(**{"X-Shopify-Topic": topic})
    info = shopify.describe(request(body, headers), json.loads(body))
    assert info.ignored and info.event_type == topic


@pytest.mark.parametrize("case", ["orders_updated", "orders_fulfilled", "refunds_create"])
def test_order_change_topics_go_to_the_orders_queue(case: str) -> None:
    body, headers = fixture_request(f"shopify/{case}")
    info = shopify.describe(request(body, headers), json.loads(body))
    assert info.domain == "orders" and info.event_type == headers["X-Shopify-Topic"]


def test_a_missing_topic_header_is_a_validation_error_naming_the_header() -> None:
    body, headers = signed()
    del headers["X-Shopify-Topic"]
    with pytest.raises(ValidationFailed) as excinfo:
        shopify.describe(request(body, headers), json.loads(body))
    assert excinfo.value.details == [{"field": "header X-Shopify-Topic", "message": "required"}]


def test_an_order_without_line_items_or_currency_is_refused_with_field_details() -> None:
    payload = load_event("shopify/orders_create")
    del payload["currency"]
    payload["line_items"][1]["price"] = None
    body, headers = signed()
    with pytest.raises(ValidationFailed) as excinfo:
        shopify.describe(request(body, headers), payload)
    fields = {d["field"] for d in excinfo.value.details}
    assert fields == {"currency", "line_items.1.price"}
    assert excinfo.value.status == 400


def test_prices_become_exact_decimals_with_per_line_tax_and_discount() -> None:
    (order,) = shopify.normalize(envelope("shopify", "orders/create", load_event("shopify/orders_create")))
    assert isinstance(order, Order)
    pink, black = order.lines
    assert pink.unit_price.amount == Decimal("199.00") and pink.tax and pink.tax.amount == Decimal("11.34")
    assert pink.discount and pink.discount.amount == Decimal("10.00")
    assert black.quantity == 2 and black.discount is None
    # Lines add up to the order's total less shipping: 632.22 - 10.00.
    assert order.total.amount == Decimal("622.22")
    assert order.channel_order_id == "820982911946154508"  # the 64-bit id kept exact


def test_a_line_without_a_sku_makes_the_message_poison() -> None:
    payload = load_event("shopify/orders_create")
    payload["line_items"][1]["sku"] = ""
    with pytest.raises(NormalizationError) as excinfo:
        shopify.normalize(envelope("shopify", "orders/create", payload))
    assert excinfo.value.details == [
        {"field": "line_items.1.sku", "message": "a line without a SKU cannot be reserved"}
    ]


def test_gift_card_lines_are_skipped_because_they_hold_no_stock() -> None:
    payload = load_event("shopify/orders_create")
    gift = copy.deepcopy(payload["line_items"][0])
    gift.update(id=1, sku=None, gift_card=True, name="Gift card")
    payload["line_items"].append(gift)
    (order,) = shopify.normalize(envelope("shopify", "orders/create", payload))
    assert isinstance(order, Order)
    assert [line.sku for line in order.lines] == ["IPOD2008PINK", "IPOD2008BLACK"]


def test_a_float_price_is_refused_rather_than_rounded() -> None:
    payload = load_event("shopify/orders_create")
    payload["line_items"][0]["price"] = 199.99
    with pytest.raises(NormalizationError):
        shopify.normalize(envelope("shopify", "orders/create", payload))


def test_a_topic_that_slipped_into_the_queue_normalizes_to_nothing() -> None:
    assert shopify.normalize(envelope("shopify", "products/update", load_event("shopify/orders_create"))) == []


def test_an_orders_cancelled_delivery_without_cancelled_at_is_not_a_cancellation() -> None:
    # Found by `make fuzz`: a signed `{"id": 1}` on orders/cancelled was queued as a cancellation.
    headers = load_headers("shopify/orders_cancelled")
    with pytest.raises(ValidationFailed) as refused:
        shopify.describe(request(b'{"id": 1}', headers), {"id": 1})
    assert any(detail["field"] == "cancelled_at" for detail in refused.value.details)
    body = load_event("shopify/orders_cancelled")
    assert shopify.describe(request(json.dumps(body).encode(), headers), body).event_type == "orders/cancelled"
