"""Zalando sandbox: the Orders API PATCHes a partner uses to ship (tracking on the order, line status)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from local.sandboxes import ZalandoSandbox
from local.sandboxes.zalando import DEFAULT_MERCHANT_ID

# The ``client`` fixture adds a bearer token the sandbox minted (conftest.py).
BEARER = {"Content-Type": "application/vnd.api+json"}
ITEM = {"external_id": "IPOD2008PINK", "quantity": 2, "price": {"amount": 189.95, "currency": "EUR"}}


def _order_url(zalando: ZalandoSandbox, order_id: str = "order-1") -> str:
    return f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/orders/{order_id}"


def _lines(zalando: ZalandoSandbox, client: httpx.Client) -> list[dict[str, Any]]:
    answer = client.get(_order_url(zalando), params={"include": "order_lines"}, headers=BEARER)
    return [r for r in answer.json()["included"] if r["type"] == "OrderLine"]


def _ship(
    zalando: ZalandoSandbox, client: httpx.Client, line: dict[str, Any], status: str = "shipped"
) -> httpx.Response:
    item_id = line["attributes"]["order_item_id"]
    body = {"data": {"id": line["id"], "type": "OrderLine", "attributes": {"status": status}}}
    return client.patch(f"{_order_url(zalando)}/items/{item_id}/lines/{line['id']}", json=body, headers=BEARER)


def test_zalando_keeps_the_first_tracking_number_of_an_order(zalando: ZalandoSandbox, client: httpx.Client) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [ITEM]})

    def tracking(number: str) -> httpx.Response:
        body = {"data": {"type": "Order", "id": "order-1", "attributes": {"tracking_number": number}}}
        return client.patch(_order_url(zalando), json=body, headers=BEARER)

    first, second = tracking("TRACK-1"), tracking("TRACK-2")

    assert (first.status_code, second.status_code) == (204, 204)
    order = client.get(_order_url(zalando), headers=BEARER).json()["data"]
    assert order["attributes"]["tracking_number"] == "TRACK-1"
    [journaled, _] = zalando_requests(client, zalando, "PATCH")
    assert journaled["body"]["data"]["attributes"] == {"tracking_number": "TRACK-1"}


def zalando_requests(client: httpx.Client, zalando: ZalandoSandbox, method: str) -> list[dict[str, Any]]:
    return list(client.get(f"{zalando.url}/__admin/requests", params={"method": method}).json()["requests"])


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"type": "OrderLine", "id": "order-1", "attributes": {"tracking_number": "T"}}},
        {"data": {"type": "Order", "id": "other-order", "attributes": {"tracking_number": "T"}}},
        {"data": {"type": "Order", "id": "order-1", "attributes": {"status": "fulfilled"}}},
        {"data": {"type": "Order", "id": "order-1", "attributes": {"tracking_number": ""}}},
    ],
    ids=["wrong_type", "id_not_the_paths", "attribute_not_patchable", "empty_tracking"],
)
def test_a_bad_order_patch_answers_400_and_changes_nothing(
    zalando: ZalandoSandbox, client: httpx.Client, body: dict[str, Any]
) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [ITEM]})

    answer = client.patch(_order_url(zalando), json=body, headers=BEARER)

    assert answer.status_code == 400 and answer.json()["errors"][0]["status"] == "400"
    order = client.get(_order_url(zalando), headers=BEARER).json()["data"]["attributes"]
    assert "tracking_number" not in order and order["status"] == "approved"


def test_shipping_every_line_fulfils_the_order_and_counts_the_items(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [ITEM]})
    first, second = _lines(zalando, client)

    assert _ship(zalando, client, first).status_code == 204
    assert client.get(_order_url(zalando), headers=BEARER).json()["data"]["attributes"]["status"] == "approved"
    assert _ship(zalando, client, second).status_code == 204

    answer = client.get(_order_url(zalando), params={"include": "order_items"}, headers=BEARER).json()
    assert answer["data"]["attributes"]["status"] == "fulfilled"
    assert answer["included"][0]["attributes"]["quantity_shipped"] == 2


def test_a_line_cannot_be_shipped_twice_or_shipped_after_cancellation(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [{**ITEM, "line_statuses": ["initial", "canceled"]}]})
    open_line, canceled = _lines(zalando, client)

    assert _ship(zalando, client, open_line).status_code == 204
    again, after_cancel = _ship(zalando, client, open_line), _ship(zalando, client, canceled)

    assert (again.status_code, after_cancel.status_code) == (400, 400)
    assert "from shipped to shipped" in again.json()["errors"][0]["detail"]


def test_a_line_patch_for_an_unknown_line_or_under_another_item_answers_404(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [ITEM]})
    [line, _] = _lines(zalando, client)
    body = {"data": {"id": line["id"], "type": "OrderLine", "attributes": {"status": "shipped"}}}

    wrong_item = client.patch(f"{_order_url(zalando)}/items/nope/lines/{line['id']}", json=body, headers=BEARER)

    assert wrong_item.status_code == 404


def test_order_patches_share_zalandos_patch_quota_and_answer_429_beyond_it(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    zalando.seed_order({"order_id": "order-1", "items": [ITEM]})
    first, second = _lines(zalando, client)
    zalando.set_faults(
        {
            "rate_limits": {
                "patchOrderLine": {"capacity": 1, "refill_per_second": 0.001, "bucket": "p"},
                "patchOrder": {"capacity": 1, "refill_per_second": 0.001, "bucket": "p"},
            }
        }
    )

    assert _ship(zalando, client, first).status_code == 204
    refused = client.patch(
        _order_url(zalando),
        json={"data": {"type": "Order", "id": "order-1", "attributes": {"tracking_number": "T"}}},
        headers=BEARER,
    )

    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert _ship(zalando, client, second).status_code == 429


def test_the_patch_quota_is_zalandos_2000_a_minute_by_default(zalando: ZalandoSandbox, client: httpx.Client) -> None:
    limits = client.get(f"{zalando.url}/__admin/faults").json()["rate_limits"]
    assert limits["patchOrder"]["capacity"] == limits["patchOrderLine"]["capacity"] == 2000
    assert limits["patchOrder"]["bucket"] == limits["patchOrderLine"]["bucket"]
