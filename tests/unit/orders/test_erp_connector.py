"""The NetSuite-style ERP connector over HTTP (respx): statuses become domain errors."""

from __future__ import annotations

import httpx
import pytest
import respx

from functions.orders.adapters.erp import HttpErp
from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable

BASE = "http://erp.test"
RECORD = f"{BASE}/services/rest/record/v1/salesOrder/eid:ord_1"


@pytest.fixture
def erp() -> HttpErp:
    return HttpErp(BASE, timeout=1.0)


@respx.mock
def test_upsert_puts_by_external_id_and_answers_the_internal_id_from_location(erp: HttpErp) -> None:
    route = respx.put(RECORD).respond(
        204, headers={"Location": f"{BASE}/services/rest/record/v1/salesOrder/4711"}
    )

    assert erp.upsert_sales_order("ord_1", {"externalId": "ord_1"}) == "4711"
    assert route.calls.last.request.content == b'{"externalId":"ord_1"}'


@respx.mock
def test_a_429_is_erp_throttled_with_the_retry_after(erp: HttpErp) -> None:
    respx.put(RECORD).respond(429, headers={"Retry-After": "3"})

    with pytest.raises(ErpThrottled) as excinfo:
        erp.upsert_sales_order("ord_1", {})
    assert excinfo.value.retry_after == 3.0


@respx.mock
def test_a_503_is_erp_unavailable(erp: HttpErp) -> None:
    respx.put(RECORD).respond(503)

    with pytest.raises(ErpUnavailable):
        erp.upsert_sales_order("ord_1", {})


@respx.mock
def test_a_timeout_is_erp_unavailable(erp: HttpErp) -> None:
    respx.put(RECORD).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(ErpUnavailable):
        erp.upsert_sales_order("ord_1", {})


@respx.mock
@pytest.mark.parametrize("status", [400, 404, 422])
def test_other_4xx_on_upsert_are_erp_rejected_by_that_class_name(erp: HttpErp, status: int) -> None:
    respx.put(RECORD).respond(status, json={"title": "bad"})

    with pytest.raises(ErpRejected) as excinfo:
        erp.upsert_sales_order("ord_1", {})
    assert type(excinfo.value).__name__ == "ErpRejected"


@respx.mock
def test_without_a_location_header_the_internal_id_is_read_back(erp: HttpErp) -> None:
    respx.put(RECORD).respond(204)
    respx.get(RECORD).respond(200, json={"id": "99", "externalId": "ord_1"})

    assert erp.upsert_sales_order("ord_1", {}) == "99"


@respx.mock
def test_cancel_patches_the_status_and_reports_an_unknown_record(erp: HttpErp) -> None:
    route = respx.patch(RECORD).mock(side_effect=[httpx.Response(204), httpx.Response(404)])

    assert erp.cancel_sales_order("ord_1") is True
    assert route.calls[0].request.content == b'{"status":"cancelled"}'
    assert erp.cancel_sales_order("ord_1") is False


@respx.mock
def test_get_answers_none_for_an_unknown_record(erp: HttpErp) -> None:
    respx.get(RECORD).respond(404)

    assert erp.get_sales_order("ord_1") is None
