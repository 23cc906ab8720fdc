"""What each route of the REST API takes and answers, for its OpenAPI document (issue 13, item 3).

The handlers import their models lazily, route by route (the ops API's cold start, `make bench`), and
the webhook edge has no resolver at all, so the routes are not typed for Powertools' validation
where they are served. They are described here instead, with the models the handlers validate and
answer with (`functions/ops/models`, the availability and reconciliation models, the vendors' models
in `shared/channels`), and `infra/ops/openapi_document.py` turns each description into a route of a
resolver built with `enable_validation=True` only to ask it for its OpenAPI document.
tests/unit/ops/test_openapi.py fails when a route is served without a description here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.customer_status.models.status import OrderStatusView
from functions.ops.logic.dead_letters import Redriven
from functions.ops.models.exceptions import (
    AuditList,
    CloseRequest,
    EnrichmentExceptionView,
    ExceptionList,
    ExceptionView,
    ResolveRequest,
    StoredExceptionView,
)
from functions.ops.models.find import FindResult
from functions.ops.models.responses import (
    ErrorResponse,
    HeldRelease,
    InventoryView,
    ReplayResult,
    RunList,
    StartedRun,
    TransactionTimeline,
)
from functions.ops.models.responses import OrderView as OrderAnswer
from shared.models.allocation import AllocationRules, AllocationRulesInput, ListingIds
from shared.models.reconciliation import KINDS, ReconciliationRun

Status = int


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    required: bool = True
    alias: str | None = None  # a header's name when it is not a Python identifier
    signature: bool = False  # a header the vendor's signature travels in


@dataclass(frozen=True)
class RouteDescription:
    method: str
    path: str  # OpenAPI style: /v1/ops/orders/{channel}/{channel_order_id}
    summary: str
    tag: str
    answers: dict[Status, tuple[str, Any]]  # status -> (description, model or None)
    path_params: tuple[Param, ...] = ()
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    body: Any = None  # a model (or a union of models); None: no body
    description: str | None = None
    iam: bool = True  # AWS_IAM (SigV4) at API Gateway
    api_key: bool = False  # API Gateway's `x-api-key` (the status route's usage plan)
    extensions: dict[str, Any] = field(default_factory=dict)


# Answers every route may give: the contract's error body.
def _errors(*statuses: Status) -> dict[Status, tuple[str, Any]]:
    meaning = {
        400: "VALIDATION_FAILED or MALFORMED_BODY, with field details",
        401: "SIGNATURE_INVALID or TIMESTAMP_STALE",
        404: "NOT_FOUND (or UNKNOWN_SOURCE for a webhook)",
        405: "METHOD_NOT_ALLOWED",
        409: "DELIVERY_IN_PROGRESS, POSITION_CHANGED or ALREADY_RESOLVED",
        413: "PAYLOAD_TOO_LARGE: the body is over 256 KiB",
        429: "THROTTLED: over the API's rate",
        503: "UPSTREAM_UNAVAILABLE: not configured, or could not queue durably; retry",
    }
    return {status: (meaning[status], ErrorResponse) for status in statuses}


def _ok(model: Any, description: str = "OK", status: Status = 200) -> dict[Status, tuple[str, Any]]:
    return {status: (description, model)}


SKU = Param("sku", "the seller SKU: 1-64 of A-Z a-z 0-9 . _ -")
KIND = Param("kind", f"the reconciliation kind: one of {', '.join(KINDS)}")
LIMIT = Param("limit", "at most this many, newest first (default 20)", required=False)
# An order by its channel's id (the ops and the status routes).
ORDER_KEY = (Param("channel", "the channel (shopify, amazon, ...)"), Param("channel_order_id", "its id there"))
EXCEPTION_ID = Param("exception_id", "the exception's id")


class ReturnLineView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str
    quantity: int
    disposition: Literal["RESTOCK", "REFURBISH", "QUARANTINE", "SCRAP", "LIQUIDATE"] | None


class ReturnRefundView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None
    amount: Annotated[str | None, Field(description="decimal as a string")]
    currency: str | None
    erp_credit_memo_id: str | None
    channel_refund_id: str | None


class ReturnExchangeLineView(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: str
    quantity: int


class ReturnExchangeView(BaseModel):
    """The replacement order of the units exchanged (OrderFlow accepts it like any order)."""

    model_config = ConfigDict(extra="forbid")

    order_id: str
    channel: str
    channel_order_id: str
    status: Literal["PENDING", "ORDERED"]
    lines: list[ReturnExchangeLineView]
    credit: Annotated[str | None, Field(description="the exchanged units' credit, decimal as a string")]


class ReturnView(BaseModel):
    """`functions/ops/logic/returns.py` answers a dict; this is its shape (CONTRACT.md, "Returns",
    and its extensions), held to the route's real answers by tests/unit/ops/test_openapi.py."""

    model_config = ConfigDict(extra="forbid")

    return_id: str
    source: str
    source_return_id: str
    channel: str
    channel_order_id: str
    order_id: str | None
    status: Literal["REJECTED", "AWAITING_INSPECTION", "INSPECTED", "REFUNDED", "EXCEPTION", "CLOSED"]
    correlation_id: str
    lines: list[ReturnLineView]
    refund: ReturnRefundView
    exchange: ReturnExchangeView | None
    rejected_reasons: list[str]
    exception_reason: str | None
    updated_at: str | None


STATUS_ROUTES: tuple[RouteDescription, ...] = (
    RouteDescription(
        "GET",
        "/v1/status/orders/{channel}/{channel_order_id}",
        "The customer-safe status of one order: its lines, parcels with tracking, returns and refunds",
        "status",
        {**_ok(OrderStatusView), **_errors(400, 404, 429)},
        path_params=ORDER_KEY,
        description="For a helpdesk or a customer-facing page: no internal ids and no personal data. "
        "Needs the status API key in `x-api-key` (API Gateway answers 403 without it); its usage plan "
        "limits the rate and the daily calls.",
        iam=False,
        api_key=True,
    ),
)

OPS_ROUTES: tuple[RouteDescription, ...] = (
    RouteDescription(
        "GET",
        "/v1/ops/transactions/{correlation_id}",
        "A transaction's timeline: every hop from the webhook to the last ERP or channel call",
        "orders",
        {**_ok(TransactionTimeline), **_errors(404)},
        path_params=(Param("correlation_id", "the correlation id a webhook answered"),),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/find",
        "Find orders and returns by any id (channel id, our id, ERP id, correlation id), with where each is stuck",
        "orders",
        {**_ok(FindResult), **_errors(400, 404)},
        query=(Param("id", "any id"),),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/orders/{channel}/{channel_order_id}",
        "One order by its channel id",
        "orders",
        {**_ok(OrderAnswer), **_errors(404)},
        path_params=ORDER_KEY,
    ),
    RouteDescription(
        "POST",
        "/v1/ops/orders/{channel}/{channel_order_id}/release",
        "Start an order ON_HOLD for stock again now (still short: held again)",
        "orders",
        {**_ok(HeldRelease, "started", 202), **_errors(404, 503)},
        path_params=ORDER_KEY,
    ),
    RouteDescription(
        "POST",
        "/v1/ops/orders/{channel}/{channel_order_id}/cancel",
        "Cancel an order ON_HOLD for stock (the channel is not told)",
        "orders",
        {**_ok(HeldRelease, "cancelling", 202), **_errors(404, 503)},
        path_params=ORDER_KEY,
    ),
    RouteDescription(
        "POST",
        "/v1/ops/parked/orders/replay",
        "Start OrderFlow again for every parked order",
        "orders",
        {**_ok(ReplayResult), **_errors(503)},
    ),
    RouteDescription(
        "GET",
        "/v1/ops/inventory/{sku}",
        "A SKU's stock by location and what each channel may sell of it",
        "inventory",
        {**_ok(InventoryView), **_errors(404)},
        path_params=(SKU,),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/allocation-rules",
        "The default allocation rules",
        "inventory",
        {**_ok(AllocationRules), **_errors(503)},
    ),
    RouteDescription(
        "PUT",
        "/v1/ops/allocation-rules",
        "Replace the default allocation rules",
        "inventory",
        {**_ok(AllocationRules), **_errors(400, 503)},
        body=AllocationRulesInput,
    ),
    RouteDescription(
        "GET",
        "/v1/ops/allocation-rules/{sku}",
        "A SKU's allocation rules (its override, else the default)",
        "inventory",
        {**_ok(AllocationRules), **_errors(400, 503)},
        path_params=(SKU,),
    ),
    RouteDescription(
        "PUT",
        "/v1/ops/allocation-rules/{sku}",
        "Replace a SKU's allocation rules",
        "inventory",
        {**_ok(AllocationRules), **_errors(400, 503)},
        path_params=(SKU,),
        body=AllocationRulesInput,
    ),
    RouteDescription(
        "PUT",
        "/v1/ops/listings/{sku}",
        "How a SKU is known on the channels that do not key stock by the seller SKU",
        "inventory",
        {**_ok(ListingIds), **_errors(400, 503)},
        path_params=(SKU,),
        body=ListingIds.model_fields["ids"].annotation,
    ),
    RouteDescription(
        "POST",
        "/v1/ops/reconciliations/{kind}",
        "Start a reconciliation run now",
        "reconciliations",
        {**_ok(StartedRun, "started", 202), **_errors(400, 503)},
        path_params=(KIND,),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/reconciliations/{kind}",
        "The runs of a kind, newest first, each with its variances",
        "reconciliations",
        {**_ok(RunList), **_errors(400, 503)},
        path_params=(KIND,),
        query=(LIMIT,),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/reconciliations/{kind}/{run_id}",
        "One run",
        "reconciliations",
        {**_ok(ReconciliationRun), **_errors(400, 404, 503)},
        path_params=(KIND, Param("run_id", "the run's id")),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/audit",
        "The audit trail of resolved reconciliation exceptions",
        "reconciliations",
        {**_ok(AuditList), **_errors(400, 503)},
        query=(Param("sku", "only this SKU's entries", required=False), LIMIT),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/exceptions",
        "Exceptions of every kind (or one), newest first",
        "exceptions",
        {**_ok(ExceptionList), **_errors(400, 503)},
        query=(
            Param("kind", "reconciliation, order, return, settlement, dead_letter, ...", required=False),
            Param("status", "open (default) or resolved", required=False),
            LIMIT,
        ),
    ),
    RouteDescription(
        "POST",
        "/v1/ops/exceptions/{exception_id}/resolve",
        "Close an exception with a note (a reconciliation one: keep ours or accept theirs)",
        "exceptions",
        {**_ok(ExceptionView | EnrichmentExceptionView | StoredExceptionView), **_errors(400, 404, 409, 503)},
        path_params=(EXCEPTION_ID,),
        body=ResolveRequest | CloseRequest,
    ),
    RouteDescription(
        "POST",
        "/v1/ops/exceptions/{exception_id}/retry",
        "Run an exception's failed work again (exactly-once effects still hold)",
        "exceptions",
        {**_ok(EnrichmentExceptionView | StoredExceptionView, "retried", 202), **_errors(400, 404, 409, 503)},
        path_params=(EXCEPTION_ID,),
    ),
    RouteDescription(
        "POST",
        "/v1/ops/dlq/{queue}/redrive",
        "Move a dead-letter queue's messages back to their source queue",
        "exceptions",
        {**_ok(Redriven), **_errors(404, 503)},
        path_params=(Param("queue", "orders, inventory, pos-files, availability, channel-outbound, ..."),),
    ),
    RouteDescription(
        "GET",
        "/v1/ops/returns/{source}/{source_return_id}",
        "One return: its lines' dispositions and its refund",
        "returns",
        {**_ok(ReturnView), **_errors(400, 404, 503)},
        path_params=(Param("source", "where the return started (loop, walmart, ...)"), Param("source_return_id", "")),
    ),
    RouteDescription(
        "GET",
        "/v1/openapi.json",
        "This document",
        "api",
        {200: ("the OpenAPI 3.1 document of every route", dict[str, Any])},
    ),
)


# -- the webhook edge ----------------------------------------------------------------------------


class WebhookAnswer(BaseModel):
    """The 202 body (`functions/ingest/logic/webhook_api.py` writes it as a dict, None left out)."""

    model_config = ConfigDict(extra="forbid")

    correlation_id: str
    event_id: str
    duplicate: bool
    ignored: Annotated[bool | None, Field(description="true when the topic is not handled")] = None


class EbayChallengeAnswer(BaseModel):
    challengeResponse: str  # noqa: N815 (eBay's name)


@dataclass(frozen=True)
class WebhookSource:
    """A source's signature headers and the vendor models its body is validated with at the edge."""

    source: str
    headers: tuple[Param, ...]
    bodies: tuple[type[BaseModel], ...]


def webhook_sources() -> tuple[WebhookSource, ...]:
    from shared.channels import ebay, loop, own_system, shopify, square, walmart

    own = (
        Param(
            "x_signature",
            "t=<unix>,v1=<hex HMAC-SHA256 of '<t>.<body>'>",
            alias=own_system.SIGNATURE_HEADER,
            signature=True,
        ),
    )
    return (
        WebhookSource(
            "shopify",
            (
                Param(
                    "x_shopify_hmac_sha256", "base64 HMAC-SHA256 of the body", alias=shopify.HMAC_HEADER, signature=True
                ),
                Param("x_shopify_topic", "the webhook topic", alias=shopify.TOPIC_HEADER),
                Param("x_shopify_webhook_id", "the delivery id", alias=shopify.WEBHOOK_ID_HEADER),
                Param("x_shopify_event_id", "the event id", required=False, alias=shopify.EVENT_ID_HEADER),
                Param("x_shopify_triggered_at", "", required=False, alias=shopify.TRIGGERED_AT_HEADER),
            ),
            (shopify.ShopifyOrder, shopify.ShopifyCancelledOrder, shopify.ShopifyChangedOrder, shopify.ShopifyRefund),
        ),
        WebhookSource(
            "square",
            (
                Param(
                    "x_square_hmacsha256_signature",
                    "base64 HMAC-SHA256 of the notification URL + body",
                    alias=square.SIGNATURE_HEADER,
                    signature=True,
                ),
            ),
            (square.SquareEvent,),
        ),
        WebhookSource(
            "walmart",
            (
                Param(
                    "wm_sec_signature",
                    "base64 HMAC-SHA256 of METHOD\\nPATH_AND_QUERY\\nTIMESTAMP\\nsha256_hex(body)",
                    alias=walmart.SIGNATURE_HEADER,
                    signature=True,
                ),
                Param("wm_sec_timestamp", "epoch seconds (signed)", alias=walmart.TIMESTAMP_HEADER, signature=True),
            ),
            (walmart.WalmartEvent,),
        ),
        WebhookSource(
            "ebay",
            (
                Param(
                    "x_ebay_signature",
                    "eBay's ECDSA signature header (kid)",
                    alias=ebay.SIGNATURE_HEADER,
                    signature=True,
                ),
            ),
            (ebay.EbayNotification,),
        ),
        WebhookSource(
            "loop",
            (Param("x_loop_signature", "base64 HMAC-SHA256 of the body", alias=loop.SIGNATURE_HEADER, signature=True),),
            (loop.LoopWebhook,),
        ),
        WebhookSource("wms", own, (own_system.OwnSystemEvent,)),
        WebhookSource("pos", own, (own_system.OwnSystemEvent,)),
        WebhookSource("erp", own, (own_system.OwnSystemEvent,)),
    )


def webhook_routes() -> tuple[RouteDescription, ...]:
    sources = webhook_sources()
    headers: dict[str, Param] = {}
    for each in sources:
        for header in each.headers:
            used_by = [s.source for s in sources if header.alias in {h.alias for h in s.headers}]
            headers.setdefault(
                header.name,
                Param(header.name, f"{', '.join(used_by)}: {header.description}".rstrip(": "), False, header.alias),
            )
    bodies: list[type[BaseModel]] = []
    for each in sources:
        bodies.extend(model for model in each.bodies if model not in bodies)
    names = [each.source for each in sources]
    return (
        RouteDescription(
            "POST",
            "/v1/webhooks/{source}",
            "A vendor's webhook delivery: the vendor's own payload, byte for byte, signed as the vendor specifies",
            "webhooks",
            {
                202: ("accepted, a duplicate (same correlation_id, duplicate: true) or ignored", WebhookAnswer),
                **_errors(400, 401, 404, 409, 413, 429, 503),
            },
            path_params=(Param("source", f"one of {', '.join(names)}"),),
            headers=tuple(headers.values()),
            body=_union(bodies),
            description="Each source's signature headers are required for that source only; "
            "x-retail-sync-sources lists them with the vendor models its body is validated with.",
            iam=False,
            extensions={
                "x-retail-sync-sources": {
                    each.source: {
                        "signature_headers": [h.alias for h in each.headers if h.signature],
                        "required_headers": [h.alias for h in each.headers if h.required],
                        "body": [model.__name__ for model in each.bodies],
                    }
                    for each in sources
                }
            },
        ),
        RouteDescription(
            "GET",
            "/v1/webhooks/ebay",
            "eBay's endpoint challenge: sha256_hex(challengeCode + verificationToken + endpoint)",
            "webhooks",
            {**_ok(EbayChallengeAnswer), **_errors(400, 404, 405, 429)},
            query=(Param("challenge_code", "the code eBay sends"),),
            iam=False,
        ),
    )


def _union(models: list[type[BaseModel]]) -> Any:
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return union
