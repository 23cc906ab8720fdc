"""A seller-fulfilled Walmart return refunded through the real connector into the Walmart sandbox:
"Refund order lines" (`POST /v3/orders/{purchaseOrderId}/refund`) with negative amounts per line,
made once for one refund id, only for shipped lines (functions/returns/adapters/channel_refunds.py)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from functions.returns.adapters.channel_refunds import ChannelRefunds, ChannelRefundUnsupported, WalmartRefunds
from local.sandboxes import MarketplaceSandbox
from shared.errors import Rejected
from tests.support.events import load_event
from tests.support.sandboxes import sandbox_fixture
from tests.support.vendor_tokens import walmart_sandbox_auth

PO = "1796277083968"
LINES = [{"sku": "IPOD2008PINK", "quantity": 1, "line_id": "1", "amount": "199.00", "tax": "16.42"}]


def _seeded(status: str) -> dict[str, Any]:
    order = copy.deepcopy(load_event("walmart/get_order_response")["order"])
    for line in order["orderLines"]["orderLine"]:
        for entry in line["orderLineStatuses"]["orderLineStatus"]:
            entry["status"] = status
    return dict(order)


walmart = sandbox_fixture(MarketplaceSandbox)


def _refunds(walmart: MarketplaceSandbox) -> WalmartRefunds:
    return WalmartRefunds(walmart.url, walmart_sandbox_auth(walmart.url))


def _posts(walmart: MarketplaceSandbox) -> list[dict[str, Any]]:
    return [e for e in walmart.journal() if e["method"] == "POST" and e["path"].endswith("/refund")]


def test_a_shipped_line_is_refunded_once_with_negative_amounts_even_when_the_refund_is_retried(
    walmart: MarketplaceSandbox,
) -> None:
    walmart.seed_orders([_seeded("Shipped")])

    first = _refunds(walmart).refund("walmart", PO, "refund-walmart:98765432101234", "215.42", "USD", LINES)
    again = _refunds(walmart).refund("walmart", PO, "refund-walmart:98765432101234", "215.42", "USD", LINES)

    assert first == again
    [post] = _posts(walmart)  # the retry read the order, found the refund, and sent nothing
    [line] = post["body"]["orderRefund"]["orderLines"]["orderLine"]
    assert post["body"]["orderRefund"]["purchaseOrderId"] == PO
    assert (line["lineNumber"], line["isFullRefund"]) == ("1", False)
    [refund] = line["refunds"]["refund"]
    assert refund["refundComments"] == "retail-sync refund-walmart:98765432101234"
    [charge] = refund["refundCharges"]["refundCharge"]
    assert charge["refundReason"] == "CustomerChangedMind"
    assert charge["charge"]["chargeAmount"] == {"currency": "USD", "amount": -199.0}
    assert charge["charge"]["tax"]["taxAmount"] == {"currency": "USD", "amount": -16.42}
    stored = walmart.order(PO)
    assert stored is not None
    statuses = {
        line["lineNumber"]: line["orderLineStatuses"]["orderLineStatus"][0]["status"]
        for line in stored["orderLines"]["orderLine"]
    }
    assert statuses == {"1": "Refund", "2": "Shipped"}


def test_walmart_refuses_a_line_not_yet_shipped_and_that_is_a_rejection_for_a_person(
    walmart: MarketplaceSandbox,
) -> None:
    walmart.seed_orders([_seeded("Acknowledged")])

    with pytest.raises(Rejected):
        _refunds(walmart).refund("walmart", PO, "refund-walmart:1", "215.42", "USD", LINES)


def test_a_line_without_its_walmart_line_number_is_refused_before_any_money_moves(
    walmart: MarketplaceSandbox,
) -> None:
    walmart.seed_orders([_seeded("Shipped")])

    with pytest.raises(Rejected):
        _refunds(walmart).refund("walmart", PO, "refund-walmart:2", "1.00", "USD", [{**LINES[0], "line_id": None}])
    assert _posts(walmart) == []


def test_each_channel_is_refunded_by_its_own_client_and_another_one_is_unsupported(
    walmart: MarketplaceSandbox,
) -> None:
    walmart.seed_orders([_seeded("Shipped")])
    refunds = ChannelRefunds({"walmart": _refunds(walmart)})

    assert refunds.refund("walmart", PO, "refund-walmart:3", "215.42", "USD", LINES)
    with pytest.raises(ChannelRefundUnsupported):
        refunds.refund("ebay", "12-34", "refund-ebay:1", "1.00", "USD", LINES)
