"""The marketplaces' side of the demo: what their APIs hold (seeded into the sandboxes from the
fixture responses), and the pulled channels delivered as in production: Amazon's ORDER_CHANGE put
on the SP-API partner event bus, the Zalando poll schedule fired, a POS file put in its bucket."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx

from local.demo.driver import Done, fixture_json
from local.demo.namespace import Namespace
from local.demo.scenario import FireSchedule, PartnerBusEvent, PosFile
from local.signing import EVENTS_DIR
from local.stack import LocalStack

ZALANDO_FIXTURE_ORDER = 0  # the first order of events/zalando/orders_page.json: approved, 2 PINK + 1 CASE


def seed_marketplaces(client: httpx.Client, stack: LocalStack, ns: Namespace) -> None:
    """The vendor APIs our adapters read thin notifications back from: SP-API getOrder /
    getOrderItems, Walmart `GET /v3/orders/{id}`, eBay getOrder, and Zalando's order listing."""
    urls = stack.sandbox_urls
    amazon = {
        "order": fixture_json("amazon/get_order_response")["payload"],
        "items": fixture_json("amazon/get_order_items_response")["payload"]["OrderItems"],
    }
    _seed(client, urls["amazon"], [ns.data(amazon)])
    _seed(client, urls["marketplace"], [ns.data(fixture_json("walmart/get_order_response")["order"])])
    _seed(client, urls["ebay"], [ns.data(fixture_json("ebay/get_order_response"))])
    # Zalando lists orders by modified_at: the fixture's order changed five minutes ago, within the
    # poller's window (it ends a minute before now).
    seed = zalando_seed(fixture_json("zalando/orders_page"), ZALANDO_FIXTURE_ORDER)
    seed["modified_at"] = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    _seed(client, urls["zalando"], [ns.data(seed)])


def zalando_seed(page: dict[str, Any], index: int) -> dict[str, Any]:
    """One order of a zDirect orders page in the Zalando sandbox's compact seed form."""
    order = page["data"][index]
    attributes = order["attributes"]
    included = {(entry["type"], entry["id"]): entry for entry in page.get("included", [])}
    lines_by_item: dict[str, list[dict[str, Any]]] = {}
    for entry in page.get("included", []):
        if entry["type"] == "OrderLine":
            lines_by_item.setdefault(entry["attributes"]["order_item_id"], []).append(entry["attributes"])
    items = []
    for ref in order["relationships"]["order_items"]["data"]:
        item = included[("OrderItem", ref["id"])]["attributes"]
        lines = lines_by_item.get(item["order_item_id"], [])
        items.append(
            {
                "order_item_id": item["order_item_id"],
                "external_id": item["external_id"],
                "article_id": item["article_id"],
                "description": item.get("description"),
                "quantity": len(lines),
                "price": lines[0]["price"],
                "line_statuses": [line["status"] for line in lines],
            }
        )
    keep = (
        "order_id",
        "order_number",
        "order_date",
        "status",
        "merchant_id",
        "sales_channel_id",
        "locale",
        "customer_number",
        "order_type",
        "shipping_address",
        "billing_address",
        "created_at",
    )
    return {**{key: attributes[key] for key in keep if key in attributes}, "items": items}


def _seed(client: httpx.Client, base_url: str, orders: list[Any]) -> None:
    client.post(f"{base_url}/__admin/orders", json=orders).raise_for_status()


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
