"""From the returns recorded today to ReturnFlow executions (pure): requests and execution names.

Loop `return.*`, Walmart `RETURN_CREATED` and the other return notifications are recorded by the
orders worker as `ReturnAuthorization` (event `ReturnAuthorized`), store returns from the POS as
`StoreReturn` (event `StoreReturnRecorded`). An EventBridge rule sends both events here; each
starts one ReturnFlow named after the return's business key `<source>:<source_return_id>`, so a
repeated event (a redelivered webhook, a replay) finds the execution already there: Standard
workflows refuse a second start with the same name for 90 days.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from functions.returns.models.returns import RequestedLine, ReturnRequest
from shared.models.returns import ReturnAuthorization, ReturnStatus, StoreReturn

MAX_EXECUTION_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9\-_]")
# A POS sale is refunded at the till: the store's channel refunded the customer itself.
# Sources whose return is refunded without us: the till (Square, a POS file) and Amazon. Not Walmart:
# a seller-fulfilled Walmart return is refunded by the seller ("Issue a refund",
# developer.walmart.com/us-marketplace/docs/issue-a-refund; only WFS returns are Walmart's), and
# RETURN_CREATED says `"refundStatus": "Non Refunded"`: the flow refunds its lines through Walmart's
# Orders API (functions/returns/adapters/channel_refunds.py WalmartRefunds).
_SELF_REFUNDING_SOURCES = frozenset({"amazon", "square", "pos"})
STARTING_EVENTS = frozenset({"ReturnAuthorized", "StoreReturnRecorded"})


def return_key(source: str, source_return_id: str) -> str:
    return f"{source}:{source_return_id}"


def execution_name(source: str, source_return_id: str) -> str:
    """The business key as a Step Functions name (`:` and other unsafe characters become `_`).

    When the safe form differs from the key, or is too long, a short digest of the key is added so
    two keys never share a name."""
    key = return_key(source, source_return_id)
    safe = _UNSAFE.sub("_", f"{source}_{source_return_id}")
    if len(safe) <= MAX_EXECUTION_NAME and safe == f"{source}_{source_return_id}":
        return safe
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{safe[: MAX_EXECUTION_NAME - 13]}-{digest}"


def request_from_event(detail_type: str, detail: dict[str, Any]) -> ReturnRequest | None:
    """The ReturnFlow input for a recorded return; None for one that needs no flow (closed, no lines)."""
    correlation_id = str(detail.get("correlation_id", ""))
    payload = {k: v for k, v in detail.items() if k not in ("correlation_id", "order_id")}
    if detail_type == "ReturnAuthorized":
        authorization = ReturnAuthorization.model_validate(payload)
        if authorization.status not in (ReturnStatus.OPEN, ReturnStatus.IN_REVIEW):
            return None
        return ReturnRequest(
            source=authorization.source,
            source_return_id=authorization.return_id,
            channel=authorization.channel,
            channel_order_id=authorization.channel_order_id,
            correlation_id=correlation_id,
            requested_at=authorization.created_at,
            lines=[
                RequestedLine(sku=line.sku, quantity=line.quantity, reason=line.reason, exchange=line.exchange)
                for line in authorization.lines
            ],
            refunded_by_channel=authorization.source in _SELF_REFUNDING_SOURCES,
        )
    if detail_type == "StoreReturnRecorded":
        store_return = StoreReturn.model_validate(payload)
        if not store_return.lines or not store_return.channel_order_id:
            return None
        return ReturnRequest(
            source=store_return.channel,
            source_return_id=store_return.return_id,
            # A store return of an online order (buy online, return in store) names that order's
            # channel; without one it is the store's own sale.
            channel=store_return.order_channel or store_return.channel,
            channel_order_id=store_return.channel_order_id,
            correlation_id=correlation_id,
            requested_at=store_return.returned_at,
            lines=[
                RequestedLine(sku=line.sku, quantity=line.quantity, reason=line.reason) for line in store_return.lines
            ],
            location_id=store_return.location_id,
            refunded_by_channel=True,
        )
    return None
