"""SQS queues made one way: SSE-SQS, TLS only, a readable logical id; work queues with their DLQ; a bus rule
feeding one."""

from __future__ import annotations

from typing import NamedTuple

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra import constants as c
from infra.shared.logical_ids import pin_logical_id


class QueueWithDlq(NamedTuple):
    queue: sqs.Queue
    dlq: sqs.Queue


def encrypted_queue(
    scope: Construct,
    construct_id: str,
    *,
    retention_period: cdk.Duration | None = None,
    visibility_timeout: cdk.Duration | None = None,
    dead_letter_queue: sqs.DeadLetterQueue | None = None,
) -> sqs.Queue:
    """An SSE-SQS queue that refuses plain HTTP, whose logical id is `construct_id`."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=retention_period,
        visibility_timeout=visibility_timeout,
        dead_letter_queue=dead_letter_queue,
    )
    pin_logical_id(queue, construct_id)
    return queue


def queue_with_dlq(
    scope: Construct,
    queue_id: str,
    dlq_id: str,
    *,
    consumer_timeout_seconds: int,
) -> QueueWithDlq:
    """A work queue and its DLQ: messages move to the DLQ after `MAX_RECEIVE_COUNT` receives and stay
    there `DLQ_RETENTION_DAYS`; the visibility timeout is `VISIBILITY_TIMEOUT_FACTOR` x the consumer's
    timeout (Lambda's guidance: at least 6 x, so retries never overlap)."""
    dlq = encrypted_queue(scope, dlq_id, retention_period=cdk.Duration.days(c.DLQ_RETENTION_DAYS))
    queue = encrypted_queue(
        scope,
        queue_id,
        visibility_timeout=cdk.Duration.seconds(c.VISIBILITY_TIMEOUT_FACTOR * consumer_timeout_seconds),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=c.MAX_RECEIVE_COUNT),
    )
    return QueueWithDlq(queue, dlq)


def events_to_queue(
    scope: Construct,
    rule_id: str,
    *,
    event_bus: events.IEventBus,
    detail_types: tuple[str, ...],
    queue: sqs.IQueue,
    description: str,
) -> events.Rule:
    """A rule on the domain bus sending our events of `detail_types` to `queue` (its logical id fixed)."""
    rule = events.Rule(
        scope,
        rule_id,
        event_bus=event_bus,
        description=description,
        event_pattern=events.EventPattern(source=[c.EVENT_SOURCE], detail_type=list(detail_types)),
        targets=[targets.SqsQueue(queue)],
    )
    pin_logical_id(rule, rule_id)
    return rule


def domain_events_queue(
    scope: Construct,
    *,
    queue_id: str,
    dlq_id: str,
    rule_id: str,
    event_bus: events.IEventBus,
    detail_types: tuple[str, ...],
    consumer_timeout_seconds: int,
    description: str,
) -> QueueWithDlq:
    """A consumer's own queue (with its DLQ) fed by a rule on the domain bus with `detail_types`."""
    pair = queue_with_dlq(scope, queue_id, dlq_id, consumer_timeout_seconds=consumer_timeout_seconds)
    events_to_queue(
        scope, rule_id, event_bus=event_bus, detail_types=detail_types, queue=pair.queue, description=description
    )
    return pair
