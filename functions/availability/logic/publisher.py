"""The publisher: dirty SKUs -> channel-safe availability -> each channel's connector.

One run (every minute): read the dirty markers, compute every dirty SKU's allocation from its
positions and rules, keep only the channels whose units differ from what they were last told,
hand each channel all of its updates at once (the connector picks per-item calls or a feed and
paces them), record what was accepted, and clear a marker only when all of its SKU's channels
are up to date and nothing changed meanwhile. However many movements a SKU had since the last
run, each channel hears about it at most once per run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from functions.availability.adapters.base import ChannelConnector, StockUpdate
from shared.adapters.availability_store import ALL_SKUS, AvailabilityStore, DirtySku
from shared.allocation import channel_units
from shared.models import utc_now
from shared.observability import logger

MetricSink = Callable[[str, str, float, str], None]  # (name, unit, value, channel)


def _no_metrics(name: str, unit: str, value: float, channel: str) -> None:
    return None


@dataclass
class ChannelReport:
    mode: str = "item"
    calls: int = 0
    published: int = 0
    failed: int = 0


@dataclass
class PublishReport:
    dirty: int = 0
    unchanged: int = 0
    cleared: int = 0
    channels: dict[str, ChannelReport] = field(default_factory=dict)
    unconfigured: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "dirty": self.dirty,
            "unchanged": self.unchanged,
            "cleared": self.cleared,
            "channels": {name: vars(report) for name, report in sorted(self.channels.items())},
            "unconfigured": sorted(self.unconfigured),
        }


@dataclass(eq=False)
class Publisher:
    store: AvailabilityStore
    connectors: Mapping[str, ChannelConnector]
    metric: MetricSink = _no_metrics
    now: Callable[[], datetime] = utc_now
    clock: Callable[[], float] = time.monotonic
    max_skus: int = 5_000

    def _expand_all(self, markers: list[DirtySku]) -> list[DirtySku]:
        """A rules change marks ALL: every SKU ever published becomes dirty (then ALL is cleared)."""
        everything = next((m for m in markers if m.sku == ALL_SKUS), None)
        if everything is None:
            return markers
        known = {m.sku for m in markers}
        extra = [s for s in self.store.known_skus() if s not in known]
        if extra:
            self.store.mark_dirty(extra, everything.first_changed_at)
        self.store.clear_dirty(everything)
        return self.store.dirty(self.max_skus)

    def run(self, budget_seconds: float = 50.0) -> PublishReport:
        deadline = self.clock() + budget_seconds
        markers = self._expand_all(self.store.dirty(self.max_skus))
        markers = [m for m in markers if m.sku != ALL_SKUS]
        report = PublishReport(dirty=len(markers))
        pending: dict[str, list[StockUpdate]] = {}
        wanted: dict[str, dict[str, int]] = {}
        for marker in markers:
            units = channel_units(self.store.positions(marker.sku), self.store.rules_for(marker.sku))
            told = self.store.published(marker.sku)
            changes = {ch: n for ch, n in units.items() if told.get(ch) != n}
            wanted[marker.sku] = changes
            if not changes:
                report.unchanged += 1
                continue
            listing = self.store.listing_ids(marker.sku)
            for channel, count in changes.items():
                pending.setdefault(channel, []).append(
                    StockUpdate(sku=marker.sku, listing_id=listing.get(channel, marker.sku), units=count)
                )

        accepted: dict[str, dict[str, int]] = {}
        for channel, updates in sorted(pending.items()):
            connector = self.connectors.get(channel)
            if connector is None:
                # No connector configured (e.g. a channel not live yet): computed, nothing to send.
                report.unconfigured.append(channel)
                for update in updates:
                    accepted.setdefault(update.sku, {})[channel] = update.units
                continue
            outcome = connector.publish(updates, deadline)
            report.channels[channel] = ChannelReport(
                mode=outcome.mode, calls=outcome.calls, published=len(outcome.sent), failed=len(outcome.failed)
            )
            self.metric("AvailabilityPublishCalls", "Count", outcome.calls, channel)
            if outcome.failed:
                logger.warning(
                    "channel did not take every update; they stay dirty",
                    channel=channel,
                    failed=len(outcome.failed),
                    first=next(iter(outcome.failed.items())),
                )
            by_sku = {u.sku: u.units for u in updates}
            for sku in outcome.sent:
                accepted.setdefault(sku, {})[channel] = by_sku[sku]

        at = self.now()
        for marker in markers:
            done = accepted.get(marker.sku, {})
            if done:
                self.store.record_published(marker.sku, done, at)
                lag_ms = max((at - marker.first_changed_at).total_seconds() * 1000, 0.0)
                for channel in done:
                    if channel in self.connectors:
                        self.metric("AvailabilityPublishLag", "Milliseconds", lag_ms, channel)
            if set(done) >= set(wanted.get(marker.sku, {})) and self.store.clear_dirty(marker):
                report.cleared += 1
        return report
