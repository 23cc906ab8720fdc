"""From normalized commands to OrderFlow executions (pure): inputs and execution names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.models import Envelope, Order, OrderCancellation
from shared.models.order_flow import FlowAction, FlowInput

MAX_EXECUTION_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9\-_]")


def flow_inputs(envelope: Envelope, commands: Iterable[object]) -> tuple[list[FlowInput], list[str]]:
    """One flow input per order command; the names of commands this worker does not handle.

    Orders and cancellations start an OrderFlow; anything else a channel adapter returns for the
    orders queue (a shipment, say) belongs to another worker and is reported back, not started.
    """
    inputs: list[FlowInput] = []
    skipped: list[str] = []
    for command in commands:
        order = command if isinstance(command, Order) else None
        cancellation = command if isinstance(command, OrderCancellation) else None
        if order is None and cancellation is None:
            skipped.append(type(command).__name__)
            continue
        inputs.append(
            FlowInput(
                action=FlowAction.ACCEPT if order is not None else FlowAction.CANCEL,
                correlation_id=envelope.correlation_id,
                event_id=envelope.event_id,
                order=order,
                cancellation=cancellation,
                received_at=envelope.received_at,
            )
        )
    return inputs, skipped


def _channel_ref(flow: FlowInput) -> tuple[str, str]:
    if flow.order is not None:
        return flow.order.channel, flow.order.channel_order_id
    cancellation = flow.require_cancellation()
    return cancellation.channel, cancellation.channel_order_id


def execution_name(flow: FlowInput, suffix: str = "") -> str:
    """`<action>-<channel>-<channel_order_id>-<event_id[:12]>[-<suffix>]`, safe and at most 80 chars.

    Characters outside `[A-Za-z0-9-_]` become `_`. When the name is too long the channel order id
    is shortened, never the event id or the suffix: those tell two executions of one order apart.
    """
    channel, channel_order_id = _channel_ref(flow)
    tail = f"-{_UNSAFE.sub('_', flow.event_id[:12])}" + (f"-{_UNSAFE.sub('_', suffix)}" if suffix else "")
    head = _UNSAFE.sub("_", f"{flow.action.value}-{channel}-{channel_order_id}")
    return head[: MAX_EXECUTION_NAME - len(tail)] + tail
