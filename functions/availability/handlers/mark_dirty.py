"""Coalescing queue consumer: domain events (via EventBridge -> SQS) -> one dirty marker per SKU."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.availability.logic.marking import changed_skus
from functions.availability.settings import AvailabilitySettings
from shared.adapters.availability_store import AvailabilityStore, DynamoAvailabilityStore
from shared.adapters.dead_letters import DeadLetters, default_letters
from shared.models import utc_now
from shared.observability import entry_point, logger
from shared.settings import cached


@lru_cache(maxsize=1)
def default_store() -> AvailabilityStore:
    return DynamoAvailabilityStore(cached(AvailabilitySettings).state_table_name)


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    store: AvailabilityStore | None = None,
    letters: DeadLetters | None = None,
) -> dict[str, Any]:
    # The whole batch is one write per distinct SKU; a failed write retries the batch (marking twice is
    # harmless). A record that is not an event can never be: it alone goes back, towards the DLQ.
    events, unreadable = [], []
    for record in event.get("Records", []):
        try:
            events.append(json.loads(record["body"]))
        except (KeyError, TypeError, ValueError) as exc:
            unreadable.append({"itemIdentifier": record.get("messageId", "")})
            # On its last receive, kept as a dead_letter exception before SQS moves it.
            recorder = letters if store is not None else default_letters("availability")
            if recorder is not None:
                recorder.failed(record, exc)
    skus, earliest = changed_skus(events, utc_now())
    (store or default_store()).mark_dirty(skus, earliest)
    logger.info("skus marked dirty", events=len(events), skus=len(skus), unreadable=len(unreadable))
    return {"batchItemFailures": unreadable}
