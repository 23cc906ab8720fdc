"""The demo's fulfilment act (issue 10): an order split between the DC and a ship-from-store store,
released to both, the store's part shipped; then a second such order cancelled after the DC's
parcel left: the store stops its part, the DC refuses, the order stands for what shipped.

Every step is a signed vendor delivery (Shopify webhooks, WMS events) or the WMS sandbox's admin
(the warehouse closing a parcel); what came of it is read back from the ops API.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx

from local.demo.driver import Answer, Done, deliver, fixture_json
from local.demo.namespace import Namespace
from local.demo.returns import shopify_order, stock_sku
from local.demo.scenario import Delivery, FulfilmentAct
from local.stack import LocalStack
from shared.models.orders import order_id_for

SHIP_FROM_STORE = "store-12"


def _ids(ns: Namespace) -> tuple[int, int]:
    """The act's two Shopify order ids (fixed for `make demo`, per run when the stack is shared)."""
    if not ns:
        return 5_400_000_000_001, 5_400_000_000_002
    n = int(hashlib.sha256(ns.tag.encode()).hexdigest()[:8], 16)
    return 5_500_000_000_000 + n * 2, 5_500_000_000_001 + n * 2


def _order(order_id: int, lines: list[tuple[str, int]]) -> Delivery:
    return shopify_order(order_id, lines)


def _cancel(order_id: int, lines: list[tuple[str, int]]) -> Delivery:
    order = shopify_order(order_id, lines, "shopify/orders_cancelled")
    changes = {**order.changes, "cancelled_at": "2026-11-23T18:00:00-05:00", "cancel_reason": "customer"}
    return replace(order, label=f"Shopify cancels order {order_id}", changes=changes)


def _shipment(order_id: int, location_id: str, sku: str, units: int) -> Delivery:
    return Delivery(
        f"{location_id} ships {units} {sku}",
        "wms/shipment_shipped",
        changes={
            "event_id": f"wms-evt-{uuid.uuid4().hex[:12]}",
            "shipment_id": f"SHP-{uuid.uuid4().hex[:10].upper()}",
            "sequence": int(time.time()),
            "channel_order_id": str(order_id),
            "location_id": location_id,
            "lines": [{"sku": sku, "quantity": units}],
            "tracking_number": f"1Z{uuid.uuid4().hex[:16].upper()}",
        },
    )


def _statuses(client: httpx.Client, api: str, order_id: int) -> tuple[str, dict[str, str]]:
    view = client.get(f"{api}/v1/ops/orders/shopify/{order_id}").json()
    return str(view.get("status")), {f["location_id"]: f["status"] for f in view.get("fulfilments") or []}


def run_fulfilment(
    client: httpx.Client, stack: LocalStack, step: FulfilmentAct, ns: Namespace, idle: Callable[[], None]
) -> Done:
    api = stack.api_url
    tag = f"-{ns.tag}" if ns else ""
    boots, scarves = f"{step.dc_sku}{tag}", f"{step.store_sku}{tag}"
    answers: list[Answer] = [
        stock_sku(client, api, boots, step.location_id, ns),
        stock_sku(client, api, scarves, SHIP_FROM_STORE, ns),
    ]
    idle()
    split_id, cancelled_id = _ids(ns)
    lines = [(boots, 1), (scarves, 2)]
    shopify = stack.sandbox_urls["shopify"]
    for order_id in (split_id, cancelled_id):  # Shopify knows its own orders (their fulfillment orders)
        client.post(
            f"{shopify}/__admin/orders",
            json={**fixture_json("shopify/orders_create"), **_order(order_id, lines).changes},
        )
    answers.append(deliver(client, api, _order(split_id, lines), ns))
    idle()
    released = _statuses(client, api, split_id)
    answers.append(deliver(client, api, _shipment(split_id, SHIP_FROM_STORE, scarves, 2), ns))
    idle()
    shipped = _statuses(client, api, split_id)
    view = client.get(f"{api}/v1/ops/orders/shopify/{split_id}").json()
    confirmed = [c["call"] for c in view.get("channel_calls") or [] if c["call"].startswith("SHIPMENT#")]

    answers.append(deliver(client, api, _order(cancelled_id, lines), ns))
    idle()
    instruction = f"{order_id_for('shopify', str(cancelled_id))}@{step.location_id}"
    closed = client.post(f"{stack.sandbox_urls['wms']}/__admin/fulfilment-orders/{instruction}/ship")
    answers.append(deliver(client, api, _cancel(cancelled_id, lines), ns))
    idle()
    after_cancel = _statuses(client, api, cancelled_id)
    scarves_reserved = client.get(f"{api}/v1/ops/inventory/{scarves}").json()

    expected: dict[str, Any] = {
        "released": ("ACCEPTED", {step.location_id: "RELEASED", SHIP_FROM_STORE: "RELEASED"}),
        "shipped": ("ACCEPTED", {step.location_id: "RELEASED", SHIP_FROM_STORE: "SHIPPED"}),
        "after_cancel": ("ACCEPTED", {step.location_id: "CANCEL_REFUSED", SHIP_FROM_STORE: "CANCELLED"}),
    }
    seen = {"released": released, "shipped": shipped, "after_cancel": after_cancel}
    store_row: dict[str, Any] = next(
        (row for row in scarves_reserved.get("locations", []) if row.get("location_id") == SHIP_FROM_STORE), {}
    )
    ok = (
        all(a.as_expected for a in answers)
        and closed.status_code == 200
        and seen == expected
        and store_row.get("reserved") == 0
        and len(confirmed) == 1
    )
    return Done(
        step.label,
        (
            f"order {split_id}: split DC + {SHIP_FROM_STORE}, store part shipped {shipped[1]} and confirmed to "
            f"Shopify ({len(confirmed)} fulfillment); order {cancelled_id}: "
            f"cancel after the DC parcel left -> {after_cancel[0]} {after_cancel[1]}"
        ),
        ok,
        detail={"seen": {k: [v[0], v[1]] for k, v in seen.items()}, "store_reserved_after": store_row.get("reserved")},
    )
