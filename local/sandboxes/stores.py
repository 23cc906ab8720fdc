"""Helpers over a sandbox's record stores (dicts and lists guarded by its ``_store_lock``)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, MutableMapping, MutableSequence
from copy import deepcopy
from typing import Any

from werkzeug.wrappers import Response

from local.sandboxes.base import json_response


def counted(key: str, records: list[Any]) -> Response:
    """An admin listing: ``{"count": n, key: records}``."""
    return json_response({"count": len(records), key: records})


def copied(lock: threading.Lock, records: Iterable[Any]) -> list[Any]:
    """A deep copy of ``records`` (a list, or a dict's values) taken under the sandbox's store ``lock``."""
    with lock:
        return deepcopy(list(records))


def clear_stores(lock: threading.Lock, *stores: MutableMapping[Any, Any] | MutableSequence[Any]) -> None:
    """Empties a sandbox's record stores under its store lock (what ``reset_state`` mostly does)."""
    with lock:
        for store in stores:
            store.clear()
