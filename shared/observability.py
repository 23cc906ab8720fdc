"""One Logger / Metrics / Tracer setup for every function.

`tracer` is created on first import of the name (PEP 562 module `__getattr__`): the X-Ray SDK it
pulls in costs about 150 ms of cold start (importing it builds a botocore X-Ray client for its
sampler), the whole of issue 7's 150 ms budget, so no function uses it. Lambda's active tracing
(on for every function, `infra/shared/function_factory.py`) still records each invocation's
segment, and the correlation-id trace table records every hop; what is lost is the SDK's
per-call subsegments. A function that needs them for a while can import `tracer` again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE = "RetailSync"

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)
_tracer: Tracer | None = None

Handler = Callable[..., Any]


@overload
def entry_point(handler: Handler) -> Handler: ...


@overload
def entry_point(
    handler: None = None, *, correlation_id_path: str | None = None, clear_state: bool = False
) -> Callable[[Handler], Handler]: ...


def entry_point(
    handler: Handler | None = None, *, correlation_id_path: str | None = None, clear_state: bool = False
) -> Handler | Callable[[Handler], Handler]:
    """What every Lambda entry point is wrapped in: the invocation's context on each log line (request
    id, function, cold start, and the correlation id read at `correlation_id_path`: Powertools
    `inject_lambda_context`) and its metrics flushed as EMF when it returns (`log_metrics`), in that
    order. `@entry_point`, or `@entry_point(correlation_id_path=..., clear_state=...)`. Lambda passes
    its own context object; the tests pass a stand-in, so the wrapped handler takes any."""

    def wrap(function: Handler) -> Handler:
        with_metrics = metrics.log_metrics(function)
        return logger.inject_lambda_context(
            with_metrics, correlation_id_path=correlation_id_path, clear_state=clear_state
        )

    return wrap(handler) if handler is not None else wrap


def __getattr__(name: str) -> Any:
    if name == "tracer":
        global _tracer
        if _tracer is None:
            from aws_lambda_powertools import Tracer

            _tracer = Tracer()
        return _tracer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
