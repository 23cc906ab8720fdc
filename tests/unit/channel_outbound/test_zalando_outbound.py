"""Zalando outbound, canonical -> vendor: tracking on the order, then one `shipped` PATCH per unit
(events/zalando/outbound_tracking.json, outbound_ship_lines.json), against recorded answers and
against the zDirect sandbox (exactly once, across the settle delay and a redelivery)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from functions.channel_outbound.adapters.registry import ConfiguredAdapters
from functions.channel_outbound.adapters.zalando import (
    TrackingSettling,
    ZalandoOutbound,
    line_requests,
    tracking_request,
)
from functions.channel_outbound.logic.lines import shipped_lines
from functions.channel_outbound.settings import OutboundSettings
from local.sandboxes import ZalandoSandbox
from local.sandboxes.zalando import DEFAULT_MERCHANT_ID
from shared.errors import Rejected
from shared.models import Order
from tests.support.events import load_event, load_expected
from tests.support.sandboxes import sandbox_fixture
from tests.support.vendor_tokens import zalando_sandbox_auth
from tests.unit.channel_outbound.conftest import shipment_of

ORDER_ID = "1f6c8d2a-5b3e-4a7f-9c1d-2e4b6a8c0d13"
ORDER_PATH = f"/merchants/{DEFAULT_MERCHANT_ID}/orders/{ORDER_ID}"


def zalando_order(order_id: str = ORDER_ID) -> Order:
    expected: Any = load_expected("zalando/orders_page")
    [data] = [c["data"] for c in expected if c["command"] == "Order" and c["data"]["channel_order_id"] == order_id]
    return Order.model_validate(data)


def order_document(order_id: str = ORDER_ID, **attributes: Any) -> dict[str, Any]:
    """`GET .../orders/{order_id}?include=order_items,order_lines` as zDirect answers it."""
    page = load_event("zalando/orders_page")
    [data] = [d for d in page["data"] if d["id"] == order_id]
    data["attributes"].update(attributes)
    return {"data": data, "included": page["included"]}


class Recorder:
    def __init__(self, answers: list[httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = answers

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers.pop(0)


def adapter_with(answers: list[httpx.Response], **kwargs: Any) -> tuple[ZalandoOutbound, Recorder]:
    recorder = Recorder(answers)
    base = "https://api.merchants.zalando.com"
    client = httpx.Client(base_url=base, transport=httpx.MockTransport(recorder))
    return ZalandoOutbound(
        base, access_token="zd-token", merchant_id=DEFAULT_MERCHANT_ID, client=client, **kwargs
    ), recorder


def test_zalando_tracking_goes_on_the_order_as_a_json_api_patch() -> None:
    order = zalando_order()
    request = tracking_request(DEFAULT_MERCHANT_ID, order, shipment_of(order))
    assert (request.method, request.path) == ("PATCH", ORDER_PATH)
    assert request.body == load_event("zalando/outbound_tracking")


def test_zalando_ships_each_open_unit_of_the_shipped_items() -> None:
    order = zalando_order()
    shipment = shipment_of(order)
    requests = line_requests(DEFAULT_MERCHANT_ID, order, order_document(), shipped_lines(order, shipment))
    assert [{"method": r.method, "path": r.path, "body": r.body} for r in requests] == load_event(
        "zalando/outbound_ship_lines"
    )["requests"]


def test_zalando_canceled_units_are_never_shipped() -> None:
    order = zalando_order("2a7d9e3b-6c4f-4b8a-8d2e-3f5c7b9d1e24")  # 3 units, the middle one canceled
    shipment = shipment_of(order)
    document = order_document("2a7d9e3b-6c4f-4b8a-8d2e-3f5c7b9d1e24")
    requests = line_requests(DEFAULT_MERCHANT_ID, order, document, shipped_lines(order, shipment))
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == [
        "36f675cc-81e7-4ef5-a8e2-5d940ed90475",
        "8d116ece-1738-47d9-bd9c-172411e20b8f",
    ]


def test_zalando_units_already_shipped_are_not_shipped_again() -> None:
    order = zalando_order()
    document = order_document()
    for resource in document["included"]:
        if resource["id"] == "6513270e-269e-4d37-b2a7-4de452e6b438":
            resource["attributes"]["status"] = "shipped"  # an earlier attempt got this one through
    shipment = shipment_of(order)
    requests = line_requests(DEFAULT_MERCHANT_ID, order, document, shipped_lines(order, shipment))
    assert [r.path.rsplit("/", 1)[-1] for r in requests] == [
        "d23f0824-128b-4f33-8c5c-7fd0a6a3a450",
        "9531985d-5d9d-49f8-9818-e811892f902b",
    ]


def test_zalando_refuses_a_shipment_its_open_units_cannot_cover_before_any_patch() -> None:
    order = zalando_order()
    document = order_document()
    for resource in document["included"]:
        if resource["type"] == "OrderLine" and resource["id"] == "9531985d-5d9d-49f8-9818-e811892f902b":
            resource["attributes"]["status"] = "canceled"  # canceled on Zalando after we took the order
    adapter, recorder = adapter_with([httpx.Response(200, json=document)])
    shipment = shipment_of(order)
    with pytest.raises(Rejected):
        adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))
    assert [r.method for r in recorder.requests] == ["GET"]


def test_zalando_sets_tracking_then_defers_the_lines_by_zalandos_settle_delay() -> None:
    order = zalando_order()
    shipment = shipment_of(order)
    adapter, recorder = adapter_with([httpx.Response(200, json=order_document()), httpx.Response(204)])

    with pytest.raises(TrackingSettling) as settling:
        adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    assert settling.value.retry_after == 5.0
    get, patch = recorder.requests
    assert (get.method, get.url.path, get.url.params["include"]) == ("GET", ORDER_PATH, "order_items,order_lines")
    assert (patch.method, patch.url.path) == ("PATCH", ORDER_PATH)
    assert patch.headers["Authorization"] == "Bearer zd-token"
    assert patch.headers["Content-Type"] == "application/vnd.api+json"
    assert json.loads(patch.content) == load_event("zalando/outbound_tracking")


def test_zalando_order_with_tracking_gets_only_its_line_patches() -> None:
    order = zalando_order()
    shipment = shipment_of(order)
    document = order_document(tracking_number="1Z999AA10123456784")
    adapter, recorder = adapter_with([httpx.Response(200, json=document)] + [httpx.Response(204)] * 3)

    sent = adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))

    assert sent.calls == 4 and sent.reference == "1Z999AA10123456784"
    assert [json.loads(r.content) for r in recorder.requests[1:]] == [
        r["body"] for r in load_event("zalando/outbound_ship_lines")["requests"]
    ]


def test_zalando_refuses_a_shipment_without_tracking_before_calling() -> None:
    order = zalando_order()
    adapter, recorder = adapter_with([])
    shipment = shipment_of(order, tracking_number=None)
    with pytest.raises(Rejected):
        adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))
    assert recorder.requests == []


def test_zalando_is_configured_by_its_base_url_and_merchant(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ZALANDO_API_BASE_URL", "ZALANDO_MERCHANT_ID"):
        monkeypatch.delenv(name, raising=False)
    base = {
        "channel_outbound_dlq_url": "q",
        "channel_outbound_queue_url": "q",
        "state_table_name": "state",
        "trace_table_name": "trace",
    }
    without = OutboundSettings.model_validate(base)
    with_zalando = OutboundSettings.model_validate(
        {**base, "zalando_api_base_url": "https://api.merchants.zalando.com", "zalando_merchant_id": "m-1"}
    )
    assert ConfiguredAdapters(without)("zalando") is None
    adapter = ConfiguredAdapters(with_zalando)("zalando")
    assert isinstance(adapter, ZalandoOutbound) and adapter.merchant_id == "m-1"


# ----- against the zDirect sandbox -----------------------------------------------------------------


sandbox = sandbox_fixture(ZalandoSandbox)


def test_zalando_shipment_is_confirmed_once_against_the_sandbox(sandbox: ZalandoSandbox) -> None:
    stored = sandbox.seed_order(
        {
            "order_id": ORDER_ID,
            "items": [
                {"external_id": "IPOD2008PINK", "quantity": 2, "price": {"amount": 189.95, "currency": "EUR"}},
                {"external_id": "CASE-IPOD-CLEAR", "quantity": 1, "price": {"amount": 24.95, "currency": "EUR"}},
            ],
        }
    )
    items = {ref["id"] for ref in stored["relationships"]["order_items"]["data"]}
    bearer = {"Authorization": f"Bearer {sandbox.tokens.issue()[0]}"}  # a token the sandbox minted
    with httpx.Client(timeout=5.0) as http:
        document = http.get(f"{sandbox.url}{ORDER_PATH}", params={"include": "order_items"}, headers=bearer).json()
    line_ids = {r["attributes"]["external_id"]: r["id"] for r in document["included"] if r["id"] in items}
    order = zalando_order().model_copy(
        update={"lines": [line.model_copy(update={"line_id": line_ids[line.sku]}) for line in zalando_order().lines]}
    )
    shipment = shipment_of(order)
    adapter = ZalandoOutbound(
        sandbox.url, token_auth=zalando_sandbox_auth(sandbox.url), merchant_id=DEFAULT_MERCHANT_ID
    )

    with pytest.raises(TrackingSettling):
        adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))
    sent = adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))  # the redelivery
    again = adapter.confirm_shipment(order, shipment, shipped_lines(order, shipment))  # a late duplicate

    assert (sent.calls, again.calls) == (4, 1)  # GET + 3 lines; then only the GET: nothing left open
    with httpx.Client(timeout=5.0) as http:
        patches = http.get(f"{sandbox.url}/__admin/requests", params={"method": "PATCH"}).json()["requests"]
        final = http.get(f"{sandbox.url}{ORDER_PATH}", headers=bearer).json()["data"]
    assert [p["status"] for p in patches] == [204] * 4
    assert len({p["path"] for p in patches}) == 4  # the tracking once, each unit once
    assert final["attributes"]["tracking_number"] == "1Z999AA10123456784"
    assert final["attributes"]["status"] == "fulfilled"
