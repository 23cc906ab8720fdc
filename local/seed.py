"""The demo's starting point, put into a running local stack through the public paths only.

`make local` calls `seed_starting_point()` after boot (unless `RETAIL_SYNC_SEED=none`), so a signed
fixture order sent with curl right away finds stock, rules and the vendors' records; `make demo`
seeds the sandboxes with `seed_sandboxes()` and plays the rest as steps of its story. Both read the
same data from `local.demo.scenario` and send it through the same functions, nothing copied:

- stock positions: the scenario's first phase, the WMS counts every later phase builds on, sent as
  signed WMS webhooks (PINK 38, BLACK 25, GREEN 2, CASE 20 at dc-east; the Square store and the
  franchise store's counts);
- allocation rules and listing ids (the catalog the publisher addresses Shopify and Zalando by):
  the scenario's `SetRules` steps, through `PUT /v1/ops/allocation-rules/{sku}` and
  `PUT /v1/ops/listings/{sku}`;
- the vendors' records for the fixtures' orders, through each sandbox's `/__admin` API: Square's
  order and catalog (its webhooks carry no lines), SP-API, Walmart and eBay orders (their
  notifications are read back), and Zalando's order listing (polled).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from local.demo.driver import deliver, fixture_json
from local.demo.inventory import set_rules
from local.demo.namespace import Namespace
from local.demo.scenario import PHASES, SKUS, Delivery, SetRules
from local.stack import LocalStack

SEED_CHOICES = ("demo", "none")  # RETAIL_SYNC_SEED: the demo's starting point (default) or nothing
IDLE_TIMEOUT_S = 60.0
ZALANDO_FIXTURE_ORDER = 0  # the first order of events/zalando/orders_page.json: approved, 2 PINK + 1 CASE


class SeedError(RuntimeError):
    """A seeding call was refused: the stack does not hold the starting point."""


@dataclass
class Seeded:
    """What was put in, as the ops API and the sandboxes now answer it."""

    positions: dict[str, dict[str, int]] = field(default_factory=dict)  # SKU -> location -> on hand
    rules: list[str] = field(default_factory=list)  # SKUs with allocation rules and listing ids
    sandboxes: dict[str, str] = field(default_factory=dict)  # sandbox -> what it holds
    deliveries: int = 0  # WMS webhooks sent
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [f"stock       {self.deliveries} signed WMS webhooks; on hand per location:"]
        for sku, locations in self.positions.items():
            out.append(f"  {sku:<16} " + ", ".join(f"{loc} {units}" for loc, units in locations.items()))
        out.append(f"rules       allocation rules and listing ids for {', '.join(self.rules)}")
        out.extend(f"{name:<11} {holds}" for name, holds in self.sandboxes.items())
        out.append(f"seeded in {self.seconds:.1f} s")
        return out


def starting_stock() -> tuple[Delivery, ...]:
    """The scenario's first phase: the WMS counts at dc-east and the stores."""
    return tuple(step for step in PHASES[0].steps if isinstance(step, Delivery) and step.source == "wms")


def rule_steps() -> tuple[SetRules, ...]:
    return tuple(step for phase in PHASES for step in phase.steps if isinstance(step, SetRules))


def seed_starting_point(client: httpx.Client, stack: LocalStack, ns: Namespace | None = None) -> Seeded:
    """Sandboxes, stock and rules, then wait until the stock is booked and read it back.
    SeedError if any call is refused; TimeoutError if the flows do not settle."""
    ns = ns or Namespace("")
    started = time.monotonic()
    seeded = Seeded(sandboxes=seed_sandboxes(client, stack, ns))
    for delivery in starting_stock():
        answer = deliver(client, stack.api_url, delivery, ns)
        if answer.status != 202 or answer.outcome != "accepted":
            raise SeedError(f"{delivery.label}: {answer.answer_text} {answer.body}")
        seeded.deliveries += 1
    for step in rule_steps():
        done = set_rules(client, stack.api_url, step, ns)
        if not done.as_expected:
            raise SeedError(f"{step.label}: {done.answer_text}")
        seeded.rules.append(ns.id(step.sku))
    stack.wait_idle(IDLE_TIMEOUT_S)
    for sku in (ns.id(s) for s in SKUS):
        view = client.get(f"{stack.api_url}/v1/ops/inventory/{sku}")
        if view.status_code != 200:
            raise SeedError(f"GET /v1/ops/inventory/{sku} answered {view.status_code} after seeding")
        seeded.positions[sku] = {loc["location_id"]: loc["on_hand"] for loc in view.json()["locations"]}
    seeded.seconds = time.monotonic() - started
    return seeded


def seed_sandboxes(client: httpx.Client, stack: LocalStack, ns: Namespace) -> dict[str, str]:
    """The vendor APIs our adapters read back from: Square's order and its variations' SKUs (its
    webhooks carry no lines), SP-API getOrder / getOrderItems, Walmart `GET /v3/orders/{id}`, eBay
    getOrder, and Zalando's order listing. Returns per sandbox what it now holds."""
    urls = stack.sandbox_urls
    square = ns.data(fixture_json("square/retrieve_order_response")["order"])
    catalog = ns.data(fixture_json("square/batch_retrieve_catalog_objects_response")).get("objects", [])
    _post(client, f"{urls['square']}/__admin/orders", [square])
    _post(client, f"{urls['square']}/__admin/catalog", catalog)
    amazon = {
        "order": fixture_json("amazon/get_order_response")["payload"],
        "items": fixture_json("amazon/get_order_items_response")["payload"]["OrderItems"],
    }
    walmart = fixture_json("walmart/get_order_response")["order"]
    ebay = fixture_json("ebay/get_order_response")
    _post(client, f"{urls['amazon']}/__admin/orders", [ns.data(amazon)])
    _post(client, f"{urls['marketplace']}/__admin/orders", [ns.data(walmart)])
    _post(client, f"{urls['ebay']}/__admin/orders", [ns.data(ebay)])
    # Zalando lists orders by modified_at: the fixture's order changed five minutes ago, within the
    # poller's window (it ends a minute before now).
    zalando = zalando_seed(fixture_json("zalando/orders_page"), ZALANDO_FIXTURE_ORDER)
    zalando["modified_at"] = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    _post(client, f"{urls['zalando']}/__admin/orders", [ns.data(zalando)])
    return {
        "square": f"order {square['id']} and {len(catalog)} catalog objects",
        "amazon": f"order {ns.data(amazon)['order']['AmazonOrderId']} (getOrder, getOrderItems)",
        "marketplace": f"Walmart purchase order {ns.data(walmart)['purchaseOrderId']}",
        "ebay": f"order {ns.data(ebay)['orderId']}",
        "zalando": f"order {ns.data(zalando)['order_number']} in the orders listing",
    }


def zalando_seed(page: dict[str, Any], index: int) -> dict[str, Any]:
    """One order of a zDirect orders page in the Zalando sandbox's compact seed form."""
    order = page["data"][index]
    attributes = order["attributes"]
    included = {(entry["type"], entry["id"]): entry for entry in page.get("included", [])}
    lines_by_item: dict[str, list[dict[str, Any]]] = {}
    for entry in page.get("included", []):
        if entry["type"] == "OrderLine":
            lines_by_item.setdefault(entry["attributes"]["order_item_id"], []).append(entry["attributes"])
    items = []
    for ref in order["relationships"]["order_items"]["data"]:
        item = included[("OrderItem", ref["id"])]["attributes"]
        lines = lines_by_item.get(item["order_item_id"], [])
        items.append(
            {
                "order_item_id": item["order_item_id"],
                "external_id": item["external_id"],
                "article_id": item["article_id"],
                "description": item.get("description"),
                "quantity": len(lines),
                "price": lines[0]["price"],
                "line_statuses": [line["status"] for line in lines],
            }
        )
    keep = (
        "order_id",
        "order_number",
        "order_date",
        "status",
        "merchant_id",
        "sales_channel_id",
        "locale",
        "customer_number",
        "order_type",
        "shipping_address",
        "billing_address",
        "created_at",
    )
    return {**{key: attributes[key] for key in keep if key in attributes}, "items": items}


def _post(client: httpx.Client, url: str, records: list[Any]) -> None:
    answer = client.post(url, json=records)
    if answer.status_code >= 300:
        raise SeedError(f"POST {url} answered {answer.status_code}: {answer.text[:200]}")
