"""Ops API: transaction timelines, orders, inventory, reconciliations, parked-order replay.

Every error answers `{"error": {"code", "message", "correlation_id"}}` from one mapping
(`_error`): a RetailSyncError carries its own status; anything else is a 500 INTERNAL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.ops.logic.replay import replay_parked_orders
from functions.ops.logic.views import TraceReader, inventory_view, order_view, transaction_timeline
from functions.ops.models.responses import ErrorDetail, ErrorResponse, ReplayResult
from functions.ops.settings import OpsSettings
from functions.orders.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from functions.orders.adapters.parking_queue import ParkingQueuePort, SqsParkingQueue
from functions.orders.dal.state_store import DynamoStateStore, StateStore
from shared.adapters.trace_store import DynamoTraceStore
from shared.errors import ErrorCode, NotFound, RetailSyncError, UpstreamUnavailable
from shared.observability import logger, metrics, tracer
from shared.settings import cached

app = APIGatewayRestResolver()


@dataclass(frozen=True)
class Deps:
    store: StateStore
    trace: TraceReader
    channels: tuple[str, ...]
    online_location_ids: tuple[str, ...] = ()
    parking: ParkingQueuePort | None = None
    flow: OrderFlowPort | None = None


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = cached(OpsSettings)
    replay_ready = settings.orders_parking_queue_url and settings.order_flow_arn
    return Deps(
        store=DynamoStateStore(settings.state_table_name),
        trace=DynamoTraceStore(settings.trace_table_name),
        channels=settings.channels,
        online_location_ids=settings.online_fulfilment_location_ids,
        parking=SqsParkingQueue(settings.orders_parking_queue_url) if replay_ready else None,
        flow=StepFunctionsOrderFlow(settings.order_flow_arn) if replay_ready else None,
    )


def _deps() -> Deps:
    return app.context.get("deps") or default_deps()


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(exclude_none=status >= 400),
    )


def _correlation_id() -> str:
    return app.current_event.headers.get("X-Correlation-Id") or uuid.uuid4().hex


@app.get("/v1/ops/transactions/<correlation_id>")
def get_transaction(correlation_id: str) -> Response:
    return _json(transaction_timeline(correlation_id, _deps().trace))


@app.get("/v1/ops/orders/<channel>/<channel_order_id>")
def get_order(channel: str, channel_order_id: str) -> Response:
    return _json(order_view(channel, channel_order_id, _deps().store))


@app.get("/v1/ops/inventory/<sku>")
def get_inventory(sku: str) -> Response:
    deps = _deps()
    return _json(inventory_view(sku, deps.store, deps.channels, deps.online_location_ids))


@app.post("/v1/ops/reconciliations/<kind>")
@app.get("/v1/ops/reconciliations/<kind>")
def reconciliations(kind: str) -> Response:
    # No reconciliation kind is implemented in this release; each arrives with its feature.
    raise NotFound(f"unknown reconciliation kind: {kind}")


@app.post("/v1/ops/parked/orders/replay")
def replay_parked() -> Response:
    deps = _deps()
    if deps.parking is None or deps.flow is None:
        raise UpstreamUnavailable("parked-order replay is not configured (parking queue, order flow)")
    return _json(ReplayResult(replayed=replay_parked_orders(deps.parking, deps.flow)))


def _error(
    code: ErrorCode, status: int, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    body = ErrorResponse(
        error=ErrorDetail(
            code=code.value, message=message, correlation_id=_correlation_id(), details=details or None
        )
    )
    return _json(body, status)


@app.exception_handler(Exception)
def handle_error(exc: Exception) -> Response:
    if isinstance(exc, RetailSyncError):
        return _error(exc.code, exc.status, exc.message, exc.details)
    logger.exception("ops request failed")
    return _error(ErrorCode.INTERNAL, 500, "internal error")


@app.not_found
def handle_not_found(exc: NotFoundError) -> Response:
    return _error(ErrorCode.NOT_FOUND, 404, "no such route")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    app.append_context(deps=deps)
    return app.resolve(event, context)
