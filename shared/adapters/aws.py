"""Lazily created, cached boto3 clients and resources.

Clients are created on first use (not at import) so cold starts stay short, and every
adapter takes an optional client so tests can inject their own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


@cache
def dynamodb_table(name: str) -> Any:
    return boto3.session.Session().resource("dynamodb", config=_CONFIG).Table(name)


def reset_clients() -> None:
    """Forget cached clients (tests and the local stack call this when endpoints change)."""
    client.cache_clear()
    dynamodb_table.cache_clear()
