"""Webhook signing secrets: the JSON secret; in the local stack `RETAIL_SYNC_WEBHOOK_SECRET_<SOURCE>` wins.

Deployed, an environment variable never overrides a secret (issue 14.5): anyone able to change a
function's configuration could otherwise set the signing secret without reading Secrets Manager,
and the value would sit in plain text in the function's configuration.

The JSON secret (`{"shopify": "...", "square": "...", ...}`) is read with Powertools parameters
and cached for 5 minutes, so a rotated secret is picked up without a redeploy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.errors import SignatureInvalid, UpstreamUnavailable

ENV_PREFIX = "RETAIL_SYNC_WEBHOOK_SECRET_"
CACHE_SECONDS = 300


def _powertools_get_secret(arn: str) -> Any:
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_secret(arn, transform="json", max_age=CACHE_SECONDS)


class WebhookSecrets:
    def __init__(
        self,
        secrets_arn: str | None,
        environ: Mapping[str, str],
        *,
        local_defaults: bool = False,
        fetch: Callable[[str], Any] = _powertools_get_secret,
    ) -> None:
        self._arn = secrets_arn
        self._environ = environ
        self._local_defaults = local_defaults
        self._fetch = fetch

    def secret_for(self, source: str) -> str:
        override = self._environ.get(f"{ENV_PREFIX}{source.upper()}") if self._local_defaults else None
        if override:
            return override
        if self._arn:
            value = self._from_secret(self._arn, source)
        elif self._local_defaults:
            value = f"local-{source}-secret"
        else:
            value = None
        if not value:
            raise SignatureInvalid("no signing secret is configured for this source")
        return value

    def _from_secret(self, arn: str, source: str) -> str | None:
        from aws_lambda_powertools.utilities.parameters.exceptions import (
            GetParameterError,
            TransformParameterError,
        )

        try:
            secrets = self._fetch(arn)
        except (GetParameterError, TransformParameterError) as exc:
            raise UpstreamUnavailable("could not read the webhook secrets; retry later") from exc
        value = secrets.get(source) if isinstance(secrets, dict) else None
        return str(value) if value else None
