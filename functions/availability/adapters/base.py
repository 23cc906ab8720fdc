"""Base of the channel stock connectors: per-item calls or a bulk feed, within the vendor's limits.

A connector gets the coalesced updates of one run for its channel and decides how to send them:
per item (or in the vendor's small batches) while that fits, a bulk feed when there are more
than `feed_threshold` updates and the channel's hourly feed allowance has room. Every call first
takes its tokens from the connector's bucket (the vendor's documented rate and burst). A 429
stops the channel for this run; whatever was not sent stays dirty for the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from shared.channels.clients.paced import PacedConnector
from shared.errors import Rejected, Throttled, Unavailable
from shared.models import utc_now
from shared.rate_limit import OutOfTime


@dataclass(frozen=True)
class StockUpdate:
    sku: str
    listing_id: str  # the channel's own key for the item (the SKU unless mapped)
    units: int


@dataclass
class PublishOutcome:
    mode: str = "item"  # "item" | "feed"
    sent: list[str] = field(default_factory=list)  # SKUs the channel accepted
    failed: dict[str, str] = field(default_factory=dict)  # SKU -> reason (retried next run)
    calls: int = 0


class FeedLedger(Protocol):
    def feeds_sent_since(self, channel: str, since: datetime) -> int: ...

    def record_feed(self, channel: str, at: datetime) -> None: ...


@dataclass(frozen=True)
class Limits:
    """A vendor's documented limits (the connector module cites where each comes from)."""

    item_rate_per_second: float
    item_burst: float
    item_batch: int = 1  # updates per item call (eBay 25, Zalando many)
    feeds_per_hour: int = 0  # 0: the channel has no bulk feed
    feed_threshold: int = 0  # use a feed above this many updates (when one is allowed)
    feed_max_items: int = 10_000
    # Cost of an item call in bucket tokens: "call" (one token) or "item" (one per update in it).
    cost_per: str = "call"


class ChannelConnector(PacedConnector):
    limits: ClassVar[Limits]

    def __init__(
        self, base_url: str, *, ledger: FeedLedger | None = None, now: Callable[[], datetime] = utc_now, **kwargs: Any
    ) -> None:
        super().__init__(base_url, **kwargs)
        self.ledger = ledger
        self.now = now

    def pace(self) -> tuple[float, float]:
        return self.limits.item_rate_per_second, self.limits.item_burst

    # What each vendor module provides -------------------------------------------------------------

    def send_items(self, batch: Sequence[StockUpdate]) -> dict[str, str]:
        """One item call for `batch` (at most `limits.item_batch`); SKU -> reason for refused ones."""
        raise NotImplementedError

    def send_feed(self, updates: Sequence[StockUpdate]) -> str:
        """Submit one bulk feed; returns the vendor's feed id."""
        raise NotImplementedError

    # The choice and the pacing ----------------------------------------------------------------

    def _feed_allowed(self) -> bool:
        if not self.limits.feeds_per_hour or self.ledger is None:
            return False
        since = self.now() - timedelta(hours=1)
        return self.ledger.feeds_sent_since(self.channel, since) < self.limits.feeds_per_hour

    def publish(self, updates: Sequence[StockUpdate], deadline: float | None = None) -> PublishOutcome:
        """Send the run's updates for this channel, per item or as feeds, never faster than allowed."""
        if not updates:
            return PublishOutcome()
        if len(updates) > self.limits.feed_threshold and self._feed_allowed():
            return self._publish_feeds(updates)
        return self._publish_items(updates, deadline)

    def _publish_feeds(self, updates: Sequence[StockUpdate]) -> PublishOutcome:
        outcome = PublishOutcome(mode="feed")
        size = self.limits.feed_max_items
        for start in range(0, len(updates), size):
            chunk = updates[start : start + size]
            if start and not self._feed_allowed():
                break
            try:
                self.send_feed(chunk)
            except (Throttled, Unavailable) as exc:
                outcome.failed.update(dict.fromkeys((u.sku for u in updates[start:]), type(exc).__name__))
                return outcome
            finally:
                outcome.calls += 1
            assert self.ledger is not None
            self.ledger.record_feed(self.channel, self.now())
            outcome.sent.extend(u.sku for u in chunk)
        done = set(outcome.sent)
        outcome.failed.update({u.sku: "feed allowance used up" for u in updates if u.sku not in done})
        return outcome

    def _publish_items(self, updates: Sequence[StockUpdate], deadline: float | None) -> PublishOutcome:
        outcome = PublishOutcome(mode="item")
        size = max(self.limits.item_batch, 1)
        for start in range(0, len(updates), size):
            batch = updates[start : start + size]
            cost = float(len(batch)) if self.limits.cost_per == "item" else 1.0
            try:
                self.bucket.acquire(cost, deadline)
            except OutOfTime:
                outcome.failed.update({u.sku: "out of time for the rate limit" for u in updates[start:]})
                return outcome
            try:
                refused = self.send_items(batch)
            except (Throttled, Unavailable) as exc:
                outcome.calls += 1
                outcome.failed.update({u.sku: type(exc).__name__ for u in updates[start:]})
                return outcome
            except Rejected as exc:
                outcome.calls += 1
                outcome.failed.update({u.sku: str(exc)[:200] for u in batch})
                continue
            outcome.calls += 1
            outcome.failed.update(refused)
            outcome.sent.extend(u.sku for u in batch if u.sku not in refused)
        return outcome
