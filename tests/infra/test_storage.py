"""DynamoDB tables and the claim-check bucket."""

from __future__ import annotations

from typing import Any

import pytest

from infra import constants as c


@pytest.mark.parametrize(
    ("table_id", "keys", "ttl"),
    [
        (c.ID_IDEMPOTENCY_TABLE, [("id", "HASH")], "expiration"),
        (c.ID_STATE_TABLE, [("pk", "HASH"), ("sk", "RANGE")], "expires_at"),
        (c.ID_TRACE_TABLE, [("correlation_id", "HASH"), ("sk", "RANGE")], "expires_at"),
    ],
)
def test_table_has_wiring_keys_pitr_ttl_and_on_demand_billing(
    resources: dict[str, dict[str, Any]], table_id: str, keys: list[tuple[str, str]], ttl: str
) -> None:
    props = resources[table_id]["Properties"]
    assert [(k["AttributeName"], k["KeyType"]) for k in props["KeySchema"]] == keys
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_payload_bucket_is_private_encrypted_tls_only_and_expires_claim_checks(
    resources: dict[str, dict[str, Any]],
) -> None:
    props = resources[c.ID_PAYLOAD_BUCKET]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    rule = props["LifecycleConfiguration"]["Rules"][0]
    assert rule["Prefix"] == "payloads/"
    assert rule["ExpirationInDays"] == c.PAYLOAD_EXPIRY_DAYS
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": c.ID_ACCESS_LOGS_BUCKET}

    tls_denied = [
        s
        for r in resources.values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": c.ID_PAYLOAD_BUCKET}
        for s in r["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert tls_denied


def test_the_two_secrets_are_named_per_environment_with_a_json_template(
    resources: dict[str, dict[str, Any]],
) -> None:
    import json

    def keys(props: dict[str, Any]) -> set[str]:
        return set(json.loads(props["GenerateSecretString"]["SecretStringTemplate"]))

    signing = resources[c.ID_WEBHOOK_SECRETS]["Properties"]
    assert signing["Name"] == "retail-sync/test/webhooks"
    assert keys(signing) == set(c.SECRET_KEYS_SIGNING)
    vendor = resources[c.ID_VENDOR_CREDENTIALS]["Properties"]
    assert vendor["Name"] == "retail-sync/test/vendor-credentials"
    assert keys(vendor) == set(c.SECRET_KEYS_VENDOR_API)
