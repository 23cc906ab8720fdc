"""POS files queue consumer: each S3 ObjectCreated notification -> import that nightly file.

Partial batch responses: a file that cannot be read or queued now fails alone and is retried
(then the DLQ, kept first as a `dead_letter` exception); a rejected file is not a failure
(retrying cannot fix it; its report says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.intake.adapters.s3_files import S3PosFiles
from functions.intake.logic.import_file import import_pos_file
from functions.intake.logic.notifications import created_objects
from functions.intake.settings import PosFilesSettings
from shared.adapters.dead_letters import default_letters, process_sqs_batch
from shared.adapters.intake_runtime import intake_for
from shared.models import utc_now
from shared.observability import entry_point, metrics
from shared.settings import cached

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

QUEUE = "pos-files"  # its short name in the ops API (POST /v1/ops/dlq/pos-files/redrive)
_files = S3PosFiles()


def import_record(record: SQSRecord, context: LambdaContext | None = None) -> list[dict[str, Any]]:
    settings = cached(PosFilesSettings)
    reports = []
    for created in created_objects(record.body):
        report = import_pos_file(
            created.bucket,
            created.key,
            files=_files,
            intake=intake_for(settings, context),
            time_zones=settings.pos_store_time_zones,
            default_time_zone=None,  # a store without a configured zone gets its file rejected
            now=utc_now(),
            delivery=record.message_id,
        )
        metrics.add_metric(
            name="PosFileImported" if report["status"] == "imported" else "PosFileRejected",
            unit=MetricUnit.Count,
            value=1,
        )
        reports.append(report)
    return reports


@entry_point(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_sqs_batch(event, lambda record: import_record(record, context), default_letters(QUEUE), context)
