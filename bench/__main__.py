"""`make bench`: the figures the issues set budgets for, measured on this machine.

  cold import             every function of the template, as its asset     budget 150 ms (ingest 100 ms)
                          imports it: fresh interpreter, median of 7, ratio to a bare interpreter;
                          then what its first request adds (ingest, ops API: one real request)
  ingest warm CPU         per accepted webhook, AWS stubbed                budget 1 ms
  AWS calls per order     one Shopify order end to end in the local stack  every call explained
  cost per 1M orders      those calls, invocations, logs at list prices    accept path budget $10
  hot SKU                 movements per second on one SKU (bench/hot_sku.py, when present)
  cost per 1M returns     one Loop return through ReturnFlow to its refund, and one exchange (bench/return_cost.py)
  cost per 1,000 lines    an Amazon settlement report settled (bench/settlement.py)
  customer status         per 1M status events told to the helpdesk, per 1M reads (bench/customer_status_cost.py)
  prices                  per 1M ERP price changes (with a promotion) to five channels (bench/price_cost.py)
  ERP gateway             a priority caller's wait for an ERP slot during a backfill, lanes vs one pool;
                          cost per 1M ERP calls (bench/erp_gateway.py)

`python -m bench [section ...]` runs some sections only (cold, warm, calls, cost, hot, returns,
settlement, customer_status, erp_gateway). Figures go to
stdout and to `.build/bench.json`; BENCHMARKS.md records a run with its command.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import aws_calls, cold_import, cost, warm_ingest

# Issue 7: every function's cold import, ingest's tighter (its caller, the vendor, waits on it).
COLD_IMPORT_BUDGET_MS = 150.0
COLD_IMPORT_BUDGETS_MS = {"IngestFunction": 100.0}
COLD_IMPORT_SAMPLES = 7
WARM_CPU_BUDGET_MS = 1.0
# Issue 13: the accept path (webhook to accepted order) at most $10 per 1M orders on AWS list prices.
ACCEPT_PATH_BUDGET_PER_MILLION = 10.0
OUT = Path(__file__).resolve().parents[1] / ".build" / "bench.json"


def cold_budget_ms(logical_id: str) -> float:
    return COLD_IMPORT_BUDGETS_MS.get(logical_id, COLD_IMPORT_BUDGET_MS)


def cold(console: Console) -> dict[str, Any]:
    results = cold_import.measure_all(samples=COLD_IMPORT_SAMPLES)
    bare = results["bare_interpreter_ms"]
    table = Table(
        title=f"Cold import of every function of the template, as its asset imports it "
        f"(fresh interpreter, median of {COLD_IMPORT_SAMPLES}; bare interpreter {bare:.0f} ms)"
    )
    columns = ("function", "handler module", "median ms", "min", "max", "CPU ms", "x bare", "budget", "then adds")
    for column in columns:
        table.add_column(column)
    for logical_id, figures in results["functions"].items():
        budget = cold_budget_ms(logical_id)
        figures["budget_ms"] = budget
        figures["within_budget"] = figures["median_ms"] <= budget
        if "first_request_ms" in figures:
            adds = f"+{figures['first_request_ms']:.0f} ms 1st request (= {figures['import_and_first_request_ms']:.0f})"
        else:
            adds = f"+{figures['first_aws_client_ms']:.0f} ms 1st AWS client"
        table.add_row(
            logical_id.removesuffix("Function"),
            figures["handler"].rpartition(".")[0].removeprefix("functions."),
            f"{figures['median_ms']:.0f}",
            f"{figures['min_ms']:.0f}",
            f"{figures['max_ms']:.0f}",
            f"{figures['cpu_median_ms']:.0f}",
            f"{figures['ratio_to_bare']:.1f}",
            f"{budget:.0f} ms " + ("ok" if figures["within_budget"] else "OVER"),
            adds,
        )
    console.print(table)
    console.print(
        "then adds: what the first request costs after the import, in the same interpreter (bench/first_request.py: "
        "one signed Shopify webhook through ingest, one GET through the ops API, that order's envelope through the "
        "orders worker, AWS answered in memory; "
        "elsewhere boto3 and the first client only)"
    )
    return results


def warm(console: Console) -> dict[str, Any]:
    table = Table(title="Ingest warm CPU per accepted webhook (Shopify orders/create, new delivery each)")
    for column in ("AWS", "webhooks", "median ms", "p95 ms", "budget"):
        table.add_column(column)
    results = {}
    for key, kwargs in (("ports", {"webhooks": 2000}), ("botocore", {"webhooks": 500, "botocore_stub": True})):
        figures = warm_ingest.measure(**kwargs)  # type: ignore[arg-type]
        results[key] = figures
        budget = ""
        if key == "ports":
            budget = f"{WARM_CPU_BUDGET_MS} ms " + ("ok" if figures["cpu_ms_median"] <= WARM_CPU_BUDGET_MS else "OVER")
        table.add_row(
            figures["aws"],
            str(figures["webhooks"]),
            f"{figures['cpu_ms_median']:.3f}",
            f"{figures['cpu_ms_p95']:.3f}",
            budget or "(information)",
        )
    console.print(table)
    return results


def calls(console: Console) -> dict[str, Any]:
    count = aws_calls.measure()
    table = Table(title="AWS API calls for one accepted Shopify order, end to end")
    for column in ("made by", "service", "operation", "resource", "calls"):
        table.add_column(column)
    for row in count.rows():
        table.add_row(*row[:4], str(row[4]))
    console.print(table)
    total = count.total()
    console.print(
        f"total {total} calls per order (excluding the event source mapping's long polls, "
        f"{count.total(include_polls=True) - total} during the measurement)"
    )
    return {"total": total, "rows": [list(row) for row in count.rows()]}


def dollars(console: Console) -> dict[str, Any]:
    usage = cost.measure()
    per_million = usage.dollars_per_million()
    table = Table(title="Modelled AWS cost per 1M orders (us-east-1 list prices; bench/cost.py says how)")
    for column in ("path", "meter", "per order", "unit price", "$ per 1M orders"):
        table.add_column(column)
    totals: dict[str, float] = {}
    for (path, meter), amount in sorted(usage.requests.items()):
        dollars_ = per_million[(path, meter)]
        totals[path] = totals.get(path, 0.0) + float(dollars_)
        price, unit = cost.PRICES[meter]
        table.add_row(path, meter, f"{float(amount):.6g}", f"${float(price):.3g} {unit}", f"{float(dollars_):.2f}")
    console.print(table)
    for (path, meter), notes in sorted(usage.detail.items()):
        if meter in ("dynamodb_wru", "lambda_gb_second", "logs_gb", "sfn_express_gb_second"):
            console.print(f"  {path} {meter}: " + "; ".join(notes))
    accept = totals.get("accept", 0.0)
    verdict = "ok" if accept <= ACCEPT_PATH_BUDGET_PER_MILLION else "OVER"
    console.print(
        f"accept path ${accept:.2f} per 1M orders (budget ${ACCEPT_PATH_BUDGET_PER_MILLION:.0f}: {verdict}); "
        f"the fulfilment release after it ${totals.get('release', 0.0):.2f}; "
        f"the rest after it (availability, channel outbound, customer status) ${totals.get('after', 0.0):.2f}; "
        f"total ${sum(totals.values()):.2f}"
    )
    floor = cost.accept_floor(usage)
    floor_total = float(sum((part.dollars_per_million for part in floor), Decimal(0)))
    floor_table = Table(title="The accept path's floor: what its requirements fix, whatever the tuning")
    for column in ("part", "required by", "per order", "$ per 1M orders"):
        floor_table.add_column(column)
    for part in floor:
        floor_table.add_row(
            part.part, part.required_by, f"{float(part.amount):.6g}", f"{float(part.dollars_per_million):.2f}"
        )
    console.print(floor_table)
    console.print(
        f"accept path floor ${floor_total:.2f} per 1M orders (Lambda GB-s, reads, logs, X-Ray at zero): "
        + ("the budget is above it" if floor_total <= ACCEPT_PATH_BUDGET_PER_MILLION else "the budget is below it")
    )
    rows = [
        {"path": p, "meter": m, "per_order": float(a), "dollars_per_million": float(per_million[(p, m)])}
        for (p, m), a in sorted(usage.requests.items())
    ]
    return {
        "accept_per_million": accept,
        "accept_floor_per_million": floor_total,
        "after_per_million": totals.get("after", 0.0),
        "release_per_million": totals.get("release", 0.0),
        "rows": rows,
        "within_budget": accept <= ACCEPT_PATH_BUDGET_PER_MILLION,
    }


def hot(console: Console) -> dict[str, Any]:
    if importlib.util.find_spec("bench.hot_sku") is None:
        console.print("hot SKU: bench/hot_sku.py is not there yet")
        return {}
    result: dict[str, Any] = importlib.import_module("bench.hot_sku").run()
    table = Table(title="Hot SKU: movements on one SKU and location")
    table.add_column("figure")
    table.add_column("value")
    for key, value in result.items():
        table.add_row(key, f"{value:.1f}" if isinstance(value, float) else str(value))
    console.print(table)
    return result


def returns(console: Console) -> dict[str, Any]:
    from bench import return_cost

    usage, counted = return_cost.measure()
    per_million = usage.dollars_per_million()
    totals: dict[str, float] = {}
    for path in ("return", "exchange"):
        table = Table(title=f"One {path} end to end: modelled AWS cost per 1M (bench/return_cost.py says how)")
        for column in ("meter", f"per {path}", f"$ per 1M {path}s"):
            table.add_column(column)
        for (metered_path, meter), amount in sorted(usage.requests.items()):
            if metered_path == path:
                table.add_row(meter, f"{float(amount):.6g}", f"{float(per_million[(path, meter)]):.2f}")
        console.print(table)
        totals[path] = float(sum(dollars for (p, _), dollars in per_million.items() if p == path))
        console.print(f"total ${totals[path]:.2f} per 1M {path}s")
    console.print("AWS requests: " + ", ".join(f"{name} {n}" for name, n in sorted(counted.items())))
    return {"per_million": totals["return"], "exchange_per_million": totals["exchange"], "calls": dict(counted)}


def settlement(console: Console) -> dict[str, Any]:
    from bench import settlement as settle_bench

    result: dict[str, Any] = settle_bench.main(1000)
    console.print(f"settling 1,000 lines: ${result['usd_per_1000_lines_total']} ({result['calls']})")
    return result


def customer_status(console: Console) -> dict[str, Any]:
    from bench import customer_status_cost

    result = customer_status_cost.measure()
    console.print(
        f"customer status: ${result['usd_per_1m_status_events']} per 1M status events, "
        f"${result['usd_per_1m_status_reads']} per 1M status reads "
        f"(calls for 5 events: {result['calls_for_5_events']}; for 1 read: {result['calls_for_1_read']})"
    )
    return result


def erp_gateway(console: Console) -> dict[str, Any]:
    from bench import erp_gateway as gateway_bench

    result = gateway_bench.measure()
    table = Table(title=f"ERP gateway: {result['scenario']}")
    for column in ("scenario", "priority wait p50 ms", "p95 ms", "ERP peak in flight", "bulk calls meanwhile"):
        table.add_column(column)
    for name, figures in result["scenarios"].items():
        table.add_row(
            name,
            str(figures["priority_wait_p50_ms"]),
            str(figures["priority_wait_p95_ms"]),
            str(figures["erp_peak_in_flight"]),
            str(figures["bulk_calls_meanwhile"]),
        )
    console.print(table)
    console.print(
        f"ERP gateway: ${result['usd_per_1m_erp_calls']} per 1M ERP calls ({result['aws_calls_per_erp_call']}; "
        f"{result['usd_breakdown']})"
    )
    return result


def prices(console: Console) -> dict[str, Any]:
    from bench import price_cost

    result = price_cost.measure()
    console.print(
        f"prices: ${result['usd_per_1m_price_changes']} per 1M price changes with a promotion, to "
        f"{result['channels']} channels ({result['channel_calls_per_change']} channel calls; AWS after ingest: "
        f"{result['aws_calls_after_ingest']})"
    )
    return result


SECTIONS: dict[str, Callable[[Console], dict[str, Any]]] = {
    "cold": cold,
    "warm": warm,
    "calls": calls,
    "cost": dollars,
    "hot": hot,
    "returns": returns,
    "settlement": settlement,
    "customer_status": customer_status,
    "erp_gateway": erp_gateway,
    "prices": prices,
}


def main(argv: list[str]) -> int:
    console = Console(width=None if sys.stdout.isatty() else 140)
    chosen = argv or list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        console.print(f"unknown section(s) {unknown}; choose from {list(SECTIONS)}")
        return 2
    results = {}
    for name in chosen:
        console.rule(name)
        results[name] = SECTIONS[name](console)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, default=str))
    console.print(f"figures written to {OUT}")
    over = []
    if "cold" in results:
        over += [f"{name} cold import" for name, f in results["cold"]["functions"].items() if not f["within_budget"]]
    if "warm" in results and results["warm"]["ports"]["cpu_ms_median"] > WARM_CPU_BUDGET_MS:
        over.append("ingest warm CPU")
    if "cost" in results and not results["cost"]["within_budget"]:
        over.append("accept path cost per 1M orders")
    if over:
        console.print(f"[red]over budget: {', '.join(over)}[/]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
