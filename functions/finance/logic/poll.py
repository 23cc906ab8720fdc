"""Poll the channels' payouts: Amazon's settlement reports, and every other channel's payouts through
one `poll_payouts` over a feed per channel (Shopify, Walmart, eBay, Square), each new one stored in
the payload bucket and queued for settling.

Amazon generates settlement reports itself (they cannot be requested, only found with getReports:
https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement). Each poll asks for the
DONE V2 settlement reports created since the watermark, downloads each document (getReportDocument's
presigned URL), writes it to the payload bucket (the claim check: a report of thousands of lines is far
over SQS's 256 KB) and queues `{"channel": "amazon", "report_ref": <key>}` on the finance queue; then
the watermark moves to the newest report's creation time. A crash before the watermark moves polls the
same reports again: the same key is overwritten and settling a payout again changes nothing.

The feeds: a channel's payouts dated since the watermark (each feed asks its API with that date),
each with what settling it needs, written as one JSON document and queued as `{"channel",
"payout_ref": <key>, "payout_id"}`; the watermark moves to the newest payout's date.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from functions.finance.adapters.amazon_settlement import REPORT_TYPE
from shared.models.common import utc_now

POLLER = "settlement-amazon"
FIRST_LOOKBACK = timedelta(days=90)  # getReports' own default window for createdSince
KEY_PREFIX = "payloads/settlements/amazon/"


class ReportSource(Protocol):
    def get_reports(self, report_types: list[str], created_since: datetime) -> list[dict[str, Any]]: ...

    def get_report_document(self, document_id: str) -> str: ...


class Watermarks(Protocol):
    def load(self, poller: str) -> datetime | None: ...

    def advance(self, poller: str, watermark: datetime) -> None: ...


class ReportSink(Protocol):
    def put(self, key: str, text: str) -> None: ...


class Queue(Protocol):
    def send(self, body: str, attributes: dict[str, str]) -> str: ...


@dataclass(frozen=True)
class PollResult:
    since: datetime
    queued: list[str]  # report ids
    watermark: datetime


def poll_amazon_settlements(
    source: ReportSource,
    watermarks: Watermarks,
    sink: ReportSink,
    queue: Queue,
    now: Callable[[], datetime] = utc_now,
) -> PollResult:
    since = watermarks.load(POLLER) or now() - FIRST_LOOKBACK
    reports = sorted(source.get_reports([REPORT_TYPE], since), key=lambda r: (r["createdTime"], r["reportId"]))
    queued: list[str] = []
    newest = since
    for report in reports:
        if report.get("processingStatus") != "DONE" or not report.get("reportDocumentId"):
            continue
        key = f"{KEY_PREFIX}{report['reportId']}.tsv"
        sink.put(key, source.get_report_document(str(report["reportDocumentId"])))
        queue.send(json.dumps({"channel": "amazon", "report_ref": key, "report_id": report["reportId"]}), {})
        queued.append(str(report["reportId"]))
        created = datetime.fromisoformat(str(report["createdTime"]).replace("Z", "+00:00"))
        # createdSince is inclusive: one second past the newest report polls it once.
        newest = max(newest, created + timedelta(seconds=1))
    if newest > since:
        watermarks.advance(POLLER, newest)
    return PollResult(since=since, queued=queued, watermark=newest)


@dataclass(frozen=True)
class FoundPayout:
    payout_id: str
    at: datetime  # what the watermark follows: the payout's (or report's) date
    vendor: dict[str, Any]  # the payout as the channel listed it


class PayoutFeed(Protocol):
    """A channel's payouts: those dated at or after `since`, and each one's document for the worker."""

    @property
    def channel(self) -> str: ...

    def found_since(self, since: datetime) -> list[FoundPayout]: ...

    def document(self, found: FoundPayout) -> dict[str, Any]: ...


def poll_payouts(
    feed: PayoutFeed,
    watermarks: Watermarks,
    sink: ReportSink,
    queue: Queue,
    now: Callable[[], datetime] = utc_now,
) -> PollResult:
    """Every payout of `feed` dated since the watermark: its document in the payload bucket
    (`payloads/settlements/<channel>/<payout id>.json`), `{"channel", "payout_ref", "payout_id"}` on
    the finance queue, then the watermark moves to the newest date. The newest payout is listed
    again by the next poll (dates are inclusive, and two payouts may share one): settling it again
    changes nothing, and none is ever skipped."""
    poller = f"settlement-{feed.channel}"
    since = watermarks.load(poller) or now() - FIRST_LOOKBACK
    queued: list[str] = []
    newest = since
    for found in sorted(feed.found_since(since), key=lambda f: (f.at, f.payout_id)):
        key = f"payloads/settlements/{feed.channel}/{found.payout_id}.json"
        sink.put(key, json.dumps(feed.document(found)))
        queue.send(json.dumps({"channel": feed.channel, "payout_ref": key, "payout_id": found.payout_id}), {})
        queued.append(found.payout_id)
        newest = max(newest, found.at)
    if newest > since:
        watermarks.advance(poller, newest)
    return PollResult(since=since, queued=queued, watermark=newest)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class ShopifyPayoutSource(Protocol):
    def paid_payouts(self, date_min: str) -> list[dict[str, Any]]: ...

    def transactions(self, payout_id: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class ShopifyPayoutFeed:
    """Shopify Payments' paid payouts dated since the watermark's day (`date_min` is inclusive: the
    last day is read again, harmlessly), each with its balance transactions."""

    api: ShopifyPayoutSource
    channel: str = "shopify"

    def found_since(self, since: datetime) -> list[FoundPayout]:
        return [
            FoundPayout(str(p["id"]), datetime.fromisoformat(str(p["date"])).replace(tzinfo=since.tzinfo), p)
            for p in self.api.paid_payouts(since.date().isoformat())
        ]

    def document(self, found: FoundPayout) -> dict[str, Any]:
        return {"payout": found.vendor, "transactions": self.api.transactions(found.payout_id)}


class WalmartReconSource(Protocol):
    def available_dates(self) -> list[str]: ...

    def report(self, report_date: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class WalmartReconFeed:
    """Walmart's recon reports, one per settlement cycle, found by their dates."""

    api: WalmartReconSource
    channel: str = "walmart"

    def found_since(self, since: datetime) -> list[FoundPayout]:
        from functions.finance.adapters.walmart_recon import walmart_report_date

        found = []
        for text in self.api.available_dates():
            at = walmart_report_date(text)
            if at is not None and at >= since.replace(hour=0, minute=0, second=0, microsecond=0):
                found.append(FoundPayout(text, at, {"reportDate": text}))
        return found

    def document(self, found: FoundPayout) -> dict[str, Any]:
        return {"report_date": found.payout_id, "recon": self.api.report(found.payout_id)}


class EbayPayoutSource(Protocol):
    def payouts(self, since: datetime) -> list[dict[str, Any]]: ...

    def transactions(self, payout_id: str) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class EbayPayoutFeed:
    """eBay's succeeded payouts and their monetary transactions (Finances API)."""

    api: EbayPayoutSource
    channel: str = "ebay"

    def found_since(self, since: datetime) -> list[FoundPayout]:
        return [FoundPayout(str(p["payoutId"]), _instant(str(p["payoutDate"])), p) for p in self.api.payouts(since)]

    def document(self, found: FoundPayout) -> dict[str, Any]:
        return {"payout": found.vendor, "transactions": self.api.transactions(found.payout_id)}


class SquarePayoutSource(Protocol):
    def paid_payouts(self, since: datetime) -> list[dict[str, Any]]: ...

    def entries(self, payout_id: str) -> list[dict[str, Any]]: ...

    def order_of_payment(self, payment_id: str) -> str | None: ...


@dataclass(frozen=True)
class SquarePayoutFeed:
    """Square's paid payouts, their entries, and the order of each payment they name."""

    api: SquarePayoutSource
    channel: str = "square"

    def found_since(self, since: datetime) -> list[FoundPayout]:
        return [FoundPayout(str(p["id"]), _instant(str(p["created_at"])), p) for p in self.api.paid_payouts(since)]

    def document(self, found: FoundPayout) -> dict[str, Any]:
        entries = self.api.entries(found.payout_id)
        payments = sorted(
            {
                str(details["payment_id"])
                for entry in entries
                for details in (entry.get("type_charge_details"), entry.get("type_refund_details"))
                if isinstance(details, dict) and details.get("payment_id")
            }
        )
        orders = {payment: order for payment in payments if (order := self.api.order_of_payment(payment))}
        return {"payout": found.vendor, "entries": entries, "orders": orders}
