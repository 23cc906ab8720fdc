"""Hot SKU: movements per second on one SKU and location through the real inventory worker logic.

Against moto in-process (`mock_aws`): SQS batches of WMS `inventory.moved` envelopes go through
`InventoryBatch.handle` (the handler's logic: the real WMS adapter, per-position aggregation, the
DynamoDB movement store, the trace table); the event bus is a counting stub. Two runs:
- aggregated: batches of 25 records (the inventory queue's batch size), one SKU and location;
- per movement: batches of 1 record (what a worker without aggregation writes).
Figures: movements per second, DynamoDB write calls and items per batch, and how often the hot
position item itself is written. moto copies the whole table once per transaction item (its
rollback snapshot), so its absolute throughput falls as markers accumulate and says little about
DynamoDB; a third run takes that snapshot once per table per transaction (the same rollback) to
show the worker's own cost. The write counts are the figures that transfer. `projected_*` turns them into the
ceiling one hot item allows on DynamoDB (1,000 WCU/s per partition, a transactional write of a
small item costs 2 WCU).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

DYNAMODB_PARTITION_WCU = 1000
TRANSACTIONAL_WCU_PER_ITEM = 2
QUEUE_BATCH = 25
SKU = "IPOD2008PINK"
LOCATION = "dc-east"


class _NullBus:
    def __init__(self) -> None:
        self.events = 0

    def publish(self, events: Sequence[Any]) -> None:
        self.events += len(events)


class _Context:
    function_name = "bench-inventory-worker"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class _Writes:
    """DynamoDB write calls and items, split by table, from botocore's parameter events."""

    def __init__(self, state_table: str) -> None:
        self.state_table = state_table
        self.calls = 0
        self.state_items = 0
        self.position_writes = 0
        self.other_items = 0

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name == "TransactWriteItems":
            self.calls += 1
            for item in params["TransactItems"]:
                (op,) = item.values()
                self._item(op.get("TableName"), op.get("Key") or op.get("Item") or {})
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.calls += 1
            self._item(params.get("TableName"), params.get("Key") or params.get("Item") or {})
        elif name == "BatchWriteItem":
            self.calls += 1
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    self._item(table, {})
                    del request

    def _item(self, table: str | None, key: dict[str, Any]) -> None:
        if table != self.state_table:
            self.other_items += 1
            return
        self.state_items += 1
        if str(_plain(key.get("pk"))).startswith("SKU#"):
            self.position_writes += 1


def _plain(value: Any) -> Any:
    return value.get("S") if isinstance(value, dict) else value


def _records(start: int, count: int) -> list[dict[str, Any]]:
    from shared.models import Envelope

    records = []
    for n in range(start, start + count):
        kind = "receipt" if n % 3 else "store_sale"
        body = {
            "event_id": f"wms-evt-{n:08d}",
            "event_type": "inventory.moved",
            "sequence": n,
            "movement": kind,
            "location_id": LOCATION,
            "sku": SKU,
            "quantity": 2 if kind == "receipt" else 1,
            "occurred_at": "2026-11-23T12:00:00Z",
        }
        envelope = Envelope.model_validate(
            {
                "event_id": body["event_id"],
                "source": "wms",
                "event_type": "inventory.moved",
                "domain": "inventory",
                "delivery_id": body["event_id"],
                "correlation_id": f"correlation-{n:08d}",
                "payload": body,
            }
        )
        records.append(
            {
                "messageId": f"m-{n}",
                "receiptHandle": "rh",
                "body": envelope.model_dump_json(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:inventory",
                "awsRegion": "us-east-1",
            }
        )
    return records


@contextmanager
def _one_snapshot_per_table() -> Iterator[None]:
    """moto snapshots a table once per *item* of a transaction; once per table is the same rollback.

    Used for a second figure only, so what our logic costs is visible beside moto's own overhead.
    """
    import copy

    import moto.dynamodb.models as models

    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        memo: dict[int, Any] = {}

        class _Copy:
            @staticmethod
            def deepcopy(value: Any) -> Any:
                if id(value) not in memo:
                    memo[id(value)] = copy.deepcopy(value)
                return memo[id(value)]

        models.copy = _Copy  # type: ignore[assignment]
        try:
            original(self, transact_items)
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


def _measure(movements: int, batch_size: int) -> dict[str, float]:
    import boto3
    from moto import mock_aws

    from functions.inventory.dal.movements import DynamoMovementStore
    from functions.inventory.dal.positions import DynamoPositionStore
    from functions.inventory.logic.batch import InventoryBatch
    from functions.inventory.logic.intake import HOP, InventoryIntake
    from shared.adapters.trace_store import DynamoTraceStore
    from shared.envelope_worker import EnvelopeWorker

    class _Payloads:
        def resolve(self, envelope: Any) -> Any:
            return envelope

    with mock_aws():
        session = boto3.session.Session(region_name="us-east-1")
        writes = _Writes("state")
        session.events.register("before-parameter-build.dynamodb.*", writes)
        client = session.client("dynamodb")
        client.create_table(
            TableName="state",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.create_table(
            TableName="trace",
            KeySchema=[
                {"AttributeName": "correlation_id", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "correlation_id", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        trace = DynamoTraceStore("trace", table=session.resource("dynamodb").Table("trace"))
        bus = _NullBus()
        intake = InventoryIntake(
            DynamoPositionStore("state", client=client),
            bus,
            trace,
            _Payloads(),
            movements=DynamoMovementStore("state", client=client),
        )
        worker = InventoryBatch(EnvelopeWorker(HOP, intake.process, trace), intake)
        batches = [_records(1 + i, batch_size) for i in range(0, movements, batch_size)]
        writes.calls = writes.state_items = writes.position_writes = writes.other_items = 0
        started = time.perf_counter()
        failed = 0
        for records in batches:
            failed += len(worker.handle({"Records": records}, _Context())["batchItemFailures"])  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        position = DynamoPositionStore("state", client=client).get_positions(LOCATION, [SKU])[SKU]
    expected = sum(2 if n % 3 else -1 for n in range(1, movements + 1))
    if failed or position.on_hand != expected:
        raise RuntimeError(f"hot SKU bench went wrong: {failed} failed records, on_hand {position.on_hand}")
    count = len(batches)
    return {
        "movements_per_second": movements / elapsed,
        "batches": count,
        "write_calls_per_batch": writes.calls / count,
        "state_items_per_batch": writes.state_items / count,
        "position_writes_per_batch": writes.position_writes / count,
        "trace_items_per_batch": writes.other_items / count,
        "events_per_batch": bus.events / count,
    }


def run(movements: int = 500) -> dict[str, Any]:
    """Figures for `make bench` (flat, one row each)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "bench")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(key, "bench")
    import logging

    logging.getLogger("service_undefined").setLevel(logging.ERROR)
    logging.getLogger("bench").setLevel(logging.ERROR)
    aggregated = _measure(movements, QUEUE_BATCH)
    single = _measure(min(movements, 100), 1)
    with _one_snapshot_per_table():
        lean = _measure(movements, QUEUE_BATCH)
    hot_item_writes_per_second = DYNAMODB_PARTITION_WCU / TRANSACTIONAL_WCU_PER_ITEM
    return {
        "movements": movements,
        "batch_size": QUEUE_BATCH,
        "aggregated_movements_per_second_moto": aggregated["movements_per_second"],
        "aggregated_movements_per_second_moto_one_snapshot": lean["movements_per_second"],
        "aggregated_write_calls_per_batch": aggregated["write_calls_per_batch"],
        "aggregated_state_items_per_batch": aggregated["state_items_per_batch"],
        "aggregated_hot_item_writes_per_batch": aggregated["position_writes_per_batch"],
        "aggregated_trace_items_per_batch": aggregated["trace_items_per_batch"],
        "aggregated_events_per_batch": aggregated["events_per_batch"],
        "per_movement_movements_per_second_moto": single["movements_per_second"],
        "per_movement_hot_item_writes_per_movement": single["position_writes_per_batch"],
        "projected_max_movements_per_second_per_hot_item_aggregated": hot_item_writes_per_second
        * QUEUE_BATCH
        / max(aggregated["position_writes_per_batch"], 1e-9),
        "projected_max_movements_per_second_per_hot_item_per_movement": hot_item_writes_per_second
        / max(single["position_writes_per_batch"], 1e-9),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:64} {value:.1f}" if isinstance(value, float) else f"{key:64} {value}")
