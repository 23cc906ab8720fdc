"""Amazon SP-API adapter: routing of ORDER_CHANGE / polled orders, and normalization through getOrder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.channels.base import NormalizationError
from shared.channels.registry import adapter_for
from shared.errors import UnknownSource, ValidationFailed
from shared.models import Order, OrderCancellation
from tests.support.events import load_event
from tests.unit.channels.conftest import envelope, request
from tests.unit.channels.pull_fakes import FakeSpApi

amazon = adapter_for("amazon")


def _event(status: str, fulfillment: str = "MFN") -> dict[str, Any]:
    event = load_event("amazon/order_change_unshipped")
    summary = event["detail"]["Payload"]["OrderChangeNotification"]["Summary"]
    summary["OrderStatus"], summary["FulfillmentType"] = status, fulfillment
    return event


@pytest.mark.parametrize(
    ("status", "fulfillment", "expected"),
    [
        ("Unshipped", "MFN", "order/113-5467394-8722613/accept"),
        ("PartiallyShipped", "MFN", "order/113-5467394-8722613/accept"),
        ("Canceled", "MFN", "order/113-5467394-8722613/cancel"),
        ("Pending", "MFN", None),
        ("Shipped", "MFN", None),
        ("Unshipped", "AFN", None),
    ],
)
def test_order_change_routes_by_status_and_fulfillment(status: str, fulfillment: str, expected: str | None) -> None:
    info = amazon.describe_pulled(_event(status, fulfillment))  # type: ignore[attr-defined]

    assert info.event_type == "ORDER_CHANGE"
    if expected is None:
        assert info.ignored
        assert info.delivery_id == "notification/a8e4d2c6-1f3b-4b7a-9e5d-6c2f8b0a4d17"
    else:
        assert (info.delivery_id, info.domain) == (expected, "orders")
        assert info.occurred_at == datetime(2026, 11, 23, 14, 10, 27, tzinfo=UTC)


def test_a_buyer_cancellation_request_is_not_a_cancellation() -> None:
    info = amazon.describe_pulled(load_event("amazon/order_change_buyer_requested_cancel"))  # type: ignore[attr-defined]

    # Still Unshipped: a person decides; it maps onto the order's acceptance (a duplicate by then).
    assert info.delivery_id == "order/113-5467394-8722613/accept"


def test_other_notification_types_on_the_bus_are_ignored() -> None:
    event = load_event("amazon/order_change_unshipped")
    event["detail-type"] = "LISTINGS_ITEM_STATUS_CHANGE"

    info = amazon.describe_pulled(event)  # type: ignore[attr-defined]

    assert info.ignored and info.event_type == "LISTINGS_ITEM_STATUS_CHANGE"


def test_a_notification_without_its_order_id_names_the_field() -> None:
    event = _event("Unshipped")
    del event["detail"]["Payload"]["OrderChangeNotification"]["AmazonOrderId"]

    with pytest.raises(ValidationFailed) as refused:
        amazon.describe_pulled(event)  # type: ignore[attr-defined]

    assert any("AmazonOrderId" in d["field"] for d in refused.value.details)


def test_amazon_has_no_webhook_endpoint() -> None:
    with pytest.raises(UnknownSource):
        amazon.verify(request(b"{}", source="amazon"), "secret", datetime.now(UTC))


def test_normalization_reads_the_order_and_its_items_from_sp_api() -> None:
    api = FakeSpApi()

    (order,) = amazon.normalize(
        envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_unshipped")), enrich=api
    )

    assert api.calls == [("getOrder", "113-5467394-8722613"), ("getOrderItems", "113-5467394-8722613")]
    assert isinstance(order, Order)
    # ItemPrice is the line's total: two units at 398.00 are 199.00 each; the promotion stays a line total.
    black = order.lines[1]
    assert (black.sku, black.quantity, black.unit_price.amount, black.discount and black.discount.amount) == (
        "IPOD2008BLACK",
        2,
        199,
        200,
    )
    assert str(order.total.amount) == "453.18"


def test_a_polled_order_normalizes_the_same_as_its_notification() -> None:
    polled = load_event("amazon/get_orders_response")["payload"]["Orders"][0]
    by_event = amazon.normalize(
        envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_unshipped")), enrich=FakeSpApi()
    )

    by_poll = amazon.normalize(envelope("amazon", "getOrders", polled), enrich=FakeSpApi())

    assert by_poll == by_event


def test_an_order_canceled_by_the_time_it_is_read_becomes_a_cancellation() -> None:
    api = FakeSpApi().with_status("Canceled", "2026-11-23T15:42:03Z")

    (command,) = amazon.normalize(
        envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_canceled")), enrich=api
    )

    assert isinstance(command, OrderCancellation)
    assert command.channel_order_id == "113-5467394-8722613"
    assert command.cancelled_at == datetime(2026, 11, 23, 15, 42, 3, tzinfo=UTC)
    assert ("getOrderItems", "113-5467394-8722613") not in api.calls


@pytest.mark.parametrize("status", ["Pending", "PendingAvailability", "InvoiceUnconfirmed"])
def test_an_order_not_yet_payable_normalizes_to_nothing(status: str) -> None:
    payload = load_event("amazon/order_change_unshipped")

    assert amazon.normalize(envelope("amazon", "ORDER_CHANGE", payload), enrich=FakeSpApi().with_status(status)) == []


def test_a_line_without_a_seller_sku_is_poison() -> None:
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
    del items[1]["SellerSKU"]

    with pytest.raises(NormalizationError) as poison:
        amazon.normalize(
            envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_unshipped")),
            enrich=FakeSpApi(items=items),
        )

    assert poison.value.details == [{"field": "OrderItems.1.SellerSKU", "message": "no SKU for this line"}]


def test_an_uneven_line_price_keeps_four_decimals_instead_of_losing_cents() -> None:
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"][:1]
    items[0].update(QuantityOrdered=3, ItemPrice={"CurrencyCode": "USD", "Amount": "10.00"})

    (order,) = amazon.normalize(
        envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_unshipped")), enrich=FakeSpApi(items=items)
    )

    assert isinstance(order, Order)
    assert str(order.lines[0].unit_price.amount) == "3.3333"


def test_lines_cancelled_to_zero_before_shipment_are_left_out() -> None:
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
    items[0]["QuantityOrdered"] = 0

    (order,) = amazon.normalize(
        envelope("amazon", "ORDER_CHANGE", load_event("amazon/order_change_unshipped")), enrich=FakeSpApi(items=items)
    )

    assert isinstance(order, Order)
    assert [line.sku for line in order.lines] == ["IPOD2008BLACK"]
