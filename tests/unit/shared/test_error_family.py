"""One error family (issue 8.2): every outside system's failure is a `Throttled`, `Unavailable` or
`Rejected` naming its system; only the ERP keeps names of its own (OrderFlow parks orders on an ERP
outage only). A module defining a throttled / unavailable / rejected class outside the family fails here (a
narrower member, like the token endpoint's `CredentialsRejected(Rejected)`, is one of it)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import httpx
import pytest

import functions
import shared
from shared.adapters.http import ErpConnector, HttpConnector
from shared.channels.clients.walmart_api import WalmartApiClient
from shared.errors import (
    ErpThrottled,
    ErpUnavailable,
    RetailSyncError,
    Throttled,
    Unavailable,
    VendorNotFound,
)

ROOT = Path(__file__).resolve().parents[3]
FAMILY_ENDINGS = ("Throttled", "Unavailable", "Rejected")
ERP_NAMES = {"ErpThrottled", "ErpUnavailable", "ErpRejected"}


def _client(cls: type[HttpConnector], handler: object) -> HttpConnector:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    connector = cls.__new__(cls)
    HttpConnector.__init__(
        connector, "http://127.0.0.1:9", client=httpx.Client(transport=transport, base_url="http://127.0.0.1:9")
    )
    return connector


def test_a_vendor_429_is_throttled_naming_the_vendor_and_its_wait_not_an_erp_error() -> None:
    client = _client(WalmartApiClient, lambda request: httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(Throttled) as raised:
        client._send("GET", "/v3/orders/1")
    assert raised.value.system == "walmart" and raised.value.retry_after == 7.0
    assert not isinstance(raised.value, ErpThrottled)
    assert isinstance(raised.value, RetailSyncError) and raised.value.status == 429


def test_a_vendor_404_on_a_read_is_vendor_not_found_a_refusal_with_its_status() -> None:
    client = _client(WalmartApiClient, lambda request: httpx.Response(404))
    with pytest.raises(VendorNotFound) as raised:
        client._send("GET", "/v3/orders/1")
    assert raised.value.system == "walmart" and raised.value.answer_status == 404


def test_the_erp_down_is_the_erp_s_own_unavailable_and_still_one_of_the_family() -> None:
    erp = _client(ErpConnector, lambda request: httpx.Response(503))
    with pytest.raises(ErpUnavailable) as raised:
        erp._send("PUT", "/services/rest/record/v1/salesOrder/eid:1")
    assert isinstance(raised.value, Unavailable) and raised.value.system == "erp"
    assert raised.value.status == 503  # as an API answer: UPSTREAM_UNAVAILABLE


def _connector_classes() -> list[type[HttpConnector]]:
    for package in (functions, shared):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".handlers." not in module.name:
                importlib.import_module(module.name)
    found: list[type[HttpConnector]] = []
    pending = [HttpConnector]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def _names_system_when_built(cls: type[HttpConnector]) -> bool:
    """A connector whose system is given when it is built (the snapshot sources: "wms", "erp")."""
    return any(
        "self.system = " in inspect.getsource(klass.__dict__["__init__"])
        for klass in cls.__mro__
        if klass is not HttpConnector and "__init__" in klass.__dict__
    )


def test_every_connector_names_the_system_its_errors_come_from() -> None:
    # Every connector that is built (a class with no subclass of its own): the shared bases
    # (ChannelConnector, ...) leave `system` to the channel each subclass names.
    unnamed = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _connector_classes()
        if cls.__module__.startswith(("functions.", "shared."))
        and not cls.__subclasses__()
        and cls.system == "outside system"
        and not _names_system_when_built(cls)
    ]
    assert unnamed == []


def test_no_module_defines_its_own_throttled_unavailable_or_rejected() -> None:
    own: list[str] = []
    for path in [*ROOT.joinpath("functions").rglob("*.py"), *ROOT.joinpath("shared").rglob("*.py")]:
        if path == ROOT / "shared" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and node.name.endswith(FAMILY_ENDINGS) and node.name not in ERP_NAMES:
                bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
                if not bases & {"Throttled", "Unavailable", "Rejected", "ValidationFailed"}:
                    own.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert own == [], "raise shared.errors.Throttled / Unavailable / Rejected with system=..."
