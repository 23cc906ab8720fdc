"""The `make demo` scenario, played on the session's local stack and checked by the demo's own checks.

The session stack has already seen the fixtures (other tests send them) and moved stock of their
SKUs, so the scenario runs in a namespace: every SKU and id of the story gets a value of its own
for this run (same shapes, re-signed), and the expectations follow. The story is the demo's:
stock across locations, one order from every channel, duplicates and stale movements, allocation
rules and the availability publisher, orders racing for the last units, and a reconciliation.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import pytest

from local.demo.report import Outcome, check
from local.demo.run import namespace, run_scenario
from local.demo.scenario import EXPECTED
from local.stack import LocalStack
from tests.integration.flows import Flows, close_flows, open_flows


@pytest.fixture
def flows(local_stack: LocalStack) -> Iterator[Flows]:
    driver = open_flows(local_stack)
    yield driver
    if driver.stack.ready:  # the reconciliation snapshots are the demo's: leave them empty
        for sandbox in ("wms", "erp"):
            driver.http.delete(f"{driver.sandbox_url(sandbox)}/__admin/inventory")
    close_flows(driver)


@pytest.fixture
def outcome(flows: Flows) -> Outcome:
    return run_scenario(flows.stack, flows.http, namespace(uuid.uuid4().hex[:6].upper()))


@pytest.mark.slow
def test_the_demo_scenario_ends_exactly_as_expected_and_its_checks_would_catch_a_difference(outcome: Outcome) -> None:
    assert outcome.problems == []
    assert len(outcome.results) >= 39
    assert {order["channel"] for order in outcome.orders.values() if order} == {
        "shopify",
        "square",
        "amazon",
        "walmart",
        "ebay",
        "zalando",
        "pos",
    }

    # The same outcome against expectations it does not meet: the checks say so.
    burst = dataclasses.replace(EXPECTED.burst, accepted=EXPECTED.burst.accepted + 1)
    stock = (dataclasses.replace(EXPECTED.stock[0], reserved=EXPECTED.stock[0].reserved + 1), *EXPECTED.stock[1:])
    variances = EXPECTED.variances[1:]
    channels = {
        name: {sku: {**units, "amazon": units["amazon"] + 1} for sku, units in per_sku.items()}
        for name, per_sku in EXPECTED.channels.items()
    }
    orders = (dataclasses.replace(EXPECTED.orders[3], status="ON_HOLD"), *EXPECTED.orders[4:])
    wrong = dataclasses.replace(
        EXPECTED, burst=burst, stock=stock, variances=variances, channels=channels, orders=orders
    )
    problems = "\n".join(check(outcome, wrong))
    assert "burst of 10 orders" in problems
    assert "on hand / reserved / available" in problems
    assert "reconciliation variances" in problems
    assert "the marketplaces were told" in problems and "the ops view gives the channels" in problems
    assert "ACCEPTED, expected ON_HOLD" in problems
