"""Poll the channels' payouts: Amazon's settlement reports and Shopify Payments' paid payouts, each new
one stored in the payload bucket and queued for settling.

Amazon generates settlement reports itself (they cannot be requested, only found with getReports:
https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement). Each poll asks for the
DONE V2 settlement reports created since the watermark, downloads each document (getReportDocument's
presigned URL), writes it to the payload bucket (the claim check: a report of thousands of lines is far
over SQS's 256 KB) and queues `{"channel": "amazon", "report_ref": <key>}` on the finance queue; then
the watermark moves to the newest report's creation time. A crash before the watermark moves polls the
same reports again: the same key is overwritten and settling a payout again changes nothing.

Shopify: the paid payouts dated since the watermark's day (`date_min`, inclusive: the last day is read
again, harmlessly), each with its balance transactions, written as one JSON document and queued as
`{"channel": "shopify", "payout_ref": <key>}`; the watermark moves to the newest payout's date.
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


SHOPIFY_POLLER = "settlement-shopify"
SHOPIFY_KEY_PREFIX = "payloads/settlements/shopify/"


class PayoutSource(Protocol):
    def paid_payouts(self, date_min: str) -> list[dict[str, Any]]: ...

    def transactions(self, payout_id: str) -> list[dict[str, Any]]: ...


def poll_shopify_payouts(
    source: PayoutSource,
    watermarks: Watermarks,
    sink: ReportSink,
    queue: Queue,
    now: Callable[[], datetime] = utc_now,
) -> PollResult:
    since = watermarks.load(SHOPIFY_POLLER) or now() - FIRST_LOOKBACK
    queued: list[str] = []
    newest = since
    for payout in sorted(source.paid_payouts(since.date().isoformat()), key=lambda p: (p["date"], str(p["id"]))):
        payout_id = str(payout["id"])
        key = f"{SHOPIFY_KEY_PREFIX}{payout_id}.json"
        sink.put(key, json.dumps({"payout": payout, "transactions": source.transactions(payout_id)}))
        queue.send(json.dumps({"channel": "shopify", "payout_ref": key, "payout_id": payout_id}), {})
        queued.append(payout_id)
        newest = max(newest, datetime.fromisoformat(str(payout["date"])).replace(tzinfo=since.tzinfo))
    if newest > since:
        watermarks.advance(SHOPIFY_POLLER, newest)
    return PollResult(since=since, queued=queued, watermark=newest)
