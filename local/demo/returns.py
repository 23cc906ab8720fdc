"""The demo's returns act (issue 9): a Shopify order, then two Loop returns against it, each taken by
ReturnFlow through the ERP return authorization, the warehouse's inspection, disposition, the ERP
credit memo, the Shopify refund and Loop told:

- a partial return (1 of 3 units), inspected resellable: RESTOCK, back on hand at the warehouse;
- a second return against the same order, inspected damaged: QUARANTINE, on hand as damaged, not
  sellable;
- the first inspection and Loop's webhook delivered again: nothing refunded or restocked twice.

The act stocks a SKU of its own (the other acts' stock figures stay as they are), and on a shared
stack (the integration test) takes ids of its own from the run's namespace.
"""

from __future__ import annotations

import copy
import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from local.demo.driver import Done, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import ReturnAct
from local.signing import signed_headers
from local.stack import LocalStack

WAIT_S = 90.0


def _post(client: httpx.Client, api_url: str, source: str, payload: dict[str, Any], fixture: str) -> int:
    import json

    named = fixture_json(f"{fixture}.headers") if source != "wms" else {"Content-Type": "application/json"}
    extra = {"X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-Event-Id": str(uuid.uuid4())}
    body = json.dumps(payload).encode()
    headers = signed_headers(
        source, body, headers={**named, **(extra if source == "shopify" else {})}, base_url=api_url
    )
    return client.post(f"{api_url}/v1/webhooks/{source}", content=body, headers=headers).status_code


def _until(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _ids(ns: Namespace) -> tuple[int, int]:
    """The act's Shopify order id and first Loop return id (fixed for `make demo`, per run when shared)."""
    if not ns:
        return 5_200_000_000_001, 2001
    n = int(hashlib.sha256(ns.tag.encode()).hexdigest()[:8], 16)
    return 5_300_000_000_000 + n, 3_000_000 + n % 1_000_000 * 10


def run_returns(
    client: httpx.Client, stack: LocalStack, step: ReturnAct, ns: Namespace, idle: Callable[[], None]
) -> Done:
    api = stack.api_url
    sku = f"{step.sku}-{ns.tag}" if ns else step.sku
    order_id, first_return = _ids(ns)
    stock = {
        "event_id": f"wms-evt-{uuid.uuid4().hex[:12]}",
        "event_type": "inventory.adjusted",
        "sequence": int(time.time()),
        "location_id": step.location_id,
        "sku": sku,
        "on_hand": 10,
        "delta": None,
        "reason": "receipt",
        "occurred_at": "2026-11-23T09:00:00Z",
    }
    _post(client, api, "wms", stock, "wms/inventory_adjusted")
    idle()
    order = fixture_json("shopify/orders_create")
    line = copy.deepcopy(order["line_items"][0])
    line.update(id=order_id * 10, sku=sku, quantity=3, current_quantity=3, fulfillable_quantity=3)
    line["discount_allocations"] = []
    order.update(id=order_id, name=f"#{order_id % 100000}", line_items=[line], refunds=[], fulfillments=[])
    order["admin_graphql_api_id"] = f"gid://shopify/Order/{order_id}"
    _post(client, api, "shopify", order, "shopify/orders_create")
    idle()
    accepted = client.get(f"{api}/v1/ops/orders/shopify/{order_id}").json().get("status")
    on_hand_before = _on_hand(client, api, sku, step.location_id)

    erp = stack.sandboxes.erp
    outcomes: list[dict[str, Any]] = []
    for offset, condition in ((0, "resellable"), (1, "damaged")):
        return_id = str(first_return + offset)
        loop = fixture_json("loop/return_created")
        loop.update(id=return_id, provider_order_id=str(order_id), provider_order_external_id=str(order_id))
        loop["line_items"] = [{**loop["line_items"][0], "sku": sku, "provider_line_item_id": str(order_id * 10)}]
        _post(client, api, "loop", loop, "loop/return_created")
        key = f"loop:{return_id}"

        def authorized(key: str = key) -> bool:
            return any(r["externalId"] == key for r in erp.return_records("returnAuthorization"))

        _until(authorized)
        before = _return(client, api, return_id)
        inspection = {
            "event_id": f"wms-evt-{uuid.uuid4().hex[:12]}",
            "event_type": "return.inspected",
            "sequence": int(time.time()),
            "location_id": step.location_id,
            "return_id": key,
            "lines": [{"sku": sku, "quantity": 1, "condition": condition}],
            "occurred_at": "2026-11-25T09:40:00Z",
        }
        _post(client, api, "wms", inspection, "wms/return_inspected")

        def settled(return_id: str = return_id) -> bool:
            return (_return(client, api, return_id) or {}).get("status") in ("REFUNDED", "EXCEPTION")

        _until(settled)
        if offset == 0:  # everything about the first return delivered again
            _post(client, api, "wms", inspection, "wms/return_inspected")
            _post(client, api, "loop", loop, "loop/return_created")
        idle()
        outcomes.append({"before": before, "after": _return(client, api, return_id), "key": key})

    memos = [
        m
        for m in stack.sandboxes.erp.return_records("creditMemo")
        if m["externalId"] in {f"refund-{o['key']}" for o in outcomes}
    ]
    refunds = [r for r in stack.sandboxes.shopify.state()["refunds"] if r["order_id"] == order_id]
    loop_states = stack.sandboxes.loop.states()
    position = _position(client, api, sku, step.location_id)
    ok = (
        accepted == "ACCEPTED"
        and all((o["before"] or {}).get("status") == "AWAITING_INSPECTION" for o in outcomes)
        and [(o["after"] or {}).get("status") for o in outcomes] == ["REFUNDED", "REFUNDED"]
        and [[line["disposition"] for line in (o["after"] or {}).get("lines", [])] for o in outcomes]
        == [["RESTOCK"], ["QUARANTINE"]]
        and len(memos) == 2
        and len(refunds) == 2
        and all(loop_states.get(o["key"].split(":", 1)[1]) == "processed" for o in outcomes)
        and position.get("on_hand") == on_hand_before + 2
    )
    parts = [
        f"{o['key']}: {(o['after'] or {}).get('status')} "
        f"{[line['disposition'] for line in (o['after'] or {}).get('lines', [])]} "
        f"refund {((o['after'] or {}).get('refund') or {}).get('amount')}"
        for o in outcomes
    ]
    text = (
        f"order {order_id} {accepted}; " + "; ".join(parts) + f"; {len(memos)} credit memos, {len(refunds)} "
        f"Shopify refunds, Loop {sorted({loop_states.get(o['key'].split(':', 1)[1], '?') for o in outcomes})}; "
        f"{sku} on hand {on_hand_before} -> {position.get('on_hand')} (damaged {position.get('damaged', 0)})"
    )
    return Done(step.label, text, ok, detail={"returns": outcomes, "memos": memos, "refunds": refunds})


def _return(client: httpx.Client, api: str, return_id: str) -> dict[str, Any] | None:
    answer = client.get(f"{api}/v1/ops/returns/loop/{return_id}")
    return dict(answer.json()) if answer.status_code == 200 else None


def _position(client: httpx.Client, api: str, sku: str, location_id: str) -> dict[str, Any]:
    answer = client.get(f"{api}/v1/ops/inventory/{sku}")
    if answer.status_code != 200:
        return {}
    found = [p for p in answer.json().get("locations", []) if p.get("location_id") == location_id]
    return dict(found[0]) if found else {}


def _on_hand(client: httpx.Client, api: str, sku: str, location_id: str) -> int:
    return int(_position(client, api, sku, location_id).get("on_hand", 0))
