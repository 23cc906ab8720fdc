"""The Square sandbox's BatchRetrieveCatalogObjects: catalog objects seeded by the admin API."""

from __future__ import annotations

import httpx

from local.sandboxes import SquareSandbox
from shared.channels.clients.square_api import SquareApiClient
from tests.support.events import load_event

AUTH = {"Authorization": "Bearer sandbox-token", "Square-Version": "2025-01-23"}
BATCH = "/v2/catalog/batch-retrieve"
PINK, CLEAR = "HZZ5UVDBQ7LGNVBW2FUMUP6W", "7YTRKYEGBOXOJEQAV2DUQ7VB"

ITEM = {
    "type": "ITEM",
    "id": "R3ZHKW6AOXSEJZ5GMIW5LLNW",
    "item_data": {"name": "iPod", "variations": []},
}


def _seed_fixture(square: SquareSandbox, client: httpx.Client) -> None:
    # The recorded answer itself is a valid seed: {"objects": [...]}.
    answer = client.post(
        f"{square.url}/__admin/catalog", json=load_event("square/batch_retrieve_catalog_objects_response")
    )
    assert answer.status_code == 200 and answer.json()["count"] == 2


def test_seeded_variations_come_back_in_squares_catalog_object_shape(
    square: SquareSandbox, client: httpx.Client
) -> None:
    _seed_fixture(square, client)

    answer = client.post(f"{square.url}{BATCH}", json={"object_ids": [PINK, CLEAR]}, headers=AUTH)

    assert answer.status_code == 200
    assert answer.json() == load_event("square/batch_retrieve_catalog_objects_response")


def test_unknown_and_deleted_ids_are_left_out_and_nothing_found_is_an_empty_object(
    square: SquareSandbox, client: httpx.Client
) -> None:
    _seed_fixture(square, client)
    client.post(
        f"{square.url}/__admin/catalog",
        json={"type": "ITEM_VARIATION", "id": "GONE", "is_deleted": True, "item_variation_data": {"sku": "X"}},
    )

    partial = client.post(f"{square.url}{BATCH}", json={"object_ids": ["NOPE", CLEAR, "GONE"]}, headers=AUTH)
    none = client.post(f"{square.url}{BATCH}", json={"object_ids": ["NOPE"]}, headers=AUTH)
    with_deleted = client.post(
        f"{square.url}{BATCH}", json={"object_ids": ["GONE"], "include_deleted_objects": True}, headers=AUTH
    )

    assert [o["id"] for o in partial.json()["objects"]] == [CLEAR]
    assert none.status_code == 200 and none.json() == {}
    assert [o["id"] for o in with_deleted.json()["objects"]] == ["GONE"]


def test_related_objects_bring_the_parent_item_of_each_variation(square: SquareSandbox, client: httpx.Client) -> None:
    _seed_fixture(square, client)
    client.post(f"{square.url}/__admin/catalog", json=[ITEM])

    answer = client.post(
        f"{square.url}{BATCH}", json={"object_ids": [PINK], "include_related_objects": True}, headers=AUTH
    ).json()

    assert [o["id"] for o in answer["objects"]] == [PINK]
    assert [(o["type"], o["id"]) for o in answer["related_objects"]] == [("ITEM", ITEM["id"])]


def test_missing_object_ids_is_refused_with_squares_error_shape(square: SquareSandbox, client: httpx.Client) -> None:
    answer = client.post(f"{square.url}{BATCH}", json={"include_related_objects": True}, headers=AUTH)

    assert answer.status_code == 400
    [error] = answer.json()["errors"]
    assert error == {
        "category": "INVALID_REQUEST_ERROR",
        "code": "MISSING_REQUIRED_PARAMETER",
        "detail": "Field must be set",
        "field": "object_ids",
    }


def test_batch_retrieve_needs_a_bearer_token(square: SquareSandbox, client: httpx.Client) -> None:
    answer = client.post(f"{square.url}{BATCH}", json={"object_ids": [PINK]})

    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_a_bad_catalog_seed_is_refused_and_stores_nothing(square: SquareSandbox, client: httpx.Client) -> None:
    answer = client.post(
        f"{square.url}/__admin/catalog",
        json=[
            {"type": "ITEM_VARIATION", "id": "OK", "item_variation_data": {"sku": "A"}},
            {"type": "ITEM_VARIATION", "id": "BAD"},
        ],
    )

    assert answer.status_code == 400 and "item_variation_data" in answer.json()["error"]
    assert client.get(f"{square.url}/__admin/catalog").json()["count"] == 0


def test_reseeding_an_object_bumps_its_version_and_reset_forgets_the_catalog(
    square: SquareSandbox, client: httpx.Client
) -> None:
    seed = {"type": "ITEM_VARIATION", "id": "V1", "version": 5, "item_variation_data": {"sku": "A"}}
    client.post(f"{square.url}/__admin/catalog", json=seed)
    client.post(f"{square.url}/__admin/catalog", json={**seed, "item_variation_data": {"sku": "B"}})

    stored = square.catalog_object("V1")
    assert stored is not None and stored["version"] == 6 and stored["item_variation_data"]["sku"] == "B"
    client.post(f"{square.url}/__admin/reset")
    assert square.catalog_object("V1") is None


def test_the_square_api_client_reads_skus_from_the_sandbox(square: SquareSandbox, client: httpx.Client) -> None:
    _seed_fixture(square, client)

    skus = SquareApiClient(square.url, "sandbox-token").variation_skus([PINK, CLEAR, "NOPE"])

    assert skus == {PINK: "IPOD2008PINK", CLEAR: "CASE-IPOD-CLEAR"}
    [call] = square.journal()
    assert call["path"] == BATCH and call["headers"]["Authorization"] == "Bearer sandbox-token"
