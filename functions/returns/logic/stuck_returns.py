"""The return-status reconciliation (issue 9.5): returns stuck in a state longer than policy allows
become exceptions, so nobody learns of a lost refund from the customer.

ReturnFlow catches its own failures (RecordException) and times out a wait for the warehouse
(`INSPECTION_TIMEOUT_SECONDS`). What it cannot see is a flow that stopped without saying so (an
execution stopped by hand, a step whose catch failed too, a region event): the return then sits in
its last state for ever. The sweep reads the returns created in the last `LOOKBACK_DAYS` (one Query
per day on the day index, `functions/returns/dal/return_store.py`) and, for each in a waiting state
past its allowance, raises the return's exception (`return_exception_id`: the same one RecordException
would raise, so a return already raised is not raised twice, and a repeated sweep changes nothing).

| state | allowed | why |
| --- | --- | --- |
| AWAITING_INSPECTION | the inspection timeout + 1 hour | the flow's own timeout raises before that |
| INSPECTED | 6 hours | settle, credit memo, refund and report take minutes, retries included |

REJECTED, REFUNDED, CLOSED are final; EXCEPTION is already a person's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from functions.returns.dal.return_store import ReturnStore
from functions.returns.logic.flow_steps import EXCEPTION_KIND, ExceptionPort, return_exception_id
from functions.returns.models.returns import ReturnState

LOOKBACK_DAYS = 30
INSPECTED_ALLOWANCE = timedelta(hours=6)


def allowances(inspection_timeout_seconds: int) -> dict[ReturnState, timedelta]:
    return {
        ReturnState.AWAITING_INSPECTION: timedelta(seconds=inspection_timeout_seconds) + timedelta(hours=1),
        ReturnState.INSPECTED: INSPECTED_ALLOWANCE,
    }


@dataclass
class SweepRun:
    looked_at: int = 0
    raised: list[str] = field(default_factory=list)  # return keys newly raised
    already_raised: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"looked_at": self.looked_at, "raised": self.raised, "already_raised": self.already_raised}


def sweep_stuck_returns(
    store: ReturnStore,
    exceptions: ExceptionPort,
    now: datetime,
    allowed: Mapping[ReturnState, timedelta],
    lookback_days: int = LOOKBACK_DAYS,
) -> SweepRun:
    run = SweepRun()
    for back in range(lookback_days + 1):
        for case in store.created_on((now - timedelta(days=back)).date()):
            run.looked_at += 1
            allowance = allowed.get(case.status)
            if allowance is None or now - case.updated_at <= allowance:
                continue
            hours = round((now - case.updated_at).total_seconds() / 3600, 1)
            newly = exceptions.raise_open(
                EXCEPTION_KIND,
                return_exception_id(case),
                {
                    "reason": "stuck",
                    "category": "internal",
                    "correlation_id": case.correlation_id,
                    "concerns": f"return {case.return_key} of {case.channel} order {case.channel_order_id}",
                    "return_key": case.return_key,
                    "channel": case.channel,
                    "channel_order_id": case.channel_order_id,
                    "stuck_in": case.status.value,
                    "since": case.updated_at.isoformat(),
                    "error": f"{case.status.value} for {hours} h, over the {allowance} policy allows",
                    "refund_amount": case.refund.amount,
                    "currency": case.refund.currency,
                },
                now,
            )
            (run.raised if newly else run.already_raised).append(case.return_key)
    return run
