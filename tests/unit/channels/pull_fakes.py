"""Fakes and builders for the pulled channels' tests (Amazon, Zalando, POS files)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from shared.channels.pos_csv import FileRef
from tests.support.events import EVENTS_DIR, load_event

POS_TIME_ZONES = {"franchise-0042": "America/Chicago", "franchise-0117": "Europe/Berlin"}
POS_FILE = FileRef(
    bucket="retail-sync-pos-files", key="pos/franchise-0042/2026-11-22.csv", etag="9b2cf535f27731c974343645a3985328"
)


class FakeSpApi:
    """In-memory SP-API Orders: getOrder / getOrderItems answer the fixtures (or what a test sets)."""

    def __init__(self, order: dict[str, Any] | None = None, items: list[dict[str, Any]] | None = None) -> None:
        self.order = order if order is not None else load_event("amazon/get_order_response")["payload"]
        self.items = (
            items if items is not None else load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
        )
        self.calls: list[tuple[str, str]] = []

    def with_status(self, status: str, last_update: str | None = None) -> FakeSpApi:
        order = deepcopy(self.order)
        order["OrderStatus"] = status
        if last_update:
            order["LastUpdateDate"] = last_update
        return FakeSpApi(order, self.items)

    def get_order(self, order_id: str) -> dict[str, Any]:
        self.calls.append(("getOrder", order_id))
        return deepcopy(self.order)

    def get_order_items(self, order_id: str) -> list[dict[str, Any]]:
        self.calls.append(("getOrderItems", order_id))
        return deepcopy(self.items)


def pos_text(name: str) -> str:
    return (EVENTS_DIR / f"{name}.csv").read_text(encoding="utf-8")
