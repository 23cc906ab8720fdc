"""Matching a payout to our orders, its exceptions and its journal, exactly once under replays."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from functions.finance.logic.settle import KIND, Settler
from shared.adapters.exception_store import MemoryExceptionStore
from shared.models.money import Money
from shared.models.settlement import FeeType, VarianceKind
from tests.unit.finance.support import (
    AMAZON_ORDER,
    SHOPIFY_ORDER,
    UNKNOWN_AMAZON_ORDER,
    MemoryJournals,
    MemoryOrders,
    MemoryPayoutStore,
    MemoryRefunds,
    amazon_payout,
    our_orders,
    shopify_payout,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def settler(
    refunds: MemoryRefunds | None = None,
) -> tuple[Settler, MemoryPayoutStore, MemoryExceptionStore, MemoryJournals]:
    store, exceptions, erp = MemoryPayoutStore(), MemoryExceptionStore(), MemoryJournals()
    s = Settler(MemoryOrders(our_orders()), store, exceptions, erp, refunds or MemoryRefunds({}), now=lambda: NOW)
    return s, store, exceptions, erp


def test_a_payout_that_matches_raises_nothing_and_posts_one_balanced_journal() -> None:
    s, store, exceptions, erp = settler()

    recon = s.settle(shopify_payout())

    assert recon.variances == []
    assert recon.expected == recon.reported == Decimal("642.82")  # goods + tax + shipping of order 450789469
    assert recon.fees == {FeeType.PAYMENT_PROCESSING: Decimal("-18.94")}
    assert recon.matched_lines == recon.lines == 2
    assert recon.posted and recon.erp_journal_id == "5000"
    assert exceptions.items == {}
    journal = erp.records["settlement-shopify-623721858"]
    items = journal["line"]["items"]
    assert sum(Decimal(i.get("debit", "0")) for i in items) == sum(Decimal(i.get("credit", "0")) for i in items)
    assert {"account": {"id": "1000"}, "debit": "623.88", "memo": "shopify payout 623721858"} in items
    assert store.order_settlements[("shopify", SHOPIFY_ORDER, "623721858")].net == Decimal("623.88")


def test_a_fee_that_differs_from_the_schedule_is_one_settlement_exception() -> None:
    s, _, exceptions, _ = settler()

    recon = s.settle(amazon_payout())

    fee = [v for v in recon.variances if v.kind is VarianceKind.FEE]
    assert len(fee) == 1
    # 15 % of (199.00 + 398.00 - 200.00) = 59.55; the report took 29.85 + 35.70 = 65.55.
    assert (fee[0].channel_order_id, fee[0].fee_type, fee[0].expected, fee[0].reported) == (
        AMAZON_ORDER,
        FeeType.COMMISSION,
        Decimal("-59.55"),
        Decimal("-65.55"),
    )
    stored = exceptions.get(KIND, fee[0].exception_id or "")
    assert stored is not None and stored["status"] == "OPEN" and stored["reason"] == "fee"
    assert stored["queue"] == "finance" and '"payout_id": "14732846271"' in stored["payload"]


def test_a_refund_is_netted_against_its_order_without_an_exception() -> None:
    s, store, _, _ = settler()

    recon = s.settle(amazon_payout())

    assert not [v for v in recon.variances if v.kind in (VarianceKind.REFUND, VarianceKind.AMOUNT)]
    order = store.order_settlements[("amazon", AMAZON_ORDER, "14732846271")]
    assert (order.sales, order.refunds) == (Decimal("453.18"), Decimal("-218.90"))
    assert order.fees[FeeType.COMMISSION] == Decimal("-41.67")  # -29.85 -35.70 +29.85 -5.97
    assert order.fees[FeeType.FULFILMENT] == Decimal("-9.66")
    assert recon.expected == recon.reported == Decimal("234.28")


def test_a_refund_that_differs_from_the_one_we_recorded_is_an_exception() -> None:
    refunds = MemoryRefunds({("amazon", AMAZON_ORDER): [Money(amount=Decimal("199.00"), currency="USD")]})
    s, _, _, _ = settler(refunds)

    recon = s.settle(amazon_payout())

    refund = [v for v in recon.variances if v.kind is VarianceKind.REFUND]
    assert [(v.expected, v.reported) for v in refund] == [(Decimal("-199.00"), Decimal("-218.90"))]


def test_a_line_of_an_order_we_do_not_know_is_unmatched_and_posted_to_suspense() -> None:
    s, _, exceptions, erp = settler()

    recon = s.settle(amazon_payout())

    unmatched = [v for v in recon.variances if v.kind is VarianceKind.UNMATCHED]
    assert [(v.channel_order_id, v.reported) for v in unmatched] == [(UNKNOWN_AMAZON_ORDER, Decimal("23.25"))]
    assert recon.unmatched == Decimal("23.25")
    assert recon.matched_lines == recon.lines - 3
    items = erp.records["settlement-amazon-14732846271"]["line"]["items"]
    assert {"account": {"id": "2990"}, "credit": "23.25", "memo": "amazon lines of unknown orders"} in items
    assert len(exceptions.items) == 2  # the fee and the unknown order: one per real difference


def test_settling_the_same_payout_twice_posts_once_and_raises_no_new_exception() -> None:
    s, _, exceptions, erp = settler()

    first = s.settle(amazon_payout())
    second = s.settle(amazon_payout())

    assert erp.calls == 1 and len(erp.records) == 1
    assert first.erp_journal_id == second.erp_journal_id
    assert [v.exception_id for v in first.variances] == [v.exception_id for v in second.variances]
    assert len(exceptions.items) == 2


def test_a_payout_whose_lines_do_not_add_up_is_not_posted() -> None:
    s, _, _, erp = settler()
    payout = amazon_payout()
    payout = payout.model_copy(update={"reported_total": Money(amount=Decimal("110.00"), currency="USD")})

    recon = s.settle(payout)

    assert [v.kind for v in recon.variances if v.kind is VarianceKind.PAYOUT_TOTAL] == [VarianceKind.PAYOUT_TOTAL]
    assert not recon.posted and erp.calls == 0


def test_a_retried_exception_is_resolved_once_settling_again_no_longer_finds_it() -> None:
    store, exceptions, erp = MemoryPayoutStore(), MemoryExceptionStore(), MemoryJournals()
    orders = MemoryOrders({k: v for k, v in our_orders().items() if k[0] != "shopify"})
    late = Settler(orders, store, exceptions, erp, now=lambda: NOW)
    payout = shopify_payout()
    missing = late.settle(payout).variances[0]
    assert missing.kind is VarianceKind.UNMATCHED and missing.exception_id

    orders.by_key.update(our_orders())  # the order arrived meanwhile
    again = late.settle(payout, retry_of=missing.exception_id)

    assert again.variances == []
    assert exceptions.get(KIND, missing.exception_id)["status"] == "RESOLVED"  # type: ignore[index]


def test_the_worker_reads_the_retry_attribute_ops_writes() -> None:
    from functions.finance.handlers import settlement_worker
    from shared.adapters.exception_store import RETRY_OF

    assert settlement_worker.RETRY_OF == RETRY_OF
