"""OrderFlow's definition: the state chain (JSONPath, so the local stack's interpreter runs it);
the construct (order_flow_construct.py) makes its functions, the state machine and its grants.

    Route (action) -cancel-> CancelOrder -> PublishEvent -> TracePublished -> ErpFailed? -> Done
                  -accept-> ReserveStock -> Reserved? -ON_HOLD-> RecordOnHold -> PublishEvent ...
                                                   -CANCELLED-> SkipCancelled
                                                   -review-> RecordInReview -> PublishEvent ...
                                                   -else-> CreateErpSalesOrder -> RecordAccepted
                                                           (outage: RecordErpFailed -> ... ParkOrder)

Lambda errors surface as their `errorType` (the exception class name), which Retry/Catch match;
every step's failure after its retries goes to `<step>Caught` -> RecordFlowFailure -> OrderFlowFailed.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra import constants as c

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


@dataclass(frozen=True)
class OrderFlowFunctions:
    reserve_stock: lambda_.IFunction
    create_erp_sales_order: lambda_.IFunction
    record_order: lambda_.IFunction
    cancel_order: lambda_.IFunction
    record_flow_failure: lambda_.IFunction


def order_flow_definition(
    scope: Construct,
    fns: OrderFlowFunctions,
    *,
    trace_table: dynamodb.ITable,
    event_bus: events.IEventBus,
    parking_queue: sqs.IQueue,
) -> sfn.IChainable:
    """The chain from its first state (`Route`); states are created in `scope` (their ids as before)."""
    record_failure = tasks.LambdaInvoke(
        scope,
        "RecordFlowFailure",
        lambda_function=fns.record_flow_failure,
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
    _add_lambda_retries(record_failure)
    record_failure.next(
        sfn.Fail(
            scope,
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
            scope, f"{task.node.id}Caught", result=sfn.Result.from_string(task.node.id), result_path="$.failed_state"
        )
        caught.next(record_failure)
        task.add_catch(caught, errors=list(errors), result_path="$.error")

    reserve = _invoke(scope, "ReserveStock", fns.reserve_stock, result_path="$.reservation")
    reserve.add_retry(
        errors=[CONCURRENT_MODIFICATION],
        # ASL intervals are whole seconds; full jitter makes the mean wait half a second.
        interval=cdk.Duration.seconds(1),
        max_attempts=3,
        backoff_rate=1.0,
        jitter_strategy=sfn.JitterType.FULL,
    )

    create_erp = _invoke(scope, "CreateErpSalesOrder", fns.create_erp_sales_order, result_path="$.erp")
    _add_erp_retries(create_erp)

    record_accepted = _record(scope, fns.record_order, "RecordAccepted", "ACCEPTED", extra=("erp",))
    record_on_hold = _record(scope, fns.record_order, "RecordOnHold", "ON_HOLD")
    # Reserved but waiting for its payment or a person (shared/review.py): no ERP order yet.
    record_in_review = _record(scope, fns.record_order, "RecordInReview", "IN_REVIEW")
    record_erp_failed = _record(scope, fns.record_order, "RecordErpFailed", "ERP_FAILED", extra=("error",))
    catch(create_erp, (ERP_REJECTED,))  # first: a permanent refusal is not an outage to park
    create_erp.add_catch(record_erp_failed, errors=["States.ALL"], result_path="$.error")

    cancel = _invoke(scope, "CancelOrder", fns.cancel_order, result_path="$.recorded")
    _add_erp_retries(cancel)

    publish = tasks.EventBridgePutEvents(
        scope,
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
        scope,
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
                {"event_type": tasks.DynamoAttributeValue.from_string(sfn.JsonPath.string_at("$.recorded.event_type"))}
            ),
        },
        result_path=sfn.JsonPath.DISCARD,
    )
    park = tasks.SqsSendMessage(
        scope,
        "ParkOrder",
        queue=parking_queue,
        message_body=sfn.TaskInput.from_json_path_at("$$.Execution.Input"),
        result_path=sfn.JsonPath.DISCARD,
    )
    parked = sfn.Succeed(scope, "OrderParked", comment="ERP unavailable: the input is parked for replay")
    park_cancel = tasks.SqsSendMessage(
        scope,
        "ParkCancel",
        queue=parking_queue,
        message_body=sfn.TaskInput.from_json_path_at("$$.Execution.Input"),
        result_path=sfn.JsonPath.DISCARD,
    )
    park_cancel.next(parked)
    # The ERP still down (or throttling) after the retries: the cancel waits in the parking queue.
    cancel.add_catch(park_cancel, errors=[ERP_UNAVAILABLE, ERP_THROTTLED, LAMBDA_THROTTLED], result_path="$.error")
    done = sfn.Succeed(scope, "Done")
    after_publish = (
        sfn.Choice(scope, "ErpFailed?")
        .when(sfn.Condition.string_equals("$.recorded.event_type", "OrderErpFailed"), park.next(parked))
        .otherwise(done)
    )
    publish.next(trace_published).next(after_publish)
    for task in (
        reserve,
        record_accepted,
        record_on_hold,
        record_in_review,
        record_erp_failed,
        cancel,
        publish,
        trace_published,
        park,
        park_cancel,
    ):
        catch(task)
    for record in (record_accepted, record_on_hold, record_in_review, record_erp_failed):
        record.next(publish)
    cancel.next(publish)
    create_erp.next(record_accepted)

    reserved = (
        sfn.Choice(scope, "Reserved?")
        .when(sfn.Condition.string_equals("$.reservation.outcome", "ON_HOLD"), record_on_hold)
        .when(
            sfn.Condition.string_equals("$.reservation.outcome", "CANCELLED"),
            sfn.Succeed(scope, "SkipCancelled"),
        )
        .when(sfn.Condition.is_string("$.reservation.review"), record_in_review)
        .otherwise(create_erp)
    )
    reserve.next(reserved)
    route = (
        sfn.Choice(scope, "Route").when(sfn.Condition.string_equals("$.action", "cancel"), cancel).otherwise(reserve)
    )
    return route


def _invoke(scope: Construct, state_name: str, fn: lambda_.IFunction, *, result_path: str) -> tasks.LambdaInvoke:
    """A Lambda step whose result is the function's own return value (no invoke metadata)."""
    task = tasks.LambdaInvoke(
        scope,
        state_name,
        lambda_function=fn,
        payload_response_only=True,
        retry_on_service_exceptions=False,
        result_path=result_path,
    )
    _add_lambda_retries(task)
    return task


def _record(
    scope: Construct, record_order: lambda_.IFunction, state_name: str, status: str, *, extra: tuple[str, ...] = ()
) -> tasks.LambdaInvoke:
    """record_order with the execution state plus `status` (JSONPath cannot merge objects)."""
    payload = {
        "status": status,
        **{field: sfn.JsonPath.object_at(f"$.{field}") for field in (*_RECORD_FIELDS, *extra)},
    }
    task = tasks.LambdaInvoke(
        scope,
        state_name,
        lambda_function=record_order,
        payload=sfn.TaskInput.from_object(payload),
        payload_response_only=True,
        retry_on_service_exceptions=False,
        result_path="$.recorded",
    )
    _add_lambda_retries(task)
    return task


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
