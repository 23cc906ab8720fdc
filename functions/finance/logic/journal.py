"""The ERP journal of one payout (NetSuite `journalEntry`): pure, no I/O.

The sales order already recognized each order's revenue (and its tax) when the order was accepted,
whichever of webhook, poll or report told us first; a payout therefore never credits revenue again.
It clears the channel's receivable for the orders it pays, and books the rest where it belongs:

| debit | credit |
| --- | --- |
| bank: the payout (a negative payout is credited) | receivable: sales and refunds of our orders |
| fee expense per fee type (what the channel took) | suspense: lines of orders we do not know |
| reserve: what the channel holds back | adjustments: anything else |

Debits equal credits by construction (the payout is the sum of its lines); a payout whose lines do
not add up to what the channel pays is not posted (its `payout_total` variance is an exception).
The external id names the payout, so a replay upserts the same journal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from functions.finance.models.rules import Accounts
from shared.models.settlement import Payout, PayoutReconciliation

ZERO = Decimal("0")


def journal_external_id(channel: str, payout_id: str) -> str:
    return f"settlement-{channel}-{payout_id}"


def _line(account: str, amount: Decimal, memo: str) -> dict[str, Any]:
    """A debit for a positive amount, a credit for a negative one (as strings: never float)."""
    side = "debit" if amount > 0 else "credit"
    return {"account": {"id": account}, side: str(abs(amount)), "memo": memo}


def journal_for(payout: Payout, reconciliation: PayoutReconciliation, accounts: Accounts) -> dict[str, Any]:
    """The `journalEntry` body for `PUT .../journalEntry/eid:<external id>`."""
    r = reconciliation
    entries: list[tuple[str, Decimal, str]] = [
        (accounts.bank, r.lines_total, f"{payout.channel} payout {payout.payout_id}")
    ]
    for fee_type, amount in r.fees.items():
        entries.append((accounts.fee_account(fee_type), -amount, f"{payout.channel} {fee_type.value} fees"))
    entries.append((accounts.reserve, -r.reserve, f"{payout.channel} reserve"))
    entries.append((accounts.receivable, -r.reported, f"{payout.channel} orders settled"))
    entries.append((accounts.suspense, -r.unmatched, f"{payout.channel} lines of unknown orders"))
    entries.append((accounts.adjustments, -r.adjustments, f"{payout.channel} adjustments"))
    lines = [_line(account, amount, memo) for account, amount, memo in entries if amount]
    debits = sum((Decimal(line.get("debit", "0")) for line in lines), ZERO)
    credits = sum((Decimal(line.get("credit", "0")) for line in lines), ZERO)
    if debits != credits:
        raise ValueError(f"journal of payout {payout.payout_id} does not balance: {debits} != {credits}")
    when = payout.deposit_date or payout.period_end
    body: dict[str, Any] = {
        "externalId": journal_external_id(payout.channel, payout.payout_id),
        "currency": {"refName": payout.currency},
        "memo": f"{payout.channel} settlement {payout.payout_id}",
        "line": {"items": lines},
    }
    if when is not None:
        body["tranDate"] = when.date().isoformat()
    return body
