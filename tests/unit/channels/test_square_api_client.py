"""The Square API client: the calls it makes and how Square's failures surface."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from shared.channels.clients.square_api import SQUARE_VERSION, SquareApiClient
from shared.errors import Rejected, Throttled, Unavailable
from tests.support.events import load_event

BASE = "http://127.0.0.1:3103"
ORDER_ID = "CAISENgvlJ6jLWAzERDzjyHVybY"


@respx.mock
def test_retrieve_order_gets_the_order_with_bearer_token_and_square_version() -> None:
    route = respx.get(f"{BASE}/v2/orders/{ORDER_ID}").mock(
        return_value=httpx.Response(200, json=load_event("square/retrieve_order_response"))
    )
    order = SquareApiClient(BASE, "tok").retrieve_order(ORDER_ID)
    assert order["id"] == ORDER_ID and order["state"] == "COMPLETED"
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == "Bearer tok"
    assert sent.headers["Square-Version"] == SQUARE_VERSION


@respx.mock
def test_variation_skus_batch_retrieves_the_variations_and_maps_them_to_skus() -> None:
    route = respx.post(f"{BASE}/v2/catalog/batch-retrieve").mock(
        return_value=httpx.Response(200, json=load_event("square/batch_retrieve_catalog_objects_response"))
    )
    skus = SquareApiClient(BASE, "tok").variation_skus(["7YTRKYEGBOXOJEQAV2DUQ7VB", "HZZ5UVDBQ7LGNVBW2FUMUP6W"])
    assert skus == {"HZZ5UVDBQ7LGNVBW2FUMUP6W": "IPOD2008PINK", "7YTRKYEGBOXOJEQAV2DUQ7VB": "CASE-IPOD-CLEAR"}
    assert json.loads(route.calls.last.request.content)["object_ids"] == [
        "7YTRKYEGBOXOJEQAV2DUQ7VB",
        "HZZ5UVDBQ7LGNVBW2FUMUP6W",
    ]


@respx.mock
@pytest.mark.parametrize(("status", "error"), [(429, Throttled), (503, Unavailable), (404, Rejected)])
def test_square_failures_become_retryable_or_rejected_errors(status: int, error: type[Exception]) -> None:
    respx.get(f"{BASE}/v2/orders/{ORDER_ID}").mock(return_value=httpx.Response(status, json={"errors": []}))
    with pytest.raises(error):
        SquareApiClient(BASE, "tok").retrieve_order(ORDER_ID)


def test_the_client_is_built_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQUARE_API_BASE_URL", BASE)
    monkeypatch.setenv("SQUARE_ACCESS_TOKEN", "env-token")
    monkeypatch.delenv("VENDOR_CREDENTIALS_ARN", raising=False)
    client = SquareApiClient.from_env()
    assert client._headers["Authorization"] == "Bearer env-token"
