"""Who may read which secret (issue 14.5): the signing secrets are the public edge's alone, the vendor
credentials never reach it, and every grant names one secret, by name, for reading only."""

from __future__ import annotations

from typing import Any

from infra import constants as c
from tests.infra.conftest import VENDOR_CALLERS, as_list, functions_by_id, policy_statements_for_role, render, role_of

SIGNING = "retail-sync/test/webhooks-??????"
VENDOR = "retail-sync/test/vendor-credentials-??????"


def _secret_grants(resources: dict[str, dict[str, Any]], function_id: str) -> dict[str, set[str]]:
    """The secrets (by their name pattern) a function's role may act on, with the actions."""
    grants: dict[str, set[str]] = {}
    for statement in policy_statements_for_role(resources, role_of(resources[function_id])):
        actions = {a for a in as_list(statement["Action"]) if a.startswith("secretsmanager:")}
        for resource in as_list(statement["Resource"]):
            text = render(resource)
            if actions and ":secret:" in text:
                grants.setdefault(text.rsplit(":secret:", 1)[1], set()).update(actions)
    return grants


def _readers(resources: dict[str, dict[str, Any]], secret: str) -> set[str]:
    return {fid for fid in functions_by_id(resources) if secret in _secret_grants(resources, fid)}


def test_the_ingest_function_reads_the_signing_secrets_and_nothing_else(resources: dict[str, dict[str, Any]]) -> None:
    assert _secret_grants(resources, c.ID_INGEST_FUNCTION) == {
        SIGNING: {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
    }


def test_no_other_function_may_read_the_signing_secrets(resources: dict[str, dict[str, Any]]) -> None:
    assert _readers(resources, SIGNING) == {c.ID_INGEST_FUNCTION}


def test_the_vendor_credentials_reach_exactly_the_functions_that_call_a_vendor(
    resources: dict[str, dict[str, Any]],
) -> None:
    readers = _readers(resources, VENDOR)
    assert c.ID_INGEST_FUNCTION not in readers
    must = {c.ID_ORDERS_WORKER_FUNCTION, *VENDOR_CALLERS}  # the orders worker: Square, Walmart, eBay enrichment
    assert must <= readers
    # A reader is told where the secret is, and a function told where it is may read it.
    for function_id, function in functions_by_id(resources).items():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert (c.ENV_VENDOR_CREDENTIALS_ARN in variables) == (function_id in readers), function_id
        assert (c.ENV_WEBHOOK_SECRETS_ARN in variables) == (function_id == c.ID_INGEST_FUNCTION), function_id


def test_no_function_may_change_or_list_a_secret(resources: dict[str, dict[str, Any]]) -> None:
    for function_id in functions_by_id(resources):
        for actions in _secret_grants(resources, function_id).values():
            assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, function_id
