"""Reconciliations: start a run, list runs, one run, the audit trail of resolved exceptions."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.ops.routes._http import answer, checked_sku, deps
from shared.errors import UpstreamUnavailable, ValidationFailed

router = Router()


@router.post("/v1/ops/reconciliations/<kind>")
def start_reconciliation(kind: str) -> Response:
    from functions.ops.logic import channels as channel_ops
    from functions.ops.models.responses import StartedRun

    given = deps(router)
    # Settlement runs are finance's (functions/finance/handlers/reconcile_settlement.py), the rest the
    # reconciliation function's.
    starter = given.settlement_starter if kind == "settlement" else given.starter
    if starter is None:
        raise UpstreamUnavailable(f"on-demand {kind} reconciliation is not configured (its function)")
    run = channel_ops.start_run(kind, given.need_runs(), starter)
    return answer(StartedRun(run_id=run.run_id, kind=run.kind, status=run.status.value), 202)


@router.get("/v1/ops/reconciliations/<kind>")
def list_reconciliations(kind: str) -> Response:
    from functions.ops.logic import channels as channel_ops
    from functions.ops.models.responses import RunList

    limit = router.current_event.get_query_string_value("limit", "20") or "20"
    if not limit.isdigit():
        raise ValidationFailed("limit must be a whole number", details=[{"field": "limit", "message": limit}])
    runs = channel_ops.list_runs(kind, deps(router).need_runs(), int(limit))
    return answer(RunList(kind=kind, runs=runs))


@router.get("/v1/ops/reconciliations/<kind>/<run_id>")
def get_reconciliation(kind: str, run_id: str) -> Response:
    from functions.ops.logic import channels as channel_ops

    return answer(channel_ops.get_run(kind, run_id, deps(router).need_runs()))


@router.get("/v1/ops/audit")
def list_audit() -> Response:
    from functions.ops.logic import exceptions as exception_ops

    query = router.current_event.get_query_string_value
    sku = query("sku", None)
    limit = exception_ops.parse_limit(query("limit", None))
    return answer(exception_ops.audit_trail(deps(router).need_exceptions(), checked_sku(sku) if sku else None, limit))
