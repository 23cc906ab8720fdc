"""The orders worker and the ingest have what the channel adapters need, and no more.

Orders worker: it enriches Walmart PO_CREATED (Orders API) and eBay ORDER_CONFIRMATION (getOrder), and
records order changes and returns in the state table with an event on the domain bus. Ingest: it
fetches eBay's public keys and answers eBay's endpoint challenge. Vendor tokens live in the webhook
secret, never in the environment.
"""

from __future__ import annotations

import json
from typing import Any

from infra import constants as c
from shared.adapters.vendor_auth import SECRET_KEYS as VENDOR_SECRET_KEYS
from tests.infra.conftest import (
    VENDOR_CALLERS,
    as_list,
    functions_by_id,
    policy_statements_for_role,
    render,
    role_of,
)


def _env(resources: dict[str, dict[str, Any]], function_id: str) -> dict[str, Any]:
    variables: dict[str, Any] = resources[function_id]["Properties"]["Environment"]["Variables"]
    return variables


def _statements_on(resources: dict[str, dict[str, Any]], function_id: str, logical_id: str) -> list[dict[str, Any]]:
    statements = policy_statements_for_role(resources, role_of(resources[function_id]))
    return [s for s in statements if any(logical_id in render(r) for r in as_list(s["Resource"]))]


def test_orders_worker_knows_the_state_table_the_bus_and_the_vendor_apis(resources: dict[str, dict[str, Any]]) -> None:
    env = _env(resources, c.ID_ORDERS_WORKER_FUNCTION)
    assert env[c.ENV_STATE_TABLE] == {"Ref": c.ID_STATE_TABLE}
    assert env[c.ENV_EVENT_BUS] == _env(resources, c.ID_INVENTORY_WORKER_FUNCTION)[c.ENV_EVENT_BUS]
    assert env[c.ENV_WALMART_API_BASE_URL] == "https://marketplace.walmartapis.com"
    assert env[c.ENV_EBAY_API_BASE_URL] == "https://api.ebay.com"


def test_every_function_sees_one_value_per_vendor_base_url(resources: dict[str, dict[str, Any]]) -> None:
    # The local stack runs every handler in one process: one value per variable, or it refuses to boot.
    for variable in (c.ENV_WALMART_API_BASE_URL, c.ENV_EBAY_API_BASE_URL):
        values = {
            json.dumps(f["Properties"]["Environment"]["Variables"][variable], sort_keys=True)
            for f in functions_by_id(resources).values()
            if variable in f["Properties"]["Environment"]["Variables"]
        }
        assert len(values) == 1, (variable, values)


def test_orders_worker_reads_and_writes_the_state_table_items_only(resources: dict[str, dict[str, Any]]) -> None:
    statements = _statements_on(resources, c.ID_ORDERS_WORKER_FUNCTION, c.ID_STATE_TABLE)
    actions = {a for s in statements for a in as_list(s["Action"])}
    # The change store: TransactWriteItems (ConditionCheck + Put), PutItem, UpdateItem, GetItem, Query.
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:Query"} <= actions
    assert not {a for a in actions if not a.startswith("dynamodb:")}
    assert "dynamodb:DeleteTable" not in actions and "dynamodb:CreateTable" not in actions


def test_orders_worker_may_put_events_on_the_domain_bus_only(resources: dict[str, dict[str, Any]]) -> None:
    statements = policy_statements_for_role(resources, role_of(resources[c.ID_ORDERS_WORKER_FUNCTION]))
    put_events = [s for s in statements if "events:PutEvents" in as_list(s["Action"])]
    assert put_events
    for statement in put_events:
        assert [render(r) for r in as_list(statement["Resource"])] == [f"<{c.ID_EVENT_BUS}.Arn>"]


def test_ingest_fetches_ebay_keys_from_the_configured_api_with_credentials_from_the_signing_secret(
    resources: dict[str, dict[str, Any]],
) -> None:
    env = _env(resources, c.ID_INGEST_FUNCTION)
    assert env[c.ENV_EBAY_API_BASE_URL] == "https://api.ebay.com"
    assert c.ENV_WEBHOOK_SECRETS_ARN in env and c.ENV_VENDOR_CREDENTIALS_ARN not in env
    for token in ("EBAY_VERIFICATION_TOKEN", "EBAY_CLIENT_SECRET", "EBAY_REFRESH_TOKEN", "WALMART_ACCESS_TOKEN"):
        assert token not in env and token not in _env(resources, c.ID_ORDERS_WORKER_FUNCTION)


def _secret_keys(resources: dict[str, dict[str, Any]], logical_id: str) -> set[str]:
    return set(json.loads(resources[logical_id]["Properties"]["GenerateSecretString"]["SecretStringTemplate"]))


def test_the_vendor_credentials_have_a_slot_for_every_vendor_api_credential(
    resources: dict[str, dict[str, Any]],
) -> None:
    template = _secret_keys(resources, c.ID_VENDOR_CREDENTIALS)
    assert set(c.SECRET_KEYS_VENDOR_API) <= template
    assert {"ebay_refresh_token", "walmart_client_secret", "square_access_token", "erp_private_key"} <= template
    # Every credential the connectors mint their tokens from has its slot (shared/adapters/vendor_auth.py).
    assert set(VENDOR_SECRET_KEYS) <= template


def test_the_signing_secret_holds_what_proves_a_delivery_and_no_credential_that_acts_on_an_account(
    resources: dict[str, dict[str, Any]],
) -> None:
    template = _secret_keys(resources, c.ID_WEBHOOK_SECRETS)
    assert template == {*c.WEBHOOK_SOURCES, "ebay_verification_token", "ebay_client_id", "ebay_client_secret"}
    assert not template & (set(VENDOR_SECRET_KEYS) | {"ebay_refresh_token", "square_access_token"})


def test_every_function_that_calls_a_vendor_reads_the_vendor_secret(resources: dict[str, dict[str, Any]]) -> None:
    for function_id in VENDOR_CALLERS:
        env = _env(resources, function_id)
        assert c.ENV_VENDOR_CREDENTIALS_ARN in env and c.ENV_WEBHOOK_SECRETS_ARN not in env, function_id
        # Tokens are minted, never configured.
        assert not {"AMAZON_SP_API_ACCESS_TOKEN", "WALMART_ACCESS_TOKEN", "ZALANDO_ACCESS_TOKEN"} & set(env)
