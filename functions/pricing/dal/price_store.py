"""Master data and what each channel was last told, in the state table.

| item | pk | sk |
| --- | --- | --- |
| product | `PRODUCT#<sku>` | `PRODUCT` (`version`, `record`: the ProductMaster as JSON) |
| price | `PRICE#<sku>` | `PRICE` (`version`, `record`) |
| published | `PRICE#<sku>` | `PUBLISHED#<channel>` (`amount`, `currency`, `compare_at`, `version`, `at`, `refused`) |
| dirty marker | `PRICE#DIRTY` | `SKU#<sku>` (`version`, `first_changed_at`) |

Versions: a record is written only when its `version` is newer than the one kept (a conditional
PutItem), so an older ERP update arriving late is ignored. Dirty markers coalesce like
availability's: every change adds one to the marker's `version`; the publisher deletes it only if
the version is still the one it read, so a change that lands while it publishes is published next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from botocore.exceptions import ClientError

from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.models.catalog import EffectivePrice, PriceMaster, ProductMaster

DIRTY_PK = "PRICE#DIRTY"


@dataclass(frozen=True)
class DirtySku:
    sku: str
    version: int
    first_changed_at: datetime


@dataclass(frozen=True)
class Published:
    amount: Decimal | None
    currency: str | None
    compare_at: Decimal | None
    version: int
    refused: str | None = None  # the channel refused this version (an exception was raised)

    def shows(self, price: EffectivePrice) -> bool:
        """The channel already shows `price` (or already refused this very version and amount)."""
        same = self.amount == price.amount and self.currency == price.currency and self.compare_at == price.compare_at
        return same and (self.refused is None or self.version == price.version)


class PriceStore(Protocol):
    def save_product(self, product: ProductMaster) -> bool: ...

    def save_price(self, price: PriceMaster) -> bool: ...

    def product(self, sku: str) -> ProductMaster | None: ...

    def price(self, sku: str) -> PriceMaster | None: ...

    def mark_dirty(self, skus: Iterable[str], at: datetime) -> None: ...

    def dirty(self, limit: int) -> list[DirtySku]: ...

    def clear_dirty(self, marker: DirtySku) -> bool: ...

    def published(self, sku: str) -> dict[str, Published]: ...

    def record_published(
        self, sku: str, channel: str, price: EffectivePrice, at: datetime, refused: str | None = None
    ) -> None: ...

    def forget_refusals(self, sku: str) -> int: ...


def _iso(at: datetime) -> str:
    return at.isoformat()


class DynamoPriceStore(DynamoTableAdapter):
    def _save(self, pk: str, sk: str, version: int, record: str, at: datetime) -> bool:
        try:
            self.table.put_item(
                Item={"pk": pk, "sk": sk, "version": version, "record": record, "saved_at": _iso(at)},
                ConditionExpression="attribute_not_exists(pk) OR version < :v",
                ExpressionAttributeValues={":v": version},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False  # not newer than what we keep: out of order or a redelivery
            raise
        return True

    def save_product(self, product: ProductMaster) -> bool:
        return self._save(
            f"PRODUCT#{product.sku}", "PRODUCT", product.version, product.model_dump_json(), product.updated_at
        )

    def save_price(self, price: PriceMaster) -> bool:
        return self._save(f"PRICE#{price.sku}", "PRICE", price.version, price.model_dump_json(), price.updated_at)

    def product(self, sku: str) -> ProductMaster | None:
        item = self.table.get_item(Key={"pk": f"PRODUCT#{sku}", "sk": "PRODUCT"}, ConsistentRead=True).get("Item")
        return ProductMaster.model_validate_json(item["record"]) if item else None

    def price(self, sku: str) -> PriceMaster | None:
        item = self.table.get_item(Key={"pk": f"PRICE#{sku}", "sk": "PRICE"}, ConsistentRead=True).get("Item")
        return PriceMaster.model_validate_json(item["record"]) if item else None

    def mark_dirty(self, skus: Iterable[str], at: datetime) -> None:
        for sku in sorted(set(skus)):
            self.table.update_item(
                Key={"pk": DIRTY_PK, "sk": f"SKU#{sku}"},
                UpdateExpression="ADD version :one SET first_changed_at = if_not_exists(first_changed_at, :at)",
                ExpressionAttributeValues={":one": 1, ":at": _iso(at)},
            )

    def dirty(self, limit: int) -> list[DirtySku]:
        items = self.query_items(DIRTY_PK, limit=limit)
        return [
            DirtySku(
                sku=str(item["sk"]).removeprefix("SKU#"),
                version=int(item["version"]),
                first_changed_at=datetime.fromisoformat(str(item["first_changed_at"])),
            )
            for item in items
        ]

    def clear_dirty(self, marker: DirtySku) -> bool:
        try:
            self.table.delete_item(
                Key={"pk": DIRTY_PK, "sk": f"SKU#{marker.sku}"},
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": marker.version},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False  # changed while we published: stays dirty for the next run
            raise
        return True

    def published(self, sku: str) -> dict[str, Published]:
        found: dict[str, Published] = {}
        for item in self.query_items(f"PRICE#{sku}"):
            sk = str(item["sk"])
            if not sk.startswith("PUBLISHED#"):
                continue
            found[sk.removeprefix("PUBLISHED#")] = Published(
                amount=_decimal(item.get("amount")),
                currency=item.get("currency"),
                compare_at=_decimal(item.get("compare_at")),
                version=int(item.get("version", 0)),
                refused=item.get("refused"),
            )
        return found

    def record_published(
        self, sku: str, channel: str, price: EffectivePrice, at: datetime, refused: str | None = None
    ) -> None:
        item: dict[str, Any] = {
            "pk": f"PRICE#{sku}",
            "sk": f"PUBLISHED#{channel}",
            "amount": str(price.amount),
            "currency": price.currency,
            "version": price.version,
            "at": _iso(at),
        }
        if price.compare_at is not None:
            item["compare_at"] = str(price.compare_at)
        if refused is not None:
            item["refused"] = refused[:500]
        self.table.put_item(Item=item)

    def forget_refusals(self, sku: str) -> int:
        """Drop what the channels refused for `sku` (an ops retry): the next run sends it again."""
        refused = [c for c, p in self.published(sku).items() if p.refused is not None]
        for channel in refused:
            self.table.delete_item(Key={"pk": f"PRICE#{sku}", "sk": f"PUBLISHED#{channel}"})
        return len(refused)


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))
