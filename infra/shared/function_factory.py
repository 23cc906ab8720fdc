"""The `_function(...)` factory: every Lambda in the stack is made here, the same way."""

from __future__ import annotations

from collections.abc import Mapping

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
from infra.shared.nag import XRAY_REASON, acknowledge_resource


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
                    iam.PolicyStatement(
                        actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
                    )
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
        construct_id: str,
        *,
        handler: str,
        service: str,
        description: str,
        timeout_seconds: int,
        environment: Mapping[str, str] | None = None,
        memory_size: int = 256,
        reserved_concurrency: int | None = None,
    ) -> lambda_.Function:
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
            description=f"{c.SERVICE} {service}: only what this function uses",
        )
        # Only its own log group, instead of AWSLambdaBasicExecutionRole's logs:* on every group.
        log_group.grant_write(role)

        fn = lambda_.Function(
            scope,
            construct_id,
            description=description,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=handler,
            code=self._code,
            memory_size=memory_size,
            timeout=cdk.Duration.seconds(timeout_seconds),
            role=role,
            log_group=log_group,
            reserved_concurrent_executions=reserved_concurrency,
            environment={
                **self.common_environment,
                c.ENV_POWERTOOLS_SERVICE_NAME: service,
                **(environment or {}),
            },
        )
        # A readable, stable logical id: the local stack and the tests find functions by it.
        fn_resource = fn.node.default_child
        assert isinstance(fn_resource, lambda_.CfnFunction)
        fn_resource.override_logical_id(construct_id)
        # Active tracing, its permission from the shared tracing policy (not one statement per role).
        fn_resource.tracing_config = lambda_.CfnFunction.TracingConfigProperty(mode="Active")
        tracing = self._tracing_policy(scope)
        tracing.attach_to_role(role)
        fn.node.add_dependency(tracing)
        return fn

    def scheduled_function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        schedule_id: str,
        schedule: events.Schedule,
        schedule_description: str,
        handler: str,
        service: str,
        description: str,
        timeout_seconds: int,
        environment: Mapping[str, str] | None = None,
        enabled: bool = True,
        retry_attempts: int = 0,
        max_event_age: cdk.Duration | None = None,
        stable_rule_id: bool = True,
    ) -> tuple[lambda_.Function, events.Rule]:
        """A function run by an EventBridge schedule, one run at a time (reserved concurrency 1: two
        runs would race for the same items or watermark). The rule's logical id is `schedule_id`
        unless `stable_rule_id` is False (the id CDK derives from the construct path)."""
        fn = self.function(
            scope,
            construct_id,
            handler=handler,
            service=service,
            description=description,
            timeout_seconds=timeout_seconds,
            reserved_concurrency=1,
            environment=environment,
        )
        rule = events.Rule(
            scope,
            schedule_id,
            description=schedule_description,
            schedule=schedule,
            enabled=enabled,
            targets=[targets.LambdaFunction(fn, retry_attempts=retry_attempts, max_event_age=max_event_age)],
        )
        self.scheduled[construct_id] = fn
        if stable_rule_id:
            rule_resource = rule.node.default_child
            assert isinstance(rule_resource, events.CfnRule)
            rule_resource.override_logical_id(schedule_id)
        return fn, rule


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
