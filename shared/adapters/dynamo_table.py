"""Base of the DynamoDB adapters: one table, its low-level client or its resource ``Table``,
each created on first use, and the reads every adapter pages the same way (any Query or Scan, a
partition, a batch of keys)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, Literal

from shared.adapters.aws import LazyClient, dynamodb_table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


BATCH_GET_LIMIT = 100  # keys per BatchGetItem


class DynamoTableAdapter:
    """Holds the table name and the client or resource ``Table`` (injected by tests, else the
    process-wide cached one). Adapters use one of the two: ``client`` (typed attribute values) or
    ``table`` (plain Python values)."""

    client: LazyClient[DynamoDBClient] = LazyClient("dynamodb")

    def __init__(self, table_name: str, client: DynamoDBClient | None = None, table: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client
        self._table = table

    @property
    def table(self) -> Any:
        if self._table is None:
            self._table = dynamodb_table(self.table_name)
        return self._table

    def put_once(self, item: Mapping[str, Any]) -> bool:
        """Put `item` unless an item with its key is there; False (nothing written) when one was."""
        from botocore.exceptions import ClientError

        from shared.adapters.dynamo_codec import to_dynamo

        try:
            self.client.put_item(
                TableName=self.table_name, Item=to_dynamo(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def page_through(self, operation: Literal["query", "scan"], request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The items a Query or Scan (`request`, without the table name) answers, as DynamoDB gives
        them, every page: the next page is read only once the items before it are used up."""
        kwargs: dict[str, Any] = {"TableName": self.table_name, **request}
        read = self.client.query if operation == "query" else self.client.scan
        while True:
            page = read(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def query_items(self, pk: str, *, consistent: bool = True, limit: int | None = None) -> list[dict[str, Any]]:
        """Every item of one partition (`pk`), all pages, as plain values (shared/adapters/dynamo_codec.py);
        with `limit`, the first `limit` items only (pages stop there)."""
        from shared.adapters.dynamo_codec import from_dynamo, to_dynamo

        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_dynamo({":pk": pk}),
            "ConsistentRead": consistent,
            **({"Limit": limit} if limit is not None else {}),
        }
        return [from_dynamo(raw) for raw in islice(self.page_through("query", request), limit)]

    def newest_first(self, pk: str, limit: int, equal: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """At most `limit` items of one partition, highest sort key (newest) first, as DynamoDB gives
        them; with `equal`, only those whose attributes hold those values. A filter applies after
        DynamoDB's own Limit (a filtered page may hold none), so then the pages go on until `limit`
        matched instead."""
        from shared.adapters.dynamo_codec import to_dynamo

        equal = equal or {}
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": to_dynamo({":pk": pk, **{f":{name}": v for name, v in equal.items()}}),
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if equal:
            request["FilterExpression"] = " AND ".join(f"#{name} = :{name}" for name in equal)
            request["ExpressionAttributeNames"] = {f"#{name}": name for name in equal}
        else:
            request["Limit"] = limit
        return list(islice(self.page_through("query", request), limit))

    def batch_get_items(self, keys: Sequence[Mapping[str, Any]], *, consistent: bool = True) -> list[dict[str, Any]]:
        """The items at `keys` (BatchGetItem in chunks of 100, unprocessed keys asked again), plain
        values; consistent by default, so an item written just before is read as written."""
        from shared.adapters.dynamo_codec import from_dynamo, to_dynamo

        wire = [to_dynamo(dict(key)) for key in keys]
        items: list[dict[str, Any]] = []
        for start in range(0, len(wire), BATCH_GET_LIMIT):
            request: dict[str, Any] = {
                self.table_name: {"Keys": wire[start : start + BATCH_GET_LIMIT], "ConsistentRead": consistent}
            }
            while request:
                response = self.client.batch_get_item(RequestItems=request)
                items += [from_dynamo(raw) for raw in response.get("Responses", {}).get(self.table_name, [])]
                request = dict(response.get("UnprocessedKeys") or {})
        return items
