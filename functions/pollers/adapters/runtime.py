"""Builds the pull functions' collaborators from their settings, once per cold start.

Keyed by the settings object, so a new environment (the local stack booting again in the same
process, after ``shared.settings.cached`` was cleared) builds new collaborators.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from functions.pollers.adapters.watermarks import DynamoWatermarkStore
from functions.pollers.logic.intake import PulledIntake
from functions.pollers.settings import PollerSettings, PullIntakeSettings


def intake_for(settings: PullIntakeSettings, context: Any | None = None) -> PulledIntake:
    """The intake; with the Lambda context, in-progress dedupe records expire with the invocation
    (a run that times out does not block its retry)."""
    intake = _intake(
        settings.idempotency_table_name,
        settings.trace_table_name,
        settings.orders_queue_url,
        settings.inventory_queue_url,
        settings.payload_bucket_name,
    )
    register = getattr(intake.dedupe, "register_lambda_context", None)
    if context is not None and register is not None:
        register(context)
    return intake


def watermarks_for(settings: PollerSettings) -> DynamoWatermarkStore:
    return _watermarks(settings.state_table_name)


@cache
def _intake(
    idempotency_table: str, trace_table: str, orders_queue_url: str, inventory_queue_url: str, payload_bucket: str
) -> PulledIntake:
    # Imported here: the boto3-backed adapters are built only when a handler runs.
    from shared.adapters.best_effort_trace import BestEffortTrace
    from shared.adapters.delivery_dedupe import PowertoolsDeliveryDedupe
    from shared.adapters.queue_publisher import SqsQueuePublisher
    from shared.adapters.trace_store import DynamoTraceStore

    return PulledIntake(
        dedupe=PowertoolsDeliveryDedupe(idempotency_table),
        publisher=SqsQueuePublisher({"orders": orders_queue_url, "inventory": inventory_queue_url}, payload_bucket),
        trace=BestEffortTrace(DynamoTraceStore(trace_table)),
    )


@cache
def _watermarks(table_name: str) -> DynamoWatermarkStore:
    return DynamoWatermarkStore(table_name)
