"""Where ReturnFlow's steps find the Shopify token and the Loop key (issue 14.5): deployed, only in the
vendor secret, read when the call is made; a variable of the same name is a local override only."""

from __future__ import annotations

from typing import Any

import pytest

from functions.returns.deps import build_steps
from functions.returns.settings import ReturnStepSettings
from shared.errors import Unavailable

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:retail-sync/prod/webhooks-AbCdEf"


def _settings(**changes: Any) -> ReturnStepSettings:
    base = {
        "state_table_name": "state",
        "trace_table_name": "trace",
        "shopify_admin_base_url": "https://shop.example",
        "loop_api_base_url": "https://api.loopreturns.example",
    }
    return ReturnStepSettings.model_validate({**base, **changes})


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Deployed: the function's ENVIRONMENT_NAME and VENDOR_CREDENTIALS_ARN, the secret in memory."""
    stored: dict[str, str] = {}
    monkeypatch.setenv("ENVIRONMENT_NAME", "prod")
    monkeypatch.setenv("VENDOR_CREDENTIALS_ARN", SECRET_ARN)

    def get_secret(name: str, **kwargs: Any) -> dict[str, str]:
        assert name == SECRET_ARN
        return stored

    monkeypatch.setattr("aws_lambda_powertools.utilities.parameters.get_secret", get_secret)
    return stored


def test_deployed_steps_read_the_tokens_from_the_vendor_secret_and_ignore_the_variables(
    secret: dict[str, str],
) -> None:
    secret.update(shopify_access_token="shpat_live", loop_api_key="loop-live")
    steps = build_steps(
        _settings(shopify_access_token="from-the-function-config", loop_api_key="from-the-function-config")
    )

    assert steps.channel_refunds.by_channel["shopify"]._headers() == {"X-Shopify-Access-Token": "shpat_live"}  # type: ignore[union-attr]
    assert steps.platform._key() == "loop-live"  # type: ignore[union-attr]


def test_a_deployed_step_without_the_token_fails_the_call_with_a_clear_message_not_a_fake_token(
    secret: dict[str, str],
) -> None:
    steps = build_steps(_settings())  # built fine: nothing is read before a call

    with pytest.raises(Unavailable, match="shopify_access_token"):
        steps.channel_refunds.by_channel["shopify"]._headers()  # type: ignore[union-attr]
    with pytest.raises(Unavailable, match="loop_api_key"):
        steps.platform._key()  # type: ignore[union-attr]


def test_locally_the_sandboxes_tokens_or_a_developers_own_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT_NAME", "local")
    monkeypatch.delenv("VENDOR_CREDENTIALS_ARN", raising=False)
    plain = build_steps(_settings())
    mine = build_steps(_settings(shopify_access_token="shpat_dev"))

    assert plain.channel_refunds.by_channel["shopify"]._headers() == {"X-Shopify-Access-Token": "local-shopify-token"}  # type: ignore[union-attr]
    assert plain.platform._key() == "local-loop-api-key"  # type: ignore[union-attr]
    assert mine.channel_refunds.by_channel["shopify"]._headers() == {"X-Shopify-Access-Token": "shpat_dev"}  # type: ignore[union-attr]
