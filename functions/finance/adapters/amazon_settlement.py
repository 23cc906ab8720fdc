"""Amazon's Flat File V2 settlement report (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`) -> Payout.

The shape, from Amazon's pages (found with the search tool):
- "Settlement Reports" (SP-API report type values,
  https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement): tab-delimited; the
  price columns of V1 are condensed into `amount-type`, `amount-description` and `amount`; columns
  settlement-id, settlement-start-date, settlement-end-date, deposit-date, total-amount, currency,
  transaction-type, order-id, merchant-order-id, adjustment-id, shipment-id, marketplace-name,
  amount-type, amount-description, amount, fulfillment-id, posted-date, posted-date-time,
  order-item-code, merchant-order-item-id, merchant-adjustment-item-id, sku, quantity-purchased.
  Settlement reports cannot be requested (no createReport): Amazon schedules them and getReports
  finds them.
- Amazon Pay "Settlement Reports" (https://pay.amazon.eu/help/201047650): "amount-type=ItemPrice,
  amount-description=<type of ItemPrice> and amount=price-amount".
- The field definitions (quoted on https://sellercentral-europe.amazon.com/forums/t/518611):
  transaction-type is Order, Adjustment (Refund in V2 files), OtherFee or MiscEvent; one currency
  for every row; dates as `2003-10-03T16:00:00-07:00` (V2 files also write `2026-11-18 08:00:11
  UTC`, EU files `18.11.2026 08:00:11 UTC`: all three are read).

The first data row is the settlement's summary (its total-amount and dates, no transaction-type);
every other row is one amount.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from shared.errors import ValidationFailed
from shared.models.money import Money
from shared.models.settlement import FeeType, LineKind, Payout, SaleComponent, SettlementLine

REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

# amount-description of ItemFees (and other fee rows) -> our fee type. Anything else is OTHER.
_FEES = {
    "commission": FeeType.COMMISSION,
    "refundcommission": FeeType.COMMISSION,
    "variableclosingfee": FeeType.COMMISSION,
    "fixedclosingfee": FeeType.COMMISSION,
    "fbaperunitfulfillmentfee": FeeType.FULFILMENT,
    "fbaperorderfulfillmentfee": FeeType.FULFILMENT,
    "fbaweightbasedfee": FeeType.FULFILMENT,
    "fbapickandpackfee": FeeType.FULFILMENT,
    "shippingchargeback": FeeType.SHIPPING_LABEL,
    "shippinghb": FeeType.SHIPPING_LABEL,
    "shipping label purchase": FeeType.SHIPPING_LABEL,
    "cost of advertising": FeeType.ADVERTISING,
    "transactiontotalamount": FeeType.ADVERTISING,
    "subscription fee": FeeType.SUBSCRIPTION,
    "current reserve amount": FeeType.RESERVE,
    "previous reserve amount balance": FeeType.RESERVE,
}
_COMPONENTS = {
    "principal": SaleComponent.PRINCIPAL,
    "tax": SaleComponent.TAX,
    "shipping": SaleComponent.SHIPPING,
    "shippingtax": SaleComponent.TAX,
    "giftwrap": SaleComponent.SHIPPING,
}
_ORDER_TYPES = {"order"}
_REFUND_TYPES = {"refund", "adjustment"}
_CHARGEBACK_TYPES = {"chargeback refund", "a-to-z guarantee claim"}


def _date(value: str) -> datetime | None:
    text = value.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S UTC", "%d.%m.%Y %H:%M:%S UTC", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "unreadable date in the settlement report", details=[{"field": "date", "message": text[:40]}]
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _amount(value: str, row: int) -> Decimal:
    try:
        # EU reports write a decimal comma.
        return Decimal(value.strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed(
            "unreadable amount in the settlement report", details=[{"field": f"row {row}", "message": value[:40]}]
        ) from None


def _classify(
    transaction_type: str, amount_type: str, description: str
) -> tuple[LineKind, SaleComponent | None, FeeType | None]:
    tt, at, desc = transaction_type.lower(), amount_type.lower(), description.lower()
    if desc in ("current reserve amount", "previous reserve amount balance"):
        return LineKind.RESERVE, None, FeeType.RESERVE
    if tt in _CHARGEBACK_TYPES:
        return LineKind.FEE, None, FeeType.CHARGEBACK
    if at in ("itemprice", "promotion") and tt in _ORDER_TYPES | _REFUND_TYPES:
        component = SaleComponent.PROMOTION if at == "promotion" else _COMPONENTS.get(desc, SaleComponent.PRINCIPAL)
        return (LineKind.SALE if tt in _ORDER_TYPES else LineKind.REFUND), component, None
    if at in ("itemfees", "cost of advertising") or tt in ("servicefee", "otherfee") or desc in _FEES:
        return LineKind.FEE, None, _FEES.get(desc) or _FEES.get(at, FeeType.OTHER)
    return LineKind.ADJUSTMENT, None, None


def parse_settlement_report(text: str, channel: str = "amazon") -> Payout:
    """The report's text (tab-separated, header first) -> one canonical Payout."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t")
    rows = list(reader)
    missing = {"settlement-id", "total-amount", "currency", "transaction-type", "amount-type", "amount"} - set(
        reader.fieldnames or []
    )
    if missing or not rows:
        raise ValidationFailed(
            "not a V2 settlement report",
            details=[{"field": "header", "message": ", ".join(sorted(missing)) or "no rows"}],
        )
    summary = rows[0]
    currency = summary["currency"].strip()
    lines: list[SettlementLine] = []
    for number, row in enumerate(rows[1:], start=1):
        if not (row.get("amount") or "").strip():
            continue
        kind, component, fee_type = _classify(
            row.get("transaction-type") or "", row.get("amount-type") or "", row.get("amount-description") or ""
        )
        lines.append(
            SettlementLine(
                line_no=number,
                kind=kind,
                amount=Money(amount=_amount(row["amount"], number), currency=currency),
                description=" / ".join(
                    part
                    for part in (row.get("transaction-type"), row.get("amount-type"), row.get("amount-description"))
                    if part
                ),
                channel_order_id=(row.get("order-id") or "").strip() or None,
                order_line_ref=(row.get("order-item-code") or "").strip() or None,
                sku=(row.get("sku") or "").strip() or None,
                refund_ref=(row.get("adjustment-id") or "").strip() or None,
                component=component,
                fee_type=fee_type,
                posted_at=_date(row.get("posted-date-time") or "") or _date(row.get("posted-date") or ""),
            )
        )
    return Payout(
        channel=channel,
        payout_id=summary["settlement-id"].strip(),
        currency=currency,
        reported_total=Money(amount=_amount(summary["total-amount"], 0), currency=currency),
        deposit_date=_date(summary.get("deposit-date") or ""),
        period_start=_date(summary.get("settlement-start-date") or ""),
        period_end=_date(summary.get("settlement-end-date") or ""),
        lines=lines,
    )
