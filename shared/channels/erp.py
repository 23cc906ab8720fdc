"""The retailer's ERP pushing events to us: verified (`t=,v1=`), event types not handled yet (202 ignored)."""

from __future__ import annotations

from shared.channels.own_system import OwnSystemAdapter
from shared.channels.registry import register


@register
class ErpAdapter(OwnSystemAdapter):
    source = "erp"
