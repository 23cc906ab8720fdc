"""Ops API authorization: the resource policy lets two roles in (read-only, operator), by method and
path, and denies every other principal, while the vendor webhook routes stay reachable."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants as c
from tests.infra.conftest import as_list, render

STAGE = "test"
WRITES = {f"execute-api:/{STAGE}/{m}/v1/ops/*" for m in ("POST", "PUT", "DELETE")}
READS = {f"execute-api:/{STAGE}/GET/v1/ops/*", f"execute-api:/{STAGE}/GET/v1/openapi.json"}


def _role(resources: dict[str, dict[str, Any]], construct_id: str) -> str:
    [logical_id] = [k for k, r in resources.items() if r["Type"] == "AWS::IAM::Role" and construct_id in k]
    return logical_id


def _statements(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    policy = resources[c.ID_WEBHOOK_API]["Properties"]["Policy"]
    return {s["Sid"]: s for s in policy["Statement"]}


def _principals(statement: dict[str, Any]) -> set[str]:
    return {render(p) for p in as_list(statement["Principal"]["AWS"])}


@pytest.fixture(scope="module")
def roles(resources: dict[str, dict[str, Any]]) -> tuple[str, str]:
    return (
        f"<{_role(resources, c.ID_OPS_READ_ONLY_ROLE)}.Arn>",
        f"<{_role(resources, c.ID_OPS_OPERATOR_ROLE)}.Arn>",
    )


def test_read_only_and_operator_may_read_the_ops_routes(resources: dict[str, dict[str, Any]], roles) -> None:
    read = _statements(resources)["OpsRead"]
    assert read["Effect"] == "Allow"
    assert set(as_list(read["Resource"])) == READS
    assert _principals(read) == set(roles)


def test_only_the_operator_may_write(resources: dict[str, dict[str, Any]], roles) -> None:
    read_only, operator = roles
    statements = _statements(resources)
    write = statements["OpsWrite"]
    assert write["Effect"] == "Allow"
    assert set(as_list(write["Resource"])) == WRITES
    assert _principals(write) == {operator}
    # An explicit deny: the read-only role cannot write even if someone widens its identity policy.
    deny = statements["OpsWritesOnlyTheOperator"]
    assert deny["Effect"] == "Deny"
    assert set(as_list(deny["Resource"])) == WRITES
    assert [render(a) for a in as_list(deny["Condition"]["StringNotEquals"]["aws:PrincipalArn"])] == [operator]


def test_every_other_principal_is_denied_on_the_ops_routes(resources: dict[str, dict[str, Any]], roles) -> None:
    deny = _statements(resources)["OpsOnlyTheTwoRoles"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == {"AWS": "*"}
    assert as_list(deny["Resource"]) == [f"execute-api:/{STAGE}/*/v1/ops/*", f"execute-api:/{STAGE}/*/v1/openapi.json"]
    assert {render(a) for a in deny["Condition"]["StringNotEquals"]["aws:PrincipalArn"]} == set(roles)


def test_no_allow_reaches_the_ops_routes_for_anyone_but_the_two_roles(
    resources: dict[str, dict[str, Any]], roles
) -> None:
    for statement in _statements(resources).values():
        if statement["Effect"] != "Allow":
            continue
        ops = [r for r in as_list(statement["Resource"]) if "/v1/ops/" in r or "/v1/openapi" in r or r.endswith("/*/*")]
        if ops:
            assert _principals(statement) <= set(roles), statement["Sid"]


def test_vendor_webhooks_stay_open_to_their_senders(resources: dict[str, dict[str, Any]]) -> None:
    webhooks = _statements(resources)["VendorWebhooks"]
    assert webhooks["Effect"] == "Allow"
    assert webhooks["Principal"] == {"AWS": "*"}
    assert set(as_list(webhooks["Resource"])) == {
        f"execute-api:/{STAGE}/POST/v1/webhooks/*",
        f"execute-api:/{STAGE}/GET/v1/webhooks/*",
    }


def test_both_roles_are_assumed_from_this_account_and_hold_no_other_permissions(
    resources: dict[str, dict[str, Any]],
) -> None:
    for construct_id in (c.ID_OPS_READ_ONLY_ROLE, c.ID_OPS_OPERATOR_ROLE):
        logical_id = _role(resources, construct_id)
        role = resources[logical_id]["Properties"]
        [trust] = role["AssumeRolePolicyDocument"]["Statement"]
        assert render(trust["Principal"]["AWS"]).endswith(":root")
        assert "<AWS::AccountId>" in render(trust["Principal"]["AWS"])
        assert "ManagedPolicyArns" not in role
        attached = [
            r
            for r in resources.values()
            if r["Type"] == "AWS::IAM::Policy" and {"Ref": logical_id} in r["Properties"]["Roles"]
        ]
        assert attached == []


def test_the_ops_method_itself_still_requires_sigv4(resources: dict[str, dict[str, Any]]) -> None:
    methods = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::Method" and r["Properties"]["HttpMethod"] == "ANY"
    ]
    assert methods
    assert {m["AuthorizationType"] for m in methods} == {"AWS_IAM"}
