"""Dead letters as ops exceptions (shared/adapters/dead_letters.py), wired once.

- Every queue consumer may write its exception partition (`EXCEPTION#DEAD_LETTER`, or
  `EXCEPTION#CHANNEL_COMMAND` for channel outbound) and nothing else of the state table for it,
  knows the table and its queue's maxReceiveCount (`MAX_RECEIVE_COUNT`).
- The ops function gets every queue with a DLQ by short name (`DEAD_LETTER_QUEUES`, JSON
  `{"orders": {"queue": url, "dlq": url}, ...}`): it may send to the source queues (retry, redrive)
  and receive and delete from the DLQs (redrive).
"""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from infra import constants as c
from infra.shared.queues import QueueWithDlq
from infra.storage.tables_construct import grant_leading_keys
from shared.adapters.exception_store import STORED_KINDS, exception_pk

ENV_MAX_RECEIVE_COUNT = "MAX_RECEIVE_COUNT"
ENV_DEAD_LETTER_QUEUES = "DEAD_LETTER_QUEUES"
# Every exception partition: ops retries (counts) and resolves each, and never raises one.
EXCEPTION_PARTITIONS = [exception_pk("reconciliation"), *(exception_pk(kind) for kind in STORED_KINDS)]


def keep_dead_letters(fn: lambda_.Function, state_table: dynamodb.ITable, *, kind: str = "dead_letter") -> None:
    """`fn` consumes a queue with a DLQ: it keeps a message failing on its last receive as an exception."""
    fn.add_environment(c.ENV_STATE_TABLE, state_table.table_name)
    fn.add_environment(ENV_MAX_RECEIVE_COUNT, str(c.MAX_RECEIVE_COUNT))
    grant_leading_keys(state_table, fn, ["dynamodb:UpdateItem"], [exception_pk(kind)])


def serve_dead_letters(fn: lambda_.Function, queues: Mapping[str, QueueWithDlq]) -> None:
    """The ops function may redrive each DLQ into its source queue, and retry into the source queue."""
    urls = {name: {"queue": pair.queue.queue_url, "dlq": pair.dlq.queue_url} for name, pair in queues.items()}
    fn.add_environment(ENV_DEAD_LETTER_QUEUES, cdk.Stack.of(fn).to_json_string(urls))
    for pair in queues.values():
        pair.queue.grant_send_messages(fn)
        pair.dlq.grant(fn, "sqs:ReceiveMessage", "sqs:DeleteMessage")
