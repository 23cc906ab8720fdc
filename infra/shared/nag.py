"""cdk-nag 3 acknowledgements: every one names the rule finding and says why."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding (e.g. `AwsSolutions-IAM5[Resource::*]`) on a construct.

    cdk-nag 3 matches each finding separately, so wildcard findings are listed one by one.
    """
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule_id, reason=reason))


XRAY_REASON = (
    "X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions; "
    "AWS requires Resource '*'"
)
LAMBDA_RUNTIME_REASON = (
    "python3.12 is the runtime the dependencies are bundled for (manylinux2014_x86_64 cp312 wheels) "
    "and the one the handlers are tested on; moving runtimes is a deliberate, tested change"
)


def acknowledge_resource(construct: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge a finding on an L2's own CloudFormation resource only (acknowledgements on a
    construct also cover its children, e.g. a bucket's policy or a method's permissions)."""
    resource = construct.node.default_child
    assert resource is not None, f"{construct.node.path} has no CloudFormation resource"
    acknowledge(resource, rule_id, reason)
