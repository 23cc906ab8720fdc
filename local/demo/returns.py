"""The demo's returns act (issue 9): a Shopify order of 5 units, then the returns against it, each
taken by ReturnFlow through the ERP return authorization, the warehouse's inspection, disposition,
the ERP credit memo, the channel refund and the returns platform told:

- a partial return (1 of 3 units), inspected resellable: RESTOCK, back on hand at the warehouse;
- a second return against the same order, inspected damaged: QUARANTINE, on hand as damaged, not
  sellable;
- the first inspection and Loop's webhook delivered again: nothing refunded or restocked twice;
- an exchange of the third unit for another SKU: restocked after inspection, credited in the ERP
  memo but not refunded, and its replacement order accepted by OrderFlow (reserved, in the ERP);
- buy online, return in store: the fourth unit on the franchise store's POS file (a RETURN row
  naming the order), inspected and restocked at the store, credited, no Shopify refund (the till);
- an inspection that never comes: the fifth unit's flow (started with a 3 s window instead of 21
  days) fails on its timeout into one return exception for ops, nothing refunded;
- customer service's view of the order (issue 12.3): the status route (with its API key) shows both
  returns REFUNDED with the ops API's amounts, and the helpdesk sandbox heard the same story last.

The act stocks a SKU of its own (the other acts' stock figures stay as they are), and on a shared
stack (the integration test) takes ids of its own from the run's namespace. `stock_and_order` and
`take_return` are the same steps `bench/return_cost.py` meters.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx

from local.demo.driver import Answer, Done, deliver, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import Delivery, ReturnAct
from local.stack import LocalStack

WAIT_S = 90.0
# What customer service hears of the returns that reached an outcome: two refunded, the exchange
# closed (no money back), the store return refunded (by the till).
EXPECTED_TOLD = ("REFUNDED", "REFUNDED", "CLOSED", "REFUNDED")
ORDERED_UNITS = 5  # three Loop returns, one in store, one that never reaches the warehouse
STORE = "franchise-0042"
STORE_RETURN_DATE = "2022-01-03"  # within the order's return window (the Shopify fixture's order)
POS_HEADER = (
    "store_id,business_date,transaction_id,line_number,sold_at,sku,description,"
    "quantity,unit_price,discount,tax,currency,transaction_type,original_order\n"
)
SETTLED = ("REFUNDED", "CLOSED", "EXCEPTION")


@dataclass
class TakenReturn:
    """One Loop return through ReturnFlow: what was sent, and the ops API's view before and after."""

    key: str
    loop: Delivery | None  # None: a store return (its POS file is not a webhook)
    inspection: Delivery
    answers: list[Answer]
    before: dict[str, Any] | None  # once the ERP authorized it, before the inspection
    after: dict[str, Any] | None  # once refunded (or raised as an exception)


def stock_and_order(
    client: httpx.Client,
    api: str,
    sku: str,
    location_id: str,
    order_id: int,
    ns: Namespace,
    idle: Callable[[], None],
    units: int = 3,
) -> list[Answer]:
    """10 units of `sku` counted at `location_id`, then a Shopify order of `units` of them, accepted."""
    answers = [stock_sku(client, api, sku, location_id, ns)]
    idle()
    answers.append(deliver(client, api, shopify_order(order_id, [(sku, units)]), ns))
    idle()
    return answers


def shopify_order(order_id: int, lines: list[tuple[str, int]], fixture: str = "shopify/orders_create") -> Delivery:
    """The orders/create fixture as another order (a fresh delivery): one line per (SKU, units)."""
    template = fixture_json("shopify/orders_create")["line_items"][0]
    items = []
    for index, (sku, units) in enumerate(lines):
        item = {**template, "id": order_id * 10 + index, "sku": sku, "discount_allocations": []}
        item.update(quantity=units, current_quantity=units, fulfillable_quantity=units)
        items.append(item)
    return Delivery(
        f"Shopify order {order_id}",
        fixture,
        changes={
            "id": order_id,
            "name": f"#{order_id % 100000}",
            "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
            "line_items": items,
            "refunds": [],
            "fulfillments": [],
        },
        headers={"X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-Event-Id": str(uuid.uuid4())},
    )


def _inspection(key: str, sku: str, location_id: str, condition: str) -> Delivery:
    """The warehouse's (or the store's) `return.inspected` for one unit of the return `key`."""
    return Delivery(
        f"{key} inspected {condition} at {location_id}",
        "wms/return_inspected",
        changes={
            "event_id": f"wms-evt-{uuid.uuid4().hex[:12]}",
            "sequence": int(time.time()),
            "location_id": location_id,
            "return_id": key,
            "lines": [{"sku": sku, "quantity": 1, "condition": condition}],
        },
    )


def stock_sku(client: httpx.Client, api: str, sku: str, location_id: str, ns: Namespace) -> Answer:
    """10 units of `sku` counted at `location_id` (the WMS's adjustment)."""
    stock = Delivery(
        f"{sku} received at {location_id}",
        "wms/inventory_adjusted",
        changes={
            "event_id": f"wms-evt-{uuid.uuid4().hex[:12]}",
            "sequence": int(time.time()),
            "location_id": location_id,
            "sku": sku,
            "on_hand": 10,
            "delta": None,
        },
    )
    return deliver(client, api, stock, ns)


def take_return(
    client: httpx.Client,
    stack: LocalStack,
    order_id: int,
    return_id: str,
    sku: str,
    location_id: str,
    condition: str,
    ns: Namespace,
    exchange_sku: str | None = None,
) -> TakenReturn:
    """Loop's `return.created` for one unit of the order (exchanged for `exchange_sku` when given);
    once the ERP authorized it, the warehouse's `return.inspected` in `condition`; answered when the
    return is settled (refunded, closed or an exception)."""
    api, key = stack.api_url, f"loop:{return_id}"
    fixture = "loop/return_created_exchange" if exchange_sku else "loop/return_created"
    body = fixture_json(fixture)
    loop_line = body["line_items"][-1]  # the exchange fixture's last line is the exchanged one
    changes: dict[str, Any] = {
        "id": return_id,
        "provider_order_id": str(order_id),
        "provider_order_external_id": str(order_id),
        "line_items": [{**loop_line, "sku": sku, "provider_line_item_id": str(order_id * 10)}],
    }
    if exchange_sku:
        changes["exchanges"] = [{**body["exchanges"][0], "sku": exchange_sku}]
    loop = Delivery(f"Loop return {return_id}", fixture, changes=changes)
    answers = [deliver(client, api, loop, ns)]
    erp = stack.sandboxes.erp
    _until(lambda: any(r["externalId"] == key for r in erp.records("returnAuthorization")))
    before = _return(client, api, return_id)
    inspection = _inspection(key, sku, location_id, condition)
    answers.append(deliver(client, api, inspection, ns))
    _until(lambda: (_return(client, api, return_id) or {}).get("status") in SETTLED)
    return TakenReturn(key, loop, inspection, answers, before, _return(client, api, return_id))


def run_returns(
    client: httpx.Client, stack: LocalStack, step: ReturnAct, ns: Namespace, idle: Callable[[], None]
) -> Done:
    api = stack.api_url
    sku = f"{step.sku}-{ns.tag}" if ns else step.sku
    order_id, first_return = _ids(ns)
    answers = stock_and_order(client, api, sku, step.location_id, order_id, ns, idle, units=ORDERED_UNITS)
    accepted = client.get(f"{api}/v1/ops/orders/shopify/{order_id}").json().get("status")
    on_hand_before = _position(client, api, sku, step.location_id).get("on_hand", 0)
    at_store_before = _position(client, api, sku, STORE).get("on_hand", 0)

    exchange_sku = f"{sku}-X"
    answers.append(stock_sku(client, api, exchange_sku, step.location_id, ns))
    idle()
    reserved_before = _position(client, api, exchange_sku, step.location_id).get("reserved", 0)

    taken: list[TakenReturn] = []
    for offset, (condition, swap) in enumerate((("resellable", None), ("damaged", None), ("resellable", exchange_sku))):
        return_id = str(first_return + offset)
        one = take_return(client, stack, order_id, return_id, sku, step.location_id, condition, ns, swap)
        answers += one.answers
        if offset == 0:  # everything about the first return delivered again: each a duplicate
            again = (one.inspection, one.loop) if one.loop else (one.inspection,)
            answers += [deliver(client, api, replace(d, expect_duplicate=True), ns) for d in again]
        idle()
        one.after = _return(client, api, return_id)
        taken.append(one)
    exchange = (taken[-1].after or {}).get("exchange") or {}
    replacement_url = f"{api}/v1/ops/orders/{exchange.get('channel')}/{exchange.get('channel_order_id')}"
    _until(lambda: client.get(replacement_url).json().get("status") == "ACCEPTED")
    replacement = client.get(replacement_url).json()
    reserved = _position(client, api, exchange_sku, step.location_id).get("reserved", 0)

    in_store = _store_return(client, stack, order_id, sku, ns)
    answers += in_store.answers
    idle()
    in_store.after = _return(client, api, in_store.key.split(":", 1)[1], source="pos")

    memo_ids = {f"refund-{one.key}" for one in (*taken, in_store)}
    memos = [m for m in stack.sandboxes.erp.records("creditMemo") if m["externalId"] in memo_ids]
    refunds = [r for r in stack.sandboxes.shopify.state()["refunds"] if r["order_id"] == order_id]
    loop_states = [stack.sandboxes.loop.states().get(one.key.split(":", 1)[1]) for one in taken]
    position = _position(client, api, sku, step.location_id)
    at_store = _position(client, api, sku, STORE).get("on_hand", 0)
    customer, helpdesk_last = _customer_view(client, stack, order_id)
    told = [r.get("status") for r in (helpdesk_last or {}).get("returns", [])]
    shown = [(r.get("status"), (r.get("refund") or {}).get("amount")) for r in customer.get("returns", [])]
    ops_refunds = [
        ("REFUNDED", ((one.after or {}).get("refund") or {}).get("amount")) for one in (*taken[:2], in_store)
    ]
    dispositions = [[line["disposition"] for line in (one.after or {}).get("lines", [])] for one in (*taken, in_store)]
    timed_out = _timed_out_return(client, stack, order_id, sku, str(first_return + len(taken)))
    ok = (
        all(a.as_expected for a in answers)
        and accepted == "ACCEPTED"
        and all((one.before or {}).get("status") == "AWAITING_INSPECTION" for one in (*taken, in_store))
        and [(one.after or {}).get("status") for one in (*taken, in_store)]
        == ["REFUNDED", "REFUNDED", "CLOSED", "REFUNDED"]
        and dispositions == [["RESTOCK"], ["QUARANTINE"], ["RESTOCK"], ["RESTOCK"]]
        and len(memos) == 4
        and len(refunds) == 2  # the exchange refunds nothing, the store paid its own return back
        and ((in_store.after or {}).get("refund") or {}).get("status") == "REFUNDED_BY_CHANNEL"
        and loop_states == ["processed"] * 3
        and position.get("on_hand") == on_hand_before + 3
        and at_store == at_store_before + 1
        and sorted(shown, key=str) == sorted([*ops_refunds, ("CLOSED", None)], key=str)
        and told == list(EXPECTED_TOLD)
        and exchange.get("status") == "ORDERED"
        and replacement.get("status") == "ACCEPTED"
        and replacement.get("correlation_id") == (taken[-1].after or {}).get("correlation_id")
        and reserved == reserved_before + 1
        and timed_out.ok
    )
    parts = []
    for one, kinds in zip((*taken, in_store), dispositions, strict=True):
        after = one.after or {}
        parts.append(f"{one.key}: {after.get('status')} {kinds} refund {(after.get('refund') or {}).get('amount')}")
    parts.append(
        f"exchange for {exchange_sku}: replacement order {exchange.get('channel')}/"
        f"{exchange.get('channel_order_id')} {replacement.get('status')} (credit {exchange.get('credit')}, "
        f"{exchange_sku} reserved {reserved_before} -> {reserved})"
    )
    parts.append(timed_out.text)
    text = (
        f"order {order_id} ({ORDERED_UNITS} units) {accepted}; " + "; ".join(parts) + f"; {len(memos)} credit memos, "
        f"{len(refunds)} Shopify refunds, Loop {sorted(set(map(str, loop_states)))}; "
        f"{sku} on hand at {step.location_id} {on_hand_before} -> {position.get('on_hand')} "
        f"(damaged {position.get('damaged', 0)}), at {STORE} {at_store_before} -> {at_store}; "
        f"customer status {customer.get('status')} returns {shown}, helpdesk last told {told}"
    )
    outcomes = [{"key": one.key, "before": one.before, "after": one.after} for one in (*taken, in_store)]
    return Done(
        step.label,
        text,
        ok,
        detail={"returns": outcomes, "memos": memos, "refunds": refunds, "timed_out": timed_out.detail},
    )


def _store_return(client: httpx.Client, stack: LocalStack, order_id: int, sku: str, ns: Namespace) -> TakenReturn:
    """Buy online, return in store: one unit of the Shopify order brought back to the franchise store,
    on its nightly POS file as a RETURN row naming the online order (events/pos/README.md), then the
    store's inspection; answered once settled (the till paid the customer back: no channel refund)."""
    import boto3

    api = stack.api_url
    transaction = f"R{order_id % 10_000_000}"
    row = (
        f"{STORE},{STORE_RETURN_DATE},{transaction},1,{STORE_RETURN_DATE} 10:15:00,{sku},iPod nano,1,199.00,,"
        f"11.94,USD,RETURN,shopify:{order_id}\n"
    )
    object_key = f"incoming/{STORE}/returns-{order_id}/{STORE_RETURN_DATE}.csv"
    boto3.client("s3").put_object(
        Bucket=stack.physical_id("PosFilesBucket"), Key=object_key, Body=(POS_HEADER + row).encode()
    )
    return_id = f"{STORE}-{transaction}"
    key = f"pos:{return_id}"
    erp = stack.sandboxes.erp
    _until(lambda: any(r["externalId"] == key for r in erp.records("returnAuthorization")))
    before = _return(client, api, return_id, source="pos")
    inspection = _inspection(key, sku, STORE, "resellable")
    answers = [deliver(client, api, inspection, ns)]
    _until(lambda: (_return(client, api, return_id, source="pos") or {}).get("status") in SETTLED)
    return TakenReturn(key, None, inspection, answers, before, None)


@dataclass
class TimedOut:
    ok: bool
    text: str
    detail: dict[str, Any]


def start_loop_return_flow(
    return_id: str, channel_order_id: str, sku: str, requested_at: str, *, inspection_timeout_seconds: int
) -> tuple[str, dict[str, Any]]:
    """Start ReturnFlow for a Loop return of one unit of `sku` as ReturnEvents starts it (execution
    name, input), with a short inspection window: (execution ARN, the request)."""
    import json

    import boto3

    sfn = boto3.client("stepfunctions")
    [arn] = [
        m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if m["name"].endswith("-return-flow")
    ]
    request = {
        "source": "loop",
        "source_return_id": return_id,
        "channel": "shopify",
        "channel_order_id": channel_order_id,
        "correlation_id": f"corr-{uuid.uuid4().hex[:12]}",
        "requested_at": requested_at,
        "lines": [{"sku": sku, "quantity": 1}],
    }
    execution = sfn.start_execution(
        stateMachineArn=arn,
        name=f"loop_{return_id}",
        input=json.dumps(
            {
                "request": request,
                "return_key": f"loop:{return_id}",
                "correlation_id": request["correlation_id"],
                "inspection_timeout_seconds": inspection_timeout_seconds,
            }
        ),
    )
    return str(execution["executionArn"]), request


def _timed_out_return(client: httpx.Client, stack: LocalStack, order_id: int, sku: str, return_id: str) -> TimedOut:
    """A return whose goods never reach the warehouse. ReturnFlow waits 21 days for an inspection;
    the demo starts this one as ReturnEvents would but with a 3 s window: the execution fails on
    States.Timeout, the return is EXCEPTION with nothing refunded, and ops lists the exception."""
    import boto3

    sfn = boto3.client("stepfunctions")
    execution_arn, _ = start_loop_return_flow(
        return_id, str(order_id), sku, STORE_RETURN_DATE + "T16:00:00Z", inspection_timeout_seconds=3
    )
    _until(lambda: sfn.describe_execution(executionArn=execution_arn)["status"] != "RUNNING")
    status = sfn.describe_execution(executionArn=execution_arn)["status"]
    found = _return(client, stack.api_url, return_id) or {}
    listed = client.get(f"{stack.api_url}/v1/ops/exceptions", params={"kind": "return"}).json()
    mine = [
        e for e in listed.get("exceptions", []) if (e.get("details") or {}).get("return_key") == f"loop:{return_id}"
    ]
    reasons = [e.get("reason") for e in mine]
    ok = (
        status == "FAILED"
        and found.get("status") == "EXCEPTION"
        and (found.get("refund") or {}).get("erp_credit_memo_id") is None
        and reasons == ["inspection_timeout"]
    )
    text = (
        f"loop:{return_id} never inspected (3 s window): flow {status}, return {found.get('status')}, "
        f"exception {reasons}"
    )
    return TimedOut(ok, text, {"execution": execution_arn, "return": found, "exceptions": mine})


def _customer_view(
    client: httpx.Client, stack: LocalStack, order_id: int
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The status route's answer for the order (with the local API key), and the last view the
    helpdesk sandbox was told of it (once the customer-status queue drained)."""
    from infra.constants import LOCAL_STATUS_API_KEY

    def last_told() -> dict[str, Any] | None:
        events = client.get(f"{stack.sandbox_urls['helpdesk']}/__admin/events").json().get("items", [])
        mine = [e["properties"] for e in events if e["properties"].get("channel_order_id") == str(order_id)]
        return mine[-1] if mine else None

    answer = client.get(
        f"{stack.api_url}/v1/status/orders/shopify/{order_id}", headers={"x-api-key": LOCAL_STATUS_API_KEY}
    )
    view = dict(answer.json()) if answer.status_code == 200 else {}
    _until(lambda: [r.get("status") for r in (last_told() or {}).get("returns", [])] == list(EXPECTED_TOLD))
    return view, last_told()


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


def _return(client: httpx.Client, api: str, return_id: str, source: str = "loop") -> dict[str, Any] | None:
    answer = client.get(f"{api}/v1/ops/returns/{source}/{return_id}")
    return dict(answer.json()) if answer.status_code == 200 else None


def _position(client: httpx.Client, api: str, sku: str, location_id: str) -> dict[str, Any]:
    answer = client.get(f"{api}/v1/ops/inventory/{sku}")
    if answer.status_code != 200:
        return {}
    found = [p for p in answer.json().get("locations", []) if p.get("location_id") == location_id]
    return dict(found[0]) if found else {}
