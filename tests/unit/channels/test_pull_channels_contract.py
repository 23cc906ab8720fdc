"""Contract of the POS nightly files (CSV, so outside test_normalization_contract.py): each
`events/pos/<case>.csv` normalizes to its `<case>.expected.json`, and that JSON parses back to the
same commands."""

from __future__ import annotations

import pytest

from shared.channels.base import CanonicalCommand
from shared.channels.pos_csv import parse_pos_file
from shared.channels.registry import adapter_for
from shared.models import Order
from shared.models.returns import StoreReturn
from tests.support.events import EVENTS_DIR, load_expected
from tests.unit.channels.conftest import envelope
from tests.unit.channels.pull_fakes import POS_FILE, POS_TIME_ZONES, pos_text

CASES = sorted(f"pos/{path.stem}" for path in (EVENTS_DIR / "pos").glob("*.csv"))


def normalize(name: str) -> list[CanonicalCommand]:
    parsed = parse_pos_file(pos_text(name), POS_TIME_ZONES, POS_FILE)
    adapter = adapter_for("pos_csv")
    commands: list[CanonicalCommand] = []
    for receipt in parsed.receipts:
        event_type = adapter.describe_pulled(receipt).event_type  # type: ignore[attr-defined]
        commands.extend(adapter.normalize(envelope("pos_csv", event_type, receipt)))
    return commands


def test_there_are_pos_file_cases() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize("name", CASES)
def test_pos_file_normalizes_to_its_expected_json(name: str) -> None:
    produced = [{"command": type(c).__name__, "data": c.model_dump(mode="json")} for c in normalize(name)]
    assert produced == load_expected(name)


@pytest.mark.parametrize("name", CASES)
def test_pos_expected_json_parses_back_to_the_same_commands(name: str) -> None:
    models: dict[str, type[Order] | type[StoreReturn]] = {"Order": Order, "StoreReturn": StoreReturn}
    parsed = [models[item["command"]].model_validate(item["data"]) for item in load_expected(name)]
    assert parsed == normalize(name)
