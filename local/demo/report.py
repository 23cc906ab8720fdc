"""Read the scenario's outcome back (ops API, ERP sandbox), check it, render it for a person."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from local.demo.driver import Answer
from local.demo.scenario import Expectations


@dataclass
class Outcome:
    answers: list[Answer]
    orders: dict[tuple[str, str], dict[str, Any] | None]
    inventory: dict[str, dict[str, Any]]
    erp_records: list[dict[str, Any]]
    trace: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)


def collect(
    client: httpx.Client, api_url: str, erp_url: str, answers: list[Answer], expected: Expectations
) -> Outcome:
    orders: dict[tuple[str, str], dict[str, Any] | None] = {}
    for order in expected.orders:
        response = client.get(f"{api_url}/v1/ops/orders/{order.channel}/{order.channel_order_id}")
        orders[(order.channel, order.channel_order_id)] = response.json() if response.status_code == 200 else None
    inventory = {}
    for sku in sorted({stock.sku for stock in expected.stock}):
        response = client.get(f"{api_url}/v1/ops/inventory/{sku}")
        inventory[sku] = response.json() if response.status_code == 200 else {"sku": sku, "locations": []}
    records = client.get(f"{erp_url}/__admin/records").json().get("items", [])
    first_order = next((a for a in answers if a.delivery.fixture == "shopify/orders_create"), None)
    trace = None
    if first_order and first_order.correlation_id:
        trace = client.get(f"{api_url}/v1/ops/transactions/{first_order.correlation_id}").json()
    outcome = Outcome(answers, orders, inventory, records, trace)
    outcome.problems = check(outcome, expected)
    return outcome


def _location(inventory: dict[str, Any], location_id: str) -> dict[str, Any] | None:
    return next((loc for loc in inventory.get("locations", []) if loc.get("location_id") == location_id), None)


def check(outcome: Outcome, expected: Expectations) -> list[str]:
    problems = [
        f"{a.delivery.label}: answered {a.status} {a.outcome}, expected {a.delivery.expect_status}"
        for a in outcome.answers
        if not a.as_expected
    ]
    for order in expected.orders:
        got = outcome.orders.get((order.channel, order.channel_order_id))
        if got is None:
            problems.append(f"order {order.channel}/{order.channel_order_id} is unknown to the ops API")
            continue
        if got.get("status") != order.status:
            problems.append(
                f"order {order.channel}/{order.channel_order_id}: {got.get('status')}, expected {order.status}"
            )
        if bool(got.get("erp_sales_order_id")) != order.has_erp_id:
            problems.append(
                f"order {order.channel}/{order.channel_order_id}: ERP id {got.get('erp_sales_order_id')!r}, "
                f"expected {'one' if order.has_erp_id else 'none'}"
            )
    for stock in expected.stock:
        loc = _location(outcome.inventory.get(stock.sku, {}), stock.location_id)
        if loc is None:
            problems.append(f"no position for {stock.sku} at {stock.location_id}")
            continue
        if (loc.get("on_hand"), loc.get("reserved")) != (stock.on_hand, stock.reserved):
            problems.append(
                f"{stock.sku} at {stock.location_id}: on hand {loc.get('on_hand')} reserved {loc.get('reserved')}, "
                f"expected {stock.on_hand} / {stock.reserved}"
            )
        if loc.get("on_hand", 0) < 0 or loc.get("reserved", 0) < 0 or loc.get("reserved", 0) > loc.get("on_hand", 0):
            problems.append(f"{stock.sku} at {stock.location_id}: impossible position {loc}")
    external_ids = Counter(str(r.get("externalId")) for r in outcome.erp_records)
    if len(external_ids) != expected.erp_sales_orders:
        problems.append(f"the ERP holds {len(external_ids)} sales orders, expected {expected.erp_sales_orders}")
    problems += [f"the ERP holds {n} sales orders for {eid}" for eid, n in external_ids.items() if n > 1]
    if not outcome.trace or not outcome.trace.get("events"):
        problems.append("no trace for the first Shopify order")
    return problems


def render(outcome: Outcome, console: Console) -> None:
    counts = Counter(a.outcome.split(" ")[0] for a in outcome.answers)
    deliveries = Table(title="Deliveries", show_lines=False, expand=False)
    for column in ("#", "delivery", "answer", "correlation id", "ok"):
        deliveries.add_column(column)
    for i, answer in enumerate(outcome.answers, 1):
        deliveries.add_row(
            str(i),
            answer.delivery.label,
            f"{answer.status} {answer.outcome}",
            (answer.correlation_id or "")[:12],
            "[green]yes[/]" if answer.as_expected else "[red]NO[/]",
        )
    summary = Text(
        f"accepted {counts.get('accepted', 0)}   duplicate {counts.get('duplicate', 0)}   "
        f"ignored {counts.get('ignored', 0)}   refused {counts.get('refused', 0)}",
        style="bold",
    )

    orders = Table(title="Orders")
    for column in ("channel", "channel order", "order id", "status", "ERP sales order", "lines"):
        orders.add_column(column)
    for (channel, channel_order_id), order in outcome.orders.items():
        if order is None:
            orders.add_row(channel, channel_order_id, "-", "[red]unknown[/]", "-", "-")
            continue
        lines = ", ".join(f"{line.get('quantity')} x {line.get('sku')}" for line in order.get("lines", []))
        orders.add_row(
            channel,
            channel_order_id,
            str(order.get("order_id")),
            str(order.get("status")),
            str(order.get("erp_sales_order_id") or "-"),
            lines,
        )

    stock = Table(title="Stock per SKU and location")
    for column in ("sku", "location", "on hand", "reserved", "available"):
        stock.add_column(column)
    for sku, inventory in outcome.inventory.items():
        for loc in inventory.get("locations", []):
            stock.add_row(
                sku, str(loc.get("location_id")), str(loc.get("on_hand")), str(loc.get("reserved")),
                str(loc.get("available")),
            )

    trace = Table(title=f"Trace of Shopify #9999 ({(outcome.trace or {}).get('correlation_id', '?')})")
    for column in ("at", "hop", "status", "detail"):
        trace.add_column(column)
    for event in (outcome.trace or {}).get("events", []):
        detail = event.get("detail")
        trace.add_row(str(event.get("at")), str(event.get("hop")), str(event.get("status")), _short(detail))

    erp = Text(f"ERP sandbox: {len(outcome.erp_records)} sales orders, external ids "
               + ", ".join(str(r.get("externalId")) for r in outcome.erp_records))
    console.print(Group(deliveries, summary, orders, erp, stock, trace))
    if outcome.problems:
        console.print(Panel("\n".join(outcome.problems), title="[red]Not as expected[/]", border_style="red"))
    else:
        console.print(Panel("every outcome is as expected", title="[green]Demo passed[/]", border_style="green"))


def _short(detail: Any, width: int = 90) -> str:
    text = detail if isinstance(detail, str) else ("" if detail is None else json.dumps(detail, default=str))
    return text if len(text) <= width else text[: width - 1] + "…"
