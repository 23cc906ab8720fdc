"""Rich views of the ops API's answers: what an operator reads first comes first."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_STATUS_STYLE = {
    "ACCEPTED": "green",
    "CANCELLED": "dim",
    "ON_HOLD": "yellow",
    "ERP_FAILED": "red",
    "RECEIVED": "cyan",
}
_FAILED = {"failed", "poison", "exception", "conflict", "rejected", "dead_lettered"}


def _cell(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _status(status: str) -> Text:
    return Text(status, style=_STATUS_STYLE.get(status, "bold"))


def stuck_panel(stuck: dict[str, Any] | None) -> Panel:
    if not stuck:
        return Panel(Text("nothing is stuck", style="green"), title="state", border_style="green", expand=False)
    body = Text.assemble(
        (f"{stuck['state']}: ", "bold red"), stuck["reason"], "\nnext: ", (stuck["next_action"], "bold")
    )
    return Panel(body, title="stuck", border_style="red", expand=False)


def order_table(order: dict[str, Any], matched_by: list[str] | None = None) -> Table:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column()
    rows: list[tuple[str, Any]] = [
        ("order", f"{order['channel']} {order['channel_order_id']}"),
        ("status", _status(order["status"])),
        ("our id", order["order_id"]),
        ("ERP sales order", _cell(order.get("erp_sales_order_id"))),
        ("correlation id", order["correlation_id"]),
        ("location", _cell(order.get("location_id"))),
        ("updated", _cell(order.get("updated_at"))),
    ]
    if order.get("cancel_reason"):
        rows.append(("cancel reason", order["cancel_reason"]))
    if matched_by:
        rows.append(("found by", ", ".join(matched_by)))
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else _cell(value))
    return table


def lines_table(lines: list[dict[str, Any]]) -> Table:
    table = Table(title="lines", title_justify="left")
    for column in ("line", "sku", "qty", "unit price"):
        table.add_column(column, justify="right" if column in ("qty", "unit price") else "left")
    for line in lines:
        price = line.get("unit_price") or {}
        table.add_row(
            _cell(line.get("line_id")),
            _cell(line.get("sku")),
            _cell(line.get("quantity")),
            f"{price.get('amount', '-')} {price.get('currency', '')}".strip(),
        )
    return table


def trace_table(events: list[dict[str, Any]], title: str = "trace") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("at", "hop", "status", "detail"):
        table.add_column(column, overflow="fold")
    for event in events:
        status = str(event.get("status", ""))
        detail = ", ".join(f"{k}={v}" for k, v in (event.get("detail") or {}).items())
        table.add_row(
            _cell(event.get("at")),
            _cell(event.get("hop")),
            Text(status, style="bold red" if status in _FAILED else ""),
            detail,
        )
    return table


def exceptions_table(items: list[dict[str, Any]], title: str = "exceptions") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("id", "kind", "status", "reason", "concerns", "correlation id", "raised"):
        table.add_column(column, overflow="fold")
    for item in items:
        if item.get("sku"):
            where = f"{item['sku']} @ {item.get('location_id', '-')}"
            concerns = f"{where} ({item.get('source', '-')}: {item.get('units')})"
        else:
            concerns = f"{_cell(item.get('channel'))} {_cell(item.get('channel_order_id'))}"
        table.add_row(
            _cell(item.get("id")),
            _cell(item.get("kind")),
            _cell(item.get("status")),
            _cell(item.get("reason")),
            concerns,
            _cell(item.get("correlation_id")),
            _cell(item.get("raised_at")),
        )
    return table


def show_find(console: Console, result: dict[str, Any]) -> None:
    orders = result.get("orders") or []
    for found in orders:
        order = found["order"]
        console.print(
            Panel(
                Group(order_table(order, found.get("matched_by")), lines_table(order.get("lines") or [])),
                title=f"{order['channel']} order {order['channel_order_id']}",
                expand=False,
            )
        )
        console.print(stuck_panel(found.get("stuck")))
        if found.get("trace"):
            console.print(trace_table(found["trace"]))
    if not orders:
        console.print(Text(f"no recorded order is known by {result['id']}", style="yellow"))
        console.print(stuck_panel(result.get("stuck")))
    if result.get("trace"):
        console.print(trace_table(result["trace"], title=f"transaction {result['id']}"))
    if result.get("exceptions"):
        console.print(exceptions_table(result["exceptions"], title="open exceptions"))


def show_order(console: Console, order: dict[str, Any]) -> None:
    console.print(Group(order_table(order), lines_table(order.get("lines") or [])))


def show_inventory(console: Console, view: dict[str, Any]) -> None:
    table = Table(title=f"SKU {view['sku']}", title_justify="left")
    columns = ("location", "on hand", "reserved", "available", "in transit", "damaged", "safety", "updated")
    for column in columns:
        table.add_column(column, justify="left" if column in ("location", "updated") else "right")
    for p in view.get("locations") or []:
        table.add_row(
            p["location_id"],
            *(_cell(p.get(k)) for k in ("on_hand", "reserved", "available", "in_transit", "damaged", "safety_stock")),
            _cell(p.get("updated_at")),
        )
    console.print(table)
    channels = Table(title="sellable per channel", title_justify="left")
    channels.add_column("channel")
    channels.add_column("units", justify="right")
    for channel, units in sorted((view.get("channels") or {}).items()):
        channels.add_row(channel, str(units))
    console.print(channels)


def show_runs(console: Console, listing: dict[str, Any]) -> None:
    table = Table(title=f"{listing['kind']} reconciliations", title_justify="left")
    for column in ("run id", "status", "started", "finished", "variances"):
        table.add_column(column, overflow="fold")
    for run in listing.get("runs") or []:
        table.add_row(
            _cell(run.get("run_id")),
            _cell(run.get("status")),
            _cell(run.get("started_at")),
            _cell(run.get("finished_at")),
            str(len(run.get("variances") or [])),
        )
    console.print(table)
