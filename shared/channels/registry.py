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
from collections.abc import Collection
from typing import TYPE_CHECKING, TypeVar

from shared.errors import UnknownSource

if TYPE_CHECKING:
    # Only the type: `base` imports pydantic, which the webhook edge loads with the channel's module.
    from shared.channels.base import ChannelAdapter

A = TypeVar("A", bound="type[ChannelAdapter]")

_ADAPTERS: dict[str, ChannelAdapter] = {}
_discovered = False
_MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def served_key(cls: type, attribute: str) -> str:
    """What `cls` serves: its `attribute` (`source`, `channel`), which it must set."""
    key: str | None = getattr(cls, attribute, None)
    if not key:
        raise TypeError(f"{cls.__name__} must set `{attribute}`")
    return key


def refuse_another(cls: type, attribute: str, key: str, existing: type | None) -> None:
    """One class serves a key: another one is refused (the same class defined again, as a reloaded
    module does, takes its key back)."""
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise ValueError(f"{attribute} {key!r} is already served by {existing.__name__}")


def import_modules(package: str, skip: Collection[str] = ()) -> None:
    """Import every module of `package` (not its subpackages, `_private` modules, nor `skip`), so that
    their `@register` decorators run."""
    for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if not module.ispkg and module.name not in skip and not module.name.startswith("_"):
            importlib.import_module(f"{package}.{module.name}")


def register(cls: A) -> A:
    """Class decorator: make one instance of the adapter answer for `cls.source`."""
    source = served_key(cls, "source")
    package, _, module = cls.__module__.rpartition(".")
    if package == __package__ and module != source:
        raise TypeError(f"{cls.__name__} serves {source!r}: its module must be shared/channels/{source}.py")
    existing = _ADAPTERS.get(source)
    refuse_another(cls, "source", source, type(existing) if existing is not None else None)
    _ADAPTERS[source] = cls()
    return cls


def discover() -> None:
    """Import every module of this package once, so their `@register` decorators run."""
    global _discovered
    if _discovered:
        return
    import_modules("shared.channels")
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
