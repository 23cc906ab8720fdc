"""Shopify Payments payouts and balance transactions (REST Admin API) -> Payout.

Shapes from Shopify's pages (found with the search tool):
- Payouts, https://shopify.dev/docs/api/admin-rest/latest/resources/payouts:
  `GET /admin/api/<version>/shopify_payments/payouts.json` -> `{"payouts": [{"id", "status",
  "date", "currency", "amount", "summary": {"adjustments_fee_amount", "adjustments_gross_amount",
  "charges_fee_amount", "charges_gross_amount", "refunds_fee_amount", "refunds_gross_amount",
  "reserved_funds_fee_amount", "reserved_funds_gross_amount", "retried_payouts_fee_amount",
  "retried_payouts_gross_amount"}}]}`; status scheduled, in_transit, paid, failed, canceled.
- Transactions, https://shopify.dev/docs/api/admin-rest/latest/resources/transactions:
  `GET .../shopify_payments/balance/transactions.json?payout_id=<id>` -> `{"transactions": [{"id",
  "type" (charge, refund, dispute, reserve, adjustment, credit, debit, payout, payout_failure,
  payout_cancellation), "test", "payout_id", "payout_status", "currency", "amount" (gross, a decimal
  string), "fee", "net", "source_id", "source_type", "source_order_transaction_id",
  "source_order_id", "processed_at"}]}`. "Balance Transactions make up the canonical statement of
  account ... Every single movement of money in or out of the account is recorded here."

A charge or refund becomes a sale / refund line (its gross) and a payment-processing fee line (its
fee, negated); the payout's own transaction (type payout) moves the balance to the bank and is not
a line of the payout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import AwareDatetime

from shared.channels.base import VendorModel, validate_at_edge
from shared.models.money import Money
from shared.models.settlement import FeeType, LineKind, Payout, SaleComponent, SettlementLine


class ShopifyPayout(VendorModel):
    id: int | str
    status: str
    date: str
    currency: str
    amount: Decimal


class ShopifyBalanceTransaction(VendorModel):
    id: int | str
    type: str
    test: bool = False
    payout_id: int | str | None = None
    currency: str
    amount: Decimal
    fee: Decimal = Decimal("0")
    net: Decimal
    source_id: int | str | None = None
    source_type: str | None = None
    source_order_id: int | str | None = None
    processed_at: AwareDatetime | None = None


_FEE_OF = {
    "charge": FeeType.PAYMENT_PROCESSING,
    "refund": FeeType.PAYMENT_PROCESSING,
    "dispute": FeeType.CHARGEBACK,
    "reserve": FeeType.RESERVE,
}
_NOT_LINES = {"payout", "payout_failure", "payout_cancellation"}


def _line(number: int, kind: LineKind, amount: Decimal, tx: ShopifyBalanceTransaction, **extra: Any) -> SettlementLine:
    return SettlementLine(
        line_no=number,
        kind=kind,
        amount=Money(amount=amount, currency=tx.currency),
        description=f"{tx.type} {tx.id}",
        channel_order_id=str(tx.source_order_id) if tx.source_order_id is not None else None,
        posted_at=tx.processed_at,
        **extra,
    )


def payout_from_shopify(payout: dict[str, Any], transactions: list[dict[str, Any]]) -> Payout:
    """One payout (an item of `payouts`) and its balance transactions -> one canonical Payout."""
    vendor = validate_at_edge(ShopifyPayout, payout, "Shopify Payments payout")
    txs = [
        validate_at_edge(ShopifyBalanceTransaction, tx, f"Shopify balance transaction {n}")
        for n, tx in enumerate(transactions)
    ]
    lines: list[SettlementLine] = []
    for tx in txs:
        if tx.type in _NOT_LINES or tx.test or str(tx.payout_id) != str(vendor.id):
            continue
        n = len(lines)
        if tx.type in ("charge", "refund"):
            kind = LineKind.SALE if tx.type == "charge" else LineKind.REFUND
            lines.append(
                _line(
                    n,
                    kind,
                    tx.amount,
                    tx,
                    component=SaleComponent.GROSS,
                    refund_ref=str(tx.source_id) if tx.type == "refund" else None,
                )
            )
        elif tx.type == "reserve":
            lines.append(_line(n, LineKind.RESERVE, tx.amount, tx, fee_type=FeeType.RESERVE))
        elif tx.type == "dispute":
            lines.append(_line(n, LineKind.FEE, tx.amount, tx, fee_type=FeeType.CHARGEBACK))
        else:
            lines.append(_line(n, LineKind.ADJUSTMENT, tx.amount, tx))
        if tx.fee:
            lines.append(
                _line(
                    len(lines),
                    LineKind.FEE,
                    -tx.fee,
                    tx,
                    fee_type=_FEE_OF.get(tx.type, FeeType.OTHER),
                    refund_ref=str(tx.source_id) if tx.type == "refund" else None,
                )
            )
    day = datetime.fromisoformat(vendor.date).replace(tzinfo=UTC)
    # Shopify's payout amount is what leaves the balance for the bank: the deposit.
    return Payout(
        channel="shopify",
        payout_id=str(vendor.id),
        currency=vendor.currency,
        reported_total=Money(amount=vendor.amount, currency=vendor.currency),
        deposit_date=day,
        period_end=day,
        status=vendor.status,
        lines=lines,
    )
