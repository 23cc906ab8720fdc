"""Canonical order -> NetSuite-style sales order: exact amounts as strings, our id as externalId."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from functions.orders.logic.erp_mapping import sales_order_payload
from shared.models import Order
from tests.fakes.builders import order


def _floats(value: Any) -> list[Any]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []


def _full_order() -> Order:
    return Order.model_validate(
        {
            "channel": "shopify",
            "channel_order_id": "#1001",
            "placed_at": "2026-11-23T23:30:00-05:00",
            "currency": "USD",
            "customer": {"channel_customer_id": "cust-9", "email": "a@example.com"},
            "shipping_address": {
                "name": "Ann",
                "line1": "1 Main St",
                "city": "Springfield",
                "country_code": "US",
            },
            "lines": [
                {
                    "line_id": "L1",
                    "sku": "SKU-1",
                    "title": "Blue mug",
                    "quantity": 3,
                    "unit_price": {"amount": "19.99", "currency": "USD"},
                    "tax": {"amount": "4.80", "currency": "USD"},
                    "discount": {"amount": "5.00", "currency": "USD"},
                }
            ],
        }
    )


def test_sales_order_carries_our_order_id_as_external_id_and_the_channel_in_the_memo() -> None:
    source = _full_order()
    payload = sales_order_payload(source, "dc-east")

    assert payload["externalId"] == source.order_id
    assert payload["memo"] == "shopify order #1001"
    assert payload["otherRefNum"] == "#1001"
    assert payload["entity"] == {"externalId": "shopify:cust-9"}
    assert payload["currency"] == {"refName": "USD"}
    assert payload["location"] == {"externalId": "dc-east"}
    assert payload["tranDate"] == "2026-11-24"  # placed_at in UTC


def test_sales_order_lines_reference_the_sku_with_exact_string_amounts() -> None:
    [line] = sales_order_payload(_full_order(), "dc-east")["item"]["items"]

    assert line == {
        "item": {"externalId": "SKU-1"},
        "quantity": 3,
        "rate": "19.99",
        "amount": "54.97",
        "custcol_rs_line_id": "L1",
        "description": "Blue mug",
        "discountAmount": "5.00",
        "taxAmount": "4.80",
    }


def test_an_order_without_a_customer_goes_to_the_channels_guest_customer() -> None:
    assert sales_order_payload(order(), "dc-east")["entity"] == {"externalId": "shopify:guest"}


@given(
    cents=st.integers(min_value=0, max_value=10**9),
    quantity=st.integers(min_value=1, max_value=1000),
)
def test_sales_order_never_contains_a_float(cents: int, quantity: int) -> None:
    price = f"{cents // 100}.{cents % 100:02d}"
    payload = sales_order_payload(order(lines={"SKU-1": quantity}, price=price), "dc-east")

    assert _floats(payload) == []
    assert payload["item"]["items"][0]["rate"] == price
