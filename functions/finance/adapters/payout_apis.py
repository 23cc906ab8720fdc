"""The channels' payout APIs the settlement poller reads (shapes and pages in walmart_recon.py,
ebay_finances.py, square_payouts.py): each reuses its channel's client, so its token, headers and
error mapping (429 -> throttled, 5xx -> unavailable) are the ones every other call to that channel uses.

- Walmart: `GET /v3/report/reconreport/availableReconFiles?reportVersion=v1`, then
  `GET /v3/report/reconreport/reconFileJson?reportDate=<date>&reportVersion=v1` per new date.
- eBay (scope `sell.finances`): getPayouts filtered on `payoutDate:[<since>..]` and
  `payoutStatus:{SUCCEEDED}`, sorted by payoutDate, 200 a page; getTransactions filtered on
  `payoutId:{<id>}`, 1,000 a page; pages followed through `offset` until `total`. (EU/UK sellers'
  Finances calls also need eBay's digital signature headers: not built, the sandbox is a US seller.)
- Square (scope `PAYOUTS_READ`, `PAYMENTS_READ`): ListPayouts `status=PAID&begin_time=&sort_order=ASC`,
  ListPayoutEntries, pages followed through `cursor` (100 a page, Square's maximum); GetPayment for
  each payment an entry names, to learn its order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from shared.channels.clients.ebay_api import EbayApiClient
from shared.channels.clients.square_api import SquareApiClient
from shared.channels.clients.walmart_api import WalmartApiClient

MAX_PAGES = 50
_EBAY_TIME = "%Y-%m-%dT%H:%M:%S.000Z"


class WalmartReconApi(WalmartApiClient):
    def available_dates(self) -> list[str]:
        response = self._send(
            "GET", "/v3/report/reconreport/availableReconFiles", headers=self.headers(), params={"reportVersion": "v1"}
        )
        dates = response.json().get("availableApReportDates")
        return [str(d) for d in dates] if isinstance(dates, list) else []

    def report(self, report_date: str) -> dict[str, Any]:
        response = self._send(
            "GET",
            "/v3/report/reconreport/reconFileJson",
            headers=self.headers(),
            params={"reportDate": report_date, "reportVersion": "v1"},
        )
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("reportData"), list):
            raise self.rejected_error(f"recon report {report_date}: no reportData in the answer")
        return body


class EbayFinancesApi(EbayApiClient):
    def _pages(self, path: str, params: dict[str, str], key: str, limit: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = {**params, "limit": str(limit), "offset": str(len(found))}
            body = self._send("GET", path, headers={"Accept": "application/json"}, params=page).json()
            items = body.get(key) or [] if isinstance(body, dict) else []
            found.extend(items)
            if not items or len(found) >= int(body.get("total") or 0):
                return found
        return found

    def payouts(self, since: datetime) -> list[dict[str, Any]]:
        window = f"payoutDate:[{since.astimezone(UTC).strftime(_EBAY_TIME)}..],payoutStatus:{{SUCCEEDED}}"
        return self._pages("/sell/finances/v1/payout", {"filter": window, "sort": "payoutDate"}, "payouts", 200)

    def transactions(self, payout_id: str) -> list[dict[str, Any]]:
        return self._pages(
            "/sell/finances/v1/transaction", {"filter": f"payoutId:{{{payout_id}}}"}, "transactions", 1000
        )


class SquarePayoutsApi(SquareApiClient):
    def _pages(self, path: str, params: dict[str, str], key: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            page = {**params, "limit": "100", **({"cursor": cursor} if cursor else {})}
            body = self._send("GET", path, headers=self._headers, params=page).json()
            found.extend(body.get(key) or [])
            cursor = body.get("cursor") or None
            if cursor is None:
                return found
        return found

    def paid_payouts(self, since: datetime) -> list[dict[str, Any]]:
        begin = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self._pages("/v2/payouts", {"status": "PAID", "begin_time": begin, "sort_order": "ASC"}, "payouts")

    def entries(self, payout_id: str) -> list[dict[str, Any]]:
        return self._pages(
            f"/v2/payouts/{quote(payout_id, safe='')}/payout-entries", {"sort_order": "ASC"}, "payout_entries"
        )

    def order_of_payment(self, payment_id: str) -> str | None:
        body = self._send("GET", f"/v2/payments/{quote(payment_id, safe='')}", headers=self._headers).json()
        order_id = (body.get("payment") or {}).get("order_id")
        return str(order_id) if order_id else None
