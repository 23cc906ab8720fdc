"""The ops API's collaborators: built once per cold start from the settings, or passed by a test
(`lambda_handler(event, context, deps=Deps(...))`).

The adapters are imported where `default_deps` builds them, not at import: each pulls boto3 or
models that a cold start does not need before its first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from shared.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from functions.ops.adapters.run_starter import RunStarter
    from functions.ops.logic.channels import RunStore
    from functions.ops.logic.dead_letters import RedrivePort
    from functions.ops.logic.exceptions import EnvelopeQueue, ExceptionStore, KindStore
    from functions.ops.logic.returns import ReturnReader
    from functions.ops.logic.views import ChannelCallReader, InstructionReader, TraceReader
    from shared.adapters.availability_store import AvailabilityStore
    from shared.adapters.held_orders import HeldOrdersPort
    from shared.adapters.order_flow import OrderFlowPort
    from shared.adapters.parking_queue import ParkingQueuePort
    from shared.adapters.state_store import StateStore
    from shared.parked_replay import BacklogPort


@dataclass(frozen=True)
class Deps:
    store: StateStore
    trace: TraceReader
    availability: AvailabilityStore | None = None
    runs: RunStore | None = None
    starter: RunStarter | None = None
    settlement_starter: RunStarter | None = None  # finance's settlement reconciliation function
    parking: ParkingQueuePort | None = None
    flow: OrderFlowPort | None = None
    exceptions: ExceptionStore | None = None
    kinds: KindStore | None = None  # exceptions of every kind but reconciliation's
    # Short queue name (orders, inventory, pos-files, availability, channel-outbound) -> the queue a
    # retried message goes back to.
    queues: dict[str, EnvelopeQueue] | None = None
    # Short queue name -> {"queue": source URL, "dlq": its DLQ's URL}, and what moves them.
    dead_letter_queues: dict[str, dict[str, str]] | None = None
    redrive: RedrivePort | None = None
    returns: ReturnReader | None = None  # the returns domain's stored returns (state table)
    held: HeldOrdersPort | None = None  # orders ON_HOLD for stock (shared/adapters/held_orders.py)
    backlog: BacklogPort | None = None  # the ERP backlog the parked-order replay closes once drained
    instructions: InstructionReader | None = None  # orders' fulfilment instructions (the order view)
    channel_calls: ChannelCallReader | None = None  # calls made to the channel per order (the order view)

    def need_availability(self) -> AvailabilityStore:
        if self.availability is None:
            raise UpstreamUnavailable("allocation rules are not configured (state table)")
        return self.availability

    def need_runs(self) -> RunStore:
        if self.runs is None:
            raise UpstreamUnavailable("reconciliation runs are not configured (state table)")
        return self.runs

    def need_exceptions(self) -> ExceptionStore:
        if self.exceptions is None:
            raise UpstreamUnavailable("reconciliation exceptions are not configured (state table)")
        return self.exceptions

    def need_redrive(self) -> RedrivePort:
        if self.redrive is None:
            raise UpstreamUnavailable("dead-letter redrive is not configured (DEAD_LETTER_QUEUES)")
        return self.redrive

    def need_returns(self) -> ReturnReader:
        if self.returns is None:
            raise UpstreamUnavailable("returns are not configured (state table)")
        return self.returns

    def need_kinds(self) -> KindStore:
        if self.kinds is None:
            raise UpstreamUnavailable("exceptions are not configured (state table)")
        return self.kinds


@lru_cache(maxsize=1)
def default_deps() -> Deps:
    """The AWS adapters, from the settings (once per cold start)."""
    from functions.ops.adapters.redrive import SqsRedrive
    from functions.ops.adapters.returns import DynamoReturnReader
    from functions.ops.adapters.run_starter import LambdaRunStarter
    from functions.ops.settings import OpsSettings
    from shared.adapters.availability_store import DynamoAvailabilityStore
    from shared.adapters.call_markers import DynamoMarkerStore
    from shared.adapters.envelope_queue import SqsEnvelopeQueue
    from shared.adapters.erp_gateway import ErpBacklog
    from shared.adapters.exception_store import DynamoExceptionStore
    from shared.adapters.fulfilment_instructions import DynamoInstructionStore
    from shared.adapters.held_orders import DynamoHeldOrders
    from shared.adapters.order_flow import StepFunctionsOrderFlow
    from shared.adapters.parking_queue import SqsParkingQueue
    from shared.adapters.reconciliation_store import DynamoReconciliationStore
    from shared.adapters.state_store import DynamoStateStore
    from shared.adapters.trace_store import DynamoTraceStore
    from shared.settings import cached

    settings = cached(OpsSettings)
    replay_ready = settings.orders_parking_queue_url and settings.order_flow_arn
    reconciliation = DynamoReconciliationStore(settings.state_table_name)
    return Deps(
        store=DynamoStateStore(settings.state_table_name),
        trace=DynamoTraceStore(settings.trace_table_name),
        availability=DynamoAvailabilityStore(settings.state_table_name),
        runs=reconciliation,
        starter=LambdaRunStarter(settings.reconciliation_function_name)
        if settings.reconciliation_function_name
        else None,
        parking=SqsParkingQueue(settings.orders_parking_queue_url) if replay_ready else None,
        flow=StepFunctionsOrderFlow(settings.order_flow_arn) if replay_ready else None,
        exceptions=reconciliation,
        kinds=DynamoExceptionStore(settings.state_table_name),
        queues={
            **{name: SqsEnvelopeQueue(pair["queue"]) for name, pair in settings.dead_letter_queues.items()},
            **({"orders": SqsEnvelopeQueue(settings.orders_queue_url)} if settings.orders_queue_url else {}),
            # A settlement exception's retry settles its payout again on finance's queue.
            **({"finance": SqsEnvelopeQueue(settings.finance_queue_url)} if settings.finance_queue_url else {}),
        },
        settlement_starter=LambdaRunStarter(settings.settlement_function_name)
        if settings.settlement_function_name
        else None,
        dead_letter_queues=settings.dead_letter_queues,
        redrive=SqsRedrive() if settings.dead_letter_queues else None,
        returns=DynamoReturnReader(settings.state_table_name),
        held=DynamoHeldOrders(settings.state_table_name),
        backlog=ErpBacklog(settings.state_table_name),
        instructions=DynamoInstructionStore(settings.state_table_name),
        channel_calls=DynamoMarkerStore(settings.state_table_name),
    )
