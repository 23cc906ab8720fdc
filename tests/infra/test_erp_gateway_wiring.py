"""Every function that calls the ERP is connected to the one ERP gateway (issue 10.3): the ERP's
limit and the bulk share in its environment, the same everywhere, and a grant to the gateway's
partition only. (Which lane each caller uses is its code's: tests/unit/shared/test_erp_gateway.py.)"""

from __future__ import annotations

from typing import Any

from infra import constants as c
from shared.adapters import erp_gateway
from shared.adapters.erp_gateway import GatewaySettings
from tests.infra.conftest import as_list, functions_by_id, policy_statements_for_role, role_of

PRIORITY = (
    "CreateErpSalesOrder",
    "CancelOrder",
    "ParkedOrdersReplay",
    "ReturnAuthorize",
    "ReturnPostRefund",
    "ErpFulfilment",
)
BULK = ("ReconciliationFunction", "SettlementWorker", "SettlementReconciliation", "CatalogBackfill")


def _env(function: dict[str, Any]) -> dict[str, Any]:
    return dict(function["Properties"]["Environment"]["Variables"])


def _gated(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {k: f for k, f in functions_by_id(resources).items() if c.ENV_ERP_CONCURRENCY_LIMIT in _env(f)}


def test_every_function_that_calls_the_erp_is_connected_to_the_gateway(resources: dict[str, dict[str, Any]]) -> None:
    gated = _gated(resources)
    assert sorted(next(p for p in (*PRIORITY, *BULK) if fid.startswith(p)) for fid in gated) == sorted(
        (*PRIORITY, *BULK)
    )
    # Every other function with the ERP's URL only validates it (the settlement poller's settings).
    ungated = [
        fid for fid, f in functions_by_id(resources).items() if c.ENV_ERP_BASE_URL in _env(f) and fid not in gated
    ]
    assert [fid.startswith(c.ID_SETTLEMENT_POLLER_FUNCTION) for fid in ungated] == [True]


def test_every_caller_shares_one_limit_and_one_bulk_share(resources: dict[str, dict[str, Any]]) -> None:
    configured = {
        (env[c.ENV_ERP_CONCURRENCY_LIMIT], env[c.ENV_ERP_BULK_SHARE], env[c.ENV_STATE_TABLE]["Ref"])
        for env in map(_env, _gated(resources).values())
    }
    assert len(configured) == 1
    limit, share, _ = configured.pop()
    assert (int(limit), int(share)) == (c.DEFAULT_ERP_CONCURRENCY, c.DEFAULT_ERP_BULK_SHARE)


def test_a_caller_may_only_claim_and_release_gateway_slots(resources: dict[str, dict[str, Any]]) -> None:
    assert c.PK_ERP_GATEWAY == erp_gateway.PK  # the grant names the partition the code writes
    for function_id, function in _gated(resources).items():
        gateway_statements = [
            s
            for s in policy_statements_for_role(resources, role_of(function))
            if c.PK_ERP_GATEWAY
            in s.get("Condition", {}).get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys", [])
        ]
        actions = sorted(a for s in gateway_statements for a in as_list(s["Action"]))
        assert actions == ["dynamodb:Query", "dynamodb:UpdateItem"], function_id


def test_a_wait_for_a_slot_stays_well_inside_each_callers_timeout(resources: dict[str, dict[str, Any]]) -> None:
    defaults = GatewaySettings(state_table_name="state")
    for function_id, function in _gated(resources).items():
        wait = defaults.wait_seconds("priority" if function_id.startswith(PRIORITY) else "bulk")
        assert wait <= function["Properties"]["Timeout"] / 2, function_id
