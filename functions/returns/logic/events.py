"""What the returns domain does with the bus's return events (handlers/return_events.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.returns.adapters.aws_ports import ReturnFlowPort
from functions.returns.logic.flow_steps import HOP, ReturnSteps
from functions.returns.logic.start import STARTING_EVENTS, execution_name, request_from_event
from functions.returns.models.returns import Inspection

INSPECTED_EVENT = "ReturnInspected"


@dataclass
class ReturnEvents:
    flow: ReturnFlowPort
    steps: ReturnSteps
    inspection_timeout_seconds: int

    def handle(self, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        if detail_type in STARTING_EVENTS:
            return self.start(detail_type, detail)
        if detail_type == INSPECTED_EVENT:
            fields = {k: v for k, v in detail.items() if k not in ("correlation_id", "schema_version")}
            outcome = self.steps.inspection_reported(Inspection.model_validate(fields))
            return {"inspection": outcome}
        return {"ignored": detail_type}

    def start(self, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
        request = request_from_event(detail_type, detail)
        if request is None:
            return {"started": None}
        name = execution_name(request.source, request.source_return_id)
        started = self.flow.start(
            name,
            {
                "request": request.model_dump(mode="json"),
                "return_key": request.return_key,
                "correlation_id": request.correlation_id,
                "inspection_timeout_seconds": self.inspection_timeout_seconds,
            },
        )
        self.steps.trace.record(
            request.correlation_id, HOP, "flow_started", {"execution": name, "already_started": not started}
        )
        return {"started": name if started else None, "execution": name}
