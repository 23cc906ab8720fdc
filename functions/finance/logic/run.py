"""A settlement reconciliation run: every stored payout of each channel settled again, newest first.

Settling again is safe (settle.py: the journal is posted once, each variance is the same exception),
so a run reports where each payout stands now: an order that arrived since, a refund recorded since,
changes its variances. The run keeps each payout's reconciliation (expected, reported, fees by type,
its variances, payout against deposit); each payout's full reconciliation stays in its own item
(`SETTLEMENT#<channel>#<payout_id>`), the run keeps at most `MAX_VARIANCES_PER_PAYOUT` of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from functions.finance.logic.settle import Settler
from functions.finance.models.runs import SettlementRun
from shared.models.common import utc_now
from shared.models.settlement import Payout
from shared.observability import logger

MAX_VARIANCES_PER_PAYOUT = 50  # a run of the 2 x 50 newest payouts stays far below DynamoDB's 400 KB


class RunStore(Protocol):
    def list_payouts(self, channel: str, limit: int = 100) -> list[Payout]: ...

    def save_run(self, run: SettlementRun) -> None: ...


def run_settlement(
    run: SettlementRun,
    store: RunStore,
    settler: Settler,
    channels: Sequence[str],
    per_channel: int,
    now: Callable[[], datetime] = utc_now,
) -> SettlementRun:
    run = run.model_copy(update={"status": "RUNNING", "started_at": now()})
    store.save_run(run)
    try:
        reconciliations = [
            settler.settle(payout, stored=True)
            for channel in channels
            for payout in store.list_payouts(channel, per_channel)
        ]
    except Exception as exc:  # the run record says it failed; the invoke's retry runs it again
        logger.exception("settlement run failed", run_id=run.run_id)
        failed = run.model_copy(update={"status": "FAILED", "finished_at": now(), "error": type(exc).__name__})
        store.save_run(failed)
        raise
    variances = [v for r in reconciliations for v in r.variances]
    done = run.model_copy(
        update={
            "status": "SUCCEEDED",
            "finished_at": now(),
            "payouts": [
                r.model_copy(update={"variances": r.variances[:MAX_VARIANCES_PER_PAYOUT]}) for r in reconciliations
            ],
            "exceptions": len({v.exception_id for v in variances if v.exception_id}),
        }
    )
    store.save_run(done)
    return done
