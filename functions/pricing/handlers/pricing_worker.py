"""Catalog queue consumer: the ERP's `item.updated` / `price.updated` envelopes (and ops retries of
`price` exceptions) -> the latest product and price kept, the SKU marked for the price publisher,
promotion boundaries scheduled (functions/pricing/logic/intake.py).

A message that can never succeed (not an envelope, a payload that does not normalize) is poison: it
is failed until SQS moves it to the DLQ, and on its last receive kept as a `dead_letter` exception.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.dead_letters import DeadLetters, default_letters, process_sqs_batch
from shared.models import utc_now
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from functions.pricing.dal.price_store import PriceStore
    from functions.pricing.logic.intake import Boundaries


@lru_cache(maxsize=1)
def default_ports() -> tuple[PriceStore, Boundaries | None]:
    from functions.pricing.adapters.scheduler import SchedulerBoundaries
    from functions.pricing.dal.price_store import DynamoPriceStore
    from functions.pricing.settings import PricingWorkerSettings

    settings = cached(PricingWorkerSettings)
    boundaries = (
        SchedulerBoundaries(
            settings.price_publisher_arn, settings.price_scheduler_role_arn, settings.price_schedule_group
        )
        if settings.price_publisher_arn and settings.price_scheduler_role_arn
        else None
    )
    return DynamoPriceStore(settings.state_table_name), boundaries


def handle_record(body: str, store: PriceStore, boundaries: Boundaries | None) -> dict[str, Any]:
    from functions.pricing.logic.intake import apply
    from shared.adapters.payloads import S3PayloadStore
    from shared.channels.registry import adapter_for
    from shared.errors import PoisonMessage
    from shared.models import Envelope
    from shared.models.catalog import PriceMaster, ProductMaster

    try:
        message = json.loads(body)
    except ValueError as exc:
        raise PoisonMessage("catalog message is not JSON") from exc
    if isinstance(message, dict) and isinstance(message.get("reprice"), str):
        sku = message["reprice"]
        forgotten = store.forget_refusals(sku)
        store.mark_dirty([sku], utc_now())
        return {"reprice": sku, "refusals_forgotten": forgotten}
    envelope = S3PayloadStore().resolve(Envelope.model_validate_json(body))
    outcomes = []
    for command in adapter_for(envelope.source).normalize(envelope):
        if not isinstance(command, ProductMaster | PriceMaster):
            raise PoisonMessage(f"the catalog queue does not take {type(command).__name__}")
        outcomes.append(apply(command, store, boundaries, utc_now))
    logger.info("catalog event applied", event_id=envelope.event_id, outcomes=outcomes)
    return {"event_id": envelope.event_id, "outcomes": outcomes}


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    store: PriceStore | None = None,
    boundaries: Boundaries | None = None,
    letters: DeadLetters | None = None,
) -> dict[str, Any]:
    if store is None:
        store, boundaries = default_ports()
    ports = (store, boundaries)

    def record_handler(record: SQSRecord) -> dict[str, Any]:
        return handle_record(record.body, *ports)

    from functions.pricing.logic.publish import PRICE_EXCEPTION_KIND

    # An ops retry of a `price` exception comes back here as `{"reprice"}`: resolved once it went through.
    recorder = letters or default_letters("catalog", also_resolves=(PRICE_EXCEPTION_KIND,))
    return dict(process_sqs_batch(event, record_handler, recorder, context))
