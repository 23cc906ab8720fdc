"""Token buckets per operation: burst, refill, shared buckets, item-counted buckets, validation."""

from __future__ import annotations

import math

import pytest

from local.sandboxes.limits import OperationLimiter, TokenBucket, validate_rate_limits


def test_a_bucket_admits_its_burst_then_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(capacity=30, refill_per_second=0.5, clock=lambda: now[0])

    assert all(bucket.take()[0] for _ in range(30))
    allowed, left, wait = bucket.take()
    assert (allowed, left) == (False, 0)
    assert wait == pytest.approx(2.0)  # one token at 0.5 a second
    now[0] += 2.0
    assert bucket.take()[0] is True


def test_a_call_may_cost_several_tokens() -> None:
    bucket = TokenBucket(capacity=2000, refill_per_second=2000 / 60, clock=lambda: 0.0)

    assert bucket.take(1000)[0] and bucket.take(1000)[0]
    allowed, _, wait = bucket.take(1)
    assert not allowed and wait == pytest.approx(60 / 2000)


def test_a_bucket_that_never_refills_says_so() -> None:
    bucket = TokenBucket(capacity=1, refill_per_second=0, clock=lambda: 0.0)
    bucket.take()

    assert math.isinf(bucket.take()[2])


def test_operations_naming_one_bucket_share_it() -> None:
    spec = {"capacity": 2, "refill_per_second": 0, "bucket": "admin"}
    limiter = OperationLimiter({"a": spec, "b": spec, "c": {"capacity": 5, "refill_per_second": 0}})

    decisions = [limiter.take(op) for op in ("a", "b", "a", "c")]

    assert [d.allowed for d in decisions if d] == [True, True, False, True]
    assert limiter.take("unlimited") is None


def test_refused_decisions_ask_for_at_least_a_second() -> None:
    limiter = OperationLimiter({"op": {"capacity": 1, "refill_per_second": 10}})
    limiter.take("op")

    refused = limiter.take("op")

    assert refused is not None and not refused.allowed and refused.retry_after == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"nope": {"capacity": 1}}, "unknown operation"),
        ({"op": {"capacity": 0}}, "capacity"),
        ({"op": {"capacity": 1, "refill_per_second": -1}}, "refill_per_second"),
        ([1], "rate_limits must be"),
    ],
)
def test_bad_rate_limits_are_refused_with_the_reason(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_rate_limits(value, frozenset({"op"}))
