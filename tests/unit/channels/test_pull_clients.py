"""The SP-API and zDirect connectors against their sandboxes: paging, auth, and Amazon's rate limits."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from local.sandboxes import AmazonSandbox, ZalandoSandbox
from local.sandboxes.zalando import DEFAULT_MERCHANT_ID
from shared.channels.clients.sp_api import SpApiClient
from shared.channels.clients.zalando_api import ZalandoOrdersClient
from shared.errors import Throttled, VendorNotFound
from tests.support.events import load_event
from tests.support.sandboxes import sandbox_fixture
from tests.support.vendor_tokens import amazon_sandbox_auth, zalando_sandbox_auth

amazon = sandbox_fixture(AmazonSandbox)
zalando = sandbox_fixture(ZalandoSandbox)


def _seed(amazon: AmazonSandbox, order_id: str, updated: datetime, items: int = 2) -> None:
    order = load_event("amazon/get_order_response")["payload"]
    order.update(AmazonOrderId=order_id, LastUpdateDate=updated.strftime("%Y-%m-%dT%H:%M:%SZ"))
    template = load_event("amazon/get_order_items_response")["payload"]["OrderItems"][0]
    lines = [{**template, "OrderItemId": f"{n:014d}", "SellerSKU": f"SKU-{n}"} for n in range(items)]
    amazon.seed_orders([{"order": order, "items": lines}])


def test_sp_api_client_reads_an_order_and_every_page_of_its_items(amazon: AmazonSandbox) -> None:
    _seed(amazon, "113-1111111-1111111", datetime.now(UTC) - timedelta(hours=1), items=45)
    client = SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url))

    order = client.get_order("113-1111111-1111111")
    items = client.get_order_items("113-1111111-1111111")

    assert order["OrderStatus"] == "Unshipped"
    assert [i["SellerSKU"] for i in items] == [f"SKU-{n}" for n in range(45)]
    journal = amazon.journal()
    assert [e["path"].rsplit("/", 1)[-1] for e in journal] == ["113-1111111-1111111", "orderItems", "orderItems"]
    # One LWA token, minted once (LWA is another host: not in the SP-API journal), sent on every call.
    assert amazon.tokens.summary()["issued"] == 1
    assert len({e["headers"]["x-amz-access-token"] for e in journal}) == 1


def test_sp_api_client_lists_a_window_across_pages(amazon: AmazonSandbox) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    for n in range(120):
        _seed(amazon, f"113-2222222-{n:07d}", start + timedelta(seconds=n), items=1)
    client = SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url))

    orders = list(
        client.get_orders(["ATVPDKIKX0DER"], start - timedelta(seconds=1), datetime.now(UTC) - timedelta(minutes=3))
    )

    assert len(orders) == 120
    assert len(amazon.journal()) == 2  # 100 a page


def test_sp_api_client_waits_out_a_short_throttle_and_gives_up_on_a_long_one(amazon: AmazonSandbox) -> None:
    _seed(amazon, "113-3333333-3333333", datetime.now(UTC) - timedelta(hours=1))
    amazon.set_faults({"rate_limits": {"getOrder": {"capacity": 1, "refill_per_second": 0}}})
    waits: list[float] = []
    client = SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url), max_retries=2, sleep=waits.append)

    client.get_order("113-3333333-3333333")
    with pytest.raises(Throttled):
        client.get_order("113-3333333-3333333")

    assert client.throttled_calls == 3  # the refused call and its two retries
    assert waits == [2.0, 2.0]  # Retry-After (60 s: no refill) capped at max_wait_seconds
    assert [e["status"] for e in amazon.journal()] == [200, 429, 429, 429]


def test_sp_api_client_retries_through_amazons_getorder_rate(amazon: AmazonSandbox) -> None:
    _seed(amazon, "113-4444444-4444444", datetime.now(UTC) - timedelta(hours=1))
    amazon.set_faults({"rate_limits": {"getOrder": {"capacity": 1, "refill_per_second": 20}}})
    client = SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url), max_retries=3, sleep=lambda _: time.sleep(0.06))

    answers = [client.get_order("113-4444444-4444444")["AmazonOrderId"] for _ in range(3)]

    assert answers == ["113-4444444-4444444"] * 3
    assert client.throttled_calls >= 1


def test_sp_api_client_tells_an_unknown_order_apart(amazon: AmazonSandbox) -> None:
    with pytest.raises(VendorNotFound):
        SpApiClient(amazon.url, amazon_sandbox_auth(amazon.url)).get_order("113-0000000-0000000")


def test_zalando_client_yields_each_order_of_every_page_with_its_own_items(zalando: ZalandoSandbox) -> None:
    t = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    for n in range(130):
        zalando.seed_order(
            {
                "order_id": f"order-{n:03d}",
                "modified_at": (t + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
                "items": [{"external_id": f"SKU-{n}", "quantity": 2, "price": {"amount": 10, "currency": "EUR"}}],
            }
        )
    client = ZalandoOrdersClient(zalando.url, zalando_sandbox_auth(zalando.url))

    documents = list(client.list_orders(DEFAULT_MERCHANT_ID, t - timedelta(seconds=1), t + timedelta(hours=1)))

    assert [d["data"]["id"] for d in documents] == [f"order-{n:03d}" for n in range(130)]
    assert [r["type"] for r in documents[7]["included"]] == ["OrderItem", "OrderLine", "OrderLine"]
    assert documents[7]["included"][0]["attributes"]["external_id"] == "SKU-7"
    # One token mint, then 100 orders a page.
    assert [e["path"] for e in zalando.journal()] == ["/auth/token", *[f"/merchants/{DEFAULT_MERCHANT_ID}/orders"] * 2]
