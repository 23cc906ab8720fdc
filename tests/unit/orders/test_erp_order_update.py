"""OrderUpdated -> the ERP sales order's shipping address (issue 10.4): the newest update the channel
sent wins, whatever order the events arrive in, and an order not in the ERP yet waits."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from functions.orders.logic.erp_order_update import ErpUpdateNotReady, sync_update
from shared.errors import PoisonMessage
from shared.models.order_changes import OrderUpdate
from tests.support.events import load_expected
from tests.unit.orders.test_erp_fulfilment import Orders, Trace


class Updates:
    def __init__(self, *updates: dict[str, Any]) -> None:
        self.updates = [OrderUpdate.model_validate(u) for u in updates]

    def applied_updates(self, channel: str, channel_order_id: str) -> list[OrderUpdate]:
        return list(self.updates)


class SalesOrders:
    def __init__(self) -> None:
        self.patches: list[tuple[str, dict[str, Any]]] = []

    def update_sales_order(self, order_id: str, fields: dict[str, Any]) -> None:
        self.patches.append((order_id, fields))

    def close_sales_order_lines(self, order_id: str, items: list[dict[str, Any]]) -> None:
        self.patches.append((order_id, {"item": {"items": items}}))


def update(updated_at: str, city: str | None) -> dict[str, Any]:
    """The Shopify orders/updated fixture's canonical update, at `updated_at`, shipping to `city`."""
    data: dict[str, Any] = copy.deepcopy(load_expected("shopify/orders_updated")[0]["data"])
    data.update(updated_at=updated_at, change_id=updated_at.replace("-", "").replace(":", ""))
    data["shipping_address"] = None if city is None else {**data["shipping_address"], "city": city}
    return data


def event(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "order_id": "ord_1", "correlation_id": "c-upd"}


def test_the_erp_gets_the_newest_address_even_when_an_older_update_arrives_last() -> None:
    # GIVEN two applied updates: the buyer moved to Louisville, then to Lexington
    older, newer = update("2022-01-01T01:05:00Z", "Louisville"), update("2022-01-01T02:00:00Z", "Lexington")
    updates, erp, trace = Updates(older, newer), SalesOrders(), Trace()
    orders = Orders(("ord_1", "5001"))

    # WHEN the newer event is delivered, then the older one late, then the newer one again
    for delivered in (newer, older, newer):
        sync_update(event(delivered), orders, updates, erp, trace)

    # THEN every write carried the newest address (PATCH by our id: the last write is the newest)
    assert [fields["shippingAddress"]["city"] for _, fields in erp.patches] == ["Lexington"] * 3
    assert {order_id for order_id, _ in erp.patches} == {"ord_1"}
    assert erp.patches[0][1]["shippingAddress"] == {
        "addressee": "Steve Shipper",
        "addr1": "123 Shipping Street",
        "addr2": "Apt 4",
        "city": "Lexington",
        "state": "KY",
        "zip": "40003",
        "country": "US",
    }
    assert [status for _, _, status in trace.entries] == ["erp_updated"] * 3


def test_an_update_without_an_address_changes_nothing_in_the_erp() -> None:
    only = update("2022-01-01T01:05:00Z", None)
    erp, trace = SalesOrders(), Trace()
    result = sync_update(event(only), Orders(("ord_1", "5001")), Updates(only), erp, trace)
    assert result["status"] == "skipped" and erp.patches == []
    assert [status for _, _, status in trace.entries] == ["erp_update_skipped"]


@pytest.mark.parametrize("found", [None, ("ord_1", None)], ids=["not recorded", "no ERP sales order yet"])
def test_an_order_not_in_the_erp_yet_waits_with_its_message(found: tuple[str, str | None] | None) -> None:
    with pytest.raises(ErpUpdateNotReady):
        sync_update(
            event(update("2022-01-01T01:05:00Z", "Lexington")), Orders(found), Updates(), SalesOrders(), Trace()
        )


def test_an_event_that_is_not_an_update_is_poison() -> None:
    with pytest.raises(PoisonMessage):
        sync_update({"correlation_id": "c"}, Orders(("ord_1", "5001")), Updates(), SalesOrders(), Trace())
