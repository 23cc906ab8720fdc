"""The inventory worker: applied changes are published, stale ones are successes that change nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.inventory.handlers.inventory_worker import lambda_handler
from functions.inventory.logic.intake import HOP, InventoryIntake
from functions.orders.logic.cancel_order import cancel_order
from functions.orders.logic.reserve_stock import ReservePolicy, reserve_stock
from shared.adapters.event_bus import BusEvent, EventBridgeBus
from shared.adapters.trace_store import MemoryTraceStore
from shared.envelope_worker import EnvelopeWorker
from shared.models import Envelope
from shared.models.order_flow import FlowInput
from shared.retry import RetryPolicy
from tests.fakes.builders import (
    LambdaContext,
    adjustment,
    cancellation,
    envelope,
    envelope_record,
    order,
    shipment,
    sqs_event,
)
from tests.fakes.ports import (
    FakeChannelAdapter,
    FakeErp,
    FakeEventBus,
    PassThroughPayloads,
    adapter_lookup,
)
from tests.fakes.state_table import InMemoryStateTable

LOC = "dc-east"
NO_WAIT = RetryPolicy(max_attempts=50, sleep=lambda _: None)
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


class World:
    """The worker wired to the in-memory state table; each envelope's payload says what the WMS sent."""

    def __init__(self) -> None:
        self.store = InMemoryStateTable()
        self.bus = FakeEventBus()
        self.trace = MemoryTraceStore()
        self.adapter = FakeChannelAdapter(self._normalize)
        self.commands: dict[str, list[Any]] = {}
        intake = InventoryIntake(
            self.store,
            self.bus,
            self.trace,
            PassThroughPayloads(),
            adapter_lookup({"wms": self.adapter}),
            retry=NO_WAIT,
        )
        self.worker = EnvelopeWorker(HOP, intake.process, self.trace)

    def _normalize(self, env: Envelope) -> list[Any]:
        return self.commands[env.event_id]

    def deliver(self, event_id: str, *commands: Any) -> dict[str, Any]:
        self.commands[event_id] = list(commands)
        record = envelope_record(envelope(event_id, source="wms", domain="inventory"), message_id=f"m-{event_id}")
        return dict(lambda_handler(sqs_event(record), LambdaContext(), worker=self.worker))

    def order(self, channel_order_id: str, quantity: int) -> None:
        """The order flow reserves `quantity` of SKU-1 for the order (on hold when short)."""
        flow = FlowInput(
            action="accept",
            correlation_id="corr-0001",
            event_id="x",
            order=order(channel_order_id, {"SKU-1": quantity}),
        )
        reserve_stock(flow, self.store, MemoryTraceStore(), ReservePolicy(LOC, retry=NO_WAIT))

    def cancel(self, channel_order_id: str) -> None:
        """The order flow cancels the order, giving back what it reserved."""
        flow = FlowInput(
            action="cancel", correlation_id="corr-0001", event_id="x", cancellation=cancellation(channel_order_id)
        )
        cancel_order(flow, self.store, FakeErp(), MemoryTraceStore(), NO_WAIT)

    def statuses(self) -> list[str]:
        return [e["status"] for e in self.trace.entries]


def test_an_applied_adjustment_publishes_inventory_changed_with_schema_version_and_correlation_id() -> None:
    world = World()

    assert world.deliver("e-1", adjustment(on_hand=10, sequence=1)) == {"batchItemFailures": []}

    [event] = world.bus.events
    assert event.detail_type == "InventoryChanged"
    assert {
        k: event.detail[k] for k in ("sku", "location_id", "on_hand", "reserved", "available", "last_sequence")
    } == {
        "sku": "SKU-1",
        "location_id": LOC,
        "on_hand": 10,
        "reserved": 0,
        "available": 10,
        "last_sequence": 1,
    }
    assert event.detail["schema_version"] == "1"
    assert event.detail["correlation_id"] == "correlation-e-1"
    assert world.statuses() == ["applied"]


def test_a_stale_adjustment_is_ignored_counted_as_success_and_not_published() -> None:
    world = World()
    world.deliver("e-1", adjustment(on_hand=10, sequence=5))

    response = world.deliver("e-2", adjustment(on_hand=99, sequence=4))

    assert response == {"batchItemFailures": []}
    assert world.store.position("SKU-1", LOC).on_hand == 10
    assert len(world.bus.events) == 1
    assert world.statuses() == ["applied", "ignored_stale"]


def test_the_same_adjustment_twice_changes_nothing() -> None:
    world = World()
    world.deliver("e-1", adjustment(on_hand=10, sequence=5))
    before = world.store.position("SKU-1", LOC)

    world.deliver("e-1-again", adjustment(on_hand=10, sequence=5))

    assert world.store.position("SKU-1", LOC) == before
    assert len(world.bus.events) == 1


def test_a_shipment_consumes_the_orders_reservation() -> None:
    # GIVEN 10 units and an order holding 3 of them
    world = World()
    world.deliver("e-1", adjustment(on_hand=10, sequence=1))
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="o1", order=order(lines={"SKU-1": 3}))
    reserve_stock(flow, world.store, MemoryTraceStore(), ReservePolicy(LOC, retry=NO_WAIT))

    # WHEN the WMS ships it
    assert world.deliver("e-2", shipment(lines={"SKU-1": 3}, sequence=2)) == {"batchItemFailures": []}

    # THEN on hand and reserved drop by 3 and the change is published
    position = world.store.position("SKU-1", LOC)
    assert (position.on_hand, position.reserved, position.available) == (7, 0, 7)
    assert world.bus.events[-1].detail["cause"]["shipment_id"] == "shp-1"
    assert world.trace.entries[-1]["detail"]["consumed"] == {"SKU-1": 3}


def test_a_repeated_shipment_changes_nothing() -> None:
    world = World()
    world.deliver("e-1", adjustment(on_hand=10, sequence=1))
    world.deliver("e-2", shipment(lines={"SKU-1": 3}, sequence=2))
    before = world.store.position("SKU-1", LOC)

    assert world.deliver("e-3", shipment(lines={"SKU-1": 3}, sequence=2)) == {"batchItemFailures": []}

    assert world.store.position("SKU-1", LOC) == before
    assert world.statuses()[-1] == "ignored_stale"


def test_event_bridge_bus_puts_retail_sync_events_on_the_named_bus(aws: Any) -> None:
    # GIVEN a bus whose rule forwards retail-sync events to a queue
    events, sqs = aws.client("events"), aws.client("sqs")
    events.create_event_bus(Name="retail-sync-test")
    queue_url = sqs.create_queue(QueueName="tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="tap", EventBusName="retail-sync-test", EventPattern=json.dumps({"source": ["retail-sync"]}))
    events.put_targets(Rule="tap", EventBusName="retail-sync-test", Targets=[{"Id": "q", "Arn": queue_arn}])

    # WHEN twelve events are published (more than one PutEvents call holds)
    EventBridgeBus("retail-sync-test", client=events).publish(
        [BusEvent("InventoryChanged", {"sku": f"S{i}", "schema_version": "1"}) for i in range(12)]
    )

    # THEN all twelve arrive with the service's source and their detail type
    received: list[dict[str, Any]] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        received += [json.loads(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    assert sorted(e["detail"]["sku"] for e in received) == sorted(f"S{i}" for i in range(12))
    assert {(e["source"], e["detail-type"]) for e in received} == {("retail-sync", "InventoryChanged")}


# Invariants ---------------------------------------------------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("count"), st.integers(0, 12), st.integers(0, 30)),
        st.tuples(st.just("order"), st.integers(0, 4), st.integers(1, 5)),
        st.tuples(st.just("cancel"), st.integers(0, 4), st.just(0)),
        st.tuples(st.just("ship"), st.integers(0, 4), st.integers(1, 8)),
    ),
    max_size=30,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(operations=operations)
def test_stock_never_goes_negative_and_available_never_exceeds_on_hand(
    operations: list[tuple[str, int, int]],
) -> None:
    # GIVEN any interleaving of WMS counts, orders, cancellations and shipments (even over-shipments)
    world = World()
    for sequence, (kind, n, quantity) in enumerate(operations, start=1):
        if kind == "count":
            world.deliver(f"c{sequence}", adjustment(on_hand=quantity, sequence=n))
        elif kind == "order":
            world.order(f"o{n}", quantity)
        elif kind == "cancel":
            world.cancel(f"o{n}")
        else:
            world.deliver(
                f"s{sequence}",
                shipment(f"o{n}", {"SKU-1": quantity}, sequence=sequence + 12, shipment_id=f"shp{sequence}"),
            )
        # THEN every position stays within its bounds
        for position in world.store.positions.values():
            assert position.on_hand >= 0
            assert position.reserved >= 0
            assert 0 <= position.available <= position.on_hand


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    on_hand=st.integers(0, 20),
    operations=st.lists(st.tuples(st.sampled_from(["order", "cancel", "ship"]), st.integers(0, 4), st.integers(1, 5))),
)
def test_with_a_wms_that_ships_what_was_reserved_every_reserved_unit_is_on_hand_and_held(
    on_hand: int, operations: list[tuple[str, int, int]]
) -> None:
    world = World()
    world.deliver("c0", adjustment(on_hand=on_hand, sequence=0))
    for step, (kind, n, quantity) in enumerate(operations, start=1):
        if kind == "order":
            world.order(f"o{n}", quantity)
        elif kind == "cancel":
            world.cancel(f"o{n}")
        else:
            reservation = world.store.get_reservation(order(f"o{n}").order_id)
            held = reservation.outstanding() if reservation and reservation.status.value == "HELD" else {}
            if held:
                world.deliver(f"s{step}", shipment(f"o{n}", held, sequence=step, shipment_id=f"shp{step}"))
        position = world.store.position("SKU-1", LOC)
        outstanding = sum(
            r.outstanding().get("SKU-1", 0) for r in world.store.reservations.values() if r.status.value == "HELD"
        )
        assert 0 <= position.reserved <= position.on_hand
        assert position.reserved == outstanding
