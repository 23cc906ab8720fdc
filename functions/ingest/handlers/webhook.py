"""`POST /v1/webhooks/{source}` (and eBay's `GET` challenge): verify a vendor delivery, dedupe it,
queue it, answer 202.

The entry point only picks the collaborators (the AWS ones, built once per cold start from the
settings, or `deps` from a test) and hands the proxy event to `logic.webhook_api`, which routes,
decodes, accepts and answers. Its cold import is Powertools' logger and metrics and the standard
library: pydantic, the channel's module and boto3 load with the first webhook (`make bench` shows
both figures).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from functions.ingest.logic.ports import IngestPorts
from functions.ingest.logic.webhook_api import answer_webhook
from shared.observability import entry_point

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@entry_point(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext, deps: IngestPorts | None = None) -> dict[str, Any]:
    ports = deps or default_ports()
    register = getattr(ports.dedupe, "register_lambda_context", None)
    if register is not None:
        register(context)
    return answer_webhook(event, ports)


@lru_cache(maxsize=1)
def default_ports() -> IngestPorts:
    """The AWS adapters, from the function's settings (once per cold start)."""
    from functions.ingest.adapters.secrets import WebhookSecrets
    from functions.ingest.models.settings import IngestSettings
    from shared.adapters.best_effort_trace import BestEffortTrace
    from shared.adapters.delivery_dedupe import PowertoolsDeliveryDedupe
    from shared.adapters.queue_publisher import SqsQueuePublisher
    from shared.adapters.trace_store import DynamoTraceStore
    from shared.settings import cached

    settings = cached(IngestSettings)
    return IngestPorts(
        secrets=WebhookSecrets(
            settings.webhook_secrets_arn,
            os.environ,
            local_defaults=settings.environment_name == "local",
        ),
        dedupe=PowertoolsDeliveryDedupe(settings.idempotency_table_name),
        publisher=SqsQueuePublisher(
            {
                "orders": settings.orders_queue_url,
                "inventory": settings.inventory_queue_url,
                **({"catalog": settings.catalog_queue_url} if settings.catalog_queue_url else {}),
            },
            settings.payload_bucket_name,
        ),
        trace=BestEffortTrace(DynamoTraceStore(settings.trace_table_name)),
        webhook_base_url=settings.webhook_base_url,
    )
