"""Read the scenario's outcome back (ops API, state table, sandboxes), check it, render it for a person."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
import httpx
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from local.demo.driver import Answer, Done
from local.demo.namespace import Namespace
from local.demo.scenario import Expectations
from local.stack import LocalStack
from shared.models.orders import order_id_for

if TYPE_CHECKING:
    from local.demo.inventory import BurstResult, Published

Result = Answer | Done


@dataclass
class Outcome:
    results: list[Result]
    orders: dict[tuple[str, str], dict[str, Any] | None]  # keyed by the scenario's (channel, order id)
    returns: dict[tuple[str, str], dict[str, Any] | None]
    inventory: dict[str, dict[str, Any]]  # keyed by the scenario's SKU
    erp_records: list[dict[str, Any]]
    trace: dict[str, Any] | None
    published: dict[str, Published]
    burst: BurstResult | None
    reconciliation: dict[str, Any]
    ns: Namespace
    reads: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (sandbox, method, path) -> calls
    problems: list[str] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # open reconciliation exceptions

    def erp_count(self, order_id: str) -> int:
        return sum(1 for r in self.erp_records if r.get("externalId") == order_id)


def collect(
    client: httpx.Client,
    stack: LocalStack,
    ns: Namespace,
    expected: Expectations,
    results: list[Result],
    published: dict[str, Published],
    burst: BurstResult | None,
    reconciliation: dict[str, Any],
) -> Outcome:
    api_url = stack.api_url
    orders: dict[tuple[str, str], dict[str, Any] | None] = {}
    for order in expected.orders:
        response = client.get(f"{api_url}/v1/ops/orders/{order.channel}/{ns.id(order.channel_order_id)}")
        orders[(order.channel, order.channel_order_id)] = response.json() if response.status_code == 200 else None
    returns = {
        (r.channel, r.return_id): _state_item(stack, f"RETURN#{r.channel}#{ns.id(r.return_id)}", "RETURN")
        for r in expected.returns
    }
    inventory = {}
    for sku in sorted({stock.sku for stock in expected.stock}):
        response = client.get(f"{api_url}/v1/ops/inventory/{ns.id(sku)}")
        inventory[sku] = response.json() if response.status_code == 200 else {"sku": sku, "locations": []}
    records = client.get(f"{stack.sandbox_urls['erp']}/__admin/records").json().get("items", [])
    first_order = next(
        (r for r in results if isinstance(r, Answer) and r.delivery.fixture == "shopify/orders_create"), None
    )
    trace = None
    if first_order and first_order.correlation_id:
        trace = client.get(f"{api_url}/v1/ops/transactions/{first_order.correlation_id}").json()
    outcome = Outcome(results, orders, returns, inventory, records, trace, published, burst, reconciliation, ns)
    for read in expected.reads:
        path = ns.text(read.path)
        journal = client.get(f"{stack.sandbox_urls[read.sandbox]}/__admin/requests", params={"path": path}).json()
        outcome.reads[(read.sandbox, read.method, read.path)] = sum(
            1 for e in journal.get("requests", []) if e.get("method") == read.method and e.get("path") == path
        )
    if expected.sale_variances:
        answer = client.get(
            f"{api_url}/v1/ops/exceptions", params={"kind": "reconciliation", "status": "open", "limit": "100"}
        )
        outcome.exceptions = answer.json().get("exceptions", []) if answer.status_code == 200 else []
    outcome.problems = check(outcome, expected)
    return outcome


def _state_item(stack: LocalStack, pk: str, sk: str) -> dict[str, Any] | None:
    """A state-table item as plain JSON (returns have no ops route)."""
    from boto3.dynamodb.types import TypeDeserializer

    raw = boto3.client("dynamodb").get_item(
        TableName=stack.physical_id("StateTable"), Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    )
    item = raw.get("Item")
    if item is None:
        return None
    deserialize = TypeDeserializer().deserialize
    return {k: deserialize(v) for k, v in item.items()}


def _location(inventory: dict[str, Any], location_id: str) -> dict[str, Any] | None:
    return next((loc for loc in inventory.get("locations", []) if loc.get("location_id") == location_id), None)


def check(outcome: Outcome, expected: Expectations) -> list[str]:
    ns = outcome.ns
    problems = [
        f"{r.label}: answered {r.answer_text}"
        + (f", expected {r.delivery.expect_status}" if isinstance(r, Answer) else ", not as expected")
        for r in outcome.results
        if not r.as_expected
    ]
    for order in expected.orders:
        name = f"order {order.channel}/{order.channel_order_id}"
        got = outcome.orders.get((order.channel, order.channel_order_id))
        if got is None:
            problems.append(f"{name} is unknown to the ops API")
            continue
        if got.get("status") != order.status:
            problems.append(f"{name}: {got.get('status')}, expected {order.status}")
        if bool(got.get("erp_sales_order_id")) != order.has_erp_id:
            problems.append(
                f"{name}: ERP id {got.get('erp_sales_order_id')!r}, expected {'one' if order.has_erp_id else 'none'}"
            )
        records = outcome.erp_count(order_id_for(order.channel, ns.id(order.channel_order_id)))
        if records != int(order.has_erp_id):
            problems.append(f"{name}: the ERP holds {records} sales orders for it, expected {int(order.has_erp_id)}")
    for ret in expected.returns:
        got = outcome.returns.get((ret.channel, ret.return_id))
        want = (ret.status, ret.order_channel, ns.id(ret.channel_order_id))
        if got is None:
            problems.append(f"return {ret.channel}/{ret.return_id} was not recorded")
        elif (got.get("status"), got.get("channel"), got.get("channel_order_id")) != want:
            problems.append(
                f"return {ret.channel}/{ret.return_id}: {got.get('status')} for "
                f"{got.get('channel')}/{got.get('channel_order_id')}, expected {want}"
            )
    for stock in expected.stock:
        loc = _location(outcome.inventory.get(stock.sku, {}), stock.location_id)
        if loc is None:
            problems.append(f"no position for {stock.sku} at {stock.location_id}")
            continue
        got_counts = (loc.get("on_hand"), loc.get("reserved"), loc.get("available"))
        if got_counts != (stock.on_hand, stock.reserved, stock.available):
            problems.append(
                f"{stock.sku} at {stock.location_id}: on hand / reserved / available {got_counts}, "
                f"expected {(stock.on_hand, stock.reserved, stock.available)}"
            )
        if loc.get("on_hand", 0) < 0 or loc.get("reserved", 0) < 0 or loc.get("reserved", 0) > loc.get("on_hand", 0):
            problems.append(f"{stock.sku} at {stock.location_id}: impossible position {loc}")
    for read in expected.reads:
        calls = outcome.reads.get((read.sandbox, read.method, read.path), 0)
        if calls != read.times:
            problems.append(f"{read.sandbox} sandbox: {calls} x {read.method} {read.path}, expected {read.times}")
    problems += _check_channels(outcome, expected)
    problems += _check_burst(outcome, expected)
    problems += _check_variances(outcome, expected)
    for variance in expected.sale_variances:
        found = [
            e
            for e in outcome.exceptions
            if (e.get("sku"), e.get("location_id"), e.get("source"), e.get("units"))
            == (ns.id(variance.sku), variance.location_id, variance.source, variance.units)
            and str(e.get("reason", "")).startswith("sale_exceeded_count")
        ]
        if len(found) != 1:
            problems.append(
                f"till sale beyond the count of {variance.sku} at {variance.location_id}: "
                f"{len(found)} open sale_exceeded_count exceptions, expected 1"
            )
    if not outcome.trace or not outcome.trace.get("events"):
        problems.append("no trace for the first Shopify order")
    return problems


def _check_channels(outcome: Outcome, expected: Expectations) -> list[str]:
    problems = []
    for name, per_sku in expected.channels.items():
        run = outcome.published.get(name)
        if run is None:
            problems.append(f"the publish '{name}' did not run")
            continue
        for sku, want in per_sku.items():
            got, told = run.channels.get(sku, {}), run.told.get(sku, {})
            if got != want:
                problems.append(f"{sku} {name}: the ops view gives the channels {got}, expected {want}")
            if told != want:
                problems.append(f"{sku} {name}: the marketplaces were told {told}, expected {want}")
            # Within the rules: what a channel is told plus what it holds back never exceeds what
            # its locations have free, and all channels together never promise more than that.
            atp = run.atp.get(sku, {})
            rules = {rule["channel"]: rule for rule in run.rules.get(sku, {}).get("channels", [])}
            feeding: set[str] = set()
            committed = 0
            for channel, units in got.items():
                rule = rules.get(channel)
                if rule is None:
                    problems.append(f"{sku} {name}: {channel} has {units} units and no rule")
                    continue
                locations = set(atp) if rule["locations"] == ["*"] else set(rule["locations"])
                feeding |= locations
                free = sum(atp.get(location, 0) for location in locations)
                held = units + (rule.get("buffer", 0) if units else 0)
                committed += held
                if rule.get("pool") is not None and rule.get("share") is None and held > rule["pool"]:
                    problems.append(f"{sku} {name}: {channel} {units} is above its pool of {rule['pool']}")
                if held > free:
                    problems.append(
                        f"{sku} {name}: {channel} {units} (+ buffer) is above the {free} free at its locations"
                    )
            free_total = sum(atp.get(location, 0) for location in feeding)
            if committed > free_total:
                problems.append(f"{sku} {name}: channels hold {committed}, more than the {free_total} free")
    return problems


def _check_burst(outcome: Outcome, expected: Expectations) -> list[str]:
    want, got = expected.burst, outcome.burst
    if got is None:
        return ["the burst did not run"]
    problems = []
    statuses = Counter(got.statuses.values())
    if (statuses.get("ACCEPTED", 0), statuses.get("ON_HOLD", 0)) != (want.accepted, want.orders - want.accepted):
        problems.append(
            f"burst of {want.orders} orders for {want.sku}: {dict(statuses)}, expected {want.accepted} ACCEPTED "
            f"and {want.orders - want.accepted} ON_HOLD"
        )
    if got.oversold:
        problems.append(f"burst: reserved above on hand while it ran: {got.oversold[:3]}")
    if got.samples == 0:
        problems.append("burst: the position was never read while it ran")
    for channel_order_id, status in got.statuses.items():
        records = outcome.erp_count(order_id_for("shopify", channel_order_id))
        if records != int(status == "ACCEPTED"):
            problems.append(f"burst order {channel_order_id} ({status}): {records} ERP sales orders")
    return problems


def _variance_key(v: Any) -> tuple[str, str, str, int, str, str]:
    return (v["sku"], v["location_id"], v["source"], int(v["units"]), str(Decimal(str(v["value"]))), v["action"])


def _check_variances(outcome: Outcome, expected: Expectations) -> list[str]:
    run = outcome.reconciliation
    if run.get("status") != "SUCCEEDED":
        return [f"the reconciliation run ended {run.get('status')!r}: {run.get('error', '')}"]
    ns = outcome.ns
    skus = {ns.id(v.sku): v.sku for v in expected.variances} | {ns.id(s.sku): s.sku for s in expected.stock}
    mine = [v for v in run.get("variances", []) if v["sku"] in skus]
    got = sorted(_variance_key({**v, "sku": skus[v["sku"]]}) for v in mine)
    want = sorted((v.sku, v.location_id, v.source, v.units, v.value, v.action) for v in expected.variances)
    problems = [] if got == want else [f"reconciliation variances {got}, expected {want}"]
    for v in mine:
        if v["action"] == "corrected" and not v.get("audit_id"):
            problems.append(f"corrected variance without an audit entry: {v}")
        if v["action"] == "exception" and not v.get("exception_id"):
            problems.append(f"variance above tolerance without an exception: {v}")
    return problems


# ----- rendering ---------------------------------------------------------------------------------


def render(outcome: Outcome, console: Console) -> None:
    counts = Counter(r.outcome.split(" ")[0] for r in outcome.results)
    steps = Table(title="Deliveries and steps", show_lines=False, expand=False)
    for column in ("#", "delivery / step", "answer", "correlation id", "ok"):
        steps.add_column(column)
    for i, result in enumerate(outcome.results, 1):
        steps.add_row(
            str(i),
            result.label,
            result.answer_text,
            (result.correlation_id or "")[:12],
            "[green]yes[/]" if result.as_expected else "[red]NO[/]",
        )
    summary = Text(
        f"accepted {counts.get('accepted', 0)}   duplicate {counts.get('duplicate', 0)}   "
        f"ignored {counts.get('ignored', 0)}   refused {counts.get('refused', 0)}   "
        f"other steps {sum(n for k, n in counts.items() if k not in {'accepted', 'duplicate', 'ignored', 'refused'})}",
        style="bold",
    )

    orders = Table(title="Orders and returns")
    for column in ("channel", "channel order", "order id", "status", "ERP sales order", "lines"):
        orders.add_column(column)
    for (channel, channel_order_id), order in outcome.orders.items():
        if order is None:
            orders.add_row(channel, channel_order_id, "-", "[red]unknown[/]", "-", "-")
            continue
        lines = ", ".join(f"{line.get('quantity')} x {line.get('sku')}" for line in order.get("lines", []))
        orders.add_row(
            channel,
            str(order.get("channel_order_id")),
            str(order.get("order_id")),
            str(order.get("status")),
            str(order.get("erp_sales_order_id") or "-"),
            lines,
        )
    for (channel, return_id), ret in outcome.returns.items():
        if ret is None:
            orders.add_row(channel, f"return {return_id}", "-", "[red]unknown[/]", "-", "-")
            continue
        lines = ", ".join(f"{line.get('quantity', 1)} x {line.get('sku')}" for line in ret.get("lines", []) or [])
        orders.add_row(
            channel,
            f"return {return_id}",
            f"for {ret.get('channel')} {ret.get('channel_order_id')}",
            str(ret.get("status")),
            "-",
            lines or "-",
        )
    own = {order_id_for(c, outcome.ns.id(o)) for c, o in outcome.orders} | {
        order_id_for("shopify", o) for o in (outcome.burst.statuses if outcome.burst else {})
    }
    reads = Text(
        "vendor APIs read to enrich notifications: "
        + ", ".join(f"{m} {p} ({s}) x {n}" for (s, m, p), n in outcome.reads.items())
    )
    erp = Text(
        f"ERP sandbox: {sum(1 for r in outcome.erp_records if r.get('externalId') in own)} sales orders "
        "for the scenario's orders (one per accepted order, the cancelled one included)"
    )

    stock = Table(title="Stock per SKU and location")
    for column in ("sku", "location", "on hand", "reserved", "available"):
        stock.add_column(column)
    for sku, inventory in outcome.inventory.items():
        for loc in inventory.get("locations", []):
            stock.add_row(
                sku,
                str(loc.get("location_id")),
                str(loc.get("on_hand")),
                str(loc.get("reserved")),
                str(loc.get("available")),
            )

    console.print(
        Group(
            steps,
            summary,
            orders,
            reads,
            erp,
            stock,
            _channels_table(outcome),
            _burst_view(outcome),
            _variances_table(outcome),
            _trace_table(outcome),
        )
    )
    if outcome.problems:
        console.print(Panel("\n".join(outcome.problems), title="[red]Not as expected[/]", border_style="red"))
    else:
        console.print(Panel("every outcome is as expected", title="[green]Demo passed[/]", border_style="green"))


CHANNELS = ("amazon", "shopify", "walmart", "ebay", "zalando")


def _channels_table(outcome: Outcome) -> Table:
    table = Table(title="Availability per channel (ops view = what each marketplace accepted, within the rules)")
    for column in ("sku", "publish", "free per location", *CHANNELS, "sum", "told = view"):
        table.add_column(column)
    for name, run in outcome.published.items():
        for sku, channels in run.channels.items():
            told = run.told.get(sku, {})
            atp = ", ".join(f"{loc} {units}" for loc, units in sorted(run.atp.get(sku, {}).items()))
            table.add_row(
                sku,
                name,
                atp,
                *(str(channels.get(c, "-")) for c in CHANNELS),
                str(sum(channels.values())),
                "[green]yes[/]" if told == channels else f"[red]told {told}[/]",
            )
    return table


def _burst_view(outcome: Outcome) -> Table:
    burst = outcome.burst
    table = Table(title="Concurrency: orders racing for the last units")
    for column in (
        "sku",
        "location",
        "orders",
        "accepted",
        "on hold",
        "HTTP 202",
        "position reads",
        "reserved > on hand",
        "seconds",
    ):
        table.add_column(column)
    if burst is not None:
        statuses = Counter(burst.statuses.values())
        table.add_row(
            burst.sku,
            burst.location_id,
            str(len(burst.statuses)),
            str(statuses.get("ACCEPTED", 0)),
            str(statuses.get("ON_HOLD", 0)),
            str(burst.answers.count(202)),
            str(burst.samples),
            "[green]never[/]" if not burst.oversold else f"[red]{len(burst.oversold)} times[/]",
            f"{burst.seconds:.1f}",
        )
    return table


def _variances_table(outcome: Outcome) -> Table:
    run = outcome.reconciliation
    title = (
        f"Reconciliation {run.get('run_id', '?')}: {run.get('status')}, {run.get('positions_compared')} positions "
        f"compared, {run.get('corrected')} corrected, {run.get('exceptions')} exceptions"
    )
    table = Table(title=title)
    for column in ("sku", "location", "source", "ours", "theirs", "units", "value", "action", "audit / exception"):
        table.add_column(column)
    for v in run.get("variances", []):
        table.add_row(
            v["sku"],
            v["location_id"],
            v["source"],
            str(v.get("ours")),
            str(v.get("theirs")),
            str(v["units"]),
            str(v.get("value")),
            v["action"],
            _short(v.get("audit_id") or v.get("exception_id") or "-", 48),
        )
    return table


def _trace_table(outcome: Outcome) -> Table:
    trace = Table(title=f"Trace of Shopify #9999 ({(outcome.trace or {}).get('correlation_id', '?')})")
    for column in ("at", "hop", "status", "detail"):
        trace.add_column(column)
    for event in (outcome.trace or {}).get("events", []):
        trace.add_row(
            str(event.get("at")), str(event.get("hop")), str(event.get("status")), _short(event.get("detail"))
        )
    return trace


def _short(detail: Any, width: int = 90) -> str:
    text = detail if isinstance(detail, str) else ("" if detail is None else json.dumps(detail, default=str))
    return text if len(text) <= width else text[: width - 1] + "…"
