"""The `_function(...)` factory: every Lambda in the stack is made here, the same way."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import constants as c
from infra.config import StackConfig
from infra.shared.nag import LAMBDA_RUNTIME_REASON, XRAY_REASON, acknowledge, acknowledge_resource


class FunctionFactory:
    """Python 3.12 / x86_64 functions sharing one code asset, with Powertools settings, active
    tracing, a retained log group and a role that starts with nothing but that log group."""

    def __init__(self, config: StackConfig, code: lambda_.Code) -> None:
        self._config = config
        self._code = code

    @property
    def common_environment(self) -> dict[str, str]:
        return {
            c.ENV_ENVIRONMENT_NAME: self._config.environment,
            c.ENV_POWERTOOLS_METRICS_NAMESPACE: c.METRICS_NAMESPACE,
            c.ENV_LOG_LEVEL: self._config.log_level,
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
            tracing=lambda_.Tracing.ACTIVE,
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

        acknowledge(role, "AwsSolutions-IAM5[Resource::*]", XRAY_REASON)
        acknowledge_resource(fn, "AwsSolutions-L1", LAMBDA_RUNTIME_REASON)
        return fn
