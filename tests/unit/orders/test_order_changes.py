"""Order changes and returns: recorded once, held until their order arrives, then merged and applied."""

from __future__ import annotations

from typing import Any

from functions.orders.dal.order_changes import DynamoChangeStore
from functions.orders.logic.order_changes import ChangeRecorder, Outcome
from shared.channels.registry import adapter_for
from shared.models import Envelope, Order
from shared.models.returns import StoreReturn
from tests.fakes.aws import STATE_TABLE
from tests.support.events import load_event, load_expected


class Bus:
    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        self.events.append((detail_type, detail))


class Trace:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None:
        self.entries.append((correlation_id, hop, status))


def command(name: str) -> Any:
    from tests.unit.channels.test_normalization_contract import normalize

    return normalize(name)[0]


def envelope(source: str, correlation_id: str) -> Envelope:
    return Envelope(
        event_id="e" * 32,
        source=source,
        event_type="x",
        domain="orders",
        delivery_id="d1",
        correlation_id=correlation_id,
        payload={},
    )


def recorder(dynamodb: Any) -> tuple[ChangeRecorder, Bus, Trace]:
    bus, trace = Bus(), Trace()
    return ChangeRecorder(DynamoChangeStore(STATE_TABLE, dynamodb), bus, trace), bus, trace


def test_update_before_its_create_is_held_then_merged_into_the_order(dynamodb: Any) -> None:
    changes, bus, _ = recorder(dynamodb)
    update = command("shopify/orders_updated")
    order = Order.model_validate(load_expected("shopify/orders_create")[0]["data"])
    # GIVEN orders/updated arrives first
    assert changes.record(envelope("shopify", "corr-update-1"), update) is Outcome.HELD
    assert bus.events == []
    # WHEN orders/create arrives
    merged = changes.release_held(envelope("shopify", "corr-create-1"), order)
    # THEN the order carries the newer address and OrderUpdated is published once, under the update's id
    assert merged.shipping_address is not None and merged.shipping_address.line2 == "Apt 4"
    assert [(t, d["correlation_id"]) for t, d in bus.events] == [("OrderUpdated", "corr-update-1")]
    assert changes.release_held(envelope("shopify", "corr-create-2"), order) == order  # nothing held any more


def test_change_for_a_seen_order_is_applied_and_a_replay_publishes_nothing_twice(dynamodb: Any) -> None:
    changes, bus, _ = recorder(dynamodb)
    order = Order.model_validate(load_expected("shopify/orders_create")[0]["data"])
    changes.release_held(envelope("shopify", "corr-create-1"), order)
    refund = command("shopify/refunds_create")
    assert changes.record(envelope("shopify", "corr-refund-1"), refund) is Outcome.APPLIED
    assert changes.record(envelope("shopify", "corr-refund-2"), refund) is Outcome.DUPLICATE
    assert [t for t, _ in bus.events] == ["RefundPosted"]
    assert bus.events[0][1]["amount"] == {"amount": "210.94", "currency": "USD"}


def test_return_versions_apply_newest_first_and_an_older_one_is_stale(dynamodb: Any) -> None:
    changes, bus, _ = recorder(dynamodb)
    created, closed = command("loop/return_created"), command("loop/return_closed")
    assert changes.record(envelope("loop", "corr-ret-1"), created) is Outcome.APPLIED
    assert changes.record(envelope("loop", "corr-ret-3"), closed) is Outcome.APPLIED
    assert changes.record(envelope("loop", "corr-ret-1"), created) is Outcome.STALE
    assert [t for t, _ in bus.events] == ["ReturnAuthorized", "ReturnClosed"]


def test_walmarts_return_created_starts_a_return_though_walmart_spells_its_event_in_capitals(dynamodb: Any) -> None:
    # RETURN_CREATED's return was initiated before the notification was sent (created != updated):
    # only the event type says it is new, and ReturnFlow starts on ReturnAuthorized, not ReturnUpdated.
    changes, bus, _ = recorder(dynamodb)
    created = command("walmart/return_created")
    assert created.created_at != created.updated_at
    walmart = envelope("walmart", "corr-wm-ret-1").model_copy(update={"event_type": "RETURN_CREATED"})

    assert changes.record(walmart, created) is Outcome.APPLIED
    assert [t for t, _ in bus.events] == ["ReturnAuthorized"]


def test_square_refund_is_recorded_as_a_store_return_at_its_location(dynamodb: Any) -> None:
    changes, bus, _ = recorder(dynamodb)
    payload = load_event("square/refund_updated_completed")
    from tests.unit.channels.conftest import envelope as channel_envelope

    store_return = adapter_for("square").normalize(channel_envelope("square", payload["type"], payload))[0]
    assert isinstance(store_return, StoreReturn)
    assert changes.record(envelope("square", "corr-sq-1"), store_return) is Outcome.APPLIED
    assert bus.events[0][0] == "StoreReturnRecorded" and bus.events[0][1]["location_id"] == "D7AVYMEAPJ3A3"
