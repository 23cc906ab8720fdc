"""Real-shaped payouts and our orders for the finance tests, and in-memory ports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from functions.finance.adapters.amazon_settlement import parse_settlement_report
from functions.finance.adapters.shopify_payouts import payout_from_shopify
from shared.models.money import Money
from shared.models.orders import Order
from shared.models.settlement import OrderSettlement, Payout, PayoutReconciliation
from tests.support.events import EVENTS_DIR, load_event, load_expected

AMAZON_ORDER = "113-5467394-8722613"
UNKNOWN_AMAZON_ORDER = "902-3159896-1390916"
SHOPIFY_ORDER = "450789469"


def amazon_report_text() -> str:
    return (EVENTS_DIR / "amazon" / "settlement_report_v2.tsv").read_text()


def amazon_payout() -> Payout:
    return parse_settlement_report(amazon_report_text())


def shopify_payout() -> Payout:
    payout = load_event("shopify/payouts_response")["payouts"][0]
    return payout_from_shopify(payout, load_event("shopify/balance_transactions_response")["transactions"])


def order_of(fixture: str) -> Order:
    return Order.model_validate(load_expected(fixture)[0]["data"])


def our_orders() -> dict[tuple[str, str], Order]:
    """The orders the channels' own order fixtures normalize to (what the state table holds)."""
    orders = [order_of("amazon/order_change_unshipped"), order_of("shopify/orders_create_second")]
    return {(order.channel, order.channel_order_id): order for order in orders}


class MemoryOrders:
    def __init__(self, orders: dict[tuple[str, str], Order]) -> None:
        self.by_key = orders
        self.reads = 0

    def orders(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, Order | None]:
        self.reads += 1
        return {coid: self.by_key.get((channel, coid)) for coid in channel_order_ids}


class MemoryRefunds:
    def __init__(self, refunds: dict[tuple[str, str], list[Money]]) -> None:
        self.by_key = refunds

    def refunds(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, list[Money]]:
        return {coid: self.by_key[(channel, coid)] for coid in channel_order_ids if (channel, coid) in self.by_key}


class MemoryPayoutStore:
    def __init__(self) -> None:
        self.payouts: dict[tuple[str, str], Payout] = {}
        self.postings: dict[str, str] = {}
        self.settlements: dict[tuple[str, str], PayoutReconciliation] = {}
        self.order_settlements: dict[tuple[str, str, str], OrderSettlement] = {}

    def save_payout(self, payout: Payout) -> None:
        self.payouts[(payout.channel, payout.payout_id)] = payout

    def get_payout(self, channel: str, payout_id: str) -> Payout | None:
        return self.payouts.get((channel, payout_id))

    def list_payouts(self, limit: int = 100) -> list[Payout]:
        return list(self.payouts.values())[:limit]

    def posting(self, external_id: str) -> str | None:
        return self.postings.get(external_id)

    def mark_posted(self, external_id: str, erp_id: str, at: datetime) -> None:
        self.postings.setdefault(external_id, erp_id)

    def save_settlement(self, reconciliation: PayoutReconciliation, orders: Sequence[OrderSettlement]) -> None:
        self.settlements[(reconciliation.channel, reconciliation.payout_id)] = reconciliation
        for order in orders:
            self.order_settlements[(order.channel, order.channel_order_id, order.payout_id)] = order


class MemoryJournals:
    """The ERP's journalEntry record, upserted by external id (one record per id, like NetSuite)."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.calls = 0

    def upsert_journal(self, external_id: str, body: dict[str, Any]) -> str:
        self.calls += 1
        self.records[external_id] = json.loads(json.dumps(body))
        return str(5000 + list(self.records).index(external_id))
