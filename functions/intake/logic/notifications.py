"""S3 event notifications (as delivered through SQS) -> the objects to import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True, slots=True)
class CreatedObject:
    bucket: str
    key: str


def created_objects(body: str) -> list[CreatedObject]:
    """The ``ObjectCreated:*`` records of one S3 notification; S3's ``s3:TestEvent`` (sent when the
    notification is configured) and other events yield nothing. Keys arrive URL-encoded."""
    message: Any = json.loads(body)
    if not isinstance(message, dict) or message.get("Event") == "s3:TestEvent":
        return []
    objects = []
    for record in message.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = record.get("s3") or {}
        bucket = (s3.get("bucket") or {}).get("name")
        key = (s3.get("object") or {}).get("key")
        if bucket and key:
            objects.append(CreatedObject(bucket=bucket, key=unquote_plus(key)))
    return objects
