"""Pulled channels through the local stack: Amazon's partner event bus and backup poll, the Zalando
poller's overlapping window, and POS nightly files dropped in their bucket.

Each test uses its own order ids, so the session's shared stack (and the pollers' watermarks in it)
can run them in any order.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx

from local.stack import LocalStack
from tests.integration.flows import new_amazon_order_id, put_amazon_order_change
from tests.support.events import EVENTS_DIR, load_event

AMAZON_POLL = "AmazonOrdersPollSchedule"
ZALANDO_POLL = "ZalandoOrdersPollSchedule"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed_amazon_order(stack: LocalStack, order_id: str, updated: datetime) -> None:
    order = load_event("amazon/get_order_response")["payload"]
    order.update(
        AmazonOrderId=order_id, LastUpdateDate=_iso(updated), PurchaseDate=_iso(updated - timedelta(minutes=12))
    )
    items = load_event("amazon/get_order_items_response")["payload"]["OrderItems"]
    stack.sandboxes.amazon.seed_orders([{"order": order, "items": items}])


def _seeded_amazon_order(stack: LocalStack, updated_minutes_ago: int) -> str:
    """A new order in the SP-API sandbox, last updated that many minutes ago; its id."""
    order_id = new_amazon_order_id()
    _seed_amazon_order(stack, order_id, datetime.now(UTC) - timedelta(minutes=updated_minutes_ago))
    return order_id


def _order(stack: LocalStack, channel: str, channel_order_id: str) -> httpx.Response:
    return httpx.get(f"{stack.api_url}/v1/ops/orders/{channel}/{channel_order_id}", timeout=10)


def _pull_trace(stack: LocalStack, correlation_id: str) -> list[str]:
    timeline = httpx.get(f"{stack.api_url}/v1/ops/transactions/{correlation_id}", timeout=10).json()
    return [e["status"] for e in timeline["events"] if e["hop"] == "pull"]


def _fire(stack: LocalStack, schedule: str) -> dict[str, Any]:
    (result,) = stack.fire_schedule(schedule)
    assert result.error is None, result.error
    report: dict[str, Any] = result.payload
    return report


def _state_item(stack: LocalStack, pk: str, sk: str) -> dict[str, Any]:
    """One state-table item, plain JSON values (store returns are not in the ops API)."""
    from boto3.dynamodb.types import TypeDeserializer

    raw = boto3.client("dynamodb").get_item(
        TableName=stack.physical_id("StateTable"), Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    )
    item = raw.get("Item")
    assert item is not None, f"no state item {pk} / {sk}"
    deserialize = TypeDeserializer().deserialize
    return {k: deserialize(v) for k, v in item.items()}


def _stored_order(stack: LocalStack, channel: str, channel_order_id: str) -> dict[str, Any]:
    table = boto3.resource("dynamodb").Table(stack.physical_id("StateTable"))
    item = table.get_item(Key={"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"})["Item"]
    order: Any = item["order"]
    stored: dict[str, Any] = json.loads(order) if isinstance(order, str) else dict(order)
    return stored


def test_order_change_on_the_partner_bus_is_enriched_from_sp_api_into_a_canonical_order(
    local_stack: LocalStack,
) -> None:
    # GIVEN an unshipped MFN order in the SP-API sandbox
    order_id = _seeded_amazon_order(local_stack, updated_minutes_ago=10)

    # WHEN Amazon's ORDER_CHANGE notification arrives on the partner event bus
    put_amazon_order_change(local_stack, order_id)
    local_stack.wait_idle(30)

    # THEN it was read with getOrder and getOrderItems and recorded as one canonical order
    calls = [(e["method"], e["path"]) for e in local_stack.sandboxes.amazon.journal() if order_id in e["path"]]
    assert calls == [
        ("GET", f"/orders/v0/orders/{order_id}"),
        ("GET", f"/orders/v0/orders/{order_id}/orderItems"),
    ]
    answer = _order(local_stack, "amazon", order_id)
    assert answer.status_code == 200
    body = answer.json()
    assert body["channel"] == "amazon"
    assert [(line["sku"], line["quantity"], line["unit_price"]["amount"]) for line in body["lines"]] == [
        ("IPOD2008PINK", 1, "199.00"),
        ("IPOD2008BLACK", 2, "199.00"),
    ]
    assert _pull_trace(local_stack, body["correlation_id"]) == ["accepted"]


def test_backup_poll_finding_an_order_already_notified_does_not_create_a_second_one(
    local_stack: LocalStack,
) -> None:
    # GIVEN an order that arrived by notification
    order_id = _seeded_amazon_order(local_stack, updated_minutes_ago=10)
    put_amazon_order_change(local_stack, order_id)
    local_stack.wait_idle(30)
    first = _order(local_stack, "amazon", order_id).json()

    # WHEN the backup poll lists it again (twice)
    reports = [_fire(local_stack, AMAZON_POLL) for _ in range(2)]
    local_stack.wait_idle(30)

    # THEN it is a duplicate each time: the same order, one accepted delivery, no second normalization
    assert all(r["duplicates"] >= 1 for r in reports)
    again = _order(local_stack, "amazon", order_id).json()
    assert again["correlation_id"] == first["correlation_id"]
    assert again["order_id"] == first["order_id"]
    assert _pull_trace(local_stack, first["correlation_id"]).count("accepted") == 1
    gets = [e for e in local_stack.sandboxes.amazon.journal() if e["path"] == f"/orders/v0/orders/{order_id}"]
    assert len(gets) == 1


def test_backup_poll_recovers_an_order_whose_notification_never_came(local_stack: LocalStack) -> None:
    order_id = _seeded_amazon_order(local_stack, updated_minutes_ago=8)

    report = _fire(local_stack, AMAZON_POLL)
    local_stack.wait_idle(30)

    assert report["accepted"] >= 1
    answer = _order(local_stack, "amazon", order_id)
    assert answer.status_code == 200
    # A notification arriving late for it changes nothing.
    put_amazon_order_change(local_stack, order_id)
    local_stack.wait_idle(30)
    assert _pull_trace(local_stack, answer.json()["correlation_id"]) == ["accepted", "duplicate"]


def test_zalando_poller_picks_up_a_late_order_once_thanks_to_the_overlapping_window(local_stack: LocalStack) -> None:
    zalando = local_stack.sandboxes.zalando
    now = datetime.now(UTC)
    on_time, late = str(uuid.uuid4()), str(uuid.uuid4())
    item = {"external_id": "IPOD2008PINK", "quantity": 1, "price": {"amount": 189.95, "currency": "EUR"}}
    zalando.seed_order(
        {"order_id": on_time, "status": "approved", "modified_at": _iso(now - timedelta(minutes=5)), "items": [item]}
    )

    first = _fire(local_stack, ZALANDO_POLL)
    watermark = datetime.fromisoformat(first["watermark"].replace("Z", "+00:00"))
    # GIVEN an order that shows up in the API only now, though it says it changed before the watermark
    zalando.seed_order(
        {"order_id": late, "status": "approved", "modified_at": _iso(watermark - timedelta(minutes=2)), "items": [item]}
    )

    second = _fire(local_stack, ZALANDO_POLL)
    third = _fire(local_stack, ZALANDO_POLL)
    local_stack.wait_idle(30)

    assert first["accepted"] >= 1
    assert second["accepted"] == 1 and second["duplicates"] >= 1  # the late one; the first one again
    assert third["accepted"] == 0 and third["duplicates"] >= 2
    answer = _order(local_stack, "zalando", late)
    assert answer.status_code == 200
    assert answer.json()["lines"][0]["sku"] == "IPOD2008PINK"
    assert _pull_trace(local_stack, answer.json()["correlation_id"]) == ["accepted", "duplicate"]


def test_the_same_pos_file_dropped_twice_changes_nothing_the_second_time(local_stack: LocalStack) -> None:
    s3 = boto3.client("s3")
    bucket = local_stack.physical_id("PosFilesBucket")
    body = (EVENTS_DIR / "pos" / "franchise-0042_2026-11-22.csv").read_bytes()
    key = f"incoming/franchise-0042/{uuid.uuid4().hex[:8]}/2026-11-22.csv"

    s3.put_object(Bucket=bucket, Key=key, Body=body)
    local_stack.wait_idle(30)
    first = json.loads(s3.get_object(Bucket=bucket, Key=f"reports/{key}.json")["Body"].read())
    before = {t: _order(local_stack, "pos", f"franchise-0042-{t}").json() for t in ("T000981", "T000982", "T000984")}

    # WHEN the same file is dropped again, and once more under another name
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    local_stack.wait_idle(30)
    second = json.loads(s3.get_object(Bucket=bucket, Key=f"reports/{key}.json")["Body"].read())
    other = key.replace(".csv", "-resent.csv")
    s3.put_object(Bucket=bucket, Key=other, Body=body)
    local_stack.wait_idle(30)
    third = json.loads(s3.get_object(Bucket=bucket, Key=f"reports/{other}.json")["Body"].read())

    assert first["status"] == "imported" and (first["return_rows"], first["skipped_rows"]) == (1, 0)
    assert first["accepted"] + first["duplicates"] == 4  # 3 sales and 1 return
    assert (second["accepted"], second["duplicates"]) == (0, 4)
    assert (third["accepted"], third["duplicates"]) == (0, 4)
    after = {t: _order(local_stack, "pos", f"franchise-0042-{t}").json() for t in before}
    assert after == before
    assert _order(local_stack, "pos", "franchise-0042-T000983").status_code == 404  # a RETURN row is not a sale
    store_return = _state_item(local_stack, "STORE_RETURN#pos#franchise-0042-T000983", "STORE_RETURN")
    assert (store_return["location_id"], store_return["returned_at"]) == ("franchise-0042", "2026-11-23T00:03:27Z")
    assert store_return["amount"] == {"amount": "219.40", "currency": "USD"}


def test_pos_sales_are_stored_in_utc_from_the_store_time_zone(local_stack: LocalStack) -> None:
    s3 = boto3.client("s3")
    bucket = local_stack.physical_id("PosFilesBucket")
    s3.put_object(
        Bucket=bucket,
        Key="incoming/franchise-0042/2026-10-31.csv",
        Body=(EVENTS_DIR / "pos" / "franchise-0042_2026-10-31_dst_end.csv").read_bytes(),
    )
    local_stack.wait_idle(30)

    # Chicago: 00:58:10 CDT, 01:30 (twice that night: the first), 02:05:31 CST
    placed = [_stored_order(local_stack, "pos", f"franchise-0042-T00071{n}")["placed_at"] for n in (3, 4, 5)]
    assert placed == ["2026-11-01T05:58:10Z", "2026-11-01T06:30:00Z", "2026-11-01T08:05:31Z"]
    view = _order(local_stack, "pos", "franchise-0042-T000714").json()
    assert view["location_id"] == "franchise-0042"


def test_a_pos_file_with_a_bad_row_is_rejected_whole_with_a_report(local_stack: LocalStack) -> None:
    s3 = boto3.client("s3")
    bucket = local_stack.physical_id("PosFilesBucket")
    text = (EVENTS_DIR / "pos" / "franchise-0042_2026-11-22.csv").read_text()
    bad = (
        text.replace("T000981", "T100981")
        .replace("T000982", "T100982")
        .replace(
            "2026-11-22 13:47:09,IPOD2008BLACK,iPod nano 8GB Black,1,",
            "2026-11-22 13:47:09,IPOD2008BLACK,iPod nano 8GB Black,1.5,",
        )
    )
    key = f"incoming/franchise-0042/{uuid.uuid4().hex[:8]}-bad.csv"

    s3.put_object(Bucket=bucket, Key=key, Body=bad.encode())
    local_stack.wait_idle(30)

    report = json.loads(s3.get_object(Bucket=bucket, Key=f"reports/{key}.json")["Body"].read())
    assert report["status"] == "rejected"
    assert {"row": 4, "field": "quantity"}.items() <= report["problems"][0].items()
    assert _order(local_stack, "pos", "franchise-0042-T100981").status_code == 404  # nothing half done
