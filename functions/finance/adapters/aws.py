"""The finance functions' AWS I/O besides the state table: the payload bucket and the finance queue."""

from __future__ import annotations

from typing import Any

from shared.adapters import aws


class S3Reports:
    """Reports in the payload bucket (the claim check the webhook edge uses for large bodies)."""

    def __init__(self, bucket: str, s3: Any | None = None) -> None:
        self.bucket = bucket
        self._s3 = s3

    @property
    def s3(self) -> Any:
        return self._s3 if self._s3 is not None else aws.client("s3")

    def put(self, key: str, text: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=text.encode(), ContentType="text/tab-separated-values")

    def get(self, key: str) -> str:
        return str(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8-sig"))


class SqsQueue:
    def __init__(self, queue_url: str, sqs: Any | None = None) -> None:
        self.queue_url = queue_url
        self._sqs = sqs

    @property
    def sqs(self) -> Any:
        return self._sqs if self._sqs is not None else aws.client("sqs")

    def send(self, body: str, attributes: dict[str, str]) -> str:
        answer = self.sqs.send_message(
            QueueUrl=self.queue_url,
            MessageBody=body,
            MessageAttributes={name: {"DataType": "String", "StringValue": v} for name, v in attributes.items()},
        )
        return str(answer["MessageId"])
