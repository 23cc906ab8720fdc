"""Customer data stays out of logs and the trace table.

Failure paths (poison messages, refused webhooks, vendor errors, normalization failures) used to
log `str(exc)`: a pydantic `ValidationError` prints each failing `input_value`, and a vendor's 4xx
body often echoes the order it refused (buyer name, address, email). What may be written instead:

- `redact(value)`: a copy of a mapping/list with the values of known PII keys replaced;
- `error_summary(exc)`: the exception's type, our own message for our own exceptions, and the
  *names* of invalid fields, never their values;
- `vendor_error(response)`: a vendor's HTTP status and its machine error code, never its text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from shared.errors import RetailSyncError

if TYPE_CHECKING:
    import httpx

REDACTED = "[redacted]"
_OWN_PACKAGES = ("shared.", "functions.")

# Keys (compared lower-case, without `_`, `-` or spaces) whose values are customer data in the
# payloads we receive: Shopify (customer, billing/shipping address, email, phone, note), Amazon
# (BuyerInfo, ShippingAddress), Walmart (shippingInfo.postalAddress), eBay (buyer, fulfillmentStartInstructions
# shipTo), Square (recipient), Loop (customer), and our canonical `customer`/`shipping_address`.
PII_KEYS = frozenset(
    {
        "name",
        "firstname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "displayname",
        "buyername",
        "recipientname",
        "company",
        "email",
        "emailaddress",
        "buyeremail",
        "contactemail",
        "phone",
        "phonenumber",
        "mobile",
        "address",
        "address1",
        "address2",
        "address3",
        "addressline1",
        "addressline2",
        "addressline3",
        "street",
        "street1",
        "street2",
        "city",
        "zip",
        "zipcode",
        "postalcode",
        "province",
        "county",
        "district",
        "latitude",
        "longitude",
        "customer",
        "buyer",
        "buyerinfo",
        "billingaddress",
        "shippingaddress",
        "shipto",
        "postaladdress",
        "recipient",
        "note",
        "username",
        "taxid",
        "vatnumber",
        "browserip",
        "clientip",
        "ip",
    }
)
# Error codes vendors put in their JSON error bodies (Shopify `errors`, Amazon/Walmart `code`, eBay
# `errorId`): kept when they look like a code, never when they are prose.
_CODE_KEYS = ("code", "errorCode", "o:errorCode", "error_code", "errorId", "error", "type")
_CODE = re.compile(r"^[A-Za-z0-9_.:\-]{1,64}$")


def _normal(key: str) -> str:
    return re.sub(r"[_\-\s]", "", key).lower()


def is_pii_key(key: str) -> bool:
    return _normal(key) in PII_KEYS


def redact(value: Any) -> Any:
    """A copy of `value` with the value of every PII key (at any depth) replaced by `[redacted]`."""
    if isinstance(value, Mapping):
        return {k: (REDACTED if isinstance(k, str) and is_pii_key(k) else redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def field_names(details: list[dict[str, Any]] | None) -> list[str]:
    """The `field` of each error detail (what is wrong where), without the messages' values."""
    return [str(d.get("field", "?"))[:128] for d in details or []]


def error_summary(exc: BaseException) -> dict[str, Any]:
    """What a log line or a trace entry may say about a failure: type, our message, field names."""
    summary: dict[str, Any] = {"reason": type(exc).__name__}
    if isinstance(exc, ValidationError):
        summary["fields"] = [".".join(str(p) for p in err["loc"]) for err in exc.errors(include_input=False)][:20]
        summary["message"] = f"{exc.error_count()} invalid field(s) in {exc.title}"
    elif isinstance(exc, RetailSyncError) or type(exc).__module__.startswith(_OWN_PACKAGES):
        # Our own exceptions carry our own text (a vendor's words never get into one: see
        # vendor_error); their details may quote values, so only the field names are kept.
        summary["message"] = (exc.message if isinstance(exc, RetailSyncError) else str(exc))[:300]
        details = getattr(exc, "details", None)
        if isinstance(details, list) and details:
            summary["fields"] = field_names(details)[:20]
    return summary


def vendor_error(response: httpx.Response) -> str:
    """`<status>` plus the vendor's error code when its body names one; never the body's text."""
    code = vendor_code(response)
    return f"{response.status_code} {code}" if code else str(response.status_code)


def vendor_code(response: httpx.Response) -> str | None:
    """The vendor's error code in an error body: top level, in `errors[]`, in `error` (NetSuite's
    RESTlets: `{"error": {"code", "message"}}`) or in `o:errorDetails[]` (NetSuite REST:
    `{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode"}]}`)."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    nested: list[Any] = []
    if isinstance(body, dict):
        nested += [*(body.get("o:errorDetails") or []), *(body.get("errors") or [])]
        if isinstance(body.get("error"), dict):
            nested.append(body["error"])
    for candidate in (body, *nested):
        if not isinstance(candidate, dict):
            continue
        for key in _CODE_KEYS:
            value = candidate.get(key)
            if isinstance(value, str | int) and _CODE.match(str(value)):
                return str(value)
    return None
