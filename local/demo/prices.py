"""The demo's price act (issue 12): the ERP sends an item with its listing on every channel and a
price with a one-hour promotion starting in a few seconds, then an older price late; the publisher
sends the list price to every channel sandbox once, the promotion's one-time schedule starts the sale
on time everywhere, its end is scheduled an hour later, and the older price changed nothing."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx

from local.demo.driver import Done
from local.demo.namespace import Namespace
from local.demo.scenario import PriceAct
from local.signing import EVENTS_DIR, signed_headers
from local.stack import LocalStack

SANDBOX_OF = {"shopify": "shopify", "amazon": "amazon", "walmart": "marketplace", "ebay": "ebay", "zalando": "zalando"}
SALE_WAIT_S = 45.0


def listings(sku: str) -> dict[str, str]:
    """Each channel's key for the SKU's price (Shopify variant id, eBay offer id, Zalando EAN are numbers)."""
    digits = str(int(hashlib.sha256(sku.encode()).hexdigest(), 16))[:9]
    return {"shopify": digits, "amazon": sku, "walmart": sku, "ebay": f"68{digits}", "zalando": f"40{digits}"}


def _send(client: httpx.Client, api_url: str, event: dict[str, Any]) -> int:
    body = json.dumps(event).encode()
    answer = client.post(
        f"{api_url}/v1/webhooks/erp", content=body, headers=signed_headers("erp", body, headers={}, base_url=api_url)
    )
    return answer.status_code


def shown(client: httpx.Client, stack: LocalStack, keys: dict[str, str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for channel, key in keys.items():
        prices = client.get(f"{stack.sandbox_urls[SANDBOX_OF[channel]]}/__admin/prices").json()
        if key in prices:
            found[channel] = prices[key]
    return found


def run_prices(client: httpx.Client, stack: LocalStack, step: PriceAct, ns: Namespace, idle: Any) -> Done:
    sku = ns.id(step.sku)
    keys = listings(sku)
    now = datetime.now(UTC).replace(microsecond=0)
    start, end = now + timedelta(seconds=step.sale_starts_in_s), now + timedelta(hours=1)
    item = json.loads((EVENTS_DIR / "erp" / "item_updated.json").read_text())
    item.update(event_id=f"erp-item-{sku}-{now.timestamp():.0f}", sku=sku, listings=keys, occurred_at=now.isoformat())
    price = json.loads((EVENTS_DIR / "erp" / "price_updated.json").read_text())
    price.update(
        event_id=f"erp-price-{sku}-{now.timestamp():.0f}",
        sku=sku,
        occurred_at=now.isoformat(),
        list_price=step.list_price,
        sale={"price": step.sale_price, "starts_at": start.isoformat(), "ends_at": end.isoformat()},
    )
    older = {**price, "event_id": f"{price['event_id']}-late", "sequence": price["sequence"] - 1, "sale": None}
    older["list_price"] = step.late_price
    answers = [_send(client, stack.api_url, item), _send(client, stack.api_url, price)]
    idle()
    answers.append(_send(client, stack.api_url, older))  # an older version, after the newer one
    idle()
    stack.fire_schedule("PricePublishSchedule")
    idle()
    listed = shown(client, stack, keys)
    deadline = time.monotonic() + SALE_WAIT_S
    while time.monotonic() < deadline:
        on_sale = shown(client, stack, keys)
        if {p["amount"] for p in on_sale.values()} == {step.sale_price} and len(on_sale) == len(keys):
            break
        time.sleep(0.25)
    idle()
    on_sale = shown(client, stack, keys)
    schedules = boto3.client("scheduler").list_schedules().get("Schedules", [])
    end_scheduled = any(s["Name"].startswith("price-") for s in schedules)
    checks = {
        "answered 202": answers == [202, 202, 202],
        "list price everywhere": {c: p["amount"] for c, p in listed.items()} == dict.fromkeys(keys, step.list_price),
        "two updates each": {c: p["updates"] for c, p in on_sale.items()} == dict.fromkeys(keys, 2),
        "sale everywhere": {p["amount"] for p in on_sale.values()} == {step.sale_price},
        "end scheduled": end_scheduled,
    }
    ok = all(checks.values())
    text = (
        f"{sku}: {step.list_price} on {len(listed)}/5 channels once, the sale at {step.sale_price} on "
        f"{sum(p['amount'] == step.sale_price for p in on_sale.values())}/5 when its schedule fired "
        f"({start:%H:%M:%S}), its end scheduled for {end:%H:%M:%S}; the older {step.late_price} ignored"
        + (
            ""
            if ok
            else f" (failed: {', '.join(k for k, v in checks.items() if not v)}; answers {answers};"
            f" updates { ({c: p['updates'] for c, p in on_sale.items()}) })"
        )
    )
    return Done(step.label, text, ok, detail={"listed": listed, "on_sale": on_sale})
