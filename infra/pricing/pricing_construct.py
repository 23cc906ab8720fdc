"""Pricing: the ERP's products and prices kept per version and told to every channel.

- `CatalogQueue` (SSE-SQS, DLQ `CatalogDlq` after 5 receives) takes the ERP's `item.updated` and
  `price.updated` envelopes from ingest, and ops retries of `price` exceptions.
- `PricingWorkerFunction` keeps the newest version of each product and price (`PRODUCT#<sku>`,
  `PRICE#<sku>`), marks the SKU (`PRICE#DIRTY`) and creates one-time EventBridge Scheduler schedules
  for a sale's start and end.
- `PricePublisherFunction` runs every minute, and at each boundary (the scheduler invokes it through
  `PriceSchedulerRole`, which may invoke nothing else); reserved concurrency 1 like availability's,
  so the channels' rate limits are paced by one caller.
- Least privilege: both read and write only the pricing partitions; the publisher also raises `price`
  exceptions; the worker may create schedules in its group and pass only the scheduler role.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.shared.nag import acknowledge
from infra.storage.tables_construct import grant_leading_keys
from shared.adapters.exception_store import exception_pk


class PricingConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        table_env = core.env(state=True)
        self.publisher = core.factory.function(
            self,
            specs.PRICE_PUBLISHER,
            environment={**table_env, **core.channel_apis.publisher_environment()},
        )
        self.scheduler_role = iam.Role(
            self,
            c.ID_PRICE_SCHEDULER_ROLE,
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="EventBridge Scheduler runs the price publisher at a promotion's start and end",
        )
        self.publisher.grant_invoke(self.scheduler_role)
        acknowledge(
            self.scheduler_role,
            f"AwsSolutions-IAM5[Resource::<{c.ID_PRICE_PUBLISHER_FUNCTION}.Arn>:*]",
            "CDK grants lambda:InvokeFunction on the publisher and its versions/aliases (<arn>:*); the "
            "scheduler role may invoke nothing else",
        )
        # Who creates promotion schedules (the worker, the backfill): the target and the role to pass.
        scheduling_env = {
            **table_env,
            c.ENV_PRICE_PUBLISHER_ARN: self.publisher.function_arn,
            c.ENV_PRICE_SCHEDULER_ROLE_ARN: self.scheduler_role.role_arn,
            c.ENV_PRICE_SCHEDULE_GROUP: c.PRICE_SCHEDULE_GROUP,
        }
        self.worker, (self.queue, self.dlq) = core.consumer(self, specs.PRICING_WORKER, environment=scheduling_env)
        consume_queue(self.worker, self.queue, batch_size=c.PRICING_WORKER_BATCH_SIZE)
        self.backfill = core.factory.function(self, specs.CATALOG_BACKFILL, environment=scheduling_env)
        stack = Stack.of(self)
        for writer in (self.worker, self.backfill):
            self._may_schedule(writer, stack)
        state_table = core.state_table
        for fn in (self.worker, self.publisher, self.backfill):
            grant_leading_keys(state_table, fn, ["dynamodb:GetItem", "dynamodb:Query"], list(c.PRICING_PARTITIONS))
            grant_leading_keys(
                state_table,
                fn,
                ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                list(c.PRICING_PARTITIONS),
            )
        # The publisher raises `price` exceptions; the worker resolves one when its retry went through.
        for fn in (self.publisher, self.worker):
            grant_leading_keys(state_table, fn, ["dynamodb:UpdateItem"], [exception_pk("price")])

    def _may_schedule(self, fn: lambda_.Function, stack: Stack) -> None:
        """`fn` may create the promotion schedules (only `price-*` in its group) and pass only the
        scheduler role."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["scheduler:CreateSchedule"],
                resources=[
                    stack.format_arn(
                        service="scheduler", resource="schedule", resource_name=f"{c.PRICE_SCHEDULE_GROUP}/price-*"
                    )
                ],
            )
        )
        fn.add_to_role_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[self.scheduler_role.role_arn]))
        assert fn.role is not None
        acknowledge(
            fn.role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/{c.PRICE_SCHEDULE_GROUP}/price-*]",
            "One schedule per promotion boundary, named at run time (price-<sku>-<digest>): the function may "
            "create only schedules of that prefix in its group",
        )

    @property
    def functions(self) -> dict[str, lambda_.IFunction]:
        return {
            c.ID_PRICING_WORKER_FUNCTION: self.worker,
            c.ID_PRICE_PUBLISHER_FUNCTION: self.publisher,
            c.ID_CATALOG_BACKFILL_FUNCTION: self.backfill,
        }
