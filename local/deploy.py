"""Deploys the synthesized template into moto through CloudFormation, as `cdk deploy` would.

Before the stack: what `cdk bootstrap` would have left (the bootstrap version parameter and the
asset bucket with an object at every code key the template names) and the Amazon partner event
bus. After it: the two secrets' values (signing secrets, vendor credentials), and the map from logical to physical ids.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.constants import ENV_SQUARE_ACCESS_TOKEN, SECRET_KEY_SQUARE_ACCESS_TOKEN, WEBHOOK_SOURCES
from local.config import ACCOUNT_ID, AMAZON_PARTNER_EVENT_SOURCE, REGION
from local.sandboxes import erp_keys
from local.template import Template, s3_assets
from shared.adapters.vendor_auth import SECRET_KEYS as VENDOR_SECRET_KEYS
from shared.adapters.vendor_auth import local_default
from shared.channels.clients import ebay_credentials
from shared.channels.clients.square_api import LOCAL_SQUARE_TOKEN

BOOTSTRAP_QUALIFIER = "hnb659fds"
BOOTSTRAP_VERSION_PARAMETER = f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"
ASSET_BUCKET = f"cdk-{BOOTSTRAP_QUALIFIER}-assets-{ACCOUNT_ID}-{REGION}"


class DeployError(RuntimeError):
    pass


@dataclass(frozen=True)
class Deployment:
    """The deployed stack: physical ids by logical id, and each function's environment."""

    stack_name: str
    template: Template
    physical_ids: dict[str, str]
    function_environments: dict[str, dict[str, str]]  # function name -> variables

    def physical_id(self, logical_id: str) -> str:
        try:
            return self.physical_ids[logical_id]
        except KeyError:
            raise DeployError(f"{logical_id} was not created by moto (unsupported resource type?)") from None


def signing_secret_values() -> dict[str, str]:
    """The signing secret (ingest's only): `local-<source>-secret` for every source, unless
    RETAIL_SYNC_WEBHOOK_SECRET_<SOURCE> is set, and eBay's verification token and application keyset
    as the eBay sandbox registers them."""
    values = {
        source: os.environ.get(f"RETAIL_SYNC_WEBHOOK_SECRET_{source.upper()}", f"local-{source}-secret")
        for source in WEBHOOK_SOURCES
    }
    values.update(
        {
            "ebay_verification_token": ebay_credentials.LOCAL_VERIFICATION_TOKEN,
            "ebay_client_id": ebay_credentials.LOCAL_CLIENT_ID,
            "ebay_client_secret": ebay_credentials.LOCAL_CLIENT_SECRET,
        }
    )
    return values


def vendor_credential_values() -> dict[str, str]:
    """The vendor credentials, as the sandboxes register them, so every connector mints its tokens from
    the secret as it does when deployed (`shared/adapters/vendor_auth.py`): the marketplaces' and the
    ERP's long-lived credentials, eBay's keyset and refresh token, and the Square API token
    (`square_access_token`: SQUARE_ACCESS_TOKEN, else the sandbox's token)."""
    values = {key: local_default(key) for key in VENDOR_SECRET_KEYS}
    values.update(
        {
            SECRET_KEY_SQUARE_ACCESS_TOKEN: os.environ.get(ENV_SQUARE_ACCESS_TOKEN) or LOCAL_SQUARE_TOKEN,
            "ebay_client_id": ebay_credentials.LOCAL_CLIENT_ID,
            "ebay_client_secret": ebay_credentials.LOCAL_CLIENT_SECRET,
            "ebay_refresh_token": ebay_credentials.LOCAL_REFRESH_TOKEN,
            "erp_client_id": erp_keys.CLIENT_ID,
            "erp_certificate_id": erp_keys.CERTIFICATE_ID,
            "erp_private_key": erp_keys.PRIVATE_KEY_PEM,
        }
    )
    return values


def bootstrap(template: Template) -> None:
    """What `cdk bootstrap` provides and the template relies on."""
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=BOOTSTRAP_VERSION_PARAMETER, Value="30", Type="String", Overwrite=True)
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=ASSET_BUCKET)
    placeholder = _placeholder_zip()
    for key in sorted(s3_assets(template)):
        s3.put_object(Bucket=ASSET_BUCKET, Key=key, Body=placeholder)


def create_partner_event_bus(source_name: str = AMAZON_PARTNER_EVENT_SOURCE) -> str:
    """The partner event bus on which Amazon SP-API notifications arrive (its name is its source)."""
    events = boto3.client("events")
    events.create_partner_event_source(Name=source_name, Account=ACCOUNT_ID)
    try:
        events.create_event_bus(Name=source_name, EventSourceName=source_name)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
            raise
    return source_name


def create_stack(template: Template, stack_name: str, timeout: float = 60.0) -> Deployment:
    s3 = boto3.client("s3")
    key = f"templates/{stack_name}.template.json"
    s3.put_object(Bucket=ASSET_BUCKET, Key=key, Body=json.dumps(template.body).encode())
    cloudformation = boto3.client("cloudformation")
    try:
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateURL=f"https://{ASSET_BUCKET}.s3.amazonaws.com/{key}",
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
    except ClientError as error:
        raise DeployError(f"CloudFormation refused {stack_name}: {error}") from error
    status = _wait_for_stack(cloudformation, stack_name, timeout)
    if status != "CREATE_COMPLETE":
        reasons = [
            f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason', '')}"
            for e in cloudformation.describe_stack_events(StackName=stack_name)["StackEvents"]
            if e.get("ResourceStatus", "").endswith("FAILED")
        ]
        raise DeployError(f"stack {stack_name} ended {status}: {reasons}")
    resources = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    physical_ids = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources if r.get("PhysicalResourceId")}
    return Deployment(stack_name, template, physical_ids, _function_environments())


def put_secret(deployment: Deployment, secret_arn_variable: str, values: dict[str, str]) -> None:
    """Give one of the template's secrets its local value (found through the functions' env)."""
    arns = {env[secret_arn_variable] for env in deployment.function_environments.values() if secret_arn_variable in env}
    secrets = boto3.client("secretsmanager")
    for arn in arns:
        secrets.put_secret_value(SecretId=arn, SecretString=json.dumps(values))


def skipped_resource_types(template: Template) -> list[str]:
    """Resource types in the template that moto's CloudFormation does not create."""
    from moto.cloudformation.parsing import NULL_MODELS, get_model_map

    supported = set(get_model_map()) | set(NULL_MODELS)
    types = {resource.get("Type", "") for resource in template.resources.values()}
    return sorted(t for t in types if t not in supported and not t.startswith("Custom::") and t != "AWS::CDK::Metadata")


def _wait_for_stack(cloudformation: Any, stack_name: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status: str = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _function_environments() -> dict[str, dict[str, str]]:
    """Each function's environment as Lambda reports it: Refs and GetAtts already resolved."""
    client = boto3.client("lambda")
    environments: dict[str, dict[str, str]] = {}
    for page in client.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            environments[fn["FunctionName"]] = dict(fn.get("Environment", {}).get("Variables", {}))
    return environments


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "local stack placeholder: handlers run in-process from the source tree\n")
    return buffer.getvalue()


def apply_bucket_notifications(deployment: Deployment) -> list[str]:
    """Apply the template's S3 bucket notifications (queue and Lambda configurations) through the S3
    API: moto's CloudFormation creates the buckets without them. Returns the buckets configured."""
    s3 = boto3.client("s3")
    configured = []
    for logical_id, resource in deployment.template.of_type("AWS::S3::Bucket").items():
        notification = resource.get("Properties", {}).get("NotificationConfiguration") or {}
        config: dict[str, Any] = {}
        queues = [
            {"QueueArn": _arn_of(deployment, q["Queue"]), "Events": [q["Event"]], **_s3_filter(q)}
            for q in notification.get("QueueConfigurations", [])
        ]
        functions = [
            {"LambdaFunctionArn": _arn_of(deployment, f["Function"]), "Events": [f["Event"]], **_s3_filter(f)}
            for f in notification.get("LambdaConfigurations", [])
        ]
        if queues:
            config["QueueConfigurations"] = queues
        if functions:
            config["LambdaFunctionConfigurations"] = functions
        if config:
            s3.put_bucket_notification_configuration(
                Bucket=deployment.physical_id(logical_id), NotificationConfiguration=config
            )
            configured.append(logical_id)
    return configured


def _s3_filter(configuration: dict[str, Any]) -> dict[str, Any]:
    rules = ((configuration.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    if not rules:
        return {}
    return {"Filter": {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}}


def _arn_of(deployment: Deployment, expression: Any) -> str:
    """The ARN a `Fn::GetAtt [<queue or function>, Arn]` stands for, from the physical id."""
    if isinstance(expression, str):
        return expression
    logical_id = expression["Fn::GetAtt"][0]
    physical = deployment.physical_id(logical_id)
    resource_type = deployment.template.type_of(logical_id)
    if resource_type == "AWS::SQS::Queue":
        return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{physical.rsplit('/', 1)[-1]}"
    if resource_type == "AWS::Lambda::Function":
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{physical}"
    raise DeployError(f"no ARN for a notification target of type {resource_type}")
