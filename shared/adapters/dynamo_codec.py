"""DynamoDB attribute values <-> plain Python values, one codec for every adapter (and the
conditional put every transaction builds with it).

Numbers come back from DynamoDB as Decimal: integers become int, anything else a string (never a
float: amounts stay exact). The boto3 serializers are loaded on first use, not at import:
`boto3.dynamodb.types` imports all of boto3 (about 100 ms of cold start).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer


@cache
def codec() -> tuple[TypeSerializer, TypeDeserializer]:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value, "f")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [plain(v) for v in value]
    return value


def to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: codec()[0].serialize(value) for key, value in item.items()}


def from_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: plain(codec()[1].deserialize(value)) for key, value in item.items()}


def put_if_absent(table_name: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """The TransactWriteItems entry putting `item`, refused when an item with its key is there."""
    return {
        "Put": {"TableName": table_name, "Item": to_dynamo(item), "ConditionExpression": "attribute_not_exists(pk)"}
    }
