"""NetSuite-style ERP sandbox: the REST web services record API for ``salesOrder``.

What it follows, and where from (found with the search tool):
- Upsert is ``PUT /services/rest/record/v1/<type>/eid:<externalId>``: creates the record when the
  external id is new, updates it otherwise; upsert refuses internal id values in the body.
  Oracle, "Using the Upsert Operation":
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156335203191.html and
  "upsert" (section_N3532463.html, same site).
- Errors are ``{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode",
  "o:errorPath"?}]}``. Oracle, "Error Handling in REST Web Services":
  https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
- Concurrency: REST and SOAP web services and RESTlets share one account-wide concurrency limit whose
  base is 5 on the Shared / Standard service tier (15, 20, 20 on the higher tiers, +10 per SuiteCloud
  Plus licence). https://netsuitechangelog.com/articles/concurrency-governance-limits-netsuite-suitecloud
  (summarising Oracle's "Concurrency Governance Limits Based on Service Tiers and SuiteCloud Plus
  Licenses") and https://support.jcurvesolutions.com/hc/en-us/articles/16837844824729-SuiteCloud-Plus-Settings
  ("Standard ... 5/15"). A call over the limit is refused at once with 429 Too Many Requests: Oracle,
  "NetSuite AI Connector Service And Concurrency Governance" (section_0827103226.html) and
  https://www.katoomi.com/?p=25138. The sandbox therefore starts with ``concurrency_limit`` 5.
  The stored pages name no REST ``o:errorCode`` for it (SOAP says ``WS_REQUEST_BLOCKED``, "concurrent
  request limit exceeded. Request blocked."); the sandbox uses ``CONCURRENCY_LIMIT_EXCEEDED``.
- A line whose item the account does not have is refused with 400 ``INVALID_CONTENT``, detail "Error
  while accessing resource: You have entered an Invalid Field Value <value> for the following field:
  item", ``o:errorPath`` ``item.items[<i>].item`` (the same "Error Handling in REST Web Services"
  page's example). The fault ``unknown_items`` (a list of item external ids) makes those items unknown.

- Authentication: OAuth 2.0 client credentials (machine to machine). ``POST
  /services/rest/auth/oauth2/v1/token`` takes ``grant_type=client_credentials``,
  ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`` and
  ``client_assertion``, a JWT (header ``typ``, ``alg`` PS256, ``kid`` = the certificate id; payload
  ``iss`` = the client id, ``scope`` including ``rest_webservices``, ``aud`` = the token URL, ``iat``,
  ``exp`` at most an hour later) signed with the certificate's private key; the sandbox verifies the
  signature with the registered public key and answers ``{"access_token", "expires_in": "3600",
  "token_type": "bearer"}``. Oracle, "POST Request to the Token Endpoint and the Access Token Response"
  (section_162755359851.html) and "Using SuiteScript with OAuth 2.0" (section_0312092247.html). Record
  calls need ``Authorization: Bearer <token>``; missing, unknown or expired: 401 ``INVALID_LOGIN``
  ("Invalid login attempt."), as NetSuite answers. Lifetime and expiry for tests: ``/__admin/tokens``.

Sandbox liberties: one integration (``local/sandboxes/erp_keys.py``; ``register_certificate`` adds
others); the token endpoint's refusals are 400 ``{"error": "invalid_client" | "invalid_grant" |
"invalid_request", "error_description"}``;
``status`` is a plain string (``pendingFulfillment`` unless sent; the connector cancels with
``{"status": "cancelled"}``); ``?expand=true`` on the list returns whole records; ``/snapshot/inventory``
is a sandbox endpoint for reconciliation, seeded through ``/__admin/inventory``.

Journal entries (finance's payout journals) are the same record API for ``journalEntry``: upsert by
external id (``PUT .../journalEntry/eid:<id>``, 204 with ``Location``), read by external or internal
id; a new journal needs ``line.items``, each line one ``account: {"id"}`` and one of ``debit`` /
``credit``, and debits must equal credits (the sandbox answers 400 ``USER_ERROR`` otherwise; the
stored pages give no NetSuite wording for an unbalanced journal). ``/__admin/journals`` lists them.

Returns use the same record API for ``returnAuthorization`` and ``creditMemo`` (Oracle, "Return
Authorization", article_0718011926.html: record id ``returnAuthorization``, one ``item`` sublist;
"Credit Memo", article_164460021767.html; both support upsert, "Credit Memo" section_N3666537.html).
Upsert by external id answers 204 with ``Location``; a new record needs ``item.items`` (each line an
``item`` reference and a positive ``quantity``); ``createdFrom: {"externalId"}`` must name an existing
record of the type it is created from (a return authorization from a sales order, a credit memo from
a return authorization), else 400 ``USER_ERROR`` as NetSuite refuses an invalid reference (NetSuite
itself creates a credit memo from a return authorization by ``POST .../returnAuthorization/<id>/
!transform/creditMemo``, "Transforming Records", section_157901123882.html; the connector upserts with
``createdFrom`` so a retry never makes a second memo). ``/__admin/returns`` lists both kinds.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from local.sandboxes.base import Handler, Sandbox, admin_route, json_response, read_json, route, utc_now_iso
from local.sandboxes.erp_keys import CERTIFICATE_ID, CLIENT_ID, PUBLIC_KEY_PEM
from local.sandboxes.seeding import InventoryAdminMixin, check_stock_row
from local.sandboxes.stores import counted
from local.sandboxes.tokens import VALID, TokenAdminMixin, TokenIssuer

RECORD_PATH = "/services/rest/record/v1"
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ERP_TOKEN_SECONDS = 3600
MAX_ASSERTION_SECONDS = 3600
SALES_ORDER_PATH = f"{RECORD_PATH}/salesOrder"
JOURNAL_PATH = f"{RECORD_PATH}/journalEntry"  # JOURNAL_ENTRY's
JOURNAL_ENTRY = "journalEntry"
RETURN_AUTHORIZATION = "returnAuthorization"
CREDIT_MEMO = "creditMemo"
# A return record's type -> the type its `createdFrom` must name.
RETURN_RECORD_SOURCES: dict[str, str] = {RETURN_AUTHORIZATION: "salesOrder", CREDIT_MEMO: RETURN_AUTHORIZATION}
# Record types kept in a `_RecordBook` (sales orders keep their own store: list, PATCH, statuses).
ITEM_FULFILLMENT = "itemFulfillment"  # a shipment of (part of) a sales order, with its tracking
# Every book type whose `createdFrom` must name an existing record of another type.
CREATED_FROM: dict[str, str] = {**RETURN_RECORD_SOURCES, ITEM_FULFILLMENT: "salesOrder"}
BOOK_TYPES = (JOURNAL_ENTRY, *CREATED_FROM)
DEFAULT_CONCURRENCY_LIMIT = 5
DEFAULT_STATUS = "pendingFulfillment"
FIRST_INTERNAL_ID = 1001
LIST_MAX_LIMIT = 1000

_TYPE_URIS = {
    400: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1",
    401: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2",
    404: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5",
    405: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1",
    503: "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4",
}
_NO_LINES = "You must enter at least one line item for this transaction."
UNKNOWN_ITEMS = "unknown_items"  # the fault: item external ids the account does not have
_READ_ONLY_FIELDS = ("id", "links", "createdDate", "lastModifiedDate")


def _book_route(method: str) -> Callable[[Handler], Handler]:
    """``route`` at ``RECORD_PATH/<book type>/<ref>`` for each of the ``BOOK_TYPES`` (the handler's ``kind``)."""

    def mark(handler: Handler) -> Handler:
        for kind in reversed(BOOK_TYPES):
            handler = route(method, f"{RECORD_PATH}/{kind}/<ref>", defaults={"kind": kind})(handler)
        return handler

    return mark


class _Rejected(Exception):
    def __init__(self, status: int, code: str, detail: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.path = status, code, detail, path


class ErpSandbox(TokenAdminMixin, InventoryAdminMixin, Sandbox):
    """Sales orders upserted by external id, read back by external or internal id."""

    name: ClassVar[str] = "erp"
    fault_exempt_paths: ClassVar[frozenset[str]] = frozenset({TOKEN_PATH})  # the faults model the record API

    def __init__(
        self, concurrency_limit: int | None = DEFAULT_CONCURRENCY_LIMIT, token_ttl_seconds: float = ERP_TOKEN_SECONDS
    ) -> None:
        self.tokens = TokenIssuer(token_ttl_seconds, prefix="eyJ-netsuite-sandbox-")
        # certificate id -> (client id, public key PEM), as "OAuth 2.0 Client Credentials (M2M) Setup" maps them.
        self.certificates: dict[str, tuple[str, str]] = {CERTIFICATE_ID: (CLIENT_ID, PUBLIC_KEY_PEM)}
        self._store_lock = threading.Lock()
        self._orders: dict[str, dict[str, Any]] = {}
        self._by_external_id: dict[str, str] = {}
        self._next_id = FIRST_INTERNAL_ID
        self._inventory: dict[tuple[str, str], int] = {}
        # The item and price master its export serves (seeded by POST /__admin/catalog).
        self._catalog: dict[str, list[dict[str, Any]]] = {"items": [], "prices": []}
        self._books = {kind: _RecordBook() for kind in BOOK_TYPES}
        defaults = {} if concurrency_limit is None else {"concurrency_limit": concurrency_limit}
        super().__init__(default_faults=defaults)

    # ----- authentication (OAuth 2.0 client credentials, JWT assertion) ------------------------

    def register_certificate(self, certificate_id: str, client_id: str, public_key_pem: str) -> None:
        self.certificates[certificate_id] = (client_id, public_key_pem)

    def before_route(self, request: Request) -> Response | None:
        if request.path == TOKEN_PATH:
            return None
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer ") and self.tokens.check(auth.removeprefix("Bearer ").strip()) == VALID:
            return None
        return self.error(
            401,
            "INVALID_LOGIN",
            "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > "
            "Users/Roles > User Management > View Login Audit Trail.",
        )

    @route("POST", TOKEN_PATH)
    def issue_token(self, request: Request) -> Response:
        form = request.form
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
            return json_response({"error": "invalid_request", "error_description": "unsupported grant"}, 400)
        problem = self._assertion_problem(form.get("client_assertion", ""), request.base_url)
        if problem is not None:
            return json_response({"error": problem[0], "error_description": problem[1]}, 400)
        token, expires_in = self.tokens.issue()
        return json_response({"access_token": token, "expires_in": str(expires_in), "token_type": "bearer"})

    def _assertion_problem(self, assertion: str, token_url: str) -> tuple[str, str] | None:
        """Why the JWT is refused, or None: format, registered certificate, PS256 signature, claims."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa

        try:
            head_b64, payload_b64, signature_b64 = assertion.split(".")
            header, payload = json.loads(_unb64(head_b64)), json.loads(_unb64(payload_b64))
            signature = _unb64(signature_b64)
        except (ValueError, TypeError):
            return "invalid_request", "client_assertion is not a JWT"
        registered = self.certificates.get(str(header.get("kid")))
        if registered is None:
            return "invalid_client", "unknown certificate id (kid)"
        client_id, public_pem = registered
        if header.get("alg") != "PS256":
            return "invalid_client", "unsupported JWT algorithm"
        key = serialization.load_pem_public_key(public_pem.encode())
        assert isinstance(key, rsa.RSAPublicKey)
        try:
            key.verify(
                signature,
                f"{head_b64}.{payload_b64}".encode(),
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "invalid_client", "the JWT signature does not verify with the certificate"
        now = time.time()
        iat, exp = payload.get("iat"), payload.get("exp")
        if payload.get("iss") != client_id:
            return "invalid_client", "iss is not the client id mapped to this certificate"
        if payload.get("aud") != token_url:
            return "invalid_grant", f"aud must be {token_url}"
        if not isinstance(iat, int | float) or not isinstance(exp, int | float) or exp <= now:
            return "invalid_grant", "the JWT has expired"
        if exp - iat > MAX_ASSERTION_SECONDS or iat > now + 60:
            return "invalid_grant", "iat/exp out of range"
        if "rest_webservices" not in (payload.get("scope") or []):
            return "invalid_grant", "scope must include rest_webservices"
        return None

    # ----- vendor error shape ------------------------------------------------------------------

    def error_body(self, status: int, code: str, detail: str, field: str | None) -> Any:
        item: dict[str, str] = {"detail": detail, "o:errorCode": code}
        if field is not None:
            item["o:errorPath"] = field
        return {
            "type": _TYPE_URIS.get(status, "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"),
            "title": HTTPStatus(status).phrase,
            "status": status,
            "o:errorDetails": [item],
        }

    def fault_response(self, kind: str, retry_after: int) -> Response:
        if kind == "outage":
            return self.error(503, "SERVICE_UNAVAILABLE", "The service is temporarily unavailable. Try again later.")
        detail = (
            "Concurrent request limit exceeded. Request blocked."
            if kind == "concurrency"
            else "Request limit exceeded. Try again later."
        )
        return self.error(429, "CONCURRENCY_LIMIT_EXCEEDED", detail, {"Retry-After": str(retry_after)})

    # ----- sales orders ------------------------------------------------------------------------

    def validate_extra_fault(self, key: str, value: Any) -> Any:
        if key != UNKNOWN_ITEMS:
            raise ValueError(f"unknown fault {key!r}")
        if not isinstance(value, list) or not all(isinstance(sku, str) for sku in value):
            raise ValueError(f"{UNKNOWN_ITEMS} is a list of item external ids")
        return value

    @route("PUT", f"{SALES_ORDER_PATH}/<ref>")
    def upsert_sales_order(self, request: Request, ref: str) -> Response:
        if not ref.startswith("eid:"):
            return self.error(
                405, "INVALID_METHOD", "Upsert needs an external id in the URL: PUT .../salesOrder/eid:<id>."
            )
        external_id = ref.removeprefix("eid:")
        try:
            fields = self._body_fields(request, external_id)
            with self._store_lock:
                internal_id = self._by_external_id.get(external_id)
                now = utc_now_iso()
                if internal_id is None:
                    # A new sales order needs lines; an update keeps the lines it has unless sent.
                    if "item" not in fields:
                        raise _Rejected(400, "USER_ERROR", _NO_LINES, "item")
                    internal_id = str(self._next_id)
                    self._next_id += 1
                    self._by_external_id[external_id] = internal_id
                    self._orders[internal_id] = {
                        "id": internal_id,
                        "externalId": external_id,
                        "status": DEFAULT_STATUS,
                        "createdDate": now,
                    }
                record = self._orders[internal_id]
                record.update(fields)
                record["externalId"] = external_id
                record["lastModifiedDate"] = now
        except _Rejected as rejected:
            return self.field_error(rejected.status, rejected.code, rejected.detail, rejected.path)
        location = f"{request.host_url.rstrip('/')}{SALES_ORDER_PATH}/{internal_id}"
        return Response(status=204, headers={"Location": location})

    @route("PATCH", f"{SALES_ORDER_PATH}/<ref>")
    def patch_sales_order(self, request: Request, ref: str) -> Response:
        try:
            with self._store_lock:
                internal_id = self._resolve(ref)
                external_id = self._orders[internal_id]["externalId"]
            fields = self._body_fields(request, external_id)
            with self._store_lock:
                record = self._orders[internal_id]
                record.update(fields)
                record["lastModifiedDate"] = utc_now_iso()
        except _Rejected as rejected:
            return self.field_error(rejected.status, rejected.code, rejected.detail, rejected.path)
        return Response(status=204)

    @route("GET", f"{SALES_ORDER_PATH}/<ref>")
    def get_sales_order(self, request: Request, ref: str) -> Response:
        try:
            with self._store_lock:
                record = dict(self._orders[self._resolve(ref)])
        except _Rejected as rejected:
            return self.field_error(rejected.status, rejected.code, rejected.detail, rejected.path)
        return json_response(self._with_links(request, record))

    @route("GET", SALES_ORDER_PATH)
    def list_sales_orders(self, request: Request) -> Response:
        try:
            limit = int(request.args.get("limit", LIST_MAX_LIMIT))
            offset = int(request.args.get("offset", 0))
            if not 1 <= limit <= LIST_MAX_LIMIT or offset < 0:
                raise ValueError
        except ValueError:
            return self.error(400, "INVALID_PARAMETER", f"limit must be 1-{LIST_MAX_LIMIT}, offset >= 0.")
        expand = request.args.get("expand", "").lower() == "true"
        with self._store_lock:
            records = [dict(self._orders[i]) for i in sorted(self._orders, key=int)]
        page = records[offset : offset + limit]
        items = [self._with_links(request, r) if expand else self._with_links(request, {"id": r["id"]}) for r in page]
        body = {
            "links": [{"rel": "self", "href": request.url}],
            "count": len(items),
            "hasMore": offset + len(items) < len(records),
            "items": items,
            "offset": offset,
            "totalResults": len(records),
        }
        return json_response(body)

    def _body_fields(self, request: Request, external_id: str) -> dict[str, Any]:
        try:
            body = read_json(request)
        except ValueError as exc:
            raise _Rejected(400, "INVALID_CONTENT", f"Invalid JSON in the request body: {exc}") from exc
        if not isinstance(body, dict):
            raise _Rejected(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        if "id" in body:
            raise _Rejected(400, "INVALID_CONTENT", "Internal id values cannot be set on this operation.", "id")
        sent_external_id = body.get("externalId")
        if sent_external_id is not None and str(sent_external_id) != external_id:
            raise _Rejected(
                400,
                "INVALID_CONTENT",
                f"externalId {sent_external_id!r} does not match the URL's external id {external_id!r}.",
                "externalId",
            )
        unknown = {str(sku) for sku in self.faults().get(UNKNOWN_ITEMS, [])}
        if "item" in body:
            items = body["item"].get("items") if isinstance(body["item"], dict) else None
            if not isinstance(items, list) or not items:
                raise _Rejected(400, "USER_ERROR", _NO_LINES, "item.items")
            for index, line in enumerate(items):
                if not isinstance(line, dict):
                    raise _Rejected(400, "INVALID_CONTENT", "A line item must be an object.", f"item.items[{index}]")
                item = line.get("item")
                item = item if isinstance(item, dict) else {}
                if str(item.get("externalId")) in unknown:
                    raise _Rejected(
                        400,
                        "INVALID_CONTENT",
                        "Error while accessing resource: You have entered an Invalid Field Value "
                        f"{item.get('externalId')} for the following field: item",
                        f"item.items[{index}].item",
                    )
        return {key: value for key, value in body.items() if key not in _READ_ONLY_FIELDS}

    def _resolve(self, ref: str) -> str:
        """Internal id for ``eid:<external id>`` or ``<internal id>``; call with the store lock held."""
        if ref.startswith("eid:"):
            internal_id = self._by_external_id.get(ref.removeprefix("eid:"))
        else:
            internal_id = ref if ref in self._orders else None
        if internal_id is None:
            raise _Rejected(
                404,
                "NONEXISTENT_ID",
                f"The record instance does not exist. Provide a valid record instance ID: {ref}.",
            )
        return internal_id

    def _with_links(self, request: Request, record: dict[str, Any]) -> dict[str, Any]:
        href = f"{request.host_url.rstrip('/')}{SALES_ORDER_PATH}/{record['id']}"
        return {"links": [{"rel": "self", "href": href}], **record}

    # ----- journal entries (finance) ------------------------------------------------------------

    @_book_route("PUT")
    def upsert_record(self, request: Request, ref: str, kind: str) -> Response:
        """`PUT .../<kind>/eid:<id>`: create or update by external id, 204 with `Location`."""
        if not ref.startswith("eid:"):
            return self.error(
                405, "INVALID_METHOD", f"Upsert needs an external id in the URL: PUT .../{kind}/eid:<id>."
            )
        external_id = ref.removeprefix("eid:")
        book = self._books[kind]
        try:
            fields = self._body_fields(request, external_id)
            with self._store_lock:
                self._check_record(kind, fields, new=external_id not in book.ids)
                internal_id = book.upsert(external_id, fields, utc_now_iso())
        except _Rejected as rejected:
            return self.field_error(rejected.status, rejected.code, rejected.detail, rejected.path)
        location = f"{request.host_url.rstrip('/')}{RECORD_PATH}/{kind}/{internal_id}"
        return Response(status=204, headers={"Location": location})

    @_book_route("GET")
    def get_record(self, request: Request, ref: str, kind: str) -> Response:
        """`GET .../<kind>/<internal id | eid:<external id>>`: the record with its self link, or 404."""
        with self._store_lock:
            record = self._books[kind].find(ref)
        if record is None:
            return self.error(
                404, "NONEXISTENT_ID", f"The record instance does not exist. Provide a valid record instance ID: {ref}."
            )
        href = f"{request.host_url.rstrip('/')}{RECORD_PATH}/{kind}/{record['id']}"
        return json_response({"links": [{"rel": "self", "href": href}], **record})

    def _check_record(self, kind: str, fields: dict[str, Any], *, new: bool) -> None:
        """A journal balances and a new one has lines; a return record's `createdFrom` names an
        existing record of its source type and a new one has lines. Call with the store lock held."""
        if kind == JOURNAL_ENTRY:
            _check_journal_lines(fields)
            if new and "line" not in fields:
                raise _Rejected(400, "USER_ERROR", _NO_LINES, "line")
            return
        created_from = fields.get("createdFrom")
        if created_from is not None:
            ref = created_from.get("externalId") if isinstance(created_from, dict) else None
            source = CREATED_FROM[kind]
            known = ref in (self._by_external_id if source == "salesOrder" else self._books[source].ids)
            if not ref or not known:
                raise _Rejected(
                    400,
                    "USER_ERROR",
                    f"Invalid createdFrom reference key {ref!r}: no {source} with that external id.",
                    "createdFrom",
                )
        if new or "item" in fields:
            _check_return_lines(fields)

    @admin_route("GET", "journals")
    def admin_get_journals(self, request: Request) -> Response:
        return counted("items", self.journals())

    def journals(self) -> list[dict[str, Any]]:
        return self.records(JOURNAL_ENTRY)

    @admin_route("GET", "fulfillments")
    def admin_get_fulfillments(self, request: Request) -> Response:
        records = self.records(ITEM_FULFILLMENT)
        return counted("items", records)

    @admin_route("GET", "returns")
    def admin_get_returns(self, request: Request) -> Response:
        return json_response({kind: self.records(kind) for kind in RETURN_RECORD_SOURCES})

    def records(self, kind: str) -> list[dict[str, Any]]:
        """Every stored record of a book type, in internal id order (for in-process callers)."""
        with self._store_lock:
            return self._books[kind].all()

    # ----- inventory snapshot (reconciliation) -------------------------------------------------

    @route("GET", "/snapshot/inventory")
    def inventory_snapshot(self, request: Request) -> Response:
        return json_response(self.snapshot_body(request.args.get("sku"), request.args.get("location_id")))

    def snapshot_body(self, sku: str | None = None, location_id: str | None = None) -> dict[str, Any]:
        with self._store_lock:
            rows = [
                {"sku": s, "location_id": loc, "on_hand": qty}
                for (s, loc), qty in sorted(self._inventory.items())
                if (sku is None or s == sku) and (location_id is None or loc == location_id)
            ]
        return {"as_of": utc_now_iso(), "count": len(rows), "items": rows}

    def seed_inventory(self, rows: list[Any]) -> None:
        """Sets on-hand per (sku, location_id); rows not named keep their value."""
        parsed: dict[tuple[str, str], int] = {}
        for row in rows:
            sku, location_id, on_hand = check_stock_row(row)
            parsed[(sku, location_id)] = on_hand
        with self._store_lock:
            self._inventory.update(parsed)

    def clear_inventory(self) -> None:
        with self._store_lock:
            self._inventory.clear()

    @admin_route("GET", "records")
    def admin_get_records(self, request: Request) -> Response:
        with self._store_lock:
            records = [dict(self._orders[i]) for i in sorted(self._orders, key=int)]
        return counted("items", records)

    def sales_orders(self) -> list[dict[str, Any]]:
        """Every stored sales order, in internal id order (for in-process callers)."""
        with self._store_lock:
            return [dict(self._orders[i]) for i in sorted(self._orders, key=int)]

    @route("GET", "/export/<any(items, prices):kind>")
    def export_catalog(self, request: Request, kind: str) -> Response:
        """The full item or price master, paged like NetSuite's REST collections: `limit` (default
        and most 1000), `offset` -> `{"items", "count", "offset", "totalResults", "hasMore"}`. Each
        item is the body of the matching `item.updated` / `price.updated` event without its delivery
        fields (events/erp/README.md)."""
        try:
            limit = min(int(request.args.get("limit", "1000")), 1000)
            offset = int(request.args.get("offset", "0"))
        except ValueError:
            return self.error(400, "INVALID_PARAMETER", "limit and offset must be integers")
        with self._store_lock:
            rows = deepcopy(self._catalog[kind])
        page = rows[offset : offset + limit]
        body = {"items": page, "count": len(page), "offset": offset, "totalResults": len(rows)}
        body["hasMore"] = offset + len(page) < len(rows)
        return json_response(body)

    def seed_catalog(self, items: list[dict[str, Any]], prices: list[dict[str, Any]]) -> None:
        with self._store_lock:
            self._catalog = {"items": deepcopy(items), "prices": deepcopy(prices)}

    @admin_route("POST", "catalog")
    def admin_post_catalog(self, request: Request) -> Response:
        try:
            body = read_json(request)
            self.seed_catalog(list(body.get("items") or []), list(body.get("prices") or []))
        except (ValueError, TypeError, AttributeError) as exc:
            return json_response({"error": f"expected {{items, prices}}: {exc}"}, 400)
        return json_response({"items": len(body.get("items") or []), "prices": len(body.get("prices") or [])}, 201)

    def reset_state(self) -> None:
        with self._store_lock:
            self._catalog = {"items": [], "prices": []}
            self._orders.clear()
            self._by_external_id.clear()
            self._inventory.clear()
            self._next_id = FIRST_INTERNAL_ID
            self._books = {kind: _RecordBook() for kind in BOOK_TYPES}


@dataclass
class _RecordBook:
    """One record type's store: records by internal id, internal ids by external id."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    next_id: int = FIRST_INTERNAL_ID

    def find(self, ref: str) -> dict[str, Any] | None:
        """A copy of the record `ref` names: `eid:<external id>` or the internal id."""
        internal_id = self.ids.get(ref.removeprefix("eid:")) if ref.startswith("eid:") else ref
        record = self.records.get(internal_id) if internal_id else None
        return dict(record) if record is not None else None

    def upsert(self, external_id: str, fields: dict[str, Any], now: str) -> str:
        internal_id = self.ids.get(external_id)
        if internal_id is None:
            internal_id = str(self.next_id)
            self.next_id += 1
            self.ids[external_id] = internal_id
            self.records[internal_id] = {"id": internal_id, "createdDate": now}
        self.records[internal_id].update({**fields, "externalId": external_id, "lastModifiedDate": now})
        return internal_id

    def all(self) -> list[dict[str, Any]]:
        return [dict(self.records[i]) for i in sorted(self.records, key=int)]


def _check_return_lines(fields: dict[str, Any]) -> None:
    """A return record has lines (`_body_fields` already checked each is an object), each with an
    item reference and a positive quantity."""
    items = fields.get("item", {}).get("items") if isinstance(fields.get("item"), dict) else None
    if not items:
        raise _Rejected(400, "USER_ERROR", _NO_LINES, "item.items")
    for index, line in enumerate(items):
        quantity = line.get("quantity")
        if not isinstance(line.get("item"), dict) or not isinstance(quantity, int | float) or quantity <= 0:
            raise _Rejected(
                400,
                "INVALID_CONTENT",
                "A return line needs an item reference and a positive quantity.",
                f"item.items[{index}]",
            )


def _check_journal_lines(fields: dict[str, Any]) -> None:
    if "line" not in fields:
        return
    items = fields["line"].get("items") if isinstance(fields["line"], dict) else None
    if not isinstance(items, list) or not items:
        raise _Rejected(400, "USER_ERROR", _NO_LINES, "line.items")
    debits = credits = Decimal("0")
    for index, line in enumerate(items):
        account = line.get("account") if isinstance(line, dict) else None
        sides = [side for side in ("debit", "credit") if isinstance(line, dict) and side in line]
        if not isinstance(account, dict) or not account.get("id") or len(sides) != 1:
            raise _Rejected(
                400,
                "INVALID_CONTENT",
                "A journal line needs an account and one of debit or credit.",
                f"line.items[{index}]",
            )
        try:
            amount = Decimal(str(line[sides[0]]))
        except InvalidOperation:
            raise _Rejected(400, "INVALID_CONTENT", "Invalid amount.", f"line.items[{index}].{sides[0]}") from None
        if sides[0] == "debit":
            debits += amount
        else:
            credits += amount
    if debits != credits:
        detail = f"The journal is out of balance: debits {debits}, credits {credits}."
        raise _Rejected(400, "USER_ERROR", detail, "line")


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
