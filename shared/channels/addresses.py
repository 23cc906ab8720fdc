"""A vendor's postal address as our `Address`: which of its fields holds which of ours.

Each vendor names the same seven things its own way (Amazon's `AddressLine1`, eBay's `addressLine1`,
Zalando's `address_line_1`); the channel module says which, once, and `address` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import NamedTuple

from shared.models import Address


class AddressFields(NamedTuple):
    """The vendor's field for each of ours, in `Address` order (None: the vendor has none)."""

    name: str | None
    line1: str
    line2: str
    city: str
    region: str | None
    postal_code: str
    country_code: str | None

    def address(self, vendor: object | None, **given: str | None) -> Address | None:
        """The vendor's address (a model, or a JSON object read as it came) as ours, None when there is
        none; `given` sets what the vendor does not hold in one field as we do (a name it splits, or
        keeps elsewhere; a country it writes otherwise)."""
        if vendor is None:
            return None
        field = vendor.get if isinstance(vendor, Mapping) else partial(getattr, vendor)
        read = {ours: field(theirs) for ours, theirs in self._asdict().items() if theirs is not None}
        return Address(**read, **given)


def full_name(first: str | None, last: str | None) -> str | None:
    """A name the vendor splits in two, joined as we keep it (None when it has neither part)."""
    return " ".join(part for part in (first, last) if part) or None
