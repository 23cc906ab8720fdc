"""Zalando adapter: which pulled orders are acted on, and how a JSON:API order becomes canonical."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import pytest

from shared.channels.base import NormalizationError
from shared.channels.clients.zalando_api import order_documents
from shared.channels.registry import adapter_for
from shared.models import Order, OrderCancellation
from tests.support.events import load_event
from tests.unit.channels.conftest import envelope

zalando = adapter_for("zalando")


def _documents() -> dict[str, dict[str, Any]]:
    return {d["data"]["id"]: d for d in order_documents(load_event("zalando/orders_page"))}


APPROVED = "1f6c8d2a-5b3e-4a7f-9c1d-2e4b6a8c0d13"
PARTLY_CANCELED = "2a7d9e3b-6c4f-4b8a-8d2e-3f5c7b9d1e24"
INITIAL = "3b8e0f4c-7d5a-4c9b-9e3f-4a6d8c0e2f35"
CANCELED = "4c9f1a5d-8e6b-4dac-8f4a-5b7e9d1f3a46"


def test_a_listing_page_splits_into_one_document_per_order_with_only_its_own_items_and_lines() -> None:
    documents = _documents()

    assert list(documents) == [APPROVED, PARTLY_CANCELED, INITIAL, CANCELED]
    approved = documents[APPROVED]["included"]
    assert [r["type"] for r in approved] == ["OrderItem", "OrderLine", "OrderLine", "OrderItem", "OrderLine"]


@pytest.mark.parametrize(
    ("order_id", "delivery"),
    [(APPROVED, "accept"), (PARTLY_CANCELED, "accept"), (CANCELED, "cancel"), (INITIAL, None)],
)
def test_approved_orders_are_accepted_fully_canceled_ones_cancelled_and_unpaid_ones_ignored(
    order_id: str, delivery: str | None
) -> None:
    info = zalando.describe_pulled(_documents()[order_id])  # type: ignore[attr-defined]

    if delivery is None:
        assert info.ignored
    else:
        assert (info.delivery_id, info.domain) == (f"order/{order_id}/{delivery}", "orders")


def test_units_of_one_item_become_one_line_and_canceled_units_are_left_out() -> None:
    (order,) = zalando.normalize(envelope("zalando", "Order", _documents()[PARTLY_CANCELED]))

    assert isinstance(order, Order)
    assert [(line.sku, line.quantity, str(line.unit_price.amount)) for line in order.lines] == [
        ("IPOD2008BLACK", 2, "189.95")
    ]
    assert order.shipping_address is not None and order.shipping_address.country_code == "NL"


def test_units_of_one_item_at_different_prices_become_separate_lines() -> None:
    document = deepcopy(_documents()[APPROVED])
    lines = [r for r in document["included"] if r["type"] == "OrderLine"]
    lines[1]["attributes"]["price"]["amount"] = 169.95

    (order,) = zalando.normalize(envelope("zalando", "Order", document))

    assert isinstance(order, Order)
    pink = [
        (line.line_id, line.quantity, str(line.unit_price.amount)) for line in order.lines if line.sku == "IPOD2008PINK"
    ]
    assert pink == [
        ("8a2d4f6b-1c3e-4d5f-a7b9-0c2e4f6a8b11-1", 1, "169.95"),
        ("8a2d4f6b-1c3e-4d5f-a7b9-0c2e4f6a8b11-2", 1, "189.95"),
    ]


def test_an_all_canceled_order_becomes_a_cancellation() -> None:
    (command,) = zalando.normalize(envelope("zalando", "Order", _documents()[CANCELED]))

    assert isinstance(command, OrderCancellation)
    assert command.channel_order_id == CANCELED


def test_an_item_without_the_merchant_sku_is_poison() -> None:
    document = deepcopy(_documents()[APPROVED])
    del document["included"][0]["attributes"]["external_id"]

    with pytest.raises(NormalizationError) as poison:
        zalando.normalize(envelope("zalando", "Order", document))

    assert poison.value.details[0]["field"] == "order_items.0.external_id"
