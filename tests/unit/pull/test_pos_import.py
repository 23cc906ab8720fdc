"""Importing a dropped POS file: all or nothing, replay-safe, with a report beside it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from functions.intake.logic.import_file import import_pos_file, report_key
from functions.intake.logic.notifications import created_objects
from tests.support.events import EVENTS_DIR
from tests.unit.channels.pull_fakes import POS_TIME_ZONES
from tests.unit.pull.fakes import MemoryPublisher, intake

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
KEY = "incoming/franchise-0042/2026-11-22.csv"


class MemoryFiles:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.reports: dict[str, dict[str, Any]] = {}

    def read(self, bucket: str, key: str) -> tuple[bytes, str | None]:
        return self.files[key], "etag-" + str(len(self.files[key]))

    def write_report(self, bucket: str, key: str, report: dict[str, Any]) -> None:
        self.reports[key] = report

    def read_report(self, bucket: str, key: str) -> dict[str, Any] | None:
        return self.reports.get(key)


def _file() -> bytes:
    return (EVENTS_DIR / "pos" / "franchise-0042_2026-11-22.csv").read_bytes()


def _import(files: MemoryFiles, key: str, pulled: Any) -> dict[str, Any]:
    return import_pos_file(
        "bucket", key, files=files, intake=pulled, time_zones=POS_TIME_ZONES, default_time_zone=None, now=NOW
    )


def test_a_file_becomes_one_store_sale_or_return_per_transaction_with_a_report() -> None:
    files = MemoryFiles({KEY: _file()})
    pulled, published, _, _ = intake()

    report = _import(files, KEY, pulled)

    assert [e.delivery_id for e in published.envelopes] == [
        "franchise-0042/T000981",
        "franchise-0042/T000982",
        "franchise-0042/T000983/return",
        "franchise-0042/T000984",
    ]
    assert {e.source for e in published.envelopes} == {"pos_csv"}
    assert [e.event_type for e in published.envelopes].count("StoreReturn") == 1
    assert (report["status"], report["accepted"], report["skipped_rows"]) == ("imported", 4, 0)
    assert (report["sale_rows"], report["return_rows"]) == (4, 1)
    assert files.reports[report_key(KEY)] == report


def test_the_same_file_twice_or_under_another_name_queues_nothing_new() -> None:
    files = MemoryFiles({KEY: _file(), "incoming/franchise-0042/resent.csv": _file()})
    pulled, published, _, _ = intake()

    _import(files, KEY, pulled)
    again = _import(files, KEY, pulled)
    renamed = _import(files, "incoming/franchise-0042/resent.csv", pulled)

    assert len(published.envelopes) == 4
    assert (again["accepted"], again["duplicates"]) == (0, 4)
    assert (renamed["accepted"], renamed["duplicates"]) == (0, 4)


def test_the_same_notification_received_again_keeps_the_files_report_and_a_new_drop_reports_duplicates() -> None:
    # SQS delivers at least once: a slow import's message becomes visible again and runs twice.
    files = MemoryFiles({KEY: _file()})
    pulled, published, _, _ = intake()

    def run(delivery: str) -> dict[str, Any]:
        return import_pos_file(
            "bucket",
            KEY,
            files=files,
            intake=pulled,
            time_zones=POS_TIME_ZONES,
            default_time_zone=None,
            now=NOW,
            delivery=delivery,
        )

    first = run("msg-1")
    redelivered = run("msg-1")
    dropped_again = run("msg-2")

    assert len(published.envelopes) == 4
    assert (first["accepted"], first["duplicates"]) == (4, 0)
    assert (redelivered["accepted"], redelivered["duplicates"], redelivered["redeliveries"]) == (4, 0, 1)
    assert redelivered["first_imported_at"] == first["imported_at"]
    assert (dropped_again["accepted"], dropped_again["duplicates"]) == (0, 4)
    assert "redeliveries" not in dropped_again


def test_a_burst_that_fails_half_way_is_retried_without_doubling() -> None:
    files = MemoryFiles({KEY: _file()})
    publisher = MemoryPublisher(fail_after=1)
    pulled, published, _, _ = intake(publisher)

    try:
        _import(files, KEY, pulled)
    except Exception as exc:  # the message fails; SQS redelivers it
        assert "queue down" in str(exc)
    publisher.fail_after = None
    retried = _import(files, KEY, pulled)

    assert len(published.envelopes) == 4
    assert (retried["accepted"], retried["duplicates"]) == (3, 1)


def test_a_rejected_file_queues_nothing_and_its_report_lists_the_problems() -> None:
    bad = _file().replace(b"IPOD2008BLACK,iPod nano 8GB Black,1,", b"IPOD2008BLACK,iPod nano 8GB Black,one,")
    files = MemoryFiles({KEY: bad})
    pulled, published, _, _ = intake()

    report = _import(files, KEY, pulled)

    assert report["status"] == "rejected"
    assert report["problems"] == [{"row": 4, "field": "quantity", "message": "quantity 'one' is not a number"}]
    assert published.envelopes == []
    assert json.dumps(files.reports[report_key(KEY)])


def test_a_file_that_is_not_utf8_is_rejected() -> None:
    files = MemoryFiles({KEY: "store_id;Café\n".encode("latin-1")})
    pulled, published, _, _ = intake()

    assert _import(files, KEY, pulled)["status"] == "rejected"
    assert published.envelopes == []


def test_s3_notifications_name_the_created_objects_with_their_keys_decoded() -> None:
    body = json.dumps(
        {
            "Records": [
                {
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": "b"}, "object": {"key": "incoming/store+1/2026-11-22%2B1.csv"}},
                },
                {"eventName": "ObjectRemoved:Delete", "s3": {"bucket": {"name": "b"}, "object": {"key": "x.csv"}}},
            ]
        }
    )

    (created,) = created_objects(body)

    assert (created.bucket, created.key) == ("b", "incoming/store 1/2026-11-22+1.csv")


def test_the_s3_test_event_sent_when_notifications_are_configured_imports_nothing() -> None:
    assert created_objects(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"})) == []
