"""RecordFlowFailure: an OrderFlow step that failed for good becomes one `order` exception.

Every OrderFlow task catches `States.ALL` (after its retries) into this step (issue 13.6, issue 10.5):
an Express execution is started asynchronously, so its SQS message is already gone when it fails,
and without this the order would be lost to everyone but the state machine's error log. The
exception keeps the execution's `input`, which `POST /v1/ops/exceptions/{id}/retry` starts a new
execution with (functions/ops/logic/exceptions.py `_restart_order`; every step is idempotent on the
order id, so a step whose effect already happened is not done twice).

One exception per execution: its id is made from the execution's start time and name, so a retried
RecordFlowFailure task counts one more failure on the same item instead of a second exception.
The category comes from the error's name (shared/failures.py): a permanent ERP 4xx (`ErpRejected`)
is `vendor_4xx`, not an outage to replay into the same refusal.

Compensation (issue 10.1): when a step after the reservation fails for good before the order is
accepted (the ERP refused the sales order: `CreateErpSalesOrder` with a permanent category), the
order's reservation is discarded and its units given back at once, instead of being held for an
order that is going nowhere until a person acts; the ERP never took the order, so there is nothing
to close. Retrying the exception runs the order from the start and reserves anew (or holds it, if
the stock went meanwhile). A transient failure (retried on the schedule) keeps its stock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from shared.adapters.exception_store import exception_id
from shared.adapters.trace_store import TraceSink
from shared.failures import TRANSIENT, category_of_name

KIND = "order"
HOP = "order-flow"
CAUSE_LIMIT = 2000  # characters of the error's cause kept (a Lambda's stack trace can be long)


class ExceptionWriter(Protocol):
    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...


def _concerns(execution_input: dict[str, Any]) -> str | None:
    """The business key: `<channel> order <channel order id>` of the order or the cancellation."""
    command = execution_input.get("order") or execution_input.get("cancellation") or {}
    channel, channel_order_id = command.get("channel"), command.get("channel_order_id")
    if channel and channel_order_id:
        return f"{channel} order {channel_order_id}"
    return None


def order_exception(
    execution_input: dict[str, Any], reason: str, category: str, state: str, **extra: Any
) -> dict[str, Any]:
    """An `order` exception's record: what it is about and the flow input its retry starts again."""
    return {
        "reason": reason,
        "category": category,
        "correlation_id": execution_input.get("correlation_id"),
        "concerns": _concerns(execution_input),
        "state": state,
        "action": execution_input.get("action"),
        "input": json.dumps(execution_input, sort_keys=True),
        **extra,
    }


def _message(cause: str) -> str:
    """A Lambda task's Cause is its error JSON (`errorMessage`, `errorType`, `stackTrace`): the message."""
    if cause.startswith("{"):
        try:
            parsed = json.loads(cause)
        except ValueError:
            return cause
        if isinstance(parsed, dict) and parsed.get("errorMessage"):
            return str(parsed["errorMessage"])
    return cause


# The steps after ReserveStock and before the order is accepted: a failure for good there leaves
# stock reserved for an order nobody will ship.
COMPENSATED_STATES = frozenset({"CreateErpSalesOrder"})


def record_flow_failure(
    event: dict[str, Any],
    exceptions: ExceptionWriter,
    trace: TraceSink,
    give_back: Callable[[str], dict[str, int]] | None = None,
) -> dict[str, Any]:
    """Raise (or count again) the execution's exception and trace the failure; answers its id.
    `give_back(order_id)` discards the order's reservation (the compensation), when given."""
    execution_input = event.get("input")
    if isinstance(execution_input, str):
        execution_input = json.loads(execution_input)
    if not isinstance(execution_input, dict):
        execution_input = {}
    error = event.get("error")
    if not isinstance(error, dict):
        error = {}
    name = str(error.get("Error") or "States.TaskFailed")
    cause = _message(str(error.get("Cause") or ""))[:CAUSE_LIMIT]
    state = str(event.get("state") or "unknown")
    execution_name = str(event.get("execution_name") or "")
    started = datetime.fromisoformat(str(event["started_at"]).replace("Z", "+00:00"))
    raised_id = exception_id(KIND, started, f"{execution_name}:{execution_input.get('event_id')}")
    correlation_id = str(execution_input.get("correlation_id") or event.get("correlation_id") or "") or None
    category = category_of_name(name)
    record = order_exception(
        execution_input,
        f"OrderFlow step {state} failed: {name}",
        category.value,
        state,
        correlation_id=correlation_id,
        error=f"{name}: {cause}" if cause else name,
        execution_name=execution_name or None,
    )
    order = execution_input.get("order") or {}
    released: dict[str, int] | None = None
    if (
        give_back is not None
        and execution_input.get("action") == "accept"
        and state in COMPENSATED_STATES
        and category not in TRANSIENT
        and order.get("order_id")
    ):
        released = give_back(str(order["order_id"]))
        record["compensated"] = {"released": released}
    raised = exceptions.raise_open(KIND, raised_id, record, started)
    if correlation_id and released is not None:
        trace.record(correlation_id, HOP, "compensated", {"order_id": order["order_id"], "released": released})
    if correlation_id:
        trace.record(
            correlation_id,
            HOP,
            "failed",
            {"state": state, "error": name, "category": category.value, "exception_id": raised_id},
        )
    return {"exception_id": raised_id, "raised": raised, "category": category.value}
