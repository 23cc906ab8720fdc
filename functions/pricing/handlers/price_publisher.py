"""Price publisher: every minute (EventBridge schedule) and at each promotion boundary (a one-time
EventBridge Scheduler schedule whose input is `{"price_boundary": {"sku", "version", "at"}}`):
marked SKUs -> each listing channel's effective price (functions/pricing/logic/publish.py)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.models import utc_now
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from functions.pricing.adapters.channels import PriceConnector
    from functions.pricing.dal.price_store import PriceStore
    from functions.pricing.logic.publish import Exceptions


@lru_cache(maxsize=1)
def default_ports() -> tuple[PriceStore, dict[str, PriceConnector], Exceptions]:
    from functions.pricing.adapters.registry import price_connectors
    from functions.pricing.dal.price_store import DynamoPriceStore
    from functions.pricing.settings import PricePublisherSettings
    from shared.adapters.exception_store import DynamoExceptionStore

    settings = cached(PricePublisherSettings)
    return (
        DynamoPriceStore(settings.state_table_name),
        price_connectors(settings),
        DynamoExceptionStore(settings.state_table_name),
    )


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    ports: tuple[PriceStore, dict[str, PriceConnector], Exceptions] | None = None,
) -> dict[str, Any]:
    from functions.pricing.logic.publish import publish_prices
    from functions.pricing.settings import PricePublisherSettings
    from shared.adapters.exception_store import exception_id

    store, connectors, exceptions = ports or default_ports()
    now = utc_now()
    boundary = event.get("price_boundary") if isinstance(event, dict) else None
    if isinstance(boundary, dict) and boundary.get("sku"):
        # A one-time schedule may fire a moment before its instant: price the SKU as of the boundary.
        at = datetime.fromisoformat(str(boundary.get("at") or now.isoformat()))
        now = max(now, at)
        store.mark_dirty([str(boundary["sku"])], now)
    limits: dict[str, Any] = {}
    if ports is None:
        settings = cached(PricePublisherSettings)
        limits = {"max_skus": settings.publisher_max_skus, "budget_seconds": settings.publisher_budget_seconds}
    report = publish_prices(store, connectors, exceptions, now, exception_id=exception_id, **limits).as_dict()
    logger.info("prices published", report=report, boundary=boundary)
    return report
