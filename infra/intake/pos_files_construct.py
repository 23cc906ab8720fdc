"""Franchise POS nightly files: a bucket whose `incoming/*.csv` objects notify a queue, and the import
function consuming it (one file per message, partial batch responses, DLQ after 5 receives).

S3 -> SQS (rather than S3 -> Lambda) so a file that cannot be read or queued right now is retried and
ends in a DLQ instead of being lost after Lambda's asynchronous retries. The notification is set on
the bucket's own CloudFormation resource (not CDK's custom-resource helper), so the local stack can
apply it to moto from the template. Import reports go to `reports/`, outside the notified prefix.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.intake.pull_intake import PullIntakeResources
from infra.shared.buckets import private_bucket
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.shared.nag import acknowledge
from infra.shared.queues import queue_with_dlq

REPORTS_PREFIX = "reports/"


class PosFilesConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        intake = PullIntakeResources.of(core)
        environment = core.environment
        self.queue, self.dlq = queue_with_dlq(
            self, c.ID_POS_FILES_QUEUE, c.ID_POS_FILES_DLQ, consumer_timeout_seconds=c.POS_FILES_TIMEOUT_SECONDS
        )
        # A known name, so the queue policy can name the bucket without referring to it (the bucket
        # depends on the policy: S3 checks it may send to the queue when the notification is set).
        bucket_name = f"{c.SERVICE}-pos-files-{environment}-{cdk.Aws.ACCOUNT_ID}-{cdk.Aws.REGION}"
        bucket_arn = f"arn:{cdk.Aws.PARTITION}:s3:::{bucket_name}"
        self.bucket = private_bucket(
            self,
            c.ID_POS_FILES_BUCKET,
            bucket_name=bucket_name,
            versioned=True,  # a file replaced by mistake can be recovered; imports dedupe anyway
            server_access_logs_bucket=core.payloads.access_logs,
            server_access_logs_prefix="pos-files-bucket/",
            removal_policy=core.removal_policy,
        )
        bucket_resource = self.bucket.node.default_child
        assert isinstance(bucket_resource, s3.CfnBucket)
        # S3 may send to the queue only for this bucket.
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={
                    "ArnLike": {"aws:SourceArn": bucket_arn},
                    "StringEquals": {"aws:SourceAccount": cdk.Stack.of(self).account},
                },
            )
        )
        bucket_resource.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=self.queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[
                                s3.CfnBucket.FilterRuleProperty(name="prefix", value=c.POS_FILES_INCOMING_PREFIX),
                                s3.CfnBucket.FilterRuleProperty(name="suffix", value=".csv"),
                            ]
                        )
                    ),
                )
            ]
        )
        # S3 checks it may write to the queue when the notification is created.
        policy = self.queue.node.try_find_child("Policy")
        if policy is not None:
            bucket_resource.node.add_dependency(policy)

        self.function: lambda_.Function = core.factory.function(
            self,
            specs.POS_FILES,
            environment={
                **intake.environment,
                c.ENV_POS_FILES_BUCKET: self.bucket.bucket_name,
                c.ENV_POS_STORE_TIME_ZONES: json.dumps(core.pull_channels.pos_store_time_zones, sort_keys=True),
            },
        )
        fn = self.function
        intake.grant(fn)
        self.bucket.grant_read(fn, f"{c.POS_FILES_INCOMING_PREFIX}*")
        self.bucket.grant_put(fn, f"{REPORTS_PREFIX}*")
        role = fn.role
        if isinstance(role, iam.Role):
            for finding in (
                "AwsSolutions-IAM5[Action::s3:GetBucket*]",
                "AwsSolutions-IAM5[Action::s3:GetObject*]",
                "AwsSolutions-IAM5[Action::s3:List*]",
                "AwsSolutions-IAM5[Action::s3:Abort*]",
                f"AwsSolutions-IAM5[Resource::<{c.ID_POS_FILES_BUCKET}.Arn>/{c.POS_FILES_INCOMING_PREFIX}*]",
                f"AwsSolutions-IAM5[Resource::<{c.ID_POS_FILES_BUCKET}.Arn>/{REPORTS_PREFIX}*]",
            ):
                acknowledge(
                    role,
                    finding,
                    "Reading any nightly file under incoming/ and writing its report under reports/ of this "
                    "one bucket: object keys are per store and day, so the grant is per prefix",
                )
        consume_queue(fn, self.queue, batch_size=c.POS_FILES_BATCH_SIZE)
