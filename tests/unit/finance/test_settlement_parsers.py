"""Real-shaped finance sources through the parsers: Amazon's V2 settlement report, Shopify Payments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from functions.finance.adapters.amazon_settlement import parse_settlement_report
from shared.errors import ValidationFailed
from shared.models.settlement import FeeType, LineKind, SaleComponent
from tests.unit.finance.support import AMAZON_ORDER, amazon_payout, amazon_report_text, shopify_payout


def test_amazon_v2_report_becomes_one_payout_whose_lines_add_up_to_its_total() -> None:
    payout = amazon_payout()

    assert (payout.channel, payout.payout_id, payout.currency) == ("amazon", "14732846271", "USD")
    assert payout.reported_total.amount == Decimal("103.71")
    assert payout.lines_total == Decimal("103.71")
    assert len(payout.lines) == 19
    assert payout.deposit_date is not None and payout.deposit_date.isoformat() == "2026-12-04T08:00:11+00:00"


def test_amazon_rows_are_classified_by_transaction_amount_type_and_description() -> None:
    lines = amazon_payout().lines
    first = lines[0]
    assert (first.kind, first.component, first.channel_order_id, first.order_line_ref, first.sku) == (
        LineKind.SALE,
        SaleComponent.PRINCIPAL,
        AMAZON_ORDER,
        "41329867524161",
        "IPOD2008PINK",
    )
    kinds = {(line.kind, line.fee_type) for line in lines if line.kind in (LineKind.FEE, LineKind.RESERVE)}
    assert kinds == {
        (LineKind.FEE, FeeType.COMMISSION),
        (LineKind.FEE, FeeType.FULFILMENT),
        (LineKind.FEE, FeeType.ADVERTISING),
        (LineKind.FEE, FeeType.SUBSCRIPTION),
        (LineKind.RESERVE, FeeType.RESERVE),
    }
    refunds = [line for line in lines if line.kind is LineKind.REFUND]
    assert {line.refund_ref for line in refunds} == {"40410512345"}
    assert sum(line.amount.amount for line in refunds) == Decimal("-218.90")


def test_amounts_stay_decimal_with_their_currency() -> None:
    for line in amazon_payout().lines:
        assert isinstance(line.amount.amount, Decimal)
        assert line.amount.currency == "USD"


def test_a_file_that_is_not_a_settlement_report_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        parse_settlement_report("order-id\tsku\n123\tX\n")


def test_an_eu_report_with_decimal_commas_and_day_first_dates_reads_the_same() -> None:
    text = (
        amazon_report_text().replace("2026-12-04 08:00:11 UTC", "04.12.2026 08:00:11 UTC").replace("103.71", "103,71")
    )
    payout = parse_settlement_report(text)
    assert payout.reported_total.amount == Decimal("103.71")
    assert payout.deposit_date is not None and payout.deposit_date.day == 4


def test_shopify_payout_keeps_the_charge_gross_and_its_fee_apart() -> None:
    payout = shopify_payout()

    assert (payout.channel, payout.payout_id, payout.status) == ("shopify", "623721858", "paid")
    assert [(line.kind, line.amount.amount, line.fee_type) for line in payout.lines] == [
        (LineKind.SALE, Decimal("642.82"), None),
        (LineKind.FEE, Decimal("-18.94"), FeeType.PAYMENT_PROCESSING),
    ]
    assert payout.lines_total == payout.reported_total.amount == Decimal("623.88")
    assert {line.channel_order_id for line in payout.lines} == {"450789469"}
