"""In-memory ports for the pull functions' logic tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from functions.intake.logic.watermark import PollWindow
from shared.intake_ports import DeliveryWork
from shared.models import Envelope
from shared.pulled_intake import PulledIntake


class MemoryDedupe:
    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    def once(self, key: str, work: DeliveryWork) -> tuple[dict[str, Any], bool]:
        if key in self.results:
            return dict(self.results[key]), True
        result = work()  # a failing run stores nothing, like Powertools idempotency
        self.results[key] = dict(result)
        return result, False


class MemoryPublisher:
    def __init__(self, fail_after: int | None = None) -> None:
        self.envelopes: list[Envelope] = []
        self.fail_after = fail_after

    def publish(self, envelope: Envelope, raw_body: bytes) -> None:
        if self.fail_after is not None and len(self.envelopes) >= self.fail_after:
            from shared.errors import UpstreamUnavailable

            raise UpstreamUnavailable("queue down")
        self.envelopes.append(envelope)


class MemoryTrace:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, dict[str, Any]]] = []

    def record(self, correlation_id: str, hop: str, status: str, detail: dict[str, Any] | None = None) -> None:
        self.entries.append((correlation_id, hop, status, detail or {}))


class MemoryWatermarks:
    def __init__(self, start: datetime | None = None) -> None:
        self.marks: dict[str, datetime] = {}
        self.reports: list[dict[str, object]] = []
        if start is not None:
            self.start = start

    def load(self, poller: str) -> datetime | None:
        return self.marks.get(poller)

    def advance(self, poller: str, watermark: datetime, report: dict[str, object]) -> bool:
        current = self.marks.get(poller)
        self.reports.append(report)
        if current is not None and current >= watermark:
            return False
        self.marks[poller] = watermark
        return True


class ListedOrders:
    """Orders as an API lists them: each visible from ``visible_at``, updated at ``updated_at``."""

    def __init__(self) -> None:
        self.orders: list[tuple[datetime, datetime, dict[str, Any]]] = []
        self.now: datetime | None = None
        self.windows: list[PollWindow] = []
        self.fail_after: int | None = None

    def add(self, updated_at: datetime, record: dict[str, Any], visible_at: datetime | None = None) -> None:
        self.orders.append((visible_at or updated_at, updated_at, record))

    def listed(self, window: PollWindow) -> Iterable[dict[str, Any]]:
        self.windows.append(window)
        assert self.now is not None
        for count, (visible, updated, record) in enumerate(sorted(self.orders, key=lambda o: o[1])):
            if self.fail_after is not None and count >= self.fail_after:
                raise RuntimeError("vendor went away mid-window")
            if visible <= self.now and window.after < updated < window.before:
                yield record


def intake(publisher: MemoryPublisher | None = None) -> tuple[PulledIntake, MemoryPublisher, MemoryDedupe, MemoryTrace]:
    publisher = publisher or MemoryPublisher()
    dedupe, trace = MemoryDedupe(), MemoryTrace()
    return PulledIntake(dedupe, publisher, trace), publisher, dedupe, trace
