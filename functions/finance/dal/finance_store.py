"""Finance in the state table: payouts, their postings and settlements, settlement runs; our orders read.

| item | pk | sk |
| --- | --- | --- |
| payout (canonical document, gzipped JSON) | `PAYOUT#<channel>` | `<payout_id>` |
| posting (the journal's ERP id) | `POSTING#<external id>` | `POSTING` (put once: `attribute_not_exists`) |
| payout settlement | `SETTLEMENT#<channel>#<payout_id>` | `PAYOUT` |
| order settlement (margin per order) | `SETTLEMENT#<channel>#<payout_id>` | `ORDER#<channel_order_id>` |
| settlement run | `RECON#settlement` | `RUN#<run_id>` (the reconciliation runs' layout: ops lists them) |
| poll watermark | `POLLER#settlement-<channel>` | `WATERMARK` (ISO time, only forwards) |

Orders are read where the order tasks write them (`ORDER#<channel>#<channel_order_id>` / `ORDER`,
docs/wiring.md "State table items"; its `order` attribute is the canonical Order), by key: finance
does not import the orders domain.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from shared.adapters.dynamo_codec import from_dynamo, to_dynamo
from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.models.orders import Order
from shared.models.settlement import OrderSettlement, Payout, PayoutReconciliation

if TYPE_CHECKING:
    from functions.finance.models.runs import SettlementRun


def _payout(item: Mapping[str, Any]) -> Payout:
    raw = item["document_gz"]
    return Payout.model_validate_json(gzip.decompress(bytes(getattr(raw, "value", raw))))


def order_key(channel: str, channel_order_id: str) -> dict[str, str]:
    return {"pk": f"ORDER#{channel}#{channel_order_id}", "sk": "ORDER"}


def payout_key(channel: str, payout_id: str) -> dict[str, str]:
    return {"pk": f"PAYOUT#{channel}", "sk": payout_id}


def run_key(run_id: str) -> dict[str, str]:
    return {"pk": "RECON#settlement", "sk": f"RUN#{run_id}"}


class DynamoFinanceStore(DynamoTableAdapter):
    # Orders ----------------------------------------------------------------------------------------

    def orders(self, channel: str, channel_order_ids: Sequence[str]) -> dict[str, Order | None]:
        """Our canonical orders by channel order id (None: unknown, or a tombstone with no order)."""
        found: dict[str, Order | None] = dict.fromkeys(channel_order_ids)
        keys = [order_key(channel, coid) for coid in sorted(set(channel_order_ids))]
        for item in self.batch_get_items(keys):
            try:
                found[str(item["channel_order_id"])] = (
                    Order.model_validate(item["order"]) if item.get("order") else None
                )
            except (KeyError, ValidationError):
                continue
        return found

    # Payouts ---------------------------------------------------------------------------------------

    def save_payout(self, payout: Payout) -> None:
        # Gzipped: a settlement of 1,000 lines is about 350 KB of JSON (DynamoDB's item limit is 400 KB),
        # about 25 KB gzipped, so a payout of some 10,000 lines still fits one item.
        document = gzip.compress(payout.model_dump_json().encode(), mtime=0)
        item = {**payout_key(payout.channel, payout.payout_id), "document_gz": document}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))

    def get_payout(self, channel: str, payout_id: str) -> Payout | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo(payout_key(channel, payout_id)), ConsistentRead=True
        ).get("Item")
        return _payout(from_dynamo(item)) if item else None

    def list_payouts(self, channel: str, limit: int = 100) -> list[Payout]:
        page = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_dynamo({":pk": f"PAYOUT#{channel}"}),
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
        )
        return [_payout(from_dynamo(item)) for item in page.get("Items", [])]

    # Postings --------------------------------------------------------------------------------------

    def posting(self, external_id: str) -> str | None:
        item = self.client.get_item(
            TableName=self.table_name,
            Key=to_dynamo({"pk": f"POSTING#{external_id}", "sk": "POSTING"}),
            ConsistentRead=True,
        ).get("Item")
        return str(from_dynamo(item)["erp_id"]) if item else None

    def mark_posted(self, external_id: str, erp_id: str, at: datetime) -> None:
        # The first posting recorded stays: a second one for the same journal changes nothing.
        self.put_once({"pk": f"POSTING#{external_id}", "sk": "POSTING", "erp_id": erp_id, "posted_at": at.isoformat()})

    # Settlements -----------------------------------------------------------------------------------

    def save_settlement(self, reconciliation: PayoutReconciliation, orders: Sequence[OrderSettlement]) -> None:
        pk = f"SETTLEMENT#{reconciliation.channel}#{reconciliation.payout_id}"
        items = [{"pk": pk, "sk": "PAYOUT", "document": reconciliation.model_dump_json()}]
        items += [
            {"pk": pk, "sk": f"ORDER#{order.channel_order_id}", "document": order.model_dump_json()} for order in orders
        ]
        for start in range(0, len(items), 25):
            request: dict[str, Any] = {
                self.table_name: [{"PutRequest": {"Item": to_dynamo(item)}} for item in items[start : start + 25]]
            }
            while request:
                response = self.client.batch_write_item(RequestItems=request)
                request = dict(response.get("UnprocessedItems") or {})

    def order_settlements(self, channel: str, payout_id: str) -> list[OrderSettlement]:
        page = self.client.query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :order)",
            ExpressionAttributeValues=to_dynamo({":pk": f"SETTLEMENT#{channel}#{payout_id}", ":order": "ORDER#"}),
            ConsistentRead=True,
        )
        return [OrderSettlement.model_validate_json(str(from_dynamo(i)["document"])) for i in page.get("Items", [])]

    # Poll watermarks ------------------------------------------------------------------------------

    def load(self, poller: str) -> datetime | None:
        item = self.client.get_item(
            TableName=self.table_name, Key=to_dynamo({"pk": f"POLLER#{poller}", "sk": "WATERMARK"}), ConsistentRead=True
        ).get("Item")
        return datetime.fromisoformat(str(from_dynamo(item)["watermark"])) if item else None

    def advance(self, poller: str, watermark: datetime) -> None:
        """Never backwards: a slower run finishing later keeps the later mark."""
        item = {"pk": f"POLLER#{poller}", "sk": "WATERMARK", "watermark": watermark.isoformat()}
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(pk) OR watermark < :w",
                ExpressionAttributeValues=to_dynamo({":w": watermark.isoformat()}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    # Runs ------------------------------------------------------------------------------------------

    def save_run(self, run: SettlementRun) -> None:
        item = {**run_key(run.run_id), "run_id": run.run_id, "status": run.status, "document": run.model_dump_json()}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo(item))
