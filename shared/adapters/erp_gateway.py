"""One ERP gateway for every caller (issue 10.3): a concurrency bound across all functions, two
priority lanes, and one pause when the ERP says it is throttling.

NetSuite governs concurrency per account: "Concurrency for REST web services is governed by an
account limit, where each request counts toward the account limit. The account governance limit
applies to the combined total of web services and RESTlet requests" (Oracle, "Concurrency Governance
and Session Management", ns-online-help/subsect_1559222360.html). A request over it is refused: REST
web services answer 429 Too Many Requests; RESTlets answer "HTTP error code: 400 Bad Request,
SuiteScript error code: SSS_REQUEST_LIMIT_EXCEEDED" (Oracle, "Errors Related to Concurrency
Violations", ns-online-help/bridgehead_1525252812.html). Oracle's advice is to "serialize your
requests", so every ERP connector (sales orders, cancellations, the parked-order replay, return
authorizations and credit memos, journals, the reconciliation snapshot) sends each call through
`ErpGateway.call`, whichever Lambda function it runs in.

**Slots.** The account limit `N` (`ERP_CONCURRENCY_LIMIT`, the stack's `erpConcurrency`) is `N` slot
items in the state table (`ERP_GATEWAY` / `SLOT#000` ...). A call holds one for the length of its
HTTP request: it claims a free slot with one conditional UpdateItem (free = no holder, or a lease
that ran out: a function killed mid-call frees its slot after `lease_seconds`, longer than any call
can last), and gives it back with one conditional UpdateItem that only clears its own claim.

**Lanes.** Bulk work (the reconciliation snapshot, settlement journals, backfills) may hold only the
first `ERP_BULK_SHARE` slots; order acceptance, cancellations and refunds (lane `priority`) hold the
other `N - share` first and take a bulk slot when one is free. So bulk work can never take more than
its share, and acceptance always finds `N - share` slots that bulk work cannot touch: its latency
stays flat while a backfill runs. The lane is the work's, named where its connector is built
(`erp_connector(..., lane=...)`): acceptance, cancellation, the parked replay and refunds are
`priority`; the reconciliation snapshot and settlement journals `bulk`.

**Throttling.** When the ERP answers that it is throttling (429 with `Retry-After`, or
`SSS_REQUEST_LIMIT_EXCEEDED`, which the connectors map to their throttled error), the caller writes
`PAUSE` (`paused_until`, only ever moved later) and every caller waits it out before its next
call; the call is then sent again (the ERP refused before acting, so a resend cannot write twice),
with exponential backoff and full jitter when no `Retry-After` was given.

**Waiting.** A caller waits (polling the partition with backoff) at most its lane's wait (10 s for
priority, 60 s for bulk; `ERP_PRIORITY_WAIT_SECONDS`, `ERP_BULK_WAIT_SECONDS`, each well inside the
timeouts of the functions in that lane) for a slot or the end of a pause, then raises the
connector's throttled error with `retry_after`:
the caller's own retry takes over (OrderFlow's and ReturnFlow's Retry on `ErpThrottled`, an SQS
redelivery), so nothing waits inside a Lambda longer than its timeout allows.

AWS calls per ERP request: one strongly consistent Query of the `ERP_GATEWAY` partition (at most
`N + 1` small items: 1 read unit), one UpdateItem to claim and one to release (2 write units); more
only while waiting. `python -m bench erp_gateway` models the cost.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import Field

from shared.adapters.dynamo_table import DynamoTableAdapter
from shared.errors import ErpThrottled, Throttled
from shared.settings import EnvSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from shared.adapters.http import HttpConnector

T = TypeVar("T")
C = TypeVar("C", bound="HttpConnector")
Lane = Literal["priority", "bulk"]

PK = "ERP_GATEWAY"
PAUSE_SK = "PAUSE"
BACKLOG_SK = "BACKLOG"
SLOT_PREFIX = "SLOT#"
# What the ERP answers when it throttles besides HTTP 429 (the connectors treat a 4xx carrying one of
# these codes as throttled, never as a refusal): NetSuite's RESTlet concurrency error.
ERP_THROTTLE_CODES = frozenset({"SSS_REQUEST_LIMIT_EXCEEDED"})

FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 1.0
THROTTLE_BACKOFF_SECONDS = 1.0  # first wait after a throttled answer without Retry-After
MAX_THROTTLED_RESENDS = 5


def slot_key(index: int) -> str:
    return f"{SLOT_PREFIX}{index:03d}"


class GatewaySettings(EnvSettings):
    """The gateway's configuration in a function's environment (infra/erp/gateway_wiring.py): the same
    in every function (the local stack runs them all in one process with one environment)."""

    state_table_name: Annotated[str, Field(min_length=3)]
    erp_concurrency_limit: Annotated[int, Field(ge=1, le=999)] = 5
    erp_bulk_share: Annotated[int, Field(ge=1)] = 2
    erp_priority_wait_seconds: Annotated[float, Field(ge=0)] = 10.0
    erp_bulk_wait_seconds: Annotated[float, Field(ge=0)] = 60.0

    def wait_seconds(self, lane: Lane) -> float:
        return self.erp_priority_wait_seconds if lane == "priority" else self.erp_bulk_wait_seconds


@dataclass(frozen=True)
class LanePolicy:
    """Which slots a lane may hold, in the order it tries them."""

    limit: int
    bulk_share: int

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise ValueError("the ERP concurrency limit is at least 1")

    @property
    def bulk_slots(self) -> int:
        # With a limit of 1 bulk and priority share the only slot; otherwise priority keeps at least one.
        return self.limit if self.limit == 1 else max(1, min(self.bulk_share, self.limit - 1))

    def slots(self, lane: Lane) -> list[int]:
        bulk = list(range(self.bulk_slots))
        if lane == "bulk":
            return bulk
        return [*range(self.bulk_slots, self.limit), *bulk]


@dataclass(frozen=True)
class Lease:
    slot: int
    holder: str


class _GatewayPartition(DynamoTableAdapter):
    def _update(self, sk: str, expression: str, condition: str | None, values: dict[str, Any]) -> bool:
        """One (conditional) UpdateItem on the gateway's partition; False when the condition refused it."""
        from shared.adapters.dynamo_codec import to_dynamo

        kwargs: dict[str, Any] = {"ConditionExpression": condition} if condition else {}
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo({"pk": PK, "sk": sk}),
                UpdateExpression=expression,
                # Seconds since the epoch to the millisecond (boto3's serializer takes no floats).
                ExpressionAttributeValues=to_dynamo(
                    {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in values.items()}
                ),
                **kwargs,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


class ErpBacklog(_GatewayPartition):
    """Orders parked while the ERP was down, as one fact every caller reads (`ERP_GATEWAY` /
    `BACKLOG`): while it is open, a new order joins the back of the line (OrderFlow parks it, as the
    ERP had been down for it) instead of reaching the ERP before the older parked ones, so the
    parked-order replay posts every order in the order it was accepted (issue 10.3).

    Opened by every park (RecordErpFailed), read with the gateway's own Query, closed by the replay
    once the parking queue is empty, on the condition that nothing was parked since it looked."""

    def open(self, at: str) -> None:
        self._update(
            BACKLOG_SK,
            "SET opened_at = if_not_exists(opened_at, :at), last_parked_at = :at",
            None,
            {":at": at},
        )

    def last_parked_at(self) -> str | None:
        """None when the backlog is closed; else when the newest order joined it."""
        item = next((i for i in self.query_items(PK) if i["sk"] == BACKLOG_SK), {})
        value = item.get("last_parked_at")
        return str(value) if value else None

    def is_open(self) -> bool:
        return self.last_parked_at() is not None

    def close(self, seen: str) -> bool:
        """Close it unless an order joined after `seen` (then it stays open: replay again)."""
        return self._update(
            BACKLOG_SK,
            "REMOVE opened_at, last_parked_at",
            "last_parked_at = :seen",
            {":seen": seen},
        )


class ErpGateway(_GatewayPartition):
    """Claims a slot of the caller's lane around each ERP request (see the module's docstring)."""

    def __init__(
        self,
        table_name: str,
        *,
        policy: LanePolicy,
        lane: Lane,
        wait_seconds: float,
        lease_seconds: float,
        client: DynamoDBClient | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        super().__init__(table_name, client=client)
        self.policy = policy
        self.lane = lane
        self.wait_seconds = wait_seconds
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter

    def call(self, send: Callable[[], T], throttled: type[Throttled] = ErpThrottled) -> T:
        """`send()` while holding a slot; a throttled answer pauses every caller and is sent again.

        `throttled` is the connector's throttled error (it carries `retry_after`); it is also what
        this raises when no slot frees up, or the pause does not end, within the wait budget."""
        deadline = self._clock() + self.wait_seconds
        resends = 0
        while True:
            lease = self._acquire(deadline, throttled)
            try:
                return send()
            except throttled as exc:
                retry_after = getattr(exc, "retry_after", None)
                pause = retry_after if retry_after else THROTTLE_BACKOFF_SECONDS * 2**resends * (0.5 + self._jitter())
                self._pause(pause)
                resends += 1
                _observe_throttle(self.lane, pause, resends)
                if resends > MAX_THROTTLED_RESENDS or self._clock() + pause > deadline:
                    raise
            finally:
                self._release(lease)

    # ----- slots -------------------------------------------------------------------------------

    def _acquire(self, deadline: float, throttled: type[Throttled]) -> Lease:
        waits = 0
        while True:
            items = {item["sk"]: item for item in self.query_items(PK)}
            now = self._clock()
            paused_until = float(items.get(PAUSE_SK, {}).get("paused_until", 0))
            if paused_until > now:
                wait = paused_until - now
                reason = f"the ERP asked for a pause of {wait:.1f} s"
            else:
                lease = self._claim_free_slot(items, now)
                if lease is not None:
                    return lease
                wait = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2**waits) * (0.5 + self._jitter() / 2)
                reason = f"all {len(self.policy.slots(self.lane))} {self.lane} ERP slots are busy"
            if now + wait > deadline:
                raise throttled(f"ERP gateway: {reason} (waited {self.wait_seconds:.0f} s)", retry_after=max(wait, 1.0))
            self._sleep(wait)
            waits += 1

    def _claim_free_slot(self, items: dict[str, dict[str, Any]], now: float) -> Lease | None:
        free = [
            index
            for index in self.policy.slots(self.lane)
            if not items.get(slot_key(index), {}).get("holder")
            or float(items[slot_key(index)].get("lease_until", 0)) <= now
        ]
        for index in free:
            lease = Lease(index, uuid.uuid4().hex)
            if self._claim(lease, now):
                return lease
        return None

    def _claim(self, lease: Lease, now: float) -> bool:
        """False when another caller claimed the slot first."""
        return self._update(
            slot_key(lease.slot),
            "SET holder = :holder, lease_until = :lease_until, lane = :lane, claimed_at = :now",
            "attribute_not_exists(holder) OR lease_until <= :now",
            {
                ":holder": lease.holder,
                ":lease_until": round(now + self.lease_seconds, 3),
                ":lane": self.lane,
                ":now": round(now, 3),
            },
        )

    def _release(self, lease: Lease) -> None:
        # Refused when our lease ran out and another caller holds the slot now: nothing of ours to free.
        self._update(
            slot_key(lease.slot),
            "REMOVE holder, lease_until, lane, claimed_at",
            "holder = :holder",
            {":holder": lease.holder},
        )

    def _pause(self, seconds: float) -> None:
        """Every caller waits until `now + seconds`; a pause is only ever moved later (refused when a
        longer one is already set)."""
        until = round(self._clock() + seconds, 3)
        self._update(
            PAUSE_SK,
            "SET paused_until = :until",
            "attribute_not_exists(paused_until) OR paused_until < :until",
            {":until": until},
        )


def _observe_throttle(lane: Lane, pause: float, resends: int) -> None:
    """A log line and a metric (`ErpThrottled`, by lane): the ERP throttling shows in seconds even
    though the call waits it out and succeeds."""
    from aws_lambda_powertools.metrics import MetricUnit

    from shared.observability import logger, metrics

    logger.warning("ERP throttled: every caller paused", extra={"lane": lane, "pause_s": pause, "resend": resends})
    metrics.add_metric(name="ErpThrottled", unit=MetricUnit.Count, value=1)


def lease_seconds_for(timeout_seconds: float) -> float:
    """Longer than one gated call can last: a token mint and two sends (a refused token is sent
    again), each bounded by the connector's timeout, plus a margin."""
    return 3 * timeout_seconds + 5


def erp_gateway(lane: Lane, timeout_seconds: float, settings: GatewaySettings | None = None) -> ErpGateway:
    """The gateway configured in the function's environment, for calls of `lane` whose requests
    time out after `timeout_seconds`."""
    s = settings or GatewaySettings.from_env()
    return ErpGateway(
        s.state_table_name,
        policy=LanePolicy(s.erp_concurrency_limit, s.erp_bulk_share),
        lane=lane,
        wait_seconds=s.wait_seconds(lane),
        lease_seconds=lease_seconds_for(timeout_seconds),
    )


def erp_connector(cls: type[C], base_url: str, timeout_seconds: float, *, lane: Lane) -> C:
    """An ERP connector of class `cls` (an `HttpConnector`) as every function builds it: NetSuite's
    OAuth 2.0 client-credentials token (shared/adapters/vendor_auth.py) and this gateway's `lane`."""
    from shared.adapters.vendor_auth import erp_token_auth

    return cls(
        base_url,
        timeout=timeout_seconds,
        token_auth=erp_token_auth(base_url),
        gate=erp_gateway(lane, timeout_seconds),
    )


__all__ = [
    "ERP_THROTTLE_CODES",
    "ErpBacklog",
    "ErpGateway",
    "GatewaySettings",
    "Lane",
    "LanePolicy",
    "Lease",
    "erp_connector",
    "erp_gateway",
    "lease_seconds_for",
]
