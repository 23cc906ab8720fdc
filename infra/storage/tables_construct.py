"""DynamoDB tables: idempotency records, domain state, transaction trace (docs/wiring.md)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import constants as c


def grant_trace_append(trace_table: dynamodb.ITable, grantee: iam.IGrantable) -> iam.Grant:
    """A hop appends its trace entries (`shared/adapters/trace_store.py` puts one item per entry) and
    may do nothing else there: no read, no update, no delete (issue 14.5: the public-facing ingest
    function, or any worker, cannot erase the trail of what it did). The ops API reads it."""
    return trace_table.grant(grantee, "dynamodb:PutItem")


class TablesConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: cdk.RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.idempotency = self._table(
            c.ID_IDEMPOTENCY_TABLE,
            partition_key="id",
            sort_key=None,
            ttl=c.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
            removal_policy=removal_policy,
        )
        self.state = self._table(
            c.ID_STATE_TABLE,
            partition_key="pk",
            sort_key="sk",
            ttl=c.STATE_TABLE_TTL_ATTRIBUTE,
            removal_policy=removal_policy,
        )
        self.trace = self._table(
            c.ID_TRACE_TABLE,
            partition_key="correlation_id",
            sort_key="sk",
            ttl=c.TRACE_TABLE_TTL_ATTRIBUTE,
            removal_policy=removal_policy,
        )

    def _table(
        self,
        construct_id: str,
        *,
        partition_key: str,
        sort_key: str | None,
        ttl: str,
        removal_policy: cdk.RemovalPolicy,
    ) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(name=partition_key, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING) if sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=ttl,
            removal_policy=removal_policy,
        )
        resource = table.node.default_child
        assert isinstance(resource, dynamodb.CfnTable)
        resource.override_logical_id(construct_id)
        return table
