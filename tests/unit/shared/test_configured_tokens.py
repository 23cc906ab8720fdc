"""Tokens that do not expire (Shopify's Admin API token, Loop's key), as every domain reads them
(shared/channels/clients/_token.py): deployed only from the vendor secret, read at call time."""

from __future__ import annotations

from typing import Any

import pytest

from shared.channels.clients._token import shopify_token

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:retail-sync/prod/webhooks-AbCdEf"


class Unavailable(Exception):
    pass


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    stored: dict[str, str] = {}
    monkeypatch.setenv("ENVIRONMENT_NAME", "prod")
    monkeypatch.setenv("VENDOR_CREDENTIALS_ARN", ARN)
    monkeypatch.setattr(
        "aws_lambda_powertools.utilities.parameters.get_secret", lambda name, **kwargs: stored if name == ARN else {}
    )
    return stored


def test_deployed_the_secret_is_read_when_the_call_is_made_and_a_variable_never_overrides_it(
    deployed: dict[str, str],
) -> None:
    token = shopify_token("shpat_from_a_function_variable", Unavailable)
    deployed["shopify_access_token"] = "shpat_rotated"  # set after the client was built

    assert token() == "shpat_rotated"


def test_deployed_without_the_key_the_call_fails_naming_it(deployed: dict[str, Any]) -> None:
    with pytest.raises(Unavailable, match="shopify_access_token"):
        shopify_token(None, Unavailable)()


def test_locally_a_developers_token_or_the_sandboxes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT_NAME", "local")
    monkeypatch.delenv("VENDOR_CREDENTIALS_ARN", raising=False)

    assert shopify_token("shpat_dev", Unavailable)() == "shpat_dev"
    assert shopify_token(None, Unavailable)() == "local-shopify-token"
