"""Ops over channel allocation: rules (GET / PUT, default or per SKU), listing ids, reconciliation runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from functions.ops.adapters.run_starter import RunStarter
from shared.adapters.availability_store import AvailabilityStore
from shared.errors import NotFound, ValidationFailed
from shared.models import utc_now
from shared.models.allocation import DEFAULT_SCOPE, AllocationRules, AllocationRulesInput, ListingIds
from shared.models.reconciliation import KINDS, ReconciliationRun, RunRequest, RunStatus
from shared.run_ids import new_run_id


class RunStore(Protocol):
    def save_run(self, run: ReconciliationRun) -> None: ...

    def get_run(self, kind: str, run_id: str) -> ReconciliationRun | None: ...

    def list_runs(self, kind: str, limit: int = 20) -> list[ReconciliationRun]: ...


def _validation_failed(exc: ValidationError, what: str) -> ValidationFailed:
    details = [
        {"field": ".".join(str(p) for p in error["loc"]) or "body", "message": error["msg"]}
        for error in exc.errors(include_url=False, include_context=False)
    ]
    return ValidationFailed(f"invalid {what}", details=details)


def get_rules(store: AvailabilityStore, scope: str = DEFAULT_SCOPE) -> AllocationRules:
    rules = store.get_rules(scope)
    if rules is None:
        raise NotFound(f"no allocation rules for {scope}")
    return rules


def put_rules(
    store: AvailabilityStore, body: Any, scope: str = DEFAULT_SCOPE, now: Callable[[], datetime] = utc_now
) -> AllocationRules:
    """Validate, store (version + 1) and republish: the default's SKUs all, an override's SKU only."""
    try:
        rules = AllocationRulesInput.model_validate(body)
    except ValidationError as exc:
        raise _validation_failed(exc, "allocation rules") from exc
    at = now()
    stored = store.put_rules(scope, rules, at)
    if scope == DEFAULT_SCOPE:
        store.mark_all_dirty(at)
    else:
        store.mark_dirty([scope], at)
    return stored


def put_listing_ids(store: AvailabilityStore, sku: str, body: Any, now: Callable[[], datetime] = utc_now) -> ListingIds:
    try:
        listing = ListingIds.model_validate({"sku": sku, "ids": body})
    except ValidationError as exc:
        raise _validation_failed(exc, "listing ids") from exc
    store.put_listing_ids(sku, {str(k): v for k, v in listing.ids.items()})
    store.mark_dirty([sku], now())  # the channels hear about the SKU under its (new) id
    return listing


def _known_kind(kind: str) -> None:
    if kind not in KINDS:
        raise NotFound(f"unknown reconciliation kind: {kind}")


def start_run(
    kind: str, runs: RunStore, starter: RunStarter, now: Callable[[], datetime] = utc_now
) -> ReconciliationRun:
    """Record the run as QUEUED, then hand it to the reconciliation function (asynchronously)."""
    _known_kind(kind)
    at = now()
    run = ReconciliationRun(
        run_id=new_run_id(at), kind=kind, status=RunStatus.QUEUED, trigger="on_demand", requested_at=at
    )
    runs.save_run(run)
    starter.start(RunRequest(run_id=run.run_id, kind=kind, trigger="on_demand", requested_at=at))
    return run


def list_runs(kind: str, runs: RunStore, limit: int = 20) -> list[ReconciliationRun]:
    _known_kind(kind)
    return runs.list_runs(kind, max(1, min(limit, 100)))


def get_run(kind: str, run_id: str, runs: RunStore) -> ReconciliationRun:
    _known_kind(kind)
    run = runs.get_run(kind, run_id)
    if run is None:
        raise NotFound(f"no {kind} reconciliation run {run_id}")
    return run
