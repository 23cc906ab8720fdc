"""The Square sandbox: seeded orders read back through RetrieveOrder and BatchRetrieveOrders."""

from __future__ import annotations

import httpx

from local.sandboxes import SquareSandbox

AUTH = {"Authorization": "Bearer sandbox-token", "Square-Version": "2025-01-23"}

TEE_ORDER = {
    "id": "ORDER-TEE",
    "location_id": "L-STORE-1",
    "reference_id": "pos-1001",
    "line_items": [
        {
            "uid": "line-1",
            "name": "Tee",
            "quantity": "2",
            "catalog_object_id": "SKU-TEE",
            "base_price_money": {"amount": 1500, "currency": "USD"},
            "total_tax_money": {"amount": 240, "currency": "USD"},
        }
    ],
    "state": "COMPLETED",
}


def test_a_seeded_order_is_retrieved_in_squares_order_shape(
    square: SquareSandbox, client: httpx.Client
) -> None:
    client.post(f"{square.url}/__admin/orders", json=TEE_ORDER)

    answer = client.get(f"{square.url}/v2/orders/ORDER-TEE", headers=AUTH)

    assert answer.status_code == 200
    order = answer.json()["order"]
    assert (order["id"], order["location_id"], order["state"], order["version"]) == (
        "ORDER-TEE",
        "L-STORE-1",
        "COMPLETED",
        1,
    )
    line = order["line_items"][0]
    assert line["quantity"] == "2"
    assert line["base_price_money"] == {"amount": 1500, "currency": "USD"}
    assert line["gross_sales_money"] == {"amount": 3000, "currency": "USD"}
    assert line["total_money"] == {"amount": 3240, "currency": "USD"}
    assert order["total_tax_money"] == {"amount": 240, "currency": "USD"}
    assert order["total_money"] == {"amount": 3240, "currency": "USD"}
    assert order["net_amounts"]["tax_money"] == {"amount": 240, "currency": "USD"}
    assert order["created_at"].endswith("Z")


def test_an_unknown_order_answers_404_not_found(square: SquareSandbox, client: httpx.Client) -> None:
    answer = client.get(f"{square.url}/v2/orders/nope", headers=AUTH)

    assert answer.status_code == 404
    [error] = answer.json()["errors"]
    assert (error["category"], error["code"]) == ("INVALID_REQUEST_ERROR", "NOT_FOUND")
    assert "nope" in error["detail"]


def test_a_call_without_a_bearer_token_answers_401(square: SquareSandbox, client: httpx.Client) -> None:
    client.post(f"{square.url}/__admin/orders", json=TEE_ORDER)

    missing = client.get(f"{square.url}/v2/orders/ORDER-TEE")
    malformed = client.get(f"{square.url}/v2/orders/ORDER-TEE", headers={"Authorization": "Basic abc"})
    empty = client.get(f"{square.url}/v2/orders/ORDER-TEE", headers={"Authorization": "Bearer"})

    for answer in (missing, malformed, empty):
        assert answer.status_code == 401
        [error] = answer.json()["errors"]
        assert (error["category"], error["code"]) == ("AUTHENTICATION_ERROR", "UNAUTHORIZED")


def test_batch_retrieve_returns_the_known_orders_and_ignores_unknown_ids(
    square: SquareSandbox, client: httpx.Client
) -> None:
    square.seed_orders([TEE_ORDER, {"id": "ORDER-MUG", "location_id": "L-STORE-2"}])

    answer = client.post(
        f"{square.url}/v2/orders/batch-retrieve",
        headers=AUTH,
        json={"order_ids": ["ORDER-MUG", "nope", "ORDER-TEE"]},
    )
    at_one_location = client.post(
        f"{square.url}/v2/orders/batch-retrieve",
        headers=AUTH,
        json={"location_id": "L-STORE-1", "order_ids": ["ORDER-MUG", "ORDER-TEE"]},
    )
    none_found = client.post(
        f"{square.url}/v2/orders/batch-retrieve", headers=AUTH, json={"order_ids": ["x"]}
    )

    assert answer.status_code == 200
    assert [o["id"] for o in answer.json()["orders"]] == ["ORDER-MUG", "ORDER-TEE"]
    assert [o["id"] for o in at_one_location.json()["orders"]] == ["ORDER-TEE"]
    assert none_found.json() == {}


def test_batch_retrieve_without_order_ids_answers_400(square: SquareSandbox, client: httpx.Client) -> None:
    answer = client.post(f"{square.url}/v2/orders/batch-retrieve", headers=AUTH, json={})

    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert (error["code"], error["field"]) == ("MISSING_REQUIRED_PARAMETER", "order_ids")


def test_seeding_an_order_again_bumps_its_version(square: SquareSandbox, client: httpx.Client) -> None:
    client.post(f"{square.url}/__admin/orders", json=TEE_ORDER)
    client.post(f"{square.url}/__admin/orders", json=[{**TEE_ORDER, "state": "CANCELED"}])

    order = client.get(f"{square.url}/v2/orders/ORDER-TEE", headers=AUTH).json()["order"]

    assert (order["state"], order["version"]) == ("CANCELED", 2)


def test_money_amounts_must_be_integer_cents(square: SquareSandbox, client: httpx.Client) -> None:
    bad = {
        "id": "O-1",
        "line_items": [{"name": "Tee", "base_price_money": {"amount": 15.0, "currency": "USD"}}],
    }

    answer = client.post(f"{square.url}/__admin/orders", json=bad)

    assert answer.status_code == 400
    assert client.get(f"{square.url}/v2/orders/O-1", headers=AUTH).status_code == 404
