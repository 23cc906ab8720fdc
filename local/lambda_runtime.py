"""Runs a Lambda function's handler in this process, the way the Lambda Python runtime would.

The handler string is an import path (`functions.orders.handlers.reserve_stock.lambda_handler`),
so the same string works in Lambda, in tests and here. Results and errors come back in Lambda's
shapes: a JSON payload, or `{"errorType", "errorMessage", "requestId", "stackTrace"}` with the
exception's class name as `errorType`, which is what Step Functions Retry/Catch match on.

Handlers built on a Powertools event resolver (a module-level `APIGatewayRestResolver`, as the ops
API is) keep the request being served in that module object (`app.current_event`,
`app.context`); Lambda never shares a container between two invocations, so here such a handler
serves one invocation at a time (others wait their turn). Other handlers run concurrently.

A function's reserved concurrency is enforced: an invocation beyond it is throttled (the caller
decides what that means, as each AWS caller does), or waits for a slot when `wait_for_slot` is set
(Lambda queues asynchronous invocations instead of refusing them).
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.metrics.functions import is_metrics_disabled

LOG = logging.getLogger("local.lambda")
# The name of the function whose handler is running in this context (local/key_audit.py reads it).
CURRENT_FUNCTION: ContextVar[str | None] = ContextVar("retail_sync_current_function", default=None)

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class FunctionSpec:
    """What the runtime needs to know about a deployed function."""

    name: str
    arn: str
    handler: str
    memory_mb: int = 128
    timeout_s: float = 3.0
    reserved_concurrency: int | None = None

    @classmethod
    def from_moto(cls, fn: Any) -> FunctionSpec:
        """From a `moto.awslambda.models.LambdaFunction`."""
        return cls(
            name=fn.function_name,
            arn=fn.function_arn,
            handler=fn.handler,
            memory_mb=int(fn.memory_size or 128),
            timeout_s=float(fn.timeout or 3),
            reserved_concurrency=int(fn.reserved_concurrency) if fn.reserved_concurrency is not None else None,
        )


class LambdaContext:
    """The attributes and method of the Lambda Python runtime's context object."""

    def __init__(self, spec: FunctionSpec, request_id: str) -> None:
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/[$LATEST]{request_id.replace('-', '')}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    """The outcome of one invocation: a JSON-able payload, or Lambda's error object."""

    payload: Any
    error: dict[str, Any] | None
    request_id: str
    throttled: bool = False  # refused for reserved concurrency: the handler did not run

    @property
    def errored(self) -> bool:
        return self.error is not None

    def payload_json(self) -> str:
        return json.dumps(self.error if self.error is not None else self.payload)


class InProcessRuntime:
    """Imports handlers once (a cold start per handler) and calls them on the caller's thread."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self._serial: dict[str, threading.Lock | None] = {}  # per handler path: one at a time?
        self._lock = threading.Lock()
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def handler_for(self, handler_path: str) -> Handler:
        with self._lock:
            handler = self._handlers.get(handler_path)
            if handler is None:
                module_name, _, attribute = handler_path.rpartition(".")
                handler = getattr(importlib.import_module(module_name), attribute)
                self._handlers[handler_path] = handler
            return handler

    def forget_handlers(self) -> None:
        with self._lock:
            self._handlers.clear()
            self._serial.clear()

    def _serial_lock(self, handler_path: str, handler: Handler) -> threading.Lock | None:
        """A lock for handlers that keep the current request in module state (event resolvers)."""
        with self._lock:
            if handler_path not in self._serial:
                module = sys.modules.get(getattr(handler, "__module__", "") or "")
                self._serial[handler_path] = threading.Lock() if _keeps_request_state(module) else None
            return self._serial[handler_path]

    def invoke(self, spec: FunctionSpec, event: Any, *, wait_for_slot: bool = False) -> Invocation:
        request_id = str(uuid.uuid4())
        slot = self._slot(spec)
        if slot is not None and not slot.acquire(blocking=wait_for_slot):
            LOG.info("function %s throttled at its reserved concurrency %s", spec.name, spec.reserved_concurrency)
            return Invocation(None, _throttle_error(request_id), request_id, throttled=True)
        with self._in_flight_lock:
            self._in_flight += 1
        started = time.monotonic()
        try:
            try:
                handler = self.handler_for(spec.handler)
            except Exception as exc:  # an import error is Lambda's Runtime.ImportModuleError
                return Invocation(None, _error(exc, request_id, "Runtime.ImportModuleError"), request_id)
            serial = self._serial_lock(spec.handler, handler)
            running = CURRENT_FUNCTION.set(spec.name)  # local/key_audit.py attributes its AWS calls
            try:
                if serial is None:
                    result = handler(event, LambdaContext(spec, request_id))
                else:
                    with serial:
                        result = handler(event, LambdaContext(spec, request_id))
            except Exception as exc:
                LOG.debug("function %s raised %s", spec.name, type(exc).__name__)
                return Invocation(None, _error(exc, request_id), request_id)
            finally:
                CURRENT_FUNCTION.reset(running)
            try:
                json.dumps(result)
            except (TypeError, ValueError) as exc:
                return Invocation(None, _marshal_error(exc, request_id), request_id)
            return Invocation(result, None, request_id)
        finally:
            _forget_unflushed_metrics()
            elapsed = time.monotonic() - started
            if elapsed > spec.timeout_s:
                # Lambda would have stopped it; here it ran to the end, so only say so.
                LOG.warning("function %s ran %.2f s, over its %.0f s timeout", spec.name, elapsed, spec.timeout_s)
            with self._in_flight_lock:
                self._in_flight -= 1
            if slot is not None:
                slot.release()

    def _slot(self, spec: FunctionSpec) -> threading.BoundedSemaphore | None:
        if spec.reserved_concurrency is None:
            return None
        with self._lock:
            if spec.name not in self._slots:
                self._slots[spec.name] = threading.BoundedSemaphore(spec.reserved_concurrency)
            return self._slots[spec.name]


def _error(exc: BaseException, request_id: str, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def _keeps_request_state(module: Any) -> bool:
    if module is None:
        return False
    try:
        from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
    except ImportError:  # pragma: no cover - Powertools is a runtime dependency
        return False
    return any(isinstance(value, ApiGatewayResolver) for value in vars(module).values())


def _throttle_error(request_id: str) -> dict[str, Any]:
    return {
        "errorMessage": "Rate Exceeded.",
        "errorType": "TooManyRequestsException",
        "requestId": request_id,
        "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
    }


def _marshal_error(exc: BaseException, request_id: str) -> dict[str, Any]:
    return {
        "errorMessage": f"Unable to marshal response: {exc}",
        "errorType": "Runtime.MarshalError",
        "requestId": request_id,
        "stackTrace": [],
    }


def _forget_unflushed_metrics() -> None:
    """With POWERTOOLS_METRICS_DISABLED (quiet local runs) `log_metrics` never flushes, so nothing
    clears the metric set Powertools shares between invocations: dimensions would pile up across
    invocations (and warn when a value changes). Lambda starts each invocation clean; so do we."""
    if not is_metrics_disabled():
        return
    from shared.observability import metrics

    metrics.clear_metrics()
