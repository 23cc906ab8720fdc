"""ReturnFlow: a Standard state machine per return (it waits days for the warehouse), its step
functions, and the rule that starts it and wakes it (docs in infra/returns/return_flow_definition.py).

- `ReturnEventsRule` on the domain bus sends `ReturnAuthorized` / `ReturnUpdated` /
  `StoreReturnRecorded` (returns recorded by the orders worker) and `ReturnInspected` (the WMS
  inspection) to `ReturnEventsFunction`, which starts one execution per return named after its
  business key (Standard dedupes names for 90 days) or hands the inspection to the waiting task.
- Least privilege: the steps read and write the state table and write the trace; only the ERP
  steps get the vendor credentials, only SettleReturn sends to the inventory queue, only PostRefund
  to the orders queue (an exchange's replacement order), only the events
  function starts executions and completes task tokens.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.returns.return_flow_definition import ReturnFlowFunctions, return_flow_definition
from infra.shared.core import CoreResources, only_set
from infra.shared.function_factory import FunctionSpec
from infra.shared.logical_ids import pin_logical_id
from infra.shared.nag import XRAY_REASON, acknowledge
from infra.storage.tables_construct import grant_leading_keys, grant_state_partitions, grant_trace_append


class ReturnFlowConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        environment = core.environment
        state_table = core.state_table
        trace_table = core.trace_table
        inventory_queue = core.queues.inventory
        orders_queue = core.queues.orders
        apis = core.channel_apis
        # Named, so the steps can name it without depending on it (the machine depends on the step
        # functions: a reference through the construct would be a cycle).
        machine_name = f"{c.SERVICE}-{environment}-return-flow"
        machine_arn = cdk.Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=machine_name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        # Every step reads one settings model (functions/returns/settings.py): the same variables each.
        step_env = {
            **core.env(state=True, trace=True),
            c.ENV_RETURN_FLOW_ARN: machine_arn,
            c.ENV_INVENTORY_QUEUE_URL: inventory_queue.queue_url,
            c.ENV_ORDERS_QUEUE_URL: orders_queue.queue_url,
            c.ENV_SHOPIFY_API_VERSION: c.SHOPIFY_ADMIN_API_VERSION,
            c.ENV_CHANNEL_TIMEOUT_SECONDS: str(c.CHANNEL_TIMEOUT_SECONDS),
            **only_set(
                {
                    c.ENV_SHOPIFY_ADMIN_BASE_URL: apis.shopify_admin_base_url,
                    # A seller-fulfilled Walmart return is refunded by the seller, through Walmart's Orders API.
                    c.ENV_WALMART_API_BASE_URL: apis.walmart_api_base_url,
                    c.ENV_EBAY_API_BASE_URL: apis.ebay_api_base_url,
                    c.ENV_LOOP_API_BASE_URL: core.config.loop_api_base_url,
                }
            ),
        }
        self.steps: dict[str, lambda_.Function] = {}
        for logical_id, (module, service, description) in c.RETURN_STEP_FUNCTIONS.items():
            handler = f"functions.returns.handlers.{module}.lambda_handler"
            spec = FunctionSpec(logical_id, handler, service, description, c.RETURN_STEP_TIMEOUT_SECONDS)
            fn = core.factory.function(self, spec, environment=step_env)
            # The return case, its order's ledger and the day index; the order is only read.
            grant_state_partitions(
                state_table, fn, reads=[c.PK_ORDERS, *c.PK_RETURN_CASES], writes=list(c.PK_RETURN_CASES)
            )
            grant_trace_append(trace_table, fn)
            self.steps[module] = fn
        inventory_queue.grant_send_messages(self.steps["settle_return"])
        # An exchange's replacement order goes onto the orders queue (OrderFlow accepts it).
        orders_queue.grant_send_messages(self.steps["post_refund"])
        # The step a failed return ends in raises the return's exception (shared/adapters/exception_store.py).
        grant_state_partitions(
            state_table,
            self.steps["record_return_exception"],
            reads=[],
            writes=["EXCEPTION#RETURN"],
            write_actions=("dynamodb:PutItem", "dynamodb:UpdateItem"),
        )
        # The steps that call out read their credentials from the vendor secret: the ERP (authorize,
        # refund), Shopify (refund), Loop (report).
        for module in ("authorize_return", "post_refund", "report_outcome"):
            core.secrets.grant_vendor_credentials(self.steps[module])
        # The ERP's return authorization and credit memo: refunds are the ERP gateway's priority lane
        # (only these two steps get the ERP's URL: the others build no ERP client).
        for module in ("authorize_return", "post_refund"):
            core.erp.connect(self.steps[module])
        # The report step announces each outcome (ReturnStatusChanged) for the customer-service status.
        self.steps["report_outcome"].add_environment(c.ENV_EVENT_BUS, core.bus.bus_name)
        core.event_bus.grant_put_events_to(self.steps["report_outcome"])

        fns = ReturnFlowFunctions(
            apply_policy=self.steps["apply_policy"],
            authorize=self.steps["authorize_return"],
            await_inspection=self.steps["await_inspection"],
            settle=self.steps["settle_return"],
            post_refund=self.steps["post_refund"],
            report_outcome=self.steps["report_outcome"],
            record_exception=self.steps["record_return_exception"],
        )
        log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{c.SERVICE}-{environment}-return-flow",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=core.removal_policy,
        )
        self.state_machine = sfn.StateMachine(
            self,
            c.ID_RETURN_FLOW,
            state_machine_name=machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(return_flow_definition(self, fns)),
            timeout=cdk.Duration.seconds(c.RETURN_FLOW_TIMEOUT_SECONDS),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
            comment="One return from policy to refund: ERP authorization, inspection, disposition, refund",
        )
        pin_logical_id(self.state_machine, c.ID_RETURN_FLOW)

        self.events_function = core.factory.function(
            self,
            specs.RETURN_EVENTS,
            # It builds the steps' collaborators too (the inspection hand-over), so it reads their settings.
            environment={
                **step_env,
                c.ENV_INSPECTION_TIMEOUT_SECONDS: str(c.INSPECTION_TIMEOUT_SECONDS),
            },
        )
        grant_state_partitions(
            state_table, self.events_function, reads=[c.PK_ORDERS, *c.PK_RETURN_CASES], writes=list(c.PK_RETURN_CASES)
        )
        grant_trace_append(trace_table, self.events_function)
        self.state_machine.grant_start_execution(self.events_function)
        self._stuck_returns_sweep(core)
        self.state_machine.grant_task_response(self.events_function)
        # The waiting step hands an inspection that arrived first straight back with its token.
        self.steps["await_inspection"].add_to_role_policy(
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                resources=[machine_arn],
            )
        )
        rule = events.Rule(
            self,
            c.ID_RETURN_EVENTS_RULE,
            event_bus=core.event_bus,
            description="Recorded returns start ReturnFlow; WMS inspections resume it",
            event_pattern=events.EventPattern(source=[c.EVENT_SOURCE], detail_type=list(c.RETURN_EVENT_TYPES)),
            targets=[targets.LambdaFunction(self.events_function, retry_attempts=2)],
        )
        pin_logical_id(rule, c.ID_RETURN_EVENTS_RULE)

        acknowledge(
            self.state_machine.role,
            "AwsSolutions-IAM5[Resource::*]",
            XRAY_REASON + "; CloudWatch Logs delivery actions (logs:CreateLogDelivery, ...) likewise only accept '*'",
        )
        acknowledge(
            self.state_machine,
            "AwsSolutions-SF1",
            "ReturnFlow logs ERROR events; every step is written to the trace table under the return's correlation id",
        )
        for logical_id in c.RETURN_STEP_FUNCTIONS:
            acknowledge(
                self.state_machine.role,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                "CDK grants lambda:InvokeFunction on the function and its versions/aliases (<arn>:*); "
                "limited to this flow's own step functions",
            )

    def _stuck_returns_sweep(self, core: CoreResources) -> None:
        """Hourly: returns stuck in a state longer than policy allows become exceptions. It reads the
        day index and the returns (`RETURNSBYDAY#*`, `RETURNCASE#*`) and raises return exceptions
        (`EXCEPTION#RETURN`), nothing else."""
        state_table = core.state_table
        self.stuck_sweep = core.factory.function(
            self,
            specs.STUCK_RETURNS,
            environment={
                **core.env(state=True),
                c.ENV_INSPECTION_TIMEOUT_SECONDS: str(c.INSPECTION_TIMEOUT_SECONDS),
            },
        )
        grant_leading_keys(
            state_table,
            self.stuck_sweep,
            ["dynamodb:Query", "dynamodb:BatchGetItem"],
            ["RETURNSBYDAY#*", "RETURNCASE#*"],
        )
        grant_leading_keys(state_table, self.stuck_sweep, ["dynamodb:UpdateItem"], ["EXCEPTION#RETURN"])

    @property
    def functions(self) -> dict[str, lambda_.IFunction]:
        return {**{fn.node.id: fn for fn in self.steps.values()}, c.ID_RETURN_EVENTS_FUNCTION: self.events_function}
