"""Poll windows from a watermark, overlapping so late records are seen and dedupe keeps them single.

A marketplace's "updated after t" listing is eventually consistent: an order can show up in the API
minutes after the time it says it was updated (Zalando's ``modified_at``, Amazon's
``LastUpdateDate``). A poller that asked for ``(watermark, now]`` and moved the watermark to ``now``
would skip it for good. So each window starts ``overlap`` before the watermark, ends ``settle``
before now (Amazon refuses an end later than two minutes ago), and the watermark moves to the
window's end only after every record of the window was queued. Records seen again in the overlap
are duplicates by delivery id and are not queued twice.

    first poll:  [end - first_lookback, now - settle]
    later polls: [watermark - overlap, now - settle]   then watermark := now - settle
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PollWindow:
    after: datetime
    before: datetime

    def as_dict(self) -> dict[str, str]:
        return {"after": format_watermark(self.after), "before": format_watermark(self.before)}


@dataclass(frozen=True, slots=True)
class WindowPolicy:
    overlap: timedelta
    settle: timedelta
    first_lookback: timedelta


class WatermarkStore(Protocol):
    def load(self, poller: str) -> datetime | None:
        """The poller's watermark, or None before its first successful run."""
        ...

    def advance(self, poller: str, watermark: datetime, report: dict[str, object]) -> bool:
        """Move the watermark forward (never back); False when a later one is already stored."""
        ...


def format_watermark(value: datetime) -> str:
    """Fixed-width UTC text, so stored watermarks compare correctly as strings."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_watermark(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def plan_window(watermark: datetime | None, now: datetime, policy: WindowPolicy) -> PollWindow | None:
    """The window to poll now, or None when it would be empty (polled again within ``settle``)."""
    before = now - policy.settle
    after = before - policy.first_lookback if watermark is None else watermark - policy.overlap
    if after >= before:
        return None
    return PollWindow(after=after, before=before)
