"""The ERP gateway on DynamoDB (moto): every caller's ERP requests bounded by one limit, two lanes,
one pause when the ERP throttles (shared/adapters/erp_gateway.py, issue 10.3)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import respx

from functions.orders.adapters.erp import HttpErp
from functions.reconciliation.adapters.snapshots import ErpSnapshotSource
from shared.adapters.erp_gateway import (
    PK,
    ErpBacklog,
    ErpGateway,
    GatewaySettings,
    Lane,
    LanePolicy,
    erp_gateway,
    lease_seconds_for,
    slot_key,
)
from shared.errors import ErpRejected, ErpThrottled, ErpUnavailable, Throttled
from tests.fakes.aws import STATE_TABLE

BASE = "http://erp.test"
RECORD = f"{BASE}/services/rest/record/v1/salesOrder/eid:ord_1"
POLICY = LanePolicy(limit=5, bulk_share=2)


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def gateway(
    dynamodb: Any,
    lane: Lane = "priority",
    *,
    clock: FakeClock | None = None,
    wait_seconds: float = 10.0,
    policy: LanePolicy = POLICY,
) -> ErpGateway:
    timing: dict[str, Any] = {"clock": clock, "sleep": clock.sleep} if clock else {}
    return ErpGateway(
        STATE_TABLE,
        policy=policy,
        lane=lane,
        wait_seconds=wait_seconds,
        lease_seconds=35.0,
        client=dynamodb,
        jitter=lambda: 0.5,
        **timing,
    )


def holders(dynamodb: Any) -> dict[str, str]:
    page = dynamodb.query(
        TableName=STATE_TABLE,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": PK}},
        ConsistentRead=True,
    )
    return {item["sk"]["S"]: item["holder"]["S"] for item in page["Items"] if "holder" in item}


class InFlight:
    """A stand-in ERP that counts the calls in flight at once (overall and per lane)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self.now: dict[str, int] = {"all": 0, "priority": 0, "bulk": 0}
        self.peak: dict[str, int] = {"all": 0, "priority": 0, "bulk": 0}
        self.calls = 0

    def send(self, lane: str) -> str:
        with self._lock:
            self.calls += 1
            for key in ("all", lane):
                self.now[key] += 1
                self.peak[key] = max(self.peak[key], self.now[key])
        time.sleep(self.seconds)
        with self._lock:
            for key in ("all", lane):
                self.now[key] -= 1
        return "ok"


# ----- lanes -------------------------------------------------------------------------------------


def test_bulk_work_may_hold_only_its_share_and_priority_tries_its_own_slots_first() -> None:
    assert POLICY.slots("bulk") == [0, 1]
    assert POLICY.slots("priority") == [2, 3, 4, 0, 1]


def test_a_limit_of_one_is_shared_by_both_lanes_and_a_share_never_takes_every_slot() -> None:
    assert LanePolicy(1, 2).slots("bulk") == LanePolicy(1, 2).slots("priority") == [0]
    assert LanePolicy(3, 7).slots("bulk") == [0, 1]  # priority always keeps one slot of its own
    with pytest.raises(ValueError):
        LanePolicy(0, 1)


# ----- the bound across callers ------------------------------------------------------------------


def test_callers_in_several_functions_never_exceed_the_erp_limit_together(dynamodb: Any) -> None:
    from local.moto_patches import install

    install()  # DynamoDB applies each conditional write atomically; moto's backend needs the local stack's lock
    # Three functions (three gateways, as three Lambda functions would build them), 30 calls at once.
    erp = InFlight(seconds=0.05)
    gateways = [gateway(dynamodb, "priority"), gateway(dynamodb, "priority"), gateway(dynamodb, "bulk")]

    def one_call(i: int) -> str:
        gw = gateways[i % 3]
        return gw.call(lambda: erp.send(gw.lane))

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(one_call, range(30)))

    assert results == ["ok"] * 30
    assert erp.calls == 30
    assert 1 <= erp.peak["all"] <= 5
    assert erp.peak["bulk"] <= 2
    assert holders(dynamodb) == {}  # every slot given back


def test_bulk_work_at_its_share_waits_while_priority_still_gets_a_slot_at_once(dynamodb: Any) -> None:
    clock = FakeClock()
    bulk = gateway(dynamodb, "bulk", clock=clock, wait_seconds=0)
    held = [bulk._acquire(clock() + 1, ErpThrottled) for _ in range(2)]  # a backfill holds both bulk slots

    with pytest.raises(ErpThrottled, match="all 2 bulk ERP slots are busy") as excinfo:
        bulk.call(lambda: "never sent")
    assert excinfo.value.retry_after is not None and excinfo.value.retry_after >= 1

    priority = gateway(dynamodb, "priority", clock=clock, wait_seconds=0)
    assert priority.call(lambda: "accepted") == "accepted"
    assert clock.sleeps == []  # priority did not wait
    assert {holders(dynamodb)[slot_key(lease.slot)] for lease in held} == {lease.holder for lease in held}


def test_when_every_slot_is_held_a_caller_waits_its_budget_then_raises_throttled(dynamodb: Any) -> None:
    clock = FakeClock()
    priority = gateway(dynamodb, "priority", clock=clock, wait_seconds=3)
    for _ in range(5):
        priority._acquire(clock() + 1, ErpThrottled)

    with pytest.raises(ErpThrottled, match="all 5 priority ERP slots are busy"):
        priority.call(lambda: "never sent")
    assert 0 < sum(clock.sleeps) <= 3  # it polled with backoff, within its budget, and no longer


def test_a_slot_whose_holder_died_is_taken_again_once_its_lease_runs_out(dynamodb: Any) -> None:
    clock = FakeClock()
    crashed = gateway(dynamodb, "bulk", clock=clock, policy=LanePolicy(1, 1))
    crashed._acquire(clock() + 1, ErpThrottled)  # claimed, never released (the function was killed)
    waiting = gateway(dynamodb, "priority", clock=clock, policy=LanePolicy(1, 1), wait_seconds=60)

    assert waiting.call(lambda: "sent") == "sent"
    assert 35 <= sum(clock.sleeps) < 37  # it waited out the 35 s lease, not much more


def test_a_caller_whose_lease_ran_out_never_frees_the_slot_another_caller_now_holds(dynamodb: Any) -> None:
    clock = FakeClock()
    slow = gateway(dynamodb, clock=clock, policy=LanePolicy(1, 1))
    stale = slow._acquire(clock() + 1, ErpThrottled)
    clock.now += 40
    fresh = slow._acquire(clock() + 1, ErpThrottled)

    slow._release(stale)

    assert holders(dynamodb) == {slot_key(0): fresh.holder}
    slow._release(fresh)
    assert holders(dynamodb) == {}


# ----- throttling --------------------------------------------------------------------------------


def test_a_throttled_answer_pauses_every_caller_for_its_retry_after_and_is_sent_again(dynamodb: Any) -> None:
    clock = FakeClock()
    orders = gateway(dynamodb, "priority", clock=clock)
    answers: list[Any] = [ErpThrottled("429", retry_after=4.0), "created"]

    def send() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert orders.call(send) == "created"
    assert clock.sleeps == [4.0]
    assert holders(dynamodb) == {}

    # Another function calling during the pause waits for what is left of it.
    clock.now -= 3  # one second into the four-second pause
    journals = gateway(dynamodb, "bulk", clock=clock)
    assert journals.call(lambda: "posted") == "posted"
    assert clock.sleeps[-1] == pytest.approx(3.0)


def test_a_pause_is_only_ever_moved_later(dynamodb: Any) -> None:
    clock = FakeClock()
    gw = gateway(dynamodb, clock=clock)
    gw._pause(30)
    gw._pause(2)
    item = dynamodb.get_item(TableName=STATE_TABLE, Key={"pk": {"S": PK}, "sk": {"S": "PAUSE"}})["Item"]
    assert float(item["paused_until"]["N"]) == pytest.approx(clock() + 30)


def test_throttling_that_outlasts_the_wait_budget_reaches_the_caller_with_its_retry_after(dynamodb: Any) -> None:
    clock = FakeClock()
    gw = gateway(dynamodb, clock=clock, wait_seconds=5)

    def throttled() -> str:
        raise ErpThrottled("429", retry_after=30.0)

    with pytest.raises(ErpThrottled) as excinfo:
        gw.call(throttled)
    assert excinfo.value.retry_after == 30.0  # the Step Functions / SQS retry takes over from here
    assert holders(dynamodb) == {}


def test_an_outage_or_a_refusal_passes_through_and_gives_the_slot_back(dynamodb: Any) -> None:
    gw = gateway(dynamodb)
    for error in (ErpUnavailable("503"), ErpRejected("400 USER_ERROR")):

        def fail(exc: Exception = error) -> str:
            raise exc

        with pytest.raises(type(error)):
            gw.call(fail)
    assert holders(dynamodb) == {}


# ----- through the connectors --------------------------------------------------------------------


@respx.mock
def test_the_erp_connector_waits_out_a_429_through_the_gateway_and_writes_once(dynamodb: Any) -> None:
    clock = FakeClock()
    erp = HttpErp(BASE, timeout=1.0, gate=gateway(dynamodb, clock=clock))
    route = respx.put(RECORD).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "2"}),
            httpx.Response(204, headers={"Location": f"{BASE}/services/rest/record/v1/salesOrder/4711"}),
        ]
    )

    assert erp.upsert_sales_order("ord_1", {"externalId": "ord_1"}) == "4711"
    assert route.call_count == 2
    assert clock.sleeps == [2.0]


@respx.mock
def test_netsuites_restlet_concurrency_error_is_throttling_not_a_refusal() -> None:
    # Oracle, "Errors Related to Concurrency Violations": "HTTP error code: 400 Bad Request,
    # SuiteScript error code: SSS_REQUEST_LIMIT_EXCEEDED".
    respx.put(RECORD).respond(
        400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED", "message": "Request limit exceeded."}}
    )

    with pytest.raises(ErpThrottled, match="SSS_REQUEST_LIMIT_EXCEEDED"):
        HttpErp(BASE, timeout=1.0).upsert_sales_order("ord_1", {})


@respx.mock
def test_a_netsuite_rest_refusal_names_its_error_code_and_stays_a_refusal() -> None:
    respx.put(RECORD).respond(
        400,
        json={
            "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
            "title": "Bad Request",
            "status": 400,
            "o:errorDetails": [{"detail": "Invalid value for the item reference.", "o:errorCode": "USER_ERROR"}],
        },
    )

    with pytest.raises(ErpRejected, match="400 USER_ERROR") as excinfo:
        HttpErp(BASE, timeout=1.0).upsert_sales_order("ord_1", {})
    assert "Invalid value" not in str(excinfo.value)  # the vendor's text never gets into our errors


@respx.mock
def test_the_erp_snapshot_goes_through_the_gateway_and_knows_netsuites_throttling(dynamodb: Any) -> None:
    clock = FakeClock()
    source = ErpSnapshotSource(BASE, gate=gateway(dynamodb, "bulk", clock=clock, wait_seconds=0))
    respx.get(f"{BASE}/snapshot/inventory").respond(400, json={"error": {"code": "SSS_REQUEST_LIMIT_EXCEEDED"}})

    with pytest.raises(Throttled):
        source.snapshot()
    assert clock.sleeps == []  # no budget to wait: the reconciliation run reports the ERP as throttled


def test_the_gateway_is_configured_from_the_functions_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_TABLE_NAME", "retail-sync-state")
    monkeypatch.setenv("ERP_CONCURRENCY_LIMIT", "15")
    monkeypatch.setenv("ERP_BULK_SHARE", "4")
    monkeypatch.setenv("ERP_BULK_WAIT_SECONDS", "45")

    gw = erp_gateway("bulk", 10.0)

    assert (gw.table_name, gw.lane, gw.policy, gw.wait_seconds) == ("retail-sync-state", "bulk", LanePolicy(15, 4), 45)
    assert gw.lease_seconds == lease_seconds_for(10.0) == 35
    assert (
        erp_gateway("priority", 10.0).wait_seconds == GatewaySettings.model_fields["erp_priority_wait_seconds"].default
    )
    with pytest.raises(ValueError):
        GatewaySettings.model_validate({"state_table_name": "t", "erp_concurrency_limit": 0})


def test_acceptance_cancellation_and_refunds_are_priority_and_snapshots_and_journals_bulk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functions.finance.handlers import _deps as finance_deps
    from functions.orders.handlers import replay_parked
    from functions.orders.handlers._deps import erp_deps
    from functions.reconciliation.handlers import reconcile
    from functions.returns.deps import build_steps
    from functions.returns.settings import ReturnStepSettings
    from shared.settings import cached

    env = {"STATE_TABLE_NAME": STATE_TABLE, "TRACE_TABLE_NAME": "trace", "ERP_BASE_URL": BASE}
    env |= {"WMS_BASE_URL": "http://wms.test", "ORDERS_PARKING_QUEUE_URL": "http://sqs.test/q"}
    env["ORDER_FLOW_ARN"] = "arn:aws:states:us-east-1:123456789012:stateMachine:order-flow"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for builder in (cached, finance_deps.default_settler, reconcile.default_reconciler, replay_parked.default_deps):
        getattr(builder, "cache_clear", lambda: None)()

    settings = ReturnStepSettings.from_env()
    lanes = {
        "accept and cancel": erp_deps(settings).erp,  # type: ignore[arg-type]
        "parked replay": replay_parked.default_deps().erp_answers.__self__,  # type: ignore[attr-defined]
        "return steps": build_steps(settings).erp,
        "settlement journals": finance_deps.default_settler().erp,
        "reconciliation snapshot": reconcile.default_reconciler().erp,
    }
    assert {work: connector.gate.lane for work, connector in lanes.items()} == {  # type: ignore[attr-defined]
        "accept and cancel": "priority",
        "parked replay": "priority",
        "return steps": "priority",
        "settlement journals": "bulk",
        "reconciliation snapshot": "bulk",
    }
    finance_deps.default_settler.cache_clear()
    reconcile.default_reconciler.cache_clear()
    replay_parked.default_deps.cache_clear()


# ----- the ERP backlog -----------------------------------------------------------------------------


def test_the_backlog_opens_on_a_park_and_closes_only_if_nothing_joined_since_it_was_read(dynamodb: Any) -> None:
    backlog = ErpBacklog(STATE_TABLE, client=dynamodb)
    assert not backlog.is_open()

    backlog.open("2026-12-04T10:00:01+00:00")
    backlog.open("2026-12-04T10:00:02+00:00")
    seen = backlog.last_parked_at()
    assert seen == "2026-12-04T10:00:02+00:00"
    backlog.open("2026-12-04T10:00:03+00:00")  # an order joins while the replay drains the queue

    assert not backlog.close(seen)  # stays open: that order is replayed first
    assert backlog.close("2026-12-04T10:00:03+00:00")
    assert not backlog.is_open()
    # the gateway's slots ignore it (the same partition)
    assert gateway(dynamodb).call(lambda: "sent") == "sent"
