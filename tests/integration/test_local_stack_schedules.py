"""Schedule expressions as EventBridge evaluates them, and firing a schedule on demand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.schedules import Schedule, ScheduleClock, next_fire

T0 = datetime(2026, 11, 23, 15, 7, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("rate(5 minutes)", T0, datetime(2026, 11, 23, 15, 12, 30, tzinfo=UTC)),
        (
            "rate(1 hour)",
            datetime(2026, 11, 23, 16, 8, tzinfo=UTC),
            datetime(2026, 11, 23, 17, 7, 30, tzinfo=UTC),
        ),
        ("cron(0 3 * * ? *)", T0, datetime(2026, 11, 24, 3, 0, tzinfo=UTC)),
        ("cron(0/15 * * * ? *)", T0, datetime(2026, 11, 23, 15, 15, tzinfo=UTC)),
        (
            "cron(30 9 ? * MON-FRI *)",
            datetime(2026, 11, 27, 10, 0, tzinfo=UTC),
            datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        ),
        ("cron(0 0 L * ? *)", T0, datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),
        ("cron(0 12 ? * 2#1 *)", T0, datetime(2026, 12, 7, 12, 0, tzinfo=UTC)),  # first Monday
        ("cron(0 8 1 JAN ? *)", T0, datetime(2027, 1, 1, 8, 0, tzinfo=UTC)),
        ("at(2026-12-01T00:00:00)", T0, datetime(2026, 12, 1, tzinfo=UTC)),
        ("at(2026-01-01T00:00:00)", T0, None),
    ],
)
def test_next_firing(expression: str, after: datetime, expected: datetime | None) -> None:
    assert next_fire(expression, after, started=T0) == expected


def test_cron_in_a_time_zone() -> None:
    # 09:00 in Berlin is 08:00 UTC in winter
    assert next_fire("cron(0 9 * * ? *)", T0, T0, "Europe/Berlin") == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_an_unknown_expression_is_refused() -> None:
    with pytest.raises(ValueError):
        next_fire("every(5 minutes)", T0, T0)


def test_fire_delivers_a_scheduled_event_or_the_constant_input() -> None:
    sent: list[tuple[str, Any]] = []
    schedules = [
        Schedule(
            "ReconScheduleFFE1688A",
            "RetailSync-local-Recon",
            "rate(5 minutes)",
            targets=[{"Id": "t", "Arn": "arn:fn:recon", "Input": '{"kind": "inventory"}'}],
        ),
        Schedule(
            "PublishScheduleAB12CD34",
            "RetailSync-local-Publish",
            "cron(0 * * * ? *)",
            targets=[{"Id": "t", "Arn": "arn:states:flow"}],
            arn="arn:aws:events:us-east-1:1:rule/publish",
        ),
    ]
    clock = ScheduleClock(schedules, send=lambda arn, payload: sent.append((arn, payload)), submit=lambda a, p: None)

    clock.fire("ReconSchedule")  # a unique part of the logical id is enough
    clock.fire("RetailSync-local-Publish")

    assert sent[0] == ("arn:fn:recon", {"kind": "inventory"})
    arn, event = sent[1]
    assert arn == "arn:states:flow"
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"] == ["arn:aws:events:us-east-1:1:rule/publish"] and event["detail"] == {}


def test_fire_refuses_an_ambiguous_name() -> None:
    schedules = [Schedule(f"Sched{n}", f"s{n}", "rate(1 day)", targets=[]) for n in range(2)]
    clock = ScheduleClock(schedules, send=lambda a, p: None, submit=lambda a, p: None)

    with pytest.raises(KeyError):
        clock.fire("Sched")


def test_the_clock_fires_a_due_schedule_in_the_background() -> None:
    fired = threading.Event()
    when = (datetime.now(UTC) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    schedule = Schedule("Once", "once", f"at({when})", targets=[{"Arn": "arn:fn:x", "Input": "{}"}], scheduler=True)
    clock = ScheduleClock([schedule], send=lambda a, p: None, submit=lambda arn, payload: fired.set())

    clock.start()
    try:
        assert fired.wait(5)
    finally:
        clock.stop()
