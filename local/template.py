"""Read-only view of a synthesized CloudFormation template, and where it came from.

The local stack reads routes, event source mappings and schedules from here; values that
CloudFormation computes (names, ARNs, URLs) are resolved by the deployment, through the logical
ids these helpers find.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Template:
    body: dict[str, Any]
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> Template:
        return cls(json.loads(path.read_text()), path)

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body.get("Resources", {})

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {lid: res for lid, res in self.resources.items() if res.get("Type") == resource_type}

    def type_of(self, logical_id: str) -> str | None:
        return self.resources.get(logical_id, {}).get("Type")

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {})

    def referenced(self, expression: Any, resource_type: str | None = None) -> list[str]:
        """Logical ids named by Ref / Fn::GetAtt / Fn::Sub inside an expression, in order."""
        found = [lid for lid in _references(expression) if lid in self.resources]
        if resource_type is not None:
            found = [lid for lid in found if self.type_of(lid) == resource_type]
        return list(dict.fromkeys(found))

    def function_of(self, expression: Any) -> str | None:
        """The AWS::Lambda::Function an expression points at (directly, or through an alias/version)."""
        for lid in self.referenced(expression):
            kind = self.type_of(lid)
            if kind == "AWS::Lambda::Function":
                return lid
            if kind in {"AWS::Lambda::Alias", "AWS::Lambda::Version"}:
                inner = self.function_of(self.properties(lid).get("FunctionName"))
                if inner:
                    return inner
        return None


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if "Ref" in node and isinstance(node["Ref"], str):
            yield node["Ref"]
        if "Fn::GetAtt" in node:
            target = node["Fn::GetAtt"]
            yield target[0] if isinstance(target, list) else str(target).split(".")[0]
        if "Fn::Sub" in node:
            sub = node["Fn::Sub"]
            text = sub[0] if isinstance(sub, list) else sub
            if isinstance(text, str):
                yield from (part.split("}")[0].split(".")[0] for part in text.split("${")[1:])
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def s3_assets(template: Template) -> set[str]:
    """S3 keys the template's Lambda code (or layers) expects in the bootstrap asset bucket."""
    keys: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            key = node.get("S3Key")
            if "S3Bucket" in node and isinstance(key, str):
                keys.add(key)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template.resources)
    return keys
