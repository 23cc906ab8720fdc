"""Expiring credentials through the local stack: the ERP sandbox expires every token it issued, and the
order flow recovers once (the refused call wrote nothing, the resend wrote one sales order).

What a user of `make local` sees after `POST /__admin/tokens {"expire": true}` on the ERP sandbox (as
if the hour had passed): the next order is accepted and reaches the ERP as before; the ERP journal
shows one 401 `INVALID_LOGIN` followed by the accepted upsert, and one more token minted.
"""

from __future__ import annotations

from tests.integration.flows import Flows, shopify_order_id, unique


def test_an_order_reaches_the_erp_once_after_every_erp_token_expired(flows: Flows) -> None:
    erp = flows.sandbox_url("erp")
    sku = unique("SKU-TOKEN")
    flows.stock(sku, 5)
    warm = flows.place_shopify_order([(sku, 1)])
    assert flows.order("shopify", warm)["status"] == "ACCEPTED"
    issued_before = flows.http.get(f"{erp}/__admin/tokens").json()["issued"]

    # GIVEN every token the ERP issued has expired
    flows.http.post(f"{erp}/__admin/tokens", json={"expire": True}).raise_for_status()

    # WHEN the next order comes in
    channel_order_id = flows.place_shopify_order([(sku, 2)])

    # THEN it is accepted with one ERP sales order: one refused PUT, one written, one new token
    order_id = shopify_order_id(channel_order_id)
    assert flows.order("shopify", channel_order_id)["status"] == "ACCEPTED"
    assert [call["status"] for call in flows.erp_calls(order_id)] == [401, 204]
    assert len(flows.erp_records(order_id)) == 1
    assert flows.http.get(f"{erp}/__admin/tokens").json()["issued"] == issued_before + 1
