"""The `_function(...)` factory: every Lambda in the stack is made here, the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.config import StackConfig
from infra.shared.logical_ids import pin_logical_id
from infra.shared.nag import XRAY_REASON, acknowledge_resource
from infra.shared.queues import QueueWithDlq


@dataclass(frozen=True)
class ScheduleSpec:
    """The EventBridge schedule that runs a function. The rule's logical id is `rule_id` unless
    `stable_rule_id` is False (the id CDK derives from the construct path)."""

    rule_id: str
    schedule: events.Schedule
    description: str
    retry_attempts: int = 0
    max_event_age: cdk.Duration | None = None
    stable_rule_id: bool = True


@dataclass(frozen=True)
class ConsumerQueue:
    """A consumer's own work queue and its DLQ; with `rule_id`, a rule on the domain bus feeds it
    our events of `detail_types`."""

    queue_id: str
    dlq_id: str
    rule_id: str | None = None
    detail_types: tuple[str, ...] = ()
    rule_description: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """One Lambda function as the stack knows it (infra/function_specs.py lists them all)."""

    construct_id: str
    handler: str
    service: str
    description: str
    timeout_seconds: int
    memory_size: int = 256
    # Set: the function is run by this schedule, one run at a time (reserved concurrency 1).
    schedule: ScheduleSpec | None = None
    # Set: the function consumes this queue of its own (`FunctionFactory.consumer`).
    queue: ConsumerQueue | None = None


class QueueConsumer(NamedTuple):
    function: lambda_.Function
    queues: QueueWithDlq


class FunctionFactory:
    """Python 3.12 / x86_64 functions sharing one code asset, with Powertools settings, active
    tracing, a retained log group and a role that starts with nothing but that log group."""

    def __init__(self, config: StackConfig, code: lambda_.Code) -> None:
        self._config = config
        self._code = code
        # Every function a schedule runs, by construct id: nobody waits on them, so each gets an
        # errors alarm (infra/observability/dashboard_construct.py).
        self.scheduled: dict[str, lambda_.Function] = {}
        self._tracing: iam.Policy | None = None

    def _tracing_policy(self, scope: Construct) -> iam.Policy:
        """One policy, attached to every function's role, for what active tracing needs: X-Ray's
        PutTraceSegments / PutTelemetryRecords, which only accept Resource "*". CDK's `tracing=ACTIVE`
        would add the same statement to each role's own policy (a `Resource::*` finding per function);
        here there is one, acknowledged once on this policy, and tests/infra/test_permissions.py still
        fails on any other "*" resource."""
        if self._tracing is None:
            stack = cdk.Stack.of(scope)
            self._tracing = iam.Policy(
                stack,
                "FunctionTracingPolicy",
                statements=[
                    iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
                ],
            )
            acknowledge_resource(self._tracing, "AwsSolutions-IAM5[Resource::*]", XRAY_REASON)
        return self._tracing

    @property
    def common_environment(self) -> dict[str, str]:
        return {
            c.ENV_ENVIRONMENT_NAME: self._config.environment,
            c.ENV_POWERTOOLS_METRICS_NAMESPACE: c.METRICS_NAMESPACE,
            c.ENV_LOG_LEVEL: self._config.log_level,
            c.ENV_PYDANTIC_DISABLE_PLUGINS: "__all__",
        }

    def function(
        self,
        scope: Construct,
        spec: FunctionSpec,
        *,
        environment: Mapping[str, str] | None = None,
        reserved_concurrency: int | None = None,
        schedule: events.Schedule | None = None,
        enabled: bool = True,
    ) -> lambda_.Function:
        """The function `spec` describes. A scheduled one (`spec.schedule`) runs one run at a time
        (reserved concurrency 1: two runs would race for the same items or watermark); `schedule`
        replaces the spec's expression (a configured one), `enabled` False leaves the rule off."""
        construct_id = spec.construct_id
        if spec.schedule is not None:
            reserved_concurrency = 1
        removal = cdk.RemovalPolicy.RETAIN if self._config.is_production else cdk.RemovalPolicy.DESTROY
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=removal,
        )
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{c.SERVICE} {spec.service}: only what this function uses",
        )
        # Only its own log group, instead of AWSLambdaBasicExecutionRole's logs:* on every group.
        log_group.grant_write(role)

        fn = lambda_.Function(
            scope,
            construct_id,
            description=spec.description,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=spec.handler,
            code=self._code,
            memory_size=spec.memory_size,
            timeout=cdk.Duration.seconds(spec.timeout_seconds),
            role=role,
            log_group=log_group,
            reserved_concurrent_executions=reserved_concurrency,
            environment={
                **self.common_environment,
                c.ENV_POWERTOOLS_SERVICE_NAME: spec.service,
                **(environment or {}),
            },
        )
        # A readable, stable logical id: the local stack and the tests find functions by it.
        pin_logical_id(fn, construct_id)
        fn_resource = fn.node.default_child
        assert isinstance(fn_resource, lambda_.CfnFunction)
        # Active tracing, its permission from the shared tracing policy (not one statement per role).
        fn_resource.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        tracing = self._tracing_policy(scope)
        tracing.attach_to_role(role)
        fn.node.add_dependency(tracing)
        if spec.schedule is not None:
            schedule_rule(scope, fn, spec.schedule, schedule=schedule, enabled=enabled)
            self.scheduled[construct_id] = fn
        return fn


def consume_queue(
    fn: lambda_.Function,
    queue: sqs.IQueue,
    *,
    batch_size: int,
    max_batching_window_seconds: int = c.QUEUE_MAX_BATCHING_WINDOW_SECONDS,
    max_concurrency: int | None = None,
) -> None:
    """Feed `fn` from `queue` through an event source mapping with partial batch responses
    (ReportBatchItemFailures: only the failed messages are retried)."""
    fn.add_event_source(
        event_sources.SqsEventSource(
            queue,
            batch_size=batch_size,
            max_batching_window=cdk.Duration.seconds(max_batching_window_seconds),
            max_concurrency=max_concurrency,
            report_batch_item_failures=True,
        )
    )


def schedule_rule(
    scope: Construct,
    fn: lambda_.IFunction,
    spec: ScheduleSpec,
    *,
    schedule: events.Schedule | None = None,
    enabled: bool = True,
) -> events.Rule:
    """The rule `spec` describes, running `fn` (on `schedule` instead of the spec's, when given)."""
    rule = events.Rule(
        scope,
        spec.rule_id,
        description=spec.description,
        schedule=schedule or spec.schedule,
        enabled=enabled,
        targets=[targets.LambdaFunction(fn, retry_attempts=spec.retry_attempts, max_event_age=spec.max_event_age)],
    )
    if spec.stable_rule_id:
        pin_logical_id(rule, spec.rule_id)
    return rule
