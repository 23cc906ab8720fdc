"""OrderFlow execution names and inputs."""

from __future__ import annotations

import re

from shared.flow_start import execution_name, flow_inputs
from shared.models.order_flow import FlowAction, FlowInput
from tests.fakes.builders import adjustment, cancellation, envelope, order


def test_each_order_command_becomes_one_flow_input_and_others_are_reported_as_skipped() -> None:
    env = envelope("evt-123456789012345")

    inputs, skipped = flow_inputs(env, [order("1"), cancellation("2"), adjustment()])

    assert [i.action for i in inputs] == [FlowAction.ACCEPT, FlowAction.CANCEL]
    assert {i.correlation_id for i in inputs} == {env.correlation_id}
    assert {i.event_id for i in inputs} == {env.event_id}
    assert skipped == ["InventoryAdjustment"]


def test_execution_name_is_action_channel_order_and_event_prefix() -> None:
    flow = FlowInput(action="accept", correlation_id="c" * 8, event_id="evt-123456789012345", order=order("1001"))

    assert execution_name(flow) == "accept-shopify-1001-evt-12345678"


def test_execution_name_is_sanitized_and_bounded_keeping_the_event_and_suffix() -> None:
    flow = FlowInput(
        action="cancel",
        correlation_id="c" * 8,
        event_id="evt/with:odd chars",
        cancellation=cancellation("#" + "9" * 120),
    )

    name = execution_name(flow, suffix="replay-abc")

    assert len(name) == 80
    assert re.fullmatch(r"[A-Za-z0-9\-_]+", name)
    assert name.startswith("cancel-shopify-_999")
    assert name.endswith("-evt_with_odd-replay-abc")  # event_id[:12], sanitized


def test_flow_input_round_trips_as_the_execution_input() -> None:
    flow = FlowInput(action="accept", correlation_id="corr-0001", event_id="e1", order=order())

    assert FlowInput.model_validate(flow.execution_input()) == flow
    assert flow.execution_input()["cancellation"] is None
