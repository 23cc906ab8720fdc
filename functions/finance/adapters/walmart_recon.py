"""Walmart Marketplace's reconciliation report (Recon report, V1, as JSON) -> Payout.

Shapes from Walmart's pages (found with the search tool):
- Available recon report dates, https://developer.walmart.com/us-marketplace/docs/available-recon-report-dates:
  `GET /v3/report/reconreport/availableReconFiles?reportVersion=v1` -> `{"availableApReportDates":
  ["<date>", ...]}`, "each value ... represents a report file that can be downloaded"; call it "on a
  scheduled basis, compare results with stored historical downloads, trigger recon file retrieval for
  new entries".
- Recon report JSON, https://developer.walmart.com/us-marketplace/docs/recon-report-json and
  https://developer.walmart.com/us-marketplace/docs/generate-a-reconciliation-report:
  `GET /v3/report/reconreport/reconFileJson?reportDate=<date>&reportVersion=v1` -> `{"reportData":
  [{<column>: "<string>"}, ...]}`, every value a string. One row per amount: `Transaction Type`
  (`PaymentSummary`, `Sale`, `Refund`, `Adjustment`, ...), `Transaction Description`,
  `Transaction Key`, `Transaction Posted Timestamp` (MM/DD/YYYY), `Customer Order #`,
  `Customer Order line #`, `Purchase Order #`, `Purchase Order line #`, `Partner Item Id`,
  `Amount` (signed: a commission is negative on a sale, positive on its refund) and `Amount Type`
  (`Product Price`, `Product tax`, `Shipping Price`, `Shipping tax`, `Commission on Product`,
  `Fee/Reimbursement`, ...), `Currency`. The `PaymentSummary` row carries the cycle
  (`Period Start Date`, `Period End Date`), `Total Payable` (what is deposited) and its own posted
  date ("Deposited in account"); on the other rows those columns hold `""`.
- Headers as for every Marketplace call: `WM_SEC.ACCESS_TOKEN`, `WM_QOS.CORRELATION_ID`,
  `WM_SVC.NAME` (shared/channels/clients/walmart_api.py).

Our Walmart orders are keyed by the purchase order id (PO_CREATED's `purchaseOrderId`), so a line
names its order by `Purchase Order #` (falling back to `Customer Order #` when a row has no PO).
One report is one settlement cycle: its payout id is the report date.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.errors import ValidationFailed
from shared.models.money import Money
from shared.models.settlement import FeeType, LineKind, Payout, SaleComponent, SettlementLine

_COMPONENT = {
    "product price": SaleComponent.PRINCIPAL,
    "product tax": SaleComponent.TAX,
    "shipping price": SaleComponent.SHIPPING,
    "shipping tax": SaleComponent.TAX,
    "gift wrap price": SaleComponent.SHIPPING,
    "gift wrap tax": SaleComponent.TAX,
}
_FEES_BY_DESCRIPTION = (
    ("wfs", FeeType.FULFILMENT),
    ("fulfillment", FeeType.FULFILMENT),
    ("advertis", FeeType.ADVERTISING),
    ("sponsored", FeeType.ADVERTISING),
    ("shipping label", FeeType.SHIPPING_LABEL),
    ("chargeback", FeeType.CHARGEBACK),
    ("subscription", FeeType.SUBSCRIPTION),
)
_SUMMARY = "paymentsummary"
_EMPTY = {"", '""'}


def _text(row: dict[str, Any], column: str) -> str:
    value = str(row.get(column) or "").strip()
    return "" if value in _EMPTY else value


def _amount(row: dict[str, Any], column: str, number: int) -> Decimal:
    text = _text(row, column).replace(",", "")
    try:
        return Decimal(text) if text else Decimal("0")
    except InvalidOperation:
        raise ValidationFailed(f"Walmart recon row {number}: {column} {text!r} is not an amount") from None


def _date(text: str) -> datetime | None:
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def walmart_report_date(text: str) -> datetime | None:
    """A recon report date as midnight UTC, or None. Walmart's examples give `MMddyyyy` (one guide
    shows `yyyyMMdd`): both are read; the string itself stays the report's id."""
    for fmt in ("%m%d%Y", "%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _classify(transaction_type: str, amount_type: str, description: str) -> dict[str, Any]:
    tt, at = transaction_type.lower(), amount_type.lower()
    if at in _COMPONENT and tt in ("sale", "refund"):
        return {"kind": LineKind.SALE if tt == "sale" else LineKind.REFUND, "component": _COMPONENT[at]}
    if at.startswith("commission"):
        return {"kind": LineKind.FEE, "fee_type": FeeType.COMMISSION}
    words = f"{description} {amount_type}".lower()
    for needle, fee_type in _FEES_BY_DESCRIPTION:
        if needle in words:
            return {"kind": LineKind.FEE, "fee_type": fee_type}
    if at.endswith("tax withheld") or at.endswith("tax"):
        # Walmart as the marketplace facilitator keeps the tax it collected: part of the sale's money.
        kind = LineKind.REFUND if tt == "refund" else LineKind.SALE
        return {"kind": kind, "component": SaleComponent.TAX}
    return {"kind": LineKind.ADJUSTMENT}


def payout_from_walmart_recon(document: dict[str, Any], report_date: str) -> Payout:
    """One recon report (`{"reportData": [...]}`) of `report_date` -> one canonical Payout."""
    rows = document.get("reportData") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed("not a Walmart recon report: reportData is not a list of rows")
    summaries = [r for r in rows if _text(r, "Transaction Type").lower() == _SUMMARY]
    if len(summaries) != 1:
        raise ValidationFailed(f"Walmart recon report {report_date}: {len(summaries)} PaymentSummary rows, not one")
    summary = summaries[0]
    currency = _text(summary, "Currency")
    if len(currency) != 3:
        raise ValidationFailed(f"Walmart recon report {report_date}: no currency on the PaymentSummary row")
    lines: list[SettlementLine] = []
    for number, row in enumerate(rows):
        if row is summary:
            continue
        row_currency = _text(row, "Currency") or currency
        if row_currency != currency:
            raise ValidationFailed(f"Walmart recon row {number} is in {row_currency}, the report in {currency}")
        amount = _amount(row, "Amount", number)
        if not amount:
            continue
        description = _text(row, "Transaction Description") or _text(row, "Transaction Type")
        order_id = _text(row, "Purchase Order #") or _text(row, "Customer Order #") or None
        line_ref = _text(row, "Purchase Order line #") or _text(row, "Customer Order line #") or None
        lines.append(
            SettlementLine(
                line_no=len(lines),
                amount=Money(amount=amount, currency=currency),
                description=f"{description} / {_text(row, 'Amount Type')}".strip(" /"),
                channel_order_id=order_id,
                order_line_ref=line_ref,
                sku=_text(row, "Partner Item Id") or None,
                posted_at=_date(_text(row, "Transaction Posted Timestamp")),
                **_classify(_text(row, "Transaction Type"), _text(row, "Amount Type"), description),
            )
        )
    deposit = _date(_text(summary, "Transaction Posted Timestamp"))
    return Payout(
        channel="walmart",
        payout_id=report_date,
        currency=currency,
        reported_total=Money(amount=_amount(summary, "Total Payable", 0), currency=currency),
        deposit_date=deposit,
        period_start=_date(_text(summary, "Period Start Date")),
        period_end=_date(_text(summary, "Period End Date")) or deposit,
        status=_text(summary, "Transaction Description") or None,
        lines=lines,
    )
