"""A shipment becomes one ERP item fulfilment by external id; an order not yet in the ERP waits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.orders.logic.erp_fulfilment import FulfilmentNotReady, fulfil
from shared.errors import PoisonMessage
from shared.models import OrderStatus
from tests.support.events import load_event

NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Stored:
    order_id: str
    erp_sales_order_id: str | None
    status: OrderStatus = OrderStatus.ACCEPTED


class Orders:
    def __init__(self, found: tuple[str, str | None] | None) -> None:
        self.found = None if found is None else Stored(*found)
        self.recorded: list[dict[str, Any]] = []

    def get_order(self, channel: str, channel_order_id: str) -> Stored | None:
        return self.found

    def record_fulfilment(self, channel: str, channel_order_id: str, fulfilment: dict[str, Any]) -> None:
        self.recorded.append(fulfilment)


class Erp:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def upsert_item_fulfillment(self, external_id: str, record: dict[str, Any]) -> str:
        self.records[external_id] = record
        return str(2000 + len(self.records))


class Trace:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any]) -> None:
        self.entries.append((correlation_id, hop, status))


def shipped() -> dict[str, Any]:
    body = load_event("wms/shipment_shipped")
    return {
        **{k: v for k, v in body.items() if k not in ("event_type", "sequence")},
        "source_sequence": 107,
        "correlation_id": "c-1",
    }


def test_a_shipment_is_one_fulfilment_by_external_id_and_a_replay_writes_the_same_record() -> None:
    erp, trace = Erp(), Trace()
    orders = Orders(("ord_1", "1001"))

    fulfil(shipped(), orders, erp, trace, lambda: NOW)
    fulfil(shipped(), orders, erp, trace, lambda: NOW)

    assert list(erp.records) == ["ord_1-SHP-2026-000451"]
    record = erp.records["ord_1-SHP-2026-000451"]
    assert record["createdFrom"] == {"externalId": "ord_1"} and record["tranDate"] == "2026-11-23"
    assert [line["quantity"] for line in record["item"]["items"]] == [1, 2]
    assert record["package"]["items"] == [{"packageTrackingNumber": "1Z999AA10123456784", "packageDescr": "UPS"}]
    assert trace.entries == [("c-1", "erp-fulfilment", "fulfilled")] * 2
    assert orders.recorded[0] == orders.recorded[1]  # the ops view's record, written again identically
    assert orders.recorded[0]["erp_item_fulfillment_id"] == "2001"


@pytest.mark.parametrize("found", [None, ("ord_1", None)], ids=["order unknown", "not in the ERP yet"])
def test_an_order_not_in_the_erp_yet_waits_with_its_message(found: tuple[str, str | None] | None) -> None:
    erp = Erp()

    with pytest.raises(FulfilmentNotReady):
        fulfil(shipped(), Orders(found), erp, Trace(), lambda: NOW)
    assert erp.records == {}


def test_an_event_that_is_not_a_shipment_is_poison() -> None:
    with pytest.raises(PoisonMessage):
        fulfil({"channel": "shopify"}, Orders(("ord_1", "1001")), Erp(), Trace(), lambda: NOW)
