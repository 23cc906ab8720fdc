"""Helpers shared by the sandbox tests."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx

SALES_ORDERS = "/services/rest/record/v1/salesOrder"


def sales_order(external_id: str, *skus: str) -> dict[str, object]:
    """A NetSuite-style sales order body with one line per SKU."""
    lines = [{"item": {"externalId": sku}, "quantity": 1, "rate": 19.99} for sku in skus or ("SKU-1",)]
    return {"externalId": external_id, "entity": {"id": "42"}, "item": {"items": lines}}


def call_at_once(count: int, call: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """Makes ``count`` calls from as many threads, released together by a barrier."""
    barrier = Barrier(count)

    def one() -> httpx.Response:
        barrier.wait(timeout=5)
        return call()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(one) for _ in range(count)]
        return [f.result(timeout=10) for f in futures]
