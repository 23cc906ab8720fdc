"""CustomerStatusQueue consumer: order and return status events -> the helpdesk, once per visible
change (functions/customer_status/logic/publish.py). Partial batch responses; an event it cannot
read, or a push the helpdesk refuses (4xx), is kept as a dead-letter exception at once; anything
transient is retried by the queue (after 5 receives, the DLQ and an exception)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.customer_status.dal.status_store import DynamoStatusStore
from functions.customer_status.logic.publish import StatusPublisher, UnreadableStatusEvent
from functions.customer_status.settings import StatusEventsSettings
from shared.adapters.call_markers import DynamoMarkerStore
from shared.adapters.dead_letters import DeadLetters, default_letters, process_sqs_batch
from shared.adapters.trace_store import DynamoTraceStore
from shared.errors import Rejected
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

QUEUE = "customer-status"  # its short name in the ops API (POST /v1/ops/dlq/customer-status/redrive)
MARKER_PREFIX = "CSEVENT"


@lru_cache(maxsize=1)
def default_publisher() -> StatusPublisher:
    settings = cached(StatusEventsSettings)
    publisher = StatusPublisher(
        DynamoStatusStore(settings.state_table_name),
        DynamoMarkerStore(settings.state_table_name, prefix=MARKER_PREFIX),
        DynamoTraceStore(settings.trace_table_name),
    )
    if settings.helpdesk_base_url:
        from functions.customer_status.adapters.helpdesk import ZendeskEvents
        from shared.adapters.vendor_auth import VendorCredentials

        # Read when a push is made (Powertools caches the secret 5 minutes): a rotated token is picked up.
        credentials = VendorCredentials()
        publisher.helpdesk = ZendeskEvents(
            settings.helpdesk_base_url,
            lambda: (credentials.get("zendesk_email"), credentials.get("zendesk_api_token")),
            timeout=settings.helpdesk_timeout_seconds,
        )
    return publisher


class StatusRecordHandler:
    def __init__(self, publisher: StatusPublisher, letters: DeadLetters | None) -> None:
        self.publisher = publisher
        self.letters = letters

    def __call__(self, record: SQSRecord) -> dict[str, Any]:
        try:
            event = json.loads(record.body)
            detail_type, detail = event["detail-type"], event["detail"]
            if not isinstance(detail, dict):
                raise UnreadableStatusEvent("detail is not an object")
            return self.publisher.handle(str(detail_type), detail)
        except (ValueError, KeyError, TypeError, Rejected) as exc:  # never better on a retry
            reason = f"{type(exc).__name__}: {exc}"
            if self.letters is not None:
                self.letters.failed(record.raw_event, exc, force=True, reason=reason)
            logger.error("status event kept as an exception", message_id=record.message_id, reason=reason[:500])
            return {"status": "dead_lettered"}


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, handler: StatusRecordHandler | None = None
) -> PartialItemFailureResponse:
    record_handler = handler or StatusRecordHandler(default_publisher(), default_letters(QUEUE))
    return process_sqs_batch(event, record_handler, record_handler.letters, context)
