"""One Logger / Metrics / Tracer setup for every function.

`tracer` is created on first import of the name (PEP 562 module `__getattr__`): the X-Ray SDK it
pulls in costs about 150 ms of cold start, so only functions that trace pay for it. The ingest
function does not (its latency budget is the webhook answer; Lambda's active tracing still records
its segment, and the correlation-id trace table records every hop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

NAMESPACE = "RetailSync"

logger = Logger()
metrics = Metrics(namespace=NAMESPACE)
_tracer: Tracer | None = None


def __getattr__(name: str) -> Any:
    if name == "tracer":
        global _tracer
        if _tracer is None:
            from aws_lambda_powertools import Tracer

            _tracer = Tracer()
        return _tracer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
