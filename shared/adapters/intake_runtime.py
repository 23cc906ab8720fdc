"""Builds every intake's collaborators (the pollers', the POS files', Amazon's notifications) from
their settings, once per cold start.

Keyed by the settings' values, so a new environment (the local stack booting again in the same
process, after ``shared.settings.cached`` was cleared) builds new collaborators.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from shared.pulled_intake import PulledIntake
from shared.settings import PullIntakeSettings


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
