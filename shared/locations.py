"""The locations registry: a validated hierarchy of stock-holding locations (data, not code).

The registry ships as `shared/data/locations.json` (a list of `Location`); a deployment
can point `LOCATIONS_FILE` at its own. Validation refuses duplicate ids, unknown parents and cycles,
so code can walk the hierarchy without guarding against any of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from pydantic import ConfigDict, TypeAdapter

from shared.models import Location, LocationKind

DEFAULT_LOCATIONS_FILE = Path(__file__).resolve().parent / "data" / "locations.json"
# Built with the first registry read, like every model (shared/models/base.py): building it here cost
# the availability publisher 20 ms of its cold start (pydantic's plugin loader imports importlib.metadata).
_LIST = TypeAdapter(list[Location], config=ConfigDict(defer_build=True))


class InvalidLocations(ValueError):
    """The registry data does not form a valid hierarchy."""


class LocationRegistry:
    def __init__(self, locations: Iterable[Location]) -> None:
        self._by_id: dict[str, Location] = {}
        for location in locations:
            if location.location_id in self._by_id:
                raise InvalidLocations(f"location {location.location_id} is listed twice")
            self._by_id[location.location_id] = location
        for location in self._by_id.values():
            if location.parent is not None and location.parent not in self._by_id:
                raise InvalidLocations(f"location {location.location_id}: unknown parent {location.parent}")
            seen = {location.location_id}
            parent = location.parent
            while parent is not None:
                if parent in seen:
                    raise InvalidLocations(f"location {location.location_id}: its parents form a cycle")
                seen.add(parent)
                parent = self._by_id[parent].parent

    def __iter__(self) -> Iterator[Location]:
        return iter(self._by_id.values())

    def __contains__(self, location_id: object) -> bool:
        return location_id in self._by_id

    def get(self, location_id: str) -> Location | None:
        return self._by_id.get(location_id)

    def ancestors(self, location_id: str) -> list[Location]:
        """Parent first, up to the root."""
        out: list[Location] = []
        current = self._by_id.get(location_id)
        while current is not None and current.parent is not None:
            current = self._by_id[current.parent]
            out.append(current)
        return out

    def descendants(self, location_id: str) -> list[Location]:
        """Every location under `location_id` (children, their children, ...), ids sorted."""
        under = [
            loc
            for loc in self._by_id.values()
            if any(parent.location_id == location_id for parent in self.ancestors(loc.location_id))
        ]
        return sorted(under, key=lambda loc: loc.location_id)

    def online_location_ids(self) -> list[str]:
        """Locations that fulfil online orders, sorted."""
        return sorted(loc.location_id for loc in self._by_id.values() if loc.fulfils_online)

    def of_kind(self, kind: LocationKind) -> list[str]:
        return sorted(loc.location_id for loc in self._by_id.values() if loc.kind is kind)


def parse_locations(raw: str | bytes) -> LocationRegistry:
    """JSON list of locations -> registry (pydantic ValidationError / InvalidLocations when invalid)."""
    return LocationRegistry(_LIST.validate_python(json.loads(raw)))


@lru_cache(maxsize=4)
def load_locations(path: Path = DEFAULT_LOCATIONS_FILE) -> LocationRegistry:
    return parse_locations(path.read_bytes())
