"""Issue 12 in the local stack: the ERP's signed item and price webhooks reach every channel sandbox
exactly once per SKU and channel, an out-of-order price is ignored, and a promotion starts and ends
on time through EventBridge Scheduler one-time schedules (fired by the local stack)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from local.demo.prices import SANDBOX_OF, shown
from local.demo.prices import listings as _listings
from tests.integration.flows import Flows, unique
from tests.support.events import load_event


def _item(sku: str, version: int) -> dict[str, Any]:
    event = load_event("erp/item_updated")
    event.update(event_id=unique("erp-item"), sku=sku, sequence=version, listings=_listings(sku))
    event["occurred_at"] = datetime.now(UTC).isoformat()
    return event


def _price(sku: str, version: int, list_price: str, sale: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("erp/price_updated")
    event.update(event_id=unique("erp-price"), sku=sku, sequence=version, list_price=list_price, sale=sale)
    event["occurred_at"] = datetime.now(UTC).isoformat()
    return event


def _shown(flows: Flows, sku: str) -> dict[str, dict[str, Any]]:
    return shown(flows.http, flows.stack, _listings(sku))


def _publish(flows: Flows) -> None:
    flows.idle(30)
    flows.stack.fire_schedule("PricePublishSchedule")
    flows.idle(30)


def test_a_price_change_reaches_every_channel_once_and_an_older_price_arriving_late_is_ignored(flows: Flows) -> None:
    sku = unique("PRICE")
    flows.accept(flows.delivery("erp", _item(sku, 1)))
    flows.accept(flows.delivery("erp", _price(sku, 5, "49.00")))
    _publish(flows)
    flows.accept(flows.delivery("erp", _price(sku, 4, "39.00")))  # version 4 after 5: out of order
    _publish(flows)

    shown = _shown(flows, sku)
    assert set(shown) == set(SANDBOX_OF)
    assert {c: (Decimal(p["amount"]), p["updates"]) for c, p in shown.items()} == dict.fromkeys(
        SANDBOX_OF, (Decimal("49.00"), 1)
    )


def test_a_signed_erp_price_the_models_refuse_answers_400_and_queues_nothing(flows: Flows) -> None:
    sku = unique("PRICE")
    answer = flows.send(flows.delivery("erp", _price(sku, 1, "-3.00")))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_FAILED"
    assert flows.queue_depth("CatalogQueue") == 0


def test_a_promotion_starts_and_ends_on_time_through_one_time_schedules(flows: Flows) -> None:
    sku = unique("PROMO")
    # The sale starts well after the first publish even on a loaded machine (it takes 1-3 s there).
    start = (datetime.now(UTC) + timedelta(seconds=12)).replace(microsecond=0)
    end = start + timedelta(seconds=5)
    sale = {"price": "29.00", "starts_at": start.isoformat(), "ends_at": end.isoformat()}
    flows.accept(flows.delivery("erp", _item(sku, 1)))
    flows.accept(flows.delivery("erp", _price(sku, 1, "49.00", sale)))
    _publish(flows)
    before = {c: p["amount"] for c, p in _shown(flows, sku).items()}

    # No schedule fired by hand from here: the sale's start and end schedules run the publisher.
    _wait_until(lambda: {p["amount"] for p in _shown(flows, sku).values()} == {"29.00"}, start + timedelta(seconds=8))
    during = _shown(flows, sku)
    _wait_until(lambda: {p["amount"] for p in _shown(flows, sku).values()} == {"49.00"}, end + timedelta(seconds=8))
    after = _shown(flows, sku)

    assert before == dict.fromkeys(SANDBOX_OF, "49.00")
    assert {c: (p["amount"], p["compare_at"]) for c, p in during.items() if c in ("shopify", "zalando")} == {
        "shopify": ("29.00", "49.00"),
        "zalando": ("29.00", "49.00"),
    }
    assert {c: p["updates"] for c, p in after.items()} == dict.fromkeys(SANDBOX_OF, 3)  # list, sale, list


def _wait_until(done: Any, deadline: datetime) -> None:
    while datetime.now(UTC) < deadline and not done():
        time.sleep(0.25)
    assert done(), f"not done by {deadline.isoformat()}"


def test_a_price_a_channel_refuses_is_a_price_exception_in_ops_and_its_retry_sends_it_again(flows: Flows) -> None:
    sku = unique("FLOOR")
    amazon = flows.sandbox_url("amazon")
    flows.http.post(f"{amazon}/__admin/price_floors", json={"key": sku, "floor": "40.00"})
    flows.accept(flows.delivery("erp", _item(sku, 1)))
    flows.accept(flows.delivery("erp", _price(sku, 1, "19.00")))
    _publish(flows)

    listed = flows.ops("exceptions?kind=price&status=open&limit=100").json()
    [refused] = [e for e in listed["exceptions"] if sku in str(e.get("concerns"))]
    assert "amazon" in refused["concerns"] and set(_shown(flows, sku)) == set(SANDBOX_OF) - {"amazon"}

    flows.http.post(f"{amazon}/__admin/price_floors", json={"key": sku, "floor": "10.00"})
    retried = flows.http.post(f"{flows.stack.api_url}/v1/ops/exceptions/{refused['id']}/retry")
    assert retried.status_code in (200, 202), retried.text
    _publish(flows)

    assert _shown(flows, sku)["amazon"]["amount"] == "19.00"
    resolved = flows.ops("exceptions?kind=price&status=resolved&limit=100").json()["exceptions"]
    assert refused["id"] in {e["id"] for e in resolved}  # the retry went through: resolved, not left open
    assert {c: p["updates"] for c, p in _shown(flows, sku).items()} == dict.fromkeys(SANDBOX_OF, 1)
