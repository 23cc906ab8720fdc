"""The Walmart-style marketplace sandbox: order acknowledgement under a token-bucket rate limit."""

from __future__ import annotations

from typing import Any

import httpx

from local.sandboxes import MarketplaceSandbox
from local.sandboxes.limits import TokenBucket

WALMART_HEADERS = {"WM_SVC.NAME": "Walmart Marketplace", "WM_QOS.CORRELATION_ID": "corr-1"}


def _line_statuses(order: dict[str, Any]) -> list[str]:
    lines = order["orderLines"]["orderLine"]
    return [s["status"] for line in lines for s in line["orderLineStatuses"]["orderLineStatus"]]


def test_acknowledging_an_order_answers_200_with_every_line_acknowledged(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    answer = client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge", headers=WALMART_HEADERS)

    assert answer.status_code == 200
    order = answer.json()["order"]
    assert order["purchaseOrderId"] == "PO-1"
    assert {"customerOrderId", "customerEmailId", "orderDate", "shippingInfo", "orderLines"} <= set(order)
    assert _line_statuses(order) == ["Acknowledged"]


def test_a_seeded_order_is_acknowledged_with_its_own_lines(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    client.post(
        f"{marketplace.url}/__admin/orders",
        json={
            "purchaseOrderId": "PO-7",
            "customerOrderId": "C-7",
            "orderLines": {
                "orderLine": [
                    {"lineNumber": "1", "item": {"productName": "Mug", "sku": "MUG-1"}},
                    {"lineNumber": "2", "item": {"productName": "Tee", "sku": "TEE-1"}},
                ]
            },
        },
    )

    order = client.post(f"{marketplace.url}/v3/orders/PO-7/acknowledge").json()["order"]

    assert order["customerOrderId"] == "C-7"
    assert [line["item"]["sku"] for line in order["orderLines"]["orderLine"]] == ["MUG-1", "TEE-1"]
    assert _line_statuses(order) == ["Acknowledged", "Acknowledged"]
    stored = client.get(f"{marketplace.url}/v3/orders/PO-7").json()["order"]
    assert _line_statuses(stored) == ["Acknowledged", "Acknowledged"]


def test_an_acknowledged_order_can_be_acknowledged_again(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    first = client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge")
    again = client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge")

    assert (first.status_code, again.status_code) == (200, 200)


def test_an_order_with_shipped_lines_cannot_be_acknowledged(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    marketplace.seed_orders(
        [
            {
                "purchaseOrderId": "PO-9",
                "orderLines": {
                    "orderLine": [{"orderLineStatuses": {"orderLineStatus": [{"status": "Shipped"}]}}]
                },
            }
        ]
    )

    answer = client.post(f"{marketplace.url}/v3/orders/PO-9/acknowledge")

    assert answer.status_code == 400
    error = answer.json()["errors"]["error"][0]
    assert error["code"] == "INVALID_REQUEST_CONTENT.GMP_ORDER_API"
    assert error["severity"] == "ERROR"


def test_an_unknown_order_answers_404_when_auto_create_is_off(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    client.post(f"{marketplace.url}/__admin/settings", json={"auto_create_orders": False})

    answer = client.post(f"{marketplace.url}/v3/orders/PO-404/acknowledge")

    assert answer.status_code == 404
    assert answer.json()["errors"]["error"][0]["code"] == "CONTENT_NOT_FOUND.GMP_ORDER_API"


def test_acknowledgements_beyond_the_rate_limit_answer_429_with_retry_after(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    # GIVEN a bucket of three tokens that does not refill
    client.post(
        f"{marketplace.url}/__admin/faults", json={"rate_limit": {"capacity": 3, "refill_per_second": 0}}
    )

    answers = [client.post(f"{marketplace.url}/v3/orders/PO-{n}/acknowledge") for n in range(5)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert [a.headers["X-Current-Token-Count"] for a in answers] == ["2", "1", "0", "0", "0"]
    refused = answers[3]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["errors"]["error"][0]["code"] == "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"
    journal = client.get(f"{marketplace.url}/__admin/requests").json()["requests"]
    assert [e["status"] for e in journal] == [200, 200, 200, 429, 429]
    assert journal[0]["path"] == "/v3/orders/PO-0/acknowledge"


def test_deleting_faults_restores_the_default_rate_limit(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    default = client.get(f"{marketplace.url}/__admin/faults").json()
    client.post(
        f"{marketplace.url}/__admin/faults", json={"rate_limit": {"capacity": 1, "refill_per_second": 0}}
    )
    client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge")

    restored = client.delete(f"{marketplace.url}/__admin/faults").json()

    assert restored == default
    assert default["rate_limit"] == {"capacity": 10, "refill_per_second": 10.0}
    assert client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge").status_code == 200


def test_the_token_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    now = [0.0]
    bucket = TokenBucket(capacity=2, refill_per_second=4, clock=lambda: now[0])

    assert [bucket.take()[0] for _ in range(3)] == [True, True, False]
    now[0] += 0.25  # one token back
    assert bucket.take()[0] is True
    assert bucket.take()[0] is False
    now[0] += 10  # never more than the capacity
    assert [bucket.take()[0] for _ in range(3)] == [True, True, False]


def test_the_token_bucket_says_how_long_until_the_next_token() -> None:
    now = [0.0]
    bucket = TokenBucket(capacity=1, refill_per_second=2, clock=lambda: now[0])
    bucket.take()

    allowed, tokens_left, wait = bucket.take()

    assert (allowed, tokens_left) == (False, 0)
    assert wait == 0.5
