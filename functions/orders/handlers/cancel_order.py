"""OrderFlow task CancelOrder.

Input: `{"action": "cancel", "correlation_id", "event_id", "cancellation": {...}}`.
Output: `{"event_type": "OrderCancelled", "detail": {OrderCancellation JSON, "order_id", "status",
"schema_version", "correlation_id", "released": [...]}}`, or `{"event_type": "OrderCancelRefused", ...}`
when part of the order had already left the warehouse (functions/orders/logic/cancel_order.py).
Raises ErpThrottled / ErpUnavailable / ErpRejected when the ERP cannot close its sales order (after
the stock is released).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import ErpDeps, erp_deps
from functions.orders.logic.cancel_order import cancel_order
from functions.orders.logic.fulfilment_release import Instructions, Warehouse
from functions.orders.settings import CancelOrderSettings
from shared.models.order_flow import FlowInput
from shared.observability import entry_point
from shared.settings import cached


@dataclass(frozen=True)
class Deps:
    tables: ErpDeps
    # The order's fulfilment instructions and the WMS that stops them (after release to the warehouse).
    fulfilment: tuple[Instructions, Warehouse] | None = None


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    from functions.orders.adapters.wms import WMS_TIMEOUT_SECONDS, HttpWmsFulfilment
    from shared.adapters.fulfilment_instructions import DynamoInstructionStore

    settings = cached(CancelOrderSettings)
    wms = HttpWmsFulfilment(settings.wms_base_url, WMS_TIMEOUT_SECONDS)
    return Deps(erp_deps(settings), (DynamoInstructionStore(settings.state_table_name), wms))


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    tables = deps.tables
    flow = FlowInput.model_validate(event)
    result = cancel_order(flow, tables.store, tables.erp, tables.trace, fulfilment=deps.fulfilment)
    return result.model_dump(mode="json")
