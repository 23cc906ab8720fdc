"""Inventory queue consumer: movements aggregated per position, adjustments and shipments per record,
all sequence-guarded; partial batch responses."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.inventory.dal.movements import DynamoMovementStore
from functions.inventory.dal.positions import DynamoPositionStore
from functions.inventory.logic.batch import InventoryBatch
from functions.inventory.logic.intake import HOP, InventoryIntake
from functions.inventory.settings import InventoryWorkerSettings
from shared.adapters.aws import client as aws_client
from shared.adapters.dead_letters import default_letters
from shared.adapters.event_bus import EventBridgeBus
from shared.adapters.payloads import S3PayloadStore
from shared.adapters.trace_store import DynamoTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.observability import entry_point
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


@lru_cache(maxsize=1)
def default_worker() -> InventoryBatch:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # boto3: first request

    settings = cached(InventoryWorkerSettings)
    trace = DynamoTraceStore(settings.trace_table_name)
    intake = InventoryIntake(
        DynamoPositionStore(settings.state_table_name),
        EventBridgeBus(settings.event_bus_name),
        trace,
        S3PayloadStore(),
        movements=DynamoMovementStore(settings.state_table_name),
    )
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table_name, boto3_client=aws_client("dynamodb")
    )
    # "inventory": its short name in the ops API (POST /v1/ops/dlq/inventory/redrive).
    return InventoryBatch(EnvelopeWorker(HOP, intake.process, trace, persistence), intake, default_letters("inventory"))


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, worker: InventoryBatch | EnvelopeWorker | None = None
) -> PartialItemFailureResponse:
    worker = worker or default_worker()
    batch = worker if isinstance(worker, InventoryBatch) else InventoryBatch(worker)
    return batch.handle(event, context)
