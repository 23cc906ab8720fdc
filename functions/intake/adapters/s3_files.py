"""The POS files bucket: read a dropped file, write its import report."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters import aws
from shared.errors import UpstreamUnavailable


class S3PosFiles:
    def __init__(self, s3: Any | None = None) -> None:
        self._s3 = s3

    @property
    def s3(self) -> Any:
        # Not kept: `aws.client` caches it, and the local stack resets that cache between boots.
        return self._s3 if self._s3 is not None else aws.client("s3")

    def read(self, bucket: str, key: str) -> tuple[bytes, str | None]:
        try:
            answer = self.s3.get_object(Bucket=bucket, Key=key)
            return answer["Body"].read(), str(answer.get("ETag", "")).strip('"') or None
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not read s3://{bucket}/{key}") from exc

    def read_report(self, bucket: str, key: str) -> dict[str, Any] | None:
        try:
            body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise UpstreamUnavailable(f"could not read s3://{bucket}/{key}") from exc
        except BotoCoreError as exc:
            raise UpstreamUnavailable(f"could not read s3://{bucket}/{key}") from exc
        value = json.loads(body)
        return value if isinstance(value, dict) else None

    def write_report(self, bucket: str, key: str, report: dict[str, Any]) -> None:
        try:
            self.s3.put_object(
                Bucket=bucket, Key=key, Body=json.dumps(report, default=str).encode(), ContentType="application/json"
            )
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not write s3://{bucket}/{key}") from exc
