"""The public webhook URL is not configured by default; `webhookBaseUrl` stays as an explicit override."""

from __future__ import annotations

import aws_cdk as cdk

from infra.config import StackConfig


def test_no_webhook_base_url_unless_given_so_requests_name_their_own_url() -> None:
    for environment in ("local", "dev", "prod"):
        assert StackConfig.from_context(cdk.App(context={"environment": environment}).node).webhook_base_url is None


def test_a_given_webhook_base_url_is_kept_as_the_override() -> None:
    app = cdk.App(context={"environment": "prod", "webhookBaseUrl": "https://hooks.retailer.example/"})
    assert StackConfig.from_context(app.node).webhook_base_url == "https://hooks.retailer.example"
