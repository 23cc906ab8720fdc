"""The Loop sandbox through the real returns-platform connector: ReportOutcome's process/close calls
need the API key, act once, and answer `true` again when repeated."""

from __future__ import annotations

import httpx
import pytest

from functions.returns.adapters.returns_platform import LoopReturns
from local.sandboxes import LoopSandbox
from local.sandboxes.loop import LOOP_SANDBOX_API_KEY
from shared.errors import Rejected
from tests.support.sandboxes import sandbox_fixture

loop = sandbox_fixture(LoopSandbox)


def test_a_processed_return_is_processed_once_however_often_it_is_reported(loop: LoopSandbox) -> None:
    platform = LoopReturns(loop.url, LOOP_SANDBOX_API_KEY)

    assert platform.report("loop", "1673", processed=True) is True
    assert platform.report("loop", "1673", processed=True) is True

    assert loop.states() == {"1673": "processed"}
    assert [(a["action"], a["applied"]) for a in loop.actions()] == [("process", True), ("process", False)]


def test_a_rejected_return_is_closed_and_a_later_process_changes_nothing(loop: LoopSandbox) -> None:
    platform = LoopReturns(loop.url, LOOP_SANDBOX_API_KEY)

    platform.report("loop", "1674", processed=False)
    platform.report("loop", "1674", processed=True)

    assert loop.states() == {"1674": "closed"}


def test_a_return_from_another_source_is_not_reported_to_loop(loop: LoopSandbox) -> None:
    assert LoopReturns(loop.url, LOOP_SANDBOX_API_KEY).report("walmart", "R-1", processed=True) is False
    assert loop.actions() == []


def test_a_wrong_api_key_is_refused_and_nothing_is_recorded(loop: LoopSandbox) -> None:
    with pytest.raises(Rejected):
        LoopReturns(loop.url, "not-the-key").report("loop", "1673", processed=True)
    answer = httpx.post(f"{loop.url}/api/v1/warehouse/return/1673/process")
    assert answer.status_code == 401
    assert loop.states() == {}


def test_the_answer_is_the_json_true_loop_documents(loop: LoopSandbox) -> None:
    answer = httpx.post(
        f"{loop.url}/api/v1/warehouse/return/1673/close", headers={"X-Authorization": LOOP_SANDBOX_API_KEY}
    )
    assert (answer.status_code, answer.json()) == (200, True)
    not_a_return = httpx.post(
        f"{loop.url}/api/v1/warehouse/return/abc/close", headers={"X-Authorization": LOOP_SANDBOX_API_KEY}
    )
    assert not_a_return.status_code == 404
