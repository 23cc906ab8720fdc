"""SQS publisher: one SendMessage to the domain's queue, with an S3 claim check for large envelopes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters import aws
from shared.errors import UpstreamUnavailable
from shared.models import Envelope

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

# SQS takes 256 KiB per message; past 240 KiB the payload goes to S3 (docs/wiring.md, Queues).
CLAIM_CHECK_THRESHOLD_BYTES = 240 * 1024


def claim_check_key(envelope: Envelope) -> str:
    return f"payloads/{envelope.source}/{envelope.event_id}.json"


class SqsQueuePublisher:
    sqs: aws.LazyClient[SQSClient] = aws.LazyClient("sqs")
    s3: aws.LazyClient[Any] = aws.LazyClient("s3")

    def __init__(
        self,
        queue_urls: Mapping[str, str],
        bucket: str,
        sqs: SQSClient | None = None,
        s3: Any | None = None,
        threshold_bytes: int = CLAIM_CHECK_THRESHOLD_BYTES,
    ) -> None:
        self._queue_urls = dict(queue_urls)
        self._bucket = bucket
        self._sqs = sqs
        self._s3 = s3
        self._threshold = threshold_bytes

    def publish(self, envelope: Envelope, raw_body: bytes) -> None:
        """Send the envelope to its domain's queue; UpstreamUnavailable if SQS or S3 refuse."""
        queue_url = self._queue_urls.get(envelope.domain)
        if not queue_url:  # a deployment without that domain's queue: the sender retries later
            raise UpstreamUnavailable(f"no queue is configured for {envelope.domain} events")
        message = envelope.model_dump_json()
        try:
            if len(message.encode("utf-8")) > self._threshold:
                key = claim_check_key(envelope)
                # The vendor's bytes, exactly as received: workers parse them into `payload`.
                self.s3.put_object(Bucket=self._bucket, Key=key, Body=raw_body, ContentType="application/json")
                message = envelope.model_copy(
                    update={"payload": None, "payload_ref": f"s3://{self._bucket}/{key}"}
                ).model_dump_json()
            self.sqs.send_message(
                QueueUrl=queue_url,
                MessageBody=message,
                MessageAttributes={
                    "correlation_id": {"DataType": "String", "StringValue": envelope.correlation_id},
                    "source": {"DataType": "String", "StringValue": envelope.source},
                    "event_type": {"DataType": "String", "StringValue": envelope.event_type},
                },
            )
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable("could not queue the delivery; retry later") from exc
