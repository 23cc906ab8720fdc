"""Scheduled (every 5 minutes): release reservations whose hold has expired.

Input: the EventBridge scheduled event (ignored). Output: `{"examined", "released": {order_id:
{sku: units}}, "skipped", "conflicts"}`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.inventory.dal.reservations import DynamoReservationStore, ReservationStore
from functions.inventory.logic.expiry import expire_reservations
from functions.inventory.settings import ReservationExpirySettings
from shared.adapters.event_bus import EventBridgeBus, EventBusPort
from shared.adapters.trace_store import DynamoTraceStore, TraceSink
from shared.observability import entry_point
from shared.settings import cached


@dataclass(frozen=True)
class Deps:
    store: ReservationStore
    trace: TraceSink
    bus: EventBusPort
    limit: int


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = cached(ReservationExpirySettings)
    return Deps(
        store=DynamoReservationStore(settings.state_table_name),
        trace=DynamoTraceStore(settings.trace_table_name),
        bus=EventBridgeBus(settings.event_bus_name),
        limit=settings.reservation_expiry_batch_limit,
    )


@entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    deps = deps or default_deps()
    return asdict(expire_reservations(deps.store, deps.trace, deps.bus, deps.limit))
