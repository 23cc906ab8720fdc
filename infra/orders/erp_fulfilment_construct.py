"""What happens to an order after it is in the ERP: `OrderShipped` and `OrderUpdated` on the domain
bus -> `ErpFulfilmentQueue` (SSE-SQS, DLQ `ErpFulfilmentDlq` after 5 receives) ->
`ErpFulfilmentFunction`: each accepted order's fulfilment instructions to the WMS or the stores
(issue 10), and through the ERP gateway's priority lane one item fulfilment per shipment
(by external id), and the sales order's shipping address set to the newest the channel sent. It
reads only order items and the updates recorded under them (`ORDER#*`: GetItem, Query), writes only
what the ERP took per shipment (`FULFILMENT#*`, the ops API's order view), appends its trace entries
and keeps a message failing on its last receive as a dead-letter exception."""

from __future__ import annotations

from constructs import Construct

from infra import constants as c
from infra import function_specs as specs
from infra.shared.core import CoreResources
from infra.shared.function_factory import consume_queue
from infra.storage.tables_construct import grant_leading_keys, grant_state_partitions, grant_trace_append


class ErpFulfilmentConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, core: CoreResources) -> None:
        super().__init__(scope, construct_id)
        state_table = core.state_table
        self.function, (self.queue, self.dlq) = core.consumer(
            self,
            specs.ERP_FULFILMENT,
            environment={**core.env(trace=True), c.ENV_WMS_BASE_URL: core.channel_apis.wms_base_url},
        )
        consume_queue(self.function, self.queue, batch_size=c.ERP_FULFILMENT_BATCH_SIZE)
        core.erp.connect(self.function)
        # The order, and the updates recorded under it (the newest address wins).
        grant_leading_keys(state_table, self.function, ["dynamodb:GetItem", "dynamodb:Query"], ["ORDER#*"])
        # What the ERP took, per shipment, for the ops API's order view (shared/adapters/state_store.py).
        grant_leading_keys(state_table, self.function, ["dynamodb:PutItem"], ["FULFILMENT#*"])
        # The order's fulfilment instructions: planned, released (with a check that the order is not
        # cancelled: ConditionCheckItem on ORDER#*), shipped (shared/adapters/fulfilment_instructions.py).
        grant_leading_keys(
            state_table,
            self.function,
            ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
            [c.PK_INSTRUCTIONS],
        )
        grant_leading_keys(state_table, self.function, ["dynamodb:ConditionCheckItem"], [c.PK_ORDERS])
        # An order edit that cuts lines gives their units back: the reservation and its positions, in
        # one transaction (functions/orders/logic/line_changes.py).
        grant_state_partitions(state_table, self.function, writes=[c.PK_RESERVATIONS, c.PK_POSITIONS])
        grant_trace_append(core.trace_table, self.function)
