"""The webhook API over one proxy event: route, accept (POST) or answer a challenge (GET), and the
contract's answers (CONTRACT.md, "Webhook endpoint"), with the log line and metric of each outcome.

Every refusal is a `RetailSyncError` and answers `{"error": {"code", "message", "correlation_id",
"details"?}}` with its status (`shared.http_answers`, shared with the ops API); anything else is a
500 INTERNAL. No route, or a method other than POST/GET: 404 NOT_FOUND, as the resolver answered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from functions.ingest.logic.accept import accept_webhook
from functions.ingest.logic.ports import IngestPorts
from functions.ingest.logic.request import (
    ApiRequest,
    api_request,
    correlation_id_for,
    endpoint_url,
    webhook_request,
)
from shared.errors import ErrorCode, RetailSyncError, UnknownSource
from shared.http_answers import error_answer, error_document, json_text, proxy_response
from shared.observability import logger, metrics

INTERNAL_MESSAGE = "internal error; quote the correlation id"


class MethodNotAllowed(RetailSyncError):
    code = ErrorCode.METHOD_NOT_ALLOWED


def answer_webhook(event: Mapping[str, Any], ports: IngestPorts, now: datetime | None = None) -> dict[str, Any]:
    """The API Gateway answer to one proxy event."""
    request = api_request(event)
    correlation_id = correlation_id_for(request.headers)
    logger.set_correlation_id(correlation_id)
    source = request.source
    if source is None or request.method not in ("POST", "GET"):
        _count("WebhookRefused", "unknown")
        return proxy_response(404, json_text(error_document(ErrorCode.NOT_FOUND, "no such route", correlation_id)))
    try:
        if request.method == "POST":
            status, body = 202, _receive(request, source, ports, correlation_id, now or datetime.now(UTC))
        else:
            return _challenge(request, source, ports)
    except RetailSyncError as exc:
        known = source if _known(ports, source) else "unknown"
        logger.warning("webhook refused", source=known, code=exc.code.value, status=exc.status, reason=exc.message)
        _count("WebhookRefused" if exc.status < 500 else "WebhookFailed", known)
        status, body = error_answer(exc, correlation_id, internal_message=INTERNAL_MESSAGE)
    except Exception as exc:
        logger.exception("webhook failed")
        _count("WebhookFailed", "unknown")
        status, body = error_answer(exc, correlation_id, internal_message=INTERNAL_MESSAGE)
    return proxy_response(status, json_text(body, exclude_none=True))


def _receive(
    request: ApiRequest, source: str, ports: IngestPorts, correlation_id: str, now: datetime
) -> dict[str, Any]:
    delivery = webhook_request(request, source, ports.webhook_base_url)
    outcome = accept_webhook(delivery, source, ports=ports, correlation_id=correlation_id, now=now)
    if outcome.duplicate:
        logger.set_correlation_id(outcome.correlation_id)
    status = "duplicate" if outcome.duplicate else "ignored" if outcome.ignored else "accepted"
    _count(f"Webhook{status.capitalize()}", source)
    logger.info("webhook " + status, source=source, event_type=outcome.event_type, event_id=outcome.event_id)
    # 202 for an accepted, duplicate or ignored delivery (`ignored` only when it was).
    return {
        "correlation_id": outcome.correlation_id,
        "event_id": outcome.event_id,
        "duplicate": outcome.duplicate,
        "ignored": True if outcome.ignored else None,
    }


def _challenge(request: ApiRequest, source: str, ports: IngestPorts) -> dict[str, Any]:
    adapter = ports.adapters(source)  # an unknown source is 404 whatever the method
    # GET is for a vendor's endpoint challenge (eBay's); other sources have none.
    url = endpoint_url(source, request.event, request.headers, ports.webhook_base_url)
    answer = adapter.answer_challenge(request.query, url)
    if answer is None:
        raise MethodNotAllowed("this endpoint only accepts POST")
    _count("WebhookChallengeAnswered", source)
    return proxy_response(200, json.dumps(answer))


def _known(ports: IngestPorts, source: str) -> bool:
    try:
        ports.adapters(source)
    except UnknownSource:
        return False
    return True


def _count(metric: str, source: str) -> None:
    metrics.add_dimension(name="source", value=source)
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
