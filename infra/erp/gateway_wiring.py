"""Every function that calls the ERP is connected to the one ERP gateway here (issue 10.3).

The gateway itself is code every ERP connector runs (shared/adapters/erp_gateway.py): slots in the
state table's `ERP_GATEWAY` partition bound the ERP calls of all functions together to the ERP's
concurrency limit (`-c erpConcurrency=N`, NetSuite's per-account limit), with a share for bulk work.
`connect` gives a function the ERP's URL, the limit and share (the same values in every function:
the lane is the work's, named in the code that builds the connector), and a grant to that one
partition (read, claim and release: Query, UpdateItem).
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from infra import constants as c
from infra.storage.tables_construct import grant_state_partitions


@dataclass(frozen=True)
class ErpGatewayWiring:
    base_url: str
    concurrency_limit: int
    bulk_share: int
    state_table: dynamodb.ITable

    def connect(self, fn: lambda_.Function) -> None:
        """`fn` calls the ERP, through the gateway."""
        for name, value in {
            c.ENV_ERP_BASE_URL: self.base_url,
            c.ENV_STATE_TABLE: self.state_table.table_name,
            c.ENV_ERP_CONCURRENCY_LIMIT: str(self.concurrency_limit),
            c.ENV_ERP_BULK_SHARE: str(self.bulk_share),
        }.items():
            fn.add_environment(name, value)
        grant_state_partitions(
            self.state_table,
            fn,
            writes=[c.PK_ERP_GATEWAY],
            reads=[c.PK_ERP_GATEWAY],
            write_actions=("dynamodb:UpdateItem",),
            read_actions=("dynamodb:Query",),
        )
