"""ReturnFlow task SettleReturn: a disposition per line, their inventory movements, the refund computed.

Input: `{"return_key", "inspection"}` (the WMS report the wait handed over).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.models.returns import Inspection
from shared.observability import entry_point


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    return (steps or default_steps()).settle(event["return_key"], Inspection.model_validate(event["inspection"]))
