"""Every DynamoDB item a function touches in the local stack, checked against its IAM grants.

moto does not enforce IAM, so a grant narrowed to some partitions (`dynamodb:LeadingKeys`) that
leaves out one the code really writes would pass every local test and fail in production. This
audit closes that gap: while the local stack runs, each DynamoDB request a handler makes is
recorded with the function that made it (`local.lambda_runtime.CURRENT_FUNCTION`, set around each
invocation), the action IAM authorizes it as, the table and the partition key of every item it
names. `KeyAudit.violations` then evaluates each against the function's policies in the
synthesized template, as IAM would for these statements: an `Allow` whose actions match (with
wildcards), whose resources name the table, and whose `ForAllValues:StringLike` condition on
`dynamodb:LeadingKeys` (if any) matches the key. A transaction is authorized item by item (its
Put/Update/Delete/ConditionCheck actions), a batch as the batch action for all its keys
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
A request naming no partition (a Scan, DescribeTable) is allowed only by a statement without the
condition. Calls a handler makes from threads it starts itself are not attributed (their context is
not the invocation's).

The integration tests fail on any violation (tests/integration/conftest.py); `make demo` prints them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import botocore.client

from local.lambda_runtime import CURRENT_FUNCTION
from local.template import Template

_SINGLE = {"GetItem": "Key", "DeleteItem": "Key", "UpdateItem": "Key", "PutItem": "Item"}
_TRANSACT = {"Put": ("PutItem", "Item"), "Update": ("UpdateItem", "Key"), "Delete": ("DeleteItem", "Key"),
             "ConditionCheck": ("ConditionCheckItem", "Key"), "Get": ("GetItem", "Key")}  # fmt: skip


@dataclass(frozen=True, order=True)
class Access:
    function: str  # the function's name (physical)
    action: str  # as IAM authorizes it: PutItem, BatchWriteItem, ConditionCheckItem...
    table: str  # physical name
    partition: str | None  # None: the request names no partition (Scan)


def _value(attribute: Any) -> str | None:
    """A key attribute's value, typed (`{"S": ...}`, the client) or plain (the resource layer)."""
    if isinstance(attribute, dict):
        for kind in ("S", "N", "B"):
            if kind in attribute:
                return str(attribute[kind])
        return None
    return None if attribute is None else str(attribute)


def _query_partition(params: dict[str, Any], key_name: str) -> str | None:
    expression = str(params.get("KeyConditionExpression") or "")
    names = params.get("ExpressionAttributeNames") or {}
    for name, placeholder in re.findall(r"([#\w]+)\s*=\s*(:\w+)", expression):
        if names.get(name, name) == key_name:
            return _value((params.get("ExpressionAttributeValues") or {}).get(placeholder))
    return None


def accesses_of(
    operation: str, params: dict[str, Any], key_of: dict[str, str]
) -> Iterator[tuple[str, str, str | None]]:
    """(action, table, partition) for each item a DynamoDB request names, for the tables in `key_of`
    (physical name -> partition key attribute)."""
    for action, table, item in _items(operation, params):
        if table in key_of:
            key = key_of[table]
            yield (
                action,
                table,
                (
                    _query_partition(params, key)
                    if item is None and operation == "Query"
                    else _value((item or {}).get(key))
                ),
            )


def _items(operation: str, params: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """(action, table, the item or key named; None for a Query or Scan)."""
    if operation in _SINGLE:
        yield operation, params["TableName"], params.get(_SINGLE[operation]) or {}
    elif operation in ("Query", "Scan", "DescribeTable"):
        yield operation, params["TableName"], None
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        for item in params.get("TransactItems") or []:
            for kind, body in item.items():
                action, field = _TRANSACT[kind]
                yield action, body["TableName"], body.get(field) or {}
    elif operation == "BatchGetItem":
        for table, request in (params.get("RequestItems") or {}).items():
            for key in request.get("Keys") or []:
                yield operation, table, key
    elif operation == "BatchWriteItem":
        for table, requests in (params.get("RequestItems") or {}).items():
            for request in requests:
                body = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key") or {}
                yield operation, table, body


class KeyAudit:
    """Records the state table accesses of every function while installed (see the module doc)."""

    def __init__(self, template: Template, functions: dict[str, str], tables: dict[str, str]) -> None:
        self.template = template
        self.functions: dict[str, str] = {}  # physical name -> logical id
        self.tables: dict[str, str] = {}  # physical name -> logical id, the tables audited
        self.key_of: dict[str, str] = {}  # physical table name -> its partition key attribute
        self.accesses: set[Access] = set()
        self._lock = threading.Lock()
        self.know(functions, tables)

    def know(self, functions: dict[str, str], tables: dict[str, str]) -> None:
        """Names (physical -> logical) to attribute calls by; a stack started again may name anew."""
        self.functions.update(functions)
        self.tables.update(tables)
        self.key_of.update({name: _partition_key(self.template, logical_id) for name, logical_id in tables.items()})

    @contextmanager
    def installed(self) -> Iterator[KeyAudit]:
        client_class: Any = botocore.client.BaseClient
        original = client_class._make_api_call
        audit = self

        def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
            function = CURRENT_FUNCTION.get()
            if function is not None and client.meta.service_model.service_name == "dynamodb":
                try:
                    found = [
                        Access(function, action, table, partition)
                        for action, table, partition in accesses_of(operation, params, audit.key_of)
                    ]
                except (KeyError, TypeError, AttributeError):
                    found = []  # a malformed request: DynamoDB refuses it, nothing to authorize
                with audit._lock:
                    audit.accesses.update(found)
            return original(client, operation, params)

        client_class._make_api_call = recorded
        try:
            yield self
        finally:
            client_class._make_api_call = original

    def violations(self) -> list[Access]:
        return sorted(access for access in self.accesses if not self.allowed(access))

    def allowed(self, access: Access) -> bool:
        table = self.tables[access.table]
        for statement in self._statements(self.functions.get(access.function, access.function)):
            if statement.get("Effect") != "Allow":
                continue
            if not any(fnmatchcase(f"dynamodb:{access.action}", action) for action in _listed(statement.get("Action"))):
                continue
            if not any(_names_table(resource, table) for resource in _listed(statement.get("Resource"))):
                continue
            condition = statement.get("Condition")
            if not condition:
                return True
            patterns = condition.get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys")
            if set(condition) != {"ForAllValues:StringLike"} or patterns is None or access.partition is None:
                continue
            if any(fnmatchcase(access.partition, pattern) for pattern in _listed(patterns)):
                return True
        return False

    def _statements(self, function: str) -> Iterable[dict[str, Any]]:
        role = self.template.properties(function).get("Role", {})
        role_id = role.get("Fn::GetAtt", [None])[0] if isinstance(role, dict) else None
        if role_id is None:
            return
        for policy in self.template.properties(role_id).get("Policies") or []:
            yield from _listed(policy["PolicyDocument"]["Statement"])
        for resource in self.template.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_id} in resource["Properties"].get("Roles", []):
                yield from _listed(resource["Properties"]["PolicyDocument"]["Statement"])

    def dump(self, out: Path) -> None:
        """Append what each function touched (logical id, action, table, partition prefix) as JSON lines."""
        with out.open("a") as sink:
            for a in sorted(self.accesses):
                prefix = None if a.partition is None else a.partition.split("#", 1)[0]
                row = [self.functions.get(a.function, a.function), a.action, self.tables[a.table], prefix, a.partition]
                sink.write(json.dumps(row) + "\n")

    def report(self) -> str:
        return "\n".join(
            f"{self.functions.get(a.function, a.function)}: dynamodb:{a.action} on {self.tables[a.table]} "
            f"partition {a.partition!r} is not granted"
            for a in self.violations()
        )


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _names_table(resource: Any, table: str) -> bool:
    """The table's ARN itself (`Fn::GetAtt [table, Arn]`), not one of its indexes or streams."""
    if resource == "*":
        return True
    return isinstance(resource, dict) and resource.get("Fn::GetAtt") == [table, "Arn"]


def _partition_key(template: Template, table: str) -> str:
    schema = template.properties(table)["KeySchema"]
    return str(next(key["AttributeName"] for key in schema if key["KeyType"] == "HASH"))


def stack_audit(stack: Any, audit: KeyAudit | None = None) -> KeyAudit:
    """The audit of every table and function of a started `local.stack.LocalStack` (or `audit`, made to
    know this start's names too: a stack started again may name its resources anew)."""
    functions = {stack.physical_id(f): f for f in stack.logical_ids("AWS::Lambda::Function")}
    tables = {stack.physical_id(t): t for t in stack.logical_ids("AWS::DynamoDB::Table")}
    if audit is None:
        return KeyAudit(stack.template, functions, tables)
    audit.know(functions, tables)
    return audit
