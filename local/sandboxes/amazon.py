"""Amazon Selling Partner API sandbox: Orders v0, Listings Items 2021-08-01 patch, Feeds
createFeedDocument (+ the upload to its URL) and createFeed.

What it follows, and where from (found with the search tool):
- Orders API v0: ``GET /orders/v0/orders`` (getOrders: ``MarketplaceIds`` required, ``CreatedAfter``
  or ``LastUpdatedAfter`` required, ``LastUpdatedBefore`` no later than two minutes before the
  request, ``MaxResultsPerPage`` up to 100, ``NextToken`` overriding the other criteria), answering
  ``{"payload": {"Orders": [...], "NextToken"?, "LastUpdatedBefore"}}``; ``GET /orders/v0/orders/{id}``
  (getOrder, ``{"payload": {...}}``); ``GET /orders/v0/orders/{id}/orderItems`` (getOrderItems,
  ``{"payload": {"OrderItems": [...], "AmazonOrderId", "NextToken"?}}``);
  ``POST /orders/v0/orders/{id}/shipmentConfirmation`` (confirmShipment, 204). Shapes from Amazon's
  samples (amzn/selling-partner-api-samples, code-recipes/test/responses/orders-getOrder.json,
  orders-getOrderItems.json) and the Orders API v0 use case guide
  (https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-use-case-guide).
- Usage plans (requests per second / burst): getOrders 0.0167 / 20, getOrder 0.5 / 30, getOrderItems
  0.5 / 30, confirmShipment 2 / 10 (Orders API v0 model, as published by @sp-api-sdk/orders-api-v0
  clientRateLimits and the amazon-spapi crate docs); patchListingsItem 5 / 10 (Listings Items API
  rate limits, https://developer-docs.amazon.com/sp-api/docs/listings-items-api-rate-limits);
  createFeed 0.0083 / 15 (https://developer-docs.amazon.com/sp-api/docs/feeds-api-rate-limits).
  Amazon's token bucket: the burst is the bucket, the rate its refill; over it, 429 ``QuotaExceeded``.
  Answers carry ``x-amzn-RateLimit-Limit`` (the rate).
- Calls need ``x-amz-access-token`` (the LWA access token; SigV4 is no longer required): without
  it, 403 ``Unauthorized``; an expired one 403 ``Unauthorized`` "The access token you provided has
  expired.", an unknown one "... is revoked, malformed or invalid." (SP-API answers 403, not 401:
  amzn/selling-partner-api-models issues 4122 and 2333). Errors are ``{"errors": [{"code", "message",
  "details"}]}``.
- The LWA token endpoint (``POST /auth/o2/token``, served here though Amazon serves it on
  api.amazon.com): form ``grant_type=refresh_token``, ``refresh_token``, ``client_id``, ``client_secret``
  -> ``{"access_token": "Atza|...", "token_type": "bearer", "expires_in": 3600, "refresh_token"}``;
  a wrong client 401 ``{"error": "invalid_client"}``, a wrong refresh token 400 ``invalid_grant``
  (developer-docs.amazon.com "Connect to the SP-API"). LWA is another host, so its calls stay out of this
  sandbox's journal, stats and faults; ``GET /__admin/tokens`` counts them. Token lifetime and expiry:
  ``/__admin/tokens`` (``local/sandboxes/tokens.py``).

- Reports API 2021-06-30, for settlement reports: ``GET /reports/2021-06-30/reports`` (getReports:
  ``reportTypes`` or ``nextToken``, ``createdSince`` defaulting to 90 days ago, ``pageSize`` up to 100,
  ``processingStatuses``) answering ``{"reports": [{"reportId", "reportType", "dataStartTime",
  "dataEndTime", "createdTime", "processingStatus", "processingStartTime", "processingEndTime",
  "reportDocumentId", "marketplaceIds"}], "nextToken"?}``; ``GET /reports/2021-06-30/documents/{id}``
  (getReportDocument, ``{"reportDocumentId", "url"}``, plus ``compressionAlgorithm`` when gzipped).
  Settlement reports cannot be requested: "They are automatically scheduled by Amazon. You can search
  for these reports using the getReports operation"
  (https://developer-docs.amazon.com/sp-api/docs/report-type-values-settlement). Usage plans: getReports
  0.0222 / 10, getReportDocument 0.0167 / 15 (the Reports API model, as the amazon-spapi crate
  publishes it).

Sandbox liberties: one LWA client (the ``local-amazon-lwa-*`` placeholders); one seller; listings and feeds are recorded
(``GET /__admin/listings``, ``/__admin/feeds``), not processed; reports are seeded through
``POST /__admin/reports`` (``{"reportType", "document", "createdTime"?}``) and downloaded, uncompressed,
from ``/__reports/<id>`` without a token (a presigned URL); orders come from
``POST /__admin/orders`` (missing fields filled in). A refused 429 also carries ``Retry-After``
(Amazon does not send one) so callers and the contract's admin API agree.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Sandbox, admin_route, json_response, raw_header, read_json, route
from local.sandboxes.limits import RATE_LIMITS_KEY, Decision, RateLimitedMixin, limited
from local.sandboxes.prices import PricesMixin
from local.sandboxes.stores import clear_stores, copied, counted
from local.sandboxes.tokens import VALID, TokenAdminMixin, TokenIssuer
from shared.adapters.vendor_auth import local_default

ACCESS_TOKEN_HEADER = "x-amz-access-token"
DEFAULT_MARKETPLACE_ID = "ATVPDKIKX0DER"
DEFAULT_SELLER_ID = "A2SANDBOXSELLER"
MAX_RESULTS_PER_PAGE = 100
ITEMS_PER_PAGE = 30
# getOrders refuses a LastUpdatedBefore / CreatedBefore later than two minutes before the request.
SETTLE_SECONDS = 120

RATE_LIMITS: dict[str, Any] = {
    "getOrders": {"capacity": 20, "refill_per_second": 0.0167},
    "getOrder": {"capacity": 30, "refill_per_second": 0.5},
    "getOrderItems": {"capacity": 30, "refill_per_second": 0.5},
    "confirmShipment": {"capacity": 10, "refill_per_second": 2.0},
    "patchListingsItem": {"capacity": 10, "refill_per_second": 5.0},
    "createFeed": {"capacity": 15, "refill_per_second": 0.0083},
    "createFeedDocument": {"capacity": 15, "refill_per_second": 0.5},
    "getReports": {"capacity": 10, "refill_per_second": 0.0222},
    "getReportDocument": {"capacity": 15, "refill_per_second": 0.0167},
}
# Where getReportDocument's download URL points (Amazon answers a presigned S3 URL valid 5 minutes).
REPORT_DOWNLOAD_PREFIX = "/__reports"
# Where createFeedDocument's upload URL points (Amazon answers a presigned S3 URL; here the sandbox).
UPLOAD_PREFIX = "/__uploads"
LWA_TOKEN_PATH = "/auth/o2/token"
LWA_TOKEN_SECONDS = 3600  # "An LWA access token expires one hour after it is issued."


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{name} is not an ISO 8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class AmazonSandbox(PricesMixin, TokenAdminMixin, RateLimitedMixin, Sandbox):
    """Seeded SP-API orders, read through the Orders API under Amazon's per-operation usage plans."""

    name: ClassVar[str] = "amazon"
    DEFAULT_RATE_LIMITS = RATE_LIMITS
    other_service_paths: ClassVar[frozenset[str]] = frozenset({LWA_TOKEN_PATH})  # api.amazon.com in reality

    def __init__(self, seller_id: str = DEFAULT_SELLER_ID, token_ttl_seconds: float = LWA_TOKEN_SECONDS) -> None:
        self.seller_id = seller_id
        self.tokens = TokenIssuer(token_ttl_seconds, prefix="Atza|sandbox-")
        self.lwa_client = {
            key: local_default(f"amazon_lwa_{key}") for key in ("client_id", "client_secret", "refresh_token")
        }
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self._items: dict[str, list[dict[str, Any]]] = {}
        self._listings: dict[str, dict[str, Any]] = {}
        self._feeds: list[dict[str, Any]] = []
        self._documents: dict[str, dict[str, Any]] = {}  # feedDocumentId -> contentType, content
        self._shipments: list[dict[str, Any]] = []
        self._reports: list[dict[str, Any]] = []
        self._report_documents: dict[str, str] = {}
        self._prices_init()
        super().__init__(default_faults={RATE_LIMITS_KEY: deepcopy(RATE_LIMITS)})
        self._rebuild_limiter()

    # ----- vendor shape ------------------------------------------------------------------------

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        return {"errors": [{"code": code, "message": detail, "details": ""}]}

    def fault_response(self, kind: str, retry_after: int) -> Response:
        if kind == "outage":
            return self.error(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again later.")
        return self.error(
            429,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
            {"Retry-After": str(retry_after)},
        )

    def before_route(self, request: Request) -> Response | None:
        if request.path.startswith((UPLOAD_PREFIX, REPORT_DOWNLOAD_PREFIX)) or request.path == LWA_TOKEN_PATH:
            return None  # a presigned URL, and LWA itself: no SP-API token
        token = (raw_header(request, ACCESS_TOKEN_HEADER) or "").strip()
        if not token:
            return self.error(403, "Unauthorized", "Access to requested resource is denied.")
        state = self.tokens.check(token)
        if state == VALID:
            return None
        details = (
            "The access token you provided has expired."
            if state == "expired"
            else "The access token you provided is revoked, malformed or invalid."
        )
        denied = {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": details}
        return json_response({"errors": [denied]}, 403)

    @route("POST", LWA_TOKEN_PATH)
    def lwa_token(self, request: Request) -> Response:
        """Login with Amazon's refresh-token grant."""
        form = request.form
        if form.get("grant_type") != "refresh_token":
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"}, 400
            )
        if (form.get("client_id"), form.get("client_secret")) != (
            self.lwa_client["client_id"],
            self.lwa_client["client_secret"],
        ):
            return json_response({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
        if form.get("refresh_token") != self.lwa_client["refresh_token"]:
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The request has an invalid grant parameter : refresh_token",
                },
                400,
            )
        token, expires_in = self.tokens.issue()
        return json_response(
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": expires_in,
                "refresh_token": self.lwa_client["refresh_token"],
            }
        )

    def limit_headers(self, decision: Decision) -> dict[str, str]:
        return {"x-amzn-RateLimit-Limit": f"{decision.refill_per_second:g}"}

    # ----- Reports API (settlement reports) -----------------------------------------------------

    @route("GET", "/reports/2021-06-30/reports")
    @limited("getReports")
    def get_reports(self, request: Request) -> Response:
        args = request.args
        try:
            if args.get("nextToken"):
                query = _decode_token(args["nextToken"])
            else:
                types = [t for t in (args.get("reportTypes") or "").split(",") if t]
                if not types:
                    raise ValueError("reportTypes or nextToken is required.")
                since = args.get("createdSince")
                earliest = parse_time(since, "createdSince") if since else datetime.now(UTC) - timedelta(days=90)
                query = {
                    "types": types,
                    "since": iso(earliest),
                    "statuses": [s for s in (args.get("processingStatuses") or "").split(",") if s],
                    "size": int(args.get("pageSize") or 10),
                    "offset": 0,
                }
                if not 1 <= query["size"] <= 100:
                    raise ValueError("pageSize must be 1-100.")
        except ValueError as exc:
            return self.error(400, "InvalidInput", str(exc))
        with self._store_lock:
            matching = [
                dict(r) for r in self._reports
                if r["reportType"] in query["types"] and r["createdTime"] >= query["since"]
                and (not query["statuses"] or r["processingStatus"] in query["statuses"])
            ]  # fmt: skip
        matching.sort(key=lambda r: (r["createdTime"], r["reportId"]), reverse=True)  # newest first, as Amazon
        offset, size = query["offset"], query["size"]
        body: dict[str, Any] = {"reports": matching[offset : offset + size]}
        if offset + size < len(matching):
            body["nextToken"] = _encode_token({**query, "offset": offset + size})
        return json_response(body)

    @route("GET", "/reports/2021-06-30/documents/<document_id>")
    @limited("getReportDocument")
    def get_report_document(self, request: Request, document_id: str) -> Response:
        with self._store_lock:
            known = document_id in self._report_documents
        if not known:
            return self.error(404, "NotFound", f"Report document {document_id} not found.")
        url = f"{request.host_url.rstrip('/')}{REPORT_DOWNLOAD_PREFIX}/{document_id}"
        return json_response({"reportDocumentId": document_id, "url": url})

    @route("GET", f"{REPORT_DOWNLOAD_PREFIX}/<document_id>")
    def download_report(self, request: Request, document_id: str) -> Response:
        with self._store_lock:
            text = self._report_documents.get(document_id)
        if text is None:
            return Response("<Error><Code>NoSuchKey</Code></Error>", status=404, content_type="application/xml")
        return Response(text.encode(), status=200, content_type="text/tab-separated-values; charset=UTF-8")

    @admin_route("POST", "reports")
    def admin_post_reports(self, request: Request) -> Response:
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("document"), str) or not body.get("reportType"):
            return json_response({"error": "expected {reportType, document, createdTime?}"}, 400)
        return json_response(self.seed_report(str(body["reportType"]), body["document"], body.get("createdTime")), 201)

    def seed_report(self, report_type: str, document: str, created_time: str | None = None) -> dict[str, Any]:
        """A DONE report of `report_type` whose document is `document` (for tests and the demo)."""
        created = created_time or iso(datetime.now(UTC))
        report_id = str(50_000_000_000 + len(self._reports))
        document_id = f"amzn1.spdoc.1.4.na.{uuid.uuid4()}"
        report = {
            "reportId": report_id,
            "reportType": report_type,
            "dataStartTime": created,
            "dataEndTime": created,
            "createdTime": created,
            "processingStatus": "DONE",
            "processingStartTime": created,
            "processingEndTime": created,
            "reportDocumentId": document_id,
            "marketplaceIds": [DEFAULT_MARKETPLACE_ID],
        }
        with self._store_lock:
            self._reports.append(report)
            self._report_documents[document_id] = document
        return dict(report)

    # ----- Orders API --------------------------------------------------------------------------

    @route("GET", "/orders/v0/orders")
    @limited("getOrders")
    def get_orders(self, request: Request) -> Response:
        args = request.args
        try:
            query = _decode_token(args["NextToken"]) if args.get("NextToken") else self._orders_query(args)
        except ValueError as exc:
            return self.error(400, "InvalidInput", str(exc))
        with self._store_lock:
            matching = [deepcopy(o) for o in self._orders.values() if _matches(o, query)]
        matching.sort(key=lambda o: (o["LastUpdateDate"], o["AmazonOrderId"]))
        offset, size = query["offset"], query["size"]
        page = matching[offset : offset + size]
        payload: dict[str, Any] = {"Orders": page}
        if offset + size < len(matching):
            payload["NextToken"] = _encode_token({**query, "offset": offset + size})
        if query.get("before_field"):
            payload[query["before_field"]] = query["before"]
        return json_response({"payload": payload})

    def _orders_query(self, args: Any) -> dict[str, Any]:
        marketplaces = [m for m in (args.get("MarketplaceIds") or "").split(",") if m]
        if not marketplaces:
            raise ValueError("MarketplaceIds is required.")
        created_after, updated_after = args.get("CreatedAfter"), args.get("LastUpdatedAfter")
        if bool(created_after) == bool(updated_after):
            raise ValueError("Exactly one of CreatedAfter and LastUpdatedAfter must be specified.")
        field, after_name = (
            ("LastUpdateDate", "LastUpdatedAfter") if updated_after else ("PurchaseDate", "CreatedAfter")
        )
        before_name = "LastUpdatedBefore" if updated_after else "CreatedBefore"
        after = parse_time(updated_after or created_after, after_name)
        latest = datetime.now(UTC) - timedelta(seconds=SETTLE_SECONDS)
        before = parse_time(args[before_name], before_name) if args.get(before_name) else latest
        if before > latest + timedelta(seconds=1):
            raise ValueError(f"{before_name} must be no later than two minutes before the request time.")
        if before <= after:
            raise ValueError(f"{before_name} must be later than {after_name}.")
        try:
            size = int(args.get("MaxResultsPerPage", MAX_RESULTS_PER_PAGE))
        except ValueError as exc:
            raise ValueError("MaxResultsPerPage must be a number.") from exc
        if not 1 <= size <= MAX_RESULTS_PER_PAGE:
            raise ValueError("MaxResultsPerPage must be between 1 and 100.")
        statuses = [s for s in (args.get("OrderStatuses") or "").split(",") if s]
        channels = [c for c in (args.get("FulfillmentChannels") or "").split(",") if c]
        return {
            "marketplaces": marketplaces,
            "field": field,
            "after": iso(after),
            "before": iso(before),
            "before_field": before_name,
            "statuses": statuses,
            "channels": channels,
            "offset": 0,
            "size": size,
        }

    @route("GET", "/orders/v0/orders/<order_id>")
    @limited("getOrder")
    def get_order(self, request: Request, order_id: str) -> Response:
        with self._store_lock:
            order = deepcopy(self._orders.get(order_id))
        if order is None:
            return self.error(404, "NotFound", f"Order {order_id} was not found.")
        return json_response({"payload": order})

    @route("GET", "/orders/v0/orders/<order_id>/orderItems")
    @limited("getOrderItems")
    def get_order_items(self, request: Request, order_id: str) -> Response:
        with self._store_lock:
            items = deepcopy(self._items.get(order_id))
        if items is None:
            return self.error(404, "NotFound", f"Order {order_id} was not found.")
        try:
            offset = (
                int(base64.urlsafe_b64decode(request.args["NextToken"]).decode())
                if request.args.get("NextToken")
                else 0
            )
        except (ValueError, UnicodeDecodeError):
            return self.error(400, "InvalidInput", "NextToken is invalid.")
        payload: dict[str, Any] = {"OrderItems": items[offset : offset + ITEMS_PER_PAGE], "AmazonOrderId": order_id}
        if offset + ITEMS_PER_PAGE < len(items):
            payload["NextToken"] = base64.urlsafe_b64encode(str(offset + ITEMS_PER_PAGE).encode()).decode()
        return json_response({"payload": payload})

    @route("POST", "/orders/v0/orders/<order_id>/shipmentConfirmation")
    @limited("confirmShipment")
    def confirm_shipment(self, request: Request, order_id: str) -> Response:
        try:
            body = read_json(request)
            package = body["packageDetail"]
            for name in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
                if not package.get(name):
                    raise ValueError(f"packageDetail.{name} is required.")
            if not body.get("marketplaceId"):
                raise ValueError("marketplaceId is required.")
            shipped = {str(i["orderItemId"]): int(i["quantity"]) for i in package["orderItems"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return self.error(400, "InvalidInput", f"Invalid shipment confirmation: {exc}")
        with self._store_lock:
            order = self._orders.get(order_id)
            if order is None:
                return self.error(404, "NotFound", f"Order {order_id} was not found.")
            if order["OrderStatus"] in {"Canceled", "Pending"}:
                return self.error(400, "InvalidInput", f"Order {order_id} is {order['OrderStatus']}.")
            items = {i["OrderItemId"]: i for i in self._items.get(order_id, [])}
            unknown = sorted(set(shipped) - set(items))
            if unknown:
                return self.error(400, "InvalidInput", f"Unknown orderItemId: {', '.join(unknown)}.")
            for item_id, quantity in shipped.items():
                item = items[item_id]
                item["QuantityShipped"] = min(item["QuantityOrdered"], item.get("QuantityShipped", 0) + quantity)
            _refresh_totals(order, list(items.values()))
            remaining = order["NumberOfItemsUnshipped"]
            order["OrderStatus"] = "Shipped" if remaining == 0 else "PartiallyShipped"
            order["LastUpdateDate"] = iso(datetime.now(UTC))
            self._shipments.append({"AmazonOrderId": order_id, **deepcopy(body)})
        return Response(status=204)

    # ----- Listings Items / Feeds --------------------------------------------------------------

    @route("PATCH", "/listings/2021-08-01/items/<seller_id>/<path:sku>")
    @limited("patchListingsItem")
    def patch_listing(self, request: Request, seller_id: str, sku: str) -> Response:
        try:
            if not request.args.get("marketplaceIds"):
                raise ValueError("marketplaceIds is required.")
            body = read_json(request)
            if not isinstance(body, dict) or not body.get("productType"):
                raise ValueError("productType is required.")
            patches = body.get("patches")
            if not isinstance(patches, list) or not patches:
                raise ValueError("patches must be a non-empty array.")
            for patch in patches:
                if patch.get("op") not in {"add", "replace", "merge", "delete"} or not str(
                    patch.get("path", "")
                ).startswith("/attributes/"):
                    raise ValueError("each patch needs op add|replace|merge|delete and a path under /attributes/.")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "InvalidInput", str(exc))
        submission_id = uuid.uuid4().hex
        offer = _our_price(patches)
        if offer is not None:
            problem = self.below_floor(sku, offer[0])
            if problem is not None:  # Amazon takes the submission and answers INVALID with its issues
                issue: dict[str, Any] = {"code": "90244", "message": problem, "severity": "ERROR"}
                issue["attributeNames"] = ["purchasable_offer"]
                answer = {"sku": sku, "status": "INVALID", "submissionId": submission_id, "issues": [issue]}
                return json_response(answer)
            self.record_price(sku, offer[0], offer[1])
        with self._store_lock:
            listing = self._listings.setdefault(sku, {"sku": sku, "sellerId": seller_id, "attributes": {}})
            for patch in patches:
                name = patch["path"].removeprefix("/attributes/")
                if patch["op"] == "delete":
                    listing["attributes"].pop(name, None)
                else:
                    listing["attributes"][name] = deepcopy(patch.get("value"))
            listing["productType"] = body["productType"]
            listing["lastSubmissionId"] = submission_id
        answer = {"sku": sku, "status": "ACCEPTED", "submissionId": submission_id, "issues": []}
        return json_response(answer)

    @route("POST", "/feeds/2021-06-30/feeds")
    @limited("createFeed")
    def create_feed(self, request: Request) -> Response:
        try:
            body = read_json(request)
            for name in ("feedType", "marketplaceIds", "inputFeedDocumentId"):
                if not body.get(name):
                    raise ValueError(f"{name} is required.")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "InvalidInput", str(exc))
        with self._store_lock:
            document = self._documents.get(str(body["inputFeedDocumentId"]))
        if document is not None and document.get("content") is None:
            return self.error(400, "InvalidInput", "The feed document has not been uploaded.")
        feed_id = str(50000 + len(self._feeds) + 1)
        record = {"feedId": feed_id, "processingStatus": "IN_QUEUE", **deepcopy(body)}
        if document is not None:
            record["content"] = deepcopy(document["content"])
        with self._store_lock:
            self._feeds.append(record)
        return json_response({"feedId": feed_id}, 202)

    @route("POST", "/feeds/2021-06-30/documents")
    @limited("createFeedDocument")
    def create_feed_document(self, request: Request) -> Response:
        """createFeedDocument: a document id and the URL to PUT the feed content to."""
        try:
            body = read_json(request)
            content_type = body.get("contentType") if isinstance(body, dict) else None
            if not content_type:
                raise ValueError("contentType is required.")
        except (ValueError, AttributeError) as exc:
            return self.error(400, "InvalidInput", str(exc))
        document_id = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        with self._store_lock:
            self._documents[document_id] = {"contentType": content_type, "content": None}
        url = f"{request.host_url.rstrip('/')}{UPLOAD_PREFIX}/{document_id}"
        return json_response({"feedDocumentId": document_id, "url": url}, 201)

    @route("PUT", f"{UPLOAD_PREFIX}/<document_id>")
    def upload_feed_document(self, request: Request, document_id: str) -> Response:
        """The upload to the presigned URL (S3 answers 200 with an empty body)."""
        raw = request.get_data()
        with self._store_lock:
            document = self._documents.get(document_id)
            if document is None:
                return Response("<Error><Code>NoSuchUpload</Code></Error>", 404, content_type="application/xml")
            try:
                document["content"] = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                document["content"] = raw.decode("utf-8", "replace")
        return Response(b"", 200)

    # ----- admin -------------------------------------------------------------------------------

    def seed_orders(self, seeds: list[Any]) -> list[dict[str, Any]]:
        """Stores orders (``{"order": {...}, "items": [...]}`` or an order with ``OrderItems``)."""
        stored = []
        completed = [complete_amazon_order(seed) for seed in seeds]
        with self._store_lock:
            for order, items in completed:
                self._orders[order["AmazonOrderId"]] = order
                self._items[order["AmazonOrderId"]] = items
                stored.append({"order": deepcopy(order), "items": deepcopy(items)})
        return stored

    def update_order(self, order_id: str, **changes: Any) -> dict[str, Any]:
        """Changes an order's fields (``OrderStatus="Canceled"``); ``LastUpdateDate`` moves to now
        unless given."""
        with self._store_lock:
            order = self._orders[order_id]
            order.update(changes)
            if "LastUpdateDate" not in changes:
                order["LastUpdateDate"] = iso(datetime.now(UTC))
            return deepcopy(order)

    def listings(self) -> dict[str, dict[str, Any]]:
        with self._store_lock:
            return deepcopy(self._listings)

    @admin_route("GET", "orders")
    def admin_get_orders(self, request: Request) -> Response:
        with self._store_lock:
            orders = [
                {"order": deepcopy(o), "items": deepcopy(self._items.get(k, []))} for k, o in self._orders.items()
            ]
        return counted("orders", orders)

    @admin_route("POST", "orders")
    def admin_post_orders(self, request: Request) -> Response:
        try:
            body = read_json(request)
            stored = self.seed_orders(body if isinstance(body, list) else [body])
        except (ValueError, TypeError, KeyError, InvalidOperation) as exc:
            return json_response({"error": str(exc)}, 400)
        return counted("orders", stored)

    @admin_route("DELETE", "orders")
    def admin_delete_orders(self, request: Request) -> Response:
        with self._store_lock:
            self._orders.clear()
            self._items.clear()
        return json_response({"count": 0, "orders": []})

    @admin_route("GET", "listings")
    def admin_get_listings(self, request: Request) -> Response:
        listings = self.listings()
        return counted("listings", list(listings.values()))

    @admin_route("GET", "feeds")
    def admin_get_feeds(self, request: Request) -> Response:
        return counted("feeds", copied(self._store_lock, self._feeds))

    @admin_route("GET", "shipments")
    def admin_get_shipments(self, request: Request) -> Response:
        return counted("shipments", copied(self._store_lock, self._shipments))

    def reset_state(self) -> None:
        clear_stores(
            self._store_lock,
            self._orders,
            self._items,
            self._listings,
            self._feeds,
            self._documents,
            self._shipments,
            self._reports,
            self._report_documents,
        )
        self.reset_prices()


def complete_amazon_order(seed: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An order as getOrder returns it and its items as getOrderItems does; ``ValueError`` if unusable."""
    if not isinstance(seed, dict):
        raise ValueError("an order must be a JSON object")
    if "order" in seed:
        order, items = deepcopy(seed["order"]), deepcopy(seed.get("items") or [])
    else:
        order = deepcopy(seed)
        items = order.pop("OrderItems", None) or []
    order_id = order.get("AmazonOrderId")
    if not isinstance(order_id, str) or not order_id:
        raise ValueError("an order needs a string AmazonOrderId")
    if not isinstance(items, list):
        raise ValueError("items must be a list of order items")
    now = iso(datetime.now(UTC))
    order.setdefault("PurchaseDate", now)
    order.setdefault("LastUpdateDate", order["PurchaseDate"])
    order.setdefault("OrderStatus", "Unshipped")
    order.setdefault("FulfillmentChannel", "MFN")
    order.setdefault("SalesChannel", "Amazon.com")
    order.setdefault("OrderType", "StandardOrder")
    order.setdefault("MarketplaceId", DEFAULT_MARKETPLACE_ID)
    order.setdefault("ShipmentServiceLevelCategory", "Standard")
    order.setdefault("IsPrime", False)
    order.setdefault("IsBusinessOrder", False)
    order.setdefault("IsReplacementOrder", False)
    currency = order.get("OrderTotal", {}).get("CurrencyCode") or "USD"
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("SellerSKU"):
            raise ValueError("each order item needs a SellerSKU")
        item.setdefault("OrderItemId", f"{order_id.replace('-', '')[-8:]}{number:04d}")
        item.setdefault("ASIN", f"B0SANDBOX{number:02d}")
        item.setdefault("Title", f"Sandbox item {item['SellerSKU']}")
        item.setdefault("QuantityOrdered", 1)
        item.setdefault("QuantityShipped", 0)
        item.setdefault("ItemPrice", {"CurrencyCode": currency, "Amount": "0.00"})
        item.setdefault("ItemTax", {"CurrencyCode": currency, "Amount": "0.00"})
        item.setdefault("PromotionDiscount", {"CurrencyCode": currency, "Amount": "0.00"})
        item.setdefault("IsGift", "false")
        item.setdefault("ConditionId", "New")
        item.setdefault("ProductInfo", {"NumberOfItems": "1"})
    _refresh_totals(order, items)
    return order, items


def _refresh_totals(order: dict[str, Any], items: list[dict[str, Any]]) -> None:
    if items and "OrderTotal" not in order:
        currency = items[0]["ItemPrice"]["CurrencyCode"]
        total = sum(
            (Decimal(str(i["ItemPrice"]["Amount"])) + Decimal(str(i.get("ItemTax", {}).get("Amount", "0"))))
            for i in items
        )
        order["OrderTotal"] = {"CurrencyCode": currency, "Amount": f"{total:.2f}"}
    shipped = sum(int(i.get("QuantityShipped", 0)) for i in items)
    ordered = sum(int(i.get("QuantityOrdered", 0)) for i in items)
    order["NumberOfItemsShipped"] = shipped
    order["NumberOfItemsUnshipped"] = max(0, ordered - shipped)


def _matches(order: dict[str, Any], query: dict[str, Any]) -> bool:
    stamp = parse_time(order[query["field"]], query["field"])
    # Amazon: "after (or at)" and "before (or at)" the given times.
    if not parse_time(query["after"], "after") <= stamp <= parse_time(query["before"], "before"):
        return False
    if order.get("MarketplaceId") not in query["marketplaces"]:
        return False
    if query["statuses"] and order.get("OrderStatus") not in query["statuses"]:
        return False
    return not query["channels"] or order.get("FulfillmentChannel") in query["channels"]


def _encode_token(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query, sort_keys=True).encode()).decode()


def _decode_token(token: str) -> dict[str, Any]:
    try:
        query = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError as exc:
        raise ValueError("NextToken is invalid.") from exc
    if not isinstance(query, dict) or "offset" not in query:
        raise ValueError("NextToken is invalid.")
    return query


def _our_price(patches: list[dict[str, Any]]) -> tuple[Any, str | None] | None:
    """(our_price's first value_with_tax, currency) of a purchasable_offer patch, if there is one."""
    for patch in patches:
        if patch.get("path") != "/attributes/purchasable_offer" or patch.get("op") == "delete":
            continue
        for offer in patch.get("value") or []:
            for price in offer.get("our_price") or []:
                for entry in price.get("schedule") or []:
                    if "value_with_tax" in entry:
                        return entry["value_with_tax"], offer.get("currency")
    return None
