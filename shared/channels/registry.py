"""Which adapter serves which source.

Each channel module defines one `ChannelAdapter` subclass decorated with `@register`, and is named
after its source: `adapter_for(source)` imports that one module, `sources()` discovers them all
with `pkgutil`. Adding a channel is adding one module (`shared/channels/<source>.py`); nothing here
lists them.

    from shared.channels.registry import adapter_for
    adapter = adapter_for("shopify")          # UnknownSource (404) for anything not registered
    commands = adapter.normalize(envelope)    # in a worker
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import TYPE_CHECKING, TypeVar

from shared.errors import UnknownSource

if TYPE_CHECKING:
    # Only the type: `base` imports pydantic, which the webhook edge loads with the channel's module.
    from shared.channels.base import ChannelAdapter

A = TypeVar("A", bound="type[ChannelAdapter]")

_ADAPTERS: dict[str, ChannelAdapter] = {}
_discovered = False
_MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def register(cls: A) -> A:
    """Class decorator: make one instance of the adapter answer for `cls.source`."""
    source = getattr(cls, "source", None)
    if not source:
        raise TypeError(f"{cls.__name__} must set `source`")
    package, _, module = cls.__module__.rpartition(".")
    if package == __package__ and module != source:
        raise TypeError(f"{cls.__name__} serves {source!r}: its module must be shared/channels/{source}.py")
    existing = _ADAPTERS.get(source)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"source {source!r} is already served by {type(existing).__name__}")
    _ADAPTERS[source] = cls()
    return cls


def discover() -> None:
    """Import every module of this package once, so their `@register` decorators run."""
    global _discovered
    if _discovered:
        return
    package = importlib.import_module("shared.channels")
    for module in pkgutil.iter_modules(package.__path__):
        if not module.ispkg and not module.name.startswith("_"):
            importlib.import_module(f"shared.channels.{module.name}")
    _discovered = True


def adapter_for(source: str) -> ChannelAdapter:
    """The adapter registered for `source`; raises UnknownSource (404) otherwise.

    A channel's module is named after its source (`shared/channels/shopify.py` serves "shopify";
    `register` insists), so only that module is imported: a webhook, or a worker's message, pays
    for its own channel and not for the ten others (issue 7, cold start).
    """
    adapter = _ADAPTERS.get(source)
    if adapter is None and _MODULE_NAME.match(source):
        try:
            importlib.import_module(f"shared.channels.{source}")
        except ModuleNotFoundError as exc:
            if exc.name != f"shared.channels.{source}":
                raise
        adapter = _ADAPTERS.get(source)
    if adapter is None:
        raise UnknownSource("no webhook endpoint for this source")
    return adapter


def sources() -> list[str]:
    """Every registered source, sorted."""
    discover()
    return sorted(_ADAPTERS)
