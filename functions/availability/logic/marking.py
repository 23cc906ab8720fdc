"""Which SKUs a domain event changes the availability of (the coalescing queue's consumer)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

# Events whose detail names a SKU (`sku`) or order lines (`lines[].sku`) reach this through the
# EventBridge rule feeding the coalescing queue (infra.constants.AVAILABILITY_EVENT_TYPES).


def skus_of(detail: Mapping[str, Any]) -> set[str]:
    skus = {str(detail["sku"])} if detail.get("sku") else set()
    for line in detail.get("lines") or []:
        if isinstance(line, Mapping) and line.get("sku"):
            skus.add(str(line["sku"]))
    return skus


def event_time(event: Mapping[str, Any], default: datetime) -> datetime:
    raw = event.get("time")
    if not isinstance(raw, str):
        return default
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def changed_skus(events: Iterable[Mapping[str, Any]], now: datetime) -> tuple[set[str], datetime]:
    """The SKUs the events touch and the earliest event time (where the publish lag starts)."""
    skus: set[str] = set()
    earliest = now
    for event in events:
        detail = event.get("detail")
        if not isinstance(detail, Mapping):
            continue
        found = skus_of(detail)
        if found:
            skus |= found
            earliest = min(earliest, event_time(event, now))
    return skus, earliest
