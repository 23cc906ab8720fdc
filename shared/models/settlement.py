"""Settlements: a channel's payout and its lines in canonical form, and what reconciling it found.

A payout is what one channel pays into the bank for a period (Amazon's settlement, a Shopify
Payments payout, ...): its lines are sales, refunds, fees, reserves and adjustments, each a signed
Decimal amount in the payout's currency (positive: owed to us, negative: taken from us). The
channel's own declared payout amount (`reported_total`) is kept apart from the sum of its lines so
the two can be compared. Money is never float; currencies are never mixed (a payout in EUR and one
in USD are two payouts).

Used by finance (functions/finance) and by the ops reconciliation routes, which show a settlement
run's `PayoutReconciliation`s as they are.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from shared.models.common import Channel, StrictModel, UtcDatetime
from shared.models.money import CurrencyCode, Money

SETTLEMENT_SCHEMA_VERSION = "1"


class LineKind(StrEnum):
    SALE = "sale"  # what the buyer paid for an order: goods, tax, shipping, promotions (negative)
    REFUND = "refund"  # sale money given back (negative), per order and, where the report says, line
    FEE = "fee"  # what the channel took (negative) or gave back (a refunded commission, positive)
    RESERVE = "reserve"  # held back by the channel (negative) or released (positive)
    ADJUSTMENT = "adjustment"  # anything else: reimbursements, corrections, transfers in or out


class FeeType(StrEnum):
    COMMISSION = "commission"  # referral / final value fee
    FULFILMENT = "fulfilment"  # FBA, WFS: pick, pack, ship by the channel
    SHIPPING_LABEL = "shipping_label"  # postage bought through the channel, shipping chargebacks
    ADVERTISING = "advertising"
    CHARGEBACK = "chargeback"  # a dispute lost, its fee
    RESERVE = "reserve"
    PAYMENT_PROCESSING = "payment_processing"  # card fees (Shopify Payments, Square)
    SUBSCRIPTION = "subscription"  # the seller account's own fee
    OTHER = "other"


class SaleComponent(StrEnum):
    PRINCIPAL = "principal"
    TAX = "tax"
    SHIPPING = "shipping"
    PROMOTION = "promotion"
    GROSS = "gross"  # the report gives one amount for the whole charge (Shopify's charge)


class SettlementLine(StrictModel):
    line_no: Annotated[int, Field(ge=0)]  # position in the source, stable across re-reads
    kind: LineKind
    amount: Money
    description: str  # the channel's own words (amount-description, transaction type)
    channel_order_id: str | None = None
    order_line_ref: str | None = None  # Amazon's order-item-code, where the report has one
    sku: str | None = None
    refund_ref: str | None = None  # Amazon's adjustment-id, Shopify's refund source id
    component: SaleComponent | None = None  # sales and refunds
    fee_type: FeeType | None = None  # fees and reserves
    posted_at: UtcDatetime | None = None


class Payout(StrictModel):
    schema_version: str = SETTLEMENT_SCHEMA_VERSION
    channel: Channel
    payout_id: Annotated[str, Field(min_length=1, max_length=128)]
    currency: CurrencyCode
    reported_total: Money  # what the channel says it pays (Amazon total-amount, Shopify payout amount)
    deposit_date: UtcDatetime | None = None
    period_start: UtcDatetime | None = None
    period_end: UtcDatetime | None = None
    status: str | None = None
    lines: list[SettlementLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_currency(self) -> Payout:
        for line in self.lines:
            if line.amount.currency != self.currency:
                raise ValueError(f"line {line.line_no} is in {line.amount.currency}, the payout in {self.currency}")
        if self.reported_total.currency != self.currency:
            raise ValueError("the payout's total is in another currency than the payout")
        return self

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount.amount for line in self.lines), Decimal("0"))


class VarianceKind(StrEnum):
    UNMATCHED = "unmatched"  # a line names an order we do not know
    AMOUNT = "amount"  # what the buyer paid differs from our order
    FEE = "fee"  # a fee differs from the channel's fee schedule
    REFUND = "refund"  # a refund larger than what we sold, or different from the refund we recorded
    PAYOUT_TOTAL = "payout_total"  # the lines do not add up to what the channel says it pays
    DEPOSIT = "deposit"  # the bank received another amount than the payout


class SettlementVariance(StrictModel):
    kind: VarianceKind
    currency: CurrencyCode
    reported: Decimal
    expected: Decimal | None = None
    difference: Decimal | None = None  # reported - expected
    channel_order_id: str | None = None
    fee_type: FeeType | None = None
    detail: str
    exception_id: str | None = None


class OrderSettlement(StrictModel):
    """What one payout says about one of our orders: sales, refunds, fees by type, the net (margin per order)."""

    channel: Channel
    channel_order_id: str
    payout_id: str
    currency: CurrencyCode
    matched: bool
    sales: Decimal = Decimal("0")
    refunds: Decimal = Decimal("0")
    fees: dict[FeeType, Decimal] = Field(default_factory=dict)
    net: Decimal = Decimal("0")


class PayoutReconciliation(StrictModel):
    """Per payout: expected (from our orders and refunds) against reported, fees by type, variances."""

    channel: Channel
    payout_id: str
    currency: CurrencyCode
    expected: Decimal  # the sales and refunds of the payout's orders as we recorded them
    reported: Decimal  # the payout's sale and refund lines of those orders
    fees: dict[FeeType, Decimal] = Field(default_factory=dict)
    reserve: Decimal = Decimal("0")
    unmatched: Decimal = Decimal("0")  # lines naming orders we do not know (posted to suspense)
    adjustments: Decimal = Decimal("0")
    lines_total: Decimal
    payout_amount: Decimal  # what the channel declares it pays
    deposit_amount: Decimal | None = None  # what the bank received, when a bank feed tells us
    lines: int
    matched_lines: int
    variances: list[SettlementVariance] = Field(default_factory=list)
    journal_external_id: str | None = None
    erp_journal_id: str | None = None
    posted: bool = False
