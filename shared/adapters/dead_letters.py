"""A message that reaches a DLQ is also an ops exception (kind `dead_letter`, or `channel_command`
for the channel-outbound queue), holding what is needed to run it again.

SQS moves a message to its DLQ on the receive after its `maxReceiveCount`-th; nothing runs then.
So the worker records it one step earlier: when a record fails on its last receive
(`ApproximateReceiveCount` >= the queue's maxReceiveCount), `DeadLetterProcessor.failure_handler`
writes the exception (its queue's short name, the body, the string message attributes, the error
and its category) before the batch answer reports the failure; SQS then dead-letters the message as
before, so `POST /v1/ops/dlq/{queue}/redrive` still finds it. A worker that puts a message in its
DLQ itself (channel outbound's rejected commands) records it with `force=True`.

Retrying the exception (`POST /v1/ops/exceptions/{id}/retry`) sends the kept body back to the source
queue with the exception id as message attribute `RETRY_OF`; when that delivery goes through,
`success_handler` resolves the exception (`retried`), and if it fails on its last receive again the
same exception counts one more failure. Running a message twice changes nothing: every worker is
idempotent on what the message carries (event ids, outbound markers, file keys).

The exception id comes from the queue and message id, at the time SQS received it
(`exception_id(kind, SentTimestamp, "<queue>:<messageId>")`): recording the same delivery twice
(a worker that crashed after writing) is one exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Protocol

from pydantic import Field

from shared.adapters.exception_store import RETRY_OF, DynamoExceptionStore, exception_id, kind_of
from shared.failures import Category, category_of
from shared.models import utc_now
from shared.observability import logger
from shared.settings import EnvSettings, cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch import BatchProcessor
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

DEAD_LETTER = "dead_letter"
CHANNEL_COMMAND = "channel_command"
DEFAULT_MAX_RECEIVE_COUNT = 5  # infra/constants.py MAX_RECEIVE_COUNT, passed as MAX_RECEIVE_COUNT
MAX_ERROR_CHARS = 500


class DeadLetterSettings(EnvSettings):
    """A queue consumer's: where exceptions are kept (none: nothing recorded) and its queue's
    maxReceiveCount (`MAX_RECEIVE_COUNT`, the template's redrive policy)."""

    state_table_name: Annotated[str, Field(min_length=3)] | None = None
    max_receive_count: Annotated[int, Field(ge=1)] = DEFAULT_MAX_RECEIVE_COUNT


class ExceptionRecorder(Protocol):
    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool: ...


def string_attributes(record: dict[str, Any]) -> dict[str, str]:
    """A record's string message attributes, as plain values."""
    attributes = record.get("messageAttributes") or {}
    return {
        name: str(value["stringValue"])
        for name, value in attributes.items()
        if isinstance(value, dict) and value.get("stringValue") is not None
    }


def _correlation_id(body: str) -> str | None:
    """The envelope's correlation id, or an EventBridge event's (`detail.correlation_id`)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    detail = parsed.get("detail")
    found = parsed.get("correlation_id") or (detail.get("correlation_id") if isinstance(detail, dict) else None)
    return str(found) if found else None


class DeadLetters:
    """Records the messages of one queue that are about to reach (or were put in) its DLQ."""

    def __init__(
        self,
        store: ExceptionRecorder,
        queue: str,
        *,
        kind: str = DEAD_LETTER,
        max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
        now: Callable[[], datetime] = utc_now,
        also_resolves: tuple[str, ...] = (),
    ) -> None:
        """`also_resolves`: other kinds whose retries come back through this queue (the pricing worker's
        `price` exceptions), resolved `retried` like the queue's own when their message goes through."""
        self.store = store
        self.queue = queue
        self.kind = kind
        self.max_receive_count = max_receive_count
        self.now = now
        self.resolves = (kind, *also_resolves)

    def _retry_of(self, record: dict[str, Any], kinds: tuple[str, ...] | None = None) -> tuple[str, str] | None:
        """(kind, exception id) of the exception this delivery retries, if it is of one of `kinds`."""
        value = string_attributes(record).get(RETRY_OF)
        kind = kind_of(value, kinds or (self.kind,)) if value else None
        return (kind, value) if kind and value else None

    def failed(
        self, record: dict[str, Any], error: BaseException | None, *, force: bool = False, reason: str | None = None
    ) -> str | None:
        """Record the message if this was its last receive (or `force`); the exception id, else None."""
        attributes = record.get("attributes") or {}
        receives = int(attributes.get("ApproximateReceiveCount") or 1)
        if not force and receives < self.max_receive_count:
            return None
        sent_ms = int(attributes.get("SentTimestamp") or 0)
        sent = datetime.fromtimestamp(sent_ms / 1000, UTC) if sent_ms else self.now()
        retried = self._retry_of(record)
        found = retried[1] if retried else exception_id(self.kind, sent, f"{self.queue}:{record.get('messageId')}")
        body = str(record.get("body") or "")
        category = category_of(error) if error is not None else Category.INTERNAL
        error_text = (reason or (f"{type(error).__name__}: {error}" if error is not None else "dead-lettered"))[
            :MAX_ERROR_CHARS
        ]
        kept = {
            "reason": category.value,
            "category": category.value,
            "correlation_id": _correlation_id(body),
            "concerns": f"{self.queue} message {record.get('messageId')}",
            "error": error_text,
            "queue": self.queue,
            "message_id": record.get("messageId"),
            "receive_count": receives,
            "payload": body,
            "attributes": {k: v for k, v in string_attributes(record).items() if k != RETRY_OF},
        }
        if self.store.raise_open(self.kind, found, kept, self.now()):
            logger.error(
                "message kept as an exception before its DLQ",
                exception_id=found,
                queue=self.queue,
                message_id=record.get("messageId"),
                category=category.value,
            )
        return found

    def succeeded(self, record: dict[str, Any]) -> None:
        """A retried message went through: its exception is resolved as `retried`."""
        retried = self._retry_of(record, self.resolves)
        if retried is not None:
            self.store.resolve(retried[0], retried[1], {"action": "retried"}, self.now())


def process_sqs_batch(
    event: dict[str, Any], record_handler: Callable[..., Any], letters: DeadLetters | None, context: LambdaContext
) -> PartialItemFailureResponse:
    """Powertools' partial batch response for an SQS batch, through a `DeadLetterProcessor`.

    The batch utilities load with the first batch, not at import: their package also imports asyncio
    (for the async processor), the DynamoDB/Kinesis data classes and the parser's models, about
    90 ms of an SQS consumer's cold start for nothing it uses (issue 7).
    """
    from aws_lambda_powertools.utilities.batch import process_partial_response

    return process_partial_response(
        event=event, record_handler=record_handler, processor=dead_letter_processor(letters), context=context
    )


def dead_letter_processor(letters: DeadLetters | None) -> BatchProcessor:
    """Powertools' SQS BatchProcessor (partial batch responses) that keeps a record failing on its
    last receive as an exception (`DeadLetters.failed`) and resolves a retried one that went through.

    Recording never changes the batch answer: if the write fails, the failure is logged and the
    message still goes to the DLQ (where the DLQ depth alarm and the redrive route find it).
    """
    processor: BatchProcessor = _processor_class()(letters)
    return processor


@cache
def _processor_class() -> type:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
    from aws_lambda_powertools.utilities.batch.base import FailureResponse, SuccessResponse
    from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo

    class DeadLetterProcessor(BatchProcessor):
        def __init__(self, letters: DeadLetters | None) -> None:
            super().__init__(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
            self.letters = letters

        def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
            answer = super().failure_handler(record, exception)
            # Powertools passes the failed record as its data class (SQSRecord), a succeeded one as the dict.
            raw = getattr(record, "raw_event", record)
            if self.letters is not None and isinstance(raw, dict):
                try:
                    self.letters.failed(raw, exception[1])
                except Exception:  # the batch answer must still report the failure
                    logger.exception("could not keep a dead letter as an exception", queue=self.letters.queue)
            return answer

        def success_handler(self, record: Any, result: Any) -> SuccessResponse:
            answer = super().success_handler(record, result)
            dead_lettered = isinstance(result, dict) and result.get("status") == "dead_lettered"
            raw = getattr(record, "raw_event", record)
            if self.letters is not None and isinstance(raw, dict) and not dead_lettered:
                try:
                    self.letters.succeeded(raw)
                except Exception:
                    logger.exception("could not resolve a retried dead letter", queue=self.letters.queue)
            return answer

    return DeadLetterProcessor


@cache
def default_letters(queue: str, kind: str = DEAD_LETTER, also_resolves: tuple[str, ...] = ()) -> DeadLetters | None:
    """The handler's recorder from its environment, once per cold start; None without a state table."""
    settings = cached(DeadLetterSettings)
    if settings.state_table_name is None:
        return None
    return DeadLetters(
        DynamoExceptionStore(settings.state_table_name),
        queue,
        kind=kind,
        max_receive_count=settings.max_receive_count,
        also_resolves=also_resolves,
    )
