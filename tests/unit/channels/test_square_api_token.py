"""Where the Square API client finds its token: env override (local only), the vendor credentials, local default."""

from __future__ import annotations

import pytest

from shared.channels.clients import square_api
from shared.channels.clients.square_api import SquareApiSettings, access_token
from shared.errors import Unavailable


def _secret(monkeypatch: pytest.MonkeyPatch, value: dict[str, str]) -> list[str]:
    asked: list[str] = []

    def get_secret(arn: str, transform: str, max_age: int) -> dict[str, str]:
        asked.append(arn)
        return value

    from aws_lambda_powertools.utilities import parameters

    monkeypatch.setattr(parameters, "get_secret", get_secret)
    return asked


def test_the_deployed_token_is_the_webhook_secrets_square_access_token(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _secret(monkeypatch, {"square": "sig-key", "square_access_token": "EAAA-live"})
    settings = SquareApiSettings(vendor_credentials_arn="arn:secret", environment_name="prod")

    assert access_token(settings) == "EAAA-live"
    assert asked == ["arn:secret"]


def test_the_environment_token_wins_over_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _secret(monkeypatch, {"square_access_token": "from-secret"})
    settings = SquareApiSettings(square_access_token="mine", vendor_credentials_arn="arn:secret")

    assert access_token(settings) == "mine"
    assert asked == []


def test_deployed_a_token_in_the_functions_environment_is_ignored_for_the_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _secret(monkeypatch, {"square_access_token": "from-secret"})
    settings = SquareApiSettings(
        square_access_token="planted", vendor_credentials_arn="arn:secret", environment_name="prod"
    )

    assert access_token(settings) == "from-secret"


def test_a_deployed_stack_without_a_token_fails_clearly_instead_of_sending_a_fake_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _secret(monkeypatch, {"square": "sig-key"})
    settings = SquareApiSettings(vendor_credentials_arn="arn:secret", environment_name="prod")

    with pytest.raises(Unavailable, match="square_access_token"):
        access_token(settings)


def test_locally_the_sandbox_token_is_the_last_resort() -> None:
    assert access_token(SquareApiSettings()) == square_api.LOCAL_SQUARE_TOKEN


def test_settings_come_from_the_functions_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQUARE_API_BASE_URL", "http://127.0.0.1:3103")
    monkeypatch.setenv("VENDOR_CREDENTIALS_ARN", "arn:secret")
    monkeypatch.setenv("ENVIRONMENT_NAME", "dev")
    monkeypatch.delenv("SQUARE_ACCESS_TOKEN", raising=False)

    settings = SquareApiSettings.from_env()

    assert (settings.square_api_base_url, settings.vendor_credentials_arn, settings.environment_name) == (
        "http://127.0.0.1:3103",
        "arn:secret",
        "dev",
    )
