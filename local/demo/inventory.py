"""Inventory and availability steps of the demo, through the ops API and the sandboxes: allocation
rules, the availability publisher and what each marketplace was told, a burst of concurrent orders
for the last units of a SKU, and a reconciliation run against drifted WMS / ERP snapshots."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from local.demo.driver import Done, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import Burst, Publish, Reconcile, SetRules
from local.signing import EVENTS_DIR, signed_headers
from local.stack import LocalStack

AMAZON_SELLER = "A2SANDBOXSELLER"  # the seller id the local stack's publisher is configured with
RECONCILIATION_TIMEOUT_S = 30.0


def set_rules(client: httpx.Client, api_url: str, step: SetRules, ns: Namespace) -> Done:
    sku = ns.id(step.sku)
    rules = client.put(f"{api_url}/v1/ops/allocation-rules/{sku}", json=step.rules)
    listing = client.put(f"{api_url}/v1/ops/listings/{sku}", json=ns.data(step.listing_ids))
    ok = rules.status_code == 200 and listing.status_code == 200
    text = f"rules {rules.status_code}, listing ids {listing.status_code}"
    return Done(step.label, text, ok, detail={"rules": rules.json() if ok else rules.text})


# ----- the availability publisher and what the channels heard ------------------------------------


@dataclass
class Published:
    """One publisher run: per SKU, the ops view's channels and ATP, and the last quantity each
    marketplace accepted (from the sandboxes' journals)."""

    name: str
    channels: dict[str, dict[str, int]] = field(default_factory=dict)  # SKU -> channel -> units (ops)
    told: dict[str, dict[str, int]] = field(default_factory=dict)  # SKU -> channel -> last accepted
    atp: dict[str, dict[str, int]] = field(default_factory=dict)  # SKU -> location -> available
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)  # SKU -> rules document


def publish(
    client: httpx.Client, stack: LocalStack, step: Publish, ns: Namespace, listings: dict[str, dict[str, str]]
) -> tuple[Done, Published]:
    """Fire the publisher's schedule, then read the ops view and the marketplaces' journals.
    `listings`: per SKU the listing ids set with the rules (Shopify and Zalando are told by id)."""
    [invocation] = stack.fire_schedule("AvailabilityPublishSchedule")
    result = Published(step.name)
    for sku in step.skus:
        mine = ns.id(sku)
        view = client.get(f"{stack.api_url}/v1/ops/inventory/{mine}").json()
        result.channels[sku] = dict(view.get("channels", {}))
        result.atp[sku] = {loc["location_id"]: loc["available"] for loc in view.get("locations", [])}
        result.rules[sku] = client.get(f"{stack.api_url}/v1/ops/allocation-rules/{mine}").json()
        result.told[sku] = told(client, stack.sandbox_urls, mine, ns.data(listings.get(sku, {})))
    errored = bool(getattr(invocation, "errored", False))
    text = (
        "failed"
        if errored
        else "told: "
        + "; ".join(f"{sku} " + " ".join(f"{c} {u}" for c, u in sorted(result.told[sku].items())) for sku in step.skus)
    )
    return Done(step.label, text, not errored), result


def told(client: httpx.Client, urls: dict[str, str], sku: str, listing: dict[str, str]) -> dict[str, int]:
    """The last quantity each marketplace accepted for the SKU, from the sandboxes' request
    journals (oldest first). Shopify and Zalando are addressed by the SKU's listing ids."""
    last: dict[str, int] = {}
    for entry in _journal(client, urls["amazon"], f"/listings/2021-08-01/items/{AMAZON_SELLER}/{sku}"):
        last["amazon"] = entry["body"]["patches"][0]["value"][0]["quantity"]
    for entry in _journal(client, urls["marketplace"], "/v3/inventory"):
        if entry["body"].get("sku") == sku:
            last["walmart"] = entry["body"]["quantity"]["amount"]
    for entry in _journal(client, urls["ebay"], "/sell/inventory/v1/bulk_update_price_quantity"):
        for request in entry["body"]["requests"]:
            if request["sku"] == sku:
                last["ebay"] = request["shipToLocationAvailability"]["quantity"]
    for entry in _journal(client, urls["shopify"], "/admin/api/"):
        body = entry["body"]
        if entry["path"].endswith("/inventory_levels/set.json") and str(body["inventory_item_id"]) == listing.get(
            "shopify"
        ):
            last["shopify"] = body["available"]
    for entry in _journal(client, urls["zalando"], "/merchants/"):
        if entry["path"].endswith("/stocks"):
            for item in entry["body"]["items"]:
                if item["ean"] == listing.get("zalando"):
                    last["zalando"] = item["quantity"]
    return last


def _journal(client: httpx.Client, base_url: str, path: str) -> list[dict[str, Any]]:
    answer = client.get(f"{base_url}/__admin/requests", params={"path": path})
    entries: list[dict[str, Any]] = answer.json()["requests"]
    return [e for e in entries if e.get("status") is not None and 200 <= e["status"] < 300 and e.get("body")]


# ----- a burst of concurrent orders --------------------------------------------------------------


@dataclass
class BurstResult:
    sku: str
    location_id: str
    answers: list[int]  # HTTP status per order
    channel_order_ids: list[str]
    statuses: dict[str, str] = field(default_factory=dict)  # channel order id -> order status
    samples: int = 0  # positions read while the burst ran
    oversold: list[dict[str, Any]] = field(default_factory=list)  # any sample with reserved > on_hand
    seconds: float = 0.0
    retried: list[int] = field(default_factory=list)  # statuses that made a delivery retry (5xx, 409, 429)
    refusals: list[str] = field(default_factory=list)  # status and body of every answer but 202


def burst_orders(step: Burst, ns: Namespace) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(channel order id, orders/create payload, headers) per order: the Shopify fixture with its
    own order, line and webhook ids, one line of `quantity` x the SKU."""
    template = fixture_json("shopify/orders_create")
    headers = json.loads((EVENTS_DIR / "shopify/orders_create.headers.json").read_text())
    out = []
    for n in range(1, step.orders + 1):
        order_id = ns.id(f"{7_000_000_000_000 + n}")
        order = copy.deepcopy(template)
        line = copy.deepcopy(order["line_items"][0])
        order.update(
            id=int(order_id),
            admin_graphql_api_id=f"gid://shopify/Order/{order_id}",
            name=f"#B{n}",
            order_number=7000 + n,
            refunds=[],
            fulfillments=[],
        )
        line.update(
            id=int(order_id) * 10,
            admin_graphql_api_id=f"gid://shopify/LineItem/{int(order_id) * 10}",
            sku=ns.id(step.sku),
            quantity=step.quantity,
            discount_allocations=[],
        )
        for key in ("current_quantity", "fulfillable_quantity"):
            if key in line:
                line[key] = step.quantity
        order["line_items"] = [line]
        webhook = ns.id(f"7e57b0a5-0000-4000-8000-{n:012d}")
        out.append((order_id, order, {**headers, "X-Shopify-Webhook-Id": webhook, "X-Shopify-Event-Id": webhook}))
    return out


def run_burst(
    client: httpx.Client, stack: LocalStack, step: Burst, ns: Namespace, location_id: str, idle: Callable[[], None]
) -> tuple[Done, BurstResult]:
    """Send every order at once (a thread each), sample the position until the stack is idle."""
    orders = burst_orders(step, ns)
    sku = ns.id(step.sku)
    result = BurstResult(sku, location_id, [], [o[0] for o in orders])
    stop = threading.Event()

    def sample() -> None:
        with httpx.Client(timeout=10.0) as sampler:
            while not stop.is_set():
                view = sampler.get(f"{stack.api_url}/v1/ops/inventory/{sku}").json()
                for loc in view.get("locations", []):
                    if loc["location_id"] == location_id:
                        result.samples += 1
                        if loc["reserved"] > loc["on_hand"] or loc["available"] < 0:
                            result.oversold.append(loc)
                stop.wait(0.05)

    def send(item: tuple[str, dict[str, Any], dict[str, str]]) -> int:
        _, order, headers = item
        body = json.dumps(order).encode()
        signed = signed_headers("shopify", body, headers=headers, base_url=stack.api_url)
        # Shopify retries a delivery that was not answered 2xx (the same webhook id): so does the demo.
        for attempt in range(3):
            response = client.post(f"{stack.api_url}/v1/webhooks/shopify", content=body, headers=signed)
            status = response.status_code
            if status != 202:
                result.refusals.append(f"{status} {response.text[:200]}")
            if status < 500 and status not in (409, 429):
                break
            result.retried.append(status)
            time.sleep(0.2 * (attempt + 1))
        return status

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.monotonic()
    sampler.start()
    with ThreadPoolExecutor(max_workers=step.threads) as pool:
        result.answers = list(pool.map(send, orders))
    idle()
    result.seconds = time.monotonic() - started
    stop.set()
    sampler.join(5)
    for channel_order_id in result.channel_order_ids:
        answer = client.get(f"{stack.api_url}/v1/ops/orders/shopify/{channel_order_id}")
        result.statuses[channel_order_id] = answer.json().get("status", "?") if answer.status_code == 200 else "unknown"
    counts = {s: list(result.statuses.values()).count(s) for s in sorted(set(result.statuses.values()))}
    others = [s for s in result.answers if s != 202]
    text = (
        f"{result.answers.count(202)} x 202"
        + (f" (others: {others}: {result.refusals})" if others else "")
        + (f" (retried after {result.retried})" if result.retried else "")
        + "; "
        + ", ".join(f"{n} {s}" for s, n in counts.items())
    )
    return Done(step.label, text, all(a == 202 for a in result.answers)), result


# ----- reconciliation -----------------------------------------------------------------------------


def reconcile(client: httpx.Client, stack: LocalStack, step: Reconcile, ns: Namespace) -> tuple[Done, dict[str, Any]]:
    """The WMS and the ERP report our positions of the SKUs plus the drift; then a run is started
    through the ops API and followed until it ends."""
    rows = []
    drift = {(ns.id(d.sku), d.location_id): d.units for d in step.drifts}
    for sku in step.skus:
        mine = ns.id(sku)
        view = client.get(f"{stack.api_url}/v1/ops/inventory/{mine}")
        for loc in view.json().get("locations", []) if view.status_code == 200 else []:
            units = loc["on_hand"] + drift.get((mine, loc["location_id"]), 0)
            rows.append(
                {
                    "sku": mine,
                    "location_id": loc["location_id"],
                    "on_hand": units,
                    "unit_cost": step.unit_costs[sku],
                    "currency": "USD",
                }
            )
    for sandbox in ("wms", "erp"):
        url = f"{stack.sandbox_urls[sandbox]}/__admin/inventory"
        client.delete(url).raise_for_status()
        client.post(url, json=rows).raise_for_status()
    started = client.post(f"{stack.api_url}/v1/ops/reconciliations/inventory")
    if started.status_code != 202:
        return Done(step.label, f"refused {started.status_code}", False), {}
    run_id = started.json()["run_id"]
    deadline = time.monotonic() + RECONCILIATION_TIMEOUT_S
    run: dict[str, Any] = {}
    while time.monotonic() < deadline:
        run = client.get(f"{stack.api_url}/v1/ops/reconciliations/inventory/{run_id}").json()
        if run.get("status") in {"SUCCEEDED", "FAILED"}:
            break
        time.sleep(0.1)
    text = f"run {run_id}: {run.get('status')}, {run.get('corrected')} corrected, {run.get('exceptions')} exceptions"
    return Done(step.label, text, run.get("status") == "SUCCEEDED"), run
