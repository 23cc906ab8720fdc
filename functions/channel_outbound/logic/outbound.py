"""One outbound command -> at most one successful channel call, traced under hop `channel-outbound`.

Statuses: `acknowledged`, `shipment_confirmed` (the channel took it), `skipped` (the channel needs
no such call, has no outbound adapter or is not configured, or it was already sent: a redelivered
event), `throttled` (429: the message comes back after `Retry-After`), `unavailable` (5xx, timeout:
normal retry), `rejected` (4xx or a command the channel can never take: straight to the DLQ).

Exactly once per (channel, order, command): the marker (`dal/markers.py`) is claimed before the
call and set SENT after it; a failed call releases it. A worker that dies between the channel's
answer and SENT leaves a claim whose lease expires, and the retry calls again: the one case where
a channel can see a call twice (Walmart acknowledgement is idempotent; the others refuse or
ignore a repeat of lines already shipped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.channel_outbound.adapters.base import ChannelOutbound, Sent
from functions.channel_outbound.dal.orders import OrderReader
from functions.channel_outbound.dal.queues import QueuePort
from functions.channel_outbound.logic.lines import shipped_lines
from functions.channel_outbound.models.commands import CommandKind, OutboundCommand, UnreadableEvent, command_from_event
from shared.adapters.call_markers import Claim, MarkerStore
from shared.adapters.dead_letters import DeadLetters
from shared.adapters.trace_store import TraceSink
from shared.errors import Rejected, Throttled, Unavailable
from shared.models import utc_now
from shared.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

HOP = "channel-outbound"
DEFAULT_RETRY_AFTER_SECONDS = 5.0

Adapters = Callable[[str], ChannelOutbound | None]


class MarkerBusy(Exception):
    """Another delivery of the same command is calling the channel right now: retry later."""


class OrderUnknown(Rejected):
    """A shipment for an order this system never recorded: its lines cannot be mapped."""


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: dict[str, Any]


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@dataclass(eq=False)
class OutboundWorker:
    adapters: Adapters
    markers: MarkerStore
    orders: OrderReader
    trace: TraceSink
    now: Callable[[], datetime] = utc_now

    def handle(self, command: OutboundCommand) -> Outcome:
        """Send the command once; raises Throttled / Unavailable / MarkerBusy (retry)
        and Rejected (permanent), each traced."""
        where: dict[str, Any] = {
            "command": command.kind.value,
            "channel": command.channel,
            "channel_order_id": command.channel_order_id,
        }
        if command.shipment is not None:
            where["shipment_id"] = command.shipment.shipment_id
        adapter = self.adapters(command.channel)
        reason = self._skip_reason(command, adapter)
        if reason is not None:
            return self._record(command, "skipped", {**where, "reason": reason})
        assert adapter is not None
        claim = self.markers.claim(command.channel, command.channel_order_id, command.marker, command.correlation_id)
        if claim is Claim.SENT:
            return self._record(command, "skipped", {**where, "reason": "already_sent"})
        if claim is Claim.BUSY:
            raise MarkerBusy(f"{command.marker} of {command.channel} order {command.channel_order_id} is in flight")
        try:
            sent = self._send(adapter, command)
        except Throttled as exc:
            self._release(command)
            self._record(command, "throttled", {**where, "retry_after": str(exc.retry_after)})
            raise
        except Unavailable as exc:
            self._release(command)
            self._record(command, "unavailable", {**where, "error": str(exc)[:300]})
            raise
        except Rejected as exc:
            self._release(command)
            self._record(command, "rejected", {**where, "reason": type(exc).__name__, "error": str(exc)[:500]})
            raise
        self.markers.sent(command.channel, command.channel_order_id, command.marker, sent.reference, _iso(self.now()))
        status = "acknowledged" if command.kind is CommandKind.ACKNOWLEDGE else "shipment_confirmed"
        detail = {**where, "calls": sent.calls}
        if sent.reference:
            detail["reference"] = sent.reference
        if command.shipment is not None and command.shipment.tracking_number:
            detail["tracking_number"] = command.shipment.tracking_number
        return self._record(command, status, detail)

    def _skip_reason(self, command: OutboundCommand, adapter: ChannelOutbound | None) -> str | None:
        if adapter is None:
            return "no_outbound_adapter"  # the channel has none, or its base URL is not configured
        if command.kind is CommandKind.ACKNOWLEDGE and not adapter.acknowledges:
            return "channel_needs_no_acknowledgement"
        return None

    def _send(self, adapter: ChannelOutbound, command: OutboundCommand) -> Sent:
        if command.kind is CommandKind.ACKNOWLEDGE:
            assert command.order is not None
            return adapter.acknowledge(command.order)
        shipment = command.shipment
        assert shipment is not None
        order = self.orders.order(command.channel, command.channel_order_id)
        if order is None:
            raise OrderUnknown(f"no {command.channel} order {command.channel_order_id} is recorded")
        return adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    def _release(self, command: OutboundCommand) -> None:
        self.markers.release(command.channel, command.channel_order_id, command.marker)

    def _record(self, command: OutboundCommand, status: str, detail: dict[str, Any]) -> Outcome:
        self.trace.record(command.correlation_id, HOP, status, detail)
        logger.info("channel outbound", status=status, **detail)
        return Outcome(status, detail)


class OutboundRecordHandler:
    """The record handler given to Powertools' BatchProcessor (partial batch responses).

    A rejected or unreadable message goes to the DLQ at once (the record then succeeds: one vendor
    call, not five); a throttled one is hidden until `Retry-After` and fails; anything else transient
    fails for the queue's normal retry (after 5 receives, the DLQ). Either way, with `letters`, the
    command failed for good is kept as a `channel_command` exception (the rejected one here, the
    exhausted one by the handler's DeadLetterProcessor).
    """

    def __init__(self, worker: OutboundWorker, queues: QueuePort, letters: DeadLetters | None = None) -> None:
        self.worker = worker
        self.queues = queues
        self.letters = letters

    def __call__(self, record: SQSRecord) -> dict[str, Any]:
        try:
            command = command_from_event(json.loads(record.body))
        except (ValueError, UnreadableEvent) as exc:  # not JSON, or not an event we can read
            return self._dead_letter(record, f"unreadable: {exc}", "unknown", exc)
        try:
            outcome = self.worker.handle(command)
        except Rejected as exc:
            return self._dead_letter(record, f"{type(exc).__name__}: {exc}", command.correlation_id, exc)
        except Throttled as exc:
            wait = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER_SECONDS
            self.queues.retry_after(record.receipt_handle, wait)
            raise
        return {"status": outcome.status}

    def _dead_letter(self, record: SQSRecord, reason: str, correlation_id: str, exc: Exception) -> dict[str, Any]:
        self.queues.dead_letter(record.body, reason, correlation_id)
        if self.letters is not None:
            self.letters.failed(record.raw_event, exc, force=True, reason=reason)
        logger.error("outbound command dead-lettered", message_id=record.message_id, reason=reason[:500])
        return {"status": "dead_lettered"}
