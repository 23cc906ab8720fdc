"""Tiny handlers for the local stack's own tests (the real ones live under functions/)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

received: list[dict[str, Any]] = []  # every SQS record the worker saw, in order
events: list[Any] = []  # every event `record` got
_lock = threading.Lock()
_attempts: dict[str, int] = {}


class ErpThrottled(Exception):
    """Named like the domain error Step Functions retries on."""


def sqs_worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fails the records whose body says {"fail": true}; raises on {"raise": true}."""
    failures = []
    for record in event["Records"]:
        with _lock:
            received.append(record)
        body = json.loads(record["body"])
        if body.get("raise"):
            raise RuntimeError("the whole batch fails")
        if body.get("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def flaky_step(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Throttled `throttle_times` times per key, then answers."""
    key = event.get("key", "k")
    with _lock:
        _attempts[key] = _attempts.get(key, 0) + 1
        attempt = _attempts[key]
    if attempt <= int(event.get("throttle_times", 0)):
        raise ErpThrottled(f"attempt {attempt} throttled")
    return {"attempts": attempt, "remaining_ms": context.get_remaining_time_in_millis()}


def echo_api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps({"event": event, "function": context.function_name}),
    }


def record(event: Any, context: Any) -> dict[str, Any]:
    with _lock:
        events.append(event)
    return {"recorded": True}


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Holds its concurrency slot for `seconds`."""
    time.sleep(float(event.get("seconds", 0.5)))
    return {"slept": True}
