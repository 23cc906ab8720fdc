"""Claim check: an oversized delivery's body waits in S3 and the envelope carries `payload_ref`.

Used by both queue workers (orders and inventory); a candidate for shared/adapters.
"""

from __future__ import annotations

import json
from typing import Any, Protocol
from urllib.parse import urlparse

from botocore.exceptions import ClientError

from shared.adapters.aws import LazyClient
from shared.errors import PoisonMessage
from shared.models import Envelope


class PayloadResolver(Protocol):
    def resolve(self, envelope: Envelope) -> Envelope: ...


class S3PayloadStore:
    client: LazyClient[Any] = LazyClient("s3")

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def resolve(self, envelope: Envelope) -> Envelope:
        """The envelope with its payload in place (fetched from `payload_ref` when it was claim-checked)."""
        if envelope.payload is not None or not envelope.payload_ref:
            return envelope
        location = urlparse(envelope.payload_ref)
        if location.scheme != "s3" or not location.netloc or not location.path.strip("/"):
            raise PoisonMessage(f"payload_ref is not an s3://bucket/key URI: {envelope.payload_ref}")
        try:
            body = self.client.get_object(Bucket=location.netloc, Key=location.path.lstrip("/"))["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"NoSuchKey", "NoSuchBucket"}:
                raise PoisonMessage(f"claim-checked payload is gone: {envelope.payload_ref}") from exc
            raise
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise PoisonMessage(f"claim-checked payload is not JSON: {envelope.payload_ref}") from exc
        if not isinstance(payload, dict):
            raise PoisonMessage(f"claim-checked payload is not a JSON object: {envelope.payload_ref}")
        return envelope.model_copy(update={"payload": payload})
