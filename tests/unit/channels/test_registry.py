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
