"""The outbound worker: once per (channel, order, command), 429 retried after Retry-After, a permanent
refusal traced and dead-lettered at once, channels that need no call skipped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.channel_outbound.adapters.base import ChannelOutbound, Sent
from functions.channel_outbound.logic.lines import ShippedLine
from functions.channel_outbound.logic.outbound import HOP, MarkerBusy, OutboundRecordHandler, OutboundWorker
from shared.adapters.call_markers import Claim, DynamoMarkerStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.errors import Rejected, Throttled, Unavailable
from shared.models import Order, Shipment
from tests.fakes.aws import STATE_TABLE
from tests.unit.channel_outbound.conftest import canonical_order, shipment_of


class FakeChannel(ChannelOutbound):
    """Answers each call with the next scripted outcome (None: success)."""

    channel = "walmart"
    acknowledges = True
    rate_per_second = 100.0
    burst = 100.0

    def __init__(self, outcomes: list[Exception | None] | None = None, acknowledges: bool = True) -> None:
        super().__init__("https://channel.invalid")
        self.outcomes = list(outcomes or [])
        self.calls: list[tuple[str, str]] = []
        self.acknowledges = acknowledges  # type: ignore[misc]

    def _next(self, kind: str, order: Order) -> Sent:
        self.calls.append((kind, order.channel_order_id))
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        return Sent(calls=1, reference="ref-1")

    def acknowledge(self, order: Order) -> Sent:
        return self._next("acknowledge", order)

    def confirm_shipment(self, order: Order, shipment: Shipment, lines: list[ShippedLine]) -> Sent:
        return self._next(f"confirm:{[(line.line_id, line.quantity) for line in lines]}", order)


class MemoryMarkers:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], str] = {}

    def claim(self, channel: str, channel_order_id: str, marker: str, correlation_id: str) -> Claim:
        key = (channel, channel_order_id, marker)
        if key in self.items:
            return Claim.SENT if self.items[key] == "SENT" else Claim.BUSY
        self.items[key] = "CLAIMED"
        return Claim.CLAIMED

    def sent(self, channel: str, channel_order_id: str, marker: str, reference: str | None, at: str) -> None:
        self.items[(channel, channel_order_id, marker)] = "SENT"

    def release(self, channel: str, channel_order_id: str, marker: str) -> None:
        self.items.pop((channel, channel_order_id, marker), None)


class Orders:
    def __init__(self, *orders: Order) -> None:
        self.by_key = {(o.channel, o.channel_order_id): o for o in orders}

    def order(self, channel: str, channel_order_id: str) -> Order | None:
        return self.by_key.get((channel, channel_order_id))


class Queues:
    def __init__(self) -> None:
        self.dead: list[tuple[str, str]] = []
        self.delayed: list[tuple[str, float]] = []

    def dead_letter(self, body: str, reason: str, correlation_id: str) -> None:
        self.dead.append((body, reason))

    def retry_after(self, receipt_handle: str, seconds: float) -> None:
        self.delayed.append((receipt_handle, seconds))


class World:
    def __init__(self, channel: FakeChannel | None, markers: Any = None) -> None:
        self.channel = channel
        self.order = canonical_order("walmart")
        self.trace = MemoryTraceStore()
        self.queues = Queues()
        self.markers = markers or MemoryMarkers()
        self.worker = OutboundWorker(lambda _: self.channel, self.markers, Orders(self.order), self.trace)
        self.handler = OutboundRecordHandler(self.worker, self.queues)

    def accepted_event(self) -> dict[str, Any]:
        detail = {**self.order.to_item(), "status": "ACCEPTED", "correlation_id": "corr-1"}
        return {"id": "evt-1", "source": "retail-sync", "detail-type": "OrderAccepted", "detail": detail}

    def shipped_event(self, **changes: Any) -> dict[str, Any]:
        shipment = shipment_of(self.order, **changes)
        detail = {**shipment.model_dump(mode="json", exclude_none=True), "order_id": self.order.order_id}
        detail["correlation_id"] = "corr-2"
        return {"id": "evt-2", "source": "retail-sync", "detail-type": "OrderShipped", "detail": detail}

    def deliver(self, event: dict[str, Any] | str) -> dict[str, Any]:
        body = event if isinstance(event, str) else json.dumps(event)
        return self.handler(SQSRecord({"messageId": "m-1", "receiptHandle": "rh-1", "body": body, "attributes": {}}))

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.trace.entries if e["hop"] == HOP]


def test_an_accepted_walmart_order_is_acknowledged_once_even_when_redelivered() -> None:
    world = World(FakeChannel())
    assert world.deliver(world.accepted_event()) == {"status": "acknowledged"}
    assert world.deliver(world.accepted_event()) == {"status": "skipped"}
    assert world.channel is not None and world.channel.calls == [("acknowledge", "1796277083968")]
    assert world.statuses() == ["acknowledged", "skipped"]
    assert world.trace.entries[-1]["detail"]["reason"] == "already_sent"


def test_a_channel_that_needs_no_acknowledgement_is_not_called() -> None:
    world = World(FakeChannel(acknowledges=False))
    assert world.deliver(world.accepted_event()) == {"status": "skipped"}
    assert world.channel is not None and world.channel.calls == []
    assert world.trace.entries[-1]["detail"]["reason"] == "channel_needs_no_acknowledgement"


def test_a_channel_without_an_outbound_adapter_is_skipped() -> None:
    world = World(None)
    assert world.deliver(world.shipped_event()) == {"status": "skipped"}
    assert world.trace.entries[-1]["detail"]["reason"] == "no_outbound_adapter"


def test_a_shipment_is_confirmed_with_the_channel_line_ids_once_per_shipment_id() -> None:
    world = World(FakeChannel())
    world.deliver(world.shipped_event())
    world.deliver(world.shipped_event())
    world.deliver(world.shipped_event(shipment_id="SHP-2", lines=[{"sku": "IPOD2008PINK", "quantity": 1}]))
    assert world.channel is not None
    assert [kind for kind, _ in world.channel.calls] == [
        "confirm:[('1', 1), ('2', 1)]",
        "confirm:[('1', 1)]",
    ]
    assert world.statuses() == ["shipment_confirmed", "skipped", "shipment_confirmed"]
    assert world.trace.entries[0]["detail"]["tracking_number"] == "1Z999AA10123456784"


def test_a_throttled_call_is_retried_after_retry_after_and_then_sent_once() -> None:
    world = World(FakeChannel([Throttled("429", retry_after=7.0)]))
    with pytest.raises(Throttled):
        world.deliver(world.shipped_event())
    assert world.queues.delayed == [("rh-1", 7.0)]
    assert world.markers.items == {}  # the claim is released: the retry may call

    assert world.deliver(world.shipped_event()) == {"status": "shipment_confirmed"}
    assert world.statuses() == ["throttled", "shipment_confirmed"]


def test_a_channel_outage_fails_the_record_for_a_normal_retry() -> None:
    world = World(FakeChannel([Unavailable("503")]))
    with pytest.raises(Unavailable):
        world.deliver(world.accepted_event())
    assert world.queues.dead == [] and world.queues.delayed == []
    assert world.statuses() == ["unavailable"]


def test_a_permanent_refusal_is_traced_and_dead_lettered_without_retrying() -> None:
    world = World(FakeChannel([Rejected("400 INVALID_REQUEST_CONTENT")]))
    event = world.accepted_event()
    assert world.deliver(event) == {"status": "dead_lettered"}
    [(body, reason)] = world.queues.dead
    assert json.loads(body) == event and "INVALID_REQUEST_CONTENT" in reason
    assert world.statuses() == ["rejected"]
    assert world.markers.items == {}  # a redrive from the DLQ tries again


def test_a_shipment_for_an_order_never_recorded_is_rejected() -> None:
    world = World(FakeChannel())
    world.worker.orders = Orders()
    assert world.deliver(world.shipped_event()) == {"status": "dead_lettered"}
    assert world.statuses() == ["rejected"]
    assert world.trace.entries[-1]["detail"]["reason"] == "OrderUnknown"


def test_an_event_that_is_not_an_outbound_command_goes_to_the_dlq() -> None:
    world = World(FakeChannel())
    assert world.deliver("not json") == {"status": "dead_lettered"}
    assert world.deliver({"detail-type": "OrderShipped", "detail": {"channel": "walmart"}}) == {
        "status": "dead_lettered"
    }
    assert len(world.queues.dead) == 2 and world.statuses() == []


def test_a_delivery_racing_one_in_flight_waits_instead_of_calling() -> None:
    markers = MemoryMarkers()
    world = World(FakeChannel(), markers)
    markers.items[("walmart", "1796277083968", "ACKNOWLEDGE")] = "CLAIMED"
    with pytest.raises(MarkerBusy):
        world.deliver(world.accepted_event())
    assert world.channel is not None and world.channel.calls == []


def test_dynamo_markers_claim_once_and_take_over_an_expired_lease(dynamodb: Any) -> None:
    now = [1_000.0]
    markers = DynamoMarkerStore(STATE_TABLE, client=dynamodb, clock=lambda: now[0])
    assert markers.claim("walmart", "po-1", "ACKNOWLEDGE", "c1") is Claim.CLAIMED
    assert markers.claim("walmart", "po-1", "ACKNOWLEDGE", "c1") is Claim.BUSY
    now[0] += 121  # the first worker died: its lease ran out
    assert markers.claim("walmart", "po-1", "ACKNOWLEDGE", "c1") is Claim.CLAIMED
    markers.sent("walmart", "po-1", "ACKNOWLEDGE", "po-1", "2026-11-23T16:45:00Z")
    now[0] += 10_000
    assert markers.claim("walmart", "po-1", "ACKNOWLEDGE", "c1") is Claim.SENT
    markers.release("walmart", "po-1", "ACKNOWLEDGE")  # never drops a SENT marker
    assert markers.claim("walmart", "po-1", "ACKNOWLEDGE", "c1") is Claim.SENT
    item = dynamodb.get_item(
        TableName=STATE_TABLE, Key={"pk": {"S": "OUTBOUND#walmart#po-1"}, "sk": {"S": "ACKNOWLEDGE"}}
    )["Item"]
    assert (item["status"]["S"], item["reference"]["S"]) == ("SENT", "po-1")
