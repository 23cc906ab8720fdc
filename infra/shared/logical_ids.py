"""Readable, stable logical ids: the local stack and the tests find resources by them."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct


def pin_logical_id(construct: IConstruct, logical_id: str) -> None:
    """Give an L2 construct's own CloudFormation resource `logical_id` instead of the path-derived one."""
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement), f"{construct.node.path} has no CloudFormation resource"
    resource.override_logical_id(logical_id)
