"""In-memory reconciliation store and run starter (what the DynamoDB store does, without DynamoDB)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.adapters.reconciliation_store import new_exception_id
from shared.models import InventoryPosition
from shared.models.reconciliation import ReconciliationRun, RunRequest
from tests.fakes.availability import MemoryAvailabilityStore


class MemoryReconciliationStore:
    def __init__(self, availability: MemoryAvailabilityStore | None = None) -> None:
        self.availability = availability or MemoryAvailabilityStore()
        self.runs: dict[tuple[str, str], ReconciliationRun] = {}
        self.audit: list[dict[str, Any]] = []
        self.exceptions: list[dict[str, Any]] = []

    def all_positions(self) -> list[InventoryPosition]:
        return [p for by_loc in self.availability.positions_by_sku.values() for p in by_loc.values()]

    def save_run(self, run: ReconciliationRun) -> None:
        self.runs[(run.kind, run.run_id)] = run

    def get_run(self, kind: str, run_id: str) -> ReconciliationRun | None:
        return self.runs.get((kind, run_id))

    def list_runs(self, kind: str, limit: int = 20) -> list[ReconciliationRun]:
        return [r for (k, _), r in sorted(self.runs.items(), reverse=True) if k == kind][:limit]

    def correct(self, position: InventoryPosition, on_hand: int, audit: dict[str, Any], at: datetime) -> bool:
        current = self.availability.positions_by_sku.get(position.sku, {}).get(position.location_id)
        if (current.version if current else 0) != position.version or (
            current is not None and current.on_hand != position.on_hand
        ):
            return False
        self.availability.positions_by_sku.setdefault(position.sku, {})[position.location_id] = position.model_copy(
            update={"on_hand": on_hand, "version": position.version + 1}
        )
        self.audit.append(dict(audit))
        self.availability.mark_dirty([position.sku], at)
        return True

    def raise_exception(self, record: dict[str, Any], at: datetime) -> str:
        exception_id = new_exception_id(at)
        self.exceptions.append({**record, "exception_id": exception_id})
        return exception_id


class RecordingStarter:
    def __init__(self) -> None:
        self.started: list[RunRequest] = []

    def start(self, request: RunRequest) -> None:
        self.started.append(request)
