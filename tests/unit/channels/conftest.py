"""Shared builders for channel adapter tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shared.channels.base import Headers, WebhookRequest
from shared.models import Envelope
from tests.support.events import load_event

NOW = datetime(2026, 11, 23, 14, 5, tzinfo=UTC)


def request(body: bytes, headers: dict[str, str] | None = None, source: str = "shopify") -> WebhookRequest:
    return WebhookRequest(
        method="POST",
        path_with_query=f"/v1/webhooks/{source}",
        body=body,
        headers=Headers(headers or {}),
        endpoint_url=f"http://127.0.0.1:3000/v1/webhooks/{source}",
    )


def envelope(source: str, event_type: str, payload: dict[str, Any], domain: str = "orders") -> Envelope:
    return Envelope(
        event_id="0123456789abcdef0123456789abcdef",
        source=source,
        event_type=event_type,
        domain=domain,  # type: ignore[arg-type]
        delivery_id="delivery-1",
        correlation_id="corr-0123456789",
        received_at=NOW,
        payload=payload,
    )


class FakeSquare:
    """In-memory Square API: RetrieveOrder and BatchRetrieveCatalogObjects from the fixtures."""

    def __init__(self, order: dict[str, Any] | None = None, skus: dict[str, str] | None = None) -> None:
        self.order = order if order is not None else load_event("square/retrieve_order_response")["order"]
        objects = load_event("square/batch_retrieve_catalog_objects_response")["objects"]
        self.skus = skus if skus is not None else {o["id"]: o["item_variation_data"]["sku"] for o in objects}
        self.order_calls: list[str] = []
        self.sku_calls: list[list[str]] = []

    def retrieve_order(self, order_id: str) -> dict[str, Any]:
        self.order_calls.append(order_id)
        return self.order

    def variation_skus(self, catalog_object_ids: list[str]) -> dict[str, str]:
        self.sku_calls.append(list(catalog_object_ids))
        return {i: self.skus[i] for i in catalog_object_ids if i in self.skus}


class FakeWalmart:
    """In-memory Walmart Orders API: GET /v3/orders/{id} answers the fixture order."""

    def __init__(self, order: dict[str, Any] | None = None) -> None:
        self.order = order if order is not None else load_event("walmart/get_order_response")["order"]
        self.calls: list[str] = []

    def get_order(self, purchase_order_id: str) -> dict[str, Any]:
        self.calls.append(purchase_order_id)
        return self.order


class FakeEbay:
    """In-memory eBay Fulfillment API: getOrder answers the fixture order."""

    def __init__(self, order: dict[str, Any] | None = None) -> None:
        self.order = order if order is not None else load_event("ebay/get_order_response")
        self.calls: list[str] = []

    def get_order(self, order_id: str) -> dict[str, Any]:
        self.calls.append(order_id)
        return self.order
