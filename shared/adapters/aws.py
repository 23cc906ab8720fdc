"""Lazily created, cached boto3 clients and resources.

Clients are created on first use (not at import) so cold starts stay short, and every
adapter takes an optional client so tests can inject their own (`LazyClient`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Generic, TypeVar, cast, overload

C = TypeVar("C")


@cache
def _config() -> Any:
    from botocore.config import Config  # imports most of botocore: with the first client, not at import

    return Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)


@cache
def client(service: str) -> Any:
    # boto3 is imported with the first client (about 100 ms with botocore's session): a function
    # that answers without AWS (a refused webhook, a GET) never pays it.
    import boto3

    return boto3.session.Session().client(service, config=_config())  # type: ignore[call-overload]


@cache
def dynamodb_table(name: str) -> Any:
    import boto3

    return boto3.session.Session().resource("dynamodb", config=_config()).Table(name)


def reset_clients() -> None:
    """Forget cached clients (tests and the local stack call this when endpoints change)."""
    client.cache_clear()
    dynamodb_table.cache_clear()


class LazyClient(Generic[C]):
    """An adapter's boto3 client, declared on its class (`client: LazyClient[SQSClient] =
    LazyClient("sqs")`): the client the adapter was given (kept in `_<name>`, `_client` here), else
    the process-wide cached one for the service, made on first use and kept there."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.slot = "_client"

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.slot = f"_{name}"

    @overload
    def __get__(self, adapter: None, owner: type[Any]) -> LazyClient[C]: ...

    @overload
    def __get__(self, adapter: object, owner: type[Any] | None = None) -> C: ...

    def __get__(self, adapter: Any, owner: type[Any] | None = None) -> C | LazyClient[C]:
        if adapter is None:
            return self
        if getattr(adapter, self.slot) is None:
            setattr(adapter, self.slot, client(self.service))
        return cast(C, getattr(adapter, self.slot))
