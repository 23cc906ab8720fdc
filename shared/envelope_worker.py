"""One queued envelope -> one idempotent unit of work, with poison told apart from transient failures.

Shared by both queue workers (orders and inventory): the kernel's SQS envelope worker (issue 8).

Poison (the message can never succeed: not an envelope, an unknown source, a payload that does
not normalize) is logged, counted (`PoisonMessages`, on the first receive only) and traced once,
then the record is failed like any other: after maxReceiveCount (5) receives SQS moves it to the
queue's DLQ, where it can be inspected and redriven. It is not dropped silently and it never
blocks the rest of its batch (partial batch responses). Anything else (throttling, the network,
a downstream outage) fails the record for a normal retry, except a failed vendor read while
normalizing (`EnrichmentFailed`): with `enrichment` given, it is retried with backoff and then kept
as an ops exception (functions/orders/logic/enrichment.py), never left to reach the DLQ unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from shared.adapters.trace_store import TraceSink
from shared.errors import EnrichmentFailed, MalformedBody, PoisonMessage, UnknownSource, ValidationFailed
from shared.models import Envelope
from shared.observability import logger, metrics
from shared.redaction import error_summary

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer


POISON_ERRORS: tuple[type[Exception], ...] = (
    ValidationError,
    PoisonMessage,
    UnknownSource,
    MalformedBody,
    ValidationFailed,
)
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600

Process = Callable[[Envelope], dict[str, Any]]


class EnrichmentHandler(Protocol):
    """What becomes of an envelope whose vendor read failed (functions/orders/logic/enrichment.py)."""

    def succeeded(self, record: SQSRecord, envelope: Envelope) -> None: ...

    def failed(self, record: SQSRecord, envelope: Envelope, failure: EnrichmentFailed) -> dict[str, Any]: ...


class EnvelopeWorker:
    """The record handler given to Powertools' BatchProcessor.

    With a persistence layer, `process` runs at most once per envelope `event_id` (Powertools
    idempotency, key prefix `key_prefix`): a redelivered message answers the stored result and
    does nothing again. A failed attempt leaves no record, so the retry runs in full.
    """

    def __init__(
        self,
        hop: str,
        process: Process,
        trace: TraceSink,
        persistence: BasePersistenceLayer | None = None,
        key_prefix: str | None = None,
        enrichment: EnrichmentHandler | None = None,
    ) -> None:
        # Powertools idempotency imports boto3 with its package: it loads with the worker (first request).
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

        self.hop = hop
        self.enrichment = enrichment
        self.trace = trace
        self.config = IdempotencyConfig(
            event_key_jmespath="event_id",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=IDEMPOTENCY_WINDOW_SECONDS,
        )
        self._process: Callable[..., dict[str, Any]] = (
            process
            if persistence is None
            else idempotent_function(
                process,
                data_keyword_argument="envelope",
                persistence_store=persistence,
                config=self.config,
                key_prefix=key_prefix or hop,
            )
        )

    def __call__(self, record: SQSRecord) -> dict[str, Any]:
        try:
            envelope = Envelope.model_validate_json(record.body)
        except ValidationError as exc:
            self._poison(record, None, exc)
        logger.append_keys(correlation_id=envelope.correlation_id, event_id=envelope.event_id)
        try:
            result = self._process(envelope=envelope)
            if self.enrichment is not None:
                self.enrichment.succeeded(record, envelope)
            return result
        except POISON_ERRORS as exc:
            self._poison(record, envelope, exc)
        except EnrichmentFailed as failure:
            if self.enrichment is None:
                raise
            return self.enrichment.failed(record, envelope, failure)
        finally:
            logger.remove_keys(["correlation_id", "event_id"])

    def _poison(self, record: SQSRecord, envelope: Envelope | None, exc: Exception) -> NoReturn:
        receive_count = record.attributes.approximate_receive_count or "1"
        first_sight = receive_count == "1"
        # Never str(exc): a ValidationError prints the failing values (customer names, addresses).
        summary = error_summary(exc)
        if first_sight:
            metrics.add_metric(name="PoisonMessages", unit=MetricUnit.Count, value=1)
            if envelope is not None:
                detail = {"event_id": envelope.event_id, **summary}
                self.trace.record(envelope.correlation_id, self.hop, "poison", detail)
        logger.error(
            "poison message: failing it until SQS moves it to the DLQ",
            message_id=record.message_id,
            reason=summary["reason"],
            fields=summary.get("fields"),
            error=summary.get("message"),
            receive_count=receive_count,
            first_sight=first_sight,
        )
        raise PoisonMessage(f"message {record.message_id}: {type(exc).__name__}") from exc
