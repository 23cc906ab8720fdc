"""OrderFlow task ReserveStock.

Input: the flow input `{"action": "accept", "correlation_id", "event_id", "order": {...}}`.
Output: `{"outcome": "RESERVED" | "ALREADY_RESERVED" | "ON_HOLD" | "CANCELLED" | "SOLD", "location_id",
"shortages": [{"sku", "requested", "available"}], "fulfilments": [{"instruction_id", "location_id",
"method", "lines", "status"}], "review": null | "PAYMENT_PENDING" | "FRAUD_REVIEW"}` (several
fulfilments: the sourcing rules split the order; a review: shared/review.py).
Raises ConcurrentModification (retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.orders.handlers._deps import store_deps
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from functions.orders.settings import ReserveStockSettings
from shared.adapters.exception_store import DynamoExceptionStore
from shared.adapters.state_store import StateStore
from shared.adapters.store_sale_store import DynamoStoreSaleStore
from shared.adapters.trace_store import TraceSink
from shared.models.order_flow import FlowInput
from shared.observability import entry_point
from shared.review import load_review_rules
from shared.settings import cached
from shared.sourcing import load_rules
from shared.store_sales import StoreSaleStore


@dataclass(frozen=True)
class Deps:
    store: StateStore
    trace: TraceSink
    policy: ReservePolicy
    sales: StoreSaleStore | None = None  # store sales (Square, POS files): on hand lowered, not reserved


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = cached(ReserveStockSettings)
    tables = store_deps(settings)
    return Deps(
        store=tables.store,
        trace=tables.trace,
        policy=ReservePolicy(
            settings.default_fulfilment_location_id,
            settings.reservation_hold_seconds,
            rules=load_rules(),
            review=load_review_rules(),
            exceptions=DynamoExceptionStore(settings.state_table_name),
        ),
        sales=DynamoStoreSaleStore(settings.state_table_name),
    )


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    result = reserve_stock(FlowInput.model_validate(event), deps.store, deps.trace, deps.policy, sales=deps.sales)
    return result.model_dump(mode="json")
