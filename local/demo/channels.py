"""The marketplaces' side of the demo (what their APIs hold is seeded by `local.seed`): the pulled
channels delivered as in production, Amazon's ORDER_CHANGE put on the SP-API partner event bus,
the Zalando poll schedule fired, a POS file put in its bucket."""

from __future__ import annotations

import json

import boto3

from local.demo.driver import Done, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import FireSchedule, PartnerBusEvent, PosFile
from local.signing import EVENTS_DIR
from local.stack import LocalStack


def put_partner_event(stack: LocalStack, step: PartnerBusEvent, ns: Namespace) -> Done:
    """The EventBridge event Amazon puts on the partner event bus (source = the bus's name)."""
    event = ns.data(fixture_json(step.fixture))
    answer = boto3.client("events").put_events(
        Entries=[
            {
                "Source": stack.partner_event_bus,
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "EventBusName": stack.partner_event_bus,
            }
        ]
    )
    failed = answer.get("FailedEntryCount", 1)
    event_id = (answer.get("Entries") or [{}])[0].get("EventId")
    return Done(
        step.label,
        "put on the partner bus" if not failed else "refused by EventBridge",
        not failed,
        detail={"event_id": event_id},
    )


def put_pos_file(stack: LocalStack, step: PosFile, ns: Namespace) -> tuple[Done, str]:
    """Drop the file under `incoming/<store>/<business date>.csv`; returns the key (its report is
    written at `reports/<key>.json` once it is read, see `pos_report`)."""
    body = ns.text((EVENTS_DIR / step.fixture).read_text()).encode()
    run = f"{ns.tag}/" if ns else ""
    key = f"incoming/{step.store_id}/{run}{step.business_date}.csv"
    boto3.client("s3").put_object(Bucket=stack.physical_id("PosFilesBucket"), Key=key, Body=body)
    return Done(step.label, "put in the POS bucket", True, detail={"key": key}), key


def pos_report(stack: LocalStack, step: PosFile, key: str) -> Done:
    """The import report the POS function wrote for the file (after the stack went idle)."""
    s3 = boto3.client("s3")
    try:
        raw = s3.get_object(Bucket=stack.physical_id("PosFilesBucket"), Key=f"reports/{key}.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return Done(f"{step.label}: import report", "no report", False)
    report = json.loads(raw)
    ok = (report.get("status"), report.get("accepted"), report.get("skipped_rows")) == (
        "imported",
        step.expect_accepted,
        step.expect_skipped_rows,
    )
    text = f"{report.get('status')}: {report.get('accepted')} accepted, {report.get('skipped_rows')} rows skipped"
    return Done(f"{step.label}: import report", text, ok, detail=report)


def fire(stack: LocalStack, step: FireSchedule) -> Done:
    results = stack.fire_schedule(step.schedule)
    errors = [str(r.error) for r in results if getattr(r, "error", None)]
    payload = results[0].payload if results and not errors else {}
    summary = ", ".join(
        f"{k} {payload[k]}" for k in ("accepted", "duplicates") if isinstance(payload, dict) and k in payload
    )
    return Done(
        step.label,
        f"fired: {summary}" if not errors else f"failed: {errors[0]}",
        not errors,
        detail=payload if isinstance(payload, dict) else {},
    )
