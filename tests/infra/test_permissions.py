"""Least privilege: each function's role holds only what that function uses."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants as c
from tests.infra.conftest import as_list, functions_by_id, policy_statements_for_role, render, role_of

# Actions AWS only grants on Resource "*" (no resource-level permissions).
STAR_ONLY_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def _all_statements(resources: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        s
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy"
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_no_policy_allows_every_action_or_a_whole_service(resources: dict[str, dict[str, Any]]) -> None:
    for statement in _all_statements(resources):
        for action in as_list(statement["Action"]):
            assert action != "*"
            assert not action.endswith(":*"), action


def test_resource_star_only_for_actions_aws_cannot_scope(resources: dict[str, dict[str, Any]]) -> None:
    for statement in _all_statements(resources):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= STAR_ONLY_ACTIONS, statement


def test_ingest_cannot_touch_the_state_table(resources: dict[str, dict[str, Any]]) -> None:
    ingest = resources[c.ID_INGEST_FUNCTION]
    statements = policy_statements_for_role(resources, role_of(ingest))
    assert statements
    for statement in statements:
        for resource in as_list(statement["Resource"]):
            assert c.ID_STATE_TABLE not in render(resource)
    assert c.ENV_STATE_TABLE not in ingest["Properties"]["Environment"]["Variables"]


def test_ingest_sends_to_both_queues_and_puts_only_claim_checks(resources: dict[str, dict[str, Any]]) -> None:
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_INGEST_FUNCTION]))
    send_targets = {
        render(r) for s in statements if "sqs:SendMessage" in as_list(s["Action"]) for r in as_list(s["Resource"])
    }
    assert send_targets == {
        f"<{c.ID_ORDERS_QUEUE}.Arn>",
        f"<{c.ID_INVENTORY_QUEUE}.Arn>",
        f"<{c.ID_CATALOG_QUEUE}.Arn>",
    }
    s3_statements = [s for s in statements if any(a.startswith("s3:") for a in as_list(s["Action"]))]
    assert [as_list(s["Action"]) for s in s3_statements] == [["s3:PutObject"]]
    assert render(s3_statements[0]["Resource"]) == f"<{c.ID_PAYLOAD_BUCKET}.Arn>/payloads/*"


def test_ingest_reads_only_its_webhook_secret(resources: dict[str, dict[str, Any]]) -> None:
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_INGEST_FUNCTION]))
    secret_statements = [s for s in statements if "secretsmanager:GetSecretValue" in as_list(s["Action"])]
    assert len(secret_statements) == 1
    assert render(secret_statements[0]["Resource"]).endswith(":secret:retail-sync/test/webhooks-??????")


@pytest.mark.parametrize(
    "function_id",
    [
        c.ID_INGEST_FUNCTION,
        c.ID_RECORD_ORDER_FUNCTION,
        c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
    ],
)
def test_functions_outside_the_orders_worker_cannot_start_order_flows(
    resources: dict[str, dict[str, Any]], function_id: str
) -> None:
    statements = policy_statements_for_role(resources, role_of(resources[function_id]))
    assert not [s for s in statements if "states:StartExecution" in as_list(s["Action"])]


def test_only_the_orders_worker_and_the_parked_order_replay_start_order_flow(
    resources: dict[str, dict[str, Any]],
) -> None:
    starters = {
        fid
        for fid, fn in functions_by_id(resources).items()
        for s in policy_statements_for_role(resources, role_of(fn))
        if "states:StartExecution" in as_list(s["Action"])
    }
    # ReturnEventsFunction starts ReturnFlow only (its grant names that machine).
    # ParkedOrdersReplayFunction: the scheduled replay once the ERP answers again (issue 10.3).
    assert starters == {
        c.ID_ORDERS_WORKER_FUNCTION,
        c.ID_OPS_API_FUNCTION,
        c.ID_RETURN_EVENTS_FUNCTION,
        c.ID_PARKED_REPLAY_FUNCTION,
        c.ID_HELD_RETRY_FUNCTION,  # orders ON_HOLD for stock, once their lines are available
    }


def _ops_writes(resources: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(action, partition key pattern) of every state-table write the ops function may make."""
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_OPS_API_FUNCTION]))
    writes = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
    granted: set[tuple[str, str]] = set()
    for statement in statements:
        actions = set(as_list(statement["Action"]))
        if actions & writes:
            assert actions <= {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, statement
            keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
            granted |= {(action, key) for action in actions for key in keys}
    return granted


def test_ops_api_reads_tables_and_writes_only_the_items_it_manages(resources: dict[str, dict[str, Any]]) -> None:
    # Allocation rules, listing ids, dirty markers (republish) and reconciliation runs, plus what
    # resolving a reconciliation exception writes; never an order or a reservation: every write is
    # held to those partition keys.
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_OPS_API_FUNCTION]))
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert "dynamodb:Query" in actions
    granted = _ops_writes(resources)
    managed = {"ALLOCATION_RULES", "AVAILABILITY#DIRTY", "LISTINGS", "RECON#*"}
    assert {(a, k) for a in ("dynamodb:PutItem", "dynamodb:UpdateItem") for k in managed} <= granted
    exceptions = {"EXCEPTION#RECONCILIATION", "EXCEPTION#ENRICHMENT", "EXCEPTION#ORDER", "EXCEPTION#DEAD_LETTER"}
    exceptions |= {"EXCEPTION#CHANNEL_COMMAND", "EXCEPTION#RETURN", "EXCEPTION#SETTLEMENT", "EXCEPTION#PRICE"}
    # ERP_GATEWAY: the manual parked-order replay closes the ERP backlog once it drained the queue.
    assert {key for _, key in granted} == managed | exceptions | {
        "AUDIT#INVENTORY",
        "SKU#*",
        c.PK_ERP_GATEWAY,
        c.PK_HELD_ORDERS,  # DeleteItem only: a held order no longer ON_HOLD is let go
    }
    assert {a for a, key in granted if key == c.PK_HELD_ORDERS} == {"dynamodb:DeleteItem"}
    assert ("dynamodb:PutItem", c.PK_ERP_GATEWAY) not in granted  # it never claims a slot or writes anew


def test_resolving_an_exception_may_write_only_its_status_its_audit_entry_and_the_corrected_position(
    resources: dict[str, dict[str, Any]],
) -> None:
    granted = _ops_writes(resources)
    assert ("dynamodb:UpdateItem", "EXCEPTION#RECONCILIATION") in granted
    assert ("dynamodb:PutItem", "EXCEPTION#RECONCILIATION") not in granted  # ops never raises one
    # An enrichment exception is retried (counted) or closed, never raised, by ops.
    assert ("dynamodb:UpdateItem", "EXCEPTION#ENRICHMENT") in granted
    assert ("dynamodb:PutItem", "EXCEPTION#ENRICHMENT") not in granted
    assert ("dynamodb:PutItem", "AUDIT#INVENTORY") in granted
    assert ("dynamodb:UpdateItem", "AUDIT#INVENTORY") not in granted  # an audit entry is never rewritten
    assert {("dynamodb:UpdateItem", "SKU#*"), ("dynamodb:PutItem", "SKU#*")} <= granted
    assert not any(key.startswith(("ORDER#", "RESERVATION#", "*")) for _, key in granted)


def test_every_function_has_its_own_role(resources: dict[str, dict[str, Any]]) -> None:
    roles = [role_of(fn) for fn in functions_by_id(resources).values()]
    assert len(roles) == len(set(roles)) == len(functions_by_id(resources))  # one per function


def test_function_roles_carry_no_managed_policies(resources: dict[str, dict[str, Any]]) -> None:
    for fn in functions_by_id(resources).values():
        assert "ManagedPolicyArns" not in resources[role_of(fn)]["Properties"]


def _table_actions(resources: dict[str, dict[str, Any]], function_id: str, table_id: str) -> set[str]:
    statements = policy_statements_for_role(resources, role_of(resources[function_id]))
    return {
        action
        for s in statements
        if any(render(r).startswith(f"<{table_id}.Arn>") for r in as_list(s["Resource"]))
        for action in as_list(s["Action"])
    }


def test_hops_append_to_the_trace_and_cannot_rewrite_or_erase_it(resources: dict[str, dict[str, Any]]) -> None:
    writers = {
        fid: actions
        for fid in functions_by_id(resources)
        if (actions := _table_actions(resources, fid, c.ID_TRACE_TABLE)) and fid != c.ID_OPS_API_FUNCTION
    }
    assert c.ID_INGEST_FUNCTION in writers and c.ID_ORDERS_WORKER_FUNCTION in writers
    for function_id, actions in writers.items():
        assert actions == {"dynamodb:PutItem"}, function_id
    # The ops API reads the trail (the trace route), and writes nothing there.
    assert not {
        a
        for a in _table_actions(resources, c.ID_OPS_API_FUNCTION, c.ID_TRACE_TABLE)
        if "Write" in a or a in {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    }


_STATE_WRITES = {
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:*",
}


def _unconditioned_state_writes(resources: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Per function, the write actions it holds on the state table without a LeadingKeys condition."""
    state_table = next(k for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table" and "State" in k)
    found: dict[str, list[str]] = {}
    for function_id, function in functions_by_id(resources).items():
        for statement in policy_statements_for_role(resources, role_of(function)):
            targets = {render(r) for r in as_list(statement["Resource"])}
            writes = sorted(set(as_list(statement["Action"])) & _STATE_WRITES)
            if f"<{state_table}.Arn>" in targets and writes and "Condition" not in statement:
                found.setdefault(function_id, []).extend(writes)
    return found


def test_every_function_writes_only_the_state_partitions_it_owns(resources: dict[str, dict[str, Any]]) -> None:
    # Issue 14.5: no function may write anywhere in the state table; each write grant names its
    # partitions (dynamodb:LeadingKeys), and local/key_audit.py fails the integration tests when a
    # function touches one its grant leaves out.
    assert _unconditioned_state_writes(resources) == {}


def test_order_flow_steps_write_only_their_own_partitions(resources: dict[str, dict[str, Any]]) -> None:
    state_table = next(k for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table" and "State" in k)

    def written_keys(function_id: str) -> set[str]:
        role = role_of(functions_by_id(resources)[function_id])
        return {
            key
            for statement in policy_statements_for_role(resources, role)
            if set(as_list(statement["Action"])) & _STATE_WRITES
            and "Condition" in statement
            and f"<{state_table}.Arn>" in {render(r) for r in as_list(statement["Resource"])}
            for key in statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        }

    def function_id(prefix: str) -> str:
        return next(k for k in functions_by_id(resources) if k.startswith(prefix))

    # its exception, and the compensation: an order the ERP refused for good gives its reservation back
    assert written_keys(function_id(c.ID_RECORD_FLOW_FAILURE_FUNCTION)) == {
        "EXCEPTION#ORDER",
        c.PK_RESERVATIONS,
        c.PK_POSITIONS,
    }
    assert written_keys(function_id("CreateErpSalesOrder")) == {c.PK_ERP_GATEWAY}  # its ERP gateway slot only
    assert written_keys(function_id("HeldOrdersRetry")) == {c.PK_HELD_ORDERS}  # DeleteItem: letting go
    assert written_keys(function_id("AmazonOrdersPoller")) == {"POLLER#*"}
    assert "ORDER#*" not in written_keys(function_id("ReserveStock"))  # the order is only read there
    assert "EXCEPTION#ORDER" not in written_keys(function_id("OrdersWorker"))


def test_idempotency_records_are_held_to_each_functions_own_key_prefix(resources: dict[str, dict[str, Any]]) -> None:
    from functions.inventory.logic.intake import HOP as INVENTORY_HOP
    from functions.orders.logic.intake import HOP as ORDERS_HOP
    from shared.adapters.delivery_dedupe import KEY_PREFIX

    # The infra's prefixes are the ones the code writes (Powertools keys are `<prefix>#<hash>`).
    assert (c.IDEMPOTENCY_PREFIX_INGEST, c.IDEMPOTENCY_PREFIX_ORDERS_WORKER, c.IDEMPOTENCY_PREFIX_INVENTORY_WORKER) == (
        KEY_PREFIX,
        ORDERS_HOP,
        INVENTORY_HOP,
    )
    table = next(k for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table" and "Idempotency" in k)
    for function_id, function in functions_by_id(resources).items():
        for statement in policy_statements_for_role(resources, role_of(function)):
            if f"<{table}.Arn>" in {render(r) for r in as_list(statement["Resource"])}:
                keys = statement.get("Condition", {}).get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys")
                assert keys and all(key.endswith("#*") for key in keys), function_id


def test_one_tracing_policy_serves_every_function_and_holds_only_xray_writes(
    resources: dict[str, dict[str, Any]],
) -> None:
    tracing = [
        r for k, r in resources.items() if r["Type"] == "AWS::IAM::Policy" and k.startswith("FunctionTracingPolicy")
    ]
    assert len(tracing) == 1
    properties = tracing[0]["Properties"]
    assert [s["Action"] for s in properties["PolicyDocument"]["Statement"]] == [
        ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    ]
    roles = {role["Ref"] for role in properties["Roles"]}
    assert roles == {role_of(fn) for fn in functions_by_id(resources).values()}
    for fid, fn in functions_by_id(resources).items():
        assert fn["Properties"]["TracingConfig"] == {"Mode": "Active"}, fid
        assert fn.get("DependsOn") and any(d.startswith("FunctionTracingPolicy") for d in fn["DependsOn"]), fid
