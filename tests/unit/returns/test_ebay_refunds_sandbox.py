"""A return of an eBay order refunded through the real connector into the eBay sandbox: issueRefund
(`POST /sell/fulfillment/v1/order/{orderId}/issue_refund`) with one refund item per returned line,
made once for one refund (functions/returns/adapters/channel_refunds.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from functions.returns.adapters.channel_refunds import EbayRefunds
from local.sandboxes.ebay import EbaySandbox
from shared.channels.clients.ebay_api import SELL_FULFILLMENT_SCOPE, EbayCredentials
from shared.channels.clients.ebay_credentials import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN
from shared.errors import Rejected
from tests.support.events import load_event

ORDER = "27-13492-80251"
LINES = [{"sku": "IPOD2008PINK", "quantity": 1, "line_id": "10084048110913", "amount": "189.00", "tax": "11.34"}]


@pytest.fixture
def ebay() -> Iterator[EbaySandbox]:
    sandbox = EbaySandbox()
    sandbox.start("127.0.0.1", 0)
    sandbox.seed_orders([load_event("ebay/get_order_response")])
    try:
        yield sandbox
    finally:
        sandbox.stop()


def _refunds(ebay: EbaySandbox) -> EbayRefunds:
    credentials = EbayCredentials(LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, LOCAL_REFRESH_TOKEN)
    return EbayRefunds(ebay.url, credentials, scope=SELL_FULFILLMENT_SCOPE)


def _posts(ebay: EbaySandbox) -> list[dict[str, Any]]:
    return [e for e in ebay.journal() if e["method"] == "POST" and e["path"].endswith("/issue_refund")]


def test_a_returned_line_is_refunded_once_with_its_amount_and_tax_even_when_the_refund_is_retried(
    ebay: EbaySandbox,
) -> None:
    first = _refunds(ebay).refund("ebay", ORDER, "refund-loop:1", "200.34", "USD", LINES)
    again = _refunds(ebay).refund("ebay", ORDER, "refund-loop:1", "200.34", "USD", LINES)

    assert first == again
    [post] = _posts(ebay)  # the retry read the order, found the line's refund, and sent nothing
    assert post["body"] == {
        "reasonForRefund": "BUYER_RETURN",
        "comment": "retail-sync refund-loop:1",
        "refundItems": [{"lineItemId": "10084048110913", "refundAmount": {"value": "200.34", "currency": "USD"}}],
    }


def test_a_line_without_its_ebay_line_item_id_is_refused_before_any_call(ebay: EbaySandbox) -> None:
    with pytest.raises(Rejected, match="lineItemId"):
        _refunds(ebay).refund("ebay", ORDER, "refund-loop:2", "10.00", "USD", [{**LINES[0], "line_id": None}])
    assert _posts(ebay) == []


def test_an_order_ebay_does_not_know_is_a_refusal_not_a_retry(ebay: EbaySandbox) -> None:
    with pytest.raises(Rejected):
        _refunds(ebay).refund("ebay", "99-99999-99999", "refund-loop:3", "10.00", "USD", LINES)
