"""Limits the functions enforce at run time (the infra reads them from here, never the other way:
code under `shared/` and `functions/` is the Lambda asset and cannot import `infra`)."""

from __future__ import annotations

# An accepted delivery is enqueued whole on SQS, whose messages are at most 256 KiB.
WEBHOOK_MAX_BODY_BYTES = 256 * 1024
