"""Which outbound adapter serves which channel.

Each module of this package (but `base` and `registry`) defines one `ChannelOutbound` subclass
decorated with `@register`; modules are discovered with `pkgutil` on first use, like the inbound
adapters (`shared/channels/registry.py`): adding a channel's outbound commands is adding one module.
"""

from __future__ import annotations

from typing import TypeVar

from functions.channel_outbound.adapters.base import ChannelOutbound
from functions.channel_outbound.settings import OutboundSettings
from shared.channels.registry import import_modules, refuse_another, served_key

A = TypeVar("A", bound=type[ChannelOutbound])

_CLASSES: dict[str, type[ChannelOutbound]] = {}
_NOT_ADAPTERS = {"base", "registry"}
_discovered = False


def register(cls: A) -> A:
    """Class decorator: `cls` answers for `cls.channel`."""
    channel = served_key(cls, "channel")
    refuse_another(cls, "channel", channel, _CLASSES.get(channel))
    _CLASSES[channel] = cls
    return cls


def discover() -> None:
    global _discovered
    if _discovered:
        return
    import_modules("functions.channel_outbound.adapters", skip=_NOT_ADAPTERS)
    _discovered = True


def channels() -> list[str]:
    """Every channel with an outbound adapter, sorted."""
    discover()
    return sorted(_CLASSES)


def adapter_class(channel: str) -> type[ChannelOutbound] | None:
    discover()
    return _CLASSES.get(channel)


class ConfiguredAdapters:
    """The adapters the settings configure, built once per channel on first use (None: not configured)."""

    def __init__(self, settings: OutboundSettings) -> None:
        self.settings = settings
        self._built: dict[str, ChannelOutbound | None] = {}

    def __call__(self, channel: str) -> ChannelOutbound | None:
        if channel not in self._built:
            cls = adapter_class(channel)
            self._built[channel] = cls.from_settings(self.settings) if cls is not None else None
        return self._built[channel]
