"""The orders worker: partial batch failures, poison handling, idempotent records, claim check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from botocore.exceptions import ClientError

from functions.orders.handlers.orders_worker import lambda_handler
from functions.orders.logic.intake import HOP, OrderIntake
from shared.adapters.order_flow import StepFunctionsOrderFlow
from shared.adapters.payloads import S3PayloadStore
from shared.adapters.trace_store import MemoryTraceStore
from shared.channels.base import NormalizationError
from shared.envelope_worker import EnvelopeWorker
from shared.models import Envelope
from tests.fakes.aws import IDEMPOTENCY_TABLE
from tests.fakes.builders import (
    LambdaContext,
    cancellation,
    envelope,
    envelope_record,
    order,
    sqs_event,
    sqs_record,
)
from tests.fakes.ports import FakeChannelAdapter, FakeOrderFlow, PassThroughPayloads, adapter_lookup


def _normalize(env: Envelope) -> list[Any]:
    if env.payload and env.payload.get("broken"):
        raise NormalizationError("line without a SKU")
    if env.payload and env.payload.get("flaky"):
        raise ConnectionError("enrichment API unreachable")
    if env.payload and env.payload.get("cancel"):
        return [cancellation(str(env.payload["id"]))]
    return [order(str(env.payload["id"]) if env.payload else "1001")]


class World:
    def __init__(self, persistence: DynamoDBPersistenceLayer | None = None, flow: Any = None) -> None:
        self.flow = flow or FakeOrderFlow()
        self.trace = MemoryTraceStore()
        self.adapter = FakeChannelAdapter(_normalize)
        self.payloads = PassThroughPayloads()
        intake = OrderIntake(self.flow, self.trace, self.payloads, adapter_lookup({"shopify": self.adapter}))
        self.worker = EnvelopeWorker(HOP, intake.process, self.trace, persistence)

    def run(self, *records: dict[str, Any]) -> dict[str, Any]:
        return dict(lambda_handler(sqs_event(*records), LambdaContext(), worker=self.worker))


def _failed_ids(response: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def _emf_metrics(out: str) -> dict[str, Any]:
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            return dict(json.loads(line))
    return {}


def test_a_valid_envelope_starts_one_flow_per_order_command() -> None:
    world = World()

    response = world.run(envelope_record(envelope("evt-000000000001", payload={"id": 7})))

    assert response == {"batchItemFailures": []}
    [(name, execution_input)] = world.flow.executions.items()
    assert name == "accept-shopify-7-evt-00000000"
    assert execution_input["action"] == "accept"
    assert execution_input["correlation_id"] == "correlation-evt-000000000001"
    assert execution_input["order"]["channel_order_id"] == "7"
    assert execution_input["cancellation"] is None
    assert [e["status"] for e in world.trace.entries] == ["normalized", "flow_started"]


def test_poison_records_fail_alone_and_the_rest_of_the_batch_is_processed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN a batch: not an envelope, an unknown source, a payload that never normalizes, two good ones
    world = World()
    records = [
        sqs_record("{not json", message_id="m-json"),
        envelope_record(envelope("e-unknown", source="nowhere"), message_id="m-source"),
        envelope_record(envelope("e-broken", payload={"broken": True}), message_id="m-broken"),
        envelope_record(envelope("e-good-1", payload={"id": 1}), message_id="m-good-1"),
        envelope_record(envelope("e-good-2", payload={"id": 2, "cancel": True}), message_id="m-good-2"),
    ]

    response = world.run(*records)

    # THEN only the poison records are reported, the good ones started their flows
    assert _failed_ids(response) == ["m-json", "m-source", "m-broken"]
    assert sorted(world.flow.executions) == ["accept-shopify-1-e-good-1", "cancel-shopify-2-e-good-2"]
    # AND poison is counted on first sight and traced where the correlation id is known
    assert sum(_emf_metrics(capsys.readouterr().out).get("PoisonMessages", [])) == 3
    assert [e["detail"]["reason"] for e in world.trace.entries if e["status"] == "poison"] == [
        "UnknownSource",
        "NormalizationError",
    ]


def test_poison_seen_again_is_not_counted_again(capsys: pytest.CaptureFixture[str]) -> None:
    world = World()

    response = world.run(sqs_record("{not json", message_id="m-json", receive_count=3))

    assert _failed_ids(response) == ["m-json"]
    assert "PoisonMessages" not in _emf_metrics(capsys.readouterr().out)


def test_a_transient_failure_fails_the_record_for_a_retry_without_calling_it_poison(
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = World()

    response = world.run(
        envelope_record(envelope("e-flaky", payload={"flaky": True}), message_id="m-flaky"),
        envelope_record(envelope("e-good", payload={"id": 3}), message_id="m-good"),
    )

    assert _failed_ids(response) == ["m-flaky"]
    assert "PoisonMessages" not in _emf_metrics(capsys.readouterr().out)
    assert not [e for e in world.trace.entries if e["status"] == "poison"]


def test_an_execution_that_already_exists_counts_as_started() -> None:
    # GIVEN the flow for this envelope was started by an earlier delivery
    world = World()
    env = envelope("evt-000000000001", payload={"id": 7})
    world.flow.start("accept-shopify-7-evt-00000000", {})

    response = world.run(envelope_record(env))

    assert response == {"batchItemFailures": []}
    assert world.trace.entries[-1]["detail"]["already_started"] is True


def test_step_functions_execution_already_exists_is_reported_as_not_new(aws: Any) -> None:
    sfn = aws.client("stepfunctions")
    iam_role = "arn:aws:iam::123456789012:role/flow"
    arn = sfn.create_state_machine(
        name="flow",
        definition=json.dumps({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}),
        roleArn=iam_role,
    )["stateMachineArn"]
    flow = StepFunctionsOrderFlow(arn, client=sfn)

    assert flow.start("accept-shopify-7-evt", {"n": 1}) is True
    assert flow.start("accept-shopify-7-evt", {"n": 2}) is False  # same name: ExecutionAlreadyExists


def test_a_throttled_start_is_a_transient_failure() -> None:
    class ThrottledFlow(FakeOrderFlow):
        def start(self, name: str, execution_input: dict[str, Any]) -> bool:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "StartExecution")

    world = World(flow=ThrottledFlow())

    response = world.run(envelope_record(envelope("e-1", payload={"id": 1}), message_id="m-1"))

    assert _failed_ids(response) == ["m-1"]


def test_a_redelivered_message_starts_nothing_new(dynamodb: Any) -> None:
    # GIVEN the worker with Powertools idempotency on the idempotency table (keyed on event_id)
    persistence = DynamoDBPersistenceLayer(table_name=IDEMPOTENCY_TABLE, boto3_client=dynamodb)
    world = World(persistence=persistence)
    env = envelope("evt-000000000001", payload={"id": 7})

    # WHEN SQS delivers the same envelope twice (different message ids)
    first = world.run(envelope_record(env, message_id="m-1"))
    second = world.run(envelope_record(env, message_id="m-2", receive_count=2))

    # THEN the second delivery normalizes nothing and starts nothing
    assert first == second == {"batchItemFailures": []}
    assert len(world.adapter.seen) == 1
    assert len(world.flow.executions) == 1
    [item] = dynamodb.scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    assert item["id"]["S"].startswith("orders-worker#")


def test_a_failed_record_is_not_remembered_so_its_retry_runs_in_full(dynamodb: Any) -> None:
    persistence = DynamoDBPersistenceLayer(table_name=IDEMPOTENCY_TABLE, boto3_client=dynamodb)
    world = World(persistence=persistence)
    env = envelope("evt-flaky", payload={"flaky": True})

    assert _failed_ids(world.run(envelope_record(env, message_id="m-1"))) == ["m-1"]
    assert _failed_ids(world.run(envelope_record(env, message_id="m-1", receive_count=2))) == ["m-1"]
    assert len(world.adapter.seen) == 2


def test_a_claim_checked_payload_is_read_from_s3_before_normalizing(aws: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="payloads")
    s3.put_object(Bucket="payloads", Key="payloads/shopify/e1.json", Body=b'{"id": 42}')
    world = World()
    intake = OrderIntake(world.flow, world.trace, S3PayloadStore(client=s3), adapter_lookup({"shopify": world.adapter}))
    world.worker = EnvelopeWorker(HOP, intake.process, world.trace)
    env = envelope("e1", payload=None, payload_ref="s3://payloads/payloads/shopify/e1.json")

    assert world.run(envelope_record(env)) == {"batchItemFailures": []}
    assert world.adapter.seen[0].payload == {"id": 42}
    assert "accept-shopify-42-e1" in world.flow.executions


def test_a_claim_check_whose_object_is_gone_is_poison(aws: Any) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="payloads")
    world = World()
    intake = OrderIntake(world.flow, world.trace, S3PayloadStore(client=s3), adapter_lookup({"shopify": world.adapter}))
    world.worker = EnvelopeWorker(HOP, intake.process, world.trace)
    env = envelope("e1", payload=None, payload_ref="s3://payloads/payloads/shopify/missing.json")

    assert _failed_ids(world.run(envelope_record(env, message_id="m-1"))) == ["m-1"]
    assert world.trace.entries[-1]["status"] == "poison"


def test_a_replacement_order_from_returnflow_starts_its_flow_without_a_channel_adapter() -> None:
    # GIVEN an exchange's replacement (ReturnFlow's PostRefund): the canonical order as its payload,
    # from a source no adapter here knows (the lookup would fail for "loop")
    world = World()
    item = order("X1-exchange").to_item()
    item.update(channel="loop", order_id="")
    queued = envelope("exchange-loop:X1", payload=item, source="loop").model_copy(
        update={"event_type": "order.replacement"}
    )

    # WHEN it is delivered
    response = world.run(envelope_record(queued))

    # THEN one accept flow for the replacement order, under the return's correlation id
    assert response == {"batchItemFailures": []}
    [(name, execution_input)] = world.flow.executions.items()
    assert name.startswith("accept-loop-X1-exchange-")
    assert execution_input["order"]["channel"] == "loop" and execution_input["order"]["lines"]
    assert execution_input["correlation_id"] == "correlation-exchange-loop:X1"
