"""Adapters are found by source; adding a channel is adding a module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.constants import WEBHOOK_SOURCES
from shared.channels.base import ChannelAdapter
from shared.channels.registry import adapter_for, register, sources
from shared.errors import UnknownSource

REPO = Path(__file__).resolve().parents[3]


def test_every_source_the_stack_routes_has_an_adapter() -> None:
    assert set(WEBHOOK_SOURCES) <= set(sources())
    for source in WEBHOOK_SOURCES:
        assert adapter_for(source).source == source


def test_an_unknown_source_raises_unknown_source_which_answers_404() -> None:
    with pytest.raises(UnknownSource) as excinfo:
        adapter_for("myspace")
    assert excinfo.value.status == 404


def test_register_refuses_an_adapter_without_a_source() -> None:
    class Nameless(ChannelAdapter):  # type: ignore[abstract]
        pass

    with pytest.raises(TypeError, match="must set `source`"):
        register(Nameless)  # type: ignore[type-abstract]


def test_discovering_the_adapters_does_not_import_httpx() -> None:
    # The Square API client (httpx) is only for workers; the webhook edge must not pay for it.
    code = "import sys; from shared.channels.registry import sources; sources(); print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "False"


def test_an_adapter_is_found_by_importing_only_its_own_channel_module() -> None:
    # GIVEN a fresh interpreter WHEN the Shopify adapter is looked up
    code = (
        "import sys; from shared.channels.registry import adapter_for; adapter_for('shopify'); "
        "print(sorted(m for m in sys.modules if m.startswith('shared.channels.')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = set(eval(result.stdout))  # a printed list of module names
    # THEN no other channel's module is imported (a webhook pays for its own channel only)
    assert "shared.channels.shopify" in loaded
    assert not loaded & {f"shared.channels.{other}" for other in ("ebay", "amazon", "walmart", "square", "zalando")}


def test_register_refuses_an_adapter_whose_module_is_not_named_after_its_source() -> None:
    class Misplaced(ChannelAdapter):  # type: ignore[abstract]
        source = "misplaced"

    Misplaced.__module__ = "shared.channels.shopify"
    with pytest.raises(TypeError, match="shared/channels/misplaced.py"):
        register(Misplaced)  # type: ignore[type-abstract]
