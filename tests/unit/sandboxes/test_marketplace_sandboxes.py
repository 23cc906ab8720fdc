"""Zalando, Shopify, eBay and Walmart (beyond acknowledgement) sandboxes: routes, shapes and limits."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import httpx

from local.sandboxes import EbaySandbox, MarketplaceSandbox, ShopifySandbox, ZalandoSandbox
from local.sandboxes.ebay_keys import PRIVATE_KEY_PEM, PUBLIC_KEY_ID
from local.sandboxes.zalando import DEFAULT_MERCHANT_ID

# The ``client`` fixture presents a bearer token the addressed sandbox minted (conftest.py).
BEARER: dict[str, str] = {}
SHOPIFY = {"X-Shopify-Access-Token": "shpat_sandbox"}
ITEM = {"external_id": "IPOD2008PINK", "quantity": 1, "price": {"amount": 189.95, "currency": "EUR"}}


def _z(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ----- Zalando -----------------------------------------------------------------------------------


def test_zalando_time_filters_are_exclusive_like_zdirects(zalando: ZalandoSandbox, client: httpx.Client) -> None:
    t = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    zalando.seed_order({"order_id": "on-the-bound", "modified_at": _z(t), "items": [ITEM]})
    zalando.seed_order({"order_id": "inside", "modified_at": _z(t + timedelta(seconds=1)), "items": [ITEM]})

    answer = client.get(
        f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/orders",
        params={"last_updated_after": _z(t), "last_updated_before": _z(t + timedelta(minutes=1))},
        headers=BEARER,
    )

    assert answer.headers["Content-Type"].startswith("application/vnd.api+json")
    assert [o["id"] for o in answer.json()["data"]] == ["inside"]


def test_zalando_includes_items_and_lines_and_pages_with_a_next_link(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    for n in range(3):
        zalando.seed_order(
            {"order_id": f"o{n}", "modified_at": _z(datetime(2026, 11, 23, 9, n, tzinfo=UTC)), "items": [ITEM]}
        )
    url = f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/orders"
    params = {"include": "order_items,order_lines", "sort": "modified_at", "page[size]": "2"}

    first = client.get(url, params=params, headers=BEARER).json()
    second = client.get(url, params={**params, "page[number]": "1"}, headers=BEARER).json()

    assert [o["id"] for o in first["data"]] == ["o0", "o1"] and "next" in first["links"]
    assert [o["id"] for o in second["data"]] == ["o2"] and "next" not in second["links"]
    assert {r["type"] for r in first["included"]} == {"OrderItem", "OrderLine"}


def test_zalando_wants_a_bearer_token(zalando: ZalandoSandbox, bare_client: httpx.Client) -> None:
    assert bare_client.get(f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/orders").status_code == 401


def test_zalando_stock_updates_stop_at_2000_a_minute_whatever_the_request_count(
    zalando: ZalandoSandbox, client: httpx.Client
) -> None:
    def batch(offset: int) -> dict[str, object]:
        return {
            "items": [{"sales_channel_id": "sc-1", "ean": f"{offset + n:013d}", "quantity": 3} for n in range(1000)]
        }

    answers = [
        client.post(f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/stocks", json=batch(k * 1000), headers=BEARER)
        for k in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert len(zalando.stocks()) == 2000


def test_zalando_refuses_a_batch_naming_one_article_twice(zalando: ZalandoSandbox, client: httpx.Client) -> None:
    item = {"sales_channel_id": "sc-1", "ean": "4063614512884", "quantity": 5}

    answer = client.post(
        f"{zalando.url}/merchants/{DEFAULT_MERCHANT_ID}/stocks", json={"items": [item, item]}, headers=BEARER
    )

    assert answer.status_code == 400 and "unique" in answer.json()["errors"][0]["detail"]


# ----- Shopify -----------------------------------------------------------------------------------


def test_shopify_leaky_bucket_admits_40_calls_then_answers_429_and_reports_its_fill(
    shopify: ShopifySandbox, client: httpx.Client
) -> None:
    url = f"{shopify.url}/admin/api/2025-01/inventory_levels/set.json"
    body = {"location_id": 905684977, "inventory_item_id": 808950810, "available": 6}

    answers = [client.post(url, json=body, headers=SHOPIFY) for _ in range(41)]

    assert [a.status_code for a in answers] == [200] * 40 + [429]
    assert answers[0].headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"
    assert answers[39].headers["X-Shopify-Shop-Api-Call-Limit"] == "40/40"
    assert float(answers[40].headers["Retry-After"]) >= 1.0
    assert "Exceeded 2 calls per second" in answers[40].json()["errors"]
    assert answers[0].json()["inventory_level"]["available"] == 6


def test_shopify_fulfillments_and_refunds_share_the_bucket_and_answer_201(
    shopify: ShopifySandbox, client: httpx.Client
) -> None:
    fulfillment = {
        "fulfillment": {
            "line_items_by_fulfillment_order": [{"fulfillment_order_id": 1046000778}],
            "tracking_info": {"number": "1Z001", "company": "UPS"},
        }
    }

    created = client.post(f"{shopify.url}/admin/api/2025-01/fulfillments.json", json=fulfillment, headers=SHOPIFY)
    refund = client.post(
        f"{shopify.url}/admin/api/2025-01/orders/450789469/refunds.json",
        json={"refund": {"note": "damaged"}},
        headers=SHOPIFY,
    )

    assert created.status_code == 201 and created.json()["fulfillment"]["tracking_number"] == "1Z001"
    assert refund.status_code == 201 and refund.json()["refund"]["order_id"] == 450789469
    assert refund.headers["X-Shopify-Shop-Api-Call-Limit"] == "2/40"
    assert client.post(f"{shopify.url}/admin/api/2025-01/fulfillments.json", json=fulfillment).status_code == 401


# ----- eBay --------------------------------------------------------------------------------------


def test_ebay_serves_the_notification_key_whose_private_half_signs_verifiably(
    ebay: EbaySandbox, client: httpx.Client
) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

    token = client.post(
        f"{ebay.url}/identity/v1/oauth2/token",
        auth=("local-ebay-client-id", "local-ebay-client-secret"),
        data={"grant_type": "client_credentials"},
    ).json()
    answer = client.get(
        f"{ebay.url}/commerce/notification/v1/public_key/{PUBLIC_KEY_ID}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )

    assert answer.status_code == 200
    key = answer.json()
    assert (key["algorithm"], key["digest"]) == ("ECDSA", "SHA1")
    body = b'{"metadata":{"topic":"MARKETPLACE_ACCOUNT_DELETION"}}'
    private = load_pem_private_key(PRIVATE_KEY_PEM.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    signature = private.sign(body, ec.ECDSA(hashes.SHA1()))
    pem = (
        key["key"]
        .replace("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----\n")
        .replace("-----END", "\n-----END")
    )
    public = load_pem_public_key(pem.encode())
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, body, ec.ECDSA(hashes.SHA1()))  # raises if the halves do not match
    assert base64.b64encode(signature)


def test_ebay_unknown_key_is_404_and_calls_need_a_bearer_token(
    ebay: EbaySandbox, client: httpx.Client, bare_client: httpx.Client
) -> None:
    assert client.get(f"{ebay.url}/commerce/notification/v1/public_key/nope", headers=BEARER).status_code == 404
    assert bare_client.get(f"{ebay.url}/commerce/notification/v1/public_key/{PUBLIC_KEY_ID}").status_code == 401


def test_ebay_bulk_price_quantity_takes_at_most_25_and_fulfillments_answer_201_with_location(
    ebay: EbaySandbox, client: httpx.Client
) -> None:
    ok = client.post(
        f"{ebay.url}/sell/inventory/v1/bulk_update_price_quantity",
        json={"requests": [{"sku": "IPOD2008PINK", "shipToLocationAvailability": {"quantity": 4}}]},
        headers=BEARER,
    )
    too_many = client.post(
        f"{ebay.url}/sell/inventory/v1/bulk_update_price_quantity",
        json={"requests": [{"sku": f"S{n}"} for n in range(26)]},
        headers=BEARER,
    )
    shipped = client.post(
        f"{ebay.url}/sell/fulfillment/v1/order/12-03456-78901/shipping_fulfillment",
        json={
            "lineItems": [{"lineItemId": "10001", "quantity": 1}],
            "shippedDate": "2026-11-24T10:00:00.000Z",
            "shippingCarrierCode": "USPS",
            "trackingNumber": "9400",
        },
        headers=BEARER,
    )
    refund = client.post(
        f"{ebay.url}/sell/fulfillment/v1/order/12-03456-78901/issue_refund",
        json={"reasonForRefund": "BUYER_RETURN", "orderLevelRefundAmount": {"value": "10.00", "currency": "USD"}},
        headers=BEARER,
    )

    assert ok.json()["responses"][0]["statusCode"] == 200 and ebay.state()["inventory"]["IPOD2008PINK"]["quantity"] == 4
    assert too_many.status_code == 400
    assert shipped.status_code == 201 and "/shipping_fulfillment/" in shipped.headers["Location"]
    assert refund.json()["refundStatus"] == "PENDING"


def test_ebay_public_key_quota_is_a_daily_one(ebay: EbaySandbox, client: httpx.Client) -> None:
    client.post(
        f"{ebay.url}/__admin/faults",
        json={"rate_limits": {"getPublicKey": {"capacity": 2, "refill_per_second": 10_000 / 86_400}}},
    )
    url = f"{ebay.url}/commerce/notification/v1/public_key/{PUBLIC_KEY_ID}"

    answers = [client.get(url, headers=BEARER) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["errors"][0]["errorId"] == 2001


# ----- Walmart (marketplace) ---------------------------------------------------------------------


def test_walmart_ships_acknowledged_lines_and_refunds_shipped_ones(
    marketplace: MarketplaceSandbox, client: httpx.Client
) -> None:
    client.post(f"{marketplace.url}/v3/orders/PO-1/acknowledge")
    tracking = {
        "shipDateTime": 1764000000000,
        "carrierName": {"carrier": "UPS"},
        "methodCode": "Standard",
        "trackingNumber": "1Z1",
    }
    ship = {
        "orderShipment": {
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "1",
                        "orderLineStatuses": {
                            "orderLineStatus": [
                                {
                                    "status": "Shipped",
                                    "statusQuantity": {"unitOfMeasurement": "EACH", "amount": "1"},
                                    "trackingInfo": tracking,
                                }
                            ]
                        },
                    }
                ]
            }
        }
    }
    refund = {
        "orderRefund": {
            "purchaseOrderId": "PO-1",
            "orderLines": {
                "orderLine": [
                    {
                        "lineNumber": "1",
                        "refunds": {
                            "refund": [
                                {
                                    "refundComments": "damaged",
                                    "refundCharges": {
                                        "refundCharge": [
                                            {
                                                "refundReason": "BillingError",
                                                "charge": {
                                                    "chargeType": "PRODUCT",
                                                    "chargeName": "Item Price",
                                                    "chargeAmount": {"currency": "USD", "amount": -5},
                                                },
                                            }
                                        ]
                                    },
                                }
                            ]
                        },
                    }
                ]
            },
        }
    }

    early_refund = client.post(f"{marketplace.url}/v3/orders/PO-1/refund", json=refund)
    shipped = client.post(f"{marketplace.url}/v3/orders/PO-1/shipping", json=ship)
    refunded = client.post(f"{marketplace.url}/v3/orders/PO-1/refund", json=refund)

    assert early_refund.status_code == 400
    assert (
        shipped.json()["order"]["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][0]["status"]
        == "Shipped"
    )
    assert (
        refunded.json()["order"]["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][0]["status"]
        == "Refund"
    )


def test_walmart_inventory_feed_is_limited_to_10_an_hour(marketplace: MarketplaceSandbox, client: httpx.Client) -> None:
    feed = {
        "InventoryHeader": {"version": "1.4"},
        "Inventory": [{"sku": "IPOD2008PINK", "quantity": {"unit": "EACH", "amount": 8}}],
    }

    answers = [
        client.post(f"{marketplace.url}/v3/feeds", params={"feedType": "inventory"}, json=feed) for _ in range(11)
    ]
    single = client.put(
        f"{marketplace.url}/v3/inventory",
        params={"sku": "IPOD2008PINK"},
        json={"sku": "IPOD2008PINK", "quantity": {"unit": "EACH", "amount": 9}},
    )

    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert int(answers[10].headers["Retry-After"]) >= 300  # one feed every six minutes
    assert answers[10].json()["errors"]["error"][0]["code"] == "REQUEST_THRESHOLD_VIOLATED.GMP_GATEWAY_API"
    assert single.status_code == 200 and single.json()["quantity"]["amount"] == 9
