"""The WireMock-like admin API every sandbox shares (journal, stats, faults), driven over HTTP."""

from __future__ import annotations

import time

import httpx

from local.sandboxes import ErpSandbox, MarketplaceSandbox, SquareSandbox
from tests.unit.sandboxes.support import SALES_ORDERS, call_at_once, sales_order


def test_journal_lists_vendor_calls_oldest_first_with_parsed_body_and_answered_status(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:A-1", json=sales_order("A-1"))
    client.get(f"{erp.url}{SALES_ORDERS}/eid:missing")
    client.patch(f"{erp.url}{SALES_ORDERS}/eid:A-1", json={"status": "cancelled"})

    journal = client.get(f"{erp.url}/__admin/requests").json()

    assert journal["meta"] == {"total": 3}
    entries = journal["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("PUT", f"{SALES_ORDERS}/eid:A-1", 204),
        ("GET", f"{SALES_ORDERS}/eid:missing", 404),
        ("PATCH", f"{SALES_ORDERS}/eid:A-1", 204),
    ]
    assert entries[0]["body"] == sales_order("A-1")
    assert entries[1]["body"] is None
    assert entries[2]["body"] == {"status": "cancelled"}
    assert entries[0]["at"].endswith("Z")
    assert {k.lower(): v for k, v in entries[0]["headers"].items()}["content-type"] == "application/json"


def test_journal_keeps_a_body_that_is_not_json_as_text(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(
        f"{erp.url}{SALES_ORDERS}/eid:A-1", content=b"not json", headers={"content-type": "text/plain"}
    )

    entry = client.get(f"{erp.url}/__admin/requests").json()["requests"][0]

    assert entry["body"] == "not json"
    assert entry["status"] == 400


def test_journal_keeps_header_names_with_underscores_as_sent(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    client.post(
        f"{marketplace.url}/v3/orders/PO-1/acknowledge",
        headers={"WM_QOS.CORRELATION_ID": "corr-1", "WM_SVC.NAME": "Walmart Marketplace"},
    )

    headers = client.get(f"{marketplace.url}/__admin/requests").json()["requests"][0]["headers"]

    assert headers["WM_QOS.CORRELATION_ID"] == "corr-1"
    assert headers["WM_SVC.NAME"] == "Walmart Marketplace"


def test_journal_filters_by_method_and_path_prefix(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:A-1", json=sales_order("A-1"))
    client.get(f"{erp.url}{SALES_ORDERS}/eid:A-1")
    client.get(f"{erp.url}/snapshot/inventory")

    puts = client.get(f"{erp.url}/__admin/requests", params={"method": "put"}).json()["requests"]
    orders = client.get(f"{erp.url}/__admin/requests", params={"path": SALES_ORDERS}).json()["requests"]

    assert [e["method"] for e in puts] == ["PUT"]
    assert [e["method"] for e in orders] == ["PUT", "GET"]


def test_admin_calls_are_neither_journaled_nor_counted(square: SquareSandbox, client: httpx.Client) -> None:
    client.post(f"{square.url}/__admin/orders", json={"id": "O-1"})
    client.get(f"{square.url}/__admin/faults")

    assert client.get(f"{square.url}/__admin/requests").json()["requests"] == []
    assert client.get(f"{square.url}/__admin/stats").json() == {"requests": 0, "max_concurrent": 0}


def test_delete_requests_clears_the_journal_and_the_stats(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:A-1", json=sales_order("A-1"))
    client.get(f"{erp.url}{SALES_ORDERS}/eid:A-1")
    assert client.get(f"{erp.url}/__admin/stats").json() == {"requests": 2, "max_concurrent": 1}

    cleared = client.delete(f"{erp.url}/__admin/requests")

    assert cleared.status_code == 200
    assert client.get(f"{erp.url}/__admin/requests").json()["requests"] == []
    assert client.get(f"{erp.url}/__admin/stats").json() == {"requests": 0, "max_concurrent": 0}
    # The stored data is not part of the journal: the record is still there.
    assert client.get(f"{erp.url}{SALES_ORDERS}/eid:A-1").status_code == 200


def test_outage_answers_503_to_every_vendor_call_while_admin_keeps_working(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"outage": True})

    upsert = client.put(f"{erp.url}{SALES_ORDERS}/eid:A-1", json=sales_order("A-1"))
    listing = client.get(f"{erp.url}{SALES_ORDERS}")

    assert (upsert.status_code, listing.status_code) == (503, 503)
    assert upsert.json()["o:errorDetails"][0]["o:errorCode"] == "SERVICE_UNAVAILABLE"
    assert client.get(f"{erp.url}/__admin/stats").json()["requests"] == 2
    assert [e["status"] for e in client.get(f"{erp.url}/__admin/requests").json()["requests"]] == [503, 503]
    # Nothing was stored while the ERP was down.
    client.delete(f"{erp.url}/__admin/faults")
    assert client.get(f"{erp.url}{SALES_ORDERS}/eid:A-1").status_code == 404


def test_throttle_rate_half_answers_every_second_call_429_with_retry_after(
    square: SquareSandbox, client: httpx.Client
) -> None:
    client.post(f"{square.url}/__admin/orders", json={"id": "O-1"})
    client.post(f"{square.url}/__admin/faults", json={"throttle_rate": 0.5})

    answers = [
        client.get(f"{square.url}/v2/orders/O-1", headers={"Authorization": "Bearer t"}) for _ in range(6)
    ]

    assert [a.status_code for a in answers] == [200, 429, 200, 429, 200, 429]
    assert answers[1].headers["Retry-After"] == "1"
    assert answers[1].json() == {
        "errors": [{"category": "RATE_LIMIT_ERROR", "code": "RATE_LIMITED", "detail": "Rate limit exceeded."}]
    }


def test_throttle_rate_one_quarter_throttles_every_fourth_call_with_the_configured_retry_after(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"throttle_rate": 0.25, "retry_after": 7})

    answers = [client.get(f"{erp.url}{SALES_ORDERS}") for _ in range(8)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 200, 200, 200, 429]
    assert answers[3].headers["Retry-After"] == "7"


def test_concurrency_limit_refuses_calls_beyond_it_and_stats_show_the_callers_peak(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    # GIVEN three slots and calls slow enough to overlap
    client.post(f"{erp.url}/__admin/faults", json={"concurrency_limit": 3, "latency_ms": 800})

    # WHEN eight calls arrive at once
    answers = call_at_once(8, lambda: client.get(f"{erp.url}{SALES_ORDERS}", timeout=5))

    # THEN three are served and five refused the NetSuite way
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 3 + [429] * 5
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["o:errorDetails"][0]["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    stats = client.get(f"{erp.url}/__admin/stats").json()
    assert stats["requests"] == 8
    assert stats["max_concurrent"] > 3


def test_max_concurrent_is_the_most_calls_in_flight_at_once(erp: ErpSandbox, client: httpx.Client) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"concurrency_limit": None, "latency_ms": 400})

    answers = call_at_once(6, lambda: client.get(f"{erp.url}{SALES_ORDERS}", timeout=5))

    assert [a.status_code for a in answers] == [200] * 6
    assert client.get(f"{erp.url}/__admin/stats").json() == {"requests": 6, "max_concurrent": 6}


def test_latency_delays_every_vendor_answer(square: SquareSandbox, client: httpx.Client) -> None:
    client.post(f"{square.url}/__admin/faults", json={"latency_ms": 300})

    started = time.monotonic()
    answer = client.get(f"{square.url}/v2/orders/nope", headers={"Authorization": "Bearer t"})
    elapsed = time.monotonic() - started

    assert answer.status_code == 404
    assert elapsed >= 0.3


def test_faults_are_merged_on_post_and_shown_on_get(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    client.post(f"{marketplace.url}/__admin/faults", json={"latency_ms": 300})
    answer = client.post(f"{marketplace.url}/__admin/faults", json={"throttle_rate": 0.5})

    shown = client.get(f"{marketplace.url}/__admin/faults").json()

    assert answer.json() == shown
    assert shown["latency_ms"] == 300
    assert shown["throttle_rate"] == 0.5


def test_faults_delete_goes_back_to_the_erp_starting_concurrency_limit(
    erp: ErpSandbox, client: httpx.Client
) -> None:
    assert client.get(f"{erp.url}/__admin/faults").json() == {"concurrency_limit": 5}
    client.post(f"{erp.url}/__admin/faults", json={"concurrency_limit": 1, "outage": True, "latency_ms": 50})

    cleared = client.delete(f"{erp.url}/__admin/faults")

    assert cleared.json() == {"concurrency_limit": 5}
    assert client.get(f"{erp.url}/__admin/faults").json() == {"concurrency_limit": 5}
    assert client.get(f"{erp.url}{SALES_ORDERS}").status_code == 200


def test_a_null_fault_value_removes_that_fault(erp: ErpSandbox, client: httpx.Client) -> None:
    client.post(f"{erp.url}/__admin/faults", json={"outage": True})

    client.post(f"{erp.url}/__admin/faults", json={"outage": None, "concurrency_limit": None})

    assert client.get(f"{erp.url}/__admin/faults").json() == {}
    assert client.get(f"{erp.url}{SALES_ORDERS}").status_code == 200


def test_invalid_faults_are_refused_and_change_nothing(erp: ErpSandbox, client: httpx.Client) -> None:
    for bad in ({"throttle_rate": 2}, {"outage": "yes"}, {"concurrency_limit": 0}, {"latency": 5}, [1]):
        assert client.post(f"{erp.url}/__admin/faults", json=bad).status_code == 400

    assert client.get(f"{erp.url}/__admin/faults").json() == {"concurrency_limit": 5}


def test_reset_forgets_journal_faults_and_stored_data(erp: ErpSandbox, client: httpx.Client) -> None:
    client.put(f"{erp.url}{SALES_ORDERS}/eid:A-1", json=sales_order("A-1"))
    client.post(f"{erp.url}/__admin/faults", json={"latency_ms": 10})

    client.post(f"{erp.url}/__admin/reset")

    assert client.get(f"{erp.url}/__admin/faults").json() == {"concurrency_limit": 5}
    assert client.get(f"{erp.url}/__admin/requests").json()["requests"] == []
    assert client.get(f"{erp.url}{SALES_ORDERS}/eid:A-1").status_code == 404


def test_unknown_admin_route_answers_404(erp: ErpSandbox, client: httpx.Client) -> None:
    assert client.get(f"{erp.url}/__admin/nothing-here").status_code == 404
