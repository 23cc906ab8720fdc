"""Scheduled publisher (every minute): dirty SKUs -> channel availability -> connectors."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.availability.adapters.registry import connectors_from_settings
from functions.availability.logic.publisher import Publisher
from functions.availability.settings import PublisherSettings
from shared.adapters.availability_store import DynamoAvailabilityStore
from shared.observability import NAMESPACE, entry_point, logger
from shared.settings import cached


def emit_metric(name: str, unit: str, value: float, channel: str) -> None:
    """EMF through Powertools, one dimension set per channel (`single_metric` ignores
    POWERTOOLS_METRICS_DISABLED, so it is checked here)."""
    if is_metrics_disabled():
        return
    with single_metric(
        name=name, unit=MetricUnit(unit), value=value, namespace=NAMESPACE, default_dimensions={"channel": channel}
    ):
        pass


@lru_cache(maxsize=1)
def default_publisher() -> tuple[Publisher, float]:
    settings = cached(PublisherSettings)
    store = DynamoAvailabilityStore(settings.state_table_name)
    connectors = connectors_from_settings(settings, store)
    publisher = Publisher(store, connectors, metric=emit_metric, max_skus=settings.publisher_max_skus)
    return publisher, settings.publisher_budget_seconds


@entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext, publisher: Publisher | None = None) -> dict[str, Any]:
    default, budget = default_publisher() if publisher is None else (publisher, 50.0)
    report = default.run(budget).as_dict()
    logger.info("availability published", report=report)
    return report
