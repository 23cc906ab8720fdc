"""The price publisher: marked SKUs -> each listing channel's effective price, once per change.

One run (every minute, and at each promotion boundary): read the dirty markers, load each SKU's
product (which channels list it, under which key) and price (its effective price at this instant),
keep only the channels that do not show that price yet, hand each channel all of its updates at
once (its connector paces them), and record what each channel took. A price a channel refuses
for good (below its floor, an invalid listing) is recorded as refused for that version and becomes
one `price` exception (retrying it marks the SKU again); a throttled, unavailable or out-of-time
channel leaves the SKU marked for the next run. A marker is cleared only when every listing channel
is settled and nothing changed meanwhile, so however many updates a SKU had since the last run,
each channel hears about its price at most once per run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from functions.pricing.adapters.channels import PriceConnector, PriceUpdate
from functions.pricing.dal.price_store import PriceStore
from shared.models.catalog import EffectivePrice

PRICE_EXCEPTION_KIND = "price"


class Exceptions(Protocol):
    def raise_open(self, kind: str, exception_id: str, record: dict[str, Any], at: datetime) -> bool: ...


@dataclass
class PriceRunReport:
    dirty: int = 0
    cleared: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    later: dict[str, int] = field(default_factory=dict)
    unconfigured: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dirty": self.dirty,
            "cleared": self.cleared,
            "sent": dict(sorted(self.sent.items())),
            "refused": dict(sorted(self.refused.items())),
            "later": dict(sorted(self.later.items())),
            "unconfigured": sorted(self.unconfigured),
        }


def exception_key(sku: str, channel: str, version: int) -> str:
    return f"{channel}:{sku}:v{version}"


def publish_prices(
    store: PriceStore,
    connectors: Mapping[str, PriceConnector],
    exceptions: Exceptions,
    now: datetime,
    *,
    max_skus: int = 2_000,
    budget_seconds: float = 50.0,
    clock: Callable[[], float] = time.monotonic,
    exception_id: Callable[[str, datetime, str], str],
) -> PriceRunReport:
    report = PriceRunReport()
    deadline = clock() + budget_seconds
    markers = store.dirty(max_skus)
    report.dirty = len(markers)
    pending: dict[str, list[PriceUpdate]] = {}
    prices: dict[str, EffectivePrice] = {}
    waiting: dict[str, set[str]] = {}  # SKU -> channels not settled yet
    for marker in markers:
        product, price = store.product(marker.sku), store.price(marker.sku)
        if product is None or price is None:
            continue  # nothing to tell yet: the other record marks it again when it arrives
        effective = price.effective(now)
        prices[marker.sku] = effective
        shown = store.published(marker.sku)
        for channel, listing_id in sorted(product.listings.items()):
            if channel not in connectors:
                report.unconfigured.add(channel)
                continue
            if channel in shown and shown[channel].shows(effective):
                continue
            pending.setdefault(channel, []).append(PriceUpdate(marker.sku, listing_id, effective))
            waiting.setdefault(marker.sku, set()).add(channel)
    for channel, updates in sorted(pending.items()):
        outcome = connectors[channel].publish(updates, deadline)
        for sku in outcome.sent:
            store.record_published(sku, channel, prices[sku], now)
            waiting[sku].discard(channel)
        for sku, reason in outcome.refused.items():
            store.record_published(sku, channel, prices[sku], now, refused=reason)
            waiting[sku].discard(channel)
            key = exception_key(sku, channel, prices[sku].version)
            exceptions.raise_open(
                PRICE_EXCEPTION_KIND,
                exception_id(PRICE_EXCEPTION_KIND, now, key),
                {
                    "reason": "price_refused",
                    "category": "vendor_4xx",
                    "concerns": f"{channel} price of {sku}",
                    "channel": channel,
                    "sku": sku,
                    "price": str(prices[sku].amount),
                    "currency": prices[sku].currency,
                    "version": prices[sku].version,
                    "error": reason,
                    # An ops retry puts this back on the catalog queue: the SKU is published again.
                    "queue": "catalog",
                    "payload": json.dumps({"reprice": sku}),
                },
                now,
            )
        report.sent[channel] = len(outcome.sent)
        if outcome.refused:
            report.refused[channel] = len(outcome.refused)
        if outcome.later:
            report.later[channel] = len(outcome.later)
    for marker in markers:
        if not waiting.get(marker.sku) and store.clear_dirty(marker):
            report.cleared += 1
    return report
