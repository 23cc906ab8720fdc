"""ChannelOutboundQueue consumer: OrderAccepted / OrderShipped -> the channel's acknowledgement or
shipment confirmation, once per (channel, order, command). Partial batch responses."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.channel_outbound.adapters.registry import ConfiguredAdapters
from functions.channel_outbound.dal.orders import DynamoOrderReader
from functions.channel_outbound.dal.queues import SqsQueues
from functions.channel_outbound.logic.outbound import OutboundRecordHandler, OutboundWorker
from functions.channel_outbound.settings import OutboundSettings
from shared.adapters.call_markers import DynamoMarkerStore
from shared.adapters.dead_letters import CHANNEL_COMMAND, default_letters, process_sqs_batch
from shared.adapters.trace_store import DynamoTraceStore
from shared.observability import entry_point
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

QUEUE = "channel-outbound"  # its short name in the ops API (POST /v1/ops/dlq/channel-outbound/redrive)


@lru_cache(maxsize=1)
def default_handler() -> OutboundRecordHandler:
    settings = cached(OutboundSettings)
    worker = OutboundWorker(
        ConfiguredAdapters(settings),
        DynamoMarkerStore(settings.state_table_name),
        DynamoOrderReader(settings.state_table_name),
        DynamoTraceStore(settings.trace_table_name),
    )
    return OutboundRecordHandler(
        worker,
        SqsQueues(settings.channel_outbound_queue_url, settings.channel_outbound_dlq_url),
        default_letters(QUEUE, CHANNEL_COMMAND),
    )


@entry_point
def lambda_handler(
    event: dict[str, Any], context: LambdaContext, handler: OutboundRecordHandler | None = None
) -> PartialItemFailureResponse:
    record_handler = handler or default_handler()
    return process_sqs_batch(event, record_handler, record_handler.letters, context)
