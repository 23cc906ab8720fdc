"""ReturnFlow task PostRefund: the ERP credit memo, then the channel refund, each once.

Input: `{"return_key"}`. Output: `{"status", "refund_amount", "cycle_seconds"}` (a retried task: `{"status"}` only).

Emits `RefundCycleTime` (seconds from the ERP return authorization to the refund posted; the design's
refund cycle time KPI) once per return: a retried task finds the refund done and emits nothing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from shared.observability import entry_point, metrics


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    result = (steps or default_steps()).post_refund(event["return_key"])
    if result.get("cycle_seconds") is not None:
        from aws_lambda_powertools.metrics import MetricUnit

        metrics.add_metric(name="RefundCycleTime", unit=MetricUnit.Seconds, value=float(result["cycle_seconds"]))
    return result
