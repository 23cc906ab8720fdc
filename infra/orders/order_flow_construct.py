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
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra import constants as c
from infra.erp.gateway_wiring import ErpGatewayWiring
from infra.shared.function_factory import FunctionFactory
from infra.shared.nag import XRAY_REASON, acknowledge
from infra.storage.tables_construct import grant_state_partitions, grant_trace_append

ERP_THROTTLED = "ErpThrottled"
ERP_UNAVAILABLE = "ErpUnavailable"
ERP_REJECTED = "ErpRejected"
CONCURRENT_MODIFICATION = "ConcurrentModification"
# Lambda refusing the invoke: beyond a function's reserved concurrency (CreateErpSalesOrder has 5)
# or its account limit. A burst waits its turn instead of parking orders.
LAMBDA_THROTTLED = "Lambda.TooManyRequestsException"
# Transient Lambda service failures (what CDK's `retry_on_service_exceptions` covers, with jitter).
LAMBDA_SERVICE_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.ClientExecutionTimeoutException",
)

# The execution state fields each record_order call passes on, besides its status.
_RECORD_FIELDS = ("action", "correlation_id", "event_id", "order", "reservation", "received_at")


class OrderFlowConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        environment: str,
        state_table: dynamodb.ITable,
        trace_table: dynamodb.ITable,
        event_bus: events.IEventBus,
        parking_queue: sqs.IQueue,
        erp: ErpGatewayWiring,
        default_location_id: str,
        erp_concurrency: int,
        removal_policy: cdk.RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        tables_env = {c.ENV_STATE_TABLE: state_table.table_name, c.ENV_TRACE_TABLE: trace_table.table_name}

        self.reserve_stock = factory.function(
            self,
            c.ID_RESERVE_STOCK_FUNCTION,
            handler=c.HANDLER_RESERVE_STOCK,
            service="reserve-stock",
            description="OrderFlow: reserve stock for every line of an order, all or nothing",
            timeout_seconds=c.FLOW_STEP_TIMEOUT_SECONDS,
            environment={**tables_env, c.ENV_DEFAULT_FULFILMENT_LOCATION: default_location_id},
        )
        self.create_erp_sales_order = factory.function(
            self,
            c.ID_CREATE_ERP_SALES_ORDER_FUNCTION,
            handler=c.HANDLER_CREATE_ERP_SALES_ORDER,
            service="create-erp-sales-order",
            description="OrderFlow: upsert the sales order in the ERP (external id = our order id)",
            timeout_seconds=c.ERP_STEP_TIMEOUT_SECONDS,
            environment=tables_env,
            # Fewer writers than ERP slots is pointless: waiting invokes wait in Lambda's retry, not in a
            # running function (the gateway bounds every function's ERP calls together).
            reserved_concurrency=erp_concurrency or None,
        )
        self.record_order = factory.function(
            self,
            c.ID_RECORD_ORDER_FUNCTION,
            handler=c.HANDLER_RECORD_ORDER,
            service="record-order",
            description="OrderFlow: record the order's outcome and describe the event to publish",
            timeout_seconds=c.FLOW_STEP_TIMEOUT_SECONDS,
            environment=tables_env,
        )
        self.cancel_order = factory.function(
            self,
            c.ID_CANCEL_ORDER_FUNCTION,
            handler=c.HANDLER_CANCEL_ORDER,
            service="cancel-order",
            description="OrderFlow: cancel the order in the ERP, release its reservation, record it",
            timeout_seconds=c.ERP_STEP_TIMEOUT_SECONDS,
            environment=tables_env,
        )
        self.record_flow_failure = factory.function(
            self,
            c.ID_RECORD_FLOW_FAILURE_FUNCTION,
            handler=c.HANDLER_RECORD_FLOW_FAILURE,
            service="record-flow-failure",
            description="OrderFlow: a step that failed for good becomes an order exception with the flow input",
            timeout_seconds=c.FLOW_STEP_TIMEOUT_SECONDS,
            environment=tables_env,
        )
        # Least privilege on the state table (issue 14.5; local/key_audit.py checks what each touches):
        # a step that failed for good raises the order's exception, nothing else.
        grant_state_partitions(
            state_table, self.record_flow_failure, reads=[], writes=["EXCEPTION#ORDER"],
            write_actions=("dynamodb:PutItem", "dynamodb:UpdateItem"),
        )  # fmt: skip
        grant_trace_append(trace_table, self.record_flow_failure)
        # Reserve: the order is read (cancelled meanwhile?), the reservation and the positions written
        # in one transaction; a completed till sale writes its movement and, when the count did not
        # cover it, a reconciliation variance (shared/adapters/store_sale_store.py).
        grant_state_partitions(
            state_table,
            self.reserve_stock,
            reads=[c.PK_ORDERS, c.PK_RESERVATIONS, c.PK_POSITIONS, c.PK_MOVEMENTS, "EXCEPTION#RECONCILIATION"],
            writes=[c.PK_RESERVATIONS, c.PK_POSITIONS, c.PK_MOVEMENTS, "EXCEPTION#RECONCILIATION"],
        )
        grant_state_partitions(state_table, self.create_erp_sales_order, reads=[c.PK_ORDERS], writes=[])
        # Record: the order, its id pointers, and the held-orders list an ON_HOLD order joins and leaves.
        grant_state_partitions(state_table, self.record_order, writes=[c.PK_ORDERS, c.PK_ORDER_REFS, c.PK_HELD_ORDERS])
        # Cancel: the order (and its pointers), its reservation and the positions it gives back to.
        grant_state_partitions(
            state_table,
            self.cancel_order,
            writes=[c.PK_ORDERS, c.PK_ORDER_REFS, c.PK_RESERVATIONS, c.PK_POSITIONS],
        )
        for fn in (self.reserve_stock, self.create_erp_sales_order, self.record_order, self.cancel_order):
            grant_trace_append(trace_table, fn)

        self.state_machine = self._state_machine(
            environment=environment,
            trace_table=trace_table,
            event_bus=event_bus,
            parking_queue=parking_queue,
            removal_policy=removal_policy,
        )
        # Once the ERP answers again, parked orders go back through the flow with no operator.
        self.parked_replay, _ = factory.scheduled_function(
            self,
            c.ID_PARKED_REPLAY_FUNCTION,
            schedule_id=c.ID_PARKED_REPLAY_SCHEDULE,
            schedule=events.Schedule.rate(cdk.Duration.minutes(c.PARKED_REPLAY_MINUTES)),
            schedule_description="Replay the orders parked during an ERP outage once the ERP answers again",
            handler=c.HANDLER_REPLAY_PARKED,
            service="replay-parked",
            description="Post parked orders to the ERP one at a time, in the order accepted, once it answers again",
            # One run posts parked orders one at a time (about a second each) until 70 s before this.
            timeout_seconds=c.PARKED_REPLAY_TIMEOUT_SECONDS,
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
            erp.connect(fn)
        self.state_machine.grant_start_execution(self.parked_replay)
        # Orders ON_HOLD for stock start again, oldest first, once their lines are available.
        self.held_retry, _ = factory.scheduled_function(
            self,
            c.ID_HELD_RETRY_FUNCTION,
            schedule_id=c.ID_HELD_RETRY_SCHEDULE,
            schedule=events.Schedule.rate(cdk.Duration.minutes(c.HELD_RETRY_MINUTES)),
            schedule_description="Start again the orders ON_HOLD for stock whose lines are now available",
            handler=c.HANDLER_RETRY_HELD,
            service="retry-held",
            description="Look at orders ON_HOLD again, oldest first, once every line is available",
            timeout_seconds=60,
            environment={
                **tables_env,
                c.ENV_ORDER_FLOW_ARN: self.state_machine.state_machine_arn,
                c.ENV_DEFAULT_FULFILMENT_LOCATION: default_location_id,
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

    def _state_machine(
        self,
        *,
        environment: str,
        trace_table: dynamodb.ITable,
        event_bus: events.IEventBus,
        parking_queue: sqs.IQueue,
        removal_policy: cdk.RemovalPolicy,
    ) -> sfn.StateMachine:
        record_failure = tasks.LambdaInvoke(
            self,
            "RecordFlowFailure",
            lambda_function=self.record_flow_failure,
            payload=sfn.TaskInput.from_object(
                {
                    "input": sfn.JsonPath.object_at("$$.Execution.Input"),
                    "state": sfn.JsonPath.string_at("$.failed_state"),
                    "error": sfn.JsonPath.object_at("$.error"),
                    "execution_name": sfn.JsonPath.string_at("$$.Execution.Name"),
                    "started_at": sfn.JsonPath.string_at("$$.Execution.StartTime"),
                }
            ),
            payload_response_only=True,
            retry_on_service_exceptions=False,
            result_path="$.failure",
        )
        self._add_lambda_retries(record_failure)
        record_failure.next(
            sfn.Fail(
                self,
                "OrderFlowFailed",
                error_path="$.error.Error",
                cause="An OrderFlow step failed: see the order exception (GET /v1/ops/exceptions?kind=order)",
            )
        )

        def catch(
            task: tasks.LambdaInvoke | tasks.EventBridgePutEvents | tasks.DynamoPutItem | tasks.SqsSendMessage,
            errors: tuple[str, ...] = ("States.ALL",),
        ) -> None:
            """`task`'s failures, after its retries, to RecordFlowFailure with the step's name."""
            caught = sfn.Pass(
                self, f"{task.node.id}Caught", result=sfn.Result.from_string(task.node.id), result_path="$.failed_state"
            )
            caught.next(record_failure)
            task.add_catch(caught, errors=list(errors), result_path="$.error")

        reserve = self._invoke("ReserveStock", self.reserve_stock, result_path="$.reservation")
        reserve.add_retry(
            errors=[CONCURRENT_MODIFICATION],
            # ASL intervals are whole seconds; full jitter makes the mean wait half a second.
            interval=cdk.Duration.seconds(1),
            max_attempts=3,
            backoff_rate=1.0,
            jitter_strategy=sfn.JitterType.FULL,
        )

        create_erp = self._invoke("CreateErpSalesOrder", self.create_erp_sales_order, result_path="$.erp")
        self._add_erp_retries(create_erp)

        record_accepted = self._record("RecordAccepted", "ACCEPTED", extra=("erp",))
        record_on_hold = self._record("RecordOnHold", "ON_HOLD")
        record_erp_failed = self._record("RecordErpFailed", "ERP_FAILED", extra=("error",))
        catch(create_erp, (ERP_REJECTED,))  # first: a permanent refusal is not an outage to park
        create_erp.add_catch(record_erp_failed, errors=["States.ALL"], result_path="$.error")

        cancel = self._invoke("CancelOrder", self.cancel_order, result_path="$.recorded")
        self._add_erp_retries(cancel)

        publish = tasks.EventBridgePutEvents(
            self,
            "PublishEvent",
            entries=[
                tasks.EventBridgePutEventsEntry(
                    event_bus=event_bus,
                    source=c.EVENT_SOURCE,
                    detail_type=sfn.JsonPath.string_at("$.recorded.event_type"),
                    detail=sfn.TaskInput.from_json_path_at("$.recorded.detail"),
                )
            ],
            result_path=sfn.JsonPath.DISCARD,
        )
        entered = sfn.JsonPath.string_at("$$.State.EnteredTime")
        trace_published = tasks.DynamoPutItem(
            self,
            "TracePublished",
            table=trace_table,
            item={
                "correlation_id": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.correlation_id")),
                "sk": tasks.DynamoAttributeValue.from_string(
                    sfn.JsonPath.format("{}#flow#{}", entered, sfn.JsonPath.uuid())
                ),
                "at": tasks.DynamoAttributeValue.from_string(entered),
                "hop": tasks.DynamoAttributeValue.from_string("order-flow"),
                "status": tasks.DynamoAttributeValue.from_string("published"),
                "detail": tasks.DynamoAttributeValue.from_map(
                    {
                        "event_type": tasks.DynamoAttributeValue.from_string(
                            sfn.JsonPath.string_at("$.recorded.event_type")
                        )
                    }
                ),
            },
            result_path=sfn.JsonPath.DISCARD,
        )
        park = tasks.SqsSendMessage(
            self,
            "ParkOrder",
            queue=parking_queue,
            message_body=sfn.TaskInput.from_json_path_at("$$.Execution.Input"),
            result_path=sfn.JsonPath.DISCARD,
        )
        parked = sfn.Succeed(self, "OrderParked", comment="ERP unavailable: the input is parked for replay")
        park_cancel = tasks.SqsSendMessage(
            self,
            "ParkCancel",
            queue=parking_queue,
            message_body=sfn.TaskInput.from_json_path_at("$$.Execution.Input"),
            result_path=sfn.JsonPath.DISCARD,
        )
        park_cancel.next(parked)
        # The ERP still down (or throttling) after the retries: the cancel waits in the parking queue.
        cancel.add_catch(park_cancel, errors=[ERP_UNAVAILABLE, ERP_THROTTLED, LAMBDA_THROTTLED], result_path="$.error")
        done = sfn.Succeed(self, "Done")
        after_publish = (
            sfn.Choice(self, "ErpFailed?")
            .when(sfn.Condition.string_equals("$.recorded.event_type", "OrderErpFailed"), park.next(parked))
            .otherwise(done)
        )
        publish.next(trace_published).next(after_publish)
        for task in (
            reserve,
            record_accepted,
            record_on_hold,
            record_erp_failed,
            cancel,
            publish,
            trace_published,
            park,
            park_cancel,
        ):
            catch(task)
        for record in (record_accepted, record_on_hold, record_erp_failed):
            record.next(publish)
        cancel.next(publish)
        create_erp.next(record_accepted)

        reserved = (
            sfn.Choice(self, "Reserved?")
            .when(sfn.Condition.string_equals("$.reservation.outcome", "ON_HOLD"), record_on_hold)
            .when(
                sfn.Condition.string_equals("$.reservation.outcome", "CANCELLED"),
                sfn.Succeed(self, "SkipCancelled"),
            )
            .otherwise(create_erp)
        )
        reserve.next(reserved)
        route = (
            sfn.Choice(self, "Route").when(sfn.Condition.string_equals("$.action", "cancel"), cancel).otherwise(reserve)
        )

        log_group = logs.LogGroup(
            self,
            "Logs",
            # The vendedlogs prefix keeps the account's CloudWatch Logs resource policy small.
            log_group_name=f"/aws/vendedlogs/states/{c.SERVICE}-{environment}-order-flow",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=removal_policy,
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
        resource = machine.node.default_child
        assert isinstance(resource, sfn.CfnStateMachine)
        resource.override_logical_id(c.ID_ORDER_FLOW)

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

    def _invoke(self, state_name: str, fn: lambda_.IFunction, *, result_path: str) -> tasks.LambdaInvoke:
        """A Lambda step whose result is the function's own return value (no invoke metadata)."""
        task = tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=fn,
            payload_response_only=True,
            retry_on_service_exceptions=False,
            result_path=result_path,
        )
        self._add_lambda_retries(task)
        return task

    def _record(self, state_name: str, status: str, *, extra: tuple[str, ...] = ()) -> tasks.LambdaInvoke:
        """record_order with the execution state plus `status` (JSONPath cannot merge objects)."""
        payload = {
            "status": status,
            **{field: sfn.JsonPath.object_at(f"$.{field}") for field in (*_RECORD_FIELDS, *extra)},
        }
        task = tasks.LambdaInvoke(
            self,
            state_name,
            lambda_function=self.record_order,
            payload=sfn.TaskInput.from_object(payload),
            payload_response_only=True,
            retry_on_service_exceptions=False,
            result_path="$.recorded",
        )
        self._add_lambda_retries(task)
        return task

    @staticmethod
    def _add_lambda_retries(task: tasks.LambdaInvoke) -> None:
        """Every Lambda step waits out Lambda's own refusals with exponential backoff and FULL jitter
        (waits spread uniformly up to the growing cap, so a throttled burst does not retry in step).

        Throttling gets more attempts than service errors: at reserved concurrency 5 a burst of
        orders drains in rounds. Worst case (every wait at its cap): 1+2+4+8+16+20+20+20 = 91 s,
        inside the flow's 300 s timeout; the mean is half of it. Only after that does
        CreateErpSalesOrder's catch park the order.
        """
        task.add_retry(
            errors=[LAMBDA_THROTTLED],
            interval=cdk.Duration.seconds(1),
            backoff_rate=2.0,
            max_attempts=8,
            max_delay=cdk.Duration.seconds(20),
            jitter_strategy=sfn.JitterType.FULL,
        )
        task.add_retry(
            errors=list(LAMBDA_SERVICE_ERRORS),
            interval=cdk.Duration.seconds(1),
            backoff_rate=2.0,
            max_attempts=6,
            max_delay=cdk.Duration.seconds(20),
            jitter_strategy=sfn.JitterType.FULL,
        )

    @staticmethod
    def _add_erp_retries(task: tasks.LambdaInvoke) -> None:
        task.add_retry(
            errors=[ERP_THROTTLED],
            interval=cdk.Duration.seconds(1),
            backoff_rate=2.0,
            max_attempts=6,
            jitter_strategy=sfn.JitterType.FULL,
        )
        task.add_retry(
            errors=[ERP_UNAVAILABLE],
            interval=cdk.Duration.seconds(2),
            backoff_rate=2.0,
            max_attempts=3,
        )
