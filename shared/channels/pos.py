"""The retailer's POS back office: a verified source whose event types are not handled yet (202 ignored).

Store sales reach us through Square (shared/channels/square.py); this endpoint exists so the POS
back office can already sign and send its events (`t=,v1=` scheme, see own_system.py).
"""

from __future__ import annotations

from shared.channels.own_system import OwnSystemAdapter
from shared.channels.registry import register


@register
class PosAdapter(OwnSystemAdapter):
    source = "pos"
