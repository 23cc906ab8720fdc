"""ErpFulfilmentQueue consumer: what happens to an order after it is in the ERP, through the ERP
gateway's priority lane (EventBridge -> SQS):
- `OrderShipped` -> the sales order's item fulfilment, once per shipment
  (functions/orders/logic/erp_fulfilment.py);
- `OrderUpdated` -> the sales order's shipping address, the newest the channel sent
  (functions/orders/logic/erp_order_update.py);
- `OrderAccepted` -> its fulfilment instructions to the WMS or the stores, each once, and each
  `OrderShipped` counted against its location's instruction (functions/orders/logic/fulfilment_release.py).
An order not yet in the ERP is retried with its message; a message failing on its last receive is
kept as a dead-letter exception (ops retries or redrives it)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters.dead_letters import DeadLetters, default_letters, process_sqs_batch
from shared.models import utc_now
from shared.observability import entry_point
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from functions.orders.logic.erp_fulfilment import Fulfilments, Trace
    from functions.orders.logic.erp_order_update import SalesOrders, Updates
    from functions.orders.logic.fulfilment_release import Instructions, Warehouse

    class ErpPorts(Fulfilments, SalesOrders, Protocol):
        """The ERP connector (item fulfilments and sales order updates)."""

    from shared.adapters.state_store import DynamoStateStore

# The state table (orders; stock and reservations for line changes), the ERP, the trace, the order
# updates, the fulfilment instructions and the WMS.
Ports = tuple["DynamoStateStore", "ErpPorts", "Trace", "Updates", "Instructions", "Warehouse"]


@lru_cache(maxsize=1)
def default_ports() -> Ports:
    from functions.orders.adapters.erp import HttpErpFulfilments
    from functions.orders.adapters.wms import WMS_TIMEOUT_SECONDS, HttpWmsFulfilment
    from functions.orders.dal.order_changes import DynamoChangeStore
    from functions.orders.settings import ErpFulfilmentSettings
    from shared.adapters.best_effort_trace import BestEffortTrace
    from shared.adapters.erp_gateway import erp_connector
    from shared.adapters.fulfilment_instructions import DynamoInstructionStore
    from shared.adapters.state_store import DynamoStateStore
    from shared.adapters.trace_store import DynamoTraceStore

    settings = cached(ErpFulfilmentSettings)
    erp = erp_connector(HttpErpFulfilments, settings.erp_base_url, settings.erp_timeout_seconds, lane="priority")
    return (
        DynamoStateStore(settings.state_table_name),
        erp,
        BestEffortTrace(DynamoTraceStore(settings.trace_table_name)),
        DynamoChangeStore(settings.state_table_name),
        DynamoInstructionStore(settings.state_table_name),
        HttpWmsFulfilment(settings.wms_base_url, WMS_TIMEOUT_SECONDS),
    )


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    ports: Ports | None = None,
    letters: DeadLetters | None = None,
) -> dict[str, Any]:
    from functions.orders.logic.erp_fulfilment import fulfil_shipment, shipment_of
    from functions.orders.logic.erp_order_update import LineChangePorts, sync_update
    from functions.orders.logic.fulfilment_release import note_shipment, release_order

    orders, erp, trace, updates, instructions, warehouse = ports or default_ports()
    stock = LineChangePorts(orders, instructions, warehouse, utc_now)

    def record_handler(record: SQSRecord) -> dict[str, Any]:
        body = json.loads(record.body)
        detail = dict(body.get("detail") or {})
        detail_type = body.get("detail-type")
        if detail_type == "OrderUpdated":
            return sync_update(detail, orders, updates, erp, trace, stock)
        if detail_type == "OrderAccepted":
            return release_order(detail, orders, instructions, warehouse, trace, utc_now)
        shipment, correlation_id = shipment_of(detail), str(detail.get("correlation_id") or "")
        fulfilled = fulfil_shipment(shipment, correlation_id, orders, erp, trace)
        note_shipment(shipment, correlation_id, instructions, trace, utc_now)
        return fulfilled

    recorder = letters if ports is not None else default_letters("erp-fulfilment")
    return dict(process_sqs_batch(event, record_handler, recorder, context))
