"""ReturnFlow's definition: the state chain (JSONPath, so the local stack's interpreter runs it).

    ApplyPolicy -> Approved? -no-> ReportRejected -> Rejected (Succeed)
                             -yes-> AuthorizeReturn -> AwaitInspection (.waitForTaskToken,
    TimeoutSecondsPath $.inspection_timeout_seconds) -> SettleReturn -> PostRefund -> ReportOutcome
    -> Done.  Every task (ApplyPolicy, AuthorizeReturn, AwaitInspection (States.Timeout included),
    SettleReturn, PostRefund, ReportOutcome, ReportRejected) catches States.ALL -> RecordException
    (a return exception; one that failed before the return was stored keeps the request) ->
    ReturnFailed (Fail: the execution ends FAILED with the error's name, so an inspection that
    never comes raises instead of waiting).

Lambda errors surface as their `errorType` (the exception class name), which Retry/Catch match.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

# Outside systems' transient failures (adapters map 429 / 5xx / timeouts to these class names).
# The ERP's own names and the rest of the family's (the channel refund, Loop: shared/errors.py).
THROTTLED = ("ErpThrottled", "Throttled")
UNAVAILABLE = ("ErpUnavailable", "Unavailable")
LAMBDA_ERRORS = (
    "Lambda.TooManyRequestsException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
)
CONFLICT = ("StaleReturn",)


@dataclass(frozen=True)
class ReturnFlowFunctions:
    apply_policy: lambda_.IFunction
    authorize: lambda_.IFunction
    await_inspection: lambda_.IFunction
    settle: lambda_.IFunction
    post_refund: lambda_.IFunction
    report_outcome: lambda_.IFunction
    record_exception: lambda_.IFunction


def _key(**extra: object) -> sfn.TaskInput:
    return sfn.TaskInput.from_object(
        {
            "return_key": sfn.JsonPath.string_at("$.return_key"),
            "correlation_id": sfn.JsonPath.string_at("$.correlation_id"),
            **extra,
        }
    )


def _retries(task: tasks.LambdaInvoke, *, outside: bool) -> tasks.LambdaInvoke:
    task.add_retry(
        errors=list(LAMBDA_ERRORS),
        interval=cdk.Duration.seconds(1),
        backoff_rate=2.0,
        max_attempts=6,
        jitter_strategy=sfn.JitterType.FULL,
    )
    task.add_retry(errors=list(CONFLICT), interval=cdk.Duration.seconds(1), max_attempts=3)
    if outside:
        task.add_retry(
            errors=list(THROTTLED),
            interval=cdk.Duration.seconds(1),
            backoff_rate=2.0,
            max_attempts=6,
            jitter_strategy=sfn.JitterType.FULL,
        )
        # A return is not urgent to the minute: an outage is waited out for about an hour.
        task.add_retry(
            errors=list(UNAVAILABLE),
            interval=cdk.Duration.seconds(2),
            backoff_rate=2.0,
            max_attempts=10,
            max_delay=cdk.Duration.seconds(900),
        )
    return task


def return_flow_definition(scope: Construct, fns: ReturnFlowFunctions) -> sfn.IChainable:
    def invoke(
        name: str, fn: lambda_.IFunction, payload: sfn.TaskInput, result_path: str, *, outside: bool = False
    ) -> tasks.LambdaInvoke:
        task = tasks.LambdaInvoke(
            scope,
            name,
            lambda_function=fn,
            payload=payload,
            payload_response_only=True,
            retry_on_service_exceptions=False,
            result_path=result_path,
        )
        return _retries(task, outside=outside)

    record_exception = invoke(
        "RecordException",
        fns.record_exception,
        _key(error=sfn.JsonPath.object_at("$.error"), request=sfn.JsonPath.object_at("$.request")),
        "$.recorded",
    )
    failed = sfn.Fail(
        scope,
        "ReturnFailed",
        error_path="$.error.Error",
        cause="The return needs a person: see its exception and trace",
    )
    record_exception.next(failed)

    apply_policy = invoke(
        "ApplyPolicy",
        fns.apply_policy,
        sfn.TaskInput.from_object(
            {
                "request": sfn.JsonPath.object_at("$.request"),
                "correlation_id": sfn.JsonPath.string_at("$.correlation_id"),
            }
        ),
        "$.policy",
    )
    authorize = invoke("AuthorizeReturn", fns.authorize, _key(), "$.authorization", outside=True)
    await_inspection = tasks.LambdaInvoke(
        scope,
        "AwaitInspection",
        lambda_function=fns.await_inspection,
        integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload=_key(task_token=sfn.JsonPath.task_token),
        task_timeout=sfn.Timeout.at("$.inspection_timeout_seconds"),
        retry_on_service_exceptions=False,
        result_path="$.handed_over",
    )
    _retries(await_inspection, outside=False)
    settle = invoke(
        "SettleReturn",
        fns.settle,
        _key(inspection=sfn.JsonPath.object_at("$.handed_over.inspection")),
        "$.settlement",
    )
    post_refund = invoke("PostRefund", fns.post_refund, _key(), "$.refund", outside=True)
    report = invoke("ReportOutcome", fns.report_outcome, _key(), "$.reported", outside=True)
    report_rejected = invoke("ReportRejected", fns.report_outcome, _key(), "$.reported", outside=True)
    for step in (apply_policy, authorize, await_inspection, settle, post_refund, report, report_rejected):
        step.add_catch(record_exception, errors=["States.ALL"], result_path="$.error")

    report_rejected.next(sfn.Succeed(scope, "Rejected"))
    authorize.next(await_inspection).next(settle).next(post_refund).next(report).next(sfn.Succeed(scope, "Done"))
    return apply_policy.next(
        sfn.Choice(scope, "Approved?")
        .when(sfn.Condition.boolean_equals("$.policy.approved", True), authorize)
        .otherwise(report_rejected)
    )
