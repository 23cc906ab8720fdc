"""DynamoDB tables: idempotency records, domain state, transaction trace (docs/wiring.md)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra import constants as c
from infra.shared.logical_ids import pin_logical_id


def grant_trace_append(trace_table: dynamodb.ITable, grantee: iam.IGrantable) -> iam.Grant:
    """A hop appends its trace entries (`shared/adapters/trace_store.py` puts one item per entry) and
    may do nothing else there: no read, no update, no delete (issue 14.5: the public-facing ingest
    function, or any worker, cannot erase the trail of what it did). The ops API reads it."""
    return trace_table.grant(grantee, "dynamodb:PutItem")


def grant_leading_keys(table: dynamodb.ITable, grantee: iam.IGrantable, actions: list[str], keys: list[str]) -> None:
    """`actions` on `table`, held to the items whose partition key matches one of `keys` (IAM
    `StringLike` patterns: `ORDER#*`) by a `dynamodb:LeadingKeys` condition (issue 14.5)."""
    grantee.grant_principal.add_to_principal_policy(
        iam.PolicyStatement(
            actions=list(actions),
            resources=[table.table_arn],
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": list(keys)}},
        )
    )


IDEMPOTENCY_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


def grant_idempotency_keys(idempotency_table: dynamodb.ITable, fn: iam.IGrantable, key_prefix: str) -> None:
    """Powertools idempotency keeps `<key_prefix>#<hash of the key>` records (claim with PutItem, answer
    with UpdateItem, a failed run's claim deleted, a duplicate's answer read): a function holds only
    the records of its own prefix (issue 14.5), so the ingest function cannot touch the workers' and
    the other way round. https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/#key_prefix"""
    grant_leading_keys(idempotency_table, fn, list(IDEMPOTENCY_ACTIONS), [f"{key_prefix}#*"])


STATE_READ_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem")
STATE_WRITE_ACTIONS = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")


def grant_state_partitions(
    state_table: dynamodb.ITable,
    fn: iam.IGrantable,
    *,
    writes: list[str],
    reads: list[str] | None = None,
    write_actions: tuple[str, ...] = STATE_WRITE_ACTIONS,
    read_actions: tuple[str, ...] = STATE_READ_ACTIONS,
) -> None:
    """A function writes only the state table's partitions matching `writes` and reads only those
    matching `reads` (default: the ones it writes), IAM `StringLike` patterns on the partition key
    (`ORDER#*`), one `dynamodb:LeadingKeys` condition per statement (issue 14.5). A Scan is never
    granted here. The local stack's key audit (local/key_audit.py) fails the integration tests when
    a function touches a partition its grant leaves out, since moto does not enforce IAM."""
    read_keys = sorted(set(writes if reads is None else reads))
    for actions, keys in ((read_actions, read_keys), (write_actions, sorted(set(writes)))):
        if keys:
            grant_leading_keys(state_table, fn, list(actions), keys)


# logical id -> (partition key, sort key, TTL attribute)
TABLE_KEYS: dict[str, tuple[str, str | None, str]] = {
    c.ID_IDEMPOTENCY_TABLE: ("id", None, c.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE),
    c.ID_STATE_TABLE: ("pk", "sk", c.STATE_TABLE_TTL_ATTRIBUTE),
    c.ID_TRACE_TABLE: ("correlation_id", "sk", c.TRACE_TABLE_TTL_ATTRIBUTE),
}


class TablesConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: cdk.RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.idempotency, self.state, self.trace = (
            self._table(logical_id, *keys, removal_policy=removal_policy) for logical_id, keys in TABLE_KEYS.items()
        )

    def _table(
        self,
        construct_id: str,
        partition_key: str,
        sort_key: str | None,
        ttl: str,
        *,
        removal_policy: cdk.RemovalPolicy,
    ) -> dynamodb.Table:
        """A pay-per-request table, AWS-managed encryption, point-in-time recovery, items expiring at `ttl`."""
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
        pin_logical_id(table, construct_id)
        return table
