"""Settle one payout: match it, raise its exceptions, post its journal once, keep what it says.

Exactly once under replays: the journal is upserted by its external id (the ERP keeps one record
whatever is sent again) and the posting is recorded, so a payout settled again neither writes a
second journal nor calls the ERP again; each variance is an exception whose id is made from the
payout and what differs, so settling again counts one more failure of the same exception instead
of raising a new one. A retried exception (ops `POST /v1/ops/exceptions/{id}/retry` puts the
payout's reference back on the finance queue) is resolved when settling again no longer finds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from functions.finance.logic.journal import journal_external_id, journal_for
from functions.finance.logic.matching import match_payout
from functions.finance.models.rules import DEFAULT_FEE_SCHEDULE, Accounts, FeeRule
from shared.adapters.exception_store import exception_id
from shared.models.common import utc_now
from shared.models.money import Money
from shared.models.orders import Order
from shared.models.settlement import OrderSettlement, Payout, PayoutReconciliation, SettlementVariance, VarianceKind

KIND = "settlement"
QUEUE = "finance"  # the queue a retried settlement exception goes back to (ops keeps it by this name)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OrderReader(Protocol):
    def orders(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, Order | None]: ...


class RefundReader(Protocol):
    def refunds(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, list[Money]]: ...


class PayoutStore(Protocol):
    def save_payout(self, payout: Payout) -> None: ...

    def get_payout(self, channel: str, payout_id: str) -> Payout | None: ...

    def posting(self, external_id: str) -> str | None:
        """The ERP id of a journal already posted under `external_id`, or None."""
        ...

    def mark_posted(self, external_id: str, erp_id: str, at: datetime) -> None: ...

    def save_settlement(self, reconciliation: PayoutReconciliation, orders: Sequence[OrderSettlement]) -> None: ...


class ExceptionWriter(Protocol):
    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...

    def resolve(self, kind: str, exception_id: str, resolution: dict[str, Any], at: datetime) -> bool: ...


class JournalPort(Protocol):
    def upsert_journal(self, external_id: str, body: dict[str, Any]) -> str: ...


class NoRefunds:
    """Until the returns domain records refunds where finance can read them: refunds are netted."""

    def refunds(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, list[Money]]:
        return {}


def variance_key(payout: Payout, variance: SettlementVariance) -> str:
    parts = (
        payout.channel,
        payout.payout_id,
        variance.kind.value,
        variance.channel_order_id or "",
        variance.fee_type.value if variance.fee_type else "",
    )
    return ":".join(parts)


def settlement_exception_id(payout: Payout, variance: SettlementVariance) -> str:
    # The time in the id is the payout's own (its deposit date), so the same variance has the same id.
    at = payout.deposit_date or payout.period_end or _EPOCH
    return exception_id(KIND, at, variance_key(payout, variance))


def _record(payout: Payout, variance: SettlementVariance) -> dict[str, Any]:
    concerns = f"{payout.channel} payout {payout.payout_id}"
    if variance.channel_order_id:
        concerns += f", order {variance.channel_order_id}"
    return {
        "reason": variance.kind.value,
        "category": "validation",
        "concerns": concerns,
        "error": variance.detail,
        "channel": payout.channel,
        "payout_id": payout.payout_id,
        "channel_order_id": variance.channel_order_id,
        "fee_type": variance.fee_type.value if variance.fee_type else None,
        "currency": variance.currency,
        "reported": str(variance.reported),
        "expected": None if variance.expected is None else str(variance.expected),
        "difference": None if variance.difference is None else str(variance.difference),
        # What an ops retry puts back on the finance queue: settle this payout again.
        "queue": QUEUE,
        "payload": json.dumps({"channel": payout.channel, "payout_id": payout.payout_id}),
    }


@dataclass
class Settler:
    orders: OrderReader
    store: PayoutStore
    exceptions: ExceptionWriter
    erp: JournalPort
    refunds: RefundReader = field(default_factory=NoRefunds)
    schedules: Mapping[str, Sequence[FeeRule]] = field(default_factory=lambda: DEFAULT_FEE_SCHEDULE)
    tolerance: Decimal = Decimal("0.05")
    accounts: Accounts = field(default_factory=Accounts)
    now: Callable[[], datetime] = utc_now

    def settle(
        self,
        payout: Payout,
        retry_of: str | None = None,
        deposit_amount: Decimal | None = None,
        stored: bool = False,
    ) -> PayoutReconciliation:
        """`stored`: the payout came from the store (a run, a retry), so it is not written again."""
        if not stored:
            self.store.save_payout(payout)
        ids = sorted({line.channel_order_id for line in payout.lines if line.channel_order_id})
        matched = match_payout(
            payout,
            self.orders.orders(payout.channel, ids) if ids else {},
            self.refunds.refunds(payout.channel, ids) if ids else {},
            self.schedules.get(payout.channel, ()),
            self.tolerance,
            deposit_amount,
        )
        at = self.now()
        recon = matched.reconciliation
        raised: list[SettlementVariance] = []
        for variance in recon.variances:
            exception = settlement_exception_id(payout, variance)
            self.exceptions.raise_open(KIND, exception, _record(payout, variance), at)
            raised.append(variance.model_copy(update={"exception_id": exception}))
        if retry_of and retry_of not in {v.exception_id for v in raised}:
            self.exceptions.resolve(
                KIND, retry_of, {"action": "retried", "note": "settled again: no longer differs"}, at
            )
        recon = recon.model_copy(update={"variances": raised})
        if not any(v.kind is VarianceKind.PAYOUT_TOTAL for v in raised):
            recon = self._post(payout, recon, at)
        self.store.save_settlement(recon, matched.orders)
        return recon

    def _post(self, payout: Payout, recon: PayoutReconciliation, at: datetime) -> PayoutReconciliation:
        external_id = journal_external_id(payout.channel, payout.payout_id)
        erp_id = self.store.posting(external_id)
        if erp_id is None:
            erp_id = self.erp.upsert_journal(external_id, journal_for(payout, recon, self.accounts))
            self.store.mark_posted(external_id, erp_id, at)
        return recon.model_copy(update={"journal_external_id": external_id, "erp_journal_id": erp_id, "posted": True})
