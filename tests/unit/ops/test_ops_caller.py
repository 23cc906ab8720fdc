"""The caller's identity (API Gateway IAM auth: `requestContext.identity`) in every audit entry and
in every ops log line; writes leave an `ops write` line naming who made them."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from functions.ops.handlers.api import Deps
from functions.ops.logic.caller import UNKNOWN_CALLER, caller_of
from functions.reconciliation.logic.reconcile import RUN_ACTOR
from shared.adapters.reconciliation_store import DynamoReconciliationStore
from shared.observability import logger
from tests.support.ops_api import call_ops, resolve_exception
from tests.unit.ops.test_exception_routes import _reconcile, _stock

OPERATOR_ARN = "arn:aws:sts::123456789012:assumed-role/retail-sync-prod-ops-operator/alice"
# The shape API Gateway passes for an AWS_IAM-authorized call made with an assumed role's keys.
IAM_IDENTITY = {
    "accountId": "123456789012",
    "caller": "AROAEXAMPLEID:alice",
    "user": "AROAEXAMPLEID:alice",
    "userArn": OPERATOR_ARN,
    "accessKey": "ASIAEXAMPLEKEY",
    "sourceIp": "203.0.113.7",
}


@pytest.fixture
def exception_id(dynamodb: Any, store: DynamoReconciliationStore) -> str:
    """We hold 40 of SKU-1 at dc-east, the WMS counts 20: above tolerance, an open exception."""
    _stock(dynamodb, "SKU-1", "dc-east", 40, 1)
    run = _reconcile(store, [{"sku": "SKU-1", "location_id": "dc-east", "on_hand": 20, "unit_cost": "12.50"}], [])
    [variance] = run.variances
    assert variance.exception_id is not None
    return variance.exception_id


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The captured records as the Powertools JSON formatter writes them to CloudWatch."""
    return [json.loads(logger.registered_formatter.format(r)) for r in caplog.records if r.name == logger.name]


def _audit(deps: Deps, sku: str) -> list[dict[str, Any]]:
    status, body = call_ops(deps, "GET", "/v1/ops/audit", identity=IAM_IDENTITY, query={"sku": sku})
    assert status == 200
    return [e for e in body["entries"] if e["sku"] == sku]


def test_a_resolution_audit_entry_names_the_iam_caller(deps: Deps, exception_id: str) -> None:

    status, body = resolve_exception(
        deps, exception_id, {"action": "keep_ours", "note": "DC recount pending"}, identity=IAM_IDENTITY
    )

    assert status == 200, body
    status, audit = call_ops(deps, "GET", "/v1/ops/audit", identity=IAM_IDENTITY)
    [entry] = [e for e in audit["entries"] if e.get("exception_id") == exception_id]
    assert entry["actor"] == OPERATOR_ARN


def test_a_call_without_an_identity_is_audited_as_unknown_never_left_blank(deps: Deps, exception_id: str) -> None:
    status, _ = resolve_exception(deps, exception_id, {"action": "keep_ours", "note": "x"})
    assert status == 200
    _, audit = call_ops(deps, "GET", "/v1/ops/audit")
    [entry] = [e for e in audit["entries"] if e.get("exception_id") == exception_id]
    assert entry["actor"] == UNKNOWN_CALLER


def test_a_runs_own_correction_is_audited_as_the_reconciliation(
    deps: Deps, dynamodb: Any, store: DynamoReconciliationStore
) -> None:
    # GIVEN a drift within tolerance (the run corrects it itself, no operator involved)
    _stock(dynamodb, "SKU-9", "dc-east", 10, 1)
    _reconcile(store, [{"sku": "SKU-9", "location_id": "dc-east", "on_hand": 12}], [])

    [entry] = _audit(deps, "SKU-9")

    assert (entry["kind"], entry["actor"]) == ("correction", RUN_ACTOR)


def test_every_write_leaves_an_ops_write_line_with_the_caller(
    deps: Deps, exception_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    resolve_exception(deps, exception_id, {"action": "keep_ours", "note": "x"}, identity=IAM_IDENTITY)

    [write] = [line for line in _lines(caplog) if line["message"] == "ops write"]
    assert (write["caller"], write["method"], write["status"]) == (OPERATOR_ARN, "POST", 200)
    assert write["path"] == f"/v1/ops/exceptions/{exception_id}/resolve"


def test_reads_leave_no_write_line(deps: Deps, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    status, _ = call_ops(deps, "GET", "/v1/ops/exceptions", identity=IAM_IDENTITY)
    assert status == 200
    assert not [line for line in _lines(caplog) if line["message"] == "ops write"]


@pytest.mark.parametrize(
    ("identity", "expected"),
    [
        (IAM_IDENTITY, OPERATOR_ARN),
        ({"caller": "AROAEXAMPLEID:alice", "accessKey": "ASIAEXAMPLEKEY"}, "AROAEXAMPLEID:alice"),
        ({"accessKey": "ASIAEXAMPLEKEY", "userArn": None}, "ASIAEXAMPLEKEY"),
        ({"sourceIp": "203.0.113.7", "userArn": None, "caller": None}, UNKNOWN_CALLER),
    ],
)
def test_the_caller_is_the_most_specific_identity_api_gateway_authenticated(
    identity: dict[str, Any], expected: str
) -> None:
    assert caller_of({"identity": identity}) == expected
    assert caller_of(None) == UNKNOWN_CALLER
