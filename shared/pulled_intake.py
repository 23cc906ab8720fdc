"""Queuing one pulled record: describe -> dedupe on its delivery id -> envelope -> domain queue.

The pulled counterpart of the webhook ingest (``functions/ingest/logic/accept.py``), minus the HTTP
and the signature: the channel adapter's ``describe_pulled`` names the delivery, and the same
Powertools idempotency records (key ``<source>#<delivery_id>``) and event id formula
(``sha256("<source>#<delivery_id>")[:32]``) make a record reached twice, by notification and by poll,
by two overlapping poll windows or by two copies of a file, one envelope on the queue. Records the
channel does not act on (a Pending Amazon order) are counted, not stored. Shared by the pollers, the
Amazon notification handler and the POS file import.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from shared.adapters.trace_store import TraceSink
from shared.channels._pull import PullChannelAdapter
from shared.channels.base import DeliveryInfo, field_errors
from shared.channels.registry import adapter_for
from shared.errors import ValidationFailed
from shared.intake_ports import DedupePort, PublisherPort
from shared.models import Envelope

HOP = "pull"

Status = Literal["accepted", "duplicate", "ignored", "invalid"]


def event_id_for(source: str, delivery_id: str) -> str:
    """The same event id the webhook ingest gives a delivery (stable across retries)."""
    return hashlib.sha256(f"{source}#{delivery_id}".encode()).hexdigest()[:32]


def _pull_adapter(source: str) -> PullChannelAdapter:
    adapter = adapter_for(source)
    if not isinstance(adapter, PullChannelAdapter):
        raise TypeError(f"{source} is not a pulled channel")
    return adapter


@dataclass(frozen=True, slots=True)
class PulledOutcome:
    status: Status
    source: str
    delivery_id: str | None = None
    event_id: str | None = None
    correlation_id: str | None = None
    problem: str | None = None


@dataclass
class IntakeReport:
    """Counts of one run (a poll, a file, a notification)."""

    accepted: int = 0
    duplicates: int = 0
    ignored: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: PulledOutcome) -> None:
        if outcome.status == "accepted":
            self.accepted += 1
        elif outcome.status == "duplicate":
            self.duplicates += 1
        elif outcome.status == "ignored":
            self.ignored += 1
        else:
            self.invalid += 1
            self.problems.append({"delivery_id": outcome.delivery_id, "problem": outcome.problem})

    @property
    def seen(self) -> int:
        return self.accepted + self.duplicates + self.ignored + self.invalid

    def as_dict(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "ignored": self.ignored,
            "invalid": self.invalid,
            "problems": self.problems[:20],
        }


class PulledIntake:
    def __init__(
        self,
        dedupe: DedupePort,
        publisher: PublisherPort,
        trace: TraceSink,
        adapters: Callable[[str], PullChannelAdapter] = _pull_adapter,
        new_correlation_id: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.dedupe = dedupe
        self.publisher = publisher
        self.trace = trace
        self.adapters = adapters
        self.new_correlation_id = new_correlation_id

    def accept(self, source: str, payload: dict[str, Any], *, now: datetime) -> PulledOutcome:
        """Queue the record once; ``invalid`` (not raised) when its shape is wrong, so one bad record
        does not stop a poll. Queue or table failures raise (``UpstreamUnavailable``): retry the run."""
        try:
            info = self.adapters(source).describe_pulled(payload)
        except ValidationFailed as exc:
            fields = "; ".join(f"{d.get('field')}: {d.get('message')}" for d in exc.details) or exc.message
            return PulledOutcome("invalid", source, problem=f"{exc.message}: {fields}"[:500])
        if info.ignored:
            return PulledOutcome("ignored", source, delivery_id=info.delivery_id)
        correlation_id = self.new_correlation_id()
        event_id = event_id_for(source, info.delivery_id)
        try:
            envelope = self._envelope(source, info, event_id, correlation_id, now, payload)
        except ValidationError as exc:
            return PulledOutcome("invalid", source, delivery_id=info.delivery_id, problem=str(field_errors(exc))[:500])
        detail = {"source": source, "event_type": info.event_type, "delivery_id": info.delivery_id}

        def work() -> dict[str, Any]:
            raw = json.dumps(payload, separators=(",", ":")).encode()
            self.publisher.publish(envelope, raw)
            self.trace.record(correlation_id, HOP, "accepted", {**detail, "event_id": event_id, "domain": info.domain})
            return {"correlation_id": correlation_id, "event_id": event_id, "ignored": False}

        stored, duplicate = self.dedupe.once(f"{source}#{info.delivery_id}", work)
        original = str(stored.get("correlation_id") or correlation_id)
        if duplicate:
            self.trace.record(original, HOP, "duplicate", detail)
        return PulledOutcome(
            "duplicate" if duplicate else "accepted",
            source,
            delivery_id=info.delivery_id,
            event_id=str(stored.get("event_id") or event_id),
            correlation_id=original,
        )

    @staticmethod
    def _envelope(
        source: str, info: DeliveryInfo, event_id: str, correlation_id: str, now: datetime, payload: dict[str, Any]
    ) -> Envelope:
        assert info.domain is not None
        return info.envelope(source, event_id, correlation_id, now, payload)
