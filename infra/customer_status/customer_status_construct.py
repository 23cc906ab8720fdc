"""Customer status (issue 12.3): the helpdesk told of every visible change, and the status route's function.

- `CustomerStatusRule` sends the order and return status events to `CustomerStatusQueue` (SSE-SQS,
  DLQ `CustomerStatusDlq` after 5 receives); `CustomerStatusFunction` drains it (batch 10, partial
  batch responses, at most 2 at once: Zendesk's rate limit is per account) and, when
  `helpdeskBaseUrl` is set, tracks each new view on the customer's Zendesk timeline.
- `StatusApiFunction` answers `GET /v1/status/orders/{channel}/{channel_order_id}` (the route and its
  API key are the API's, infra/ingest/webhook_api_construct.py).
- Least privilege (`dynamodb:LeadingKeys`): both read the order (`ORDER#*`), its shipments
  (`ORDERSHIPMENTS#*`), its returns ledger and returns (`ORDERRETURNS#*`, `RETURNCASE#*`); the
  publisher also puts shipments (`ORDERSHIPMENTS#*` only) and writes its call markers (`CSEVENT#*`),
  appends to the trace and reads the vendor credentials (Zendesk's token). The status route's
  function may write nothing and read no secret.

AWS calls per status event: one SQS receive share, one GetItem + two Query (+ one BatchGetItem
with returns), one PutItem for a shipment, and for a new view a conditional PutItem, the Zendesk
call, an UpdateItem and the trace PutItem (bench: `make bench`, section `customer_status`).
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources, only_set
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_leading_keys, grant_trace_append

READ_KEYS = ["ORDER#*", "ORDERSHIPMENTS#*", "ORDERRETURNS#*", "RETURNCASE#*"]
READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]


def _grant_status_reads(fn: lambda_.Function, state_table: dynamodb.ITable, extra_keys: list[str]) -> None:
    grant_leading_keys(state_table, fn, READ_ACTIONS, [*READ_KEYS, *extra_keys])


class CustomerStatusConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        self.function, (self.queue, self.dlq) = core.consumer(
            self,
            specs.CUSTOMER_STATUS,
            environment={
                **core.env(state=True, trace=True),
                **only_set({c.ENV_HELPDESK_BASE_URL: core.config.helpdesk_base_url}),
            },
        )
        fn = self.function
        _grant_status_reads(fn, state_table, ["CSEVENT#*"])
        grant_leading_keys(state_table, fn, ["dynamodb:PutItem"], ["ORDERSHIPMENTS#*"])
        grant_leading_keys(
            state_table, fn, ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], ["CSEVENT#*"]
        )
        grant_trace_append(core.trace_table, fn)
        core.secrets.grant_vendor_credentials(fn)
        consume_queue(
            fn, self.queue, batch_size=c.CUSTOMER_STATUS_BATCH_SIZE, max_concurrency=c.CUSTOMER_STATUS_MAX_CONCURRENCY
        )

        self.api_function: lambda_.Function = core.factory.function(
            self, specs.STATUS_API, environment=core.env(state=True)
        )
        _grant_status_reads(self.api_function, state_table, [])
