"""The demo scenario: which fixture is delivered when, and what must come of it (pure data).

Every delivery is a real-shaped vendor payload from `events/`, signed as the vendor signs it, and
sent the way the vendor sends it: webhooks over HTTP, Amazon's ORDER_CHANGE on the partner event
bus, a franchise store's nightly CSV into the POS bucket; Zalando is polled (its schedule fired).
`changes` replaces top-level fields of a fixture (another SKU, location, sequence or event id: the
vendor's shape stays as it is). Phases run one after the other, and the stack is left to go idle
between them, because the story depends on order: stock must exist before orders reserve it, a
transfer must leave before it arrives, the rules must be set before the publisher runs.

Stock story, per (SKU, location), on hand / reserved (dc-east unless said):
  1. counts: PINK 40 then 38 (count 104), BLACK 25, GREEN 2, CASE 20; store D7AVYMEAPJ3A3 PINK 6,
     CASE 10; franchise-0042 PINK 4, CASE 6, BLACK 3 (no GREEN there), counted the morning before
     the business day of its nightly file
  3-4. Shopify #9999 reserves 1 PINK + 2 BLACK, then is cancelled (released); #1001 wants 3 GREEN
     of 2: ON_HOLD, nothing reserved; the Square store sale is a till sale: it takes 1 PINK + 2 CASE
     off on hand at the store (PINK 5, CASE 8), reserves nothing, and reaches the ERP
  5-6. PINK: receipt +24 (62), transfer of 6 to the store (56; the store 5 + 6 = 11 on arrival),
     1 damaged (on hand, not available: 55 free); the receipt again and a count older than the
     transfer change nothing
  7. marketplaces at dc-east: Amazon 1 PINK + 2 BLACK, Walmart 1 PINK + 1 GREEN, eBay 1 PINK +
     2 BLACK, Zalando 2 PINK + 1 CASE -> PINK 56/5 (50 free), BLACK 25/4, GREEN 2/1, CASE 20/1;
     the POS file at franchise-0042, till sales: 1 PINK + 2 CASE, 1 BLACK off on hand (PINK 3,
     CASE 4, BLACK 2), and 1 GREEN our books never had: on hand stays 0, the sale is ACCEPTED and
     the missing unit is a variance (an open exception, `sale_exceeded_count`), not a hold
  9-10. the WMS counts BLACK 8 at dc-east (8 - 4 reserved = 4 free); 10 orders race for them
  11. reconciliation: the WMS and the ERP count 2 more CASE at the store (2 x 6.50 within
     tolerance: corrected from 8 to 10, audited) and 3 fewer PINK at dc-east (-354.00 above the value
     tolerance of 100: an exception, our 56 untouched)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STORE = "D7AVYMEAPJ3A3"  # the Square store
FRANCHISE = "franchise-0042"  # the franchise store whose POS exports nightly files
# The WMS counted the franchise store before it opened on 2026-11-22 (06:00 in Chicago): the
# nightly file's sales that day come after the count, so each one lowers on hand once.
FRANCHISE_COUNTED_AT = "2026-11-22T12:00:00Z"
DC = "dc-east"  # the default fulfilment location (marketplace and Shopify orders)
PINK, BLACK, GREEN, CASE = "IPOD2008PINK", "IPOD2008BLACK", "IPOD2008GREEN", "CASE-IPOD-CLEAR"

# What identifies the scenario's records. The demo sends the fixtures as they are; a run on a
# stack that already saw them (the integration test's shared stack) gives each of these its own
# value per run (`local.demo.namespace`), so the same story plays out on fresh SKUs and orders.
SKUS = (PINK, BLACK, GREEN, CASE)
IDS = (
    # Shopify orders and their webhook / event ids
    "820982911946154508",
    "450789469",
    "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
    "98880550-7158-44d4-b7cd-2c97c8a091b5",
    "4e9b2f0a-8f3c-4d1e-9a55-5b1f6c2d7e10",
    "0f3d1c7e-62c9-4f0b-b3a8-91d5f1f3e2a4",
    "c2a7d1f0-3b9e-4a61-8d2c-6e0f5b4a9c31",
    "7d4e2b1c-9a0f-4c3e-8b5d-2f6a1e0c9b87",
    # Square: event, payment, order
    "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc",
    "bP9mAsEMYPUGjjGNaNO5ZDVyLhSZY",
    "CAISENgvlJ6jLWAzERDzjyHVybY",
    # Amazon order and notification
    "113-5467394-8722613",
    "a8e4d2c6-1f3b-4b7a-9e5d-6c2f8b0a4d17",
    # Walmart purchase order, customer order, event
    "1796277083968",
    "5281956426648",
    "04d868a0-d1a2-11ea-a710-459752d002e8",
    # eBay order and notification
    "27-13492-80251",
    "8f0c2b91-3e6d-4a57-9b1e-52c4d7a0e913",
    "5d2e8a41-0c7f-4b93-a6d8-1f9e3c27b845",
    # Zalando order, order number, items
    "1f6c8d2a-5b3e-4a7f-9c1d-2e4b6a8c0d13",
    "10103847562291",
    "8a2d4f6b-1c3e-4d5f-a7b9-0c2e4f6a8b11",
    "8a2d4f6b-1c3e-4d5f-a7b9-0c2e4f6a8b12",
    # Loop return
    "1673",
    # listing ids the publisher tells Shopify (inventory item) and Zalando (EAN)
    "808950810",
    "808950811",
    "4063614512884",
    "4063614512891",
    # payouts: Amazon's settlement, Shopify Payments' payout and its charge
    "14732846271",
    "623721858",
    "1006917261",
)
ID_PATTERNS = (r"wms-evt-\d{6}", r"T\d{6}")  # WMS event ids, POS transaction ids


@dataclass(frozen=True)
class Delivery:
    """One webhook delivery and the answer the contract says it gets."""

    label: str
    fixture: str  # events/<source>/<case>
    expect_status: int = 202
    expect_duplicate: bool = False
    expect_ignored: bool = False
    tamper: bool = False  # change the body after signing: the signature no longer matches
    changes: dict[str, Any] = field(default_factory=dict)  # top-level fields replaced before signing
    headers: dict[str, str] = field(default_factory=dict)  # headers replaced (a new delivery id)

    @property
    def source(self) -> str:
        return self.fixture.split("/", 1)[0]


@dataclass(frozen=True)
class PartnerBusEvent:
    """An SP-API notification as Amazon delivers it: an event on the partner event bus."""

    label: str
    fixture: str  # the EventBridge event (detail-type + detail)


@dataclass(frozen=True)
class PosFile:
    """A franchise store's nightly export dropped into the POS files bucket."""

    label: str
    fixture: str  # events/pos/<name>.csv
    store_id: str
    business_date: str
    expect_accepted: int
    expect_skipped_rows: int


@dataclass(frozen=True)
class FireSchedule:
    """Fire a schedule now (the local stack's clock is off): a poller, the publisher."""

    label: str
    schedule: str


@dataclass(frozen=True)
class SetRules:
    """Allocation rules and listing ids for a SKU, through the ops API."""

    label: str
    sku: str
    rules: dict[str, Any]
    listing_ids: dict[str, str]


@dataclass(frozen=True)
class Publish:
    """Fire the availability publisher and read what each channel was told."""

    label: str
    name: str  # how the report refers to this publish
    skus: tuple[str, ...]


@dataclass(frozen=True)
class Burst:
    """`orders` Shopify orders of `quantity` x `sku`, sent at once from parallel threads."""

    label: str
    sku: str
    orders: int
    quantity: int = 1
    threads: int = 10


@dataclass(frozen=True)
class Drift:
    """What the WMS (and the ERP, whose books agree) count at a position, relative to ours."""

    sku: str
    location_id: str
    units: int


@dataclass(frozen=True)
class Reconcile:
    """Seed the WMS and ERP snapshots (ours plus drift), start a run through the ops API."""

    label: str
    skus: tuple[str, ...]
    drifts: tuple[Drift, ...]
    unit_costs: dict[str, str]  # per SKU, USD


@dataclass(frozen=True)
class Settle:
    """Amazon's settlement report seeded in the SP-API sandbox and polled, a Shopify payout queued,
    each settled and posted to the ERP once; then a settlement run through the ops API, twice."""

    label: str
    amazon_report: str  # under events/
    shopify_payouts: str
    shopify_transactions: str
    # What the run must show per channel: the variance kinds (a fee that differs, an unknown order).
    expect_variances: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class ReturnAct:
    """A Shopify order of a SKU of the act's own, then the returns against it (local/demo/returns.py):
    one unit inspected resellable (restocked), one damaged (quarantined), one exchanged for another
    SKU, one returned at a store, one that never reaches the warehouse."""

    label: str
    sku: str
    location_id: str


@dataclass(frozen=True)
class FulfilmentAct:
    """Issue 10 (local/demo/fulfilment.py): an order the DC cannot fill alone, split with the
    ship-from-store store and shipped in parts; another cancelled after the DC's parcel left."""

    label: str
    dc_sku: str
    store_sku: str
    location_id: str


@dataclass(frozen=True)
class PriceAct:
    """The ERP's item and price (a one-hour promotion starting in a few seconds), then an older price
    late: the list price reaches every channel sandbox once, the sale starts on time everywhere."""

    label: str
    sku: str
    list_price: str
    sale_price: str
    late_price: str
    sale_starts_in_s: int = 15


Step = (
    Delivery
    | PartnerBusEvent
    | PosFile
    | FireSchedule
    | SetRules
    | Publish
    | Burst
    | Reconcile
    | Settle
    | ReturnAct
    | PriceAct
    | FulfilmentAct
)


@dataclass(frozen=True)
class Phase:
    title: str
    steps: tuple[Step, ...]


# Five channels: Amazon a dedicated pool at the DC; the others shares of what is left there (Shopify
# and Zalando of the store's too: 0.4 + 0.2 there, 1.0 in all at the DC); eBay and Amazon keep a
# buffer back. franchise-0042 feeds no channel.
RULES: dict[str, Any] = {
    "channels": [
        {"channel": "amazon", "locations": [DC], "pool": 10, "buffer": 2},
        {"channel": "shopify", "locations": [DC, STORE], "share": "0.4"},
        {"channel": "walmart", "locations": [DC], "share": "0.2"},
        {"channel": "ebay", "locations": [DC], "share": "0.2", "buffer": 1},
        {"channel": "zalando", "locations": [DC, STORE], "share": "0.2"},
    ]
}

PHASES: tuple[Phase, ...] = (
    Phase(
        "WMS reports stock (the warehouse dc-east, the Square store, the franchise store)",
        (
            Delivery("receipt: PINK on hand 40 at dc-east (seq 101)", "wms/inventory_adjusted"),
            Delivery("BLACK on hand 25 at dc-east (seq 102)", "wms/inventory_adjusted_black"),
            Delivery("GREEN on hand 2 at dc-east (seq 103)", "wms/inventory_adjusted_green"),
            Delivery("cycle count: PINK on hand 38 at dc-east (seq 104)", "wms/inventory_adjusted_cycle_count"),
            Delivery("PINK on hand 6 at the store (seq 105)", "wms/inventory_adjusted_store_pink"),
            Delivery("CASE on hand 10 at the store (seq 106)", "wms/inventory_adjusted_store_case"),
            Delivery(
                "CASE on hand 20 at dc-east (seq 301)",
                "wms/inventory_adjusted_store_case",
                changes={"event_id": "wms-evt-000301", "sequence": 301, "location_id": DC, "on_hand": 20, "delta": 20},
            ),
            Delivery(
                "PINK on hand 4 at franchise-0042 (seq 302)",
                "wms/inventory_adjusted_store_pink",
                changes={
                    "event_id": "wms-evt-000302",
                    "sequence": 302,
                    "location_id": FRANCHISE,
                    "occurred_at": FRANCHISE_COUNTED_AT,
                    "on_hand": 4,
                    "delta": 4,
                },
            ),
            Delivery(
                "CASE on hand 6 at franchise-0042 (seq 303)",
                "wms/inventory_adjusted_store_case",
                changes={
                    "event_id": "wms-evt-000303",
                    "sequence": 303,
                    "location_id": FRANCHISE,
                    "occurred_at": FRANCHISE_COUNTED_AT,
                    "on_hand": 6,
                    "delta": 6,
                },
            ),
            Delivery(
                "BLACK on hand 3 at franchise-0042 (seq 304)",
                "wms/inventory_adjusted_store_pink",
                changes={
                    "event_id": "wms-evt-000304",
                    "sequence": 304,
                    "location_id": FRANCHISE,
                    "occurred_at": FRANCHISE_COUNTED_AT,
                    "sku": BLACK,
                    "on_hand": 3,
                    "delta": 3,
                },
            ),
        ),
    ),
    Phase(
        "Out of order and unhandled WMS deliveries",
        (
            Delivery("stale: PINK on hand 12 (seq 100, older than 104)", "wms/inventory_adjusted_stale"),
            Delivery("receipt.closed, a topic we do not handle", "wms/receipt_closed", expect_ignored=True),
        ),
    ),
    Phase(
        "Orders from Shopify and a Square store sale",
        (
            Delivery("Shopify #9999: 1 PINK + 2 BLACK", "shopify/orders_create"),
            Delivery("Shopify #9999 again (the same delivery retried)", "shopify/orders_create", expect_duplicate=True),
            Delivery(
                "Shopify #1001 with a tampered body", "shopify/orders_create_second", expect_status=401, tamper=True
            ),
            Delivery("Shopify #1001: 3 GREEN, only 2 in stock", "shopify/orders_create_second"),
            Delivery("Square store sale: 1 PINK + 2 CASE at the store", "square/payment_created"),
        ),
    ),
    Phase(
        "The customer cancels Shopify #9999",
        (Delivery("Shopify orders/cancelled #9999", "shopify/orders_cancelled"),),
    ),
    Phase(
        "Stock moves: PINK received at dc-east, 6 sent to the store, 1 damaged",
        (
            Delivery("receipt: PINK +24 at dc-east (seq 201)", "wms/movement_receipt"),
            Delivery("transfer out: PINK 6 dc-east -> store (seq 203)", "wms/movement_transfer_out"),
            Delivery("damage: 1 PINK at dc-east (seq 204)", "wms/movement_damage"),
        ),
    ),
    Phase(
        "The transfer arrives; a duplicate and a stale movement change nothing",
        (
            Delivery("transfer in: PINK 6 at the store (seq 206)", "wms/movement_transfer_in"),
            Delivery("the receipt delivered again", "wms/movement_receipt", expect_duplicate=True),
            Delivery(
                "stale: a count of 99 PINK at dc-east taken at seq 202, before the transfer",
                "wms/movement_cycle_count",
                changes={"event_id": "wms-evt-000305", "sequence": 202, "on_hand": 99},
            ),
        ),
    ),
    Phase(
        "One order from each marketplace, a POS nightly file, a Loop return",
        (
            PartnerBusEvent(
                "Amazon ORDER_CHANGE 113-5467394-8722613 (1 PINK + 2 BLACK)", "amazon/order_change_unshipped"
            ),
            Delivery("Walmart PO_CREATED with a tampered body", "walmart/po_created", expect_status=401, tamper=True),
            Delivery("Walmart PO_CREATED 1796277083968 (1 PINK + 1 GREEN)", "walmart/po_created"),
            Delivery("eBay ORDER_CONFIRMATION 27-13492-80251 (1 PINK + 2 BLACK)", "ebay/order_confirmation"),
            FireSchedule("Zalando poll: 1 approved order (2 PINK + 1 CASE)", "ZalandoOrdersPollSchedule"),
            PosFile(
                "POS file franchise-0042 2026-11-22: 3 sales, 1 store return",
                "pos/franchise-0042_2026-11-22.csv",
                store_id=FRANCHISE,
                business_date="2026-11-22",
                expect_accepted=4,
                expect_skipped_rows=0,
            ),
            Delivery("Loop return.created #1673 (1 BLACK of Shopify #9999)", "loop/return_created"),
        ),
    ),
    Phase(
        "Allocation rules per channel, then the availability publisher runs",
        (
            SetRules("rules + listing ids for PINK", PINK, RULES, {"shopify": "808950810", "zalando": "4063614512884"}),
            SetRules(
                "rules + listing ids for BLACK", BLACK, RULES, {"shopify": "808950811", "zalando": "4063614512891"}
            ),
            Publish("availability publisher fired", "after the orders", (PINK, BLACK)),
        ),
    ),
    Phase(
        "The WMS counts 8 BLACK at dc-east (4 reserved: 4 left to sell)",
        (
            Delivery(
                "cycle count: BLACK on hand 8 at dc-east (seq 306)",
                "wms/movement_cycle_count",
                changes={"event_id": "wms-evt-000306", "sequence": 306, "sku": BLACK, "on_hand": 8},
            ),
        ),
    ),
    Phase(
        "10 Shopify orders race for the last 4 BLACK",
        (Burst("10 orders of 1 BLACK sent at once from 10 threads", BLACK, orders=10),),
    ),
    Phase(
        "Fulfilment: an order split between the DC and a store, shipped in parts; a cancel after release",
        (
            FulfilmentAct(
                "sourced to dc-east + store-12, released to the WMS and the store, the store's part shipped; "
                "a cancel after the DC's parcel left: the store stops its part, the DC refuses",
                dc_sku="BOOT-TRAIL-42",
                store_sku="SCARF-WOOL-RED",
                location_id=DC,
            ),
        ),
    ),
    Phase(
        "Reconciliation after drift in the WMS and ERP counts, then the publisher runs again",
        (
            Reconcile(
                "inventory reconciliation started through the ops API",
                skus=SKUS,
                drifts=(Drift(CASE, STORE, +2), Drift(PINK, DC, -3)),
                unit_costs={PINK: "118.00", BLACK: "118.00", GREEN: "118.00", CASE: "6.50"},
            ),
            Publish("availability publisher fired", "at the end", (PINK, BLACK)),
        ),
    ),
    Phase(
        "Money: Amazon's settlement (a fee that differs, a refund netted, an unknown order) and a Shopify payout",
        (
            Settle(
                "payouts settled, journals posted once, settlement run twice through the ops API",
                amazon_report="amazon/settlement_report_v2.tsv",
                shopify_payouts="shopify/payouts_response",
                shopify_transactions="shopify/balance_transactions_response",
                expect_variances={"amazon": ("fee", "unmatched"), "shopify": ()},
            ),
        ),
    ),
    Phase(
        "Prices: the ERP's price and a one-hour promotion to every channel, an older price ignored",
        (
            PriceAct(
                "price to 5 channels once, the sale started by its schedule, the late older price ignored",
                sku="IPOD2008PINK",
                list_price="199.00",
                sale_price="179.00",
                late_price="149.00",
            ),
        ),
    ),
    Phase(
        "Returns: five against one Shopify order, refunded or exchanged once each after inspection",
        (
            ReturnAct(
                "partial return restocked, damaged unit quarantined, an exchange shipped, a return in store, "
                "an inspection that never comes; credit memos, Shopify refunds, Loop told",
                sku="IPOD2008SILVER",
                location_id=DC,
            ),
        ),
    ),
)


@dataclass(frozen=True)
class ExpectedOrder:
    channel: str
    channel_order_id: str
    status: str
    has_erp_id: bool


@dataclass(frozen=True)
class ExpectedReturn:
    channel: str  # who told us (Loop)
    return_id: str
    status: str
    order_channel: str
    channel_order_id: str


@dataclass(frozen=True)
class ExpectedStock:
    sku: str
    location_id: str
    on_hand: int
    reserved: int
    available: int


@dataclass(frozen=True)
class ExpectedVariance:
    sku: str
    location_id: str
    source: str
    units: int
    value: str
    action: str


@dataclass(frozen=True)
class ExpectedSaleVariance:
    """A till sale our count did not cover: an open reconciliation exception (`GET /v1/ops/exceptions`)."""

    sku: str
    location_id: str
    source: str  # the store sale's channel
    units: int  # negative: sold beyond our count


@dataclass(frozen=True)
class ExpectedRead:
    """A vendor API call the adapters make to enrich a thin notification (a sandbox's journal)."""

    sandbox: str
    method: str
    path: str
    times: int = 1


@dataclass(frozen=True)
class ExpectedBurst:
    sku: str
    location_id: str
    orders: int
    accepted: int  # exactly what was free before the burst


@dataclass(frozen=True)
class Expectations:
    orders: tuple[ExpectedOrder, ...]
    returns: tuple[ExpectedReturn, ...]
    stock: tuple[ExpectedStock, ...]
    channels: dict[str, dict[str, dict[str, int]]]  # publish name -> SKU -> channel -> units told
    burst: ExpectedBurst
    variances: tuple[ExpectedVariance, ...]
    reads: tuple[ExpectedRead, ...] = ()
    sale_variances: tuple[ExpectedSaleVariance, ...] = ()


# What the rules give (see shared/allocation.py): Amazon's pool of 10 first
# from dc-east (told 10 - 2 buffer), then shares (rounded down) of what is left at each location.
# PINK: dc-east 50 free -> pool 10, then 40: shopify 16, walmart 8, ebay 8 (told 7), zalando 8;
#       store 11 free -> shopify 4, zalando 2.            (franchise-0042 feeds no channel)
# BLACK after the orders: dc-east 21 free -> pool 10, then 11: shopify 4, walmart 2, ebay 2 - 1, zalando 2.
# BLACK at the end: nothing free at dc-east -> every channel 0.
PINK_CHANNELS = {"amazon": 8, "shopify": 20, "walmart": 8, "ebay": 7, "zalando": 10}

EXPECTED = Expectations(
    orders=(
        # accepted, sent to the ERP, then cancelled: the ERP order is cancelled, stock released
        ExpectedOrder("shopify", "820982911946154508", "CANCELLED", has_erp_id=True),
        # more GREEN than exists: on hold, never sent to the ERP, nothing reserved
        ExpectedOrder("shopify", "450789469", "ON_HOLD", has_erp_id=False),
        # a till sale: on hand lowered at the store (nothing reserved, never held), recorded in the ERP
        ExpectedOrder("square", "CAISENgvlJ6jLWAzERDzjyHVybY", "ACCEPTED", has_erp_id=True),
        # one from each marketplace, read back from the vendor's API (SP-API, Walmart, eBay, Zalando)
        ExpectedOrder("amazon", "113-5467394-8722613", "ACCEPTED", has_erp_id=True),
        ExpectedOrder("walmart", "1796277083968", "ACCEPTED", has_erp_id=True),
        ExpectedOrder("ebay", "27-13492-80251", "ACCEPTED", has_erp_id=True),
        ExpectedOrder("zalando", "1f6c8d2a-5b3e-4a7f-9c1d-2e4b6a8c0d13", "ACCEPTED", has_erp_id=True),
        # the franchise store's till sales; it has no GREEN on our books, but the sale happened:
        # accepted and sent to the ERP, the missing unit a variance for reconciliation
        ExpectedOrder("pos", "franchise-0042-T000981", "ACCEPTED", has_erp_id=True),
        ExpectedOrder("pos", "franchise-0042-T000982", "ACCEPTED", has_erp_id=True),
        ExpectedOrder("pos", "franchise-0042-T000984", "ACCEPTED", has_erp_id=True),
    ),
    returns=(ExpectedReturn("loop", "1673", "OPEN", "shopify", "820982911946154508"),),
    stock=(
        ExpectedStock(PINK, DC, on_hand=56, reserved=5, available=50),  # 38 + 24 - 6; 1 damaged
        ExpectedStock(BLACK, DC, on_hand=8, reserved=8, available=0),  # counted 8: 4 + the burst's 4
        ExpectedStock(GREEN, DC, on_hand=2, reserved=1, available=1),  # Walmart's; #1001 took nothing
        ExpectedStock(CASE, DC, on_hand=20, reserved=1, available=19),  # Zalando's
        ExpectedStock(PINK, STORE, on_hand=11, reserved=0, available=11),  # 6 - Square's 1 + the transfer
        ExpectedStock(CASE, STORE, on_hand=10, reserved=0, available=10),  # 10 - Square's 2, corrected +2
        # the nightly file's till sales, each once: on hand down, nothing reserved
        ExpectedStock(PINK, FRANCHISE, on_hand=3, reserved=0, available=3),
        ExpectedStock(CASE, FRANCHISE, on_hand=4, reserved=0, available=4),
        ExpectedStock(BLACK, FRANCHISE, on_hand=2, reserved=0, available=2),
        ExpectedStock(GREEN, FRANCHISE, on_hand=0, reserved=0, available=0),  # sold 1 of none: a variance
    ),
    channels={
        "after the orders": {
            PINK: PINK_CHANNELS,
            BLACK: {"amazon": 8, "shopify": 4, "walmart": 2, "ebay": 1, "zalando": 2},
        },
        "at the end": {
            PINK: PINK_CHANNELS,
            BLACK: {"amazon": 0, "shopify": 0, "walmart": 0, "ebay": 0, "zalando": 0},
        },
    },
    burst=ExpectedBurst(BLACK, DC, orders=10, accepted=4),
    variances=(
        ExpectedVariance(CASE, STORE, "wms", units=2, value="13.00", action="corrected"),
        ExpectedVariance(PINK, DC, "wms", units=-3, value="-354.00", action="exception"),
        ExpectedVariance(CASE, STORE, "erp", units=2, value="13.00", action="reported"),
        ExpectedVariance(PINK, DC, "erp", units=-3, value="-354.00", action="exception"),
    ),
    reads=(
        # Amazon's ORDER_CHANGE has no prices or address: getOrder + getOrderItems, once each
        ExpectedRead("amazon", "GET", "/orders/v0/orders/113-5467394-8722613"),
        ExpectedRead("amazon", "GET", "/orders/v0/orders/113-5467394-8722613/orderItems"),
        # Walmart's PO_CREATED and eBay's ORDER_CONFIRMATION are read back in full
        ExpectedRead("marketplace", "GET", "/v3/orders/1796277083968"),
        ExpectedRead("ebay", "GET", "/sell/fulfillment/v1/order/27-13492-80251"),
    ),
    # franchise sale T000984: 1 GREEN sold where our books had none
    sale_variances=(ExpectedSaleVariance(GREEN, FRANCHISE, "pos", units=-1),),
)
