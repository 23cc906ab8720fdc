"""A poll run: late records inside the overlap are queued once, the watermark moves only after the
whole window was queued, and a run that fails half way is repeated without doubling anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.intake.logic.polls import ZALANDO_POLLER, poll_amazon_orders, poll_zalando_orders, run_poll
from functions.intake.logic.watermark import WindowPolicy
from shared.channels._pull import PullChannelAdapter
from shared.channels.base import DeliveryInfo
from shared.channels.clients.zalando_api import order_documents
from shared.pulled_intake import PulledIntake
from tests.support.events import load_event
from tests.unit.pull.fakes import ListedOrders, MemoryDedupe, MemoryPublisher, MemoryTrace, MemoryWatermarks

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = WindowPolicy(overlap=timedelta(minutes=15), settle=timedelta(minutes=1), first_lookback=timedelta(hours=1))


class OrderIdAdapter(PullChannelAdapter):
    """Delivery id = the record's order id: what the real adapters do for an accepted order."""

    source = "test_pull"

    def describe_pulled(self, payload: dict[str, Any]) -> DeliveryInfo:
        return DeliveryInfo(delivery_id=f"order/{payload['id']}/accept", event_type="Order", domain="orders")

    def normalize(self, envelope: Any, enrich: Any | None = None) -> list[Any]:
        return []


def _intake(publisher: MemoryPublisher | None = None) -> tuple[PulledIntake, MemoryPublisher]:
    publisher = publisher or MemoryPublisher()
    return PulledIntake(MemoryDedupe(), publisher, MemoryTrace(), adapters=lambda source: OrderIdAdapter()), publisher


def _poll(
    listed: ListedOrders, store: MemoryWatermarks, intake: PulledIntake, now: datetime, policy: WindowPolicy = POLICY
) -> dict[str, Any]:
    listed.now = now
    return run_poll("test", "test_pull", listed.listed, store=store, intake=intake, policy=policy, now=now)


def test_an_order_that_shows_up_late_is_queued_once_by_the_overlapping_window() -> None:
    listed, store = ListedOrders(), MemoryWatermarks()
    intake, published = _intake()
    listed.add(T0 - timedelta(minutes=5), {"id": "A"})
    # B says it changed at T0 - 2 min, but the API shows it only from T0 + 3 min on.
    listed.add(T0 - timedelta(minutes=2), {"id": "B"}, visible_at=T0 + timedelta(minutes=3))

    first = _poll(listed, store, intake, T0)
    second = _poll(listed, store, intake, T0 + timedelta(minutes=10))
    third = _poll(listed, store, intake, T0 + timedelta(minutes=20))

    assert [e.delivery_id for e in published.envelopes] == ["order/A/accept", "order/B/accept"]
    assert (first["accepted"], second["accepted"], second["duplicates"], third["accepted"]) == (1, 1, 1, 0)


def test_without_an_overlap_the_same_late_order_would_be_skipped() -> None:
    # The reason for the overlap: a window starting at the watermark never sees B.
    listed, store = ListedOrders(), MemoryWatermarks()
    intake, published = _intake()
    listed.add(T0 - timedelta(minutes=2), {"id": "B"}, visible_at=T0 + timedelta(minutes=3))
    no_overlap = WindowPolicy(overlap=timedelta(0), settle=timedelta(minutes=1), first_lookback=timedelta(hours=1))

    for minutes in (0, 10, 20):
        _poll(listed, store, intake, T0 + timedelta(minutes=minutes), no_overlap)

    assert published.envelopes == []


def test_the_watermark_moves_to_the_window_end_only_after_the_window_was_queued() -> None:
    listed, store = ListedOrders(), MemoryWatermarks()
    intake, _ = _intake()
    listed.add(T0 - timedelta(minutes=5), {"id": "A"})

    report = _poll(listed, store, intake, T0)

    assert store.marks["test"] == T0 - timedelta(minutes=1)
    assert report["watermark_advanced"] is True
    assert listed.windows[0].after == T0 - timedelta(minutes=1) - timedelta(hours=1)


def test_a_run_that_fails_half_way_keeps_the_watermark_and_its_rerun_doubles_nothing() -> None:
    listed, store = ListedOrders(), MemoryWatermarks()
    publisher = MemoryPublisher(fail_after=2)
    intake, _ = _intake(publisher)
    for n in range(4):
        listed.add(T0 - timedelta(minutes=10 - n), {"id": f"O{n}"})

    with pytest.raises(Exception, match="queue down"):
        _poll(listed, store, intake, T0)
    assert "test" not in store.marks
    publisher.fail_after = None
    report = _poll(listed, store, intake, T0 + timedelta(seconds=30))

    assert [e.delivery_id for e in publisher.envelopes] == [f"order/O{n}/accept" for n in range(4)]
    assert (report["accepted"], report["duplicates"]) == (2, 2)
    assert store.marks["test"] == T0 + timedelta(seconds=30) - timedelta(minutes=1)


class FakeZalando:
    def __init__(self, page: dict[str, Any]) -> None:
        self.page = page
        self.calls: list[tuple[str, datetime, datetime]] = []

    def list_orders(
        self, merchant_id: str, last_updated_after: datetime, last_updated_before: datetime
    ) -> list[dict[str, Any]]:
        self.calls.append((merchant_id, last_updated_after, last_updated_before))
        return order_documents(self.page)


def test_zalando_poll_queues_approved_and_cancelled_orders_and_skips_unpaid_ones() -> None:
    store = MemoryWatermarks()
    publisher = MemoryPublisher()
    intake = PulledIntake(MemoryDedupe(), publisher, MemoryTrace())
    client = FakeZalando(load_event("zalando/orders_page"))

    report = poll_zalando_orders(client, "merchant-1", store=store, intake=intake, policy=POLICY, now=T0)

    assert (report["seen"], report["accepted"], report["ignored"]) == (4, 3, 1)
    assert sorted(e.delivery_id.rsplit("/", 1)[1] for e in publisher.envelopes) == ["accept", "accept", "cancel"]
    assert all(e.source == "zalando" and e.domain == "orders" for e in publisher.envelopes)
    assert store.marks[ZALANDO_POLLER] == T0 - timedelta(minutes=1)


class FakeGetOrders:
    def __init__(self, orders: list[dict[str, Any]]) -> None:
        self.orders = orders
        self.calls: list[tuple[list[str], datetime, datetime | None]] = []

    def get_orders(
        self, marketplace_ids: list[str], last_updated_after: datetime, last_updated_before: datetime | None = None
    ) -> list[dict[str, Any]]:
        self.calls.append((marketplace_ids, last_updated_after, last_updated_before))
        return self.orders


def test_amazon_backup_poll_ends_its_window_more_than_two_minutes_ago_as_getorders_requires() -> None:
    orders = FakeGetOrders(load_event("amazon/get_orders_response")["payload"]["Orders"])
    publisher = MemoryPublisher()
    intake = PulledIntake(MemoryDedupe(), publisher, MemoryTrace())

    report = poll_amazon_orders(
        orders,
        ["ATVPDKIKX0DER"],
        store=MemoryWatermarks(),
        intake=intake,
        overlap=timedelta(minutes=30),
        first_lookback=timedelta(hours=6),
        now=T0,
    )

    (_, after, before) = orders.calls[0]
    assert before is not None and T0 - before > timedelta(minutes=2)
    assert before - after == timedelta(hours=6)
    assert (report["accepted"], report["ignored"]) == (1, 2)  # the Pending and the AFN orders are not ours to ship
    assert [e.delivery_id for e in publisher.envelopes] == ["order/113-5467394-8722613/accept"]
