"""Every webhook source end to end, as its vendor sends it: the signed fixture bytes of `events/` over
HTTP to the local stack, the answer, then the canonical result read from outside (the ops API, the
state table, the trace, the sandboxes' journals).

The fixtures keep their own ids, so each is sent once per stack (a second send is the duplicate
case). The vendor APIs that enrich thin notifications are seeded through the sandboxes' admin routes:
Square (RetrieveOrder, catalog), Walmart (`GET /v3/orders/{id}`), eBay (getOrder, and getPublicKey for
the signature). Stock for the fixture SKUs comes from the WMS fixtures (`wms_fixtures`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from local.signing import fixture_request
from local.stack import LocalStack
from shared.models.orders import order_id_for
from tests.integration.flows import Flows, close_flows, open_flows
from tests.support.events import load_event

SHOPIFY_ORDER = "820982911946154508"
WALMART_PO = "1796277083968"
EBAY_ORDER = "27-13492-80251"
SQUARE_ORDER = "CAISENgvlJ6jLWAzERDzjyHVybY"
STORE = "D7AVYMEAPJ3A3"
WMS_IN_ORDER = [
    "wms/inventory_adjusted",  # 101: dc-east PINK 40
    "wms/inventory_adjusted_black",  # 102
    "wms/inventory_adjusted_green",  # 103
    "wms/inventory_adjusted_cycle_count",  # 104: PINK 38
    "wms/inventory_adjusted_stale",  # 100: older than 104, changes nothing
    "wms/inventory_adjusted_store_pink",  # 105: the Square store
    "wms/inventory_adjusted_store_case",  # 106
]


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    driver = open_flows(local_stack)
    yield driver
    close_flows(driver)


def send(flows: Flows, fixture: str, **extra_headers: str) -> httpx.Response:
    """The fixture's exact bytes with the headers its vendor sends, signed as the vendor signs."""
    body, headers = fixture_request(fixture, base_url=flows.stack.api_url)
    source = fixture.split("/")[0]
    return flows.http.post(
        f"{flows.stack.api_url}/v1/webhooks/{source}", content=body, headers={**headers, **extra_headers}
    )


def accepted(flows: Flows, fixture: str) -> dict[str, Any]:
    answer = send(flows, fixture)
    assert answer.status_code == 202, answer.text
    body: dict[str, Any] = answer.json()
    return body


def state_item(flows: Flows, pk: str, sk: str) -> dict[str, Any]:
    """One state-table item, plain JSON values (what the ops API does not show: changes, returns)."""
    from boto3.dynamodb.types import TypeDeserializer

    raw = boto3.client("dynamodb").get_item(
        TableName=flows.stack.physical_id("StateTable"), Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    )
    item = raw.get("Item")
    assert item is not None, f"no state item {pk} / {sk}"
    deserialize = TypeDeserializer().deserialize
    return {k: deserialize(v) for k, v in item.items()}


def hops(flows: Flows, correlation_id: str) -> list[tuple[str, str]]:
    return flows.timeline(correlation_id)


def seed(flows: Flows, sandbox: str, path: str, body: Any) -> None:
    answer = flows.http.post(f"{flows.sandbox_url(sandbox)}/__admin/{path}", json=body)
    assert answer.status_code == 200, answer.text


@pytest.fixture
def wms_fixtures(flows: Flows) -> dict[str, dict[str, Any]]:
    """The WMS adjustments (the first test sends them; later ones are duplicates). The stale count goes
    last, once the newer ones are applied, so the worker sees it as stale rather than as a first value."""
    stale = "wms/inventory_adjusted_stale"
    answers = {fixture: accepted(flows, fixture) for fixture in WMS_IN_ORDER if fixture != stale}
    flows.idle()
    answers[stale] = accepted(flows, stale)
    flows.idle()
    return answers


def test_wms_adjustments_set_positions_and_an_older_count_changes_nothing(
    flows: Flows, wms_fixtures: dict[str, dict[str, Any]]
) -> None:
    pink = flows.position("IPOD2008PINK")
    assert (pink["on_hand"], pink["last_sequence"]) == (38, 104)
    assert flows.position("IPOD2008GREEN")["on_hand"] == 2
    assert flows.position("IPOD2008PINK", STORE)["last_sequence"] == 105
    stale = wms_fixtures["wms/inventory_adjusted_stale"]
    if not stale["duplicate"]:  # first delivery in this stack: the worker saw it and ignored it
        assert ("inventory-worker", "ignored_stale") in hops(flows, stale["correlation_id"])
    again = accepted(flows, "wms/inventory_adjusted_stale")
    assert (again["duplicate"], again["correlation_id"]) == (True, stale["correlation_id"])
    ignored = accepted(flows, "wms/receipt_closed")
    assert ignored["ignored"] is True


def test_shopify_update_before_create_is_held_then_merged_and_every_topic_lands(
    flows: Flows, wms_fixtures: dict[str, dict[str, Any]]
) -> None:
    # GIVEN orders/updated (address2 "Apt 4") arriving before orders/create
    update = accepted(flows, "shopify/orders_updated")
    flows.idle()
    assert ("orders-worker", "change_held") in hops(flows, update["correlation_id"])
    assert flows.ops(f"orders/shopify/{SHOPIFY_ORDER}").status_code == 404

    # WHEN the create arrives
    create = accepted(flows, "shopify/orders_create")
    flows.idle()

    # THEN the order runs its flow with the held update merged in, and the update is applied
    view = flows.order("shopify", SHOPIFY_ORDER)
    assert view["status"] == "ACCEPTED" and view["correlation_id"] == create["correlation_id"]
    assert [(line["sku"], line["quantity"]) for line in view["lines"]] == [("IPOD2008PINK", 1), ("IPOD2008BLACK", 2)]
    assert ("orders-worker", "change_released") in hops(flows, create["correlation_id"])
    stored = state_item(flows, f"ORDER#shopify#{SHOPIFY_ORDER}", "ORDER")
    assert stored["order"]["shipping_address"]["line2"] == "Apt 4"
    [record] = flows.erp_records(order_id_for("shopify", SHOPIFY_ORDER))
    assert record["shippingAddress"]["addr2"] == "Apt 4"
    held = state_item(flows, f"ORDER#shopify#{SHOPIFY_ORDER}", "CHANGE#update#20220101T010500000000Z")
    assert (held["status"], held["published"]) == ("APPLIED", True)

    # AND the fulfilment and the refund are recorded against the order
    fulfilled = accepted(flows, "shopify/orders_fulfilled")
    refund = accepted(flows, "shopify/refunds_create")
    flows.idle()
    assert ("orders-worker", "change_applied") in hops(flows, fulfilled["correlation_id"])
    assert state_item(flows, f"ORDER#shopify#{SHOPIFY_ORDER}", "CHANGE#fulfilment#255858046")["status"] == "APPLIED"
    assert state_item(flows, f"ORDER#shopify#{SHOPIFY_ORDER}", "CHANGE#refund#929361462")["status"] == "APPLIED"
    assert ("orders-worker", "change_applied") in hops(flows, refund["correlation_id"])

    # AND the same delivery again is a duplicate; a topic we do not handle is ignored
    again = accepted(flows, "shopify/orders_create")
    assert (again["duplicate"], again["correlation_id"]) == (True, create["correlation_id"])
    assert accepted(flows, "shopify/customers_create")["ignored"] is True

    # AND the cancellation cancels it
    accepted(flows, "shopify/orders_cancelled")
    flows.idle()
    assert flows.order("shopify", SHOPIFY_ORDER)["status"] == "CANCELLED"


def test_walmart_po_is_read_from_the_orders_api_and_its_changes_and_returns_recorded(
    flows: Flows, wms_fixtures: dict[str, dict[str, Any]]
) -> None:
    seed(flows, "marketplace", "orders", load_event("walmart/get_order_response")["order"])

    created = accepted(flows, "walmart/po_created")
    flows.idle()

    view = flows.order("walmart", WALMART_PO)
    assert view["status"] == "ACCEPTED" and view["correlation_id"] == created["correlation_id"]
    assert [(line["sku"], line["quantity"], line["unit_price"]["amount"]) for line in view["lines"]] == [
        ("IPOD2008PINK", 1, "199.00"),
        ("IPOD2008GREEN", 1, "199.00"),
    ]
    gets = [e for e in flows.stack.sandboxes.marketplace.journal() if e["path"] == f"/v3/orders/{WALMART_PO}"]
    assert [e["method"] for e in gets] == ["GET"]

    cancelled = accepted(flows, "walmart/po_line_autocancelled")
    returned = accepted(flows, "walmart/return_created")
    flows.idle()
    change = state_item(
        flows, f"ORDER#walmart#{WALMART_PO}", "CHANGE#lines_cancelled#7a5c1e30-cd2b-11ea-9e31-2b6a7e8f9a01"
    )
    assert change["status"] == "APPLIED" and change["correlation_id"] == cancelled["correlation_id"]
    # the auto-cancelled GREEN line gave its reserved unit back at once, the PINK line still holds one
    reservation = state_item(flows, f"RESERVATION#{order_id_for('walmart', WALMART_PO)}", "RESERVATION")
    assert {line["sku"]: int(line["quantity"]) for line in reservation["lines"]} == {"IPOD2008PINK": 1}
    assert reservation["line_cancellations"] == ["7a5c1e30-cd2b-11ea-9e31-2b6a7e8f9a01"]
    assert ("orders-worker", "lines_released") in hops(flows, cancelled["correlation_id"])
    rma = state_item(flows, "RETURN#walmart#98765432101234", "RETURN")
    assert (rma["status"], rma["channel_order_id"]) == ("OPEN", WALMART_PO)
    assert ("orders-worker", "return_applied") in hops(flows, returned["correlation_id"])

    assert accepted(flows, "walmart/po_created")["duplicate"] is True
    assert accepted(flows, "walmart/inventory_oos")["ignored"] is True


def test_ebay_order_confirmation_becomes_the_order_read_with_get_order(
    flows: Flows, wms_fixtures: dict[str, dict[str, Any]]
) -> None:
    # eBay validates the endpoint first: GET with a challenge code.
    challenge = flows.http.get(f"{flows.stack.api_url}/v1/webhooks/ebay", params={"challenge_code": "a8628072"})
    endpoint = f"{flows.stack.api_url}/v1/webhooks/ebay"
    expected = hashlib.sha256(f"a8628072local-ebay-verification-token{endpoint}".encode()).hexdigest()
    assert challenge.status_code == 200 and challenge.json() == {"challengeResponse": expected}
    seed(flows, "ebay", "orders", load_event("ebay/get_order_response"))

    confirmed = accepted(flows, "ebay/order_confirmation")
    flows.idle()

    view = flows.order("ebay", EBAY_ORDER)
    assert view["status"] == "ACCEPTED" and view["correlation_id"] == confirmed["correlation_id"]
    assert [(line["sku"], line["quantity"], line["unit_price"]["amount"]) for line in view["lines"]] == [
        ("IPOD2008PINK", 1, "199.00"),
        ("IPOD2008BLACK", 2, "199.00"),
    ]
    reads = [e for e in flows.stack.sandboxes.ebay.journal() if e["path"] == f"/sell/fulfillment/v1/order/{EBAY_ORDER}"]
    assert len(reads) == 1
    assert ("orders-worker", "flow_started") in hops(flows, confirmed["correlation_id"])

    assert accepted(flows, "ebay/order_confirmation")["duplicate"] is True
    assert accepted(flows, "ebay/marketplace_account_deletion")["ignored"] is True


def test_loop_return_is_recorded_created_updated_then_closed(flows: Flows) -> None:
    created = accepted(flows, "loop/return_created")
    flows.idle()
    accepted(flows, "loop/return_updated")
    flows.idle()
    closed = accepted(flows, "loop/return_closed")
    flows.idle()

    rma = state_item(flows, "RETURN#loop#1673", "RETURN")
    assert (rma["status"], rma["channel"], rma["channel_order_id"]) == ("CLOSED", "shopify", SHOPIFY_ORDER)
    assert rma["correlation_id"] == closed["correlation_id"]
    assert ("orders-worker", "return_applied") in hops(flows, created["correlation_id"])
    assert accepted(flows, "loop/return_created")["duplicate"] is True
    assert accepted(flows, "loop/label_updated")["ignored"] is True


def test_square_sale_is_read_from_the_square_api_and_a_completed_refund_is_a_store_return(
    flows: Flows, wms_fixtures: dict[str, dict[str, Any]]
) -> None:
    seed(flows, "square", "orders", load_event("square/retrieve_order_response")["order"])
    seed(flows, "square", "catalog", load_event("square/batch_retrieve_catalog_objects_response")["objects"])

    payment = accepted(flows, "square/payment_created")
    flows.idle()
    view = flows.order("square", SQUARE_ORDER)
    assert (view["status"], view["location_id"]) == ("ACCEPTED", STORE)
    order_event = accepted(flows, "square/order_updated_completed")  # the same sale again: one order
    refund = accepted(flows, "square/refund_updated_completed")
    flows.idle()
    assert flows.order("square", SQUARE_ORDER)["status"] == "ACCEPTED"
    assert len(flows.erp_records(order_id_for("square", SQUARE_ORDER))) == 1
    assert ("orders-worker", "flow_started") in hops(flows, payment["correlation_id"])
    # A till sale is taken off on hand once, never reserved: the second delivery finds it applied.
    assert ("reserve-stock", "sold_at_store") in hops(flows, order_event["correlation_id"])
    assert ("reserve-stock", "already_reserved") not in hops(flows, order_event["correlation_id"])

    for ignored in ("square/order_updated_open", "square/payment_updated_approved", "square/refund_created_pending"):
        assert accepted(flows, ignored)["ignored"] is True, ignored
    store_return = state_item(
        flows,
        "STORE_RETURN#square#KkAkhdMsgzn59SM8A89WgKwekxLZY_ptNBVqHYxt5gAdfcobBe4u1AZsXhoz06KTtuq9Ls24P",
        "STORE_RETURN",
    )
    assert (store_return["location_id"], store_return["channel_order_id"]) == (STORE, SQUARE_ORDER)
    assert ("orders-worker", "store_return_applied") in hops(flows, refund["correlation_id"])
    assert accepted(flows, "square/refund_updated_completed")["duplicate"] is True


SIGNED_FIXTURES = {
    "shopify": ("shopify/orders_create", "X-Shopify-Hmac-Sha256"),
    "square": ("square/payment_created", "x-square-hmacsha256-signature"),
    "walmart": ("walmart/po_created", "WM_SEC.SIGNATURE"),
    "ebay": ("ebay/order_confirmation", "X-EBAY-SIGNATURE"),
    "loop": ("loop/return_created", "X-Loop-Signature"),
    "wms": ("wms/inventory_adjusted", "X-Signature"),
}


@pytest.mark.parametrize("source", sorted(SIGNED_FIXTURES))
def test_a_tampered_body_or_signature_is_refused_and_leaves_nothing_behind(flows: Flows, source: str) -> None:
    fixture, signature_header = SIGNED_FIXTURES[source]
    body, headers = fixture_request(fixture, base_url=flows.stack.api_url)
    url = f"{flows.stack.api_url}/v1/webhooks/{source}"
    tampered_body = body[:1] + b" " + body[1:]  # still the same JSON, no longer the signed bytes
    forged = dict(headers)
    forged[signature_header] = "dGFtcGVyZWQ=" if source != "wms" else headers[signature_header][:-4] + "0000"

    for index, (content, sent) in enumerate(((tampered_body, headers), (body, forged))):
        correlation_id = f"tamper-{source}-{index}-0123456789"
        answer = flows.http.post(url, content=content, headers={**sent, "X-Correlation-Id": correlation_id})
        assert answer.status_code == 401, answer.text
        error = answer.json()["error"]
        assert error["code"] == "SIGNATURE_INVALID" and error["correlation_id"] == correlation_id
        assert error["message"]
        assert flows.ops(f"transactions/{correlation_id}").status_code == 404  # nothing recorded
