"""`POST /v1/webhooks/{source}`: verify a vendor delivery, dedupe it, queue it, answer 202.

The handler only turns the API Gateway event into a `WebhookRequest`, calls
`logic.accept.accept_webhook` and turns the outcome (or the refusal) into the contract's answer.
Every `RetailSyncError` becomes `{"error": {"code", "message", "correlation_id", "details"?}}`
with its status in one place (`_refused`).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.ingest.logic.accept import accept_webhook
from functions.ingest.logic.ports import IngestPorts
from functions.ingest.models.responses import Accepted, ErrorDetail, ErrorResponse
from functions.ingest.models.settings import IngestSettings
from shared.channels.base import Headers, WebhookRequest
from shared.channels.registry import sources
from shared.errors import ErrorCode, MalformedBody, PayloadTooLarge, RetailSyncError
from shared.limits import WEBHOOK_MAX_BODY_BYTES
from shared.models import utc_now
from shared.observability import logger, metrics
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

WEBHOOK_ROUTE = "/v1/webhooks/<source>"
CORRELATION_HEADER = "X-Correlation-Id"
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")

app = APIGatewayRestResolver()


class MethodNotAllowed(RetailSyncError):
    code = ErrorCode.METHOD_NOT_ALLOWED


class _Runtime:
    """The ports and the public base URL, built from the settings on first use (once per cold start)."""

    ports: IngestPorts | None = None
    webhook_base_url: str | None = None


_runtime = _Runtime()


def configure(ports: IngestPorts | None, webhook_base_url: str | None = None) -> None:
    """Use these ports instead of the AWS ones (tests, bench); `None` goes back to the settings."""
    _runtime.ports = ports
    _runtime.webhook_base_url = webhook_base_url


def _ports() -> IngestPorts:
    if _runtime.ports is None:
        settings = cached(IngestSettings)
        _runtime.ports = _aws_ports(settings)
        _runtime.webhook_base_url = settings.webhook_base_url
    return _runtime.ports


def _aws_ports(settings: IngestSettings) -> IngestPorts:
    from functions.ingest.adapters.dedupe import PowertoolsDeliveryDedupe
    from functions.ingest.adapters.queue_publisher import SqsQueuePublisher
    from functions.ingest.adapters.secrets import WebhookSecrets
    from functions.ingest.adapters.trace import BestEffortTrace
    from shared.adapters.trace_store import DynamoTraceStore

    return IngestPorts(
        secrets=WebhookSecrets(
            settings.webhook_secrets_arn,
            os.environ,
            local_defaults=settings.environment_name == "local",
        ),
        dedupe=PowertoolsDeliveryDedupe(settings.idempotency_table_name),
        publisher=SqsQueuePublisher(
            {"orders": settings.orders_queue_url, "inventory": settings.inventory_queue_url},
            settings.payload_bucket_name,
        ),
        trace=BestEffortTrace(DynamoTraceStore(settings.trace_table_name)),
    )


@app.post(WEBHOOK_ROUTE)
def receive_webhook(source: str) -> Response:
    ports = _ports()
    correlation_id = _correlation_id()
    app.append_context(source=source)
    outcome = accept_webhook(
        _webhook_request(source), source, ports=ports, correlation_id=correlation_id, now=utc_now()
    )
    if outcome.duplicate:
        logger.set_correlation_id(outcome.correlation_id)
    status = "duplicate" if outcome.duplicate else "ignored" if outcome.ignored else "accepted"
    _count(f"Webhook{status.capitalize()}", source)
    logger.info("webhook " + status, source=source, event_type=outcome.event_type, event_id=outcome.event_id)
    answer = Accepted(
        correlation_id=outcome.correlation_id,
        event_id=outcome.event_id,
        duplicate=outcome.duplicate,
        ignored=True if outcome.ignored else None,
    )
    return _json(202, answer)


@app.get(WEBHOOK_ROUTE)
def webhook_get(source: str) -> Response:
    app.append_context(source=source)
    adapter = _ports().adapters(source)  # an unknown source is 404 whatever the method
    # GET is for a vendor's endpoint challenge (eBay's); other sources have none.
    params = dict(app.current_event.query_string_parameters or {})
    answer = adapter.answer_challenge(params, _endpoint_url(source, app.current_event))
    if answer is None:
        raise MethodNotAllowed("this endpoint only accepts POST")
    _count("WebhookChallengeAnswered", source)
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(answer))


@app.exception_handler(RetailSyncError)
def _refused(exc: RetailSyncError) -> Response:
    source = app.context.get("source")
    known = source if source in sources() else "unknown"
    logger.warning("webhook refused", source=known, code=exc.code.value, status=exc.status, reason=exc.message)
    _count("WebhookRefused" if exc.status < 500 else "WebhookFailed", known)
    return _error(exc.status, exc.code, exc.message, exc.details)


@app.not_found
def _no_route(exc: NotFoundError) -> Response:
    _count("WebhookRefused", "unknown")
    return _error(404, ErrorCode.NOT_FOUND, "no such route")


@app.exception_handler(Exception)
def _bug(exc: Exception) -> Response:
    logger.exception("webhook failed")
    _count("WebhookFailed", "unknown")
    return _error(500, ErrorCode.INTERNAL, "internal error; quote the correlation id")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    dedupe = _ports().dedupe
    if hasattr(dedupe, "register_lambda_context"):
        dedupe.register_lambda_context(context)
    return app.resolve(event, context)


def _correlation_id() -> str:
    correlation_id: str | None = app.context.get("correlation_id")
    if correlation_id is None:
        sent = app.current_event.headers.get(CORRELATION_HEADER) or ""
        correlation_id = sent if _CORRELATION_ID.match(sent) else uuid.uuid4().hex
        app.append_context(correlation_id=correlation_id)
        logger.set_correlation_id(correlation_id)
    return correlation_id


def _webhook_request(source: str) -> WebhookRequest:
    event = app.current_event
    raw = event.get("body") or ""
    # Base64 grows the body by a third: refuse the obviously oversized before decoding it.
    if len(raw) > 2 * WEBHOOK_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is over {WEBHOOK_MAX_BODY_BYTES} bytes")
    if event.is_base64_encoded:
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedBody("body is not valid base64") from exc
    else:
        body = raw.encode("utf-8")
    query = event.multi_value_query_string_parameters
    path = _public_path(event) + (f"?{urlencode(query, doseq=True)}" if query else "")
    return WebhookRequest(
        method=event.http_method,
        path_with_query=path,
        body=body,
        headers=Headers(event.headers),
        endpoint_url=_endpoint_url(source, event),
    )


def _public_path(event: APIGatewayProxyEvent) -> str:
    """The path the vendor called, which is what Walmart signs (and Square, inside the URL).

    On API Gateway's default URL `path` loses the stage (`/dev/v1/webhooks/walmart` arrives as
    `/v1/webhooks/walmart`) while `requestContext.path` keeps it; behind a custom domain both are the
    public path (with the base-path mapping's prefix, if any). So `requestContext.path` holds on both.
    """
    return event.request_context.path or event.path


def _endpoint_url(source: str, event: APIGatewayProxyEvent) -> str | None:
    """The URL the vendor was told to call (Square signs it, eBay hashes it in its challenge).

    WEBHOOK_BASE_URL when set (an explicit override: `<base>/v1/webhooks/<source>`), else the URL this
    request was sent to: `requestContext.domainName` (or the Host header) and the public path.
    """
    base = _runtime.webhook_base_url
    if base:
        return f"{base.rstrip('/')}/v1/webhooks/{source}"
    host = event.request_context.domain_name or event.headers.get("Host")
    if not host:
        return None
    return f"{event.headers.get('X-Forwarded-Proto') or 'https'}://{host}{_public_path(event)}"


def _count(metric: str, source: str) -> None:
    metrics.add_dimension(name="source", value=source)
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


def _json(status: int, model: BaseModel) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(exclude_none=True),
    )


def _error(status: int, code: ErrorCode, message: str, details: list[dict[str, Any]] | None = None) -> Response:
    detail = ErrorDetail(code=code.value, message=message, correlation_id=_correlation_id(), details=details or None)
    return _json(status, ErrorResponse(error=detail))
