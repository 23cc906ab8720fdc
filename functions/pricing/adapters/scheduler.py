"""Promotions on time: one EventBridge Scheduler one-time schedule per price boundary.

`CreateSchedule` with `ScheduleExpression` `at(yyyy-mm-ddThh:mm:ss)` (UTC), `FlexibleTimeWindow`
`OFF` (it fires at that minute), `ActionAfterCompletion` `DELETE` (it removes itself once fired) and
a Lambda target (the price publisher, with `RoleArn` the scheduler may assume to invoke it) whose
`Input` names the SKU. The schedule's name is made from the SKU, the price version and the instant,
so the same price seen twice creates nothing twice (`ConflictException` is "already there").
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time,
https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from shared.adapters import aws


def schedule_name(sku: str, version: int, at: datetime) -> str:
    """At most 64 characters of `[0-9a-zA-Z-_.]`: a readable prefix and a digest of the rest."""
    digest = hashlib.sha256(f"{sku}|{version}|{at.isoformat()}".encode()).hexdigest()[:16]
    readable = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in sku)[:32]
    return f"price-{readable}-{digest}"


class SchedulerBoundaries:
    def __init__(self, target_arn: str, role_arn: str, group: str = "default", client: Any | None = None) -> None:
        self.target_arn = target_arn
        self.role_arn = role_arn
        self.group = group
        self._client = client

    @property
    def client(self) -> Any:
        return self._client if self._client is not None else aws.client("scheduler")

    def at(self, when: datetime, sku: str, version: int) -> bool:
        """A one-time schedule publishing `sku` at `when`; False if it already exists."""
        moment = when.astimezone(UTC).replace(tzinfo=None, microsecond=0)
        try:
            self.client.create_schedule(
                Name=schedule_name(sku, version, when),
                GroupName=self.group,
                ScheduleExpression=f"at({moment.isoformat()})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self.target_arn,
                    "RoleArn": self.role_arn,
                    "Input": json.dumps({"price_boundary": {"sku": sku, "version": version, "at": when.isoformat()}}),
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConflictException":
                return False
            raise
        return True
