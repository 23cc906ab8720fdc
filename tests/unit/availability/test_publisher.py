"""Coalesced, rate-limited publishing of channel availability (connectors against respx)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import respx

from functions.availability.adapters.amazon import AmazonConnector
from functions.availability.adapters.base import ChannelConnector, StockUpdate
from functions.availability.adapters.ebay import EbayConnector
from functions.availability.adapters.shopify import ShopifyConnector
from functions.availability.adapters.walmart import WalmartConnector
from functions.availability.handlers.mark_dirty import lambda_handler as mark_dirty
from functions.availability.logic.publisher import Publisher
from shared.models.allocation import AllocationRulesInput
from tests.fakes.availability import MemoryAvailabilityStore
from tests.fakes.builders import LambdaContext

AMAZON = "https://sellingpartnerapi-na.amazon.test"
SHOPIFY = "https://shop.myshopify.test"
WALMART = "https://marketplace.walmartapis.test"
EBAY = "https://api.ebay.test"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.slept = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        self.slept += seconds


def _rules(store: MemoryAvailabilityStore) -> None:
    store.put_rules(
        "default",
        AllocationRulesInput.model_validate(
            {
                "channels": [
                    {"channel": "amazon", "locations": ["dc-east"], "pool": 20, "buffer": 2},
                    {"channel": "shopify", "locations": ["dc-east", "store-7"], "share": "0.5"},
                    {"channel": "walmart", "locations": ["dc-east"], "share": "0.25"},
                    {"channel": "ebay", "locations": ["dc-east"], "share": "0.25"},
                ]
            }
        ),
        T0,
    )


def _connectors(store: MemoryAvailabilityStore, clock: FakeClock | None = None) -> dict[str, ChannelConnector]:
    clock = clock or FakeClock()
    common: dict[str, Any] = {"ledger": store, "clock": clock, "sleep": clock.sleep, "now": lambda: T0}
    return {
        "amazon": AmazonConnector(AMAZON, seller_id="A1SELLER", marketplace_id="ATVPDKIKX0DER", **common),
        "shopify": ShopifyConnector(SHOPIFY, location_id="655441491", **common),
        "walmart": WalmartConnector(WALMART, **common),
        "ebay": EbayConnector(EBAY, **common),
    }


def _channel_routes(mock: respx.MockRouter) -> dict[str, respx.Route]:
    return {
        "amazon": mock.patch(url__startswith=f"{AMAZON}/listings/2021-08-01/items/A1SELLER/").mock(
            return_value=httpx.Response(
                200, json={"sku": "x", "status": "ACCEPTED", "submissionId": "s1", "issues": []}
            )
        ),
        "shopify": mock.post(f"{SHOPIFY}/admin/api/2024-07/inventory_levels/set.json").mock(
            return_value=httpx.Response(200, json={"inventory_level": {}})
        ),
        "walmart": mock.put(url__startswith=f"{WALMART}/v3/inventory").mock(
            return_value=httpx.Response(200, json={"sku": "x", "quantity": {"unit": "EACH", "amount": 1}})
        ),
        "walmart_feed": mock.post(url__startswith=f"{WALMART}/v3/feeds").mock(
            return_value=httpx.Response(200, json={"feedId": "F1"})
        ),
        "ebay": mock.post(f"{EBAY}/sell/inventory/v1/bulk_update_price_quantity").mock(
            side_effect=lambda request: httpx.Response(
                200,
                json={
                    "responses": [
                        {"statusCode": 200, "sku": r["sku"], "offers": []}
                        for r in json.loads(request.content)["requests"]
                    ]
                },
            )
        ),
    }


def _inventory_changed(sku: str, location_id: str, on_hand: int, at: datetime) -> dict[str, Any]:
    event = {
        "version": "0",
        "id": f"evt-{on_hand}",
        "detail-type": "InventoryChanged",
        "source": "retail-sync",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "detail": {"sku": sku, "location_id": location_id, "on_hand": on_hand, "reserved": 0, "available": on_hand},
    }
    return {"messageId": f"m-{on_hand}", "body": json.dumps(event)}


def test_ten_thousand_movements_on_one_sku_make_a_handful_of_publishes() -> None:
    # GIVEN four channels and 10,000 WMS movements on one SKU, delivered in queue batches of 100,
    # with the publisher's one-minute schedule firing after every 2,000 of them
    store = MemoryAvailabilityStore()
    _rules(store)
    connectors = _connectors(store)
    publisher = Publisher(store, connectors, now=lambda: T0 + timedelta(minutes=1))
    with respx.mock(assert_all_called=False) as mock:
        routes = _channel_routes(mock)
        for batch in range(100):
            records = []
            for i in range(batch * 100, batch * 100 + 100):
                on_hand = 100 + (i % 37)
                store.set_position("SKU-1", "dc-east", on_hand=on_hand)
                records.append(_inventory_changed("SKU-1", "dc-east", on_hand, T0))
            mark_dirty({"Records": records}, LambdaContext(), store=store)
            if (batch + 1) % 20 == 0:
                publisher.run()

        # THEN each channel was called at most once per run: 5 runs, not 10,000 calls
        calls = {name: route.call_count for name, route in routes.items()}
    assert store.mark_calls == 100
    assert 1 <= calls["amazon"] <= 5 and 1 <= calls["shopify"] <= 5 and calls["ebay"] <= 5
    assert sum(calls.values()) <= 20
    # AND the channels end with what the final position allows (on hand 100 + 9999 % 37 = 109)
    assert store.published("SKU-1") == {"amazon": 18, "shopify": 44, "walmart": 22, "ebay": 22}
    assert store.dirty(10) == []


def test_a_change_arriving_while_publishing_keeps_the_sku_dirty() -> None:
    store = MemoryAvailabilityStore()
    _rules(store)
    store.set_position("SKU-1", "dc-east", on_hand=40)
    store.mark_dirty(["SKU-1"], T0)

    class Racing(Publisher):
        def run(self, budget_seconds: float = 50.0) -> Any:
            original = self.store.positions

            def positions(sku: str) -> Any:
                found = original(sku)
                self.store.mark_dirty([sku], T0 + timedelta(seconds=5))  # a movement lands mid-run
                return found

            self.store.positions = positions  # type: ignore[method-assign]
            return super().run(budget_seconds)

    with respx.mock(assert_all_called=False) as mock:
        _channel_routes(mock)
        report = Racing(store, _connectors(store)).run()

    assert report.cleared == 0
    assert [m.sku for m in store.dirty(10)] == ["SKU-1"]


def test_unchanged_availability_is_not_sent_again() -> None:
    store = MemoryAvailabilityStore()
    _rules(store)
    store.set_position("SKU-1", "dc-east", on_hand=40)
    with respx.mock(assert_all_called=False) as mock:
        routes = _channel_routes(mock)
        store.mark_dirty(["SKU-1"], T0)
        Publisher(store, _connectors(store)).run()
        first = sum(r.call_count for r in routes.values())
        store.mark_dirty(["SKU-1"], T0)  # a movement that nets to the same numbers
        report = Publisher(store, _connectors(store)).run()

    assert first == 4
    assert sum(r.call_count for r in routes.values()) == first
    assert report.unchanged == 1 and store.dirty(10) == []


def test_many_changed_skus_go_to_walmart_as_one_feed_within_its_ten_feeds_an_hour() -> None:
    store = MemoryAvailabilityStore()
    store.put_rules(
        "default",
        AllocationRulesInput.model_validate({"channels": [{"channel": "walmart", "locations": ["*"], "share": "1"}]}),
        T0,
    )
    for n in range(60):
        store.set_position(f"SKU-{n}", "dc-east", on_hand=n + 1)
    store.mark_dirty([f"SKU-{n}" for n in range(60)], T0)

    with respx.mock(assert_all_called=False) as mock:
        routes = _channel_routes(mock)
        report = Publisher(store, _connectors(store)).run()
        feed = routes["walmart_feed"].calls.last.request

    assert report.channels["walmart"].mode == "feed"
    assert routes["walmart_feed"].call_count == 1 and routes["walmart"].call_count == 0
    assert feed.url.params["feedType"] == "inventory"
    body = json.loads(feed.content)
    assert body["InventoryHeader"] == {"version": "1.4"} and len(body["Inventory"]) == 60
    assert {"sku": "SKU-59", "quantity": {"unit": "EACH", "amount": 60}} in body["Inventory"]
    assert store.feeds_sent_since("walmart", T0 - timedelta(hours=1)) == 1


def test_when_the_hourly_feed_allowance_is_used_up_updates_go_per_item() -> None:
    store = MemoryAvailabilityStore()
    for _ in range(10):
        store.record_feed("walmart", T0 - timedelta(minutes=30))
    clock = FakeClock()
    connector = WalmartConnector(WALMART, ledger=store, now=lambda: T0, clock=clock, sleep=clock.sleep)
    updates = [StockUpdate(sku=f"S{n}", listing_id=f"S{n}", units=n) for n in range(60)]

    with respx.mock(assert_all_called=False) as mock:
        routes = _channel_routes(mock)
        outcome = connector.publish(updates)

    assert outcome.mode == "item" and len(outcome.sent) == 60
    assert routes["walmart_feed"].call_count == 0 and routes["walmart"].call_count == 60


def test_shopify_calls_never_outrun_its_leaky_bucket_of_40_at_2_per_second() -> None:
    clock = FakeClock()
    connector = ShopifyConnector(SHOPIFY, location_id="655441491", clock=clock, sleep=clock.sleep)
    sent_at: list[float] = []
    updates = [StockUpdate(sku=f"S{n}", listing_id=str(808950810 + n), units=n) for n in range(60)]

    with respx.mock() as mock:

        def answer(request: httpx.Request) -> httpx.Response:
            sent_at.append(clock.t)
            return httpx.Response(200, json={})

        mock.post(f"{SHOPIFY}/admin/api/2024-07/inventory_levels/set.json").mock(side_effect=answer)
        outcome = connector.publish(updates)

    assert len(outcome.sent) == 60
    # By time t at most 40 + 2t calls went out; the 60th waited for 10 s of refill.
    for k, at in enumerate(sent_at, start=1):
        assert k <= 40 + 2 * at + 1e-9
    assert clock.slept == pytest.approx(10.0)


def test_updates_that_would_wait_past_the_deadline_stay_for_the_next_run() -> None:
    clock = FakeClock()
    connector = AmazonConnector(AMAZON, seller_id="A1SELLER", marketplace_id="M", clock=clock, sleep=clock.sleep)
    updates = [StockUpdate(sku=f"S{n}", listing_id=f"S{n}", units=n) for n in range(30)]

    with respx.mock() as mock:
        route = mock.patch(url__startswith=f"{AMAZON}/listings/").mock(
            return_value=httpx.Response(200, json={"status": "ACCEPTED"})
        )
        outcome = connector.publish(updates, deadline=2.0)

    # burst 5 at once, then 5 a second for 2 s
    assert route.call_count == 15 and len(outcome.sent) == 15
    assert set(outcome.failed) == {f"S{n}" for n in range(15, 30)}


def test_a_429_stops_the_channel_for_this_run_and_the_sku_stays_dirty() -> None:
    store = MemoryAvailabilityStore()
    store.put_rules(
        "default",
        AllocationRulesInput.model_validate({"channels": [{"channel": "ebay", "locations": ["*"], "share": "1"}]}),
        T0,
    )
    store.set_position("SKU-1", "dc-east", on_hand=5)
    store.mark_dirty(["SKU-1"], T0)

    with respx.mock() as mock:
        mock.post(f"{EBAY}/sell/inventory/v1/bulk_update_price_quantity").mock(
            return_value=httpx.Response(429, headers={"Retry-After": "1"}, json={"errors": []})
        )
        report = Publisher(store, _connectors(store)).run()

    assert report.channels["ebay"].failed == 1
    assert store.published("SKU-1") == {} and [m.sku for m in store.dirty(5)] == ["SKU-1"]


def test_a_rules_change_republishes_every_known_sku() -> None:
    store = MemoryAvailabilityStore()
    _rules(store)
    store.set_position("SKU-1", "dc-east", on_hand=40)
    store.set_position("SKU-2", "dc-east", on_hand=8)
    with respx.mock(assert_all_called=False) as mock:
        routes = _channel_routes(mock)
        store.mark_dirty(["SKU-1", "SKU-2"], T0)
        Publisher(store, _connectors(store)).run()
        before = routes["shopify"].call_count
        store.put_rules(
            "default",
            AllocationRulesInput.model_validate(
                {"channels": [{"channel": "shopify", "locations": ["*"], "share": "1"}]}
            ),
            T0,
        )
        store.mark_all_dirty(T0)
        Publisher(store, _connectors(store)).run()

    assert routes["shopify"].call_count - before == 2  # share 0.5 -> 1: both SKUs sent again
    assert store.published("SKU-1")["shopify"] == 40 and store.published("SKU-2")["shopify"] == 8
    assert store.dirty(10) == []


def test_many_changes_go_to_amazon_as_one_json_listings_feed() -> None:
    store = MemoryAvailabilityStore()
    clock = FakeClock()
    connector = AmazonConnector(
        AMAZON,
        seller_id="A1SELLER",
        marketplace_id="ATVPDKIKX0DER",
        ledger=store,
        clock=clock,
        sleep=clock.sleep,
        now=lambda: T0,
    )
    updates = [StockUpdate(sku=f"S{n}", listing_id=f"S{n}", units=n) for n in range(60)]

    with respx.mock() as mock:
        document = mock.post(f"{AMAZON}/feeds/2021-06-30/documents").mock(
            return_value=httpx.Response(
                201, json={"feedDocumentId": "amzn1.tortuga.4.na.doc1", "url": "https://tortuga.test/upload/doc1"}
            )
        )
        upload = mock.put("https://tortuga.test/upload/doc1").mock(return_value=httpx.Response(200))
        feed = mock.post(f"{AMAZON}/feeds/2021-06-30/feeds").mock(
            return_value=httpx.Response(202, json={"feedId": "50001"})
        )
        outcome = connector.publish(updates)

    assert outcome.mode == "feed" and len(outcome.sent) == 60 and outcome.calls == 1
    assert json.loads(document.calls.last.request.content) == {"contentType": "application/json; charset=UTF-8"}
    content = json.loads(upload.calls.last.request.content)
    assert content["header"] == {"sellerId": "A1SELLER", "version": "2.0", "issueLocale": "en_US"}
    assert [m["messageId"] for m in content["messages"]] == list(range(1, 61))
    assert content["messages"][59]["patches"][0]["value"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 59}]
    assert json.loads(feed.calls.last.request.content) == {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": ["ATVPDKIKX0DER"],
        "inputFeedDocumentId": "amzn1.tortuga.4.na.doc1",
    }
    assert store.feeds_sent_since("amazon", T0 - timedelta(hours=1)) == 1


def test_an_item_zalando_refuses_stays_for_the_next_run_and_the_rest_are_published() -> None:
    from functions.availability.adapters.zalando import ZalandoConnector

    clock = FakeClock()
    connector = ZalandoConnector(
        "https://api.merchants.zalando.test", merchant_id="m-1", sales_channel_id="sc-1", clock=clock, sleep=clock.sleep
    )
    updates = [
        StockUpdate(sku="SKU-A", listing_id="4063614512884", units=5),
        StockUpdate(sku="SKU-B", listing_id="4063614512891", units=0),
    ]

    with respx.mock() as mock:
        route = mock.post("https://api.merchants.zalando.test/merchants/m-1/stocks").mock(
            return_value=httpx.Response(
                207,
                json={
                    "items": [
                        {
                            "item": {"sales_channel_id": "sc-1", "ean": "4063614512884", "quantity": 5},
                            "result": {"status": "ACCEPTED", "code": "0"},
                        },
                        {
                            "item": {"sales_channel_id": "sc-1", "ean": "4063614512891", "quantity": 0},
                            "result": {"status": "REJECTED", "code": "2"},
                        },
                    ]
                },
            )
        )
        outcome = connector.publish(updates)

    assert route.call_count == 1 and json.loads(route.calls.last.request.content)["items"][1]["quantity"] == 0
    assert outcome.sent == ["SKU-A"] and set(outcome.failed) == {"SKU-B"}


def test_an_unreadable_queue_record_alone_goes_back_and_the_rest_are_marked() -> None:
    store = MemoryAvailabilityStore()
    records = [_inventory_changed("SKU-1", "dc-east", 5, T0), {"messageId": "m-bad", "body": "not json"}]

    answer = mark_dirty({"Records": records}, LambdaContext(), store=store)

    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}
    assert [m.sku for m in store.dirty(10)] == ["SKU-1"]
