"""Walmart, Loop, eBay and Square refunds: signatures as each vendor signs, topics, delivery ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from local.sandboxes.ebay_keys import TEST_KEY_ID, TEST_PUBLIC_KEY_PEM
from local.signing import fixture_request, sign_ebay
from shared.channels import ebay as ebay_module
from shared.channels.base import Headers, WebhookRequest
from shared.channels.registry import adapter_for
from shared.errors import SignatureInvalid, TimestampStale, ValidationFailed


def _now() -> datetime:
    """The time of the check, not of the module's import: a loaded worker may import it minutes before."""
    return datetime.now(UTC)


def as_request(source: str, body: bytes, headers: dict[str, str], method: str = "POST") -> WebhookRequest:
    return WebhookRequest(
        method=method,
        path_with_query=f"/v1/webhooks/{source}",
        body=body,
        headers=Headers(headers),
        endpoint_url=f"http://127.0.0.1:3000/v1/webhooks/{source}",
    )


class StaticKeys:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def pem_for(self, kid: str) -> str:
        self.asked.append(kid)
        if kid != TEST_KEY_ID:
            raise SignatureInvalid("unknown kid")
        return ebay_module._pem(TEST_PUBLIC_KEY_PEM)


@pytest.fixture
def ebay_keys(monkeypatch: pytest.MonkeyPatch) -> StaticKeys:
    keys = StaticKeys()
    monkeypatch.setattr(adapter_for("ebay"), "keys", keys)
    return keys


# Walmart ---------------------------------------------------------------------------------------


def test_walmart_signed_as_walmart_signs_verifies_and_names_the_event_id() -> None:
    body, headers = fixture_request("walmart/po_created", secret="wm-secret")
    walmart = adapter_for("walmart")
    walmart.verify(as_request("walmart", body, headers), "wm-secret", _now())
    info = walmart.describe(as_request("walmart", body, headers), json.loads(body))
    assert (info.delivery_id, info.event_type, info.domain) == (
        "04d868a0-d1a2-11ea-a710-459752d002e8",
        "PO_CREATED",
        "orders",
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b, h, r: (b + b" ", h, r),
        lambda b, h, r: (b, {**h, "WM_SEC.TIMESTAMP": str(int(h["WM_SEC.TIMESTAMP"]) + 1)}, r),
        lambda b, h, r: (b, h, "GET"),
        lambda b, h, r: (b, {k: v for k, v in h.items() if k != "WM_SEC.SIGNATURE"}, r),
    ],
    ids=["body", "timestamp", "method", "missing"],
)
def test_walmart_signature_covers_method_path_timestamp_and_body(tamper) -> None:  # type: ignore[no-untyped-def]
    body, headers = fixture_request("walmart/po_created", secret="wm-secret")
    body, headers, method = tamper(body, headers, "POST")
    with pytest.raises(SignatureInvalid):
        adapter_for("walmart").verify(as_request("walmart", body, headers, method), "wm-secret", _now())


def test_walmart_timestamp_older_than_300_seconds_is_stale() -> None:
    old = int((_now() - timedelta(seconds=301)).timestamp())
    body, headers = fixture_request("walmart/po_created", secret="wm-secret", t=old)
    with pytest.raises(TimestampStale):
        adapter_for("walmart").verify(as_request("walmart", body, headers), "wm-secret", _now())


def test_walmart_event_type_we_do_not_handle_is_ignored() -> None:
    body, headers = fixture_request("walmart/inventory_oos")
    info = adapter_for("walmart").describe(as_request("walmart", body, headers), json.loads(body))
    assert info.ignored and info.delivery_id == "5e6f7a8b-cbd1-11ea-a1b2-c3d4e5f6a7b8"


def test_walmart_po_without_lines_is_refused_with_field_details() -> None:
    body = {"source": {"eventType": "PO_CREATED", "eventId": "e1"}, "payload": {"purchaseOrderId": "1"}}
    with pytest.raises(ValidationFailed) as excinfo:
        adapter_for("walmart").describe(as_request("walmart", b"{}", {}), body)
    assert {d["field"] for d in excinfo.value.details} >= {"orderDate", "orderLines"}


# Loop ------------------------------------------------------------------------------------------


def test_loop_signature_is_base64_hmac_of_the_escaped_compact_body() -> None:
    body, headers = fixture_request("loop/return_created", secret="loop-secret")
    assert b"\\/" in body and b"\n" not in body  # Loop's own serialization, signed as is
    adapter_for("loop").verify(as_request("loop", body, headers), "loop-secret", _now())
    with pytest.raises(SignatureInvalid):
        adapter_for("loop").verify(as_request("loop", body.replace(b"\\/", b"/"), headers), "loop-secret", _now())


def test_loop_versions_of_one_return_are_distinct_deliveries_and_retries_are_not() -> None:
    loop = adapter_for("loop")
    ids = []
    for case in ("return_created", "return_updated", "return_created"):
        body, headers = fixture_request(f"loop/{case}")
        ids.append(loop.describe(as_request("loop", body, headers), json.loads(body)).delivery_id)
    assert ids[0] == ids[2] and ids[0] != ids[1]


def test_loop_label_topic_is_ignored() -> None:
    body, headers = fixture_request("loop/label_updated")
    info = adapter_for("loop").describe(as_request("loop", body, headers), json.loads(body))
    assert info.ignored and info.event_type == "label.updated"


# eBay ------------------------------------------------------------------------------------------


def test_ebay_notification_signed_with_the_sandbox_key_verifies(ebay_keys: StaticKeys) -> None:
    body, headers = fixture_request("ebay/marketplace_account_deletion")
    adapter_for("ebay").verify(as_request("ebay", body, headers), "unused", _now())
    assert ebay_keys.asked == [TEST_KEY_ID]


def test_ebay_tampered_body_or_unknown_kid_is_refused(ebay_keys: StaticKeys) -> None:
    body, headers = fixture_request("ebay/marketplace_account_deletion")
    with pytest.raises(SignatureInvalid):
        adapter_for("ebay").verify(as_request("ebay", body.replace(b"test_user", b"evil_user"), headers), "", _now())
    other = {**headers, "X-EBAY-SIGNATURE": sign_ebay(body, kid="unknown-kid")}
    with pytest.raises(SignatureInvalid):
        adapter_for("ebay").verify(as_request("ebay", body, other), "", _now())


@pytest.mark.parametrize("header", [None, "not-base64!", "e30="])
def test_ebay_missing_or_malformed_signature_header_is_refused(header: str | None, ebay_keys: StaticKeys) -> None:
    body, _ = fixture_request("ebay/marketplace_account_deletion")
    with pytest.raises(SignatureInvalid):
        adapter_for("ebay").verify(as_request("ebay", body, {"X-EBAY-SIGNATURE": header} if header else {}), "", _now())


def test_ebay_challenge_answer_is_sha256_of_code_token_and_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EBAY_VERIFICATION_TOKEN", raising=False)
    answer = adapter_for("ebay").answer_challenge(
        {"challenge_code": "a8628072"}, "http://127.0.0.1:3000/v1/webhooks/ebay"
    )
    import hashlib

    expected = hashlib.sha256(b"a8628072local-ebay-verification-tokenhttp://127.0.0.1:3000/v1/webhooks/ebay")
    assert answer == {"challengeResponse": expected.hexdigest()}
    with pytest.raises(ValidationFailed):
        adapter_for("ebay").answer_challenge({}, "http://127.0.0.1:3000/v1/webhooks/ebay")


def test_sources_without_a_challenge_answer_none() -> None:
    assert adapter_for("shopify").answer_challenge({"challenge_code": "x"}, "http://h/v1/webhooks/shopify") is None


def test_ebay_one_line_pem_from_get_public_key_is_rewrapped_for_the_parser() -> None:
    one_line = "".join(TEST_PUBLIC_KEY_PEM.split())
    assert (
        ebay_module._pem(
            one_line.replace("-----BEGINPUBLICKEY-----", "-----BEGIN PUBLIC KEY-----").replace(
                "-----ENDPUBLICKEY-----", "-----END PUBLIC KEY-----"
            )
        )
        == TEST_PUBLIC_KEY_PEM
    )


def test_ebay_public_keys_are_fetched_once_per_kid_from_the_key_sandbox() -> None:
    sandbox_module = pytest.importorskip("local.sandboxes.ebay")  # built by the sandboxes work
    sandbox = sandbox_module.EbaySandbox()
    url = sandbox.start()
    try:
        keys = ebay_module.NotificationApiKeys(ebay_module.EbaySettings(ebay_api_base_url=url))
        first = keys.pem_for(TEST_KEY_ID)
        assert keys.pem_for(TEST_KEY_ID) == first and keys.fetches == 1
        assert "-----BEGIN PUBLIC KEY-----\n" in first
        with pytest.raises(SignatureInvalid):
            keys.pem_for("nope")
    finally:
        sandbox.stop()


# Square refunds --------------------------------------------------------------------------------


def test_square_pending_refund_is_ignored_and_a_completed_one_is_a_store_return() -> None:
    square = adapter_for("square")
    pending, _ = fixture_request("square/refund_created_pending")
    completed, _ = fixture_request("square/refund_updated_completed")
    assert square.describe(as_request("square", pending, {}), json.loads(pending)).ignored
    info = square.describe(as_request("square", completed, {}), json.loads(completed))
    assert info.domain == "orders" and info.event_type == "refund.updated"
