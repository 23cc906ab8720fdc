"""The availability items in DynamoDB (moto): coalescing markers, rules versions, what was published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.adapters.availability_store import DynamoAvailabilityStore
from shared.errors import ConcurrentModification
from shared.models.allocation import AllocationRulesInput
from tests.fakes.aws import STATE_TABLE

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RULES = AllocationRulesInput.model_validate({"channels": [{"channel": "ebay", "locations": ["*"], "share": "0.5"}]})


@pytest.fixture
def store(dynamodb: Any) -> DynamoAvailabilityStore:
    return DynamoAvailabilityStore(STATE_TABLE, dynamodb)


def test_many_marks_of_one_sku_coalesce_into_one_marker_keeping_the_first_change_time(
    store: DynamoAvailabilityStore,
) -> None:
    for minute in range(5):
        store.mark_dirty(["SKU-1", "SKU-1", "SKU-2"], T0 + timedelta(minutes=minute))

    markers = {m.sku: m for m in store.dirty(10)}

    assert set(markers) == {"SKU-1", "SKU-2"}
    assert markers["SKU-1"].version == 5 and markers["SKU-1"].first_changed_at == T0


def test_a_marker_read_before_a_newer_change_is_not_cleared(store: DynamoAvailabilityStore) -> None:
    store.mark_dirty(["SKU-1"], T0)
    (read,) = store.dirty(10)
    store.mark_dirty(["SKU-1"], T0 + timedelta(seconds=1))

    assert store.clear_dirty(read) is False
    (again,) = store.dirty(10)
    assert store.clear_dirty(again) is True and store.dirty(10) == []


def test_rules_versions_move_by_one_and_a_sku_override_wins(store: DynamoAvailabilityStore) -> None:
    first = store.put_rules("default", RULES, T0)
    second = store.put_rules("default", RULES, T0)
    store.put_rules(
        "SKU-9",
        AllocationRulesInput.model_validate({"channels": [{"channel": "amazon", "locations": ["dc-east"], "pool": 3}]}),
        T0,
    )

    assert (first.version, second.version) == (1, 2)
    assert store.rules_for("SKU-1") == store.get_rules("default")
    rules_9 = store.rules_for("SKU-9")
    assert rules_9 is not None and rules_9.scope == "SKU-9" and rules_9.channels[0].pool == 3


def test_a_concurrent_rules_change_loses_instead_of_overwriting(store: DynamoAvailabilityStore) -> None:
    store.put_rules("default", RULES, T0)
    stale = store.get_rules("default")
    store.put_rules("default", RULES, T0)
    store.get_rules = lambda scope: stale  # type: ignore[method-assign]  # as read before the other write

    with pytest.raises(ConcurrentModification):
        store.put_rules("default", RULES, T0)


def test_published_units_listing_ids_and_feeds_round_trip(store: DynamoAvailabilityStore) -> None:
    store.record_published("SKU-1", {"amazon": 4, "ebay": 7}, T0)
    store.record_published("SKU-1", {"ebay": 6}, T0)
    store.put_listing_ids("SKU-1", {"shopify": "808950810"})
    store.record_feed("walmart", T0 - timedelta(minutes=90))
    store.record_feed("walmart", T0)

    assert store.published("SKU-1") == {"amazon": 4, "ebay": 6}
    assert list(store.known_skus()) == ["SKU-1"]
    assert store.listing_ids("SKU-1") == {"shopify": "808950810"}
    assert store.feeds_sent_since("walmart", T0 - timedelta(hours=1)) == 1
