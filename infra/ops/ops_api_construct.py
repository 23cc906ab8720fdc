"""The ops function behind `/v1/ops/{proxy+}`: views of state and trace, and parked-order replay."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.dead_letters import EXCEPTION_PARTITIONS
from infra.shared.function_factory import schedule_rule
from infra.storage.tables_construct import grant_leading_keys

# State-table partition keys that resolving a reconciliation exception writes
# (shared/adapters/reconciliation_store.py), per action.
# Exceptions of every other kind (shared/adapters/exception_store.py) are retried and resolved with UpdateItem.
# The manual parked-order replay closes the ERP backlog once it drained the parking queue.
EXCEPTION_RESOLUTION_UPDATES = [*EXCEPTION_PARTITIONS, "SKU#*", "AVAILABILITY#DIRTY", c.PK_ERP_GATEWAY]
EXCEPTION_RESOLUTION_PUTS = ["AUDIT#INVENTORY", "SKU#*"]


class OpsApiConstruct(Construct):
    """Everything `functions/ops` reads (see `functions/ops/settings.py`), and nothing more:

    - state and trace tables: read only (orders, positions, transaction timelines);
    - the orders parking queue: receive and delete (`POST /v1/ops/parked/orders/replay` takes each
      parked OrderFlow input off the queue once its new execution started);
    - OrderFlow: start executions (the replay);
    - resolving reconciliation exceptions (`POST /v1/ops/exceptions/{id}/resolve`): one transaction
      of the exception's status (UpdateItem), its audit entry (PutItem) and, to accept the WMS's
      count, the position (UpdateItem, or PutItem when we never had one) and the SKU's dirty marker
      (UpdateItem); each held to those partition keys by a `dynamodb:LeadingKeys` condition;
    - retrying an exception (`POST /v1/ops/exceptions/{id}/retry`): send its kept message back to
      its source queue (or start OrderFlow again), and count the retry on the exception (UpdateItem,
      same condition, every exception partition);
    - redriving a DLQ (`POST /v1/ops/dlq/{queue}/redrive`): infra/shared/dead_letters.py adds every
      queue with a DLQ once they exist (`serve_dead_letters`).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        core: CoreResources,
        order_flow: sfn.IStateMachine,
    ) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        parking_queue = core.queues.orders_parking
        orders_queue = core.queues.orders
        self.function: lambda_.Function = core.factory.function(
            self,
            specs.OPS_API,
            environment={
                **core.env(state=True, trace=True),
                c.ENV_ORDERS_PARKING_QUEUE_URL: parking_queue.queue_url,
                c.ENV_ORDER_FLOW_ARN: order_flow.state_machine_arn,
                c.ENV_ORDERS_QUEUE_URL: orders_queue.queue_url,
            },
        )
        fn = self.function
        # The same function, so the schedule reuses every grant a retry needs.
        schedule_rule(self, fn, specs.EXCEPTIONS_AUTO_RETRY)
        state_table.grant_read_data(fn)
        core.trace_table.grant_read_data(fn)
        # Not grant_consume_messages: the replay never changes visibility or reads attributes.
        parking_queue.grant(fn, "sqs:ReceiveMessage", "sqs:DeleteMessage")
        order_flow.grant_start_execution(fn)
        orders_queue.grant_send_messages(fn)
        for action, keys in (
            ("dynamodb:UpdateItem", EXCEPTION_RESOLUTION_UPDATES),
            ("dynamodb:PutItem", EXCEPTION_RESOLUTION_PUTS),
            # Releasing or cancelling a held order lets go of one that is no longer ON_HOLD.
            ("dynamodb:DeleteItem", [c.PK_HELD_ORDERS]),
        ):
            grant_leading_keys(state_table, fn, [action], keys)
