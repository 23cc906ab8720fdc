"""Claim-check bucket: envelopes too large for SQS park their raw body here."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra import constants as c
from infra.shared.buckets import private_bucket
from infra.shared.nag import acknowledge, acknowledge_resource

PAYLOAD_PREFIX = "payloads/"


class PayloadBucketConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: cdk.RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = private_bucket(
            self,
            c.ID_ACCESS_LOGS_BUCKET,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(c.ACCESS_LOG_EXPIRY_DAYS))],
            removal_policy=removal_policy,
        )
        acknowledge_resource(
            self.access_logs,
            "AwsSolutions-S1",
            "This is the server access log target of the payload bucket; logging it into itself "
            "would loop, and its own reads are covered by CloudTrail",
        )
        self.bucket = private_bucket(
            self,
            c.ID_PAYLOAD_BUCKET,
            versioned=False,
            # A claim check is useless once its message is gone (queue + DLQ retention).
            lifecycle_rules=[
                s3.LifecycleRule(
                    prefix=PAYLOAD_PREFIX,
                    expiration=cdk.Duration.days(c.PAYLOAD_EXPIRY_DAYS),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                )
            ],
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="payload-bucket/",
            removal_policy=removal_policy,
        )

    def grant_put_payloads(self, grantee: iam.IGrantable) -> iam.Grant:
        """PutObject under payloads/ only (the ingest's claim checks)."""
        return self._grant(grantee, "s3:PutObject", "write claim-check payloads")

    def grant_read_payloads(self, grantee: iam.IGrantable) -> iam.Grant:
        """GetObject under payloads/ only (workers resolving `payload_ref`)."""
        return self._grant(grantee, "s3:GetObject", "resolve claim-check payloads")

    def _grant(self, grantee: iam.IGrantable, action: str, purpose: str) -> iam.Grant:
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[action],
            resource_arns=[self.bucket.arn_for_objects(f"{PAYLOAD_PREFIX}*")],
        )
        principal = grantee.grant_principal
        if isinstance(principal, iam.Role):
            acknowledge(
                principal,
                f"AwsSolutions-IAM5[Resource::<{c.ID_PAYLOAD_BUCKET}.Arn>/{PAYLOAD_PREFIX}*]",
                f"{action} to {purpose}: object keys are per event (payloads/<source>/<event_id>.json), "
                "so the grant is one action on the payloads/ prefix of this one bucket",
            )
        return grant
