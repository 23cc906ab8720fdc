"""Import one nightly POS file: check it whole, then queue one store sale (or store return, for a
RETURN transaction) per transaction, once.

Nothing half done: ``parse_pos_file`` checks every row before anything is queued, and a rejected
file queues nothing; its problems are written to the file's report. A file whose queuing fails half
way (SQS down) fails its message: the retry queues the rest, the first part now duplicates by
delivery id (``<store_id>/<transaction_id>``, ``.../return`` for a return). The same file dropped
again, or the same sales in another file, queue nothing new. Every file gets a report at ``reports/<key>.json``.

SQS delivers at least once: the same notification can be received again (its visibility ran out
while the import was slow, or its first run failed after queuing). Such a redelivery (the same
``delivery``, the notification's SQS message id, and the same ETag) finds the file's receipts
already queued; its report adds to the first run's (``accepted`` stays the file's, the receipts the
first run queued are not counted as duplicates, ``redeliveries`` counts the runs after the first)
instead of replacing it with "0 accepted". A new drop of the same key is a new delivery: its
report says what it did (duplicates).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from shared.channels.pos_csv import FileRef, PosFileRejected, parse_pos_file
from shared.observability import logger
from shared.pulled_intake import IntakeReport, PulledIntake

SOURCE = "pos_csv"
REPORT_PREFIX = "reports/"
MAX_FILE_BYTES = 50 * 1024 * 1024


class PosFiles(Protocol):
    def read(self, bucket: str, key: str) -> tuple[bytes, str | None]:
        """The object's bytes and ETag."""
        ...

    def write_report(self, bucket: str, key: str, report: dict[str, Any]) -> None: ...

    def read_report(self, bucket: str, key: str) -> dict[str, Any] | None:
        """The report written at ``key`` before, None when there is none."""
        ...


def report_key(key: str) -> str:
    return f"{REPORT_PREFIX}{key}.json"


def import_pos_file(
    bucket: str,
    key: str,
    *,
    files: PosFiles,
    intake: PulledIntake,
    time_zones: Mapping[str, str],
    default_time_zone: str | None,
    now: datetime,
    delivery: str | None = None,
) -> dict[str, Any]:
    """Queue the file's sales; the report (also written beside it) says what happened."""
    raw, etag = files.read(bucket, key)
    file = FileRef(bucket=bucket, key=key, etag=etag)
    base: dict[str, Any] = {
        "bucket": bucket,
        "key": key,
        "etag": etag,
        "imported_at": now.isoformat(),
        **({"delivery": delivery} if delivery else {}),
    }
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise PosFileRejected(f"the file is {len(raw)} bytes, the limit is {MAX_FILE_BYTES}", details=[])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PosFileRejected("the file is not UTF-8 text", details=[{"row": None, "message": str(exc)}]) from exc
        parsed = parse_pos_file(text, time_zones, file, default_time_zone)
    except PosFileRejected as exc:
        report = {**base, "status": "rejected", "reason": exc.message, "problems": exc.details[:200]}
        logger.error("POS file rejected", bucket=bucket, key=key, reason=exc.message, problems=exc.details[:10])
        files.write_report(bucket, report_key(key), report)
        return report
    counts = IntakeReport()
    for receipt in parsed.receipts:
        counts.add(intake.accept(SOURCE, receipt, now=now))
    report = {
        **base,
        "status": "imported",
        "transactions": len(parsed.receipts),
        "sale_rows": parsed.sale_rows,
        "return_rows": parsed.return_rows,
        "skipped_rows": parsed.skipped_rows,
        **counts.as_dict(),
    }
    report = _after_earlier_run(report, files.read_report(bucket, report_key(key)) if delivery else None)
    logger.info("POS file imported", **{k: v for k, v in report.items() if k != "problems"})
    files.write_report(bucket, report_key(key), report)
    return report


def _after_earlier_run(report: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, Any]:
    """``report`` of a redelivery, counted with the earlier run of the same delivery and file."""
    if earlier is None or earlier.get("status") != "imported":
        return report
    if (earlier.get("delivery"), earlier.get("etag")) != (report.get("delivery"), report.get("etag")):
        return report
    before = int(earlier.get("accepted", 0))
    return {
        **report,
        "accepted": before + int(report["accepted"]),
        "duplicates": max(int(report["duplicates"]) - before, 0),
        "redeliveries": int(earlier.get("redeliveries", 0)) + 1,
        "first_imported_at": earlier.get("first_imported_at", earlier.get("imported_at")),
    }
