"""What the OrderFlow state machine passes to and gets back from the order task Lambdas (wiring.md)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, model_validator

from shared.models import Order, OrderCancellation, OrderStatus
from shared.models.base import Model
from shared.models.common import UtcDatetime
from shared.models.fulfilment import FulfilmentInstruction
from shared.models.state import Shortage


class FlowAction(StrEnum):
    ACCEPT = "accept"
    CANCEL = "cancel"


class TaskModel(Model):
    """Task inputs carry whatever the state machine accumulated; fields we do not use are ignored."""

    model_config = ConfigDict(extra="ignore")


class FlowInput(TaskModel):
    """The OrderFlow execution input, one per canonical command."""

    action: FlowAction
    correlation_id: Annotated[str, Field(min_length=1)]
    event_id: Annotated[str, Field(min_length=1)]
    order: Order | None = None
    cancellation: OrderCancellation | None = None
    # When the webhook (or poll) that carried the command was received: the order ingestion
    # latency KPI runs from here to accepted (RecordAccepted's `OrderIngestionLatency`).
    received_at: UtcDatetime | None = None
    # Started by the parked-order replay: this order is the head of the ERP backlog, so it goes to
    # the ERP even while the backlog is open (every other order joins the back of it).
    replay: bool = False
    # Started by an operator's release or a cleared payment: the review (shared/review.py) is over.
    review_released: bool = False

    @model_validator(mode="after")
    def _command_matches_action(self) -> FlowInput:
        if self.action is FlowAction.ACCEPT and self.order is None:
            raise ValueError("an accept flow needs an order")
        if self.action is FlowAction.CANCEL and self.cancellation is None:
            raise ValueError("a cancel flow needs a cancellation")
        return self

    def require_order(self) -> Order:
        if self.order is None:  # the validator makes this unreachable for accept flows
            raise ValueError("no order in this flow input")
        return self.order

    def require_cancellation(self) -> OrderCancellation:
        if self.cancellation is None:
            raise ValueError("no cancellation in this flow input")
        return self.cancellation

    def execution_input(self) -> dict[str, Any]:
        """The JSON the state machine is started with (and what the parking queue holds)."""
        return {
            "action": self.action.value,
            "correlation_id": self.correlation_id,
            "event_id": self.event_id,
            "order": self.order.to_item() if self.order else None,
            "cancellation": self.cancellation.model_dump(mode="json", exclude_none=True) if self.cancellation else None,
            "received_at": self.received_at.isoformat().replace("+00:00", "Z") if self.received_at else None,
            **({"replay": True} if self.replay else {}),
            **({"review_released": True} if self.review_released else {}),
        }


class ReserveOutcome(StrEnum):
    RESERVED = "RESERVED"
    ALREADY_RESERVED = "ALREADY_RESERVED"
    ON_HOLD = "ON_HOLD"
    CANCELLED = "CANCELLED"
    # A completed till sale: on hand at the store lowered once, nothing reserved, never held
    # (shared/store_sales.py); `shortages` then lists what the count did not cover.
    SOLD = "SOLD"


class ReserveStockOutput(TaskModel):
    """ReserveStock result, stored by the state machine under `$.reservation`."""

    outcome: ReserveOutcome
    location_id: str
    shortages: list[Shortage] = Field(default_factory=list)
    # Where the reserved units leave from: one instruction per location (several: a split order).
    fulfilments: list[FulfilmentInstruction] = Field(default_factory=list)
    # Why the reserved order waits for payment or fraud review (shared/review.py); None: it goes on.
    review: str | None = None
    # What the product master and the location registry do not know (an ON_HOLD order that stock
    # alone will never release): "unknown SKU <sku>", "unknown location <id>".
    problems: list[str] = Field(default_factory=list)


class ErpSalesOrderOutput(TaskModel):
    """CreateErpSalesOrder result, stored under `$.erp`.

    `erp_sales_order_id` is None only when the order was cancelled before the ERP was called.
    """

    erp_sales_order_id: str | None


class FlowError(TaskModel):
    """What a Step Functions Catch puts under `$.error`."""

    error: Annotated[str, Field(alias="Error")] = "Unknown"
    cause: Annotated[str | None, Field(alias="Cause")] = None


class RecordOrderInput(FlowInput):
    """The flow state plus the status the Record* state asks for (added by its Parameters)."""

    status: OrderStatus
    reservation: ReserveStockOutput | None = None
    erp: ErpSalesOrderOutput | None = None
    error: FlowError | None = None


class DomainEvent(Model):
    """Returned by record_order / cancel_order; the state machine puts it on the bus as is."""

    event_type: str
    detail: dict[str, Any]
