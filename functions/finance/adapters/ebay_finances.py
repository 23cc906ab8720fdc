"""eBay's Finances API (payouts and their monetary transactions) -> Payout.

Shapes from eBay's Finances API reference (https://developer.ebay.com/api-docs/sell/finances/overview.html,
its OpenAPI document sell_finances_v1_oas3, found with the search tool):
- getPayouts, `GET https://apiz.ebay.com/sell/finances/v1/payout?filter=payoutDate:[<from>..],
  payoutStatus:{SUCCEEDED}&sort=payoutDate&limit=&offset=` -> `{"href", "next", "limit", "offset",
  "total", "payouts": [{"payoutId", "payoutStatus" (INITIATED, SUCCEEDED, RETRYABLE_FAILED,
  TERMINAL_FAILED, REVERSED), "amount": {"value", "currency"}, "payoutDate" (YYYY-MM-DDTHH:MM:SS.SSSZ),
  "transactionCount", "payoutInstrument": {...}}]}`; "the value of the payout is always shown".
- getTransactions, `GET .../transaction?filter=payoutId:{<id>}&limit=&offset=` -> `{"transactions":
  [{"transactionId", "orderId", "payoutId", "transactionType" (SALE, REFUND, CREDIT, DISPUTE,
  NON_SALE_CHARGE, SHIPPING_LABEL, TRANSFER, ADJUSTMENT, WITHDRAWAL, LOAN_REPAYMENT), "amount":
  {"value", "currency"}, "bookingEntry" (CREDIT or DEBIT: "SALE and CREDIT ... are credits to the
  seller's account, REFUND, DISPUTE, SHIPPING_LABEL and TRANSFER ... debits"), "totalFeeBasisAmount"
  ("the total amount for the order before selling fees are deducted"), "totalFeeAmount" ("the total
  amount of selling fees paid for order"), "orderLineItems": [{"lineItemId", "feeBasisAmount",
  "marketplaceFees": [{"feeType", "amount"}]}], "feeType" (of a NON_SALE_CHARGE), "references":
  [{"referenceId", "referenceType"}], "transactionDate", "transactionStatus"}]}`.

Every amount is a positive decimal string; `bookingEntry` gives the sign. `amount` is what moved the
seller's balance, fees already deducted: a sale's gross is `amount + totalFeeAmount`, a refund's
`-(amount + totalFeeAmount)` (the fee eBay credits back is a positive fee line), so the lines of
each transaction add up to its `amount` and the lines of a payout to the payout's amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime

from shared.channels.base import VendorModel, validate_at_edge
from shared.errors import ValidationFailed
from shared.models.money import Money
from shared.models.settlement import FeeType, LineKind, Payout, SaleComponent, SettlementLine


class EbayAmount(VendorModel):
    value: Decimal
    currency: str


class EbayFee(VendorModel):
    feeType: str = "OTHER"
    amount: EbayAmount


class EbayLineItem(VendorModel):
    lineItemId: str | None = None
    marketplaceFees: list[EbayFee] = []


class EbayReference(VendorModel):
    referenceId: str
    referenceType: str


class EbayTransaction(VendorModel):
    transactionId: str
    transactionType: str
    bookingEntry: str
    amount: EbayAmount
    orderId: str | None = None
    payoutId: str | None = None
    totalFeeAmount: EbayAmount | None = None
    orderLineItems: list[EbayLineItem] = []
    feeType: str | None = None
    references: list[EbayReference] = []
    transactionDate: AwareDatetime | None = None
    transactionMemo: str | None = None


class EbayPayout(VendorModel):
    payoutId: str
    payoutStatus: str
    amount: EbayAmount
    payoutDate: AwareDatetime | None = None


_FEE_TYPE = {
    "FINAL_VALUE_FEE": FeeType.COMMISSION,
    "FINAL_VALUE_FEE_FIXED_PER_ORDER": FeeType.COMMISSION,
    "FINAL_VALUE_FEE_BELOW_STANDARD": FeeType.COMMISSION,
    "FINAL_VALUE_FEE_SHIPPING": FeeType.COMMISSION,
    "INTERNATIONAL_FEE": FeeType.COMMISSION,
    "AD_FEE": FeeType.ADVERTISING,
    "PROMOTED_LISTING_FEE": FeeType.ADVERTISING,
    "SUBSCRIPTION_FEE": FeeType.SUBSCRIPTION,
    "SHIPPING_LABEL": FeeType.SHIPPING_LABEL,
}
_FEE_TRANSACTIONS = {"NON_SALE_CHARGE": None, "SHIPPING_LABEL": FeeType.SHIPPING_LABEL, "DISPUTE": FeeType.CHARGEBACK}


def _order_of(tx: EbayTransaction) -> str | None:
    if tx.orderId:
        return tx.orderId
    return next((r.referenceId for r in tx.references if r.referenceType == "ORDER_ID"), None)


def _lines_of(tx: EbayTransaction, currency: str, first: int) -> list[SettlementLine]:
    if tx.amount.currency != currency:
        raise ValidationFailed(
            f"eBay transaction {tx.transactionId} is in {tx.amount.currency}, the payout in {currency}"
        )
    sign = Decimal(1) if tx.bookingEntry == "CREDIT" else Decimal(-1)
    net = sign * tx.amount.value
    order = _order_of(tx)

    def line(kind: LineKind, amount: Decimal, **extra: Any) -> SettlementLine:
        return SettlementLine(
            line_no=first + len(lines),
            kind=kind,
            amount=Money(amount=amount, currency=currency),
            description=f"{tx.transactionType} {tx.transactionId}" + (f" {tx.feeType}" if tx.feeType else ""),
            channel_order_id=order,
            posted_at=tx.transactionDate,
            **extra,
        )

    lines: list[SettlementLine] = []
    if tx.transactionType in ("SALE", "REFUND"):
        fees = [(item.lineItemId, fee) for item in tx.orderLineItems for fee in item.marketplaceFees]
        total_fee = tx.totalFeeAmount.value if tx.totalFeeAmount else sum((f.amount.value for _, f in fees), Decimal(0))
        kind = LineKind.SALE if tx.transactionType == "SALE" else LineKind.REFUND
        # Fees are taken from a sale (negative) and given back on a refund (positive).
        lines.append(
            line(
                kind,
                net + sign * total_fee,
                component=SaleComponent.GROSS,
                refund_ref=tx.transactionId if kind is LineKind.REFUND else None,
            )
        )
        itemized = sum((f.amount.value for _, f in fees), Decimal(0))
        for item_id, fee in fees:
            lines.append(
                line(
                    LineKind.FEE,
                    -sign * fee.amount.value,
                    fee_type=_FEE_TYPE.get(fee.feeType, FeeType.OTHER),
                    order_line_ref=item_id,
                )
            )
        if total_fee != itemized:  # fees not broken down by line item
            lines.append(line(LineKind.FEE, -sign * (total_fee - itemized), fee_type=FeeType.COMMISSION))
    elif tx.transactionType in _FEE_TRANSACTIONS:
        fee_type = _FEE_TRANSACTIONS[tx.transactionType] or _FEE_TYPE.get(tx.feeType or "", FeeType.OTHER)
        lines.append(line(LineKind.FEE, net, fee_type=fee_type))
    else:  # CREDIT, TRANSFER, ADJUSTMENT, WITHDRAWAL, LOAN_REPAYMENT
        lines.append(line(LineKind.ADJUSTMENT, net))
    return lines


def payout_from_ebay(payout: dict[str, Any], transactions: list[dict[str, Any]]) -> Payout:
    """One payout (an item of getPayouts' `payouts`) and its transactions -> one canonical Payout."""
    vendor = validate_at_edge(EbayPayout, payout, "eBay payout")
    txs = [validate_at_edge(EbayTransaction, tx, f"eBay transaction {n}") for n, tx in enumerate(transactions)]
    currency = vendor.amount.currency
    lines: list[SettlementLine] = []
    for tx in txs:
        if tx.payoutId not in (None, vendor.payoutId):
            continue
        lines.extend(_lines_of(tx, currency, len(lines)))
    return Payout(
        channel="ebay",
        payout_id=vendor.payoutId,
        currency=currency,
        reported_total=Money(amount=vendor.amount.value, currency=currency),
        deposit_date=vendor.payoutDate,
        period_end=vendor.payoutDate,
        status=vendor.payoutStatus,
        lines=lines,
    )
