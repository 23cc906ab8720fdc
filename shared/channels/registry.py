"""Which adapter serves which source.

Each channel module defines one `ChannelAdapter` subclass decorated with `@register`. The modules
of this package are discovered with `pkgutil` on first use, so adding a channel is adding one
module (`shared/channels/<source>.py`); nothing here lists them.

    from shared.channels.registry import adapter_for
    adapter = adapter_for("shopify")          # UnknownSource (404) for anything not registered
    commands = adapter.normalize(envelope)    # in a worker
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TypeVar

from shared.channels.base import ChannelAdapter
from shared.errors import UnknownSource

A = TypeVar("A", bound=type[ChannelAdapter])

_ADAPTERS: dict[str, ChannelAdapter] = {}
_discovered = False


def register(cls: A) -> A:
    """Class decorator: make one instance of the adapter answer for `cls.source`."""
    source = getattr(cls, "source", None)
    if not source:
        raise TypeError(f"{cls.__name__} must set `source`")
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
    """The adapter registered for `source`; raises UnknownSource (404) otherwise."""
    discover()
    try:
        return _ADAPTERS[source]
    except KeyError:
        raise UnknownSource("no webhook endpoint for this source") from None


def sources() -> list[str]:
    """Every registered source, sorted."""
    discover()
    return sorted(_ADAPTERS)
