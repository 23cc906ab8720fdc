"""Stack settings read from CDK context (`-c key=value` or cdk.json)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Node

from infra import constants as c

_LOCAL_DEFAULTS = {
    "erpBaseUrl": "http://127.0.0.1:3101",
    "squareApiBaseUrl": "http://127.0.0.1:3103",
}
_DEFAULTS = {
    "erpBaseUrl": "https://erp.example.invalid",
    "squareApiBaseUrl": "https://connect.squareup.com",
}


@dataclass(frozen=True)
class StackConfig:
    environment: str
    bundle: bool
    erp_base_url: str
    square_api_base_url: str
    # Optional override of the public base URL vendors call. Unset (the default), the ingest function
    # takes each request's own URL (domain + path, stage prefix included), which holds on the default
    # execute-api URL and on a custom domain alike.
    webhook_base_url: str | None
    default_location_id: str
    log_level: str
    erp_concurrency: int
    erp_bulk_share: int = c.DEFAULT_ERP_BULK_SHARE
    # The returns platform's API (Loop); unset, ReturnFlow reports no status back (issue 9).
    loop_api_base_url: str | None = None
    # Who the alarms reach (issue 13.6): e-mail addresses (each confirms the subscription SNS mails
    # it) and an HTTPS endpoint (a chat webhook relay, an incident tool) subscribed to the topic.
    alarm_emails: tuple[str, ...] = ()
    alarm_webhook_url: str | None = None
    # The customer-service platform (Zendesk, `https://<subdomain>.zendesk.com`); unset, order
    # statuses are served by the status route only (issue 12.3).
    helpdesk_base_url: str | None = None

    @property
    def is_local(self) -> bool:
        return self.environment == c.LOCAL_ENVIRONMENT

    @property
    def is_production(self) -> bool:
        return self.environment in ("prod", "production")

    @classmethod
    def from_context(cls, node: Node) -> StackConfig:
        def ctx(key: str, default: Any) -> Any:
            value = node.try_get_context(key)
            return default if value is None else value

        environment = str(ctx("environment", "dev"))
        defaults = _LOCAL_DEFAULTS if environment == c.LOCAL_ENVIRONMENT else _DEFAULTS
        return cls(
            environment=environment,
            bundle=_as_bool(ctx("bundle", True)),
            erp_base_url=str(ctx("erpBaseUrl", defaults["erpBaseUrl"])).rstrip("/"),
            square_api_base_url=str(ctx("squareApiBaseUrl", defaults["squareApiBaseUrl"])).rstrip("/"),
            webhook_base_url=str(ctx("webhookBaseUrl", "")).rstrip("/") or None,
            default_location_id=str(ctx("defaultFulfilmentLocationId", "dc-east")),
            log_level=str(ctx("logLevel", "INFO")).upper(),
            erp_concurrency=int(ctx("erpConcurrency", c.DEFAULT_ERP_CONCURRENCY)),
            erp_bulk_share=int(ctx("erpBulkShare", c.DEFAULT_ERP_BULK_SHARE)),
            loop_api_base_url=str(ctx("loopApiBaseUrl", "")).rstrip("/") or None,
            alarm_emails=tuple(e.strip() for e in str(ctx("alarmEmail", "")).split(",") if e.strip()),
            alarm_webhook_url=_https_url(str(ctx("alarmWebhookUrl", "")).strip()) or None,
            helpdesk_base_url=str(ctx("helpdeskBaseUrl", "")).rstrip("/") or None,
        )


# Environments only ever synthesized here (tests, lint, bench, the local stack): placeholders allowed.
SYNTH_ONLY_ENVIRONMENTS = frozenset({c.LOCAL_ENVIRONMENT, "test", "lint", "bench"})
PLACEHOLDER_HOST_SUFFIX = ".invalid"  # RFC 2606: never resolves


def placeholder_settings(environment: str, values: dict[str, str]) -> list[str]:
    """The context keys (of `values`: key -> resolved value) still at a placeholder in an environment
    that deploys (issue 14.5: a deploy with a placeholder URL fails at synth, not at the first call)."""
    if environment in SYNTH_ONLY_ENVIRONMENTS:
        return []
    return sorted(
        key
        for key, value in values.items()
        if (value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]).endswith(PLACEHOLDER_HOST_SUFFIX)
    )


def _https_url(value: str) -> str:
    """SNS delivers to HTTPS endpoints with a certificate it trusts; plain HTTP would carry alarms in clear."""
    if value and not value.startswith("https://"):
        raise ValueError(f"alarmWebhookUrl must be an https:// URL, not {value!r}")
    return value


def _as_bool(value: Any) -> bool:
    """Context given on the command line arrives as a string."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("false", "0", "no", "off", "")
