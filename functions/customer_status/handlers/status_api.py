"""`GET /v1/status/orders/{channel}/{channel_order_id}`: the customer-safe status of one order.

Behind API Gateway's API key (`x-api-key`, the helpdesk integration's own key and usage plan,
infra/customer_status/customer_status_construct.py): a request without a valid key never reaches
this function. Answers 200 with `OrderStatusView` (functions/customer_status/models/status.py),
400 `VALIDATION_FAILED` for a path that cannot name an order, 404 `NOT_FOUND` for an order we do
not know; errors in the contract's `{"error": {...}}` shape. Read-only: three state-table reads
at most, no other call.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from functions.customer_status.dal.status_store import DynamoStatusStore, StatusStore
from functions.customer_status.logic.view import compose
from functions.customer_status.settings import StatusApiSettings
from shared.errors import ErrorCode
from shared.http_answers import error_document, json_text, proxy_response
from shared.observability import logger
from shared.settings import cached

_CHANNEL = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_ORDER_ID = re.compile(r"^[A-Za-z0-9._:#\-]{1,128}$")


@lru_cache(maxsize=1)
def default_store() -> StatusStore:
    return DynamoStatusStore(cached(StatusApiSettings).state_table_name)


def _error(code: ErrorCode, status: int, message: str, correlation_id: str) -> dict[str, Any]:
    return proxy_response(status, json_text(error_document(code, message, correlation_id)))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any, store: StatusStore | None = None) -> dict[str, Any]:
    correlation_id = str((event.get("requestContext") or {}).get("requestId") or uuid.uuid4().hex)
    params = event.get("pathParameters") or {}
    channel, channel_order_id = str(params.get("channel") or ""), str(params.get("channel_order_id") or "")
    if not _CHANNEL.match(channel) or not _ORDER_ID.match(channel_order_id):
        return _error(ErrorCode.VALIDATION_FAILED, 400, "not an order reference", correlation_id)
    items = (store or default_store()).read(channel, channel_order_id)
    if items.order is None:
        return _error(ErrorCode.NOT_FOUND, 404, f"no order {channel_order_id} from {channel}", correlation_id)
    view = compose(items.order, items.shipments, items.returns)
    logger.info("status read", channel=channel, status=view.status.value)
    return proxy_response(200, view.model_dump_json())
