"""The NetSuite-style ERP sandbox: upsert by external id, reads, cancel, list, errors, inventory."""

from __future__ import annotations

import httpx

from local.sandboxes import ErpSandbox
from tests.unit.sandboxes.support import SALES_ORDERS, call_at_once, sales_order


def test_upserting_the_same_external_id_twice_keeps_one_record_and_one_internal_id(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    first = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1", "SKU-1"))
    second = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1", "SKU-1", "SKU-2"))

    assert (first.status_code, second.status_code) == (204, 204)
    assert first.headers["Location"] == second.headers["Location"]
    listing = client.get(f"{erp.url}{SALES_ORDERS}").json()
    assert listing["totalResults"] == 1
    record = client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1").json()
    assert len(record["item"]["items"]) == 2


def test_upsert_answers_204_with_the_location_of_the_internal_id(erp: ErpSandbox, client: httpx.Client) -> None:
    created = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1"))

    assert created.status_code == 204
    assert created.content == b""
    internal_id = created.headers["Location"].rsplit("/", 1)[1]
    assert created.headers["Location"] == f"{erp.url}{SALES_ORDERS}/{internal_id}"
    assert internal_id.isdigit()


def test_a_record_reads_the_same_by_internal_id_and_by_external_id(erp: ErpSandbox, client: httpx.Client) -> None:
    location = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1")).headers["Location"]

    by_internal = client.get(location)
    by_external = client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1")

    assert by_internal.status_code == by_external.status_code == 200
    assert by_internal.json() == by_external.json()
    record = by_external.json()
    assert record["id"] == location.rsplit("/", 1)[1]
    assert record["externalId"] == "ORD-1"
    assert record["entity"] == {"id": "42"}
    assert record["status"] == "pendingFulfillment"
    assert record["links"] == [{"rel": "self", "href": location}]


def test_an_unknown_external_id_answers_404_in_netsuite_error_shape(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.get(f"{erp.url}{SALES_ORDERS}/eid:nope")

    assert answer.status_code == 404
    body = answer.json()
    assert set(body) == {"type", "title", "status", "o:errorDetails"}
    assert (body["title"], body["status"]) == ("Not Found", 404)
    assert body["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"
    assert body["o:errorDetails"][0]["detail"]


def test_patch_cancels_the_order_and_keeps_its_other_fields(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1"))

    patched = client.patch(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json={"status": "cancelled"})

    assert patched.status_code == 204
    record = client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1").json()
    assert record["status"] == "cancelled"
    assert record["item"] == sales_order("ORD-1")["item"]


def test_patching_an_unknown_order_answers_404(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.patch(f"{erp.url}{SALES_ORDERS}/eid:nope", json={"status": "cancelled"})

    assert answer.status_code == 404
    assert answer.json()["o:errorDetails"][0]["o:errorCode"] == "NONEXISTENT_ID"


def test_a_body_external_id_that_differs_from_the_url_answers_400(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-2"))

    assert answer.status_code == 400
    detail = answer.json()["o:errorDetails"][0]
    assert (detail["o:errorCode"], detail["o:errorPath"]) == ("INVALID_CONTENT", "externalId")
    assert client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1").status_code == 404


def test_creating_an_order_without_item_lines_answers_400(erp: ErpSandbox, client: httpx.Client) -> None:
    no_item = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json={"externalId": "ORD-1"})
    empty_items = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json={"item": {"items": []}})

    assert (no_item.status_code, empty_items.status_code) == (400, 400)
    assert no_item.json()["o:errorDetails"][0]["o:errorCode"] == "USER_ERROR"
    assert client.get(f"{erp.url}{SALES_ORDERS}").json()["totalResults"] == 0


def test_an_upsert_may_not_set_the_internal_id(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json={**sales_order("ORD-1"), "id": "9"})

    assert answer.status_code == 400
    assert answer.json()["o:errorDetails"][0]["o:errorPath"] == "id"


def test_updating_without_lines_keeps_the_lines_already_there(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1", "SKU-9"))

    updated = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json={"memo": "gift wrap"})

    assert updated.status_code == 204
    record = client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1").json()
    assert record["memo"] == "gift wrap"
    assert record["item"]["items"][0]["item"] == {"externalId": "SKU-9"}


def test_upsert_needs_an_external_id_in_the_url(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.put(f"{erp.url}{SALES_ORDERS}/1001", json=sales_order("ORD-1"))

    assert answer.status_code == 405


def test_the_list_pages_records_in_netsuite_shape(erp: ErpSandbox, client: httpx.Client) -> None:
    for n in range(3):
        client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-{n}", json=sales_order(f"ORD-{n}"))

    first_page = client.get(f"{erp.url}{SALES_ORDERS}", params={"limit": 2}).json()
    last_page = client.get(f"{erp.url}{SALES_ORDERS}", params={"limit": 2, "offset": 2, "expand": "true"}).json()

    assert (first_page["count"], first_page["totalResults"], first_page["hasMore"]) == (2, 3, True)
    assert set(first_page["items"][0]) == {"links", "id"}
    assert (last_page["count"], last_page["hasMore"], last_page["offset"]) == (1, False, 2)
    assert last_page["items"][0]["externalId"] == "ORD-2"


def test_calls_beyond_the_starting_concurrency_limit_of_five_answer_429(erp: ErpSandbox, client: httpx.Client) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"latency_ms": 800})

    answers = call_at_once(7, lambda: client.get(f"{erp.url}{SALES_ORDERS}", timeout=5))

    assert sorted(a.status_code for a in answers) == [200] * 5 + [429] * 2


def test_inventory_snapshot_returns_the_seeded_on_hand(erp: ErpSandbox, client: httpx.Client) -> None:
    seeded = client.post(
        f"{erp.url}/__admin/inventory",
        json=[
            {"sku": "SKU-1", "location_id": "WH1", "on_hand": 12},
            {"sku": "SKU-2", "location_id": "WH1", "on_hand": 0},
        ],
    )
    client.post(f"{erp.url}/__admin/inventory", json={"items": [{"sku": "SKU-1", "location_id": "WH1", "on_hand": 9}]})

    snapshot = client.get(f"{erp.url}/snapshot/inventory").json()
    one_sku = client.get(f"{erp.url}/snapshot/inventory", params={"sku": "SKU-2"}).json()

    assert seeded.status_code == 200
    assert snapshot["items"] == [
        {"sku": "SKU-1", "location_id": "WH1", "on_hand": 9},
        {"sku": "SKU-2", "location_id": "WH1", "on_hand": 0},
    ]
    assert one_sku["items"] == [{"sku": "SKU-2", "location_id": "WH1", "on_hand": 0}]


def test_negative_on_hand_cannot_be_seeded(erp: ErpSandbox, client: httpx.Client) -> None:
    answer = client.post(f"{erp.url}/__admin/inventory", json=[{"sku": "S", "location_id": "L", "on_hand": -1}])

    assert answer.status_code == 400
    assert client.get(f"{erp.url}/snapshot/inventory").json()["items"] == []


def test_injected_faults_model_the_record_api_and_leave_the_token_endpoint_answering(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"outage": True, "throttle_rate": 1})

    token = client.post(f"{erp.url}/services/rest/auth/oauth2/v1/token", data={"grant_type": "client_credentials"})
    record = client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1")

    assert token.status_code not in (429, 503)  # answered on its own terms (here: no assertion sent)
    assert record.status_code == 503
    journal = client.get(f"{erp.url}/__admin/requests").json()["requests"]
    assert [e["path"] for e in journal[-2:]] == ["/services/rest/auth/oauth2/v1/token", f"{SALES_ORDERS}/eid:ORD-1"]


def test_an_item_the_account_does_not_have_is_refused_as_netsuite_refuses_an_invalid_reference(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"unknown_items": ["SKU-2"]})

    answer = client.put(f"{erp.url}{SALES_ORDERS}/eid:ORD-1", json=sales_order("ORD-1", "SKU-1", "SKU-2"))

    assert answer.status_code == 400
    [detail] = answer.json()["o:errorDetails"]
    assert detail["o:errorCode"] == "INVALID_CONTENT"
    assert detail["o:errorPath"] == "item.items[1].item"
    assert "Invalid Field Value SKU-2 for the following field: item" in detail["detail"]
    assert client.get(f"{erp.url}{SALES_ORDERS}/eid:ORD-1").status_code == 404  # nothing half written
