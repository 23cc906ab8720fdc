"""Settings of the customer-status functions (read once per cold start).

The helpdesk is called only when `HELPDESK_BASE_URL` is set (context `helpdeskBaseUrl`; locally the
Zendesk-like sandbox). Its credentials are the vendor credentials' `zendesk_email` and
`zendesk_api_token` (`VENDOR_CREDENTIALS_ARN`); locally the sandbox's placeholders.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import EnvSettings


class StatusApiSettings(EnvSettings):
    state_table_name: Annotated[str, Field(min_length=1)]


class StatusEventsSettings(StatusApiSettings):
    trace_table_name: Annotated[str, Field(min_length=1)]
    helpdesk_base_url: str | None = None
    helpdesk_timeout_seconds: float = 10.0
