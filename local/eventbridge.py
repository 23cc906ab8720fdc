"""Delivers EventBridge events to Lambda and Step Functions targets, which moto cannot do.

moto matches the event against the rule (its own pattern matcher: prefixes, anything-but, numeric,
exists...) and hands matching events with a Lambda or state machine target to `deliver_event`
(local/moto_patches.py). Delivery is asynchronous, like EventBridge's: a Lambda target is invoked
asynchronously (two retries on error), a state machine target gets a new execution.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import boto3
from jsonpath_ng.ext import parse as jsonpath
from moto.events.utils import EventTemplateParser

from local.lambda_runtime import FunctionSpec, Invocation

LOG = logging.getLogger("local.eventbridge")

_ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice
_RETRY_DELAYS_S = (1.0, 2.0)  # Lambda waits about 1 and 2 minutes; locally seconds

FunctionLookup = Callable[[str], FunctionSpec]  # function name or ARN -> spec


class Invoker(Protocol):
    def __call__(self, spec: FunctionSpec, event: Any, *, wait_for_slot: bool = ...) -> Invocation: ...


def normalized_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as EventBridge delivers it (moto keeps epoch times and an extra field)."""
    delivered = {key: value for key, value in event.items() if key != "ingestion-time"}
    when = delivered.get("time")
    if isinstance(when, int | float):
        delivered["time"] = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return delivered


def target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """What a target receives: its constant `Input`, its `InputPath` of the event, its
    `InputTransformer` applied to the event, or the event itself."""
    if target.get("Input") is not None:
        return json.loads(target["Input"])
    if target.get("InputPath"):
        matches = jsonpath(target["InputPath"]).find(event)
        return matches[0].value if matches else None
    transformer = target.get("InputTransformer")
    if transformer:
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=cast(Any, event),
        )
    return event


class EventDispatcher:
    """Runs deliveries on a small pool and counts what is still pending (for wait_idle)."""

    def __init__(self, invoke: Invoker, function: FunctionLookup, max_workers: int = 8) -> None:
        self._invoke = invoke
        self._function = function
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="eventbridge")
        self._pending = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        # Created here, used from the pool: creating boto3 clients is not thread-safe, using them is.
        self._sfn = boto3.client("stepfunctions")

    @property
    def pending(self) -> int:
        return self._pending

    def deliver_event(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
        """The hook moto calls for a matched rule's Lambda / state machine target."""
        self.submit(target["Arn"], target_input(target, normalized_event(event)))

    def submit(self, arn: str, payload: Any) -> Future[Any]:
        with self._lock:
            self._pending += 1
        future = self._pool.submit(self.send, arn, payload)
        future.add_done_callback(self._done)
        return future

    def send(self, arn: str, payload: Any) -> Any:
        """Deliver now, on this thread: an invocation result or an execution ARN."""
        if ":states:" in arn:
            name = f"event-{uuid.uuid4().hex}"
            response = self._sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))
            return response["executionArn"]
        return self.invoke_async(self._function(arn), payload)

    def invoke_async(self, spec: FunctionSpec, payload: Any) -> Invocation:
        """Lambda's asynchronous invocation: queued while throttled, retried twice on error."""
        outcome = self._invoke(spec, payload, wait_for_slot=True)
        for delay in _RETRY_DELAYS_S[:_ASYNC_RETRIES]:
            if not outcome.errored or self._stopping.wait(delay):
                break
            outcome = self._invoke(spec, payload, wait_for_slot=True)
        if outcome.errored:
            LOG.warning(
                "asynchronous invocation of %s failed: %s",
                spec.name,
                (outcome.error or {}).get("errorType"),
            )
        return outcome

    def invoke_in_background(self, spec: FunctionSpec, payload: Any) -> None:
        """`InvocationType=Event` calls to the Lambda API."""
        with self._lock:
            self._pending += 1
        self._pool.submit(self.invoke_async, spec, payload).add_done_callback(self._done)

    def stop(self) -> None:
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1
        if not future.cancelled() and future.exception() is not None:
            LOG.warning("event delivery failed", exc_info=future.exception())
