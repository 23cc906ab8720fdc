"""ErpFulfilmentQueue consumer: `OrderShipped` events (EventBridge -> SQS) -> the ERP's item
fulfilment of the sales order, once per shipment (functions/orders/logic/erp_fulfilment.py), through
the ERP gateway's priority lane. An order not yet in the ERP is retried with its message; a message
failing on its last receive is kept as a dead-letter exception (ops retries or redrives it)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.dead_letters import DeadLetters, default_letters, process_sqs_batch
from shared.models import utc_now
from shared.observability import logger, metrics
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from functions.orders.logic.erp_fulfilment import Fulfilments, Orders, Trace


@lru_cache(maxsize=1)
def default_ports() -> tuple[Orders, Fulfilments, Trace]:
    from functions.orders.adapters.erp import HttpErpFulfilments
    from functions.orders.settings import ErpFulfilmentSettings
    from shared.adapters.best_effort_trace import BestEffortTrace
    from shared.adapters.erp_gateway import erp_connector
    from shared.adapters.state_store import DynamoStateStore
    from shared.adapters.trace_store import DynamoTraceStore

    settings = cached(ErpFulfilmentSettings)
    erp = erp_connector(HttpErpFulfilments, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority")
    return (
        DynamoStateStore(settings.state_table_name),
        erp,
        BestEffortTrace(DynamoTraceStore(settings.trace_table_name)),
    )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    ports: tuple[Orders, Fulfilments, Trace] | None = None,
    letters: DeadLetters | None = None,
) -> dict[str, Any]:
    from functions.orders.logic.erp_fulfilment import fulfil

    orders, erp, trace = ports or default_ports()

    def record_handler(record: SQSRecord) -> dict[str, Any]:
        body = json.loads(record.body)
        return fulfil(dict(body.get("detail") or {}), orders, erp, trace, utc_now)

    recorder = letters if ports is not None else default_letters("erp-fulfilment")
    return dict(process_sqs_batch(event, record_handler, recorder, context))
