"""Amazon settlement reports poller (EventBridge schedule): new reports to the payload bucket and the finance queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.finance.settings import FinanceSettings
from shared.observability import logger, metrics
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.finance.logic.poll import ReportSink, ReportSource


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    source: ReportSource | None = None,
    sink: ReportSink | None = None,
) -> dict[str, Any]:
    # Imported here: httpx (SP-API), boto3 (the stores) load with the first poll, not at import.
    from functions.finance.adapters.aws import S3Reports, SqsQueue
    from functions.finance.handlers._deps import default_store
    from functions.finance.logic.poll import poll_amazon_settlements
    from shared.channels.clients.sp_api import SpApiClient

    settings = cached(FinanceSettings)
    if not settings.finance_queue_url or not settings.payload_bucket_name:
        raise RuntimeError("polling settlements needs FINANCE_QUEUE_URL and PAYLOAD_BUCKET_NAME")
    result = poll_amazon_settlements(
        source or SpApiClient.from_env(),
        default_store(),
        sink or S3Reports(settings.payload_bucket_name),
        SqsQueue(settings.finance_queue_url),
    )
    logger.info("settlement reports polled", since=result.since.isoformat(), queued=len(result.queued))
    return {"queued": result.queued, "watermark": result.watermark.isoformat()}
