"""In-memory AvailabilityStore (same coalescing semantics as the DynamoDB one) for logic tests."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from shared.adapters.availability_store import ALL_SKUS, DirtySku
from shared.errors import ConcurrentModification
from shared.models import InventoryPosition
from shared.models.allocation import DEFAULT_SCOPE, AllocationRules, AllocationRulesInput


class MemoryAvailabilityStore:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.positions_by_sku: dict[str, dict[str, InventoryPosition]] = {}
        self.markers: dict[str, DirtySku] = {}
        self.rules: dict[str, AllocationRules] = {}
        self.listings: dict[str, dict[str, str]] = {}
        self.told: dict[str, dict[str, int]] = {}
        self.feeds: dict[str, list[datetime]] = {}
        self.mark_calls = 0

    # Test setup
    def set_position(self, sku: str, location_id: str, on_hand: int, reserved: int = 0) -> None:
        self.positions_by_sku.setdefault(sku, {})[location_id] = InventoryPosition(
            sku=sku, location_id=location_id, on_hand=on_hand, reserved=reserved, last_sequence=0, version=1
        )

    def mark_dirty(self, skus: Iterable[str], at: datetime) -> None:
        with self.lock:
            for sku in set(skus):
                self.mark_calls += 1
                current = self.markers.get(sku)
                self.markers[sku] = DirtySku(
                    sku=sku,
                    version=(current.version if current else 0) + 1,
                    first_changed_at=current.first_changed_at if current else at,
                )

    def mark_all_dirty(self, at: datetime) -> None:
        self.mark_dirty([ALL_SKUS], at)

    def dirty(self, limit: int) -> list[DirtySku]:
        with self.lock:
            return [self.markers[k] for k in sorted(self.markers)][:limit]

    def clear_dirty(self, marker: DirtySku) -> bool:
        with self.lock:
            current = self.markers.get(marker.sku)
            if current is None or current.version != marker.version:
                return False
            del self.markers[marker.sku]
            return True

    def positions(self, sku: str) -> list[InventoryPosition]:
        return list(self.positions_by_sku.get(sku, {}).values())

    def get_rules(self, scope: str) -> AllocationRules | None:
        return self.rules.get(scope)

    def put_rules(self, scope: str, rules: AllocationRulesInput, at: datetime) -> AllocationRules:
        current = self.rules.get(scope)
        stored = AllocationRules.model_validate(
            {**rules.model_dump(), "scope": scope, "version": (current.version if current else 0) + 1, "updated_at": at}
        )
        if current is not None and self.rules.get(scope) is not current:
            raise ConcurrentModification(scope)
        self.rules[scope] = stored
        return stored

    def rules_for(self, sku: str) -> AllocationRules | None:
        return self.rules.get(sku) or self.rules.get(DEFAULT_SCOPE)

    def listing_ids(self, sku: str) -> dict[str, str]:
        return dict(self.listings.get(sku, {}))

    def put_listing_ids(self, sku: str, ids: dict[str, str]) -> None:
        self.listings[sku] = dict(ids)

    def published(self, sku: str) -> dict[str, int]:
        return dict(self.told.get(sku, {}))

    def record_published(self, sku: str, units: dict[str, int], at: datetime) -> None:
        self.told.setdefault(sku, {}).update(units)

    def known_skus(self) -> Iterator[str]:
        yield from sorted(self.told)

    def feeds_sent_since(self, channel: str, since: datetime) -> int:
        return sum(1 for at in self.feeds.get(channel, []) if at > since)

    def record_feed(self, channel: str, at: datetime) -> None:
        self.feeds.setdefault(channel, []).append(at)
        self.feeds[channel] = [t for t in self.feeds[channel] if t > at - timedelta(hours=1)]
