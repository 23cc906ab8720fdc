"""Finance queue consumer: each message is a payout to settle (logic/intake.py); partial batch responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from functions.finance.handlers._deps import default_settler
from functions.finance.settings import FinanceSettings
from shared.observability import entry_point, logger
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.finance.logic.settle import Settler

# The batch utilities, the models and the matching load with the first message, not at import
# (about 250 ms of a cold start: issue 7's budget is 150 ms for the import).
RETRY_OF = "retail_sync_exception_id"  # shared.adapters.exception_store.RETRY_OF, without importing botocore


def _read_report(key: str) -> str:
    from functions.finance.adapters.aws import S3Reports

    bucket = cached(FinanceSettings).payload_bucket_name
    if not bucket:
        raise RuntimeError("a report by reference needs PAYLOAD_BUCKET_NAME")
    return S3Reports(bucket).get(key)


@entry_point
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    settler: Settler | None = None,
    read_report: Callable[[str], str] | None = None,
) -> PartialItemFailureResponse:
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from functions.finance.logic.intake import payout_of

    settle = settler or default_settler()
    read = read_report or _read_report

    def one(record: SQSRecord) -> None:
        attribute = (record.raw_event.get("messageAttributes") or {}).get(RETRY_OF) or {}
        retry_of = attribute.get("stringValue")
        payout = payout_of(record.body, settle.store, read)
        recon = settle.settle(payout, retry_of=retry_of)
        logger.info(
            "payout settled",
            channel=recon.channel,
            payout_id=recon.payout_id,
            variances=len(recon.variances),
            posted=recon.posted,
        )

    return process_partial_response(event, one, BatchProcessor(EventType.SQS), context)
