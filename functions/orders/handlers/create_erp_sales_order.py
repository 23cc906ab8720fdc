"""OrderFlow task CreateErpSalesOrder.

Input: the flow state with `reservation` (ReserveStock's output).
Output: `{"erp_sales_order_id": "<ERP internal id>"}` (null only if the order was cancelled first).
Raises ErpThrottled / ErpUnavailable (retried by the state machine), ErpRejected (caught: an order
exception) and ErpBacklogOpen (caught, not retried: the order is parked behind the ERP backlog).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import ErpDeps, erp_deps
from functions.orders.logic.create_erp_sales_order import CreateErpInput, create_erp_sales_order
from functions.orders.settings import CreateErpSalesOrderSettings
from shared.observability import entry_point
from shared.settings import cached

Deps = ErpDeps


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    return erp_deps(cached(CreateErpSalesOrderSettings))


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    result = create_erp_sales_order(
        CreateErpInput.model_validate(event), deps.store, deps.erp, deps.trace, deps.backlog
    )
    return result.model_dump(mode="json")
