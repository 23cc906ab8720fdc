"""Shopify refunds through the real connector into the Shopify sandbox: calculate first, then one
refund naming the capture (`parent_id`) and the order's line items, never two for one refund id."""

from __future__ import annotations

import pytest

from functions.returns.adapters.channel_refunds import ShopifyRefunds
from local.sandboxes import ShopifySandbox
from shared.errors import Rejected
from tests.support.sandboxes import sandbox_fixture

ORDER = "450789469"
LINES = [{"sku": "IPOD2008PINK", "quantity": 1, "line_id": "466157049"}]


shopify = sandbox_fixture(ShopifySandbox)


def test_a_refund_retried_after_a_lost_answer_is_made_once(shopify: ShopifySandbox) -> None:
    refunds = ShopifyRefunds(shopify.url, "local-shopify-token", "2025-01")

    first = refunds.refund("shopify", ORDER, "refund-loop:1673", "209.00", "USD", LINES)
    again = refunds.refund("shopify", ORDER, "refund-loop:1673", "209.00", "USD", LINES)

    assert first == again
    [made] = shopify.state()["refunds"]
    assert made["refund_line_items"] == [{"line_item_id": 466157049, "quantity": 1, "restock_type": "no_restock"}]
    [transaction] = made["transactions"]
    assert transaction["kind"] == "refund" and transaction["amount"] == "209.00" and transaction["parent_id"]


def test_a_line_without_its_shopify_line_item_id_is_refused_before_any_money_moves(shopify: ShopifySandbox) -> None:
    refunds = ShopifyRefunds(shopify.url, "local-shopify-token", "2025-01")

    with pytest.raises(Rejected):
        refunds.refund("shopify", ORDER, "refund-loop:1674", "10.00", "USD", [{"sku": "X", "quantity": 1}])

    assert shopify.state()["refunds"] == []


def test_the_sandbox_refuses_a_refund_transaction_without_its_parent(shopify: ShopifySandbox) -> None:
    import httpx

    answer = httpx.post(
        f"{shopify.url}/admin/api/2025-01/orders/{ORDER}/refunds.json",
        headers={"X-Shopify-Access-Token": "t"},
        json={"refund": {"transactions": [{"kind": "refund", "amount": "1.00", "gateway": "shopify_payments"}]}},
    )
    assert answer.status_code == 422 and answer.json() == {"errors": {"parent_id": ["can't be blank"]}}
