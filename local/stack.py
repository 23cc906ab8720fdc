"""The local stack: the synthesized template deployed into moto, with the real handlers in-process.

    stack = LocalStack(LocalConfig(api_port=0, aws_port=0, visibility_scale=0.01))
    stack.start(progress=print)
    ...  # HTTP to stack.api_url, boto3 (the process env points at moto), stack.wait_idle()
    stack.stop()

`start()` sets the process environment every handler and boto3 client reads (moto endpoint, fake
credentials, the union of the functions' variables with the sandbox URLs); `stop()` restores it.
One stack per process at a time: moto's backends are process-wide.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from infra.constants import ENV_VENDOR_CREDENTIALS_ARN, ENV_WEBHOOK_SECRETS_ARN
from local import deploy, moto_patches, resources
from local.api_routes import RouteTable
from local.api_throttling import Throttling
from local.aws import MotoServer
from local.bridge import ApiBridge
from local.config import ACCOUNT_ID, REGION, SANDBOX_URL_ENV, LocalConfig
from local.deploy import Deployment
from local.eventbridge import EventDispatcher
from local.lambda_runtime import FunctionSpec, InProcessRuntime, Invocation
from local.poller import SqsPoller, scaled_visibility_timeout
from local.sandboxes.amazon import LWA_TOKEN_PATH
from local.schedules import OneTimeSchedules, ScheduleClock
from local.synth import synthesize
from local.template import Template

LOG = logging.getLogger("local.stack")

Progress = Callable[[str], None]

# Handler defaults that suit a process without the X-Ray daemon.
_HANDLER_DEFAULTS = {"POWERTOOLS_TRACE_DISABLED": "true"}
_QUIET_DEFAULTS = {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}


def _enrichment_backoff(visibility_scale: float) -> dict[str, str]:
    """The orders worker's enrichment backoff, scaled like the queues' visibility timeouts (tests)."""
    from functions.orders.settings import OrdersWorkerSettings

    name = "ENRICHMENT_BACKOFF_SECONDS"
    seconds = scaled_visibility_timeout(
        int(OrdersWorkerSettings.model_fields["enrichment_backoff_seconds"].default), visibility_scale
    )
    return {} if seconds is None or name in os.environ else {name: str(seconds)}


_running_lock = threading.Lock()
_running: LocalStack | None = None


class LocalStack:
    def __init__(self, config: LocalConfig | None = None) -> None:
        self.config = config or LocalConfig()
        self.runtime = InProcessRuntime()
        self.timings: dict[str, float] = {}
        self.template: Template | None = None
        self.deployment: Deployment | None = None
        self.functions: dict[str, FunctionSpec] = {}  # by logical id
        self.environment: dict[str, str] = {}  # what start() put into os.environ
        self.pollers: list[SqsPoller] = []
        self.sandbox_urls: dict[str, str] = {}
        self.partner_event_bus = ""
        self._moto: MotoServer | None = None
        self._bridge: ApiBridge | None = None
        self._dispatcher: EventDispatcher | None = None
        self._clock: ScheduleClock | None = None
        self._one_time: OneTimeSchedules | None = None
        self._sandboxes: Any = None
        self._saved_environ: dict[str, str] | None = None
        self._sqs: Any = None
        self._sfn: Any = None
        self._callback_machines: dict[str, bool] = {}  # state machine ARN: has a .waitForTaskToken task
        self._ready = threading.Event()
        self._held: str | None = None  # what /health says instead of "ok" (hold_health)

    # Lifecycle ------------------------------------------------------------------------------------
    def start(self, progress: Progress | None = None) -> LocalStack:
        global _running
        with _running_lock:
            if _running is not None:
                raise RuntimeError("a local stack is already running in this process")
            _running = self
        say = progress or (lambda message: None)
        self._saved_environ = dict(os.environ)
        try:
            self._boot(say)
        except BaseException:
            self.stop()
            raise
        return self

    def _boot(self, say: Progress) -> None:
        config = self.config
        self._bridge = ApiBridge(self.invoke_spec, self._health_body, host=config.host, port=config.api_port)
        self._bridge.start()
        with self._phase("synth", say):
            if config.template_path is not None:
                self.template = Template.load(config.template_path)
            else:
                self.template = synthesize(config.project_root, config.environment, config.stack_name)
        with self._phase("moto", say):
            self._moto = MotoServer(config.host, config.aws_port)
            self._moto.start()
            os.environ.update(self._moto.client_environment())
            moto_patches.install()
            moto_patches.set_retry_scale(config.retry_scale)
            self._dispatcher = EventDispatcher(self.invoke_spec, self._function_by_arn)
            moto_patches.set_hooks(
                moto_patches.Hooks(
                    invoke=self.invoke_spec,
                    invoke_async=self._dispatcher.invoke_in_background,
                    deliver_event=self._dispatcher.deliver_event,
                )
            )
        with self._phase("deploy", say):
            self.deployment = self._deploy(self.template)
        skipped = deploy.skipped_resource_types(self.template)
        if skipped:
            say(f"{'':<12} not created by moto (unused locally): {', '.join(skipped)}")
        with self._phase("sandboxes", say):
            self._start_sandboxes()
        with self._phase("environment", say):
            self._set_environment()
        with self._phase("workers", say):
            self._start_workers()
        self._bridge.set_routes(
            RouteTable.from_template(self.template),
            self.functions,
            self.deployment.physical_ids,
            Throttling.from_template(self.template),
        )
        self._ready.set()
        say(f"ready in {sum(self.timings.values()):.1f} s")

    def stop(self) -> None:
        """Stop everything started, restore the process environment; safe to call twice."""
        global _running
        self._ready.clear()
        if self._clock:
            self._clock.stop()
        if self._one_time:
            self._one_time.stop()
        for poller in self.pollers:
            poller.signal_stop()
        for poller in self.pollers:
            poller.stop()
        if self._bridge:
            self._bridge.stop()
        if self._dispatcher:
            self._dispatcher.stop()
        moto_patches.set_hooks(None)
        moto_patches.set_retry_scale(1.0)
        if self._sandboxes is not None:
            self._sandboxes.stop()
        if self._moto:
            self._moto.stop()
        if self._saved_environ is not None:
            os.environ.clear()
            os.environ.update(self._saved_environ)
            self._saved_environ = None
            _reset_cached_clients()
        self._clock = None
        self.pollers = []
        self._bridge = self._dispatcher = self._moto = self._sandboxes = None
        with _running_lock:
            if _running is self:
                _running = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @contextmanager
    def hold_health(self, status: str) -> Iterator[None]:
        """`GET /health` answers 503 `{"status": <status>}` while the block runs, the routes serve:
        `python -m local` seeds in one, so whoever waits for 200 finds the data in."""
        self._held = status
        try:
            yield
        finally:
            self._held = None

    # Addresses ------------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    @property
    def api_url(self) -> str:
        assert self._bridge, "start() first"
        return self._bridge.url

    @property
    def aws_url(self) -> str:
        assert self._moto, "start() first"
        return self._moto.url

    @property
    def sandboxes(self) -> Any:
        """The running `local.sandboxes.SandboxSet` (admin API objects), or None."""
        return self._sandboxes

    def physical_id(self, logical_id: str) -> str:
        """Queue URL, table name, function name, state machine ARN... of a template resource."""
        assert self.deployment, "start() first"
        return self.deployment.physical_id(logical_id)

    def logical_ids(self, resource_type: str) -> list[str]:
        assert self.template, "start() first"
        return list(self.template.of_type(resource_type))

    # Driving it -----------------------------------------------------------------------------------
    def invoke(self, function: str, event: Any) -> Invocation:
        """Invoke a function (logical id, name or ARN) in-process and synchronously."""
        spec = self.functions.get(function) or self._function_by_arn(function)
        return self.invoke_spec(spec, event)

    def invoke_spec(self, spec: FunctionSpec, event: Any, *, wait_for_slot: bool = False) -> Invocation:
        return self.runtime.invoke(spec, event, wait_for_slot=wait_for_slot)

    def fire_schedule(self, name: str) -> list[Any]:
        """Fire a schedule's targets now (logical id, rule name or a unique part of the logical id);
        returns each target's result: a Lambda Invocation or a Step Functions execution ARN."""
        assert self._clock, "start() first"
        return self._clock.fire(name)

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until consumed queues are empty (in flight too), no execution runs, no handler or
        event delivery is busy; twice in a row, to step over hand-offs. TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        quiet_checks = 0
        busy: list[str] = []
        while time.monotonic() < deadline:
            busy = self._busy()
            quiet_checks = 0 if busy else quiet_checks + 1
            if quiet_checks >= 2:
                return
            time.sleep(0.05 if busy else 0.1)
        raise TimeoutError(f"local stack still busy after {timeout} s: {', '.join(busy)}")

    # Internals ------------------------------------------------------------------------------------
    @contextmanager
    def _phase(self, name: str, say: Progress) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.timings[name] = time.monotonic() - started
        say(f"{name:<12} {self.timings[name]:6.2f} s")

    def _deploy(self, template: Template) -> Deployment:
        deploy.bootstrap(template)
        self.partner_event_bus = deploy.create_partner_event_bus()
        with warnings.catch_warnings(), _quiet_unsupported_resources():
            warnings.filterwarnings("ignore", message="Tried to parse .* not supported")
            deployment = deploy.create_stack(template, self.config.stack_name)
        deploy.apply_bucket_notifications(deployment)  # moto's CloudFormation skips them
        self.functions = resources.functions(deployment)
        deploy.put_secret(deployment, ENV_WEBHOOK_SECRETS_ARN, deploy.signing_secret_values())
        deploy.put_secret(deployment, ENV_VENDOR_CREDENTIALS_ARN, deploy.vendor_credential_values())
        return deployment

    def _start_sandboxes(self) -> None:
        if not self.config.sandboxes or importlib.util.find_spec("local.sandboxes") is None:
            return
        from local.sandboxes import start_sandboxes

        self._sandboxes = start_sandboxes(host=self.config.host, base_port=self.config.sandbox_base_port)
        self.sandbox_urls = dict(self._sandboxes.urls)

    def _set_environment(self) -> None:
        assert self.deployment and self._bridge
        environment = dict(_HANDLER_DEFAULTS)
        if self.config.quiet:
            environment.update(_QUIET_DEFAULTS)
        environment = {k: v for k, v in environment.items() if k not in os.environ}
        environment.update(resources.function_environment(self.deployment))
        for sandbox, variable in SANDBOX_URL_ENV.items():
            if sandbox in self.sandbox_urls:
                environment[variable] = self.sandbox_urls[sandbox]
        if "amazon" in self.sandbox_urls:  # Login with Amazon is served by the SP-API sandbox here
            environment["AMAZON_LWA_TOKEN_URL"] = self.sandbox_urls["amazon"] + LWA_TOKEN_PATH
        # No WEBHOOK_BASE_URL, as deployed: the ingest function takes the URL each request was sent to
        # (http://127.0.0.1:<port>/v1/... or the execute-api shape /local/v1/...).
        environment.update(_enrichment_backoff(self.config.visibility_scale))
        os.environ.update(environment)
        self.environment = environment
        _reset_cached_clients()

    def _start_workers(self) -> None:
        assert self.deployment and self._dispatcher
        sources = resources.queue_sources(self.deployment, self.functions, self.config.visibility_scale)
        # One client for every poller thread (and wait_idle): a pool as large as the threads.
        self._sqs = boto3.client("sqs", config=Config(max_pool_connections=64))
        self._sfn = boto3.client("stepfunctions")
        self.pollers = [SqsPoller(source, self.invoke_spec, self._sqs) for source in sources]
        for poller in self.pollers:
            poller.start()
        self._clock = ScheduleClock(
            resources.schedules(self.deployment, self.functions),
            send=self._dispatcher.send,
            submit=lambda arn, payload: self._dispatcher.submit(arn, payload) if self._dispatcher else None,
        )
        if self.config.schedules:
            self._clock.start()
        self._one_time = OneTimeSchedules(
            submit=lambda arn, payload: self._dispatcher.submit(arn, payload) if self._dispatcher else None,
            client=boto3.client("scheduler"),
        )
        self._one_time.start()

    def _function_by_arn(self, name_or_arn: str) -> FunctionSpec:
        for spec in self.functions.values():
            if name_or_arn in (spec.name, spec.arn) or name_or_arn.startswith(spec.arn + ":"):
                return spec
        # Created after the deployment (through the Lambda API): ask moto.
        from moto.awslambda.models import lambda_backends

        return FunctionSpec.from_moto(lambda_backends[ACCOUNT_ID][REGION].get_function(name_or_arn))

    def _health_body(self) -> dict[str, Any] | None:
        if not self._ready.is_set():
            return None
        return {"status": self._held or "ok", "sandboxes": self.sandbox_urls, "aws": self.aws_url}

    def _busy(self) -> list[str]:
        busy = []
        if self.runtime.in_flight:
            busy.append(f"{self.runtime.in_flight} invocation(s)")
        if self._dispatcher and self._dispatcher.pending:
            busy.append(f"{self._dispatcher.pending} event delivery(ies)")
        for poller in self.pollers:
            if poller.busy:
                busy.append(f"poller {poller.source.name}")
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=poller.source.queue_url,
                AttributeNames=[
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            )["Attributes"]
            waiting = sum(int(value) for value in attributes.values())
            if waiting:
                busy.append(f"{waiting} message(s) on {poller.source.name}")
        if self.deployment and self._sfn:
            for arn in resources.state_machine_arns(self.deployment):
                running = [
                    execution
                    for execution in self._sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")[
                        "executions"
                    ]
                    if not (self._waits_for_callbacks(arn) and self._awaiting_callback(execution["executionArn"]))
                ]
                if running:
                    busy.append(f"{len(running)} execution(s) of {arn.rsplit(':', 1)[-1]}")
        return busy

    def _waits_for_callbacks(self, machine_arn: str) -> bool:
        """Whether the state machine has a `.waitForTaskToken` task (read once per machine: only
        those executions' histories are worth reading on every poll)."""
        if machine_arn not in self._callback_machines:
            assert self._sfn
            definition = self._sfn.describe_state_machine(stateMachineArn=machine_arn)["definition"]
            self._callback_machines[machine_arn] = "waitForTaskToken" in definition
        return self._callback_machines[machine_arn]

    def _awaiting_callback(self, execution_arn: str) -> bool:
        """A ReturnFlow waiting for the warehouse's inspection (a `.waitForTaskToken` task submitted,
        its token handed over) is idle until someone calls back: nothing in the stack works on it."""
        assert self._sfn
        try:
            # moto answers the whole history in order whatever reverseOrder / maxResults ask for.
            events = self._sfn.get_execution_history(executionArn=execution_arn)["events"]
        except self._sfn.exceptions.ExecutionDoesNotExist:
            return False
        if not events:
            return False
        last = events[-1]
        details = last.get("taskSubmittedEventDetails") or {}
        return last["type"] == "TaskSubmitted" and "waitForTaskToken" in str(details.get("resource", ""))


def _reset_cached_clients() -> None:
    """Cached boto3 clients and settings were built from the old environment."""
    try:
        from shared.adapters.aws import reset_clients
        from shared.adapters.tokens import forget_providers
        from shared.settings import cached
    except ImportError:  # pragma: no cover - the shared package is part of the project
        return
    reset_clients()
    cached.cache_clear()
    forget_providers()  # vendor tokens minted by another stack's sandboxes
    _forget_handler_dependencies()


def _forget_handler_dependencies() -> None:
    """Each handler's dependencies, built once per cold start (`@lru_cache def default_ports()`), hold
    another stack's clients and names: a second stack in one process (make bench runs several) starts
    every function cold, as a new deployment would."""
    import functools

    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(("functions.", "shared.")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper) and getattr(value, "__module__", None) == name:
                value.cache_clear()
    # Powertools parameters' default providers (the secrets read with `parameters.get_secret`) keep
    # their boto3 client and values.
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()


@contextmanager
def _quiet_unsupported_resources() -> Iterator[None]:
    """moto logs each resource type it skips (API Gateway stages and accounts, CDK metadata)."""

    class _Filter(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return not record.getMessage().startswith("No Moto CloudFormation support")

    moto_logger = logging.getLogger("moto")
    quiet = _Filter()
    moto_logger.addFilter(quiet)
    try:
        yield
    finally:
        moto_logger.removeFilter(quiet)
