"""Orders worker: a queued envelope -> canonical commands -> one OrderFlow execution each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from functions.orders.logic.enrichment import WatchedLookup
from functions.orders.logic.order_changes import RECORDABLE, ChangeRecorder
from shared.adapters.order_flow import OrderFlowPort
from shared.adapters.payloads import PayloadResolver
from shared.adapters.trace_store import TraceSink
from shared.flow_start import execution_name, flow_inputs
from shared.models import Envelope, Order
from shared.models.orders import REPLACEMENT_ORDER_EVENT
from shared.observability import logger

HOP = "orders-worker"

AdapterLookup = Callable[[str], Any]


def _registry_lookup(source: str) -> Any:
    from shared.channels.registry import adapter_for  # imported on use: discovery imports every channel

    return adapter_for(source)


class OrderIntake:
    def __init__(
        self,
        flow: OrderFlowPort,
        trace: TraceSink,
        payloads: PayloadResolver,
        adapter_for: AdapterLookup = _registry_lookup,
        enrich: Any | None = None,
        changes: ChangeRecorder | None = None,
    ) -> None:
        self.changes = changes  # order changes and returns (logic/order_changes.py); None: skipped
        self.flow = flow
        self.trace = trace
        self.payloads = payloads
        self.adapter_for = adapter_for
        self.enrich = enrich  # None: each channel adapter builds its own default lookup

    def process(self, envelope: Envelope) -> dict[str, Any]:
        """Start the flows; the names started, the ones that already existed, the commands skipped."""
        resolved = self.payloads.resolve(envelope)
        if resolved.event_type == REPLACEMENT_ORDER_EVENT:
            # An order retail-sync places itself (an exchange's replacement): already canonical.
            commands: list[Any] = [Order.model_validate(resolved.payload)]
        else:
            commands = self._normalize(resolved)
        inputs, skipped = flow_inputs(resolved, commands)
        if self.changes is not None:
            inputs, skipped = self._record_changes(resolved, commands, inputs), []
        self.trace.record(
            resolved.correlation_id,
            HOP,
            "normalized",
            {"event_id": resolved.event_id, "commands": len(inputs)},
        )
        if skipped:
            logger.warning("commands this worker does not handle were skipped", skipped=skipped)
        started: list[str] = []
        already: list[str] = []
        for flow_input in inputs:
            name = execution_name(flow_input)
            # Express (OrderFlow) names are not deduplicated on AWS: `is_new` is False only for a
            # Standard machine; a duplicate is made harmless by the steps' idempotency on the order id.
            is_new = self.flow.start(name, flow_input.execution_input())
            (started if is_new else already).append(name)
            self.trace.record(
                resolved.correlation_id,
                HOP,
                "flow_started",
                {"execution": name, "action": flow_input.action.value, "already_started": not is_new},
            )
        return {"started": started, "already_started": already, "skipped": skipped}

    def _normalize(self, resolved: Envelope) -> list[Any]:
        adapter = self.adapter_for(resolved.source)
        lookup = WatchedLookup(self.enrich, getattr(adapter, "default_enricher", lambda: None))
        try:
            return list(adapter.normalize(resolved, enrich=lookup))
        except Exception as exc:
            # A failed vendor read is retried with backoff, then kept as an exception (logic/enrichment.py).
            failure = lookup.failure(resolved.source, exc)
            if failure is None:
                raise
            raise failure from exc

    def _record_changes(self, envelope: Envelope, commands: list[Any], inputs: list[Any]) -> list[Any]:
        """Record the commands no flow runs; merge what waited for an order into it first."""
        assert self.changes is not None
        for command in commands:
            if isinstance(command, RECORDABLE):
                self.changes.record(envelope, command)
        return [
            flow.model_copy(update={"order": self.changes.release_held(envelope, flow.order)})
            if flow.order is not None
            else flow
            for flow in inputs
        ]
