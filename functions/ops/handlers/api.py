"""Ops API: transaction timelines, orders, inventory, reconciliations (runs, exceptions, audit), replay.

Every error answers `{"error": {"code", "message", "correlation_id"}}` from one mapping
(`_error`): a RetailSyncError carries its own status; anything else is a 500 INTERNAL.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from functions.availability.dal.availability_store import AvailabilityStore, DynamoAvailabilityStore
from functions.availability.models.rules import DEFAULT_SCOPE
from functions.ops.logic import channels as channel_ops
from functions.ops.logic import exceptions as exception_ops
from functions.ops.logic import find as find_ops
from functions.ops.logic.caller import caller_of
from functions.ops.logic.channels import RunStore
from functions.ops.logic.exceptions import EnvelopeQueue, ExceptionStore, KindStore
from functions.ops.logic.replay import replay_parked_orders
from functions.ops.logic.views import TraceReader, inventory_view, order_view, transaction_timeline
from functions.ops.models.responses import ErrorDetail, ErrorResponse, ReplayResult, RunList, StartedRun
from functions.ops.settings import OpsSettings
from functions.orders.adapters.envelope_queue import SqsEnvelopeQueue
from functions.orders.adapters.order_flow import OrderFlowPort, StepFunctionsOrderFlow
from functions.orders.adapters.parking_queue import ParkingQueuePort, SqsParkingQueue
from functions.orders.dal.state_store import DynamoStateStore, StateStore
from functions.reconciliation.adapters.starter import LambdaRunStarter, RunStarter
from functions.reconciliation.dal.reconciliation_store import DynamoReconciliationStore
from shared.adapters.exception_store import DynamoExceptionStore
from shared.adapters.trace_store import DynamoTraceStore
from shared.errors import ErrorCode, MalformedBody, RetailSyncError, UpstreamUnavailable, ValidationFailed
from shared.observability import logger, metrics
from shared.settings import cached

app = APIGatewayRestResolver()
_SKU = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")


@dataclass(frozen=True)
class Deps:
    store: StateStore
    trace: TraceReader
    availability: AvailabilityStore | None = None
    runs: RunStore | None = None
    starter: RunStarter | None = None
    parking: ParkingQueuePort | None = None
    flow: OrderFlowPort | None = None
    exceptions: ExceptionStore | None = None
    kinds: KindStore | None = None  # exceptions of every kind but reconciliation's
    queues: dict[str, EnvelopeQueue] | None = None  # domain -> the queue a retried envelope goes back to

    def need_availability(self) -> AvailabilityStore:
        if self.availability is None:
            raise UpstreamUnavailable("allocation rules are not configured (state table)")
        return self.availability

    def need_runs(self) -> RunStore:
        if self.runs is None:
            raise UpstreamUnavailable("reconciliation runs are not configured (state table)")
        return self.runs

    def need_exceptions(self) -> ExceptionStore:
        if self.exceptions is None:
            raise UpstreamUnavailable("reconciliation exceptions are not configured (state table)")
        return self.exceptions

    def need_kinds(self) -> KindStore:
        if self.kinds is None:
            raise UpstreamUnavailable("exceptions are not configured (state table)")
        return self.kinds


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    settings = cached(OpsSettings)
    replay_ready = settings.orders_parking_queue_url and settings.order_flow_arn
    reconciliation = DynamoReconciliationStore(settings.state_table_name)
    return Deps(
        store=DynamoStateStore(settings.state_table_name),
        trace=DynamoTraceStore(settings.trace_table_name),
        availability=DynamoAvailabilityStore(settings.state_table_name),
        runs=reconciliation,
        starter=LambdaRunStarter(settings.reconciliation_function_name)
        if settings.reconciliation_function_name
        else None,
        parking=SqsParkingQueue(settings.orders_parking_queue_url) if replay_ready else None,
        flow=StepFunctionsOrderFlow(settings.order_flow_arn) if replay_ready else None,
        exceptions=reconciliation,
        kinds=DynamoExceptionStore(settings.state_table_name),
        queues={"orders": SqsEnvelopeQueue(settings.orders_queue_url)} if settings.orders_queue_url else {},
    )


def _deps() -> Deps:
    return app.context.get("deps") or default_deps()


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(exclude_none=status >= 400),
    )


def _caller() -> str:
    return caller_of(app.current_event.raw_event.get("requestContext"))


def _correlation_id() -> str:
    return app.current_event.headers.get("X-Correlation-Id") or uuid.uuid4().hex


@app.get("/v1/ops/transactions/<correlation_id>")
def get_transaction(correlation_id: str) -> Response:
    return _json(transaction_timeline(correlation_id, _deps().trace))


@app.get("/v1/ops/find")
def find_by_any_id() -> Response:
    deps = _deps()
    any_id = find_ops.parse_id(app.current_event.get_query_string_value("id", None))
    return _json(find_ops.find(any_id, deps.store, deps.trace, deps.kinds))


@app.get("/v1/ops/orders/<channel>/<channel_order_id>")
def get_order(channel: str, channel_order_id: str) -> Response:
    return _json(order_view(channel, channel_order_id, _deps().store))


@app.get("/v1/ops/inventory/<sku>")
def get_inventory(sku: str) -> Response:
    deps = _deps()
    rules = deps.availability.rules_for(sku) if deps.availability is not None else None
    return _json(inventory_view(sku, deps.store, rules))


@app.get("/v1/ops/allocation-rules")
def get_default_rules() -> Response:
    return _json(channel_ops.get_rules(_deps().need_availability()))


@app.put("/v1/ops/allocation-rules")
def put_default_rules() -> Response:
    return _json(channel_ops.put_rules(_deps().need_availability(), _body()))


@app.get("/v1/ops/allocation-rules/<sku>")
def get_sku_rules(sku: str) -> Response:
    return _json(channel_ops.get_rules(_deps().need_availability(), _sku(sku)))


@app.put("/v1/ops/allocation-rules/<sku>")
def put_sku_rules(sku: str) -> Response:
    return _json(channel_ops.put_rules(_deps().need_availability(), _body(), _sku(sku)))


@app.put("/v1/ops/listings/<sku>")
def put_listing_ids(sku: str) -> Response:
    return _json(channel_ops.put_listing_ids(_deps().need_availability(), _sku(sku), _body()))


@app.post("/v1/ops/reconciliations/<kind>")
def start_reconciliation(kind: str) -> Response:
    deps = _deps()
    if deps.starter is None:
        raise UpstreamUnavailable("on-demand reconciliation is not configured (reconciliation function)")
    run = channel_ops.start_run(kind, deps.need_runs(), deps.starter)
    return _json(StartedRun(run_id=run.run_id, kind=run.kind, status=run.status.value), 202)


@app.get("/v1/ops/reconciliations/<kind>")
def list_reconciliations(kind: str) -> Response:
    limit = app.current_event.get_query_string_value("limit", "20") or "20"
    if not limit.isdigit():
        raise ValidationFailed("limit must be a whole number", details=[{"field": "limit", "message": limit}])
    runs = channel_ops.list_runs(kind, _deps().need_runs(), int(limit))
    return _json(RunList(kind=kind, runs=runs))


@app.get("/v1/ops/reconciliations/<kind>/<run_id>")
def get_reconciliation(kind: str, run_id: str) -> Response:
    return _json(channel_ops.get_run(kind, run_id, _deps().need_runs()))


@app.get("/v1/ops/exceptions")
def list_exceptions() -> Response:
    query = app.current_event.get_query_string_value
    status = exception_ops.parse_status(query("status", None))
    kind = exception_ops.parse_kind(query("kind", None))
    limit = exception_ops.parse_limit(query("limit", None))
    if kind in exception_ops.RETRYABLE_KINDS:
        return _json(exception_ops.list_stored_exceptions(_deps().need_kinds(), status, kind, limit))
    return _json(exception_ops.list_exceptions(_deps().need_exceptions(), status, kind, limit))


@app.post("/v1/ops/exceptions/<exception_id>/resolve")
def resolve_exception(exception_id: str) -> Response:
    if exception_ops.stored_kind(exception_id):
        return _json(
            exception_ops.close_stored_exception(_deps().need_kinds(), exception_id, _body(), actor=_caller())
        )
    return _json(exception_ops.resolve_exception(_deps().need_exceptions(), exception_id, _body(), actor=_caller()))


@app.post("/v1/ops/exceptions/<exception_id>/retry")
def retry_exception(exception_id: str) -> Response:
    if not exception_ops.stored_kind(exception_id):
        raise ValidationFailed(
            "a reconciliation exception is not retried: resolve it, or start a new run",
            details=[{"field": "exception_id", "message": exception_id[:64]}],
        )
    deps = _deps()
    if not deps.queues:
        raise UpstreamUnavailable("retrying exceptions is not configured (orders queue)")
    return _json(exception_ops.retry_stored_exception(deps.need_kinds(), deps.queues, exception_id), 202)


@app.get("/v1/ops/audit")
def list_audit() -> Response:
    query = app.current_event.get_query_string_value
    sku = query("sku", None)
    limit = exception_ops.parse_limit(query("limit", None))
    return _json(exception_ops.audit_trail(_deps().need_exceptions(), _sku(sku) if sku else None, limit))


def _body() -> Any:
    try:
        return app.current_event.json_body
    except ValueError as exc:
        raise MalformedBody("the body is not JSON") from exc


def _sku(sku: str) -> str:
    if not _SKU.match(sku) or sku == DEFAULT_SCOPE:
        raise ValidationFailed("not a SKU", details=[{"field": "sku", "message": sku[:64]}])
    return sku


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
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: Deps | None = None) -> dict[str, Any]:
    app.append_context(deps=deps)
    # Every log line of the request names the caller; every write leaves an audit line with it.
    logger.append_keys(caller=caller_of(event.get("requestContext")))
    response = app.resolve(event, context)
    if event.get("httpMethod") not in ("GET", "HEAD", "OPTIONS"):
        logger.info("ops write", method=event.get("httpMethod"), path=event.get("path"), status=response["statusCode"])
    return response
