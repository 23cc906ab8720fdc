"""The ops function behind `/v1/ops/{proxy+}`: read-only views of state and trace."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra.shared.function_factory import FunctionFactory


class OpsApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        factory: FunctionFactory,
        state_table: dynamodb.ITable,
        trace_table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function: lambda_.Function = factory.function(
            self,
            c.ID_OPS_API_FUNCTION,
            handler=c.HANDLER_OPS_API,
            service="ops",
            description="Ops API: transaction timelines, orders and inventory positions",
            timeout_seconds=c.OPS_API_TIMEOUT_SECONDS,
            environment={
                c.ENV_STATE_TABLE: state_table.table_name,
                c.ENV_TRACE_TABLE: trace_table.table_name,
            },
        )
        state_table.grant_read_data(self.function)
        trace_table.grant_read_data(self.function)
