"""The ERP gateway (shared/adapters/erp_gateway.py, issue 10.3): what a priority caller waits for a
slot while bulk work saturates the ERP, with the lanes and with one shared pool; and what the gateway
costs per ERP call. `make bench` section `erp_gateway`; `python -m bench erp_gateway`.

The gateway runs here on moto's DynamoDB (with the local stack's lock, as DynamoDB applies each
conditional write atomically) against a stand-in ERP that holds each call `ERP_MS` and counts the
calls in flight. Scenario: the ERP's limit of 5; `PRIORITY_CALLS` order acceptances from 3 threads,
alone, then while 6 bulk threads (a backfill) keep sending; once with the lanes (bulk share 2) and
once with every caller in one pool. Figures are the priority calls' wait for a slot (call time
minus the ERP's own time), p50 and p95, and the most calls the ERP saw at once.

AWS cost per ERP call (list prices in bench/cost.py): a strongly consistent Query of the gateway's
partition (at most 6 items of under 100 bytes: 1 RRU), a claim and a release UpdateItem (1 WRU each),
and the caller's Lambda time waiting on those three calls (bench/cost.py LATENCY_MS, 256 MB).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from bench.cost import LATENCY_MS, MILLION, PRICES

LIMIT = 5
BULK_SHARE = 2
ERP_MS = 40
PRIORITY_CALLS = 60
PRIORITY_THREADS = 3
BULK_THREADS = 20
LAMBDA_GB = Decimal(256) / Decimal(1024)


class _Erp:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def call(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(ERP_MS / 1000)
        with self._lock:
            self.in_flight -= 1


def _scenario(client: Any, table: str, *, lanes: bool, backfill: bool) -> dict[str, Any]:
    from shared.adapters.erp_gateway import ErpGateway, LanePolicy

    def gateway(lane: str) -> ErpGateway:
        return ErpGateway(
            table,
            policy=LanePolicy(LIMIT, BULK_SHARE),
            lane="bulk" if lanes and lane == "bulk" else "priority",  # no lanes: one pool for all
            wait_seconds=60,
            lease_seconds=35,
            client=client,
        )

    erp, stop = _Erp(), threading.Event()
    priority, bulk = gateway("priority"), gateway("bulk")
    waits: list[float] = []
    bulk_calls = [0]

    def one_priority_call(_: int) -> None:
        started = time.perf_counter()
        priority.call(erp.call)
        waits.append((time.perf_counter() - started) * 1000 - ERP_MS)

    def backfill_worker() -> None:
        while not stop.is_set():
            bulk.call(erp.call)
            bulk_calls[0] += 1

    workers = [threading.Thread(target=backfill_worker) for _ in range(BULK_THREADS if backfill else 0)]
    for worker in workers:
        worker.start()
    time.sleep(0.2 if backfill else 0)  # the backfill holds its slots before orders arrive
    with ThreadPoolExecutor(max_workers=PRIORITY_THREADS) as pool:
        list(pool.map(one_priority_call, range(PRIORITY_CALLS)))
    stop.set()
    for worker in workers:
        worker.join()
    ordered = sorted(waits)
    return {
        "priority_wait_p50_ms": round(statistics.median(ordered), 1),
        "priority_wait_p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
        "erp_peak_in_flight": erp.peak,
        "bulk_calls_meanwhile": bulk_calls[0],
    }


def _cost_per_million_calls() -> dict[str, Any]:
    reads = PRICES["dynamodb_rru"][0] * MILLION  # one consistent Query of <4 KB
    writes = 2 * PRICES["dynamodb_wru"][0] * MILLION  # claim + release
    waited_s = Decimal(str(3 * LATENCY_MS["dynamodb"])) / 1000
    lambda_time = waited_s * LAMBDA_GB * PRICES["lambda_gb_second"][0] * MILLION
    total = reads + writes + lambda_time
    return {
        "aws_calls_per_erp_call": {"dynamodb:Query": 1, "dynamodb:UpdateItem": 2},
        "usd_per_1m_erp_calls": str(total.quantize(Decimal("0.01"))),
        "usd_breakdown": {
            "dynamodb_rru": str(reads.quantize(Decimal("0.001"))),
            "dynamodb_wru": str(writes.quantize(Decimal("0.001"))),
            "lambda_waiting": str(lambda_time.quantize(Decimal("0.001"))),
        },
    }


def measure() -> dict[str, Any]:
    import os

    import boto3
    from moto import mock_aws

    from local.moto_patches import install

    install()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    results: dict[str, Any] = {}
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        scenarios: dict[str, Callable[[str], dict[str, Any]]] = {
            "lanes, orders alone": lambda t: _scenario(client, t, lanes=True, backfill=False),
            "lanes, orders during a backfill": lambda t: _scenario(client, t, lanes=True, backfill=True),
            "one pool, orders during a backfill": lambda t: _scenario(client, t, lanes=False, backfill=True),
        }
        for index, (name, run) in enumerate(scenarios.items()):
            table = f"bench-gateway-{index}"
            client.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            )
            results[name] = run(table)
    return {
        "scenario": f"ERP limit {LIMIT}, bulk share {BULK_SHARE}, {ERP_MS} ms per ERP call, "
        f"{PRIORITY_CALLS} priority calls from {PRIORITY_THREADS} threads, {BULK_THREADS} backfill threads",
        "scenarios": results,
        **_cost_per_million_calls(),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure(), indent=2))
