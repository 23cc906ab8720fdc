"""ReturnFlow task AwaitInspection (`.waitForTaskToken`): keep the token until the WMS reports its inspection.

Input: `{"return_key", "task_token"}`. The execution resumes when `return.inspected` arrives
(logic/flow_steps.py `inspection_reported`) or fails with States.Timeout.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.returns.deps import default_steps
from functions.returns.logic.flow_steps import ReturnSteps
from shared.observability import entry_point


@entry_point(correlation_id_path="correlation_id")
def lambda_handler(event: dict[str, Any], context: LambdaContext, steps: ReturnSteps | None = None) -> dict[str, Any]:
    return (steps or default_steps()).await_inspection(event["return_key"], event["task_token"])
