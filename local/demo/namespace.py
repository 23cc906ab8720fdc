"""Give the scenario's SKUs and ids their own values per run, so it can play on a used stack.

`make demo` boots a fresh stack and sends the fixtures exactly as they are (`Namespace("")` is the
identity). The integration test runs the same scenario on the session's shared stack, where other
tests already sent those fixtures (they would be duplicates) and moved stock of those SKUs: there
every SKU gets a suffix (`IPOD2008PINK-3F9A1C`) and every id another value of the same shape (digits
stay digits, hex stays hex, letters keep their case), the same everywhere it appears (bodies,
headers, sandbox seeds, file names, expectations), before anything is signed.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Iterable
from typing import Any

_HEX = set("0123456789abcdefABCDEF-_")


class Namespace:
    def __init__(self, tag: str, skus: Iterable[str] = (), ids: Iterable[str] = (), patterns: Iterable[str] = ()):
        self.tag = tag
        self._map: dict[str, str] = {}
        if tag:
            self._map.update({sku: f"{sku}-{tag}" for sku in skus})
            self._map.update({token: self._reshape(token) for token in ids})
        tokens = sorted(self._map, key=len, reverse=True)
        alternatives = [re.escape(t) for t in tokens] + (list(patterns) if tag else [])
        self._pattern = (
            re.compile(r"(?<![A-Za-z0-9])(" + "|".join(alternatives) + r")(?![A-Za-z0-9])") if alternatives else None
        )

    def __bool__(self) -> bool:
        return bool(self.tag)

    def id(self, value: str) -> str:
        """The run's value of one SKU or id (itself outside a namespace)."""
        return self.text(value)

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self._map.get(m.group(0)) or self._reshape(m.group(0)), value)

    def data(self, value: Any) -> Any:
        """A JSON value with every SKU and id replaced (keys included)."""
        return value if not self.tag else json.loads(self.text(json.dumps(value)))

    def _reshape(self, token: str) -> str:
        """Another token of the same shape, fixed per (tag, token), never the token itself."""
        digest = hashlib.sha256(f"{self.tag}:{token}".encode()).digest() * 4
        hex_only = set(token) <= _HEX
        out = []
        for index, (char, byte) in enumerate(zip(token, digest, strict=False)):
            if char.isdigit():
                digits = string.digits[1:] if index == 0 else string.digits
                out.append(digits[byte % len(digits)])
            elif hex_only and char in "abcdef":
                out.append("abcdef"[byte % 6])
            elif hex_only and char in "ABCDEF":
                out.append("ABCDEF"[byte % 6])
            elif char.islower():
                out.append(string.ascii_lowercase[byte % 26])
            elif char.isupper():
                out.append(string.ascii_uppercase[byte % 26])
            else:
                out.append(char)
        reshaped = "".join(out)
        if reshaped == token:  # astronomically rare; keep the shape, change the last character
            last = token[-1]
            reshaped = token[:-1] + ("1" if last == "0" else "0" if last.isdigit() else "a" if last != "a" else "b")
        self._map[token] = reshaped
        return reshaped
