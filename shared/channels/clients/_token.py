"""Where a vendor API client finds its access token: the environment, the webhook secret, or
(local only) the sandbox's fixed token. Square and Walmart resolve theirs the same way."""

from __future__ import annotations

SECRET_CACHE_SECONDS = 300
LOCAL_ENVIRONMENT = "local"


def vendor_access_token(
    *,
    vendor: str,
    from_env: str | None,
    webhook_secrets_arn: str | None,
    secret_key: str,
    environment_name: str,
    local_token: str,
    unavailable: type[Exception],
) -> str:
    """``from_env`` (a developer's own token) wins; else the webhook secret JSON's ``secret_key``;
    else, locally, ``local_token``. Deployed, a missing token raises ``unavailable`` (a
    configuration error: retried, then dead-lettered) instead of a call the vendor would refuse."""
    if from_env:
        return from_env
    if webhook_secrets_arn:
        from aws_lambda_powertools.utilities import parameters

        secrets = parameters.get_secret(webhook_secrets_arn, transform="json", max_age=SECRET_CACHE_SECONDS)
        if isinstance(secrets, dict) and secrets.get(secret_key):
            return str(secrets[secret_key])
    if environment_name == LOCAL_ENVIRONMENT:
        return local_token
    raise unavailable(f"no {vendor} access token: set `{secret_key}` in the webhook secret")
