"""Play the scenario on a running local stack: phase after phase, idle in between, then collect.

Used by `python -m local.demo` (on the stack it boots) and by the integration test (on the
session's stack, with a namespace so the fixtures' ids and SKUs are new there)."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from local.demo import channels, finance, fulfilment, inventory, prices, returns
from local.demo.driver import deliver
from local.demo.namespace import Namespace
from local.demo.report import Outcome, Result, collect
from local.demo.scenario import (
    EXPECTED,
    ID_PATTERNS,
    IDS,
    PHASES,
    SKUS,
    Burst,
    Delivery,
    Expectations,
    FireSchedule,
    FulfilmentAct,
    PartnerBusEvent,
    Phase,
    PosFile,
    PriceAct,
    Publish,
    Reconcile,
    ReturnAct,
    SetRules,
    Settle,
)
from local.seed import seed_sandboxes
from local.stack import LocalStack

IDLE_TIMEOUT_S = 120.0


class Progress(Protocol):
    def phase(self, number: int, title: str) -> None: ...

    def step(self, result: Result) -> None: ...


class Silent:
    def phase(self, number: int, title: str) -> None:
        pass

    def step(self, result: Result) -> None:
        pass


def namespace(tag: str = "") -> Namespace:
    return Namespace(tag, SKUS, IDS, ID_PATTERNS)


def run_scenario(
    stack: LocalStack,
    client: httpx.Client,
    ns: Namespace,
    progress: Progress | None = None,
    phases: tuple[Phase, ...] = PHASES,
    expected: Expectations = EXPECTED,
) -> Outcome:
    """Deliver every phase, wait for the stack to go idle after each, read the outcome back and
    check it. TimeoutError if the flows do not settle."""
    say = progress or Silent()
    seed_sandboxes(client, stack, ns)  # the vendors' records, as `make local` seeds them
    results: list[Result] = []
    published: dict[str, inventory.Published] = {}
    listings: dict[str, dict[str, str]] = {}
    burst: inventory.BurstResult | None = None
    reconciliation: dict[str, Any] = {}

    def record(result: Result) -> None:
        results.append(result)
        say.step(result)

    def idle() -> None:
        stack.wait_idle(IDLE_TIMEOUT_S)

    for number, phase in enumerate(phases, 1):
        say.phase(number, phase.title)
        files: list[tuple[PosFile, str]] = []
        for step in phase.steps:
            if isinstance(step, Delivery):
                record(deliver(client, stack.api_url, step, ns))
            elif isinstance(step, PartnerBusEvent):
                record(channels.put_partner_event(stack, step, ns))
            elif isinstance(step, PosFile):
                done, key = channels.put_pos_file(stack, step, ns)
                record(done)
                files.append((step, key))
            elif isinstance(step, FireSchedule):
                record(channels.fire(stack, step))
            elif isinstance(step, SetRules):
                listings[step.sku] = step.listing_ids
                record(inventory.set_rules(client, stack.api_url, step, ns))
            elif isinstance(step, Publish):
                idle()  # what the publisher reads (dirty markers) is written by the flows
                done, published[step.name] = inventory.publish(client, stack, step, ns, listings)
                record(done)
            elif isinstance(step, Burst):
                done, burst = inventory.run_burst(client, stack, step, ns, expected.burst.location_id, idle)
                record(done)
            elif isinstance(step, Reconcile):
                idle()
                done, reconciliation = inventory.reconcile(client, stack, step, ns)
                record(done)
            elif isinstance(step, Settle):
                idle()
                record(finance.settle(client, stack, step, ns, idle))
            elif isinstance(step, ReturnAct):
                idle()
                record(returns.run_returns(client, stack, step, ns, idle))
            elif isinstance(step, PriceAct):
                idle()
                record(prices.run_prices(client, stack, step, ns, idle))
            elif isinstance(step, FulfilmentAct):
                idle()
                record(fulfilment.run_fulfilment(client, stack, step, ns, idle))
        idle()
        for file_step, key in files:
            record(channels.pos_report(stack, file_step, key))
    return collect(client, stack, ns, expected, results, published, burst, reconciliation)
