"""OrderFlow: the Express state machine that accepts or cancels one order (docs/wiring.md).

JSONPath (not JSONata) so the local stack's interpreter runs the same definition.
Lambda errors surface as their `errorType` (the exception class name), which Retry/Catch match.

No step fails without its input kept (issue 13.6, issue 10.5): the execution is started
asynchronously, so its SQS message is gone by then. After its retries:
- an ERP outage while creating the sales order records ERP_FAILED and parks the input; while
  cancelling, the input is parked as it is (the parking queue's replay runs the cancel again);
  a parked order ends the execution SUCCEEDED (`OrderParked`): parking is the designed outcome of an
  outage, watched by the parking queue's age alarm, not an OrderFlow failure alarm;
- anything else (a permanent ERP 4xx, `ErpRejected`, included: replaying it would meet the same
  refusal) goes to `<step>Caught` -> RecordFlowFailure, which raises one `order` exception with the
  execution input (retried by `POST /v1/ops/exceptions/{id}/retry`), and the execution ends FAILED.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.orders.order_flow_definition import OrderFlowFunctions, order_flow_definition
from infra.shared.core import CoreResources
from infra.shared.logical_ids import pin_logical_id
from infra.shared.nag import XRAY_REASON, acknowledge
from infra.storage.tables_construct import grant_state_partitions, grant_trace_append


class OrderFlowConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        trace_table = core.trace_table
        parking_queue = core.queues.orders_parking
        default_location = {c.ENV_DEFAULT_FULFILMENT_LOCATION: core.config.default_location_id}
        tables_env = core.env(state=True, trace=True)

        self.reserve_stock = core.factory.function(
            self, specs.RESERVE_STOCK, environment={**tables_env, **default_location}
        )
        self.create_erp_sales_order = core.factory.function(
            self,
            specs.CREATE_ERP_SALES_ORDER,
            environment=tables_env,
            # Fewer writers than ERP slots is pointless: waiting invokes wait in Lambda's retry, not in a
            # running function (the gateway bounds every function's ERP calls together).
            reserved_concurrency=core.config.erp_concurrency or None,
        )
        self.record_order = core.factory.function(self, specs.RECORD_ORDER, environment=tables_env)
        self.cancel_order = core.factory.function(
            self, specs.CANCEL_ORDER, environment={**tables_env, c.ENV_WMS_BASE_URL: core.channel_apis.wms_base_url}
        )
        self.record_flow_failure = core.factory.function(self, specs.RECORD_FLOW_FAILURE, environment=tables_env)
        # Least privilege on the state table (issue 14.5; local/key_audit.py checks what each touches):
        # a step that failed for good raises the order's exception; one the ERP refused for good also
        # has its reservation discarded and its positions' units given back (the compensation).
        grant_state_partitions(
            state_table, self.record_flow_failure, reads=[], writes=["EXCEPTION#ORDER"],
            write_actions=("dynamodb:PutItem", "dynamodb:UpdateItem"),
        )  # fmt: skip
        grant_state_partitions(
            state_table,
            self.record_flow_failure,
            writes=[c.PK_RESERVATIONS, c.PK_POSITIONS],
            write_actions=("dynamodb:UpdateItem", "dynamodb:DeleteItem"),
        )
        grant_trace_append(trace_table, self.record_flow_failure)
        # Reserve: the order is read (cancelled meanwhile?) with its SKUs' price master (the review's
        # reference), the reservation and the positions written in one transaction; a short order's
        # SKUs are looked up in the product master and the positions, and one nobody knows raises the
        # order's validation exception; a completed till sale writes its movement and, when the count
        # did not cover it, a reconciliation variance (shared/adapters/store_sale_store.py).
        grant_state_partitions(
            state_table,
            self.reserve_stock,
            reads=[
                c.PK_ORDERS, c.PK_RESERVATIONS, c.PK_POSITIONS, c.PK_MOVEMENTS, "EXCEPTION#RECONCILIATION",
                "EXCEPTION#ORDER", "PRODUCT#*", "PRICE#*",
            ],
            writes=[c.PK_RESERVATIONS, c.PK_POSITIONS, c.PK_MOVEMENTS, "EXCEPTION#RECONCILIATION", "EXCEPTION#ORDER"],
        )  # fmt: skip
        grant_state_partitions(state_table, self.create_erp_sales_order, reads=[c.PK_ORDERS], writes=[])
        # Record: the order, its id pointers, and the held-orders list an ON_HOLD order joins and leaves.
        grant_state_partitions(state_table, self.record_order, writes=[c.PK_ORDERS, c.PK_ORDER_REFS, c.PK_HELD_ORDERS])
        # Cancel: the order (and its pointers), its reservation and the positions it gives back to, and
        # its fulfilment instructions (what the warehouse stopped or refused).
        grant_state_partitions(
            state_table,
            self.cancel_order,
            writes=[c.PK_ORDERS, c.PK_ORDER_REFS, c.PK_RESERVATIONS, c.PK_POSITIONS, c.PK_INSTRUCTIONS],
        )
        for fn in (self.reserve_stock, self.create_erp_sales_order, self.record_order, self.cancel_order):
            grant_trace_append(trace_table, fn)

        self.state_machine = self._state_machine(core)
        # Once the ERP answers again, parked orders go back through the flow with no operator.
        self.parked_replay = core.factory.function(
            self,
            specs.PARKED_REPLAY,
            environment={
                c.ENV_ORDERS_PARKING_QUEUE_URL: parking_queue.queue_url,
                c.ENV_ORDER_FLOW_ARN: self.state_machine.state_machine_arn,
            },
        )
        parking_queue.grant(
            self.parked_replay, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"
        )
        # It reads each replayed order's item (its outcome) and closes the ERP backlog (its grant below).
        grant_state_partitions(state_table, self.parked_replay, reads=[c.PK_ORDERS], writes=[])
        # RecordErpFailed (the record step) opens the ERP backlog an order joins when it is parked.
        grant_state_partitions(
            state_table, self.record_order, reads=[], writes=[c.PK_ERP_GATEWAY], write_actions=("dynamodb:UpdateItem",)
        )
        # Order acceptance, cancellation and the parked replay are the ERP gateway's priority lane.
        for fn in (self.create_erp_sales_order, self.cancel_order, self.parked_replay):
            core.erp.connect(fn)
        self.state_machine.grant_start_execution(self.parked_replay)
        # Orders ON_HOLD for stock start again, oldest first, once their lines are available.
        self.held_retry = core.factory.function(
            self,
            specs.HELD_RETRY,
            environment={
                **tables_env,
                c.ENV_ORDER_FLOW_ARN: self.state_machine.state_machine_arn,
                **default_location,
            },
        )
        # Reads the held list, the orders and the positions; starts flows; deletes from the held list
        # only an order that is no longer ON_HOLD (cancelled, by its channel or by an operator).
        grant_state_partitions(
            state_table, self.held_retry, reads=[c.PK_HELD_ORDERS, c.PK_ORDERS, c.PK_POSITIONS], writes=[]
        )
        grant_state_partitions(
            state_table, self.held_retry, reads=[], writes=[c.PK_HELD_ORDERS], write_actions=("dynamodb:DeleteItem",)
        )
        self.state_machine.grant_start_execution(self.held_retry)

    def _state_machine(self, core: CoreResources) -> sfn.StateMachine:
        route = order_flow_definition(
            self,
            OrderFlowFunctions(
                reserve_stock=self.reserve_stock,
                create_erp_sales_order=self.create_erp_sales_order,
                record_order=self.record_order,
                cancel_order=self.cancel_order,
                record_flow_failure=self.record_flow_failure,
            ),
            trace_table=core.trace_table,
            event_bus=core.event_bus,
            parking_queue=core.queues.orders_parking,
        )

        log_group = logs.LogGroup(
            self,
            "Logs",
            # The vendedlogs prefix keeps the account's CloudWatch Logs resource policy small.
            log_group_name=f"/aws/vendedlogs/states/{c.SERVICE}-{core.environment}-order-flow",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=core.removal_policy,
        )
        machine = sfn.StateMachine(
            self,
            c.ID_ORDER_FLOW,
            state_machine_type=sfn.StateMachineType.EXPRESS,
            definition_body=sfn.DefinitionBody.from_chainable(route),
            timeout=cdk.Duration.seconds(c.ORDER_FLOW_TIMEOUT_SECONDS),
            tracing_enabled=True,
            logs=sfn.LogOptions(
                destination=log_group,
                # Failures only: the trace table already holds every hop's timeline, and ALL logs
                # ~35 history events per order (~$6 per 1M orders in vended logs, `make bench`).
                level=sfn.LogLevel.ERROR,
                # Orders carry names and addresses.
                include_execution_data=False,
            ),
            comment="Accept or cancel one order: reserve stock, ERP sales order, record, publish",
        )
        pin_logical_id(machine, c.ID_ORDER_FLOW)

        acknowledge(
            machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            XRAY_REASON + "; CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) likewise only accept '*'",
        )
        acknowledge(
            machine,
            "AwsSolutions-SF1",
            "OrderFlow logs ERROR events (failures, with their cause); every successful hop is "
            "already written to the trace table under the order's correlation id, and ALL would log "
            "~35 history events per order (about $6 per 1M orders, `python -m bench cost`)",
        )
        for logical_id in (
            c.ID_RESERVE_STOCK_FUNCTION,
            c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
            c.ID_RECORD_ORDER_FUNCTION,
            c.ID_CANCEL_ORDER_FUNCTION,
            c.ID_RECORD_FLOW_FAILURE_FUNCTION,
        ):
            acknowledge(
                machine.role,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                "CDK grants lambda:InvokeFunction on the function and its versions/aliases (<arn>:*) so "
                "a task can invoke a qualified ARN; limited to this one flow step function",
            )
        return machine
