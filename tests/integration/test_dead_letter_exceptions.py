"""A poison message through the local stack (issue 13, "Done when"): it reaches the orders DLQ and is
an exception of kind `dead_letter` the ops API lists; once its cause is fixed, retrying it makes the
sale once; redriving the DLQ's own copy afterwards changes nothing."""

from __future__ import annotations

from typing import Any

from tests.integration.flows import Flows, unique, wait_until, wms_adjustment
from tests.support.events import load_event


def _seed_square(flows: Flows, order_id: str, variation_id: str, location_id: str) -> None:
    order: dict[str, Any] = load_event("square/retrieve_order_response")["order"]
    line = order["line_items"][0]
    line.update(catalog_object_id=variation_id, quantity="1")
    order.update(id=order_id, location_id=location_id, line_items=[line])
    assert flows.http.post(f"{flows.sandbox_url('square')}/__admin/orders", json=order).status_code == 200


def _dead_letters(flows: Flows, status: str, correlation_id: str) -> list[dict[str, Any]]:
    answer = flows.http.get(
        f"{flows.stack.api_url}/v1/ops/exceptions", params={"kind": "dead_letter", "status": status, "limit": "100"}
    )
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["exceptions"] if e["correlation_id"] == correlation_id]


def test_a_poison_sale_is_a_dead_letter_exception_that_retries_to_one_sale_and_a_redrive_changes_nothing(
    flows: Flows,
) -> None:
    # GIVEN a Square till sale whose catalog variation has no SKU yet: poison until the catalog knows it
    location, sku, variation = unique("SQ-LOC"), unique("SKU-SQ"), unique("VAR")
    flows.accept(flows.delivery("wms", wms_adjustment(sku, 5, sequence=1, location_id=location)))
    sale = unique("SQORDER")
    _seed_square(flows, sale, variation, location)

    poison = flows.accept(flows.square_delivery(sale))

    # THEN after its last receive it is in the DLQ and listed as an open dead_letter exception
    wait_until(lambda: len(_dead_letters(flows, "open", poison["correlation_id"])) == 1, timeout=60)
    (exception,) = _dead_letters(flows, "open", poison["correlation_id"])
    assert (exception["category"], exception["details"]["queue"], exception["retryable"]) == (
        "validation",
        "orders",
        True,
    )
    wait_until(lambda: flows.queue_depth("OrdersDlq") == 1, timeout=30)
    assert flows.ops(f"orders/square/{sale}").status_code == 404

    # WHEN the catalog learns the SKU and ops retries the exception
    catalog = load_event("square/batch_retrieve_catalog_objects_response")["objects"][0]
    catalog.update(id=variation)
    catalog["item_variation_data"]["sku"] = sku
    assert flows.http.post(f"{flows.sandbox_url('square')}/__admin/catalog", json=[catalog]).status_code == 200
    retried = flows.http.post(f"{flows.stack.api_url}/v1/ops/exceptions/{exception['id']}/retry")
    assert retried.status_code == 202, retried.text

    # THEN the sale is made once and the exception is resolved as retried
    wait_until(lambda: flows.ops(f"orders/square/{sale}").status_code == 200, timeout=60)
    wait_until(lambda: len(_dead_letters(flows, "resolved", poison["correlation_id"])) == 1, timeout=30)
    assert _dead_letters(flows, "resolved", poison["correlation_id"])[0]["resolution"] == "retried"
    flows.idle(60)
    assert flows.position(sku, location)["on_hand"] == 4

    # AND redriving the DLQ's own copy moves it back, and changes nothing
    redriven = flows.http.post(f"{flows.stack.api_url}/v1/ops/dlq/orders/redrive")
    assert redriven.status_code == 200 and redriven.json()["moved"] == 1, redriven.text
    flows.idle(60)
    assert flows.queue_depth("OrdersDlq") == 0
    assert flows.position(sku, location)["on_hand"] == 4
    assert flows.order("square", sale)["status"] == "ACCEPTED"
    assert flows.http.post(f"{flows.stack.api_url}/v1/ops/dlq/nowhere/redrive").status_code == 404
