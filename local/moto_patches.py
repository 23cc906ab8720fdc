"""The few places where the local stack changes moto's behaviour (moto is pinned: 5.2.5).

Each patch is installed once per process and delegates to the hooks of the running local stack
(`set_hooks`), falling back to moto's own behaviour when no stack is running:

1. `LambdaFunction._invoke_lambda` runs the handler in-process instead of in Docker, and answers
   429 TooManyRequestsException beyond the function's reserved concurrency (Step Functions sees
   `Lambda.TooManyRequestsException`); `LambdaFunction.invoke` runs `InvocationType=Event` calls in
   the background like Lambda does.
2. CloudFormation puts state machines into the *executing* Step Functions backend (moto puts them in
   the plain one, where executions fail with StateMachineDoesNotExist), with
   `DefinitionSubstitutions` applied and `StateMachineType` kept.
3. DynamoDB writes (and reads) take one lock: moto's server is threaded and its conditional writes
   and transactions are not atomic, so concurrent reservations could both pass a condition.
4. SQS event source mappings are not attached to their queues: moto would invoke the function on
   every send, one record at a time, ignoring batch size and partial batch failures. The local
   poller (local/poller.py) consumes those queues instead.
5. EventBridge rules with Lambda or Step Functions targets deliver through the local stack (moto
   raises NotImplementedError), and schedule-only rules stop matching every event.
6. CloudFormation gaps met by CDK templates: `AWS::SecretsManager::Secret` is created (moto skips
   it, so its `Ref` would be empty); `Ref` on an `AWS::Events::EventBus` is its name (moto hands the
   Python object to the rule); an event bus name containing `/` (partner buses) is kept whole
   instead of being cut at its last `/`.
7. Step Functions `Retry` waits are multiplied by the running stack's `retry_scale` (1 unless set):
   the template keeps its real intervals, tests wait a tenth of them.
8. A Task whose `Resource` is a function ARN reports a refused invoke as `Lambda.<error code>`
   (`Lambda.TooManyRequestsException` beyond reserved concurrency), as Step Functions does; moto
   reported the bare `Exception`, which no `Lambda.*` Retry matches.
9. An Express state machine does not deduplicate execution names, as on AWS (moto answered
   `ExecutionAlreadyExists`, or the running execution, for a name it had seen): each
   `StartExecution` starts a new execution, its ARN made unique by a suffix as AWS's Express ARNs
   are (`...:<name>:<uuid>`), its name the one asked for. So nothing here can rest on the name to
   suppress a duplicate: the flow's steps are idempotent on the order id instead.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from moto.awslambda import models as lambda_models
from moto.awslambda.exceptions import LambdaClientError
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import DynamoDBBackend
from moto.events import models as events_models
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions.parser.models import stepfunctions_parser_backends
from moto.stepfunctions.utils import cfn_to_api_tags

from local.lambda_runtime import FunctionSpec, Invocation

PINNED_MOTO = "5.2.5"


@dataclass
class Hooks:
    """What the running local stack does where moto falls short."""

    invoke: Callable[[FunctionSpec, Any], Invocation]
    invoke_async: Callable[[FunctionSpec, Any], None]
    deliver_event: Callable[[Any, dict[str, Any], dict[str, Any]], None]  # (rule, target, event)


_hooks: Hooks | None = None
_installed = False
_install_lock = threading.Lock()
DYNAMODB_LOCK = threading.RLock()


def set_hooks(hooks: Hooks | None) -> None:
    global _hooks
    _hooks = hooks


_retry_scale = 1.0


def set_retry_scale(scale: float) -> None:
    """Multiply every Step Functions Retry wait by `scale` (1.0 restores real time)."""
    global _retry_scale
    if scale < 0:
        raise ValueError("retry scale must not be negative")
    _retry_scale = scale


@contextmanager
def retry_scale(scale: float) -> Iterator[None]:
    """Step Functions Retry waits at `scale` for a while, then as they were (a test that needs the real
    waits inside a stack run at a tenth)."""
    before = _retry_scale
    set_retry_scale(scale)
    try:
        yield
    finally:
        set_retry_scale(before)


def install() -> None:
    """Apply every patch (once per process)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        import moto

        if moto.__version__ != PINNED_MOTO:
            raise RuntimeError(f"local/moto_patches.py is written for moto {PINNED_MOTO}, found {moto.__version__}")
        _patch_lambda()
        _patch_state_machine_cloudformation()
        _patch_dynamodb_lock()
        _patch_sqs_event_source_mappings()
        _patch_event_rule_targets()
        _patch_cloudformation_gaps()
        _patch_retry_waits()
        _patch_lambda_task_client_errors()
        _patch_express_execution_names()
        _installed = True


# 1. Lambda ---------------------------------------------------------------------------------------
class TooManyRequests(LambdaClientError):
    code = 429

    def __init__(self) -> None:
        super().__init__("TooManyRequestsException", "Rate Exceeded.")


def _patch_lambda() -> None:
    original_invoke_lambda = lambda_models.LambdaFunction._invoke_lambda
    original_invoke = lambda_models.LambdaFunction.invoke

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        if _hooks is None:
            return original_invoke_lambda(self, event)
        if isinstance(event, str | bytes):  # moto passes "{}" for an empty body
            event = json.loads(event or "{}")
        outcome = _hooks.invoke(FunctionSpec.from_moto(self), event)
        if outcome.throttled:
            raise TooManyRequests()
        return outcome.payload_json(), outcome.errored, ""

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
        if _hooks is not None and request_headers.get("x-amz-invocation-type") == "Event":
            _hooks.invoke_async(FunctionSpec.from_moto(self), json.loads(body) if body else {})
            return b""
        return original_invoke(self, body, request_headers, response_headers)

    lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    lambda_models.LambdaFunction.invoke = invoke  # type: ignore[method-assign]


# 2. Step Functions from CloudFormation ------------------------------------------------------------
def _patch_state_machine_cloudformation() -> None:
    # update_from_cloudformation_json and delete_from_cloudformation_json look the backend up
    # through this module global: point it at the executing backends.
    sfn_models.stepfunctions_backends = stepfunctions_parser_backends  # type: ignore[assignment]

    def create_from_cloudformation_json(
        cls: Any,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        properties = cloudformation_json["Properties"]
        definition = properties.get("DefinitionString")
        if definition is None and "Definition" in properties:
            definition = json.dumps(properties["Definition"])
        for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        backend = stepfunctions_parser_backends[account_id][region_name]
        return backend.create_state_machine(
            properties.get("StateMachineName", resource_name),
            definition or "",
            properties.get("RoleArn", ""),
            tags=cfn_to_api_tags(properties.get("Tags", [])),
            sm_type=properties.get("StateMachineType", "STANDARD"),
        )

    sfn_models.StateMachine.create_from_cloudformation_json = classmethod(  # type: ignore[method-assign,assignment]
        create_from_cloudformation_json
    )


# 3. DynamoDB atomicity ----------------------------------------------------------------------------
def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with DYNAMODB_LOCK:
            return method(*args, **kwargs)

    return wrapper


def _patch_dynamodb_lock() -> None:
    backend_methods = (
        "put_item",
        "update_item",
        "delete_item",
        "transact_write_items",
        "execute_statement",
        "execute_transaction",
        "get_item",
        "query",
        "scan",
    )
    for name in backend_methods:
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    # These keep their logic in the response class and call the backend item by item.
    for name in ("batch_write_item", "batch_get_item", "transact_get_items"):
        response_cls = dynamodb_responses.DynamoHandler
        setattr(response_cls, name, _locked(getattr(response_cls, name)))


# 4. SQS event source mappings ---------------------------------------------------------------------
def _patch_sqs_event_source_mappings() -> None:
    original = lambda_models.LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = original(self, spec)
        if _hooks is not None:
            from moto.sqs.models import sqs_backends

            for queue in sqs_backends[self.account_id][self.region_name].queues.values():
                if queue.queue_arn == esm.event_source_arn:
                    queue.lambda_event_source_mappings.pop(esm.function_arn, None)
        return esm

    lambda_models.LambdaBackend.create_event_source_mapping = create_event_source_mapping  # type: ignore[method-assign]


# 5. EventBridge targets ---------------------------------------------------------------------------
_LOCAL_TARGET_SERVICES = (":lambda:", ":states:")


def _patch_event_rule_targets() -> None:
    original = events_models.Rule.send_to_targets

    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        if _hooks is None:
            return original(self, original_event, transform_input)
        if self.scheduled_expression and not self.event_pattern.get_pattern():
            return None  # a schedule-only rule matches no event on the bus
        ours = [t for t in self.targets if any(s in t["Arn"] for s in _LOCAL_TARGET_SERVICES)]
        others = [t for t in self.targets if t not in ours]
        if others:
            rest = copy.copy(self)
            rest.targets = others
            original(rest, original_event, transform_input)
        if ours and self.event_pattern.matches_event(original_event):
            for target in ours:
                _hooks.deliver_event(self, target, original_event)
        return None

    events_models.Rule.send_to_targets = send_to_targets  # type: ignore[method-assign,assignment]


# 6. CloudFormation gaps ---------------------------------------------------------------------------
def _patch_cloudformation_gaps() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel
    from moto.secretsmanager.models import secretsmanager_backends

    events_models.EventBus.physical_resource_id = property(lambda self: self.name)  # type: ignore[attr-defined]

    def normalize_event_bus_arn(self: Any, event_bus_arn: str | None) -> str:
        if event_bus_arn is None:
            return "default"
        if event_bus_arn.startswith("arn:"):
            return event_bus_arn.split(":event-bus/", 1)[-1]
        return event_bus_arn

    events_models.EventsBackend._normalize_event_bus_arn = normalize_event_bus_arn  # type: ignore[method-assign]

    class CfnSecret(CloudFormationModel):
        """An AWS::SecretsManager::Secret: Ref and Fn::GetAtt Id give its ARN."""

        def __init__(self, arn: str, name: str) -> None:
            self.arn = arn
            self.name = name

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::SecretsManager::Secret"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "Id"

        def get_cfn_attribute(self, attribute_name: str) -> str:
            return self.arn

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls,
            resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
            **kwargs: Any,
        ) -> CfnSecret:
            properties = cloudformation_json.get("Properties", {})
            backend = secretsmanager_backends[account_id][region_name]
            secret_string = properties.get("SecretString")
            if secret_string is None:
                generate = properties.get("GenerateSecretString") or {}
                generated = secrets.token_urlsafe(24)
                template = generate.get("SecretStringTemplate")
                if template and generate.get("GenerateStringKey"):
                    secret_string = json.dumps({**json.loads(template), generate["GenerateStringKey"]: generated})
                else:
                    secret_string = generated
            backend.create_secret(
                name=resource_name,
                secret_string=secret_string,
                secret_binary=None,
                description=properties.get("Description"),
                tags=properties.get("Tags"),
                kms_key_id=properties.get("KmsKeyId"),
                client_request_token=None,
                replica_regions=[],
                force_overwrite=False,
            )
            return cls(backend.secrets[resource_name].arn, resource_name)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> CfnSecret:
            return original_resource  # type: ignore[no-any-return]

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            secretsmanager_backends[account_id][region_name].delete_secret(resource_name, None, True)

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()  # the model registry is built from CloudFormationModel subclasses


# 7. Step Functions Retry waits ----------------------------------------------------------------------
def _patch_retry_waits() -> None:
    import time as real_time
    import types

    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    def scaled_sleep(seconds: float) -> None:
        real_time.sleep(seconds * _retry_scale)

    # The retrier's module only calls `time.sleep`; give it a `time` whose sleep is scaled.
    retrier_decl.time = types.SimpleNamespace(sleep=scaled_sleep)  # type: ignore[assignment]


# 8. Lambda task errors ------------------------------------------------------------------------------
def _patch_lambda_task_client_errors() -> None:
    from botocore.exceptions import ClientError
    from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import (
        StateTaskLambda,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    original = StateTaskLambda._from_error

    def _from_error(self: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, ClientError):
            return original(self, env, ex)
        error = f"Lambda.{ex.response['Error'].get('Code') or 'Unknown'}"
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(  # type: ignore[typeddict-item]  # moto builds it the same way
                lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(
                    error=error, cause=ex.response["Error"].get("Message", "")
                )
            ),
        )

    StateTaskLambda._from_error = _from_error  # type: ignore[method-assign]


# 9. Express execution names ----------------------------------------------------------------------
def _patch_express_execution_names() -> None:
    import uuid

    from moto.stepfunctions.models import StepFunctionBackend
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    def patch(backend: Any) -> None:
        original = backend.start_execution

        def start_execution(self: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any) -> Any:
            machine = self.describe_state_machine(state_machine_arn)
            if str(getattr(machine, "type", "")).upper() != "EXPRESS" or not name:  # moto keeps it in `type`
                return original(self, state_machine_arn, name, *args, **kwargs)
            execution = original(self, state_machine_arn, f"{name}:{uuid.uuid4()}", *args, **kwargs)
            execution.name = name  # the name asked for; the ARN keeps the suffix that makes it unique
            return execution

        backend.start_execution = start_execution

    patch(StepFunctionBackend)  # the parser backend overrides start_execution without calling it
    patch(StepFunctionsParserBackend)
