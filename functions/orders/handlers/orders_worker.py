"""Orders queue consumer: each envelope starts one OrderFlow execution per order command.

Partial batch responses: a failing record (poison or transient) is reported alone in
`batchItemFailures`; the rest of the batch is done. A record failing on its last receive is kept as
a `dead_letter` exception before SQS moves it to the DLQ (shared/adapters/dead_letters.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.dal.order_changes import change_recorder
from functions.orders.logic.enrichment import EnrichmentRetries, RetryPolicy
from functions.orders.logic.intake import HOP, OrderIntake
from functions.orders.settings import OrdersWorkerSettings
from shared.adapters.aws import client as aws_client
from shared.adapters.dead_letters import DeadLetters, default_letters, process_sqs_batch
from shared.adapters.envelope_queue import SqsEnvelopeQueue
from shared.adapters.exception_store import DynamoExceptionStore
from shared.adapters.order_flow import StepFunctionsOrderFlow
from shared.adapters.payloads import S3PayloadStore
from shared.adapters.trace_store import DynamoTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.observability import entry_point
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

QUEUE = "orders"  # its short name in the ops API (POST /v1/ops/dlq/orders/redrive)


@lru_cache(maxsize=1)
def default_worker() -> EnvelopeWorker:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer  # boto3: first request

    settings = cached(OrdersWorkerSettings)
    trace = DynamoTraceStore(settings.trace_table_name)
    intake = OrderIntake(
        StepFunctionsOrderFlow(settings.order_flow_arn), trace, S3PayloadStore(), changes=change_recorder(trace)
    )
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table_name, boto3_client=aws_client("dynamodb")
    )
    enrichment = (
        EnrichmentRetries(
            DynamoExceptionStore(settings.state_table_name),
            SqsEnvelopeQueue(settings.orders_queue_url),
            trace,
            RetryPolicy(settings.enrichment_max_attempts, settings.enrichment_backoff_seconds),
        )
        if settings.state_table_name and settings.orders_queue_url
        else None
    )
    return EnvelopeWorker(HOP, intake.process, trace, persistence, enrichment=enrichment)


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    worker: EnvelopeWorker | None = None,
    letters: DeadLetters | None = None,
) -> PartialItemFailureResponse:
    letters = letters if worker is not None else default_letters(QUEUE)
    worker = worker or default_worker()
    worker.config.register_lambda_context(context)
    return process_sqs_batch(event, worker, letters, context)
