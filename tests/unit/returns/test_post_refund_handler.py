"""PostRefund emits the refund cycle time (authorization to refund posted) once per return."""

from __future__ import annotations

import json

import pytest

from functions.returns.handlers import post_refund
from functions.returns.logic.flow_steps import ReturnSteps
from tests.fakes.builders import LambdaContext
from tests.unit.returns.test_return_steps import inspection, request, steps  # noqa: F401 (the fixture)


def _metric_values(out: str, name: str) -> list[float]:
    values: list[float] = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            blob = json.loads(line)
            if name in blob:
                values.append(float(blob[name]) if not isinstance(blob[name], list) else float(blob[name][0]))
    return values


def test_the_refund_cycle_time_is_emitted_once_however_often_the_task_runs(
    steps: ReturnSteps,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps.apply_policy(request("R5", 1))
    steps.authorize("loop:R5")
    steps.await_inspection("loop:R5", "token-5")
    steps.inspection_reported(inspection("loop:R5", 1))
    steps.settle("loop:R5", inspection("loop:R5", 1))
    capsys.readouterr()

    first = post_refund.lambda_handler({"return_key": "loop:R5"}, LambdaContext(), steps=steps)
    again = post_refund.lambda_handler({"return_key": "loop:R5"}, LambdaContext(), steps=steps)

    assert first["status"] == "REFUNDED" and first["cycle_seconds"] is not None
    assert again == {"status": "REFUNDED"}  # a retried task finds the refund posted and does nothing
    assert _metric_values(capsys.readouterr().out, "RefundCycleTime") == [first["cycle_seconds"]]
