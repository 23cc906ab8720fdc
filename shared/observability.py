"""One Logger / Metrics / Tracer setup for every function.

`tracer` is created on first import of the name (PEP 562 module `__getattr__`): the X-Ray SDK it
pulls in costs about 150 ms of cold start (importing it builds a botocore X-Ray client for its
sampler), the whole of issue 7's 150 ms budget, so no function uses it. Lambda's active tracing
(on for every function, `infra/shared/function_factory.py`) still records each invocation's
segment, and the correlation-id trace table records every hop; what is lost is the SDK's
per-call subsegments. A function that needs them for a while can import `tracer` again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol, overload

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
    its own context object; the tests pass a stand-in, so the wrapped handler takes any.

    Inside, the invocation's trace hops are written once per correlation id when it ends
    (`trace_batch`), whether it returns or raises."""

    def wrap(function: Handler) -> Handler:
        @functools.wraps(function)
        def with_trace_batch(*args: Any, **kwargs: Any) -> Any:
            with trace_batch():
                return function(*args, **kwargs)

        with_metrics = metrics.log_metrics(with_trace_batch)
        return logger.inject_lambda_context(
            with_metrics, correlation_id_path=correlation_id_path, clear_state=clear_state
        )

    return wrap(handler) if handler is not None else wrap


class TraceEntryWriter(Protocol):
    def write_entries(self, correlation_id: str, entries: list[dict[str, Any]]) -> None: ...


class TraceBatch:
    """The trace hops one invocation records, held until it ends and then written per store and
    correlation id: an orders-worker delivery's two hops (`normalized`, `flow_started`) become one
    trace item (one write unit) instead of two (issue 13: "batch trace writes per invocation"). Each
    entry keeps its own time, so the trace still reads hop by hop in order."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str], tuple[TraceEntryWriter, list[dict[str, Any]]]] = {}

    def add(self, writer: TraceEntryWriter, correlation_id: str, entry: dict[str, Any]) -> None:
        self._pending.setdefault((id(writer), correlation_id), (writer, []))[1].append(entry)

    def flush(self) -> None:
        """Write every held entry. The trace is observability, not the work: a write that fails is
        logged with the hops it lost (and counted) and the others are still written; it never turns
        a finished invocation into a failed one that SQS or Step Functions would run again."""
        pending, self._pending = self._pending, {}
        for (_, correlation_id), (writer, entries) in pending.items():
            try:
                writer.write_entries(correlation_id, entries)
            except Exception:
                logger.warning(
                    "trace entries not written",
                    correlation_id=correlation_id,
                    hops=[f"{e['hop']}:{e['status']}" for e in entries],
                    exc_info=True,
                )
                metrics.add_metric(name="TraceEntriesNotWritten", unit="Count", value=len(entries))


_trace_batch: ContextVar[TraceBatch | None] = ContextVar("trace_batch", default=None)


def current_trace_batch() -> TraceBatch | None:
    """The batch of the invocation running now, or None outside an entry point (a script, a test
    calling the logic directly): the trace store then writes each hop at once."""
    return _trace_batch.get()


@contextmanager
def trace_batch() -> Iterator[TraceBatch]:
    """Hold the trace hops recorded inside, and write them when it ends (also when it raises). A
    nested one (the local stack running a Lambda inside another's call) holds its own."""
    batch = TraceBatch()
    token = _trace_batch.set(batch)
    try:
        yield batch
    finally:
        _trace_batch.reset(token)
        batch.flush()


def __getattr__(name: str) -> Any:
    if name == "tracer":
        global _tracer
        if _tracer is None:
            from aws_lambda_powertools import Tracer

            _tracer = Tracer()
        return _tracer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
