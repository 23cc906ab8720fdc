"""One Logger / Metrics / Tracer setup for every function.

`tracer` is created on first import of the name (PEP 562 module `__getattr__`): the X-Ray SDK it
pulls in costs about 150 ms of cold start (importing it builds a botocore X-Ray client for its
sampler), the whole of issue 7's 150 ms budget, so no function uses it. Lambda's active tracing
(on for every function, `infra/shared/function_factory.py`) still records each invocation's
segment, and the correlation-id trace table records every hop; what is lost is the SDK's
per-call subsegments. A function that needs them for a while can import `tracer` again.
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
