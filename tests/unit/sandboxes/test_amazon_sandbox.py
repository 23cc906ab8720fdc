"""SP-API sandbox: Orders v0 shapes and rules, per-operation rate and burst, shipment, listings, feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from local.sandboxes import AmazonSandbox
from tests.support.events import load_event

# The ``client`` fixture presents an LWA token the sandbox minted (conftest.py).
TOKEN: dict[str, str] = {}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed(
    amazon: AmazonSandbox, order_id: str = "113-5467394-8722613", updated: datetime | None = None, **fields: Any
) -> None:
    order = load_event("amazon/get_order_response")["payload"]
    order.update(AmazonOrderId=order_id, **fields)
    if updated is not None:
        order["LastUpdateDate"] = _iso(updated)
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
    amazon.seed_orders([{"order": order, "items": items}])


def test_get_order_and_items_answer_the_seeded_order_in_sp_api_shape(
    amazon: AmazonSandbox, client: httpx.Client
) -> None:
    _seed(amazon)

    order = client.get(f"{amazon.url}/orders/v0/orders/113-5467394-8722613", headers=TOKEN)
    items = client.get(f"{amazon.url}/orders/v0/orders/113-5467394-8722613/orderItems", headers=TOKEN)

    assert order.status_code == 200 and order.json()["payload"]["OrderStatus"] == "Unshipped"
    assert order.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert [i["SellerSKU"] for i in items.json()["payload"]["OrderItems"]] == ["IPOD2008PINK", "IPOD2008BLACK"]


def test_calls_without_an_access_token_are_denied(amazon: AmazonSandbox, bare_client: httpx.Client) -> None:
    answer = bare_client.get(f"{amazon.url}/orders/v0/orders/1")

    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "Unauthorized"


def test_get_order_beyond_its_burst_of_30_answers_429_quota_exceeded_with_retry_after(
    amazon: AmazonSandbox, client: httpx.Client
) -> None:
    _seed(amazon)
    url = f"{amazon.url}/orders/v0/orders/113-5467394-8722613"

    statuses = [client.get(url, headers=TOKEN).status_code for _ in range(31)]
    refused = client.get(url, headers=TOKEN)

    assert statuses == [200] * 30 + [429]
    assert refused.json()["errors"][0]["code"] == "QuotaExceeded"
    assert int(refused.headers["Retry-After"]) >= 1
    # Another operation has its own bucket.
    assert client.get(f"{url}/orderItems", headers=TOKEN).status_code == 200


def test_get_orders_has_its_own_smaller_burst_of_20(amazon: AmazonSandbox, client: httpx.Client) -> None:
    after = _iso(datetime.now(UTC) - timedelta(hours=1))
    params = {"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": after}

    statuses = [
        client.get(f"{amazon.url}/orders/v0/orders", params=params, headers=TOKEN).status_code for _ in range(21)
    ]

    assert statuses == [200] * 20 + [429]


def test_get_orders_refuses_an_end_later_than_two_minutes_ago_and_a_missing_marketplace(
    amazon: AmazonSandbox, client: httpx.Client
) -> None:
    now = datetime.now(UTC)
    late = {
        "MarketplaceIds": "ATVPDKIKX0DER",
        "LastUpdatedAfter": _iso(now - timedelta(hours=1)),
        "LastUpdatedBefore": _iso(now),
    }

    too_late = client.get(f"{amazon.url}/orders/v0/orders", params=late, headers=TOKEN)
    no_market = client.get(
        f"{amazon.url}/orders/v0/orders", params={"LastUpdatedAfter": late["LastUpdatedAfter"]}, headers=TOKEN
    )

    assert too_late.status_code == 400 and "two minutes" in too_late.json()["errors"][0]["message"]
    assert no_market.status_code == 400 and no_market.json()["errors"][0]["code"] == "InvalidInput"


def test_get_orders_lists_the_window_in_pages_joined_by_next_token(amazon: AmazonSandbox, client: httpx.Client) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    for n in range(5):
        _seed(amazon, f"113-0000000-000000{n}", updated=start + timedelta(minutes=n))
    _seed(amazon, "113-0000000-0000099", updated=start - timedelta(hours=2))  # outside the window
    params: dict[str, str] = {
        "MarketplaceIds": "ATVPDKIKX0DER",
        "LastUpdatedAfter": _iso(start),
        "MaxResultsPerPage": "2",
    }

    seen: list[str] = []
    while True:
        payload = client.get(f"{amazon.url}/orders/v0/orders", params=params, headers=TOKEN).json()["payload"]
        seen += [o["AmazonOrderId"] for o in payload["Orders"]]
        if "NextToken" not in payload:
            break
        params = {"MarketplaceIds": "ATVPDKIKX0DER", "NextToken": payload["NextToken"]}

    assert seen == [f"113-0000000-000000{n}" for n in range(5)]


def test_confirm_shipment_ships_the_items_and_updates_the_order(amazon: AmazonSandbox, client: httpx.Client) -> None:
    _seed(amazon)
    body = {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z999",
            "shipDate": "2026-11-24T10:00:00Z",
            "orderItems": [
                {"orderItemId": "41329867524161", "quantity": 1},
                {"orderItemId": "41329867524162", "quantity": 2},
            ],
        },
    }

    answer = client.post(
        f"{amazon.url}/orders/v0/orders/113-5467394-8722613/shipmentConfirmation", json=body, headers=TOKEN
    )

    assert answer.status_code == 204
    order = client.get(f"{amazon.url}/orders/v0/orders/113-5467394-8722613", headers=TOKEN).json()["payload"]
    assert (order["OrderStatus"], order["NumberOfItemsUnshipped"]) == ("Shipped", 0)


def test_listing_availability_patches_and_feeds_are_recorded(amazon: AmazonSandbox, client: httpx.Client) -> None:
    patch = {
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
            }
        ],
    }

    patched = client.patch(
        f"{amazon.url}/listings/2021-08-01/items/A2SANDBOXSELLER/IPOD2008PINK",
        params={"marketplaceIds": "ATVPDKIKX0DER"},
        json=patch,
        headers=TOKEN,
    )
    feed = client.post(
        f"{amazon.url}/feeds/2021-06-30/feeds",
        json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": "doc-1"},
        headers=TOKEN,
    )

    assert patched.status_code == 200 and patched.json()["status"] == "ACCEPTED"
    assert amazon.listings()["IPOD2008PINK"]["attributes"]["fulfillment_availability"][0]["quantity"] == 7
    assert feed.status_code == 202 and feed.json()["feedId"]


def test_create_feed_allows_a_burst_of_15_and_then_waits_minutes(amazon: AmazonSandbox, client: httpx.Client) -> None:
    body = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"], "inputFeedDocumentId": "doc"}

    answers = [client.post(f"{amazon.url}/feeds/2021-06-30/feeds", json=body, headers=TOKEN) for _ in range(16)]

    assert [a.status_code for a in answers] == [202] * 15 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 60  # 0.0083 a second: one feed every two minutes


def test_rate_limits_can_be_tightened_or_lifted_per_operation_and_restored(
    amazon: AmazonSandbox, client: httpx.Client
) -> None:
    _seed(amazon)
    url = f"{amazon.url}/orders/v0/orders/113-5467394-8722613"

    client.post(
        f"{amazon.url}/__admin/faults", json={"rate_limits": {"getOrder": {"capacity": 1, "refill_per_second": 0}}}
    )
    tightened = [client.get(url, headers=TOKEN).status_code for _ in range(2)]
    client.post(f"{amazon.url}/__admin/faults", json={"rate_limits": None})
    lifted = [client.get(url, headers=TOKEN).status_code for _ in range(40)]
    restored = client.delete(f"{amazon.url}/__admin/faults").json()

    assert tightened == [200, 429]
    assert set(lifted) == {200}
    assert restored["rate_limits"]["getOrders"] == {"capacity": 20, "refill_per_second": 0.0167}


def test_a_feed_is_created_from_a_document_uploaded_to_its_url(amazon: AmazonSandbox, client: httpx.Client) -> None:
    # GIVEN a feed document (createFeedDocument) and its content PUT to the upload URL, without a token
    document = client.post(
        f"{amazon.url}/feeds/2021-06-30/documents", headers=TOKEN, json={"contentType": "application/json"}
    )
    assert document.status_code == 201
    doc = document.json()
    assert doc["feedDocumentId"].startswith("amzn1.tortuga.4.na.")
    content = {"header": {"sellerId": "A1", "version": "2.0"}, "messages": [{"messageId": 1, "sku": "S1"}]}
    assert client.put(doc["url"], json=content).status_code == 200

    # WHEN the feed is created from it
    feed = client.post(
        f"{amazon.url}/feeds/2021-06-30/feeds",
        headers=TOKEN,
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "inputFeedDocumentId": doc["feedDocumentId"],
        },
    )

    # THEN it is queued with the uploaded content
    assert feed.status_code == 202
    [recorded] = client.get(f"{amazon.url}/__admin/feeds").json()["feeds"]
    assert recorded["feedId"] == feed.json()["feedId"]
    assert recorded["content"] == content


def test_a_feed_refers_to_a_document_that_was_uploaded(amazon: AmazonSandbox, client: httpx.Client) -> None:
    doc = client.post(
        f"{amazon.url}/feeds/2021-06-30/documents", headers=TOKEN, json={"contentType": "application/json"}
    ).json()

    feed = client.post(
        f"{amazon.url}/feeds/2021-06-30/feeds",
        headers=TOKEN,
        json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["X"], "inputFeedDocumentId": doc["feedDocumentId"]},
    )

    assert feed.status_code == 400
    assert client.put(f"{amazon.url}/__uploads/amzn1.tortuga.4.na.unknown", json={}).status_code == 404


def test_the_availability_connector_sends_a_listings_feed_through_the_three_steps(
    amazon: AmazonSandbox, client: httpx.Client
) -> None:
    from functions.availability.adapters.amazon import AmazonConnector
    from functions.availability.adapters.base import StockUpdate
    from tests.support.vendor_tokens import amazon_sandbox_auth

    connector = AmazonConnector(
        amazon.url, seller_id="A2SELLER", marketplace_id="ATVPDKIKX0DER", token_auth=amazon_sandbox_auth(amazon.url)
    )

    feed_id = connector.send_feed([StockUpdate(sku=f"S{n}", listing_id=f"S{n}", units=n) for n in range(3)])

    [recorded] = client.get(f"{amazon.url}/__admin/feeds").json()["feeds"]
    assert recorded["feedId"] == feed_id
    assert recorded["feedType"] == "JSON_LISTINGS_FEED"
    assert [m["sku"] for m in recorded["content"]["messages"]] == ["S0", "S1", "S2"]
    assert recorded["content"]["header"]["sellerId"] == "A2SELLER"
