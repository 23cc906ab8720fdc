"""Poll windows: overlapping the watermark, settled before now, empty when polled too soon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.intake.logic.watermark import (
    WindowPolicy,
    format_watermark,
    parse_watermark,
    plan_window,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
POLICY = WindowPolicy(overlap=timedelta(minutes=15), settle=timedelta(minutes=1), first_lookback=timedelta(hours=6))


def test_first_poll_looks_back_from_the_settled_end() -> None:
    window = plan_window(None, NOW, POLICY)

    assert window is not None
    assert window.before == NOW - timedelta(minutes=1)
    assert window.after == window.before - timedelta(hours=6)


def test_later_polls_start_the_overlap_before_the_watermark() -> None:
    watermark = NOW - timedelta(minutes=11)

    window = plan_window(watermark, NOW, POLICY)

    assert window is not None
    assert window.after == watermark - timedelta(minutes=15)
    assert window.before == NOW - timedelta(minutes=1)


def test_a_poll_within_the_settle_time_of_an_overlap_free_policy_has_nothing_to_read() -> None:
    policy = WindowPolicy(overlap=timedelta(0), settle=timedelta(minutes=1), first_lookback=timedelta(hours=1))

    assert plan_window(NOW - timedelta(minutes=1), NOW, policy) is None


def test_watermarks_round_trip_and_sort_as_text() -> None:
    early, late = NOW - timedelta(microseconds=1), NOW

    assert parse_watermark(format_watermark(late)) == late
    assert format_watermark(early) < format_watermark(late)
    assert format_watermark(datetime(2026, 1, 1, tzinfo=UTC)) < format_watermark(datetime(2026, 10, 1, tzinfo=UTC))
