"""Zalando zDirect Stocks API: `POST /merchants/{merchant_id}/stocks`, many items per request.

`{"items": [{"sales_channel_id", "ean", "quantity"}]}`; the answer has one `result.status` per
item (developers.merchants.zalando.com/docs/offers-stocks.html). Limit: stock updates for up to
1,000 products a minute per merchant (as integrators document it), so the bucket counts items:
burst 1,000, refilling 1,000/60 a second, at most 100 items per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar
from urllib.parse import quote

from functions.availability.adapters.base import ChannelConnector, Limits, StockUpdate
from shared.channels.clients.paced import refused_items


class ZalandoConnector(ChannelConnector):
    channel: ClassVar[str] = "zalando"
    limits: ClassVar[Limits] = Limits(item_rate_per_second=1000 / 60, item_burst=1000, item_batch=100, cost_per="item")

    def __init__(self, base_url: str, *, merchant_id: str, sales_channel_id: str, **kwargs: Any) -> None:
        super().__init__(base_url, **kwargs)
        self.merchant_id = merchant_id
        self.sales_channel_id = sales_channel_id

    def send_items(self, batch: Sequence[StockUpdate]) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        body = {
            "items": [
                {"sales_channel_id": self.sales_channel_id, "ean": u.listing_id, "quantity": u.units} for u in batch
            ]
        }
        answer = (
            self._json(
                self._send("POST", f"/merchants/{quote(self.merchant_id, safe='')}/stocks", headers=headers, json=body)
            )
            or {}
        )
        return refused_items(
            batch, answer.get("items", []), lambda entry: (entry.get("item") or {}).get("ean"), _refusal
        )


def _refusal(entry: dict[str, Any]) -> str | None:
    status = (entry.get("result") or {}).get("status")
    return None if status in (None, "ACCEPTED") else f"zalando status {status}"
