"""Square's Payouts API (a payout and its payout entries) -> Payout.

Shapes from Square's pages (found with the search tool):
- ListPayouts, https://developer.squareup.com/reference/square/payouts-api/list-payouts:
  `GET /v2/payouts?location_id=&status=PAID&begin_time=&sort_order=ASC&cursor=&limit=` (limit 100 at
  most) -> `{"payouts": [{"id", "status" (SENT, FAILED, PAID), "location_id", "created_at",
  "updated_at", "amount_money": {"amount", "currency_code"}, "destination": {"type", "id"},
  "version", "type" (BATCH, SIMPLE), "arrival_date", "end_to_end_id"}], "cursor"}`.
- ListPayoutEntries, https://developer.squareup.com/docs/payouts-api/list-payout-entries and
  https://developer.squareup.com/reference/square/objects/PayoutEntry:
  `GET /v2/payouts/{payout_id}/payout-entries` -> `{"payout_entries": [{"id", "payout_id",
  "effective_at", "type" (CHARGE, REFUND, FEE, DEPOSIT_FEE, DISPUTE, HOLD_ADJUSTMENT, ADJUSTMENT,
  ...), "gross_amount_money", "fee_amount_money", "net_amount_money", "type_charge_details":
  {"payment_id"}, "type_refund_details": {"payment_id", "refund_id"}, ...}], "cursor"}`. Square's own
  example: a $150 charge has gross 15000, fee 465, net 14535; a refund has a negative gross. "The
  total amount of the payout will equal the sum of the payout entries for a batch payout."
- Money is an integer in the currency's smallest unit (`amount_money.currency_code` on payouts).
- A payout entry names a payment, not an order: the poller reads each payment's `order_id` with
  GetPayment (`GET /v2/payments/{payment_id}` -> `{"payment": {"id", "order_id", ...}}`,
  https://developer.squareup.com/reference/square/payments-api/get-payment) and keeps the answers
  beside the entries (`"orders": {payment_id: order_id}`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime

from shared.channels.base import VendorModel, validate_at_edge
from shared.errors import ValidationFailed
from shared.models.money import Money
from shared.models.settlement import FeeType, LineKind, Payout, SaleComponent, SettlementLine

# ISO 4217 currencies without minor units that Square supports (JPY); the rest have two.
_ZERO_DECIMAL = {"JPY", "KRW"}


class SquareMoney(VendorModel):
    amount: int
    currency_code: str | None = None
    currency: str | None = None

    def money(self, fallback: str) -> Money:
        currency = self.currency_code or self.currency or fallback
        return Money.from_minor(self.amount, currency, 0 if currency in _ZERO_DECIMAL else 2)


class SquarePayout(VendorModel):
    id: str
    status: str
    amount_money: SquareMoney
    created_at: AwareDatetime | None = None
    arrival_date: str | None = None
    location_id: str | None = None


class SquarePayoutEntry(VendorModel):
    id: str
    payout_id: str
    type: str
    effective_at: AwareDatetime | None = None
    gross_amount_money: SquareMoney | None = None
    fee_amount_money: SquareMoney | None = None
    net_amount_money: SquareMoney | None = None
    type_charge_details: dict[str, Any] | None = None
    type_refund_details: dict[str, Any] | None = None

    def payment_id(self) -> str | None:
        details = self.type_charge_details or self.type_refund_details or {}
        value = details.get("payment_id")
        return str(value) if value else None


_FEE_ENTRIES = {
    "FEE": FeeType.PAYMENT_PROCESSING,
    "PROCESSING_FEE": FeeType.PAYMENT_PROCESSING,
    "DEPOSIT_FEE": FeeType.OTHER,
    "DEPOSIT_FEE_REVERSED": FeeType.OTHER,
    "DISPUTE": FeeType.CHARGEBACK,
    "OPEN_DISPUTE": FeeType.CHARGEBACK,
    "HOLD_ADJUSTMENT": FeeType.RESERVE,
    "RELEASE_ADJUSTMENT": FeeType.RESERVE,
    "SQUARE_CAPITAL_PAYMENT": FeeType.OTHER,
    "SUBSCRIPTION_FEE": FeeType.SUBSCRIPTION,
}


def payout_from_square(
    payout: dict[str, Any], entries: list[dict[str, Any]], orders: dict[str, str] | None = None
) -> Payout:
    """One payout (an item of ListPayouts), its entries and `{payment_id: order_id}` -> one Payout."""
    vendor = validate_at_edge(SquarePayout, payout, "Square payout")
    items = [validate_at_edge(SquarePayoutEntry, entry, f"Square payout entry {n}") for n, entry in enumerate(entries)]
    total = vendor.amount_money.money("USD")
    currency, orders = total.currency, orders or {}
    lines: list[SettlementLine] = []

    def add(entry: SquarePayoutEntry, kind: LineKind, money: Money, **extra: Any) -> None:
        if money.currency != currency:
            raise ValidationFailed(f"Square payout entry {entry.id} is in {money.currency}, the payout in {currency}")
        if money.amount:
            payment = entry.payment_id()
            lines.append(
                SettlementLine(
                    line_no=len(lines),
                    kind=kind,
                    amount=money,
                    description=f"{entry.type} {entry.id}",
                    channel_order_id=orders.get(payment) if payment else None,
                    posted_at=entry.effective_at,
                    **extra,
                )
            )

    zero = {"amount": 0, "currency_code": currency}
    for entry in items:
        if entry.payout_id != vendor.id:
            continue
        gross = (entry.gross_amount_money or SquareMoney.model_validate(zero)).money(currency)
        fee = (entry.fee_amount_money or SquareMoney.model_validate(zero)).money(currency)
        net = (
            entry.net_amount_money.money(currency)
            if entry.net_amount_money
            else Money(amount=gross.amount - fee.amount, currency=currency)
        )
        if entry.type in ("CHARGE", "REFUND"):
            refund_ref = (entry.type_refund_details or {}).get("refund_id")
            kind = LineKind.SALE if entry.type == "CHARGE" else LineKind.REFUND
            add(entry, kind, gross, component=SaleComponent.GROSS, refund_ref=refund_ref)
            # net = gross - fee: the fee Square kept is a negative line (a fee refunded, a positive one).
            add(
                entry,
                LineKind.FEE,
                Money(amount=-fee.amount, currency=currency),
                fee_type=FeeType.PAYMENT_PROCESSING,
                refund_ref=refund_ref,
            )
        elif entry.type in _FEE_ENTRIES:
            kind = LineKind.RESERVE if _FEE_ENTRIES[entry.type] is FeeType.RESERVE else LineKind.FEE
            add(entry, kind, net, fee_type=_FEE_ENTRIES[entry.type])
        else:
            add(entry, LineKind.ADJUSTMENT, net)
    arrival = datetime.fromisoformat(vendor.arrival_date).replace(tzinfo=UTC) if vendor.arrival_date else None
    return Payout(
        channel="square",
        payout_id=vendor.id,
        currency=currency,
        reported_total=total,
        deposit_date=arrival or vendor.created_at,
        period_end=vendor.created_at,
        status=vendor.status,
        lines=lines,
    )
