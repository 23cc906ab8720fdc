"""One poll run: plan the window from the watermark, queue every record of it, then move the watermark.

The watermark moves only after the whole window was read and every record queued (or found a
duplicate, or ignored, or reported invalid); a run that fails half way (the vendor throttles past
the client's retries, the queue is down) leaves it, and the next run reads the window again, its
already queued records now duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from functions.intake.logic.watermark import (
    PollWindow,
    WatermarkStore,
    WindowPolicy,
    format_watermark,
    plan_window,
)
from shared.observability import logger
from shared.pulled_intake import IntakeReport, PulledIntake

AMAZON_POLLER = "amazon-orders"
ZALANDO_POLLER = "zalando-orders"
# getOrders refuses a LastUpdatedBefore later than two minutes before the request; a little margin.
AMAZON_SETTLE = timedelta(seconds=125)

Records = Callable[[PollWindow], Iterable[dict[str, Any]]]


class AmazonOrders(Protocol):
    def get_orders(
        self, marketplace_ids: list[str], last_updated_after: datetime, last_updated_before: datetime | None = None
    ) -> Iterable[dict[str, Any]]: ...


class ZalandoOrders(Protocol):
    def list_orders(
        self, merchant_id: str, last_updated_after: datetime, last_updated_before: datetime
    ) -> Iterable[dict[str, Any]]: ...


def run_poll(
    poller: str,
    source: str,
    records: Records,
    *,
    store: WatermarkStore,
    intake: PulledIntake,
    policy: WindowPolicy,
    now: datetime,
) -> dict[str, Any]:
    """Poll one window; returns what was seen, queued and skipped, and the watermark."""
    watermark = store.load(poller)
    window = plan_window(watermark, now, policy)
    if window is None:
        return {"poller": poller, "window": None, "watermark": format_watermark(watermark) if watermark else None}
    report = IntakeReport()
    for record in records(window):
        report.add(intake.accept(source, record, now=now))
    summary = {"poller": poller, "window": window.as_dict(), **report.as_dict()}
    advanced = store.advance(poller, window.before, summary)
    summary["watermark"] = format_watermark(window.before)
    summary["watermark_advanced"] = advanced
    if report.invalid:
        logger.error("pulled records could not be read", poller=poller, problems=report.problems[:5])
    logger.info("poll done", **{k: v for k, v in summary.items() if k != "problems"})
    return summary


def poll_amazon_orders(
    orders: AmazonOrders,
    marketplace_ids: list[str],
    *,
    store: WatermarkStore,
    intake: PulledIntake,
    overlap: timedelta,
    first_lookback: timedelta,
    now: datetime,
) -> dict[str, Any]:
    """Amazon's recommended backup for missed or late ORDER_CHANGE notifications (getOrders)."""
    policy = WindowPolicy(overlap=overlap, settle=AMAZON_SETTLE, first_lookback=first_lookback)
    return run_poll(
        AMAZON_POLLER,
        "amazon",
        lambda window: orders.get_orders(marketplace_ids, window.after, window.before),
        store=store,
        intake=intake,
        policy=policy,
        now=now,
    )


def poll_zalando_orders(
    orders: ZalandoOrders,
    merchant_id: str,
    *,
    store: WatermarkStore,
    intake: PulledIntake,
    policy: WindowPolicy,
    now: datetime,
) -> dict[str, Any]:
    """Zalando's only way in: the orders updated in the window, one document per order."""
    return run_poll(
        ZALANDO_POLLER,
        "zalando",
        lambda window: orders.list_orders(merchant_id, window.after, window.before),
        store=store,
        intake=intake,
        policy=policy,
        now=now,
    )
