"""Delivery dedupe with Powertools idempotency (DynamoDB), keyed on `<source>#<delivery_id>`.

The first request for a key runs the work and stores its result for 7 days; a repeat gets the
stored result back through the `response_hook` (marked duplicate) without running it. A failing
run deletes its in-progress record, so the vendor's retry runs again.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters import aws
from shared.errors import DeliveryInProgress, UpstreamUnavailable
from shared.intake_ports import DeliveryWork

DELIVERY_TTL_SECONDS = 7 * 24 * 3600
KEY_PREFIX = "ingest-delivery"
_DUPLICATE = "__duplicate__"


def _mark_duplicate(response: Any, idempotent_data: DataRecord) -> Any:
    return {**(response or {}), _DUPLICATE: True}


def _run(*, delivery: dict[str, str], work: DeliveryWork) -> dict[str, Any]:
    return work()


class PowertoolsDeliveryDedupe:
    def __init__(
        self, table_name: str, client: Any | None = None, ttl_seconds: int = DELIVERY_TTL_SECONDS
    ) -> None:
        self.config = IdempotencyConfig(
            event_key_jmespath="key",
            expires_after_seconds=ttl_seconds,
            response_hook=_mark_duplicate,
        )
        layer = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client or aws.client("dynamodb"))
        self._once = idempotent_function(
            data_keyword_argument="delivery",
            persistence_store=layer,
            config=self.config,
            key_prefix=KEY_PREFIX,
        )(_run)

    def register_lambda_context(self, context: LambdaContext) -> None:
        """In-progress records expire with the invocation, so a timed-out run does not block retries."""
        self.config.register_lambda_context(context)

    def once(self, key: str, work: DeliveryWork) -> tuple[dict[str, Any], bool]:
        try:
            result = self._once(delivery={"key": key}, work=work)
        except IdempotencyAlreadyInProgressError as exc:
            raise DeliveryInProgress("this delivery is being accepted right now; retry shortly") from exc
        except IdempotencyPersistenceLayerError as exc:
            raise UpstreamUnavailable("could not record the delivery; retry later") from exc
        result = dict(result or {})
        duplicate = bool(result.pop(_DUPLICATE, False))
        return result, duplicate
