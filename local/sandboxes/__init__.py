"""Local stand-ins for the outside systems (ERP, marketplaces, Square) with a WireMock-like admin API.

``start_sandboxes()`` serves them on 127.0.0.1: erp on ``base_port + 1``, marketplace (Walmart) on
``+ 2``, square on ``+ 3``, amazon on ``+ 4``, shopify on ``+ 5``, zalando on ``+ 6``, ebay on ``+ 8``,
wms on ``+ 9``, loop (the returns platform) on ``+ 10`` (``base_port=0`` picks free ports, for
tests). See README.md beside this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType

from local.sandboxes.amazon import AmazonSandbox
from local.sandboxes.base import Sandbox
from local.sandboxes.ebay import EbaySandbox
from local.sandboxes.erp import ErpSandbox
from local.sandboxes.helpdesk import HelpdeskSandbox
from local.sandboxes.loop import LoopSandbox
from local.sandboxes.marketplace import MarketplaceSandbox
from local.sandboxes.shopify import ShopifySandbox
from local.sandboxes.square import SquareSandbox
from local.sandboxes.wms import WmsSandbox
from local.sandboxes.zalando import ZalandoSandbox

__all__ = [
    "AmazonSandbox",
    "EbaySandbox",
    "ErpSandbox",
    "LoopSandbox",
    "MarketplaceSandbox",
    "Sandbox",
    "SandboxSet",
    "ShopifySandbox",
    "SquareSandbox",
    "WmsSandbox",
    "ZalandoSandbox",
    "start_sandboxes",
]

DEFAULT_BASE_PORT = 3100
# Port offsets from the base port; the order is the README's.
PORT_OFFSETS = {
    "erp": 1,
    "marketplace": 2,
    "square": 3,
    "amazon": 4,
    "shopify": 5,
    "zalando": 6,
    "ebay": 8,
    "wms": 9,
    "loop": 10,
    "helpdesk": 11,
}


@dataclass
class SandboxSet:
    """The running sandboxes: ``urls`` by name, the ``Sandbox`` objects themselves, ``stop()``."""

    sandboxes: dict[str, Sandbox] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        return {name: sandbox.url for name, sandbox in self.sandboxes.items()}

    def __getitem__(self, name: str) -> Sandbox:
        return self.sandboxes[name]

    @property
    def erp(self) -> ErpSandbox:
        sandbox = self.sandboxes["erp"]
        assert isinstance(sandbox, ErpSandbox)
        return sandbox

    @property
    def marketplace(self) -> MarketplaceSandbox:
        sandbox = self.sandboxes["marketplace"]
        assert isinstance(sandbox, MarketplaceSandbox)
        return sandbox

    @property
    def square(self) -> SquareSandbox:
        sandbox = self.sandboxes["square"]
        assert isinstance(sandbox, SquareSandbox)
        return sandbox

    @property
    def amazon(self) -> AmazonSandbox:
        sandbox = self.sandboxes["amazon"]
        assert isinstance(sandbox, AmazonSandbox)
        return sandbox

    @property
    def zalando(self) -> ZalandoSandbox:
        sandbox = self.sandboxes["zalando"]
        assert isinstance(sandbox, ZalandoSandbox)
        return sandbox

    @property
    def shopify(self) -> ShopifySandbox:
        sandbox = self.sandboxes["shopify"]
        assert isinstance(sandbox, ShopifySandbox)
        return sandbox

    @property
    def ebay(self) -> EbaySandbox:
        sandbox = self.sandboxes["ebay"]
        assert isinstance(sandbox, EbaySandbox)
        return sandbox

    @property
    def wms(self) -> WmsSandbox:
        sandbox = self.sandboxes["wms"]
        assert isinstance(sandbox, WmsSandbox)
        return sandbox

    @property
    def loop(self) -> LoopSandbox:
        sandbox = self.sandboxes["loop"]
        assert isinstance(sandbox, LoopSandbox)
        return sandbox

    def stop(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.stop()

    def __enter__(self) -> SandboxSet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandboxes(host: str = "127.0.0.1", base_port: int = DEFAULT_BASE_PORT) -> SandboxSet:
    """Starts every sandbox; ``base_port=0`` gives each a free port. Stops them all if one fails."""
    started = SandboxSet()
    candidates: dict[str, Sandbox] = {
        "erp": ErpSandbox(),
        "marketplace": MarketplaceSandbox(),
        "square": SquareSandbox(),
        "amazon": AmazonSandbox(),
        "shopify": ShopifySandbox(),
        "zalando": ZalandoSandbox(),
        # eBay's Sell APIs plus the Notification API key the eBay webhook check fetches.
        "ebay": EbaySandbox(),
        # The retailer's WMS: the inventory snapshot reconciliation compares positions with.
        "wms": WmsSandbox(),
        # The returns platform: ReturnFlow's ReportOutcome processes or closes the return there.
        "loop": LoopSandbox(),
        # The customer-service platform: the customer-status publisher tracks each order status there.
        "helpdesk": HelpdeskSandbox(),
    }
    try:
        for name, sandbox in candidates.items():
            port = 0 if base_port == 0 else base_port + PORT_OFFSETS[name]
            sandbox.start(host, port)
            started.sandboxes[name] = sandbox
    except BaseException:
        started.stop()
        raise
    return started
