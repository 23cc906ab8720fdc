"""Why something failed, in six categories every exception carries (issue 13.1).

| category | what it means | retried on the schedule |
| --- | --- | --- |
| `vendor_4xx` | a vendor refused the call (4xx, not found): the same call fails again until someone acts | no |
| `vendor_down` | a vendor (or AWS) did not answer, timed out or throttled | yes |
| `validation` | the message can never be read or mapped (poison) | no |
| `stock` | not enough stock to reserve | no |
| `conflict` | a concurrent write won; the next attempt reads the new state | yes |
| `internal` | anything else (a bug) | no |

The category is read from the error's class names (its MRO, so a subclass of `Throttled` or
`Unavailable` is what its base is) or, for a Step Functions Catch, from the `Error` name, which for
a Lambda task is the exception class name (`errorType`).
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    VENDOR_4XX = "vendor_4xx"
    VENDOR_DOWN = "vendor_down"
    VALIDATION = "validation"
    STOCK = "stock"
    CONFLICT = "conflict"
    INTERNAL = "internal"


# Worth running again by themselves after a while (`functions/ops/logic/auto_retry.py`).
TRANSIENT = frozenset({Category.VENDOR_DOWN, Category.CONFLICT})

# Exact names first, then name endings (checked in this order).
_EXACT = {
    "VendorNotFound": Category.VENDOR_4XX,
    "OrderUnknown": Category.VENDOR_4XX,
    "InsufficientStock": Category.STOCK,
    "OutOfStock": Category.STOCK,
    "ValidationError": Category.VALIDATION,
    "ValidationFailed": Category.VALIDATION,
    "PoisonMessage": Category.VALIDATION,
    "MalformedBody": Category.VALIDATION,
    "UnknownSource": Category.VALIDATION,
    "UnreadableEvent": Category.VALIDATION,
    "JSONDecodeError": Category.VALIDATION,
    "States.Timeout": Category.VENDOR_DOWN,
    "States.TaskFailed": Category.INTERNAL,
    "TimeoutException": Category.VENDOR_DOWN,
    "TimeoutError": Category.VENDOR_DOWN,
    "ConnectionError": Category.VENDOR_DOWN,
    "ConnectError": Category.VENDOR_DOWN,
    "ConditionalCheckFailedException": Category.CONFLICT,
}
_ENDINGS = (
    ("Rejected", Category.VENDOR_4XX),
    ("Throttled", Category.VENDOR_DOWN),
    ("Unavailable", Category.VENDOR_DOWN),
    ("Timeout", Category.VENDOR_DOWN),
    ("ConcurrentModification", Category.CONFLICT),
    ("StaleUpdate", Category.CONFLICT),
    ("Conflict", Category.CONFLICT),
)


def category_of_name(name: str) -> Category:
    """The category of an error named `name` (a class name or a Step Functions error name)."""
    if name in _EXACT:
        return _EXACT[name]
    if name.startswith("Lambda."):  # Lambda's own refusals and service errors
        return Category.VENDOR_DOWN
    for ending, category in _ENDINGS:
        if name.endswith(ending):
            return category
    return Category.INTERNAL


def category_of(exc: BaseException) -> Category:
    """The category of a raised error: the first of its classes (most specific first) that names one."""
    for cls in type(exc).__mro__:
        category = category_of_name(cls.__name__)
        if category is not Category.INTERNAL:
            return category
    return Category.INTERNAL
