"""Where webhook secrets come from: the JSON secret; locally an env override first and the defaults last."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from functions.ingest.adapters.secrets import WebhookSecrets
from shared.errors import SignatureInvalid, UpstreamUnavailable


def test_the_environment_override_wins_in_the_local_stack() -> None:
    secrets = WebhookSecrets(
        "arn:secret",
        {"RETAIL_SYNC_WEBHOOK_SECRET_WMS": "from-env"},
        local_defaults=True,
        fetch=lambda arn: {"wms": "x"},
    )
    assert secrets.secret_for("wms") == "from-env"


def test_deployed_an_environment_variable_never_overrides_the_secret() -> None:
    environ = {"RETAIL_SYNC_WEBHOOK_SECRET_WMS": "from-env"}
    assert WebhookSecrets("arn:secret", environ, fetch=lambda arn: {"wms": "x"}).secret_for("wms") == "x"
    with pytest.raises(SignatureInvalid):
        WebhookSecrets(None, environ).secret_for("wms")


def test_the_json_secret_is_read_by_source() -> None:
    fetched: list[str] = []

    def fetch(arn: str) -> dict[str, str]:
        fetched.append(arn)
        return {"shopify": "shp", "wms": "w"}

    secrets = WebhookSecrets("arn:secret", {}, fetch=fetch)
    assert (secrets.secret_for("shopify"), secrets.secret_for("wms")) == ("shp", "w")
    assert fetched == ["arn:secret", "arn:secret"]  # Powertools caches; the adapter asks every time


def test_locally_without_a_secret_arn_the_contract_defaults_apply() -> None:
    assert WebhookSecrets(None, {}, local_defaults=True).secret_for("square") == "local-square-secret"


def test_a_source_missing_from_every_place_cannot_be_verified() -> None:
    with pytest.raises(SignatureInvalid):
        WebhookSecrets("arn:secret", {}, fetch=lambda arn: {"shopify": "shp"}).secret_for("wms")
    with pytest.raises(SignatureInvalid):
        WebhookSecrets(None, {}).secret_for("wms")


def test_an_unreadable_secret_store_is_upstream_unavailable_not_a_bad_signature() -> None:
    def fetch(arn: str) -> dict[str, str]:
        raise GetParameterError("throttled")

    with pytest.raises(UpstreamUnavailable):
        WebhookSecrets("arn:secret", {}, fetch=fetch).secret_for("wms")
