"""Call markers in the state table: one item per (channel, order, call), the exactly-once record of a
call to an outside system that has no idempotency key of its own.

Item: pk `<prefix>#<channel>#<channel_order_id>`, sk the call (the channel outbound worker's
`OUTBOUND` prefix: `ACKNOWLEDGE` or `SHIPMENT#<shipment_id>`; the customer-service connector's
`CSEVENT` prefix: one per status pushed),
`status` (`CLAIMED` while the call is being made, `SENT` once the channel took it), `lease_until`
(epoch seconds: a claim left by a crashed worker can be taken over after it), `correlation_id`,
`reference` (the channel's id for what was created), `sent_at`, `expires_at` (TTL, 180 days).
A claim is a conditional put, so two deliveries of the same event never both call the channel.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.dynamo_table import DynamoTableAdapter

MARKER_TTL_SECONDS = 180 * 24 * 3600
LEASE_SECONDS = 120  # longer than one worker invocation (timeout 30 s)


class Claim(StrEnum):
    CLAIMED = "CLAIMED"  # ours: make the call
    SENT = "SENT"  # already done: nothing to do
    BUSY = "BUSY"  # another delivery holds it right now: retry later


OUTBOUND_PREFIX = "OUTBOUND"


def marker_key(channel: str, channel_order_id: str, marker: str, prefix: str = OUTBOUND_PREFIX) -> dict[str, Any]:
    return {"pk": {"S": f"{prefix}#{channel}#{channel_order_id}"}, "sk": {"S": marker}}


class MarkerStore(Protocol):
    def claim(self, channel: str, channel_order_id: str, marker: str, correlation_id: str) -> Claim: ...

    def sent(self, channel: str, channel_order_id: str, marker: str, reference: str | None, at: str) -> None: ...

    def release(self, channel: str, channel_order_id: str, marker: str) -> None: ...


class DynamoMarkerStore(DynamoTableAdapter):
    def __init__(
        self,
        table_name: str,
        client: Any | None = None,
        clock: Callable[[], float] = time.time,
        prefix: str = OUTBOUND_PREFIX,
    ) -> None:
        super().__init__(table_name, client)
        self.clock = clock
        self.prefix = prefix

    def calls(self, channel: str, channel_order_id: str) -> list[dict[str, Any]]:
        """Every call made (or being made) to the channel for the order: `call` (the marker),
        `status`, `reference`, `sent_at` (the ops API's order view)."""
        items = self.query_items(f"{self.prefix}#{channel}#{channel_order_id}")
        return [
            {
                "call": str(item["sk"]),
                "status": str(item.get("status", "")),
                "reference": item.get("reference"),
                "sent_at": item.get("sent_at"),
            }
            for item in items
        ]

    def claim(self, channel: str, channel_order_id: str, marker: str, correlation_id: str) -> Claim:
        now = int(self.clock())
        key = marker_key(channel, channel_order_id, marker, self.prefix)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **key,
                    "status": {"S": Claim.CLAIMED.value},
                    "lease_until": {"N": str(now + LEASE_SECONDS)},
                    "correlation_id": {"S": correlation_id},
                    "expires_at": {"N": str(now + MARKER_TTL_SECONDS)},
                },
                ConditionExpression="attribute_not_exists(pk) OR (#s = :claimed AND lease_until < :now)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":claimed": {"S": Claim.CLAIMED.value}, ":now": {"N": str(now)}},
            )
            return Claim.CLAIMED
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
        item = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item") or {}
        return Claim.SENT if item.get("status", {}).get("S") == Claim.SENT.value else Claim.BUSY

    def sent(self, channel: str, channel_order_id: str, marker: str, reference: str | None, at: str) -> None:
        values: dict[str, Any] = {":sent": {"S": Claim.SENT.value}, ":at": {"S": at}}
        expression = "SET #s = :sent, sent_at = :at REMOVE lease_until"
        if reference:
            values[":ref"] = {"S": reference}
            expression = "SET #s = :sent, sent_at = :at, #r = :ref REMOVE lease_until"
        self.client.update_item(
            TableName=self.table_name,
            Key=marker_key(channel, channel_order_id, marker, self.prefix),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#s": "status", "#r": "reference"} if reference else {"#s": "status"},
            ExpressionAttributeValues=values,
        )

    def release(self, channel: str, channel_order_id: str, marker: str) -> None:
        """Drop our claim (the call failed): the retry, or a redrive from the DLQ, claims it again."""
        try:
            self.client.delete_item(
                TableName=self.table_name,
                Key=marker_key(channel, channel_order_id, marker, self.prefix),
                ConditionExpression="#s = :claimed",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":claimed": {"S": Claim.CLAIMED.value}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
