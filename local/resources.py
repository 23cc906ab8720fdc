"""What the local stack runs, read from the template and resolved against the deployed stack:
the functions, the SQS event source mappings, the schedules, and the function environment."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3

from local.config import PER_FUNCTION_ENV
from local.deploy import Deployment
from local.lambda_runtime import FunctionSpec
from local.poller import QueueSource, scaled_visibility_timeout
from local.schedules import Schedule

LOG = logging.getLogger("local.resources")


class EnvironmentConflict(RuntimeError):
    pass


def functions(deployment: Deployment) -> dict[str, FunctionSpec]:
    """Every deployed function by logical id, as Lambda reports its configuration."""
    client = boto3.client("lambda")
    by_name = {}
    for page in client.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            reserved = client.get_function_concurrency(FunctionName=fn["FunctionName"]).get(
                "ReservedConcurrentExecutions"
            )
            by_name[fn["FunctionName"]] = FunctionSpec(
                name=fn["FunctionName"],
                arn=fn["FunctionArn"],
                handler=fn["Handler"],
                memory_mb=int(fn.get("MemorySize", 128)),
                timeout_s=float(fn.get("Timeout", 3)),
                reserved_concurrency=int(reserved) if reserved is not None else None,
            )
    return {
        logical_id: by_name[deployment.physical_id(logical_id)]
        for logical_id in deployment.template.of_type("AWS::Lambda::Function")
    }


def function_environment(deployment: Deployment) -> dict[str, str]:
    """The union of every function's environment, which must agree where names are shared."""
    union: dict[str, str] = {}
    owner: dict[str, str] = {}
    for function_name, variables in sorted(deployment.function_environments.items()):
        for name, value in variables.items():
            if name in PER_FUNCTION_ENV:
                continue
            if name in union and union[name] != value:
                raise EnvironmentConflict(
                    f"{name} is {union[name]!r} in {owner[name]} but {value!r} in {function_name}: "
                    "handlers share one process locally, so a variable name must mean the same "
                    "everywhere (infra/constants.py)"
                )
            union[name] = value
            owner[name] = function_name
    return union


def queue_sources(
    deployment: Deployment,
    specs: dict[str, FunctionSpec],
    visibility_scale: float,
    concurrency: int | None = None,
) -> list[QueueSource]:
    """One source per SQS event source mapping in the template."""
    template = deployment.template
    sqs = boto3.client("sqs")
    sources = []
    for logical_id, resource in template.of_type("AWS::Lambda::EventSourceMapping").items():
        properties = resource.get("Properties", {})
        queues = template.referenced(properties.get("EventSourceArn"), "AWS::SQS::Queue")
        function = template.function_of(properties.get("FunctionName"))
        if not queues or function is None:
            LOG.warning("event source mapping %s is not an SQS queue to a function: not polled", logical_id)
            continue
        if properties.get("FilterCriteria"):
            LOG.warning("event source mapping %s: FilterCriteria are not applied locally", logical_id)
        queue_url = deployment.physical_id(queues[0])
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn", "VisibilityTimeout"]
        )["Attributes"]
        maximum = (properties.get("ScalingConfig") or {}).get("MaximumConcurrency")
        sources.append(
            QueueSource(
                name=logical_id,
                function=specs[function],
                queue_url=queue_url,
                queue_arn=attributes["QueueArn"],
                batch_size=int(properties.get("BatchSize", 10)),
                batching_window_s=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
                report_batch_item_failures="ReportBatchItemFailures"
                in (properties.get("FunctionResponseTypes") or []),
                visibility_timeout_s=scaled_visibility_timeout(
                    int(attributes["VisibilityTimeout"]), visibility_scale
                ),
                concurrency=int(maximum) if maximum else (concurrency or 5),
                enabled=properties.get("Enabled", True) not in (False, "false"),
            )
        )
    return sources


def schedules(deployment: Deployment, specs: dict[str, FunctionSpec]) -> list[Schedule]:
    """EventBridge rules with a ScheduleExpression and EventBridge Scheduler schedules."""
    template = deployment.template
    events = boto3.client("events")
    found = []
    for logical_id, resource in template.of_type("AWS::Events::Rule").items():
        properties = resource.get("Properties", {})
        if not properties.get("ScheduleExpression"):
            continue
        name = deployment.physical_id(logical_id)
        bus = _event_bus_name(deployment, properties.get("EventBusName"))
        rule = events.describe_rule(Name=name, EventBusName=bus)
        targets = [dict(t) for t in events.list_targets_by_rule(Rule=name, EventBusName=bus)["Targets"]]
        found.append(
            Schedule(
                logical_id=logical_id,
                name=name,
                expression=properties["ScheduleExpression"],
                targets=targets,
                arn=rule["Arn"],
                enabled=rule.get("State", "ENABLED") == "ENABLED",
            )
        )
    for logical_id, resource in template.of_type("AWS::Scheduler::Schedule").items():
        properties = resource.get("Properties", {})
        target = properties.get("Target", {})
        arn = _target_arn(deployment, specs, target.get("Arn"))
        if arn is None:
            LOG.warning("schedule %s: target is not a function or state machine here: not fired", logical_id)
            continue
        found.append(
            Schedule(
                logical_id=logical_id,
                name=properties.get("Name", logical_id),
                expression=properties["ScheduleExpression"],
                targets=[{"Arn": arn, "Input": _as_text(target.get("Input"))}],
                timezone=properties.get("ScheduleExpressionTimezone", "UTC"),
                scheduler=True,
                enabled=properties.get("State", "ENABLED") == "ENABLED",
            )
        )
    return found


def state_machine_arns(deployment: Deployment) -> list[str]:
    return [
        deployment.physical_id(logical_id)
        for logical_id in deployment.template.of_type("AWS::StepFunctions::StateMachine")
        if logical_id in deployment.physical_ids
    ]


def _event_bus_name(deployment: Deployment, expression: Any) -> str:
    if expression is None:
        return "default"
    buses = deployment.template.referenced(expression, "AWS::Events::EventBus")
    if buses:
        return deployment.physical_id(buses[0])
    return str(expression)


def _target_arn(deployment: Deployment, specs: dict[str, FunctionSpec], expression: Any) -> str | None:
    template = deployment.template
    function = template.function_of(expression)
    if function is not None:
        return specs[function].arn
    machines = template.referenced(expression, "AWS::StepFunctions::StateMachine")
    return deployment.physical_id(machines[0]) if machines else None


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
