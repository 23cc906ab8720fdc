"""One synthesized stack (bundle=false) shared by every infra test in the session."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from app import build_app
from infra import constants as c

# The functions that call a marketplace's or the ERP's API with a token minted from the vendor
# secret's credentials (besides the orders worker's enrichment and the channel outbound's commands).
VENDOR_CALLERS = (
    c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
    c.ID_CANCEL_ORDER_FUNCTION,
    c.ID_RECONCILIATION_FUNCTION,
    c.ID_AVAILABILITY_PUBLISHER_FUNCTION,
    c.ID_AMAZON_ORDERS_POLLER_FUNCTION,
    c.ID_ZALANDO_ORDERS_POLLER_FUNCTION,
)


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    outdir = tmp_path_factory.mktemp("cdk-out")
    _, stack = build_app({"environment": "test", "bundle": "false"}, outdir=str(outdir))
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def resources(template: Template) -> dict[str, dict[str, Any]]:
    return template.to_json()["Resources"]


def render(value: Any) -> str:
    """A CloudFormation value as text, intrinsics shown as `<LogicalId>` / `<LogicalId.Attr>`."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Fn::Join" in value:
            sep, parts = value["Fn::Join"]
            return sep.join(render(p) for p in parts)
        if "Ref" in value:
            return f"<{value['Ref']}>"
        if "Fn::GetAtt" in value:
            return f"<{'.'.join(value['Fn::GetAtt'])}>"
    return json.dumps(value)


def functions_by_id(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"}


def policy_statements_for_role(resources: dict[str, dict[str, Any]], role_id: str) -> list[dict[str, Any]]:
    """Every statement of the inline policies attached to one role."""
    statements: list[dict[str, Any]] = []
    for r in resources.values():
        if r["Type"] != "AWS::IAM::Policy":
            continue
        if {"Ref": role_id} in r["Properties"].get("Roles", []):
            statements.extend(r["Properties"]["PolicyDocument"]["Statement"])
    return statements


def role_of(function: dict[str, Any]) -> str:
    return function["Properties"]["Role"]["Fn::GetAtt"][0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
