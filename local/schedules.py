"""Schedules from the template, fired on their clock and on demand.

Sources: `AWS::Events::Rule` with a `ScheduleExpression` (targets as moto resolved them) and
`AWS::Scheduler::Schedule` (which moto's CloudFormation skips: its target is resolved from the
template). Expressions: `rate(n unit)`, `cron(min hour dom month dow year)` in UTC (or the
schedule's time zone) with `* ? , - /`, `L`, `W` and `#`, and `at(yyyy-mm-ddThh:mm:ss)`.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from local.config import ACCOUNT_ID, REGION
from local.eventbridge import target_input

LOG = logging.getLogger("local.schedules")

Sender = Callable[[str, Any], Any]  # (target ARN, payload) -> result


@dataclass(frozen=True)
class Schedule:
    logical_id: str
    name: str
    expression: str
    targets: list[dict[str, Any]]  # each with a resolved "Arn" (and Input / InputPath / ...)
    arn: str = ""
    timezone: str = "UTC"
    scheduler: bool = False  # EventBridge Scheduler passes `Input` as is, not an event
    enabled: bool = True

    def payload_for(self, target: dict[str, Any], now: datetime) -> Any:
        if self.scheduler:
            return target_input(target, {}) if target.get("Input") is not None else {}
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [self.arn],
            "detail": {},
        }
        return target_input(target, event)


class ScheduleClock:
    """Fires due schedules in the background; `fire()` fires one now."""

    def __init__(self, schedules: list[Schedule], send: Sender, submit: Sender) -> None:
        self.schedules = schedules
        self._send = send  # synchronous, for fire()
        self._submit = submit  # asynchronous, for the clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = datetime.now(UTC)

    def find(self, name: str) -> Schedule:
        """By logical id, physical name, or a unique part of the logical id (CDK adds a hash)."""
        exact = [s for s in self.schedules if name in (s.logical_id, s.name)]
        if exact:
            return exact[0]
        partial = [s for s in self.schedules if name.lower() in s.logical_id.lower()]
        if len(partial) == 1:
            return partial[0]
        known = ", ".join(s.logical_id for s in self.schedules) or "none"
        raise KeyError(f"no single schedule matches {name!r} (schedules: {known})")

    def fire(self, name: str) -> list[Any]:
        """Deliver a schedule's targets now, on this thread; their results in target order."""
        schedule = self.find(name)
        now = datetime.now(UTC)
        return [self._send(t["Arn"], schedule.payload_for(t, now)) for t in schedule.targets]

    def start(self) -> None:
        self._started = datetime.now(UTC)
        self._thread = threading.Thread(target=self._run, name="schedule-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        upcoming: dict[str, datetime] = {}
        for schedule in self.schedules:
            when = _safe_next(schedule, self._started, self._started)
            if when:
                upcoming[schedule.logical_id] = when
        by_id = {s.logical_id: s for s in self.schedules}
        while upcoming and not self._stop.is_set():
            now = datetime.now(UTC)
            for logical_id, when in list(upcoming.items()):
                if when > now:
                    continue
                schedule = by_id[logical_id]
                LOG.info("schedule %s fired", logical_id)
                for target in schedule.targets:
                    self._submit(target["Arn"], schedule.payload_for(target, now))
                following = _safe_next(schedule, now, self._started)
                if following:
                    upcoming[logical_id] = following
                else:
                    del upcoming[logical_id]
            if upcoming:
                wait = (min(upcoming.values()) - datetime.now(UTC)).total_seconds()
                self._stop.wait(min(60.0, max(0.05, wait)))


def _safe_next(schedule: Schedule, after: datetime, started: datetime) -> datetime | None:
    if not schedule.enabled:
        return None
    try:
        return next_fire(schedule.expression, after, started, schedule.timezone)
    except ValueError:
        LOG.warning(
            "schedule %s: cannot evaluate %r; fire it with fire_schedule()",
            schedule.logical_id,
            schedule.expression,
        )
        return None


_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")
_CRON = re.compile(r"cron\((.+)\)")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def next_fire(expression: str, after: datetime, started: datetime, timezone: str = "UTC") -> datetime | None:
    """The first firing strictly after `after` (rates count from `started`); None: never again."""
    expression = expression.strip()
    if match := _RATE.fullmatch(expression):
        period = timedelta(seconds=int(match[1]) * _UNIT[match[2].rstrip("s")])
        if period <= timedelta(0):
            raise ValueError(expression)
        periods = int((after - started) / period) + 1
        return started + periods * period
    zone = ZoneInfo(timezone)
    if match := _AT.fullmatch(expression):
        when = datetime.fromisoformat(match[1]).replace(tzinfo=zone).astimezone(UTC)
        return when if when > after else None
    if match := _CRON.fullmatch(expression):
        local = Cron(match[1]).next_after(after.astimezone(zone).replace(tzinfo=None))
        return local.replace(tzinfo=zone).astimezone(UTC) if local else None
    raise ValueError(f"unsupported schedule expression {expression!r}")


_MONTHS = {name: i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS = {name.upper(): i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}


@dataclass
class Cron:
    """An EventBridge cron expression: minutes hours day-of-month month day-of-week year."""

    text: str
    minutes: set[int] = field(init=False)
    hours: set[int] = field(init=False)
    months: set[int] = field(init=False)
    years: set[int] | None = field(init=False)
    dom: str = field(init=False)
    dow: str = field(init=False)

    def __post_init__(self) -> None:
        parts = self.text.split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields: {self.text!r}")
        minutes, hours, self.dom, months, self.dow, years = parts
        self.minutes = _values(minutes, 0, 59)
        self.hours = _values(hours, 0, 23)
        self.months = _values(months.upper(), 1, 12, {k.upper(): v for k, v in _MONTHS.items()})
        self.years = None if years in {"*", "?"} else _values(years, 1970, 2199)

    def next_after(self, after: datetime) -> datetime | None:
        start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        for _ in range(366 * 5):
            if self._day_matches(day.year, day.month, day.day):
                first_minute = start.hour * 60 + start.minute if day == start.date() else 0
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        if hour * 60 + minute >= first_minute:
                            return datetime(day.year, day.month, day.day, hour, minute)
            day += timedelta(days=1)
        return None

    def _day_matches(self, year: int, month: int, day: int) -> bool:
        if month not in self.months or (self.years is not None and year not in self.years):
            return False
        dom_ok = self.dom in {"*", "?"} or _dom_matches(self.dom, year, month, day)
        dow_ok = self.dow in {"*", "?"} or _dow_matches(self.dow.upper(), year, month, day)
        return dom_ok and dow_ok


def _values(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in {"*", "?"}:
            first, last = low, high
        elif "-" in part:
            first_text, last_text = part.split("-", 1)
            first, last = _number(first_text, names), _number(last_text, names)
        else:
            first = _number(part, names)
            last = high if step > 1 else first
        if not (low <= first <= high and low <= last <= high):
            raise ValueError(f"{text!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, names: dict[str, int] | None) -> int:
    if names and text in names:
        return names[text]
    return int(text)


def _aws_weekday(year: int, month: int, day: int) -> int:
    return (calendar.weekday(year, month, day) + 1) % 7 + 1  # 1 = Sunday ... 7 = Saturday


def _dom_matches(expression: str, year: int, month: int, day: int) -> bool:
    last = calendar.monthrange(year, month)[1]
    if expression == "L":
        return day == last
    if expression == "LW":
        target = last
        while _aws_weekday(year, month, target) in {1, 7}:
            target -= 1
        return day == target
    if expression.endswith("W"):
        wanted = int(expression[:-1])
        weekday = _aws_weekday(year, month, min(wanted, last))
        target = min(wanted, last)
        if weekday == 7:  # Saturday: the Friday before, or the Monday after on the 1st
            target = target - 1 if target > 1 else target + 2
        elif weekday == 1:  # Sunday: the Monday after, or the Friday before at month end
            target = target + 1 if target < last else target - 2
        return day == target
    return day in _values(expression, 1, 31)


def _dow_matches(expression: str, year: int, month: int, day: int) -> bool:
    weekday = _aws_weekday(year, month, day)
    if "#" in expression:
        wanted, nth = expression.split("#", 1)
        return weekday == _number(wanted, _DAYS) and (day - 1) // 7 + 1 == int(nth)
    if expression.endswith("L"):
        last_of = _number(expression[:-1] or "7", _DAYS)
        return weekday == last_of and day + 7 > calendar.monthrange(year, month)[1]
    return weekday in _values(expression, 1, 7, _DAYS)


class OneTimeSchedules:
    """EventBridge Scheduler's one-time schedules created while the stack runs (a promotion's start
    and end, functions/pricing/adapters/scheduler.py): moto keeps them, nothing fires them, so this
    thread does. Every `interval` it lists the schedules, fires each `at(...)` one that is due once
    (its target's `Input` as the payload, as Scheduler sends it) and deletes it when its
    `ActionAfterCompletion` is `DELETE`. On always: a deployed Scheduler needs no switch either."""

    def __init__(self, submit: Sender, client: Any, interval: float = 0.5) -> None:
        self._submit = submit
        self._client = client
        self._interval = interval
        self._fired: set[str] = set()
        # What GetSchedule said, per schedule and its LastModificationDate: one read per version of a
        # schedule, not one every tick while it waits (a promotion's end waits an hour).
        self._details: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="one-time-schedules", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def tick(self, now: datetime | None = None) -> list[str]:
        """Fire what is due now; the names fired."""
        fired: list[str] = []
        moment = now or datetime.now(UTC)
        for summary in self._client.list_schedules().get("Schedules", []):
            key = f"{summary.get('GroupName', 'default')}/{summary['Name']}"
            if key in self._fired:
                continue
            modified = summary.get("LastModificationDate")
            cached = self._details.get(key)
            if cached is None or cached[0] != modified:
                group = summary.get("GroupName", "default")
                cached = (modified, self._client.get_schedule(Name=summary["Name"], GroupName=group))
                self._details[key] = cached
            detail = cached[1]
            match = _AT.fullmatch(str(detail.get("ScheduleExpression", "")).strip())
            if match is None or detail.get("State") == "DISABLED":
                continue
            zone = ZoneInfo(detail.get("ScheduleExpressionTimezone") or "UTC")
            when = datetime.fromisoformat(match[1]).replace(tzinfo=zone).astimezone(UTC)
            if when > moment:
                continue
            target = detail["Target"]
            payload = json.loads(target["Input"]) if target.get("Input") else {}
            LOG.info("one-time schedule %s fired", key)
            self._fired.add(key)
            self._details.pop(key, None)
            self._submit(target["Arn"], payload)
            fired.append(key)
            if detail.get("ActionAfterCompletion") == "DELETE":
                self._client.delete_schedule(Name=summary["Name"], GroupName=summary.get("GroupName", "default"))
        return fired

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.tick()
            except Exception:  # a failed listing is tried again at the next tick
                LOG.warning("one-time schedules: tick failed", exc_info=True)
