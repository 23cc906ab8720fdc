"""ReturnFlow task ApplyPolicy: judge the return against its order and earlier returns, store it.

Input: `{"request": ReturnRequest, "correlation_id"}`. Output: `{"return_key", "approved"}`.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from functions.returns.models.returns import ReturnRequest
from shared.observability import entry_point


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    return (steps or default_steps()).apply_policy(ReturnRequest.model_validate(event["request"]))
