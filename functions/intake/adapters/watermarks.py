"""Poll watermarks in the state table: pk ``POLLER#<name>``, sk ``WATERMARK``."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from functions.intake.logic.watermark import format_watermark, parse_watermark
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.errors import UpstreamUnavailable

SORT_KEY = "WATERMARK"


def watermark_key(poller: str) -> dict[str, str]:
    return {"pk": f"POLLER#{poller}", "sk": SORT_KEY}


class DynamoWatermarkStore(DynamoTableAdapter):
    """Uses the resource ``table`` (plain values); tests inject it with ``table=``."""

    def load(self, poller: str) -> datetime | None:
        try:
            item = self.table.get_item(Key=watermark_key(poller), ConsistentRead=True).get("Item")
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not read the {poller} watermark") from exc
        return parse_watermark(str(item["watermark"])) if item else None

    def advance(self, poller: str, watermark: datetime, report: dict[str, object]) -> bool:
        value = format_watermark(watermark)
        try:
            self.table.put_item(
                Item={
                    **watermark_key(poller),
                    "poller": poller,
                    "watermark": value,
                    "updated_at": format_watermark(datetime.now(UTC)),
                    "last_run": {k: v for k, v in report.items() if isinstance(v, str | int | bool | dict)},
                },
                # Never backwards: a slow run finishing after a faster later one keeps the later mark.
                ConditionExpression="attribute_not_exists(pk) OR watermark < :w",
                ExpressionAttributeValues={":w": value},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise UpstreamUnavailable(f"could not store the {poller} watermark") from exc
        except BotoCoreError as exc:
            raise UpstreamUnavailable(f"could not store the {poller} watermark") from exc
        return True
