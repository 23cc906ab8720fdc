"""Inventory reconciliation: hourly on its schedule, on demand through the ops API.

Reserved concurrency 1: a run started on demand while the scheduled one runs waits its turn
(asynchronous invokes queue), so two runs never correct the same position from one snapshot.
"""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.storage.tables_construct import grant_state_partitions


class ReconciliationConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources, ops: lambda_.Function) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        config = core.channel_apis
        self.function = core.factory.function(
            self,
            specs.RECONCILIATION,
            schedule=events.Schedule.expression(config.reconciliation_schedule),
            environment={
                **core.env(state=True),
                c.ENV_WMS_BASE_URL: config.wms_base_url,
                c.ENV_RECONCILIATION_TOLERANCE_UNITS: str(config.tolerance_units),
                c.ENV_RECONCILIATION_TOLERANCE_VALUE: config.tolerance_value,
                c.ENV_SNAPSHOT_TIMEOUT_SECONDS: str(c.SNAPSHOT_TIMEOUT_SECONDS),
            },
        )
        # Scan (every position: IAM cannot hold a Scan to partitions, so it reads the table), its runs,
        # audit entries and exceptions, and corrections (a transaction: the position, its audit entry,
        # the SKU's dirty marker); nothing else is written (functions/reconciliation/dal/).
        state_table.grant(self.function, "dynamodb:Scan")
        grant_state_partitions(
            state_table,
            self.function,
            writes=["RECON#*", "AUDIT#INVENTORY", "EXCEPTION#RECONCILIATION", "AVAILABILITY#DIRTY", c.PK_POSITIONS],
            write_actions=("dynamodb:PutItem", "dynamodb:UpdateItem"),
        )

        # The ERP's inventory snapshot is bulk work for the ERP gateway.
        core.erp.connect(self.function)

        ops.add_environment(c.ENV_RECONCILIATION_FUNCTION_NAME, self.function.function_name)
        # The unqualified function only (grant_invoke would add every version, `<arn>:*`).
        ops.add_to_role_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.function.function_arn])
        )
